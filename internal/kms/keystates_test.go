package kms_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"os"
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
}

// setup brings a fresh key into state.
func setup(t *testing.T, s *kms.Service, state string) fixture {
	ctx := context.Background()
	f := fixture{other: mustCreate(t, s, kms.CreateKeyInput{})}
	origin := kms.OriginAWSKMS
	if state == kms.StatePendingImport {
		origin = kms.OriginExternal
	}
	f.id = mustCreate(t, s, kms.CreateKeyInput{Origin: origin})
	f.alias = "alias/a-" + f.id
	if err := s.CreateAlias(ctx, f.alias, f.id); err != nil {
		t.Fatal(err)
	}
	if origin == kms.OriginAWSKMS {
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

// footnoteKinds maps the table's footnotes to the error kind AWS answers.
var footnoteKinds = map[string]error{
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
		for col, state := range states {
			cell := row[col]
			t.Run(row[0]+"/"+state, func(t *testing.T) {
				tested++
				err := op(context.Background(), svc, setup(t, svc, state))
				switch {
				case strings.HasPrefix(cell, "OK"):
					if err != nil {
						t.Fatalf("table says %s, got %v", cell, err)
					}
				case footnoteKinds[cell] != nil:
					if !errors.Is(err, footnoteKinds[cell]) {
						t.Fatalf("table says %s, got %v", cell, err)
					}
				default:
					t.Fatalf("cell %q not understood", cell)
				}
			})
		}
	}
	if tested != 4*len(stateOps) {
		t.Fatalf("tested %d cells, want %d: an operation is missing from the table", tested, 4*len(stateOps))
	}
}
