package kms

import (
	"encoding/base64"
	"strings"
)

// Pagination markers are opaque to clients: base64url of "<kind>:<last>",
// where last is the sort key of the last item of the previous page. The
// kind stops a marker of one listing from being replayed on another.
const (
	markerKeys      = "k"
	markerAliases   = "a"
	markerTags      = "t"
	markerGrants    = "g"
	markerRetirable = "r"
)

func encodeMarker(kind, last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + last))
}

// decodeMarker returns the position a marker encodes; "" for no marker.
func decodeMarker(kind, marker string) (string, error) {
	if marker == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(marker)
	last, ok := strings.CutPrefix(string(raw), kind+":")
	if err != nil || !ok {
		return "", newError(ErrInvalidMarker, "Invalid marker: %s", truncate(marker, 64))
	}
	return last, nil
}

// pageLimit applies AWS's default page size when limit is unset.
func pageLimit(limit, def int) int {
	if limit <= 0 {
		return def
	}
	return limit
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
