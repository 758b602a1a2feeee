// Package codec encodes and decodes the documents and columns that the
// SQL backends of package store keep in the same form: a key as one JSON
// document with its Version kept apart, a user's policies and a grant's
// remaining fields as JSON, and timestamps as RFC 3339 text with
// nanoseconds, in UTC.
//
// The functions are pure: SQL and transactions stay in the backends.
package codec

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// EncodeKey returns the JSON document stored for k, with every timestamp in
// UTC. k.Version is not part of it; k is not modified.
func EncodeKey(k *store.Key) (string, error) {
	c := *k
	c.CreatedAt = c.CreatedAt.UTC()
	c.DeletionDate = c.DeletionDate.UTC()
	c.NextRotation = c.NextRotation.UTC()
	if c.Import != nil {
		imp := *c.Import
		imp.ValidTo = imp.ValidTo.UTC()
		c.Import = &imp
	}
	c.Materials = append([]store.Material(nil), k.Materials...)
	for i := range c.Materials {
		m := &c.Materials[i]
		m.ImportedAt, m.ValidTo, m.RotatedAt = m.ImportedAt.UTC(), m.ValidTo.UTC(), m.RotatedAt.UTC()
	}
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("encode key document: %w", err)
	}
	return string(b), nil
}

// DecodeKey decodes a document written by [EncodeKey] and sets the key's
// Version to version.
func DecodeKey(doc []byte, version int64) (*store.Key, error) {
	k := new(store.Key)
	if err := json.Unmarshal(doc, k); err != nil {
		return nil, fmt.Errorf("decode key document: %w", err)
	}
	k.Version = version
	return k, nil
}

// DueNanos returns k.DueAt() in unix nanoseconds (see [UnixNanos]), and
// false if k is never due: the value of the due_at column, NULL if false.
func DueNanos(k *store.Key) (int64, bool) {
	d := k.DueAt()
	if d.IsZero() {
		return 0, false
	}
	return UnixNanos(d), true
}

// The range of instants unix nanoseconds can represent (1677 to 2262).
var (
	minNanos = time.Unix(0, math.MinInt64)
	maxNanos = time.Unix(0, math.MaxInt64)
)

// UnixNanos returns t in unix nanoseconds, clamped to the int64 range, so
// that a far-future expiry is never due and a far-past one always is.
func UnixNanos(t time.Time) int64 {
	switch {
	case t.Before(minNanos):
		return math.MinInt64
	case t.After(maxNanos):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// EncodePolicies returns the JSON columns of u's policies: the inline ones
// as an object and the attached ones as an array, never null.
func EncodePolicies(u store.User) (inline, attached string, err error) {
	in, at := u.InlinePolicies, u.AttachedPolicies
	if in == nil {
		in = map[string]string{}
	}
	if at == nil {
		at = []string{}
	}
	b, err := json.Marshal(in)
	if err != nil {
		return "", "", fmt.Errorf("encode inline policies: %w", err)
	}
	c, err := json.Marshal(at)
	if err != nil {
		return "", "", fmt.Errorf("encode attached policies: %w", err)
	}
	return string(b), string(c), nil
}

// DecodeUser returns the user stored in these columns: created as written
// by [FormatTime], inline and attached as written by [EncodePolicies].
func DecodeUser(name, userID, path, arn, created, inline, attached string) (store.User, error) {
	u := store.User{Name: name, UserID: userID, Path: path, ARN: arn}
	var err error
	if u.CreatedAt, err = ParseTime(created); err != nil {
		return store.User{}, err
	}
	if err := json.Unmarshal([]byte(inline), &u.InlinePolicies); err != nil {
		return store.User{}, fmt.Errorf("decode inline policies: %w", err)
	}
	if err := json.Unmarshal([]byte(attached), &u.AttachedPolicies); err != nil {
		return store.User{}, fmt.Errorf("decode attached policies: %w", err)
	}
	return u, nil
}

// grantDoc is the JSON document of a grant's remaining fields. The
// constraint maps have no omitempty: a nil map (no constraint) is stored as
// null and an empty one as {}, which are different constraints.
type grantDoc struct {
	IssuingAccount          string            `json:"issuingAccount"`
	Operations              []string          `json:"operations"`
	EncryptionContextEquals map[string]string `json:"encryptionContextEquals"`
	EncryptionContextSubset map[string]string `json:"encryptionContextSubset"`
}

// EncodeGrant returns the JSON document of the fields of g that have no
// column of their own: IssuingAccount, Operations and the encryption-context
// constraints. A nil constraint and an empty one are kept apart.
func EncodeGrant(g store.Grant) ([]byte, error) {
	return json.Marshal(grantDoc{
		IssuingAccount:          g.IssuingAccount,
		Operations:              g.Operations,
		EncryptionContextEquals: g.EncryptionContextEquals,
		EncryptionContextSubset: g.EncryptionContextSubset,
	})
}

// DecodeGrant sets the fields of g that [EncodeGrant] wrote to doc.
func DecodeGrant(doc []byte, g *store.Grant) error {
	var d grantDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return fmt.Errorf("decode grant document: %w", err)
	}
	g.IssuingAccount = d.IssuingAccount
	g.Operations = d.Operations
	g.EncryptionContextEquals = d.EncryptionContextEquals
	g.EncryptionContextSubset = d.EncryptionContextSubset
	return nil
}

// FormatTime returns t as stored outside JSON documents: RFC 3339 in UTC
// with nanoseconds, exact for every year 0-9999.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ParseTime parses a timestamp written by [FormatTime].
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}

// FoldName returns a user name with its ASCII letters in lower case, and
// nothing else changed: what SQLite's built-in lower() and PostgreSQL's
// lower() under COLLATE "C" make of it. Backends compare lower(name) with
// FoldName(name) rather than with lower() of the parameter, whose result
// in PostgreSQL depends on the database's collation for other letters.
func FoldName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
