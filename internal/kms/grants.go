package kms

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// GrantInput is CreateGrant's parameters.
type GrantInput struct {
	Grantee, Retiring string
	Operations        []string
	Equals, Subset    map[string]string
	Name              string
}

// CreateGrant grants Operations on key ref to Grantee. A grant is effective
// at once (Trent has no eventual consistency to bridge), so its token is
// only ever checked for authenticity. With a Name, a grant identical to an
// existing one of the same name is not created twice: its ID is returned.
func (s *Service) CreateGrant(ctx context.Context, ref string, in GrantInput) (grantID, token string, err error) {
	if err := checkGrantInput(in); err != nil {
		return "", "", err
	}
	child := &policy.Grant{Grantee: in.Grantee, Operations: in.Operations, EncryptionContextEquals: in.Equals, EncryptionContextSubset: in.Subset}
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "CreateGrant", child: child,
		multi: map[string][]string{"kms:GrantOperations": in.Operations},
		extra: map[string]string{"kms:GranteePrincipal": in.Grantee, "kms:RetiringPrincipal": in.Retiring, "kms:GrantIsForAWSResource": "false"}})
	if err != nil {
		return "", "", err
	}
	if state := s.State(k); state != StateEnabled {
		return "", "", stateError(s.KeyARN(k.ID), state)
	}
	if err := checkGrantForKeyType(k, in); err != nil {
		return "", "", err
	}
	if in.Name != "" {
		if g, ok, err := s.sameGrant(ctx, k.ID, in); err != nil || ok {
			return g, s.grantToken(k.ID, g), err
		}
	}
	g := store.Grant{
		KeyID: k.ID, GrantID: newGrantID(k.ID, in), Name: in.Name,
		GranteePrincipal: in.Grantee, RetiringPrincipal: in.Retiring,
		IssuingAccount: "arn:aws:iam::" + s.cfg.AccountID + ":root", Operations: in.Operations,
		EncryptionContextEquals: in.Equals, EncryptionContextSubset: in.Subset, CreatedAt: s.now(),
	}
	err = s.cfg.Store.CreateGrant(ctx, g)
	if in.Name != "" && errors.Is(err, store.ErrExists) {
		// The same named grant, created at this moment through another
		// request or node: the store's key made it one grant.
		err = nil
	}
	if err != nil {
		return "", "", err
	}
	return g.GrantID, s.grantToken(k.ID, g.GrantID), nil
}

// newGrantID returns the ID of a new grant: random for an unnamed grant;
// for a named one, a digest of the key and the grant's whole content, so
// that two concurrent CreateGrant calls with the same Name and content —
// which AWS answers with one grant — insert the same ID and the store's
// primary key keeps only one, on any number of nodes. Grants of one name
// with different content get different IDs, as AWS allows.
func newGrantID(keyID string, in GrantInput) string {
	if in.Name == "" {
		id := make([]byte, 32)
		rand.Read(id)
		return hex.EncodeToString(id)
	}
	h := sha256.New()
	field := func(v string) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(v)))
		h.Write(n[:])
		h.Write([]byte(v))
	}
	context := func(m map[string]string) {
		if m == nil {
			field("-")
			return
		}
		field("+")
		for _, k := range slices.Sorted(maps.Keys(m)) {
			field(k)
			field(m[k])
		}
	}
	field("trent grant id v1")
	field(keyID)
	field(in.Name)
	field(in.Grantee)
	field(in.Retiring)
	field(strings.Join(in.Operations, ","))
	context(in.Equals)
	context(in.Subset)
	return hex.EncodeToString(h.Sum(nil))
}

func checkGrantInput(in GrantInput) error {
	if len(in.Operations) == 0 {
		return newError(ErrValidation, "1 validation error detected: Value null at 'operations' failed to satisfy constraint: Member must not be null")
	}
	for _, op := range in.Operations {
		if !policy.ValidGrantOperation(op) {
			return newError(ErrValidation, "Grant operation %s is not valid", op)
		}
	}
	if in.Equals != nil && in.Subset != nil {
		return newError(ErrValidation, "Specify either EncryptionContextEquals or EncryptionContextSubset in grant constraints, not both")
	}
	return nil
}

// sameGrant finds a grant of key id named in.Name with the same content.
func (s *Service) sameGrant(ctx context.Context, keyID string, in GrantInput) (string, bool, error) {
	grants, err := s.allGrants(ctx, keyID)
	for _, g := range grants {
		if g.Name == in.Name && g.GranteePrincipal == in.Grantee && g.RetiringPrincipal == in.Retiring &&
			slices.Equal(g.Operations, in.Operations) && maps.Equal(g.EncryptionContextEquals, in.Equals) &&
			maps.Equal(g.EncryptionContextSubset, in.Subset) {
			return g.GrantID, true, nil
		}
	}
	return "", false, err
}

func (s *Service) allGrants(ctx context.Context, keyID string) ([]store.Grant, error) {
	var out []store.Grant
	for after := ""; ; {
		page, err := s.cfg.Store.ListGrants(ctx, keyID, after, 100)
		out = append(out, page...)
		if err != nil || len(page) < 100 {
			return out, err
		}
		after = page[len(page)-1].GrantID
	}
}

