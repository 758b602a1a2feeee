package console_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/server"
)

// TestKMSKeyActions runs each action of the key page against one key, in
// order, and checks what the API then says about the key.
func TestKMSKeyActions(t *testing.T) {
	h := newHarness(t)
	id := kmsCreateKey(t, h, "--description", "actions")
	b := h.signInRoot(t)
	base := "/console/kms/keys/" + id
	b.get(t, base)
	steps := []struct {
		name, action string
		form         url.Values
		wantAlert    string // "" for success
		wantState    string // DescribeKey's KeyState after
	}{
		{"disable", "disable", nil, "", "Disabled"},
		{"enable", "enable", nil, "", "Enabled"},
		{"schedule without confirmation", "schedule-deletion", url.Values{"days": {"7"}}, `type "delete" to confirm`, "Enabled"},
		{"schedule mistyped", "schedule-deletion", url.Values{"days": {"7"}, "confirm": {"Delete"}}, `type "delete" to confirm`, "Enabled"},
		{"schedule too soon", "schedule-deletion", url.Values{"days": {"6"}, "confirm": {"delete"}}, "from 7 to 30", "Enabled"},
		{"schedule", "schedule-deletion", url.Values{"days": {"7"}, "confirm": {"delete"}}, "", "PendingDeletion"},
		{"cancel", "cancel-deletion", nil, "", "Disabled"},
		{"invalid policy", "policy", url.Values{"policy": {`{"Version": "2012-10-17", "Statement": [`}}, "MalformedPolicyDocumentException", "Disabled"},
		{"tag", "tag", url.Values{"tagkey": {"env"}, "tagvalue": {"prod"}}, "", "Disabled"},
		{"alias", "alias", url.Values{"alias": {"actions-key"}}, "", "Disabled"},
		{"alias taken", "alias", url.Values{"alias": {"actions-key"}}, "AlreadyExistsException", "Disabled"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			p := b.postForm(t, base+"/"+s.action, s.form)
			if got := kmsAlert(p); (s.wantAlert == "") != (got == "") || !strings.Contains(got, s.wantAlert) {
				t.Fatalf("alert %q, want %q", got, s.wantAlert)
			}
			if st := kmsDescribe(t, h, id)["KeyState"]; st != s.wantState {
				t.Fatalf("key state %v, want %s", st, s.wantState)
			}
		})
	}
	t.Run("policy unchanged by the refused edit", func(t *testing.T) {
		p := b.get(t, base+"?tab=policy")
		if !strings.Contains(kmsUnescaped(p), `"Enable IAM User Permissions"`) {
			t.Fatalf("policy tab:\n%s", p.HTML)
		}
	})
	t.Run("tags and aliases shown, then removed", func(t *testing.T) {
		if p := b.get(t, base+"?tab=tags"); !strings.Contains(p.HTML, "<td>env</td><td>prod</td>") {
			t.Fatalf("tags tab does not show the tag")
		}
		b.postForm(t, base+"/untag", url.Values{"tagkey": {"env"}})
		if out := h.aws(t, "kms", "list-resource-tags", "--key-id", id); strings.Contains(out, "env") {
			t.Fatalf("tag still there: %s", out)
		}
		if p := b.get(t, base+"?tab=aliases"); !strings.Contains(p.HTML, "alias/actions-key") {
			t.Fatal("aliases tab does not show the alias")
		}
		b.postForm(t, base+"/unalias", url.Values{"alias": {"alias/actions-key"}})
		if out := h.aws(t, "kms", "list-aliases", "--key-id", id); strings.Contains(out, "actions-key") {
			t.Fatalf("alias still there: %s", out)
		}
	})
	t.Run("list shows the key", func(t *testing.T) {
		p := b.get(t, "/console/kms/keys")
		if !strings.Contains(p.HTML, id) || !strings.Contains(p.HTML, "<td>Disabled</td>") {
			t.Fatalf("key list:\n%s", p.HTML)
		}
		if p = b.get(t, "/console/kms/keys?q=no-such-key"); strings.Contains(p.HTML, ">"+id+"<") || !strings.Contains(p.HTML, `class="empty"`) {
			t.Fatal("the filter did not narrow the page")
		}
	})
}

// TestKMSAccessDenied: a user whose policies allow nothing on the key
// sees AccessDenied, and the key does not change.
func TestKMSAccessDenied(t *testing.T) {
	h := newHarness(t)
	id := kmsCreateKey(t, h)
	kmsUser(t, h, "carol", "Carol-Passw0rd!")
	b := h.signIn(t, "carol", "Carol-Passw0rd!")
	b.get(t, "/console/kms/keys/"+id)
	p := b.postForm(t, "/console/kms/keys/"+id+"/disable", nil)
	if got := kmsAlert(p); !strings.Contains(got, "AccessDeniedException") || !strings.Contains(got, "kms:DisableKey") {
		t.Fatalf("alert %q", got)
	}
	if st := kmsDescribe(t, h, id)["KeyState"]; st != "Enabled" {
		t.Fatalf("the refused disable changed the key: %v", st)
	}
	if p := b.get(t, "/console/audit"); !strings.Contains(kmsAlert(p), "cloudtrail:LookupEvents") {
		t.Fatalf("carol reads the event history: %s", kmsAlert(p))
	}
}

// TestKMSUploadExpiredToken: an import token past its validity is refused
// with AWS's error, in the upload page.
func TestKMSUploadExpiredToken(t *testing.T) {
	h := newHarness(t, func(c *server.Config) { c.ImportParametersTTL = time.Second })
	id := kmsCreateKey(t, h, "--origin", "EXTERNAL")
	b := h.signInRoot(t)
	b.get(t, "/console/kms/keys/"+id+"/import")
	_, body := kmsPostRaw(t, b, "/console/kms/keys/"+id+"/import", url.Values{"spec": {"RSA_2048"}, "algorithm": {"RSAES_OAEP_SHA_256"}})
	_, token := kmsZipFiles(t, body)
	time.Sleep(2 * time.Second)
	p := b.postMultipart(t, "/console/kms/keys/"+id+"/upload", map[string]string{"expiration": "none"},
		map[string][]byte{"material": make([]byte, 256), "token": token})
	if got := kmsAlert(p); !strings.Contains(got, "ExpiredImportTokenException") {
		t.Fatalf("alert %q", got)
	}
	if st := kmsDescribe(t, h, id)["KeyState"]; st != "PendingImport" {
		t.Fatalf("key state %v", st)
	}
}
