package kms_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/ciphertext"
	"github.com/trent-kms/trent/internal/kms"
)

// fixture is a key brought into one state, with what the operations need.
type fixture struct {
	id    string
	blob  []byte // a ciphertext under the key
	alias string // an alias that points at the key
	other string // another, enabled key

	material []byte // the imported material of an EXTERNAL key
}

// stateOps are the operations of AWS's key-state table that Trent serves.
var stateOps = map[string]func(ctx context.Context, s *kms.Service, f fixture) error{
	"CancelKeyDeletion": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.CancelKeyDeletion(ctx, f.id)
		return err
	},
	"CreateAlias": func(ctx context.Context, s *kms.Service, f fixture) error {
		return s.CreateAlias(ctx, "alias/new-"+f.id, f.id)
	},
	"Decrypt": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.Decrypt(ctx, "", f.blob, nil, kms.CryptoOptions{})
		return err
	},
	"DeleteAlias": func(ctx context.Context, s *kms.Service, f fixture) error {
		return s.DeleteAlias(ctx, f.alias)
	},
	"DescribeKey": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.DescribeKey(ctx, f.id)
		return err
	},
	"DisableKey": func(ctx context.Context, s *kms.Service, f fixture) error { return s.DisableKey(ctx, f.id) },
	"EnableKey":  func(ctx context.Context, s *kms.Service, f fixture) error { return s.EnableKey(ctx, f.id) },
	"Encrypt": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.Encrypt(ctx, f.id, []byte("x"), nil, kms.CryptoOptions{})
		return err
	},
	"GenerateDataKey": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.GenerateDataKey(ctx, f.id, 32, nil, true, kms.CryptoOptions{})
		return err
	},
	"GenerateDataKeyWithoutPlaintext": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.GenerateDataKey(ctx, f.id, 32, nil, false, kms.CryptoOptions{})
		return err
	},
	"GenerateDataKeyPair": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.GenerateDataKeyPair(ctx, f.id, "ECC_NIST_P256", nil, true, kms.CryptoOptions{})
		return err
	},
	"GenerateDataKeyPairWithoutPlaintext": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.GenerateDataKeyPair(ctx, f.id, "ECC_NIST_P256", nil, false, kms.CryptoOptions{})
		return err
	},
	"ListAliases": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, _, err := s.ListAliases(ctx, f.id, "", 0)
		return err
	},
	"ListResourceTags": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, _, err := s.ListResourceTags(ctx, f.id, "", 0)
		return err
	},
	"ReEncrypt": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, _, err := s.ReEncrypt(ctx, "", f.blob, nil, f.other, nil, kms.CryptoOptions{}, kms.CryptoOptions{})
		return err
	},
	"ScheduleKeyDeletion": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.ScheduleKeyDeletion(ctx, f.id, 7)
		return err
	},
	"TagResource": func(ctx context.Context, s *kms.Service, f fixture) error {
		return s.TagResource(ctx, f.id, nil)
	},
	"UntagResource": func(ctx context.Context, s *kms.Service, f fixture) error {
		return s.UntagResource(ctx, f.id, []string{"k"})
	},
	"UpdateAlias": func(ctx context.Context, s *kms.Service, f fixture) error {
		// Point an alias of the other key at this one.
		if err := s.CreateAlias(ctx, "alias/move-"+f.id, f.other); err != nil {
			return err
		}
		return s.UpdateAlias(ctx, "alias/move-"+f.id, f.id)
	},
	"UpdateKeyDescription": func(ctx context.Context, s *kms.Service, f fixture) error {
		return s.UpdateKeyDescription(ctx, f.id, "new")
	},
	"GetParametersForImport": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, err := s.GetParametersForImport(ctx, f.id, "RSAES_OAEP_SHA_1", "RSA_2048")
		return err
	},
	"ImportKeyMaterial": func(ctx context.Context, s *kms.Service, f fixture) error {
		p, err := s.GetParametersForImport(ctx, f.id, "RSAES_OAEP_SHA_1", "RSA_2048")
		if err != nil {
			return err
		}
		_, _, err = s.ImportKeyMaterial(ctx, f.id, p.Token, wrapOAEP1(p.PublicKey, f.material), kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire})
		return err
	},
	"DeleteImportedKeyMaterial": func(ctx context.Context, s *kms.Service, f fixture) error {
		_, _, err := s.DeleteImportedKeyMaterial(ctx, f.id, "")
		return err
	},
}

// externalOps are the operations also replayed on keys of origin EXTERNAL
// that hold imported material, where the import rows' footnote 9 ("if the
// key cannot have imported material") does not apply.
var externalOps = []string{
	"GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial",
	"Encrypt", "Decrypt", "EnableKey", "DisableKey", "ScheduleKeyDeletion", "CancelKeyDeletion",
}

func wrapOAEP1(spki, material []byte) []byte {
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		panic(err)
	}
	out, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	if err != nil {
		panic(err)
	}
	return out
}

