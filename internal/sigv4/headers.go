package sigv4

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// appendCanonicalHeaders appends one "name:value\n" line per entry of the
// signed-header list, in the list's order and spelling (the client computed
// its signature over exactly that list; a list that is not lower-case and
// sorted simply fails to match). host comes from r.Host, which Go fills from
// the Host header or HTTP/2's :authority. A header named in the list but
// absent from the request contributes an empty value.
func appendCanonicalHeaders(dst []byte, r *http.Request, signedHeaders string) []byte {
	for rest := signedHeaders; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		dst = append(dst, name...)
		dst = append(dst, ':')
		dst = appendHeaderValues(dst, r, name)
		dst = append(dst, '\n')
	}
	return dst
}

func appendHeaderValues(dst []byte, r *http.Request, name string) []byte {
	if name == "host" {
		host := r.Host
		if host == "" {
			host = r.URL.Host
		}
		return appendTrimmed(dst, host)
	}
	values := lookupHeader(r.Header, name)
	if len(values) == 0 && name == "content-length" && r.ContentLength > 0 {
		// Requests built in-process carry their length in ContentLength,
		// not in the header map; the SDKs sign it whenever the body is
		// non-empty.
		return strconv.AppendInt(dst, r.ContentLength, 10)
	}
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTrimmed(dst, v)
	}
	return dst
}

// lookupHeader finds the values of a header by its lower-case signed name. The
// name is canonicalised the way net/textproto does into a stack buffer, and
// the map index with string(buf) does not allocate.
func lookupHeader(h http.Header, name string) []string {
	var buf [64]byte
	if len(name) > len(buf) {
		return h.Values(name)
	}
	key := buf[:0]
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isTokenChar(c) {
			// textproto leaves such keys unchanged.
			return h[name]
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		key = append(key, c)
		upper = c == '-'
	}
	return h[string(key)]
}

// isTokenChar reports whether c may appear in a header name (RFC 7230 tchar).
func isTokenChar(c byte) bool { return tokenChars[c] }

var tokenChars = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0
	}
	return t
}()

// appendTrimmed appends a header value with surrounding whitespace removed and
// each run of spaces collapsed to one, as SigV4 canonical headers require
// ("a   b   c" becomes "a b c"; quoted strings are not special).
func appendTrimmed(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return append(dst, v...)
	}
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// hasSignedHeader reports whether the signed-header list contains name,
// compared case-insensitively when fold is set (request header keys are in
// Go's canonical case, signed names in lower case).
func hasSignedHeader(list, name string, fold bool) bool {
	for rest := list; rest != ""; {
		var n string
		n, rest, _ = strings.Cut(rest, ";")
		if n == name || fold && len(n) == len(name) && strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// unsignedAmzHeader returns the first (in sorted order, so that the answer is
// deterministic) x-amz-* header of h that the signed-header list leaves out,
// or "" when all are signed.
//
// Why: the IAM guide requires every x-amz-* header that is sent to be signed.
// For KMS this is not a formality: X-Amz-Target names the operation, so an
// unsigned one would let a captured request be replayed as another operation
// within the clock window. Content-Type, which the same guide also lists, is
// not enforced: it carries no authority, and the API layer rejects a wrong one.
func unsignedAmzHeader(h http.Header, list string) string {
	missing := ""
	for k := range h {
		if !hasAmzPrefix(k) {
			continue
		}
		if hasSignedHeader(list, k, true) {
			continue
		}
		if missing == "" || k < missing {
			missing = k
		}
	}
	return missing
}

// hasAmzPrefix reports whether a header name starts with "x-amz-" in any case
// (and has more after it), without the cost of strings.EqualFold.
func hasAmzPrefix(k string) bool {
	return len(k) > 6 && k[0]|0x20 == 'x' && k[1] == '-' && k[2]|0x20 == 'a' &&
		k[3]|0x20 == 'm' && k[4]|0x20 == 'z' && k[5] == '-'
}

// signedHeaderList is the list Sign and Presign use: host, content-type when
// present and every x-amz-* header, lower-case and sorted. It is the minimum
// Verify accepts plus content-type, matching what the AWS SDKs sign for KMS
// apart from the informational headers.
func signedHeaderList(h http.Header) string {
	names := []string{"host"}
	for k := range h {
		lk := strings.ToLower(k)
		if lk == "content-type" || (strings.HasPrefix(lk, "x-amz-") && lk != "x-amz-signature") {
			names = append(names, lk)
		}
	}
	slices.Sort(names)
	return strings.Join(slices.Compact(names), ";")
}
