package console_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	kmsHiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	kmsStateRE  = regexp.MustCompile(`id="key-state">([^<]*)<`)
	kmsAlertRE  = regexp.MustCompile(`(?s)<div class="alert error" role="alert">(.*?)</div>`)
	kmsAreaRE   = regexp.MustCompile(`(?s)<textarea id="policy" name="policy"[^>]*>(.*?)</textarea>`)
)

// kmsWizardPost posts the create-key wizard's page p onward: its hidden
// fields (not the CSRF token) with fields added.
func kmsWizardPost(t *testing.T, b *browser, p page, fields url.Values) page {
	t.Helper()
	vals := url.Values{}
	for _, m := range kmsHiddenRE.FindAllStringSubmatch(p.HTML, -1) {
		if m[1] != "csrf" {
			vals.Add(m[1], html.UnescapeString(m[2]))
		}
	}
	for k, v := range fields {
		vals[k] = v
	}
	return b.postForm(t, "/console/kms/keys/create", vals)
}

// kmsAlert is the error alert of p, "" if none.
func kmsAlert(p page) string {
	if m := kmsAlertRE.FindStringSubmatch(p.HTML); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// kmsState is the key state p shows.
func kmsState(p page) string {
	if m := kmsStateRE.FindStringSubmatch(p.HTML); m != nil {
		return m[1]
	}
	return ""
}

// kmsPostRaw posts vals to path with the browser's CSRF token and returns
// the raw answer, for downloads.
func kmsPostRaw(t *testing.T, b *browser, path string, vals url.Values) (*http.Response, []byte) {
	t.Helper()
	vals.Set("csrf", b.csrf)
	resp, err := b.c.PostForm(b.h.URL+path, vals)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// kmsDescribe is the key's metadata as the AWS CLI gets it.
func kmsDescribe(t *testing.T, h *harness, id string) map[string]any {
	t.Helper()
	var out struct{ KeyMetadata map[string]any }
	if err := json.Unmarshal([]byte(h.aws(t, "kms", "describe-key", "--key-id", id)), &out); err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

// kmsCreateKey creates a key with the AWS CLI and returns its ID.
func kmsCreateKey(t *testing.T, h *harness, args ...string) string {
	t.Helper()
	var out struct{ KeyMetadata struct{ KeyId string } }
	if err := json.Unmarshal([]byte(h.aws(t, append([]string{"kms", "create-key"}, args...)...)), &out); err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata.KeyId
}

// kmsUser creates an IAM user with a console password and the managed
// policies given, and returns its ARN.
func kmsUser(t *testing.T, h *harness, name, password string, policies ...string) string {
	t.Helper()
	var out struct{ User struct{ Arn string } }
	if err := json.Unmarshal([]byte(h.aws(t, "iam", "create-user", "--user-name", name)), &out); err != nil {
		t.Fatal(err)
	}
	if password != "" {
		h.aws(t, "iam", "create-login-profile", "--user-name", name, "--password", password)
	}
	for _, p := range policies {
		h.aws(t, "iam", "attach-user-policy", "--user-name", name, "--policy-arn", p)
	}
	return out.User.Arn
}

// kmsUnescaped is p's HTML with entities decoded, for text searches.
func kmsUnescaped(p page) string {
	return strings.ReplaceAll(html.UnescapeString(p.HTML), "\r\n", "\n")
}
