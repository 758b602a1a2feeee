package sigv4

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestCanonicalPath(t *testing.T) {
	tests := []struct{ wire, want string }{
		{"", "/"},
		{"/", "/"},
		{"/a/b", "/a/b"},
		{"/a%20b", "/a%2520b"}, // the escaped wire form is encoded again
		{"/a b", "/a%20b"},
		{"/%E1%88%B4", "/%25E1%2588%25B4"},
		{"/ሴ", "/%E1%88%B4"},
		{"/a/./b/../c/", "/a/c/"},
		{"/a/b/..", "/a/"},
		{"/a/b/.", "/a/b/"},
		{"/../../a", "/a"},
		{"//a//b//", "/a/b/"},
		{"a/b", "/a/b"},
		{"/a:b@c!$&'()*+,;=", "/a%3Ab%40c%21%24%26%27%28%29%2A%2B%2C%3B%3D"},
		{"/" + strings.Repeat("s/", 40) + "..", "/" + strings.Repeat("s/", 39)},
	}
	for _, tc := range tests {
		t.Run(tc.wire, func(t *testing.T) {
			if got := string(appendCanonicalPath(nil, tc.wire)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"b=2&a=1", false, "a=1&b=2"},
		{"a=2&a=1&a", false, "a=&a=1&a=2"},
		{"a=x+y", false, "a=x%20y"},
		{"a=%2f&a=%2F", false, "a=%2F&a=%2F"},
		{"a=100%&b=%zz", false, "a=100%25&b=%25zz"},
		{"a=-&a=/", false, "a=%2F&a=-"}, // sorted after encoding, as SigV4 requires
		{"&&a=1&", false, "a=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", false, "X-Amz-Date=1&X-Amz-Signature=abc"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
	}
	for _, tc := range tests {
		t.Run(tc.raw+"/"+strconv.FormatBool(tc.presigned), func(t *testing.T) {
			if got := string(appendCanonicalQuery(nil, new(scratch), tc.raw, tc.presigned)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r := &http.Request{Method: "POST", URL: &url.URL{Path: "/"}, Host: "h", ContentLength: 12, Header: http.Header{
		"X-Multi":     {"  a ", "b\t", " c   d "},
		"Weird Name!": {"kept"},
	}}
	got := string(appendCanonicalHeaders(nil, r, "content-length;host;missing;x-multi;Weird Name!"))
	want := "content-length:12\nhost:h\nmissing:\nx-multi:a,b,c d\nWeird Name!:kept\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestWirePath(t *testing.T) {
	tests := []struct {
		requestURI, url, want string
	}{
		{"/a%2fb?x=1", "", "/a%2fb"},
		{"http://host/p/q?x", "", "/p/q"},
		{"http://host", "", "/"},
		{"", "https://host/a%20b", "/a%20b"},
		{"", "https://host/", "/"},
	}
	for _, tc := range tests {
		u, _ := url.Parse(tc.url)
		r := &http.Request{RequestURI: tc.requestURI, URL: u}
		if got := wirePath(r); got != tc.want {
			t.Errorf("wirePath(%q, %q) = %q, want %q", tc.requestURI, tc.url, got, tc.want)
		}
	}
}

func TestParseAmzDate(t *testing.T) {
	for _, s := range []string{"20240820T230802Z", "20240229T235959Z", "00010101T000000Z"} {
		if _, ok := parseAmzDate(s); !ok {
			t.Errorf("%s refused", s)
		}
	}
	for _, s := range []string{"", "20240820T230802", "20240820t230802Z", "20241320T000000Z", "20230229T000000Z",
		"20240820T240000Z", "20240820T236000Z", "2024082OT230802Z", "20240820T230802+0"} {
		if _, ok := parseAmzDate(s); ok {
			t.Errorf("%s accepted", s)
		}
	}
}

func TestQuote(t *testing.T) {
	if got := quote("eu-west-1"); got != "eu-west-1" {
		t.Errorf("quote changed a clean value: %q", got)
	}
	if got := quote("a\nb\x00é"); got != "a?b???" {
		t.Errorf("got %q", got)
	}
	if got := quote(strings.Repeat("x", 100)); got != strings.Repeat("x", 64)+"..." {
		t.Errorf("got %q", got)
	}
}

// TestKeyCacheRotation checks that a changed secret is picked up at once: the
// signing key derived from the old secret must not be reused.
func TestKeyCacheRotation(t *testing.T) {
	secret := testSecret
	v := kmsVerifier()
	v.Lookup = func(context.Context, string) ([]byte, error) { return []byte(secret), nil }
	old := signedKMSRequest(t, testNow)
	if _, err := v.Verify(context.Background(), old, kmsBody); err != nil {
		t.Fatal(err)
	}
	secret = "rotated/secret/EXAMPLEKEY"
	wantErrorIs := func(r *http.Request, ok bool) {
		t.Helper()
		_, err := v.Verify(context.Background(), r, kmsBody)
		if (err == nil) != ok {
			t.Fatalf("Verify = %v, want ok=%v", err, ok)
		}
	}
	wantErrorIs(signedKMSRequest(t, testNow), false)
	r := kmsRequest(t, kmsBody)
	Sign(r, kmsBody, testAKID, []byte(secret), testRegion, "kms", testNow)
	wantErrorIs(r, true)
}

func TestKeyCacheBound(t *testing.T) {
	var c keyCache
	for i := 0; i < maxCachedKeys+100; i++ {
		c.signingKey("AKID"+strconv.Itoa(i), "20240820", testRegion, "kms", []byte(testSecret))
	}
	if n := len(*c.entries.Load()); n != maxCachedKeys {
		t.Fatalf("%d entries, want %d", n, maxCachedKeys)
	}
	a := c.signingKey("x", "20240820", testRegion, "kms", []byte("s1"))
	if b := deriveSigningKey([]byte("s1"), "20240820", testRegion, "kms"); a.key != b {
		t.Fatal("cached key differs from a fresh derivation")
	}
}
