package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// testMeta covers InitMeta: the first value stored under a name wins.
func testMeta(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("FirstWins", func(t *testing.T) {
		s := open(t)
		first := []byte{0, 1, 2, 0xff}
		in := append([]byte(nil), first...)
		got := mustInitMeta(t, s, "root-key-id", in)
		if !bytes.Equal(got, first) {
			t.Errorf("first InitMeta = %x, want %x", got, first)
		}
		in[0] = 9  // the store must have copied the input
		got[1] = 9 // and must not hand out its own bytes
		for _, v := range [][]byte{[]byte("second"), first, {}} {
			if got := mustInitMeta(t, s, "root-key-id", v); !bytes.Equal(got, first) {
				t.Errorf("InitMeta(%q) = %x, want the first value %x", v, got, first)
			}
		}
		// Names are independent.
		if got := mustInitMeta(t, s, "region", []byte("eu-west-1")); string(got) != "eu-west-1" {
			t.Errorf("InitMeta(region) = %q, want eu-west-1", got)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		s := open(t)
		if got := mustInitMeta(t, s, "empty", []byte{}); len(got) != 0 {
			t.Errorf("InitMeta(empty) = %x, want empty", got)
		}
		if got := mustInitMeta(t, s, "empty", []byte("later")); len(got) != 0 {
			t.Errorf("second InitMeta(empty) = %q, want the stored empty value", got)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := open(t)
		const n = 8
		results := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				results[i], errs[i] = s.InitMeta(t.Context(), "race", fmt.Appendf(nil, "node-%d", i))
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("InitMeta #%d: %v", i, errs[i])
			}
			if !bytes.Equal(results[i], results[0]) {
				t.Errorf("InitMeta #%d = %q, #0 = %q: every caller must get the one stored value", i, results[i], results[0])
			}
		}
	})
}

// mustInitMeta calls InitMeta or fails t.
func mustInitMeta(t *testing.T, s store.Store, name string, value []byte) []byte {
	t.Helper()
	got, err := s.InitMeta(t.Context(), name, value)
	if err != nil {
		t.Fatalf("InitMeta(%s): %v", name, err)
	}
	return got
}
