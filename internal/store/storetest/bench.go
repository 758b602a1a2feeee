package storetest

import (
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// BenchKey returns a realistic key: tags, a policy and two sealed
// materials.
func BenchKey(id string) *store.Key {
	now := time.Now().UTC()
	sealed := make([]byte, 61) // version, nonce, 32-byte key, tag
	return &store.Key{
		ID: id, CreatedAt: now, Description: "benchmark key",
		KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", State: "Enabled",
		Policy: `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions",` +
			`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`,
		Tags: []store.Tag{{Key: "team", Value: "payments"}, {Key: "env", Value: "prod"}},
		Materials: []store.Material{
			{ID: strings.Repeat("a1", 32), Sealed: sealed, State: "CURRENT"},
			{ID: strings.Repeat("b2", 32), Sealed: sealed, State: "NON_CURRENT"},
		},
	}
}

// BenchStore returns a store from open holding one [BenchKey] with ID
// "bench".
func BenchStore(b *testing.B, open func(b *testing.B) store.Store) store.Store {
	s := open(b)
	if err := s.CreateKey(b.Context(), BenchKey("bench")); err != nil {
		b.Fatal(err)
	}
	return s
}

// Bench runs the key benchmarks common to every backend. open must return
// a fresh, empty store and register its cleanup (Close) on the b it is
// given; it is called once per run of each sub-benchmark:
//
//   - GetKey reads one key.
//   - GetKeyParallel reads one key from many goroutines.
//   - UpdateKey is a durable read-modify-write of one key.
//   - UpdateKeyParallel updates distinct keys from many goroutines.
func Bench(b *testing.B, open func(b *testing.B) store.Store) {
	b.Run("GetKey", func(b *testing.B) {
		s := BenchStore(b, open)
		for b.Loop() {
			if _, err := s.GetKey(b.Context(), "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("GetKeyParallel", func(b *testing.B) {
		s := BenchStore(b, open)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.GetKey(b.Context(), "bench"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})

	b.Run("UpdateKey", func(b *testing.B) {
		s := BenchStore(b, open)
		n := 0
		for b.Loop() {
			n++
			if _, err := s.UpdateKey(b.Context(), "bench", func(k *store.Key) error {
				k.Description = strconv.Itoa(n)
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("UpdateKeyParallel", func(b *testing.B) {
		s := BenchStore(b, open)
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			id := "bench-" + strconv.FormatInt(next.Add(1), 10)
			if err := s.CreateKey(b.Context(), BenchKey(id)); err != nil {
				b.Error(err)
				return
			}
			for pb.Next() {
				if _, err := s.UpdateKey(b.Context(), id, func(k *store.Key) error {
					k.PendingWindowInDays++
					return nil
				}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
