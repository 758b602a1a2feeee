package console

import (
	"testing"
	"time"
)

// TestCredentialSlots: a slot gives its file once, to its own session,
// within its time.
func TestCredentialSlots(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		session string
		at      time.Time
		want    bool
	}{
		{"other session", "other", t0, false},
		{"expired", "mine", t0.Add(iamSlotTTL + time.Second), false},
		{"in time", "mine", t0.Add(iamSlotTTL - time.Second), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newCredentialSlots()
			id := s.put("mine", "f.csv", []byte("secret"), t0)
			if tc.session != "mine" {
				// A refusal to another session leaves the slot to its own.
				if _, _, ok := s.take(tc.session, id, tc.at); ok {
					t.Fatal("another session took the slot")
				}
			}
			name, body, ok := s.take("mine", id, tc.at)
			if tc.session == "mine" && ok != tc.want {
				t.Fatalf("take: %v, want %v", ok, tc.want)
			}
			if tc.session != "mine" && !ok {
				t.Fatal("another session's attempt lost the slot for its own")
			}
			if ok && (name != "f.csv" || string(body) != "secret") {
				t.Fatalf("took %q %q", name, body)
			}
			if _, _, again := s.take("mine", id, tc.at); again {
				t.Fatal("a slot was taken twice")
			}
		})
	}
}
