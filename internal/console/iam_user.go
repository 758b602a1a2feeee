package console

import (
	"net/http"
	"net/url"
	"slices"
	"time"
)

// userDetail is a user's detail page: its summary, permissions and
// security credentials, each read by its own API call. A section the
// signed-in user may not read shows the refusal; the others still show.
type userDetail struct {
	Name        string
	User        iamUser
	UserErr     *pageError
	Attached    []attachedPolicy
	AttachedErr *pageError
	Inline      []inlinePolicy
	InlineErr   *pageError
	Keys        []accessKeyMeta
	KeysErr     *pageError
	Profile     *loginProfile // nil: no console password
	ProfileErr  *pageError
	Attachable  []managedOption // managed policies not attached yet
	SigninURL   string
}

type attachedPolicy struct{ PolicyName, PolicyArn string }

type inlinePolicy struct {
	Name     string
	Document string // as stored; "" with Err if it could not be read
	Err      *pageError
}

// accessKeyMeta is IAM's AccessKeyMetadata element.
type accessKeyMeta struct {
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string
	CreateDate  string
}

// Created is the key's creation time.
func (k accessKeyMeta) Created() time.Time { return isoTime(k.CreateDate) }

// loginProfile is IAM's LoginProfile element.
type loginProfile struct {
	CreateDate            string
	PasswordResetRequired bool
}

// Created is the profile's creation time.
func (p loginProfile) Created() time.Time { return isoTime(p.CreateDate) }

func (c *Console) userPage(w http.ResponseWriter, r *http.Request, ss *session) {
	d := c.loadUser(r, ss, r.PathValue("name"))
	v := &view{Title: "User " + d.Name, Nav: "iam", Data: d, Flash: iamFlash(r)}
	status := http.StatusOK
	if d.UserErr != nil && d.UserErr.Code == "NoSuchEntity" {
		status = http.StatusNotFound
	}
	c.render(w, r, status, "iam_user", v)
}

// loadUser reads the user name's detail page: GetUser, then (if it
// exists) ListAttachedUserPolicies, ListUserPolicies and GetUserPolicy,
// ListAccessKeys and GetLoginProfile.
func (c *Console) loadUser(r *http.Request, ss *session, name string) *userDetail {
	d := &userDetail{Name: name, SigninURL: consoleSigninURL(r)}
	user := url.Values{"UserName": {name}}
	var u struct {
		User iamUser
	}
	if err := c.iam(r, ss, "GetUser", user, &u); err != nil {
		d.UserErr = c.errorOf(r, err)
		if d.UserErr.Code == "NoSuchEntity" {
			return d
		}
	}
	d.User = u.User
	var att struct {
		Policies []attachedPolicy `xml:"AttachedPolicies>member"`
	}
	if err := c.iam(r, ss, "ListAttachedUserPolicies", user, &att); err != nil {
		d.AttachedErr = c.errorOf(r, err)
	}
	d.Attached = att.Policies
	var arns []string
	for _, p := range d.Attached {
		arns = append(arns, p.PolicyArn)
	}
	for _, o := range managedOptions(nil) {
		if !slices.Contains(arns, o.ARN) {
			d.Attachable = append(d.Attachable, o)
		}
	}
	d.Inline, d.InlineErr = c.loadInline(r, ss, name)
	var keys struct {
		Keys []accessKeyMeta `xml:"AccessKeyMetadata>member"`
	}
	if err := c.iam(r, ss, "ListAccessKeys", user, &keys); err != nil {
		d.KeysErr = c.errorOf(r, err)
	}
	d.Keys = keys.Keys
	var prof struct {
		Profile loginProfile `xml:"LoginProfile"`
	}
	switch err := c.iam(r, ss, "GetLoginProfile", user, &prof); {
	case err == nil:
		d.Profile = &prof.Profile
	case iamErrCode(err) != "NoSuchEntity":
		d.ProfileErr = c.errorOf(r, err)
	}
	return d
}

// loadInline reads the user's inline policies and their documents.
func (c *Console) loadInline(r *http.Request, ss *session, name string) ([]inlinePolicy, *pageError) {
	var names struct {
		Names []string `xml:"PolicyNames>member"`
	}
	if err := c.iam(r, ss, "ListUserPolicies", url.Values{"UserName": {name}}, &names); err != nil {
		return nil, c.errorOf(r, err)
	}
	out := make([]inlinePolicy, 0, len(names.Names))
	for _, pn := range names.Names {
		var doc struct{ PolicyDocument string }
		p := inlinePolicy{Name: pn}
		if err := c.iam(r, ss, "GetUserPolicy", url.Values{"UserName": {name}, "PolicyName": {pn}}, &doc); err != nil {
			p.Err = c.errorOf(r, err)
		} else if p.Document, err = url.PathUnescape(doc.PolicyDocument); err != nil {
			p.Document = doc.PolicyDocument
		}
		out = append(out, p)
	}
	return out, nil
}
