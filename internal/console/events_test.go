package console_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var eventRowRE = regexp.MustCompile(`(?s)<tr>\s*<td><a href="/console/audit/([^"]+)">[^<]*</a></td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>`)

// eventRows are the (event ID, event name, user) rows of an event history
// page.
func eventRows(p page) [][3]string {
	var out [][3]string
	for _, m := range eventRowRE.FindAllStringSubmatch(p.HTML, -1) {
		out = append(out, [3]string{m[1], m[2], m[3]})
	}
	return out
}

// TestEventHistory filters the audit trail by user, event name, key and
// time, shows one record as JSON, and shows the history only to those
// allowed cloudtrail:LookupEvents.
func TestEventHistory(t *testing.T) {
	h := newHarness(t)
	kmsUser(t, h, "dave", "Dave-Passw0rd!", "arn:aws:iam::aws:policy/AdministratorAccess")
	kmsUser(t, h, "erin", "Erin-Passw0rd!")
	// Erin may read the trail and nothing else (not even her own policies:
	// the server evaluates them, not the console through IAM).
	h.aws(t, "iam", "put-user-policy", "--user-name", "erin", "--policy-name", "trail",
		"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:LookupEvents","Resource":"*"}]}`)
	kmsUser(t, h, "frank", "Frank-Passw0rd!")
	h.aws(t, "iam", "put-user-policy", "--user-name", "frank", "--policy-name", "other",
		"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}`)
	keyA, keyB := kmsCreateKey(t, h), kmsCreateKey(t, h)
	db := h.signIn(t, "dave", "Dave-Passw0rd!")
	db.get(t, "/console/kms/keys/"+keyA)
	db.postForm(t, "/console/kms/keys/"+keyA+"/disable", nil)
	b := h.signInRoot(t)
	b.postForm(t, "/console/kms/keys/"+keyB+"/disable", nil)

	filters := []struct {
		name  string
		q     url.Values
		check func(row [3]string) bool
		min   int
	}{
		{"all", nil, func([3]string) bool { return true }, 5},
		{"event name", url.Values{"event": {"DisableKey"}}, func(r [3]string) bool { return r[1] == "DisableKey" }, 2},
		{"user", url.Values{"user": {"dave"}}, func(r [3]string) bool { return r[2] == "dave" }, 2},
		{"root", url.Values{"user": {"root"}, "event": {"CreateKey"}}, func(r [3]string) bool { return r[2] == "Root" && r[1] == "CreateKey" }, 2},
		{"key", url.Values{"key": {keyA}, "event": {"DisableKey"}}, func(r [3]string) bool { return r[2] == "dave" }, 1},
		{"future", url.Values{"from": {time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04")}}, nil, 0},
	}
	for _, f := range filters {
		t.Run(f.name, func(t *testing.T) {
			p := b.get(t, "/console/audit?"+f.q.Encode())
			rows := eventRows(p)
			if len(rows) < f.min || (f.min == 0 && len(rows) != 0) {
				t.Fatalf("%d rows, want at least %d (%s)", len(rows), f.min, kmsAlert(p))
			}
			for _, r := range rows {
				if !f.check(r) {
					t.Fatalf("row %v does not match the filter", r)
				}
			}
		})
	}
	t.Run("one record", func(t *testing.T) {
		rows := eventRows(b.get(t, "/console/audit?event=DisableKey&user=dave"))
		if len(rows) != 1 {
			t.Fatalf("%d rows", len(rows))
		}
		p := b.get(t, "/console/audit/"+rows[0][0])
		js := kmsUnescaped(p)
		for _, want := range []string{`"eventName": "DisableKey"`, `"eventID": "` + rows[0][0] + `"`, `"userName": "dave"`, keyA} {
			if !strings.Contains(js, want) {
				t.Fatalf("the record lacks %s:\n%s", want, js)
			}
		}
		if p := b.get(t, "/console/audit/no-such-event"); p.Status != 404 {
			t.Fatalf("an unknown event: status %d", p.Status)
		}
	})
	who := []struct {
		user, password string
		allowed        bool
	}{
		{"dave", "Dave-Passw0rd!", true},    // AdministratorAccess
		{"erin", "Erin-Passw0rd!", true},    // an inline policy allows cloudtrail:LookupEvents
		{"frank", "Frank-Passw0rd!", false}, // no policy allows it
	}
	for _, w := range who {
		t.Run("authorization/"+w.user, func(t *testing.T) {
			p := h.signIn(t, w.user, w.password).get(t, "/console/audit")
			denied := strings.Contains(kmsAlert(p), "not authorized to perform: cloudtrail:LookupEvents")
			if denied == w.allowed || (w.allowed && len(eventRows(p)) == 0) {
				t.Fatalf("allowed %v, page alert %q, %d rows", w.allowed, kmsAlert(p), len(eventRows(p)))
			}
		})
	}
}
