package server

import (
	"reflect"
	"slices"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// TestEveryStoreMethodTimed: every method of store.Store (but Close) has a
// timer in storeMethods, so that a method added to the interface is not
// left out of the store metrics unnoticed (timedStore embeds the Store, so
// an unwrapped method still compiles).
func TestEveryStoreMethodTimed(t *testing.T) {
	st := reflect.TypeFor[store.Store]()
	for i := range st.NumMethod() {
		name := st.Method(i).Name
		if name == "Close" {
			continue
		}
		if !slices.Contains(storeMethods, name) {
			t.Errorf("%s is not in storeMethods", name)
		}
	}
}
