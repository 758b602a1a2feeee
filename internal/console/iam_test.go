package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestIAMAddUserBothAccessTypes walks the Add user wizard to a user with
// an access key, a console password and AdministratorAccess, then uses
// each: the key with the AWS CLI, the password to sign in, the .csv once.
func TestIAMAddUserBothAccessTypes(t *testing.T) {
	h := newHarness(t)
	b := h.signInRoot(t)
	if p := b.get(t, "/console/iam/users"); !strings.Contains(p.HTML, `id="no-users"`) {
		t.Fatalf("an account without users shows no empty state:\n%s", p.HTML)
	}
	const pw = "Alice-Passw0rd!"
	c := addUser(t, b, newUser{name: "alice", programmatic: true, password: pw, policies: []string{adminARN}})
	if c.keyID == "" || c.secret == "" || c.slot == "" {
		t.Fatalf("the success page shows no key, secret or download (%s):\n%s", alertOf(c.page), c.page.HTML)
	}
	if strings.Contains(c.page.HTML, pw) {
		t.Fatal("the success page holds the password")
	}

	t.Run("access key works with the AWS CLI", func(t *testing.T) {
		var who struct{ Arn string }
		json.Unmarshal([]byte(h.awsAs(t, c.keyID, c.secret, "sts", "get-caller-identity")), &who)
		if who.Arn != "arn:aws:iam::"+testAccount+":user/alice" {
			t.Fatalf("the key is %q's", who.Arn)
		}
		h.awsAs(t, c.keyID, c.secret, "kms", "list-keys") // AdministratorAccess allows it
	})
	t.Run("csv downloads once", func(t *testing.T) {
		status, disp, body := download(t, b, c.slot)
		want := "User name,Password,Access key ID,Secret access key,Console login link\n" +
			fmt.Sprintf("alice,,%s,%s,%s/console/signin\n", c.keyID, c.secret, h.URL)
		if status != http.StatusOK || body != want || !strings.Contains(disp, `filename="credentials.csv"`) {
			t.Fatalf("status %d, %q, body:\n%s\nwant:\n%s", status, disp, body, want)
		}
		if status, _, body = download(t, b, c.slot); status != http.StatusGone || strings.Contains(body, c.secret) {
			t.Fatalf("second download: status %d", status)
		}
	})
	t.Run("csv is bound to the session", func(t *testing.T) {
		c2 := addUser(t, b, newUser{name: "carol", programmatic: true})
		other := h.signInRoot(t)
		if status, _, body := download(t, other, c2.slot); status != http.StatusGone || strings.Contains(body, c2.secret) {
			t.Fatalf("another session downloaded the slot: status %d", status)
		}
	})
	t.Run("password signs in", func(t *testing.T) {
		ab := h.signIn(t, "alice", pw)
		if p := ab.get(t, "/console/iam/users/alice"); !strings.Contains(p.HTML, "AdministratorAccess") || alertOf(p) != "" {
			t.Fatalf("alice's own page: %s", alertOf(p))
		}
	})
	t.Run("list and search", func(t *testing.T) {
		cases := []struct {
			query      string
			want, not_ []string
		}{
			{"", []string{">alice<", ">carol<"}, nil},
			{"ALI", []string{">alice<"}, []string{">carol<"}},
			{"zed", []string{`id="no-users"`}, []string{">alice<"}},
		}
		for _, tc := range cases {
			p := b.get(t, "/console/iam/users?q="+url.QueryEscape(tc.query))
			for _, w := range tc.want {
				if !strings.Contains(p.HTML, w) {
					t.Errorf("search %q: no %s", tc.query, w)
				}
			}
			for _, w := range tc.not_ {
				if strings.Contains(p.HTML, w) {
					t.Errorf("search %q: %s shown", tc.query, w)
				}
			}
		}
	})
}

// TestIAMAddUserRefusals: the wizard's own checks and the API's refusal
// of CreateUser leave the wizard where it was and create nothing; a later
// refusal says what was created.
func TestIAMAddUserRefusals(t *testing.T) {
	h := newHarness(t)
	b := h.signInRoot(t)
	t.Run("weak password: nothing created", func(t *testing.T) {
		c := addUser(t, b, newUser{name: "weak", password: "short"})
		if a := alertOf(c.page); !strings.HasPrefix(a, "PasswordPolicyViolation: Password does not conform") {
			t.Fatalf("alert %q", a)
		}
		if out := h.aws(t, "iam", "list-users"); strings.Contains(out, "weak") {
			t.Fatal("a user was created")
		}
	})
	t.Run("existing user", func(t *testing.T) {
		h.aws(t, "iam", "create-user", "--user-name", "taken")
		c := addUser(t, b, newUser{name: "taken", programmatic: true})
		if a := alertOf(c.page); !strings.HasPrefix(a, "EntityAlreadyExists:") || !strings.Contains(c.page.HTML, `id="review"`) {
			t.Fatalf("alert %q", a)
		}
	})
	t.Run("bad inline policy after CreateUser", func(t *testing.T) {
		c := addUser(t, b, newUser{name: "half", programmatic: true, policies: []string{adminARN},
			inlineName: "p", inlineDoc: `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`})
		if a := alertOf(c.page); !strings.HasPrefix(a, "MalformedPolicyDocument:") {
			t.Fatalf("alert %q\n%s", a, c.page.HTML)
		}
		for _, want := range []string{"User partly created", "Create user half</th><td><code>CreateUser</code></td>\n      <td>Done",
			"Not attempted"} {
			if !strings.Contains(c.page.HTML, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if c.secret != "" {
			t.Fatal("an access key was created after the refusal")
		}
	})
}
