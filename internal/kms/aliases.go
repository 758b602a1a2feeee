package kms

import (
	"context"
	"errors"
	"strings"

	"github.com/trent-kms/trent/internal/store"
)

// checkAliasName applies the rules beyond the wire pattern: an alias name
// starts with "alias/", has a name after it, and does not use the prefix
// AWS reserves for AWS managed keys.
func checkAliasName(name string) error {
	rest, ok := strings.CutPrefix(name, "alias/")
	switch {
	case !ok || rest == "":
		return newError(ErrValidation, "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
	case strings.HasPrefix(name, "alias/aws/"):
		// AWS reserves the prefix for AWS managed keys and answers with the
		// framework's NotAuthorizedException (as moto and local-kms, which
		// mirror the live service, record it), not InvalidAliasNameException.
		return newError(ErrNotAuthorized, "The alias/aws/ prefix is reserved for AWS managed keys.")
	}
	return nil
}

// aliasTargetKey checks an alias name and resolves the key it is to point
// at (key ID or ARN), which must not be pending deletion.
func (s *Service) aliasTargetKey(ctx context.Context, action, name, targetRef string) (*store.Key, error) {
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	k, err := s.resolveFor(ctx, targetRef, keyOnly, authReq{action: action})
	if err != nil {
		return nil, err
	}
	if k.State == StatePendingDeletion {
		return nil, stateError(s.KeyARN(k.ID), k.State)
	}
	return k, nil
}

// CreateAlias creates alias name for the key targetRef (key ID or ARN).
func (s *Service) CreateAlias(ctx context.Context, name, targetRef string) error {
	k, err := s.aliasTargetKey(ctx, "CreateAlias", name, targetRef)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.cfg.Store.CreateAlias(ctx, store.Alias{Name: name, KeyID: k.ID, CreatedAt: now, UpdatedAt: now})
	if errors.Is(err, store.ErrExists) {
		return newError(ErrAlreadyExists, "An alias with the name %s already exists", s.AliasARN(name))
	}
	if errors.Is(err, store.ErrNotFound) {
		return newError(ErrNotFound, "Key '%s' does not exist", s.KeyARN(k.ID))
	}
	if err != nil {
		return err
	}
	s.cache.putAlias(name, k.ID, now)
	return nil
}

// UpdateAlias points an existing alias at another key.
func (s *Service) UpdateAlias(ctx context.Context, name, targetRef string) error {
	// AWS checks kms:UpdateAlias on the alias's current key and on the new
	// one; the current key's check comes first.
	if id, err := s.aliasTarget(ctx, name); err == nil {
		if cur, err := s.getKey(ctx, id); err == nil {
			if err := s.authorize(ctx, authReq{action: "UpdateAlias", key: cur}); err != nil {
				return err
			}
		}
	}
	k, err := s.aliasTargetKey(ctx, "UpdateAlias", name, targetRef)
	if err != nil {
		return err
	}
	err = s.cfg.Store.UpdateAlias(ctx, name, k.ID, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return newError(ErrNotFound, "Alias %s is not found.", s.AliasARN(name))
	}
	if err != nil {
		return err
	}
	s.cache.dropAlias(name)
	return nil
}

// DeleteAlias deletes an alias; the key is not affected.
func (s *Service) DeleteAlias(ctx context.Context, name string) error {
	if !strings.HasPrefix(name, "alias/") {
		return checkAliasName(name)
	}
	if _, err := s.resolveFor(ctx, name, aliasAllow, authReq{action: "DeleteAlias"}); err != nil {
		return err
	}
	err := s.cfg.Store.DeleteAlias(ctx, name)
	s.cache.dropAlias(name)
	if errors.Is(err, store.ErrNotFound) {
		return newError(ErrNotFound, "Alias %s is not found.", s.AliasARN(name))
	}
	return err
}

// ListAliases returns a page of aliases in name order, only those of the
// key ref names if ref is not empty.
func (s *Service) ListAliases(ctx context.Context, ref, marker string, limit int) ([]store.Alias, string, error) {
	keyID := ""
	if ref != "" {
		k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "ListAliases"})
		if err != nil {
			return nil, "", err
		}
		keyID = k.ID
	} else if err := s.authorize(ctx, authReq{action: "ListAliases"}); err != nil {
		return nil, "", err
	}
	after, err := decodeMarker(markerAliases, marker)
	if err != nil {
		return nil, "", err
	}
	limit = pageLimit(limit, 100)
	aliases, err := s.cfg.Store.ListAliases(ctx, keyID, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(aliases) > limit {
		aliases = aliases[:limit]
		next = encodeMarker(markerAliases, aliases[limit-1].Name)
	}
	return aliases, next, nil
}
