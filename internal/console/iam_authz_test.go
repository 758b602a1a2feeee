package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestIAMAccessDenied: a user whose policies allow reading IAM only sees
// every change refused in the page, as IAM answered it, and nothing
// changes; a user with no policy sees the refusal of the list itself.
func TestIAMAccessDenied(t *testing.T) {
	h := newHarness(t)
	root := h.signInRoot(t)
	target := addUser(t, root, newUser{name: "alice", programmatic: true})
	readOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`
	addUser(t, root, newUser{name: "viewer", password: "Viewer-Passw0rd", inlineName: "read", inlineDoc: readOnly})
	addUser(t, root, newUser{name: "nobody", password: "Nobody-Passw0rd"})
	before := h.aws(t, "iam", "list-access-keys", "--user-name", "alice")

	v := h.signIn(t, "viewer", "Viewer-Passw0rd")
	v.get(t, "/console/iam/users/alice") // a page with the session's CSRF token
	changes := []struct {
		name, path string
		form       url.Values
	}{
		{"add user", "/console/iam/add-user", url.Values{"step": {"3"}, "go": {"create"}, "user": {"mallory"}, "programmatic": {"on"}}},
		{"create key", "/console/iam/users/alice/keys", nil},
		{"deactivate key", "/console/iam/users/alice/keys/" + target.keyID + "/status", url.Values{"status": {"Inactive"}}},
		{"attach", "/console/iam/users/alice/attach", url.Values{"arn": {adminARN}}},
		{"enable password", "/console/iam/users/alice/password", url.Values{"mode": {"create"}, "password": {"Alice-Passw0rd"}, "password-confirm": {"Alice-Passw0rd"}}},
		{"delete user", "/console/iam/users/alice/delete", url.Values{"confirm": {"alice"}}},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			p := v.postForm(t, c.path, c.form)
			if p.Status != http.StatusOK || !strings.HasPrefix(alertOf(p), "AccessDenied: User: arn:aws:iam::"+testAccount+":user/viewer is not authorized to perform: iam:") {
				t.Fatalf("status %d, alert %q", p.Status, alertOf(p))
			}
		})
	}
	if after := h.aws(t, "iam", "list-access-keys", "--user-name", "alice"); after != before {
		t.Fatalf("alice's keys changed:\n%s\n%s", before, after)
	}
	for _, u := range []string{"mallory"} {
		if strings.Contains(h.aws(t, "iam", "list-users"), u) {
			t.Fatalf("%s was created", u)
		}
	}
	if out := h.aws(t, "iam", "list-attached-user-policies", "--user-name", "alice"); strings.Contains(out, "Administrator") {
		t.Fatal("a policy was attached")
	}

	n := h.signIn(t, "nobody", "Nobody-Passw0rd")
	if p := n.get(t, "/console/iam/users"); p.Status != http.StatusOK || !strings.HasPrefix(alertOf(p), "AccessDenied:") || strings.Contains(p.HTML, `id="no-users"`) {
		t.Fatalf("list without permission: status %d, alert %q", p.Status, alertOf(p))
	}
}

// TestIAMPostsNeedCSRF: a change POSTed without the session's token is
// refused and changes nothing.
func TestIAMPostsNeedCSRF(t *testing.T) {
	h := newHarness(t)
	b := h.signInRoot(t)
	c := addUser(t, b, newUser{name: "frank", programmatic: true})
	before := h.aws(t, "iam", "list-access-keys", "--user-name", "frank")
	forged := []struct {
		name, path string
		form       url.Values
	}{
		{"add user", "/console/iam/add-user", url.Values{"step": {"3"}, "go": {"create"}, "user": {"mallory"}, "programmatic": {"on"}}},
		{"create key", "/console/iam/users/frank/keys", url.Values{}},
		{"deactivate key", "/console/iam/users/frank/keys/" + c.keyID + "/status", url.Values{"status": {"Inactive"}}},
		{"delete key", "/console/iam/users/frank/keys/" + c.keyID + "/delete", url.Values{"confirm": {c.keyID}}},
	}
	for _, f := range forged {
		t.Run(f.name, func(t *testing.T) {
			f.form.Set("csrf", "forged")
			if p := b.postForm(t, f.path, f.form); p.Status != http.StatusForbidden {
				t.Fatalf("status %d", p.Status)
			}
		})
	}
	if after := h.aws(t, "iam", "list-access-keys", "--user-name", "frank"); after != before {
		t.Fatalf("frank's keys changed:\n%s\n%s", before, after)
	}
	if strings.Contains(h.aws(t, "iam", "list-users"), "mallory") {
		t.Fatal("a forged POST created a user")
	}
}

// TestIAMUserListPages: past 100 users the list pages with the ListUsers
// marker, and a search reads every page.
func TestIAMUserListPages(t *testing.T) {
	h := newHarness(t)
	b := h.signInRoot(t)
	b.get(t, "/console/iam/add-user")
	for i := range 105 {
		p := b.postForm(t, "/console/iam/add-user", url.Values{"step": {"3"}, "go": {"create"}, "user": {fmt.Sprintf("u%03d", i)}, "programmatic": {"on"}})
		if alertOf(p) != "" {
			t.Fatalf("u%03d: %s", i, alertOf(p))
		}
	}
	p := b.get(t, "/console/iam/users")
	if n := strings.Count(p.HTML, `<th scope="row">`); n != 100 || !strings.Contains(p.HTML, ">u099<") {
		t.Fatalf("first page: %d users", n)
	}
	next := strings.SplitN(strings.SplitN(p.HTML, `id="next-page" href="`, 2)[1], `"`, 2)[0]
	p = b.get(t, strings.ReplaceAll(next, "&amp;", "&"))
	if n := strings.Count(p.HTML, `<th scope="row">`); n != 5 || !strings.Contains(p.HTML, ">u104<") || strings.Contains(p.HTML, "next-page") {
		t.Fatalf("second page: %d users", n)
	}
	p = b.get(t, "/console/iam/users?q=u10")
	if n := strings.Count(p.HTML, `<th scope="row">`); n != 5 || !strings.Contains(p.HTML, ">u100<") {
		t.Fatalf("search: %d users", n)
	}
}
