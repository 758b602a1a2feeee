package postgres

import (
	"testing"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/storetest"
)

// TestSharedIAMRaces races the IAM rules across two Stores on one
// database, as two nodes would.
func TestSharedIAMRaces(t *testing.T) {
	needServer(t)
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		dsn := freshSchema(t)
		return openDSN(t, dsn), openDSN(t, dsn)
	})
}
