package storetest

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// diff collects the differences between a record read back and the one
// expected. Nil and empty slices are treated alike.
type diff []string

func (d *diff) add(field string, got, want any) {
	*d = append(*d, fmt.Sprintf("%s = %#v, want %#v", field, got, want))
}

func (d *diff) str(field, got, want string) {
	if got != want {
		d.add(field, got, want)
	}
}

func (d *diff) bytes(field string, got, want []byte) {
	if !bytes.Equal(got, want) {
		d.add(field, got, want)
	}
}

// time requires got to be the same instant as want and, unless zero, in UTC.
func (d *diff) time(field string, got, want time.Time) {
	switch {
	case !got.Equal(want):
		d.add(field, got.String(), want.String())
	case !got.IsZero() && got.Location() != time.UTC:
		d.add(field+".Location()", got.Location().String(), "UTC")
	}
}

func (d *diff) report(t *testing.T, what string) {
	t.Helper()
	if len(*d) > 0 {
		t.Errorf("%s differs:\n\t%s", what, strings.Join(*d, "\n\t"))
	}
}

// checkKey reports every field of got that differs from want, except
// Version, which callers check on their own.
func checkKey(t *testing.T, what string, got, want *store.Key) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: nil key", what)
	}
	var d diff
	d.str("ID", got.ID, want.ID)
	if (got.Import == nil) != (want.Import == nil) {
		d.add("Import", got.Import, want.Import)
	} else if want.Import != nil {
		g, w := got.Import, want.Import
		d.str("Import.ID", g.ID, w.ID)
		d.str("Import.WrappingAlgorithm", g.WrappingAlgorithm, w.WrappingAlgorithm)
		d.str("Import.WrappingKeySpec", g.WrappingKeySpec, w.WrappingKeySpec)
		d.bytes("Import.SealedPrivateKey", g.SealedPrivateKey, w.SealedPrivateKey)
		d.time("Import.ValidTo", g.ValidTo, w.ValidTo)
	}
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.str("Description", got.Description, want.Description)
	d.str("KeySpec", got.KeySpec, want.KeySpec)
	d.str("KeyUsage", got.KeyUsage, want.KeyUsage)
	d.str("Origin", got.Origin, want.Origin)
	d.str("State", got.State, want.State)
	if got.MultiRegion != want.MultiRegion {
		d.add("MultiRegion", got.MultiRegion, want.MultiRegion)
	}
	d.str("Policy", got.Policy, want.Policy)
	if !slices.Equal(got.Tags, want.Tags) {
		d.add("Tags", got.Tags, want.Tags)
	}
	d.time("DeletionDate", got.DeletionDate, want.DeletionDate)
	if got.PendingWindowInDays != want.PendingWindowInDays {
		d.add("PendingWindowInDays", got.PendingWindowInDays, want.PendingWindowInDays)
	}
	if len(got.Materials) != len(want.Materials) {
		d.add("len(Materials)", len(got.Materials), len(want.Materials))
	} else {
		for i := range want.Materials {
			g, w := &got.Materials[i], &want.Materials[i]
			p := fmt.Sprintf("Materials[%d].", i)
			d.str(p+"ID", g.ID, w.ID)
			d.bytes(p+"Sealed", g.Sealed, w.Sealed)
			d.str(p+"State", g.State, w.State)
			d.time(p+"ImportedAt", g.ImportedAt, w.ImportedAt)
			d.str(p+"ExpirationModel", g.ExpirationModel, w.ExpirationModel)
			d.time(p+"ValidTo", g.ValidTo, w.ValidTo)
			d.str(p+"Description", g.Description, w.Description)
			if g.Deleted != w.Deleted {
				d.add(p+"Deleted", g.Deleted, w.Deleted)
			}
		}
	}
	d.report(t, what)
}

// checkVersion fails t unless k.Version is want.
func checkVersion(t *testing.T, what string, k *store.Key, want int64) {
	t.Helper()
	if k.Version != want {
		t.Errorf("%s: Version = %d, want %d", what, k.Version, want)
	}
}

func checkAlias(t *testing.T, what string, got, want store.Alias) {
	t.Helper()
	var d diff
	d.str("Name", got.Name, want.Name)
	d.str("KeyID", got.KeyID, want.KeyID)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	d.report(t, what)
}

