package postgres

import (
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// benchKey is a realistic key: tags, a policy and two sealed materials.
func benchKey(id string) *store.Key {
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

func benchStore(b *testing.B) *Store {
	s := openTemp(b)
	if err := s.CreateKey(b.Context(), benchKey("bench")); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkGetKey measures one round trip on a pooled connection, with the
// statement prepared once per connection.
func BenchmarkGetKey(b *testing.B) {
	s := benchStore(b)
	for b.Loop() {
		if _, err := s.GetKey(b.Context(), "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetKeyParallel(b *testing.B) {
	s := benchStore(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.GetKey(b.Context(), "bench"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkUpdateKey measures a durable read-modify-write: BEGIN, SELECT
// ... FOR UPDATE, UPDATE and COMMIT, which waits for the WAL flush.
func BenchmarkUpdateKey(b *testing.B) {
	s := benchStore(b)
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
}

// BenchmarkUpdateKeyParallel measures updates of distinct keys from many
// goroutines: they lock different rows and proceed in parallel, up to the
// pool's size, and PostgreSQL groups their WAL flushes.
func BenchmarkUpdateKeyParallel(b *testing.B) {
	s := benchStore(b)
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		id := "bench-" + strconv.FormatInt(next.Add(1), 10)
		if err := s.CreateKey(b.Context(), benchKey(id)); err != nil {
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
}

// BenchmarkUpdateKeyContended measures updates of one key from many
// goroutines: they queue on its row lock.
func BenchmarkUpdateKeyContended(b *testing.B) {
	s := benchStore(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.UpdateKey(b.Context(), "bench", func(k *store.Key) error {
				k.PendingWindowInDays++
				return nil
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
