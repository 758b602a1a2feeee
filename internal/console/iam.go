package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/policy"
)

// The IAM pages: the user list, the Add user wizard, a user's detail page
// and its actions. Every read and change is the IAM action it stands for,
// called as the signed-in user (Console.iam); this file holds what the
// pages share.

// registerIAM registers the IAM pages.
func (c *Console) registerIAM(m *http.ServeMux) {
	m.HandleFunc("GET "+Prefix+"iam", func(w http.ResponseWriter, r *http.Request) { redirect(w, Prefix+"iam/users") })
	m.HandleFunc("GET "+Prefix+"iam/users", c.authed(c.iamUsers))
	// The wizard is not under iam/users/: "new" or "create" is a valid
	// user name, whose detail page it would hide.
	m.HandleFunc("GET "+Prefix+"iam/add-user", c.authed(c.addUserPage))
	m.HandleFunc("POST "+Prefix+"iam/add-user", c.authed(c.addUserStep))
	m.HandleFunc("POST "+Prefix+"iam/credentials.csv", c.authed(c.credentialsCSV))
	m.HandleFunc("GET "+Prefix+"iam/users/{name}", c.authed(c.userPage))
	c.registerUserActions(m)
}

// iamUser is IAM's User element.
type iamUser struct {
	UserName   string
	UserID     string `xml:"UserId"`
	Arn        string
	Path       string
	CreateDate string
}

// Created is the user's creation time (zero if the API sent none).
func (u iamUser) Created() time.Time { return isoTime(u.CreateDate) }

// isoTime parses IAM's ISO 8601 times; zero if s is not one.
func isoTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// userPath is the detail page of the user name.
func userPath(name string) string { return Prefix + "iam/users/" + url.PathEscape(name) }

// managedOption is a managed policy a form offers.
type managedOption struct {
	Name, ARN, Description string
	Checked                bool
}

// managedDescriptions are AWS's descriptions of the managed policies Trent
// ships.
var managedDescriptions = map[string]string{
	"AdministratorAccess":              "Provides full access to AWS services and resources.",
	"AWSKeyManagementServicePowerUser": "Provides access to AWS Key Management Service (KMS).",
}

// managedOptions lists the AWS managed policies Trent ships, by name, with
// those in checked checked. Trent's IAM has no ListPolicies action: the
// catalog is package policy's, the very documents IAM attaches, so that
// the console offers exactly what AttachUserPolicy accepts (and the
// attachment itself is still the API call).
func managedOptions(checked []string) []managedOption {
	arns := policy.ManagedPolicyARNs()
	out := make([]managedOption, 0, len(arns))
	for _, arn := range arns {
		name := arn[strings.LastIndexByte(arn, '/')+1:]
		out = append(out, managedOption{Name: name, ARN: arn, Description: managedDescriptions[name],
			Checked: slices.Contains(checked, arn)})
	}
	slices.SortFunc(out, func(a, b managedOption) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

// iamErrCode is the API error code of err ("" if err is not an API refusal).
func iamErrCode(err error) string {
	var ce *frontdoor.CallError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

// iamFlashes are the messages a redirect after a change may ask for
// (?done=code): fixed texts, so that a URL cannot put words in the page.
var iamFlashes = map[string]string{
	"attached":       "The policy was attached.",
	"detached":       "The policy was detached.",
	"inline-saved":   "The inline policy was saved.",
	"inline-deleted": "The inline policy was deleted.",
	"password-set":   "The console password was set.",
	"password-off":   "Console access was disabled: the user's password was deleted.",
	"key-active":     "The access key was activated.",
	"key-inactive":   "The access key was deactivated.",
	"key-deleted":    "The access key was deleted.",
	"user-deleted":   "The user was deleted.",
}

// iamFlash is the message r's done parameter asks for.
func iamFlash(r *http.Request) string { return iamFlashes[r.URL.Query().Get("done")] }

// consoleSigninURL is the console's sign-in page as the browser reached it, the
// "Console login link" of a new user's credentials.
func consoleSigninURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Prefix + "signin"
}
