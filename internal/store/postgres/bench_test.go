package postgres

import (
	"testing"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/storetest"
)

func openBench(b *testing.B) store.Store { return openTemp(b) }

// BenchmarkStore runs storetest.Bench. GetKey is one round trip on a pooled
// connection, with the statement prepared once per connection. UpdateKey is
// BEGIN, SELECT ... FOR UPDATE, UPDATE and COMMIT, which waits for the WAL
// flush. In UpdateKeyParallel the goroutines lock different rows and
// proceed in parallel, up to the pool's size, and PostgreSQL groups their
// WAL flushes.
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, openBench)
}

// BenchmarkUpdateKeyContended measures updates of one key from many
// goroutines: they queue on its row lock.
func BenchmarkUpdateKeyContended(b *testing.B) {
	s := storetest.BenchStore(b, openBench)
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