func checkCredential(t *testing.T, what string, got, want store.Credential) {
	t.Helper()
	var d diff
	d.str("AccessKeyID", got.AccessKeyID, want.AccessKeyID)
	d.str("PrincipalARN", got.PrincipalARN, want.PrincipalARN)
	d.str("UserName", got.UserName, want.UserName)
	d.str("UserID", got.UserID, want.UserID)
	d.bytes("SealedSecret", got.SealedSecret, want.SealedSecret)
	d.str("Status", got.Status, want.Status)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.report(t, what)
}

// ids returns the IDs of keys, in order.
func ids(keys []*store.Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID
	}
	return out
}

// names returns the names of aliases, in order.
func names(aliases []store.Alias) []string {
	out := make([]string, len(aliases))
	for i, a := range aliases {
		out[i] = a.Name
	}
	return out
}

// checkUser reports every field of got that differs from want. Nil and
// empty policy maps and lists are treated alike.
func checkUser(t *testing.T, what string, got, want store.User) {
	t.Helper()
	var d diff
	d.str("Name", got.Name, want.Name)
	d.str("UserID", got.UserID, want.UserID)
	d.str("Path", got.Path, want.Path)
	d.str("ARN", got.ARN, want.ARN)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	if !maps.Equal(got.InlinePolicies, want.InlinePolicies) {
		d.add("InlinePolicies", got.InlinePolicies, want.InlinePolicies)
	}
	if !slices.Equal(got.AttachedPolicies, want.AttachedPolicies) {
		d.add("AttachedPolicies", got.AttachedPolicies, want.AttachedPolicies)
	}
	d.report(t, what)
}

// checkGrant reports every field of got that differs from want. Nil and
// empty Operations are treated alike; a nil constraint map (no constraint)
// and an empty one are not.
func checkGrant(t *testing.T, what string, got, want store.Grant) {
	t.Helper()
	var d diff
	d.str("KeyID", got.KeyID, want.KeyID)
	d.str("GrantID", got.GrantID, want.GrantID)
	d.str("Name", got.Name, want.Name)
	d.str("GranteePrincipal", got.GranteePrincipal, want.GranteePrincipal)
	d.str("RetiringPrincipal", got.RetiringPrincipal, want.RetiringPrincipal)
	d.str("IssuingAccount", got.IssuingAccount, want.IssuingAccount)
	if !slices.Equal(got.Operations, want.Operations) {
		d.add("Operations", got.Operations, want.Operations)
	}
	d.constraint("EncryptionContextEquals", got.EncryptionContextEquals, want.EncryptionContextEquals)
	d.constraint("EncryptionContextSubset", got.EncryptionContextSubset, want.EncryptionContextSubset)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.report(t, what)
}

// constraint compares encryption-context constraints, where nil differs
// from empty.
func (d *diff) constraint(field string, got, want map[string]string) {
	if (got == nil) != (want == nil) || !maps.Equal(got, want) {
		d.add(field, got, want)
	}
}

func checkCredentialList(t *testing.T, s store.Store, userName string, want []string) {
	t.Helper()
	got, err := s.ListCredentials(t.Context(), userName)
	checkErr(t, "ListCredentials", err, nil)
	ids := make([]string, len(got))
	for i, c := range got {
		ids[i] = c.AccessKeyID
		if c.UserName != userName {
			t.Errorf("ListCredentials(%q) returned a credential of %q", userName, c.UserName)
		}
	}
	if !slices.Equal(ids, want) {
		t.Errorf("ListCredentials(%q) = %q, want %q", userName, ids, want)
	}
}

// userNames returns the names of users, in order.
func userNames(users []store.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Name
	}
	return out
}

// grantIDs returns the IDs of grants, in order.
func grantIDs(grants []store.Grant) []string {
	out := make([]string, len(grants))
	for i, g := range grants {
		out[i] = g.GrantID
	}
	return out
}

// positions returns the "keyID/grantID" positions of grants, in order.
func positions(grants []store.Grant) []string {
	out := make([]string, len(grants))
	for i, g := range grants {
		out[i] = g.KeyID + "/" + g.GrantID
	}
	return out
}
