package storetest

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// testMigrator covers store.Migrator: meta values read and swapped only
// from the expected value (also under concurrent swaps), an access key's
// sealed secret swapped the same way with its other fields untouched, and
// Scrub leaving the data readable.
func testMigrator(t *testing.T, open func(t *testing.T) store.Store) {
	migrator := func(t *testing.T) (store.Store, store.Migrator) {
		s := open(t)
		m, ok := s.(store.Migrator)
		if !ok {
			t.Fatalf("%T does not implement store.Migrator", s)
		}
		return s, m
	}

	t.Run("Meta", func(t *testing.T) {
		s, m := migrator(t)
		ctx := t.Context()
		if v, ok, err := m.GetMeta(ctx, "kind"); err != nil || ok || v != nil {
			t.Fatalf("GetMeta of an absent name = %q, %v, %v", v, ok, err)
		}
		for _, tc := range []struct {
			name       string
			old, value []byte
			want       error
			stored     string
		}{
			{"insert", nil, []byte("v1"), nil, "v1"},
			{"insert over a value", nil, []byte("v2"), store.ErrValueChanged, "v1"},
			{"wrong old value", []byte("v0"), []byte("v2"), store.ErrValueChanged, "v1"},
			{"swap", []byte("v1"), []byte("v2"), nil, "v2"},
			{"empty value", []byte("v2"), []byte{}, nil, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := m.SwapMeta(ctx, "kind", tc.old, tc.value)
				if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
					t.Fatalf("SwapMeta = %v, want %v", err, tc.want)
				}
				v, ok, err := m.GetMeta(ctx, "kind")
				if err != nil || !ok || string(v) != tc.stored {
					t.Fatalf("GetMeta = %q, %v, %v; want %q", v, ok, err, tc.stored)
				}
			})
		}
		if err := m.SwapMeta(ctx, "absent", []byte("x"), []byte("y")); !errors.Is(err, store.ErrValueChanged) {
			t.Fatalf("SwapMeta of an absent name from a value = %v", err)
		}
		// InitMeta sees what SwapMeta stored, and the other way round.
		if v, err := s.InitMeta(ctx, "kind", []byte("other")); err != nil || len(v) != 0 {
			t.Fatalf("InitMeta after SwapMeta = %q, %v", v, err)
		}
		if _, err := s.InitMeta(ctx, "init", []byte("first")); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := m.GetMeta(ctx, "init"); err != nil || !ok || string(v) != "first" {
			t.Fatalf("GetMeta after InitMeta = %q, %v, %v", v, ok, err)
		}
	})

	t.Run("MetaRace", func(t *testing.T) {
		_, m := migrator(t)
		ctx := t.Context()
		if err := m.SwapMeta(ctx, "gen", nil, []byte("0")); err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { errs[i] = m.SwapMeta(ctx, "gen", []byte("0"), []byte{'a' + byte(i)}) })
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won >= 0:
				t.Fatalf("swaps %d and %d both succeeded from the same old value", won, i)
			case err == nil:
				won = i
			case !errors.Is(err, store.ErrValueChanged):
				t.Fatalf("swap %d: %v", i, err)
			}
		}
		if v, _, _ := m.GetMeta(ctx, "gen"); won < 0 || !bytes.Equal(v, []byte{'a' + byte(won)}) {
			t.Fatalf("winner %d, stored %q", won, v)
		}
	})

	t.Run("CredentialSecret", func(t *testing.T) {
		s, m := migrator(t)
		ctx := t.Context()
		c := store.Credential{AccessKeyID: "AKIAEXAMPLEMIGRATE01", PrincipalARN: "arn:aws:iam::111122223333:root",
			SealedSecret: []byte("old sealed"), Status: "Inactive", CreatedAt: t0}
		if err := s.PutCredential(ctx, c); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, id   string
			old, value []byte
			want       error
			stored     string
		}{
			{"absent", "AKIAEXAMPLEMISSING01", []byte("old sealed"), []byte("x"), store.ErrNotFound, "old sealed"},
			{"changed", c.AccessKeyID, []byte("other"), []byte("x"), store.ErrValueChanged, "old sealed"},
			{"swapped", c.AccessKeyID, []byte("old sealed"), []byte("new sealed"), nil, "new sealed"},
			{"again from the old value", c.AccessKeyID, []byte("old sealed"), []byte("x"), store.ErrValueChanged, "new sealed"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := m.SwapCredentialSecret(ctx, tc.id, tc.old, tc.value)
				if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
					t.Fatalf("SwapCredentialSecret = %v, want %v", err, tc.want)
				}
				got, err := s.GetCredential(ctx, c.AccessKeyID)
				if err != nil {
					t.Fatal(err)
				}
				want := c
				want.SealedSecret = []byte(tc.stored)
				if !bytes.Equal(got.SealedSecret, want.SealedSecret) || got.Status != want.Status ||
					got.PrincipalARN != want.PrincipalARN || !got.CreatedAt.Equal(want.CreatedAt) {
					t.Fatalf("credential %+v, want %+v", got, want)
				}
			})
		}
	})

	t.Run("Scrub", func(t *testing.T) {
		s, m := migrator(t)
		ctx := t.Context()
		if err := s.CreateKey(ctx, minimalKey(keyID(1))); err != nil {
			t.Fatal(err)
		}
		if err := m.SwapMeta(ctx, "kind", nil, []byte("v")); err != nil {
			t.Fatal(err)
		}
		if err := m.Scrub(ctx); err != nil {
			t.Fatalf("Scrub: %v", err)
		}
		if _, err := s.GetKey(ctx, keyID(1)); err != nil {
			t.Fatalf("GetKey after Scrub: %v", err)
		}
		if v, ok, err := m.GetMeta(ctx, "kind"); err != nil || !ok || string(v) != "v" {
			t.Fatalf("GetMeta after Scrub = %q, %v, %v", v, ok, err)
		}
	})
}
