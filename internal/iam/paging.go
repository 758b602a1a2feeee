package iam

import (
	"encoding/base64"
	"strings"
)

// Page is one page of a listing.
type Page[T any] struct {
	Items     []T
	Truncated bool
	Marker    string // where the next page starts; set when Truncated
}

// Markers are opaque to clients: base64url of "<listing>\x00<last item>",
// where the listing names what was listed ("users", "keys", ...) so that a
// marker of one listing is refused by another.

func encodeMarker(listing, last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(listing + "\x00" + last))
}

// decodeMarker returns the item after which a listing resumes: "" for no
// marker, ValidationError for a marker that is not one of listing's.
func decodeMarker(listing, marker string) (string, error) {
	if marker == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(marker)
	if err == nil {
		if last, ok := strings.CutPrefix(string(b), listing+"\x00"); ok {
			return last, nil
		}
	}
	return "", Errorf(ValidationError, "Invalid Marker.")
}

// paginate returns the items after the marker's position, at most limit of
// them, from items sorted ascending by key.
func paginate[T any](listing string, items []T, key func(T) string, marker string, limit int) (Page[T], error) {
	after, err := decodeMarker(listing, marker)
	if err != nil {
		return Page[T]{}, err
	}
	start := 0
	if marker != "" {
		for start < len(items) && key(items[start]) <= after {
			start++
		}
	}
	items = items[start:]
	if len(items) <= limit {
		return Page[T]{Items: items}, nil
	}
	items = items[:limit]
	return Page[T]{Items: items, Truncated: true, Marker: encodeMarker(listing, key(items[limit-1]))}, nil
}
