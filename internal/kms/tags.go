package kms

import (
	"context"
	"slices"
	"strings"

	"github.com/trent-kms/trent/internal/store"
)

// maxTags is AWS's quota of user tags per key.
const maxTags = 50

// checkTags validates tags being added to a key that has existing ones. The
// wire layer has checked lengths; these are the rules of the service.
func checkTags(adding, existing []store.Tag) error {
	seen := make(map[string]bool, len(adding))
	for _, t := range adding {
		if len(t.Key) >= 4 && strings.EqualFold(t.Key[:4], "aws:") {
			return newError(ErrTag, "Tags beginning with aws: are reserved")
		}
		if seen[t.Key] {
			return newError(ErrTag, "Duplicate tag keys")
		}
		seen[t.Key] = true
	}
	n := len(adding)
	for _, t := range existing {
		if !seen[t.Key] {
			n++
		}
	}
	if n > maxTags {
		return newError(ErrTag, "Too many tags")
	}
	return nil
}

// TagResource adds tags to a key, replacing the values of existing keys.
func (s *Service) TagResource(ctx context.Context, ref string, tags []store.Tag) error {
	return s.mutate(ctx, "TagResource", ref, func(k *store.Key) error {
		if err := checkTags(tags, k.Tags); err != nil {
			return err
		}
		for _, t := range tags {
			i := slices.IndexFunc(k.Tags, func(e store.Tag) bool { return e.Key == t.Key })
			if i >= 0 {
				k.Tags[i].Value = t.Value
			} else {
				k.Tags = append(k.Tags, t)
			}
		}
		return nil
	})
}

// UntagResource removes the named tags; names the key does not have are
// ignored, as AWS does.
func (s *Service) UntagResource(ctx context.Context, ref string, keys []string) error {
	return s.mutate(ctx, "UntagResource", ref, func(k *store.Key) error {
		k.Tags = slices.DeleteFunc(k.Tags, func(t store.Tag) bool { return slices.Contains(keys, t.Key) })
		return nil
	})
}

// ListResourceTags returns a page of the key's tags in tag-key order.
func (s *Service) ListResourceTags(ctx context.Context, ref, marker string, limit int) ([]store.Tag, string, error) {
	k, err := s.resolveFor(ctx, ref, keyOnly, authReq{action: "ListResourceTags"})
	if err != nil {
		return nil, "", err
	}
	after, err := decodeMarker(markerTags, marker)
	if err != nil {
		return nil, "", err
	}
	limit = min(pageLimit(limit, 50), 50)
	tags := slices.Clone(k.Tags)
	slices.SortFunc(tags, func(a, b store.Tag) int { return strings.Compare(a.Key, b.Key) })
	if after != "" {
		i, _ := slices.BinarySearchFunc(tags, after, func(t store.Tag, key string) int { return strings.Compare(t.Key, key) })
		for i < len(tags) && tags[i].Key <= after {
			i++
		}
		tags = tags[i:]
	}
	next := ""
	if len(tags) > limit {
		tags = tags[:limit]
		next = encodeMarker(markerTags, tags[limit-1].Key)
	}
	return tags, next, nil
}
