package sigv4

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sign signs r in the header form as a client would, so that tests and tools
// can craft requests with a chosen signing time (for instance six minutes of
// clock skew). It sets X-Amz-Date to t and Authorization (replacing any), signing
// host, content-type when present and every x-amz-* header. body must be the
// exact body that will be sent; r.Body is not read. The canonicalisation is the
// one Verify uses, which the AWS test suite and aws-sdk-go-v2 pin down in tests.
func Sign(r *http.Request, body []byte, accessKeyID string, secret []byte, region, service string, t time.Time) {
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	amzDate := isoBasic(t)
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", amzDate)
	signed := signedHeaderList(r.Header)
	scope := amzDate[:8] + "/" + region + "/" + service + "/" + terminator
	key := newSigningKey(deriveSigningKey(secret, amzDate[:8], region, service))
	sig := signature(r, body, signed, false, amzDate, scope, key)
	r.Header.Set("Authorization", formatAuthorization(accessKeyID+"/"+scope, signed, string(sig[:])))
}

// Presign signs r in the query (presigned URL) form, valid for expires from t
// (whole seconds, 1s to 7 days for Verify to accept it; expires <= 0 omits
// X-Amz-Expires, and Verify then applies the header form's ±MaxSkew window). It replaces any
// X-Amz-* authentication parameters already in r.URL.RawQuery, keeps the other
// parameters, and appends X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders and finally X-Amz-Signature. The signed
// headers are host, content-type when present and every x-amz-* header, which
// the request must then carry unchanged.
func Presign(r *http.Request, body []byte, accessKeyID string, secret []byte, region, service string, t time.Time, expires time.Duration) {
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	amzDate := isoBasic(t)
	scope := amzDate[:8] + "/" + region + "/" + service + "/" + terminator
	q := queryAuth{
		algorithm:     algorithm,
		credential:    accessKeyID + "/" + scope,
		date:          amzDate,
		signedHeaders: signedHeaderList(r.Header),
	}
	if expires > 0 {
		q.expires = strconv.FormatInt(int64(expires/time.Second), 10)
	}
	query := withoutAuthParams(r.URL.RawQuery)
	if query != "" {
		query += "&"
	}
	r.URL.RawQuery = query + encodePresigned(q)
	key := newSigningKey(deriveSigningKey(secret, amzDate[:8], region, service))
	sig := signature(r, body, q.signedHeaders, true, amzDate, scope, key)
	r.URL.RawQuery += "&" + qSignature + "=" + string(sig[:])
}

// withoutAuthParams drops the SigV4 query parameters from a raw query, so that
// presigning twice does not repeat them.
func withoutAuthParams(rawQuery string) string {
	var kept []string
	for rest := rawQuery; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "&")
		name, _, _ := strings.Cut(part, "=")
		if n := unescapeQuery(name); part == "" || queryParamIndex(n) >= 0 && n != qSecurityToken {
			continue
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, "&")
}
