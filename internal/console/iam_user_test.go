package console_test

import (
	"html"
	"net/url"
	"strings"
	"testing"
)

// TestIAMAccessKeys creates, deactivates and deletes access keys from a
// user's page, and checks each against the API.
func TestIAMAccessKeys(t *testing.T) {
	h := newHarness(t)
	b := h.signInRoot(t)
	c := addUser(t, b, newUser{name: "bob", programmatic: true, policies: []string{adminARN}})
	base := "/console/iam/users/bob"

	p := b.postForm(t, base+"/keys", nil)
	k2 := keyIDSpan.FindStringSubmatch(p.HTML)
	s2 := secretSpan.FindStringSubmatch(p.HTML)
	slot := slotInput.FindStringSubmatch(p.HTML)
	if k2 == nil || s2 == nil || slot == nil {
		t.Fatalf("the new key's page (%s):\n%s", alertOf(p), p.HTML)
	}
	secret := html.UnescapeString(s2[1])
	h.awsAs(t, k2[1], secret, "sts", "get-caller-identity")
	status, disp, body := download(t, b, slot[1])
	if want := "Access key ID,Secret access key\n" + k2[1] + "," + secret + "\n"; status != 200 || body != want ||
		!strings.Contains(disp, `filename="bob_accessKeys.csv"`) {
		t.Fatalf("csv: %d %q %q", status, disp, body)
	}

	p = b.postForm(t, base+"/keys/"+c.keyID+"/status", url.Values{"status": {"Inactive"}})
	if p.URL != base || !strings.Contains(p.HTML, "The access key was deactivated.") {
		t.Fatalf("deactivate: at %s, %s", p.URL, alertOf(p))
	}
	if out, err := h.awsTry(t, c.keyID, c.secret, "sts", "get-caller-identity"); err == nil {
		t.Fatalf("an inactive key still signs: %s", out)
	}

	cases := []struct{ name, confirm, wantAlert string }{
		{"wrong confirmation", "nope", "ValidationError: To confirm the deletion, enter the access key ID."},
		{"confirmed", c.keyID, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := b.postForm(t, base+"/keys/"+c.keyID+"/delete", url.Values{"confirm": {tc.confirm}})
			if a := alertOf(p); a != tc.wantAlert {
				t.Fatalf("alert %q, want %q", a, tc.wantAlert)
			}
			listed := strings.Contains(h.aws(t, "iam", "list-access-keys", "--user-name", "bob"), c.keyID)
			if listed != (tc.wantAlert != "") {
				t.Fatalf("key listed: %v", listed)
			}
		})
	}
}

// TestIAMLoginProfile enables, resets and disables console access from a
// user's page, and signs in with each password.
func TestIAMLoginProfile(t *testing.T) {
	h := newHarness(t)
	b := h.signInRoot(t)
	addUser(t, b, newUser{name: "dora", programmatic: true})
	base := "/console/iam/users/dora"
	if p := b.get(t, base); !strings.Contains(p.HTML, `id="console-password">Disabled`) {
		t.Fatal("a user without a password shows console access enabled")
	}
	p := b.postForm(t, base+"/password", url.Values{"mode": {"create"}, "password": {"Dora-Passw0rd1"}, "password-confirm": {"Dora-Passw0rd1"}})
	if !strings.Contains(p.HTML, `id="console-password">Enabled`) {
		t.Fatalf("enable: %s", alertOf(p))
	}
	h.signIn(t, "dora", "Dora-Passw0rd1")

	p = b.postForm(t, base+"/password", url.Values{"mode": {"update"}, "password": {"Dora-Passw0rd2"},
		"password-confirm": {"Dora-Passw0rd2"}, "reset": {"on"}})
	if !strings.Contains(p.HTML, "a new password is required at next sign-in") {
		t.Fatalf("reset: %s", alertOf(p))
	}
	if p := h.signIn(t, "dora", "Dora-Passw0rd2").get(t, "/console/iam/users"); p.URL != "/console/password" {
		t.Fatalf("after a reset the user reached %s, not the change-password page", p.URL)
	}
	if p := b.postForm(t, base+"/password", url.Values{"mode": {"update"}, "password": {"a"}, "password-confirm": {"b"}}); alertOf(p) != "ValidationError: The passwords do not match." {
		t.Fatalf("mismatch: %q", alertOf(p))
	}

	b.postForm(t, base+"/password/delete", nil)
	sb := h.browser()
	sb.get(t, "/console/signin")
	p = sb.postForm(t, "/console/signin", url.Values{"as": {"iam"}, "account": {testAccount}, "username": {"dora"}, "password": {"Dora-Passw0rd2"}})
	if p.Status != 401 {
		t.Fatalf("sign-in after console access was disabled: %d at %s", p.Status, p.URL)
	}
}

// TestIAMPoliciesAndDeleteUser attaches, detaches and writes policies,
// and deletes a user once IAM lets it.
func TestIAMPoliciesAndDeleteUser(t *testing.T) {
	h := newHarness(t)
	b := h.signInRoot(t)
	c := addUser(t, b, newUser{name: "erin", programmatic: true})
	base := "/console/iam/users/erin"
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:List*","Resource":"*"}]}`
	steps := []struct {
		name, path string
		form       url.Values
		wantAlert  string
	}{
		{"attach", "/attach", url.Values{"arn": {adminARN}}, ""},
		{"inline", "/inline", url.Values{"policy-name": {"list"}, "policy-doc": {doc}}, ""},
		{"inline not JSON", "/inline", url.Values{"policy-name": {"bad"}, "policy-doc": {"{"}}, "ValidationError: The policy document is not valid JSON."},
		{"delete refused", "/delete", url.Values{"confirm": {"erin"}}, "DeleteConflict: Cannot delete entity, must delete access keys first."},
		{"detach", "/detach", url.Values{"arn": {adminARN}}, ""},
		{"inline delete", "/inline/delete", url.Values{"policy-name": {"list"}}, ""},
		{"key delete", "/keys/" + c.keyID + "/delete", url.Values{"confirm": {c.keyID}}, ""},
		{"delete unconfirmed", "/delete", url.Values{"confirm": {"Erin"}}, "ValidationError: To confirm the deletion, enter the user name."},
		{"delete", "/delete", url.Values{"confirm": {"erin"}}, ""},
	}
	for _, s := range steps {
		p := b.postForm(t, base+s.path, s.form)
		if a := alertOf(p); a != s.wantAlert {
			t.Fatalf("%s: alert %q, want %q", s.name, a, s.wantAlert)
		}
		if s.name == "inline" && !strings.Contains(p.HTML, "kms:List*") {
			t.Fatalf("the inline policy's document is not shown")
		}
	}
	if out := h.aws(t, "iam", "list-users"); strings.Contains(out, "erin") {
		t.Fatal("erin was not deleted")
	}
}
