package console_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const adminARN = "arn:aws:iam::aws:policy/AdministratorAccess"

var (
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	keyIDSpan   = regexp.MustCompile(`id="access-key-id">([^<]+)<`)
	secretSpan  = regexp.MustCompile(`id="secret-access-key">([^<]+)<`)
	slotInput   = regexp.MustCompile(`name="slot" value="([^"]+)"`)
)

// hiddenFields returns the hidden fields of the page's forms, as a browser
// posting its (only) form would send them.
func hiddenFields(htm string) url.Values {
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(htm, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// newUser is what the Add user wizard asks for.
type newUser struct {
	name         string
	programmatic bool
	password     string // "": no console access
	reset        bool
	policies     []string
	inlineName   string
	inlineDoc    string
}

// created is the wizard's success page, as read.
type created struct {
	page                page
	keyID, secret, slot string
}

// addUser walks the Add user wizard as b, as a browser would (the hidden
// fields of each step carried to the next), and returns its last page.
func addUser(t *testing.T, b *browser, u newUser) created {
	t.Helper()
	p := b.get(t, "/console/iam/add-user")
	if p.Status != http.StatusOK || !strings.Contains(p.HTML, `id="programmatic"`) {
		t.Fatalf("add user: status %d\n%s", p.Status, p.HTML)
	}
	step1 := hiddenFields(p.HTML)
	step1.Set("user", u.name)
	step1.Set("go", "next")
	step1.Del("programmatic") // the checkbox's default is checked; the test says
	if u.programmatic {
		step1.Set("programmatic", "on")
	}
	if u.password != "" {
		step1.Set("console", "on")
	}
	if u.reset {
		step1.Set("reset", "on")
	}
	p = b.postForm(t, "/console/iam/add-user", step1)
	if !strings.Contains(p.HTML, `id="managed-policies"`) {
		t.Fatalf("step 1 did not lead to the permissions step:\n%s", p.HTML)
	}
	step2 := hiddenFields(p.HTML)
	step2["policy"] = u.policies
	step2.Set("inline-name", u.inlineName)
	step2.Set("inline-doc", u.inlineDoc)
	step2.Set("go", "next")
	p = b.postForm(t, "/console/iam/add-user", step2)
	if !strings.Contains(p.HTML, `id="review"`) {
		t.Fatalf("step 2 did not lead to the review:\n%s", p.HTML)
	}
	if strings.Contains(p.HTML, u.password) && u.password != "" {
		t.Fatal("the review page holds the password")
	}
	final := hiddenFields(p.HTML)
	final.Set("go", "create")
	if u.password != "" {
		final.Set("password", u.password)
		final.Set("password-confirm", u.password)
	}
	p = b.postForm(t, "/console/iam/add-user", final)
	c := created{page: p}
	if m := keyIDSpan.FindStringSubmatch(p.HTML); m != nil {
		c.keyID = m[1]
	}
	if m := secretSpan.FindStringSubmatch(p.HTML); m != nil {
		c.secret = html.UnescapeString(m[1])
	}
	if m := slotInput.FindStringSubmatch(p.HTML); m != nil {
		c.slot = m[1]
	}
	return c
}

// download posts the .csv form of slot and returns the status, the
// Content-Disposition and the body.
func download(t *testing.T, b *browser, slot string) (int, string, string) {
	t.Helper()
	vals := url.Values{"csrf": {b.csrf}, "slot": {slot}}
	req, _ := http.NewRequest(http.MethodPost, b.h.URL+"/console/iam/credentials.csv", strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Disposition"), string(body)
}

// alertOf is the page's first error alert, "Code: Message" ("" if none).
func alertOf(p page) string {
	m := alertRE.FindStringSubmatch(p.HTML)
	if m == nil {
		return ""
	}
	return m[1] + ": " + html.UnescapeString(m[2])
}

var alertRE = regexp.MustCompile(`role="alert"><strong>([^<]+)</strong>: ([^<]*)<`)
