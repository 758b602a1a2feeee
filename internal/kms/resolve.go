package kms

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/store"
)

// Which forms of key reference an operation accepts. AWS lets the crypto
// operations and DescribeKey name a key by alias; management operations
// (enable, disable, deletion, tags, description, alias targets) take only a
// key ID or key ARN.
const (
	keyOnly    = false
	aliasAllow = true
)

// resolve finds the key that ref names.
func (s *Service) resolve(ctx context.Context, ref string, allowAlias bool) (*store.Key, error) {
	id, alias, err := s.parseRef(ref, allowAlias)
	if err != nil {
		return nil, err
	}
	if alias != "" {
		if id, err = s.aliasTarget(ctx, alias); err != nil {
			return nil, err
		}
	}
	traceKeyARN(ctx, s.KeyARN(id))
	return s.getKey(ctx, id)
}

// parseRef splits ref into a key ID or an alias name.
func (s *Service) parseRef(ref string, allowAlias bool) (id, alias string, err error) {
	if strings.HasPrefix(ref, "arn:") {
		return s.parseARN(ref, allowAlias)
	}
	if strings.HasPrefix(ref, "alias/") {
		if !allowAlias {
			return "", "", newError(ErrNotFound, "Invalid keyId '%s'", ref)
		}
		return "", ref, nil
	}
	if !isKeyID(ref) {
		return "", "", newError(ErrNotFound, "Invalid keyId '%s'", ref)
	}
	return strings.ToLower(ref), "", nil
}

// parseARN accepts arn:aws:kms:<region>:<account>:key/<id> and, where
// allowed, arn:aws:kms:<region>:<account>:alias/<name>. An ARN of another
// region or account names a key this service does not hold.
func (s *Service) parseARN(ref string, allowAlias bool) (id, alias string, err error) {
	parts := strings.SplitN(ref, ":", 6)
	if len(parts) != 6 || parts[1] == "" || parts[2] != "kms" {
		return "", "", newError(ErrInvalidArn, "Invalid arn %s", ref)
	}
	resource := parts[5]
	if parts[3] != s.cfg.Region {
		// What AWS answers for an ARN of another region.
		return "", "", newError(ErrNotFound, "Invalid arn %s", parts[3])
	}
	foreign := parts[4] != s.cfg.AccountID
	switch {
	case strings.HasPrefix(resource, "key/"):
		id = resource[len("key/"):]
		if !isKeyID(id) {
			return "", "", newError(ErrInvalidArn, "Invalid arn %s", ref)
		}
		if foreign {
			return "", "", newError(ErrNotFound, "Key '%s' does not exist", ref)
		}
		return strings.ToLower(id), "", nil
	case strings.HasPrefix(resource, "alias/") && allowAlias:
		if foreign {
			return "", "", newError(ErrNotFound, "Alias %s is not found.", ref)
		}
		return "", resource, nil
	default:
		return "", "", newError(ErrInvalidArn, "Invalid arn %s", ref)
	}
}

// isKeyID reports whether s is a key ID: a UUID in its canonical form.
func isKeyID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

func (s *Service) aliasTarget(ctx context.Context, name string) (string, error) {
	now := s.now()
	if id, ok := s.cache.alias(name, now); ok {
		return id, nil
	}
	a, err := s.cfg.Store.GetAlias(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return "", newError(ErrNotFound, "Alias %s is not found.", s.AliasARN(name))
	}
	if err != nil {
		return "", err
	}
	s.cache.putAlias(name, a.KeyID, now)
	return a.KeyID, nil
}

// getKey returns the snapshot of key id, from the cache when fresh.
// The returned key must not be modified.
func (s *Service) getKey(ctx context.Context, id string) (*store.Key, error) {
	now := s.now()
	if k := s.cache.key(id, now); k != nil {
		return k, nil
	}
	k, err := s.cfg.Store.GetKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, newError(ErrNotFound, "Key '%s' does not exist", s.KeyARN(id))
	}
	if err != nil {
		return nil, err
	}
	s.cache.putKey(k, now)
	return k, nil
}

// updateKey applies fn to key id in the store and caches the result.
func (s *Service) updateKey(ctx context.Context, id string, fn func(*store.Key) error) (*store.Key, error) {
	k, err := s.cfg.Store.UpdateKey(ctx, id, fn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, newError(ErrNotFound, "Key '%s' does not exist", s.KeyARN(id))
	}
	if err != nil {
		return nil, err
	}
	s.cache.putKey(k, s.now())
	return k, nil
}