// setup brings a fresh key of origin into state. A key of origin EXTERNAL
// gets imported material first unless state is PendingImport; PendingImport
// always means an EXTERNAL key without material.
func setup(t *testing.T, s *kms.Service, origin, state string) fixture {
	ctx := sysCtx()
	f := fixture{other: mustCreate(t, s, kms.CreateKeyInput{}), material: make([]byte, 32)}
	rand.Read(f.material)
	if state == kms.StatePendingImport {
		origin = kms.OriginExternal
	}
	f.id = mustCreate(t, s, kms.CreateKeyInput{Origin: origin})
	f.alias = "alias/a-" + f.id
	if err := s.CreateAlias(ctx, f.alias, f.id); err != nil {
		t.Fatal(err)
	}
	if origin == kms.OriginExternal && state != kms.StatePendingImport {
		if err := stateOps["ImportKeyMaterial"](ctx, s, f); err != nil {
			t.Fatal(err)
		}
	}
	if state != kms.StatePendingImport {
		res, err := s.Encrypt(ctx, f.id, []byte("data"), nil, kms.CryptoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		f.blob = res.Blob
	} else {
		// A well-formed blob naming the key: the state check must come
		// before any material is looked for.
		f.blob = make([]byte, ciphertext.Overhead+4)
		f.blob[0] = ciphertext.Version
		id := uuid.MustParse(f.id)
		copy(f.blob[1:], id[:])
		rand.Read(f.blob[1+ciphertext.KeyIDSize:])
	}
	var err error
	switch state {
	case kms.StateDisabled:
		err = s.DisableKey(ctx, f.id)
	case kms.StatePendingDeletion:
		_, err = s.ScheduleKeyDeletion(ctx, f.id, 30)
	}
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// footnoteKinds maps the table's cells to the error kind AWS answers, for
// keys of origin AWS_KMS and for keys of origin EXTERNAL. Footnote 9 ("if
// the key cannot have imported material: UnsupportedOperationException")
// decides the import rows.
var footnoteKinds = map[string]map[string]error{
	kms.OriginAWSKMS: {
		"?[9]": kms.ErrUnsupported, "X[8]/[9]": kms.ErrUnsupported, "X[9]": kms.ErrUnsupported, "OK[9]": kms.ErrUnsupported,
	},
	kms.OriginExternal: {
		"?[9]": nil, "OK[9]": nil, "X[8]/[9]": kms.ErrInvalidState, "X[9]": kms.ErrInvalidState,
	},
}

// stateKinds maps the cells whose meaning does not depend on the origin.
var stateKinds = map[string]error{
	"OK":       nil,
	"X[1]":     kms.ErrDisabled,
	"X[2]/[3]": kms.ErrInvalidState, // AWS answers KMSInvalidStateException here
	"X[3]":     kms.ErrInvalidState,
	"X[4]":     kms.ErrInvalidState,
	"X[5]":     kms.ErrInvalidState,
	// UpdateAlias: refused when the destination key is pending deletion,
	// which is the case the operation above exercises.
	"?[10]": kms.ErrInvalidState,
}

func TestKeyStateTable(t *testing.T) {
	f, err := os.Open("testdata/key-states.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	header := strings.Split(sc.Text(), "\t")
	states := map[int]string{1: kms.StateEnabled, 2: kms.StateDisabled, 3: kms.StatePendingDeletion, 4: kms.StatePendingImport}
	if header[3] != "PendingDeletion/PendingReplicaDeletion" || header[4] != "PendingImport" {
		t.Fatalf("unexpected table header %q", header)
	}
	svc, _ := newService(t)
	tested := 0
	for sc.Scan() {
		row := strings.Split(sc.Text(), "\t")
		op, ok := stateOps[row[0]]
		if !ok {
			continue
		}
		for _, origin := range []string{kms.OriginAWSKMS, kms.OriginExternal} {
			if origin == kms.OriginExternal && !slices.Contains(externalOps, row[0]) {
				continue
			}
			for col, state := range states {
				cell := row[col]
				t.Run(origin+"/"+row[0]+"/"+state, func(t *testing.T) {
					tested++
					err := op(sysCtx(), svc, setup(t, svc, origin, state))
					want, known := footnoteKinds[origin][cell]
					if !known {
						want, known = stateKinds[cell]
					}
					switch {
					case !known && strings.HasPrefix(cell, "OK"):
						want, known = nil, true
					case !known:
						t.Fatalf("cell %q not understood", cell)
					}
					if want == nil && err != nil || want != nil && !errors.Is(err, want) {
						t.Fatalf("table says %s, want %v, got %v", cell, want, err)
					}
				})
			}
		}
	}
	if want := 4 * (len(stateOps) + len(externalOps)); tested != want {
		t.Fatalf("tested %d cells, want %d: an operation is missing from the table", tested, want)
	}
}