// ListGrants lists the grants of key ref, optionally only grantID or only
// those of grantee.
func (s *Service) ListGrants(ctx context.Context, ref, grantID, grantee, marker string, limit int) ([]store.Grant, string, error) {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "ListGrants"})
	if err != nil {
		return nil, "", err
	}
	after, err := decodeMarker(markerGrants, marker)
	if err != nil {
		return nil, "", err
	}
	all, err := s.allGrants(ctx, k.ID)
	if err != nil {
		return nil, "", err
	}
	all = slices.DeleteFunc(all, func(g store.Grant) bool {
		return g.GrantID <= after || (grantID != "" && g.GrantID != grantID) || (grantee != "" && g.GranteePrincipal != grantee)
	})
	return page(all, pageLimit(limit, 50), func(g store.Grant) string { return encodeMarker(markerGrants, g.GrantID) })
}

// ListRetirableGrants lists the grants, of any key, that principal may retire.
func (s *Service) ListRetirableGrants(ctx context.Context, principal, marker string, limit int) ([]store.Grant, string, error) {
	if err := s.authorize(ctx, authReq{action: "ListRetirableGrants"}); err != nil {
		return nil, "", err
	}
	after, err := decodeMarker(markerRetirable, marker)
	if err != nil {
		return nil, "", err
	}
	afterKey, afterGrant, _ := strings.Cut(after, "/")
	limit = pageLimit(limit, 50)
	grants, err := s.cfg.Store.ListRetirableGrants(ctx, principal, afterKey, afterGrant, limit+1)
	if err != nil {
		return nil, "", err
	}
	return page(grants, limit, func(g store.Grant) string { return encodeMarker(markerRetirable, g.KeyID+"/"+g.GrantID) })
}

func page[T any](items []T, limit int, marker func(T) string) ([]T, string, error) {
	if len(items) <= limit {
		return items, "", nil
	}
	items = items[:limit]
	return items, marker(items[limit-1]), nil
}

// RevokeGrant deletes a grant; it needs kms:RevokeGrant on the key.
func (s *Service) RevokeGrant(ctx context.Context, ref, grantID string) error {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "RevokeGrant"})
	if err != nil {
		return err
	}
	return s.deleteGrant(ctx, k.ID, grantID)
}

// RetireGrant deletes a grant named by its token, or by key and grant ID.
// As in AWS, no policy governs it: the grant's retiring principal may
// retire it, and its grantee if the grant includes RetireGrant.
func (s *Service) RetireGrant(ctx context.Context, token, ref, grantID string) error {
	var keyID string
	switch {
	case token != "":
		var err error
		if keyID, grantID, err = s.openGrantToken(token); err != nil {
			return err
		}
	case ref != "" && grantID != "":
		k, err := s.resolve(ctx, ref, keyOnly)
		if err != nil {
			return err
		}
		keyID = k.ID
	default:
		return newError(ErrValidation, "Either GrantToken or both KeyId and GrantId must be specified")
	}
	g, err := s.cfg.Store.GetGrant(ctx, keyID, grantID)
	if errors.Is(err, store.ErrNotFound) {
		return newError(ErrNotFound, "Grant ID %s not found", grantID)
	}
	if err != nil {
		return err
	}
	p, ok := identity.From(ctx)
	if !ok {
		return ErrNoPrincipal
	}
	if !p.IsSystem() && p.ARN != g.RetiringPrincipal &&
		!(p.ARN == g.GranteePrincipal && slices.Contains(g.Operations, "RetireGrant")) {
		return newError(ErrAccessDenied, "User: %s is not authorized to perform: kms:RetireGrant on resource: %s", p.ARN, s.KeyARN(keyID))
	}
	return s.deleteGrant(ctx, keyID, grantID)
}

func (s *Service) deleteGrant(ctx context.Context, keyID, grantID string) error {
	err := s.cfg.Store.DeleteGrant(ctx, keyID, grantID)
	if errors.Is(err, store.ErrNotFound) {
		return newError(ErrInvalidGrantID, "Grant ID %s is not valid for %s", grantID, s.KeyARN(keyID))
	}
	return err
}

// Grant tokens: base64url of key ID "/" grant ID "/" HMAC-SHA256, keyed by
// the service's token secret (the one import tokens use) over a message
// prefixed "grant/", so a grant token can never pass as an import token.
func (s *Service) grantToken(keyID, grantID string) string {
	mac := hmac.New(sha256.New, s.tokenSecret)
	mac.Write([]byte("grant/" + keyID + "/" + grantID))
	return base64.RawURLEncoding.EncodeToString([]byte(keyID + "/" + grantID + "/" + hex.EncodeToString(mac.Sum(nil))))
}

func (s *Service) openGrantToken(token string) (keyID, grantID string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	parts := strings.Split(string(raw), "/")
	if err != nil || len(parts) != 3 || !hmac.Equal([]byte(s.grantToken(parts[0], parts[1])), []byte(token)) {
		return "", "", newError(ErrInvalidGrantToken, "Invalid grant token")
	}
	return parts[0], parts[1], nil
}

// CheckGrantTokens refuses any grant token this service did not issue.
// Valid tokens need no further use: grants take effect at once.
func (s *Service) CheckGrantTokens(tokens []string) error {
	for _, t := range tokens {
		if _, _, err := s.openGrantToken(t); err != nil {
			return err
		}
	}
	return nil
}
