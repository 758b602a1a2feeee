// Package storetest is the conformance suite every [store.Store] backend
// must pass.
//
// A backend's tests call [Run] with a function that opens a fresh, empty
// store, and [RunReopen] if the backend persists to a directory:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := mybackend.Open(...)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The suite checks the contract written in package store: every field
// round-trips, Version is assigned by the store, returned records are copies,
// documented errors wrap [store.ErrNotFound] and [store.ErrExists], UpdateKey
// and UpdateUser are atomic and serialised, KeysDue follows every write,
// DeleteKey deletes the key's aliases and grants, and the IAM rules hold
// under concurrent calls: user names unique regardless of case, the
// credential limit, and no credential for a user that does not exist. Run the suite
// under the race detector.
//
// Timestamps are compared with time.Time.Equal and must come back in UTC;
// the suite uses nanosecond precision, so a backend may not truncate them.
package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// Run runs the conformance suite. open must return a fresh, empty store and
// register its cleanup (Close) on the t it is given; it is called once per
// subtest. Subtests run sequentially.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Keys", func(t *testing.T) { testKeys(t, open) })
	t.Run("ListKeys", func(t *testing.T) { testListKeys(t, open) })
	t.Run("KeysDue", func(t *testing.T) { testKeysDue(t, open) })
	t.Run("Rotation", func(t *testing.T) { testRotation(t, open) })
	t.Run("Aliases", func(t *testing.T) { testAliases(t, open) })
	t.Run("Credentials", func(t *testing.T) { testCredentials(t, open) })
	t.Run("Users", func(t *testing.T) { testUsers(t, open) })
	t.Run("IAMRules", func(t *testing.T) { testIAMRules(t, open) })
	t.Run("IAMRaces", func(t *testing.T) { testIAMRaces(t, same(open)) })
	t.Run("LoginProfiles", func(t *testing.T) { testLoginProfiles(t, open) })
	t.Run("CustomKeyStores", func(t *testing.T) { testCustomKeyStores(t, open) })
	t.Run("OwnerRaces", func(t *testing.T) { testOwnerRaces(t, same(open)) })
	t.Run("Grants", func(t *testing.T) { testGrants(t, open) })
	t.Run("Meta", func(t *testing.T) { testMeta(t, open) })
	t.Run("LastUsage", func(t *testing.T) { testLastUsage(t, open) })
	t.Run("Migrator", func(t *testing.T) { testMigrator(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
}

// t0 is the suite's reference time: UTC with nanoseconds, so that a backend
// that truncates or shifts timestamps fails.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// keyID returns the i-th test key ID: a lower-case UUID; IDs sort by i.
func keyID(i int) string {
	return fmt.Sprintf("0000%04x-1234-4abc-8def-%012x", i, i)
}

// materialID returns a KeyMaterialId: 64 lower-case hex digits.
func materialID(i int) string {
	return fmt.Sprintf("%064x", i+0xabc0)
}

// minimalKey returns a key with only the fields every key has.
func minimalKey(id string) *store.Key {
	return &store.Key{
		ID:        id,
		CreatedAt: t0,
		KeySpec:   "SYMMETRIC_DEFAULT",
		KeyUsage:  "ENCRYPT_DECRYPT",
		Origin:    "AWS_KMS",
		State:     "Enabled",
	}
}

// fullKey returns a key with every field set, including unsorted tags and
// materials of every kind.
func fullKey(id string) *store.Key {
	return &store.Key{
		ID:          id,
		CreatedAt:   t0,
		Description: "every field set, ünïcode ✓",
		KeySpec:     "SYMMETRIC_DEFAULT",
		KeyUsage:    "ENCRYPT_DECRYPT",
		Origin:      "EXTERNAL",
		State:       "PendingDeletion",
		MultiRegion: true,
		Policy:      `{"Version":"2012-10-17","Statement":[]}`,
		Tags: []store.Tag{
			{Key: "zeta", Value: "last"},
			{Key: "alpha", Value: "first"},
			{Key: "empty", Value: ""},
		},
		DeletionDate:        t0.Add(7 * 24 * time.Hour),
		PendingWindowInDays: 7,
		Import: &store.ImportParams{
			ID:                "0123456789abcdef0123456789abcdef",
			WrappingAlgorithm: "RSAES_OAEP_SHA_256",
			WrappingKeySpec:   "RSA_4096",
			SealedPrivateKey:  []byte{9, 8, 7, 0},
			ValidTo:           t0.Add(24 * time.Hour),
		},
		Materials: []store.Material{
			{
				ID:              materialID(1),
				Sealed:          []byte{0, 1, 2, 0xfe, 0xff},
				State:           "CURRENT",
				ImportedAt:      t0.Add(time.Second),
				ExpirationModel: "KEY_MATERIAL_EXPIRES",
				ValidTo:         t0.Add(365 * 24 * time.Hour),
				Description:     "imported",
			},
			{
				ID:              materialID(2),
				State:           "NON_CURRENT",
				ImportedAt:      t0.Add(-time.Hour),
				ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
				Deleted:         true,
			},
			{
				ID:     materialID(3),
				Sealed: []byte("pending"),
				State:  "PENDING_ROTATION",
			},
		},
	}
}

// checkErr fails t unless err wraps want (or is nil when want is nil).
func checkErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: error %v, want one wrapping %v", what, err, want)
	}
}

// mustCreate creates every key or fails t.
func mustCreate(t *testing.T, s store.Store, keys ...*store.Key) {
	t.Helper()
	for _, k := range keys {
		if err := s.CreateKey(t.Context(), k); err != nil {
			t.Fatalf("CreateKey(%s): %v", k.ID, err)
		}
	}
}

// mustGet returns the key or fails t.
func mustGet(t *testing.T, s store.Store, id string) *store.Key {
	t.Helper()
	k, err := s.GetKey(t.Context(), id)
	if err != nil {
		t.Fatalf("GetKey(%s): %v", id, err)
	}
	return k
}
