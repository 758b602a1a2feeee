package kms_test

import (
	"bufio"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/kms"
)

// asymFixture is a key of the type an operation needs, with what the
// operation takes as input.
type asymFixture struct {
	id   string
	blob []byte // RSA ciphertext, signature or MAC made while Enabled
}

// asymStateOps are the rows of the key-state table for operations of
// asymmetric and HMAC keys: the key each needs, how to make its input
// while the key is Enabled, and the call.
var asymStateOps = map[string]struct {
	key   kms.CreateKeyInput
	input func(ctx context.Context, s *kms.Service, id string) []byte
	call  func(ctx context.Context, s *kms.Service, f asymFixture) error
}{
	"Sign": {key: refusalKeys["p256Sign"], call: func(ctx context.Context, s *kms.Service, f asymFixture) error {
		_, err := s.Sign(ctx, f.id, kms.SignInput{Message: []byte("m"), Algorithm: "ECDSA_SHA_256"})
		return err
	}},
	"Verify": {key: refusalKeys["p256Sign"],
		input: func(ctx context.Context, s *kms.Service, id string) []byte {
			r, _ := s.Sign(ctx, id, kms.SignInput{Message: []byte("m"), Algorithm: "ECDSA_SHA_256"})
			return r.Signature
		},
		call: func(ctx context.Context, s *kms.Service, f asymFixture) error {
			_, err := s.Verify(ctx, f.id, kms.SignInput{Message: []byte("m"), Algorithm: "ECDSA_SHA_256"}, f.blob)
			return err
		}},
	"GetPublicKey": {key: refusalKeys["ed25519"], call: func(ctx context.Context, s *kms.Service, f asymFixture) error {
		_, err := s.GetPublicKey(ctx, f.id)
		return err
	}},
	"GenerateMac": {key: refusalKeys["hmac"], call: func(ctx context.Context, s *kms.Service, f asymFixture) error {
		_, err := s.GenerateMac(ctx, f.id, kms.MacInput{Message: []byte("m"), Algorithm: "HMAC_SHA_256"})
		return err
	}},
	"VerifyMac": {key: refusalKeys["hmac"],
		input: func(ctx context.Context, s *kms.Service, id string) []byte {
			r, _ := s.GenerateMac(ctx, id, kms.MacInput{Message: []byte("m"), Algorithm: "HMAC_SHA_256"})
			return r.Mac
		},
		call: func(ctx context.Context, s *kms.Service, f asymFixture) error {
			_, err := s.VerifyMac(ctx, f.id, kms.MacInput{Message: []byte("m"), Algorithm: "HMAC_SHA_256"}, f.blob)
			return err
		}},
	"DeriveSharedSecret": {key: refusalKeys["p256Agree"], call: func(ctx context.Context, s *kms.Service, f asymFixture) error {
		peer, _ := ecdh.P256().GenerateKey(rand.Reader)
		spki, _ := x509.MarshalPKIXPublicKey(peer.PublicKey())
		_, err := s.DeriveSharedSecret(ctx, f.id, "ECDH", spki, false)
		return err
	}},
	"Encrypt": {key: refusalKeys["rsaEnc"], call: func(ctx context.Context, s *kms.Service, f asymFixture) error {
		_, err := s.Encrypt(ctx, f.id, []byte("x"), nil, kms.CryptoOptions{Algorithm: "RSAES_OAEP_SHA_1"})
		return err
	}},
	"Decrypt": {key: refusalKeys["rsaEnc"],
		input: func(ctx context.Context, s *kms.Service, id string) []byte {
			r, _ := s.Encrypt(ctx, id, []byte("x"), nil, kms.CryptoOptions{Algorithm: "RSAES_OAEP_SHA_1"})
			return r.Blob
		},
		call: func(ctx context.Context, s *kms.Service, f asymFixture) error {
			_, err := s.Decrypt(ctx, f.id, f.blob, nil, kms.CryptoOptions{Algorithm: "RSAES_OAEP_SHA_1"})
			return err
		}},
}

// TestKeyStateTableAsymmetric replays the key-state table's rows for the
// operations of asymmetric and HMAC keys in states Enabled, Disabled and
// PendingDeletion, and PendingImport: an EXTERNAL key of the same type whose
// imported material (made locally) was used, then deleted.
func TestKeyStateTableAsymmetric(t *testing.T) {
	f, err := os.Open("testdata/key-states.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	states := map[int]string{1: kms.StateEnabled, 2: kms.StateDisabled, 3: kms.StatePendingDeletion, 4: kms.StatePendingImport}
	svc, _ := newService(t)
	ctx := sysCtx()
	seen := map[string]bool{}
	for sc.Scan() {
		row := strings.Split(sc.Text(), "\t")
		op, ok := asymStateOps[row[0]]
		if !ok || seen[row[0]] {
			continue // Decrypt is listed twice
		}
		seen[row[0]] = true
		for col, state := range states {
			cell := row[col]
			t.Run(row[0]+"/"+state, func(t *testing.T) {
				fx := asymFixture{}
				if state == kms.StatePendingImport {
					fx.id, _ = createImported(t, svc, op.key, "states")
				} else {
					fx.id = mustCreate(t, svc, op.key)
				}
				if op.input != nil {
					fx.blob = op.input(ctx, svc, fx.id)
				}
				var err error
				switch state {
				case kms.StateDisabled:
					err = svc.DisableKey(ctx, fx.id)
				case kms.StatePendingDeletion:
					_, err = svc.ScheduleKeyDeletion(ctx, fx.id, 7)
				case kms.StatePendingImport:
					_, _, err = svc.DeleteImportedKeyMaterial(ctx, fx.id, "")
				}
				if err != nil {
					t.Fatal(err)
				}
				want, known := stateKinds[cell]
				if !known {
					t.Fatalf("cell %q not understood", cell)
				}
				err = op.call(ctx, svc, fx)
				if want == nil && err != nil || want != nil && !errors.Is(err, want) {
					t.Fatalf("table says %s, want %v, got %v", cell, want, err)
				}
			})
		}
	}
	if len(seen) != len(asymStateOps) {
		t.Fatalf("rows found for %d operations, want %d", len(seen), len(asymStateOps))
	}
}
