package console_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
)

var keyLinkRE = regexp.MustCompile(`<td><a href="/console/kms/keys/([0-9a-f-]{36})">`)

// TestKMSKeyListPaging pages through 30 keys, 25 a page, forward and
// back.
func TestKMSKeyListPaging(t *testing.T) {
	h := newHarness(t)
	c := kmsSDK(h.URL, h.KeyID, h.Secret)
	for range 30 {
		if _, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{}); err != nil {
			t.Fatal(err)
		}
	}
	b := h.signInRoot(t)
	ids := func(p page) []string {
		var out []string
		for _, m := range keyLinkRE.FindAllStringSubmatch(p.HTML, -1) {
			out = append(out, m[1])
		}
		return out
	}
	link := func(p page, id string) string {
		m := regexp.MustCompile(`id="` + id + `" href="([^"]+)"`).FindStringSubmatch(p.HTML)
		if m == nil {
			return ""
		}
		return strings.ReplaceAll(m[1], "&amp;", "&")
	}
	p1 := b.get(t, "/console/kms/keys")
	first := ids(p1)
	if len(first) != 25 || link(p1, "prev-page") != "" || link(p1, "next-page") == "" {
		t.Fatalf("page 1: %d keys, prev %q, next %q", len(first), link(p1, "prev-page"), link(p1, "next-page"))
	}
	p2 := b.get(t, link(p1, "next-page"))
	second := ids(p2)
	if len(second) != 5 || link(p2, "next-page") != "" || second[0] <= first[24] {
		t.Fatalf("page 2: %v (next %q)", second, link(p2, "next-page"))
	}
	back := ids(b.get(t, link(p2, "prev-page")))
	if strings.Join(back, ",") != strings.Join(first, ",") {
		t.Fatalf("previous page differs from page 1")
	}
	filtered := ids(b.get(t, "/console/kms/keys?q="+strings.ToUpper(first[3][:13])))
	if len(filtered) != 1 || filtered[0] != first[3] {
		t.Fatalf("filter on a key ID prefix: %v", filtered)
	}
}
