package sqlite

import (
	"testing"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/storetest"
)

// BenchmarkStore runs storetest.Bench. UpdateKey costs one fsync of the WAL
// per call; in UpdateKeyParallel the goroutines queue on the one writer
// connection.
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) store.Store { return openTemp(b) })
}
