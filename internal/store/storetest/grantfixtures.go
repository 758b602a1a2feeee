package storetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// grantID returns the i-th test grant ID: 64 hex digits; IDs sort by i.
func grantID(i int) string {
	return fmt.Sprintf("%064x", i)
}

// grant returns a grant on keyID with only the fields every grant has.
func grant(keyID, grantID, retiring string) store.Grant {
	return store.Grant{
		KeyID:             keyID,
		GrantID:           grantID,
		GranteePrincipal:  "arn:aws:iam::111122223333:user/grantee",
		RetiringPrincipal: retiring,
		IssuingAccount:    "arn:aws:iam::111122223333:root",
		Operations:        []string{"Decrypt"},
		CreatedAt:         t0,
	}
}

// fullGrant returns a grant with every field set, and both kinds of
// encryption-context constraint.
func fullGrant(keyID, grantID string) store.Grant {
	return store.Grant{
		KeyID:                   keyID,
		GrantID:                 grantID,
		Name:                    "full grant ✓",
		GranteePrincipal:        "arn:aws:iam::111122223333:role/grantee",
		RetiringPrincipal:       "arn:aws:iam::111122223333:user/retirer",
		IssuingAccount:          "arn:aws:iam::111122223333:root",
		Operations:              []string{"Encrypt", "Decrypt", "GenerateDataKey", "CreateGrant", "RetireGrant"},
		EncryptionContextEquals: map[string]string{"Department": "IT", "empty": "", "ünïcode": "✓"},
		EncryptionContextSubset: map[string]string{"Project": "Alpha"},
		CreatedAt:               t0.Add(time.Nanosecond),
	}
}

// cloneGrant returns a deep copy of g.
func cloneGrant(g store.Grant) store.Grant {
	c := g
	c.Operations = slices.Clone(g.Operations)
	c.EncryptionContextEquals = maps.Clone(g.EncryptionContextEquals)
	c.EncryptionContextSubset = maps.Clone(g.EncryptionContextSubset)
	return c
}

// mutateGrant changes every mutable part of g in place.
func mutateGrant(g *store.Grant) {
	g.Name = "mutated"
	g.CreatedAt = g.CreatedAt.Add(1)
	if len(g.Operations) > 0 {
		g.Operations[0] = "mutated"
	}
	for _, m := range []map[string]string{g.EncryptionContextEquals, g.EncryptionContextSubset} {
		if m != nil {
			for k := range m {
				m[k] = "mutated"
			}
			m["mutated"] = "mutated"
		}
	}
}

// mustCreateGrant creates every grant or fails t.
func mustCreateGrant(t *testing.T, s store.Store, grants ...store.Grant) {
	t.Helper()
	for _, g := range grants {
		if err := s.CreateGrant(t.Context(), g); err != nil {
			t.Fatalf("CreateGrant(%s, %s): %v", g.KeyID, g.GrantID, err)
		}
	}
}

// mustGetGrant returns the grant or fails t.
func mustGetGrant(t *testing.T, s store.Store, keyID, grantID string) store.Grant {
	t.Helper()
	g, err := s.GetGrant(t.Context(), keyID, grantID)
	if err != nil {
		t.Fatalf("GetGrant(%s, %s): %v", keyID, grantID, err)
	}
	return g
}

func checkGrantList(t *testing.T, s store.Store, keyID, after string, limit int, want []string) {
	t.Helper()
	got, err := s.ListGrants(t.Context(), keyID, after, limit)
	checkErr(t, "ListGrants", err, nil)
	for _, g := range got {
		if g.KeyID != keyID {
			t.Errorf("ListGrants(%q) returned a grant of key %q", keyID, g.KeyID)
		}
	}
	if !slices.Equal(grantIDs(got), want) {
		t.Errorf("ListGrants(%q, %q, %d) = %q, want %q", keyID, after, limit, grantIDs(got), want)
	}
}

// checkRetirable checks ListRetirableGrants; want holds "keyID/grantID"
// positions.
func checkRetirable(t *testing.T, s store.Store, principal, afterKey, afterGrant string, limit int, want []string) {
	t.Helper()
	got, err := s.ListRetirableGrants(t.Context(), principal, afterKey, afterGrant, limit)
	checkErr(t, "ListRetirableGrants", err, nil)
	for _, g := range got {
		if g.RetiringPrincipal != principal {
			t.Errorf("ListRetirableGrants(%q) returned a grant retirable by %q", principal, g.RetiringPrincipal)
		}
	}
	if !slices.Equal(positions(got), want) {
		t.Errorf("ListRetirableGrants(%q, %q, %q, %d) = %q, want %q",
			principal, afterKey, afterGrant, limit, positions(got), want)
	}
}
