package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// scratch is the per-call working memory of canonicalisation, pooled so that
// the hot path does not allocate: buf receives the canonical request and then
// the string to sign, arena and pairs hold the encoded query parameters while
// they are sorted.
type scratch struct {
	buf   []byte
	arena []byte
	pairs []queryPair
}

// queryPair locates one encoded key and value in scratch.arena.
type queryPair struct{ k0, k1, v0, v1 int }

var scratchPool = sync.Pool{New: func() any {
	return &scratch{buf: make([]byte, 0, 1024), arena: make([]byte, 0, 256)}
}}

// putScratch returns sc to the pool unless an unusually large request grew it:
// keeping that memory alive for every later request would be a slow leak.
func putScratch(sc *scratch) {
	const keep = 64 << 10
	if cap(sc.buf) <= keep && cap(sc.arena) <= keep && cap(sc.pairs) <= keep/32 {
		scratchPool.Put(sc)
	}
}

// signature computes the hex signature of r as SigV4 defines it, with the
// given signed-header list, timestamp line, credential scope and signing key.
// presigned selects the query form, whose canonical query omits X-Amz-Signature.
// The payload hash is always that of body: KMS signs the payload, and
// X-Amz-Content-Sha256 / UNSIGNED-PAYLOAD are an S3-only convention.
func signature(r *http.Request, body []byte, signedHeaders string, presigned bool,
	amzDate, scope string, key *cachedKey) (sig [64]byte) {
	sc := scratchPool.Get().(*scratch)
	defer putScratch(sc)
	sc.buf = appendCanonicalRequest(sc.buf[:0], sc, r, body, signedHeaders, presigned)
	creqHash := sha256.Sum256(sc.buf)
	sc.buf = appendStringToSign(sc.buf[:0], amzDate, scope, &creqHash)
	mac := key.mac(sc.buf)
	hex.Encode(sig[:], mac[:])
	return sig
}

// appendCanonicalRequest appends the SigV4 canonical request of r:
//
//	METHOD \n URI \n QUERY \n HEADERS \n \n SIGNED-HEADERS \n hex(sha256(body))
func appendCanonicalRequest(dst []byte, sc *scratch, r *http.Request, body []byte,
	signedHeaders string, presigned bool) []byte {
	dst = append(dst, r.Method...)
	dst = append(dst, '\n')
	dst = appendCanonicalPath(dst, wirePath(r))
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, sc, r.URL.RawQuery, presigned)
	dst = append(dst, '\n')
	dst = appendCanonicalHeaders(dst, r, signedHeaders)
	dst = append(dst, '\n')
	dst = append(dst, signedHeaders...)
	dst = append(dst, '\n')
	sum := sha256.Sum256(body)
	return hex.AppendEncode(dst, sum[:])
}

// appendStringToSign appends AWS4-HMAC-SHA256 \n timestamp \n scope \n hex(hash).
func appendStringToSign(dst []byte, amzDate, scope string, creqHash *[32]byte) []byte {
	dst = append(dst, algorithm...)
	dst = append(dst, '\n')
	dst = append(dst, amzDate...)
	dst = append(dst, '\n')
	dst = append(dst, scope...)
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, creqHash[:])
}

// wirePath returns the path exactly as the client sent it. On a server request
// that is the request-target (RequestURI) up to '?', so a path that Go would
// re-escape differently (raw UTF-8, lower-case %xx) still canonicalises to
// what the client signed, even if a middleware rewrote r.URL. Requests built
// in-process (RequestURI empty) use the escaped form of r.URL, which is what
// the SDKs sign.
func wirePath(r *http.Request) string {
	p := r.RequestURI
	if p == "" {
		if o := r.URL.Opaque; o != "" {
			// //host/path form, as aws-sdk-go-v2's GetURIPath handles it.
			o, _, _ = strings.Cut(strings.TrimPrefix(o, "//"), "?")
			if i := strings.IndexByte(o, '/'); i >= 0 {
				return o[i:]
			}
			return "/"
		}
		return r.URL.EscapedPath()
	}
	p, _, _ = strings.Cut(p, "?")
	if !strings.HasPrefix(p, "/") {
		// absolute-form request-target: scheme://authority/path
		if _, after, ok := strings.Cut(p, "://"); ok {
			if i := strings.IndexByte(after, '/'); i >= 0 {
				return after[i:]
			}
			return "/"
		}
	}
	return p
}

// appendCanonicalPath normalises the wire path (RFC 3986 dot segments removed,
// empty segments dropped, as AWS does for every service but S3) and
// URI-encodes it once more. Encoding the already-escaped wire form is the
// "double encoding" of the IAM guide: an SDK that sends /a%20b signs /a%2520b.
func appendCanonicalPath(dst []byte, p string) []byte {
	if p == "" || p == "/" {
		return append(dst, '/')
	}
	if !needsNormalising(p) {
		return appendURIEncoded(dst, p, true)
	}
	var stack [16]string
	segs := stack[:0]
	for rest := p; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	trailing := strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
	for _, seg := range segs {
		dst = append(dst, '/')
		dst = appendURIEncoded(dst, seg, false)
	}
	if len(segs) == 0 || trailing {
		dst = append(dst, '/')
	}
	return dst
}

func needsNormalising(p string) bool {
	if p[0] != '/' || strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") {
		return true
	}
	return strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
}

// appendCanonicalQuery appends the canonical query string: every parameter
// percent-decoded ('+' is a space, as in aws-sdk-go-v2), re-encoded with the
// RFC 3986 unreserved set, and sorted by encoded name then encoded value. A
// parameter without '=' gets an empty value. In the query form the signature
// parameter itself is left out.
func appendCanonicalQuery(dst []byte, sc *scratch, rawQuery string, presigned bool) []byte {
	if rawQuery == "" {
		return dst
	}
	sc.arena, sc.pairs = sc.arena[:0], sc.pairs[:0]
	for rest := rawQuery; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		if presigned && k == qSignature {
			continue
		}
		var p queryPair
		p.k0 = len(sc.arena)
		sc.arena = appendURIEncoded(sc.arena, k, false)
		p.k1, p.v0 = len(sc.arena), len(sc.arena)
		sc.arena = appendURIEncoded(sc.arena, v, false)
		p.v1 = len(sc.arena)
		sc.pairs = append(sc.pairs, p)
	}
	a := sc.arena
	slices.SortFunc(sc.pairs, func(x, y queryPair) int {
		if c := bytes.Compare(a[x.k0:x.k1], a[y.k0:y.k1]); c != 0 {
			return c
		}
		return bytes.Compare(a[x.v0:x.v1], a[y.v0:y.v1])
	})
	for i, p := range sc.pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, a[p.k0:p.k1]...)
		dst = append(dst, '=')
		dst = append(dst, a[p.v0:p.v1]...)
	}
	return dst
}

const upperHex = "0123456789ABCDEF"

// appendURIEncoded percent-encodes every byte outside the RFC 3986 unreserved
// set (A-Z a-z 0-9 - . _ ~) with upper-case hex; keepSlash leaves '/' alone
// for paths.
func appendURIEncoded(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (keepSlash && c == '/') {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// unescapeQuery decodes a query component leniently: '+' is a space and a '%'
// not followed by two hex digits is kept literally (and so re-encoded as %25),
// rather than failing the whole request on one odd parameter.
func unescapeQuery(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
