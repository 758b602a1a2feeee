package console

import (
	"net/http"
	"net/url"
	"strconv"
)

// The changes of a user's detail page. Each form POSTs to the user's path
// and stands for one IAM call; after it the browser is sent back to the
// detail page (303, so that a reload repeats nothing), and a refusal is
// shown in the detail page as the API answered it.

func (c *Console) registerUserActions(m *http.ServeMux) {
	u := "POST " + Prefix + "iam/users/{name}/"
	m.HandleFunc(u+"attach", c.authed(c.userAction(attachChange("AttachUserPolicy", "attached"))))
	m.HandleFunc(u+"detach", c.authed(c.userAction(attachChange("DetachUserPolicy", "detached"))))
	m.HandleFunc(u+"inline", c.authed(c.userAction(putInline)))
	m.HandleFunc(u+"inline/delete", c.authed(c.userAction(deleteInline)))
	m.HandleFunc(u+"password", c.authed(c.userAction(c.setPassword)))
	m.HandleFunc(u+"password/delete", c.authed(c.userAction(deletePassword)))
	m.HandleFunc(u+"keys", c.authed(c.createAccessKey))
	m.HandleFunc(u+"keys/{id}/status", c.authed(c.userAction(accessKeyStatus)))
	m.HandleFunc(u+"keys/{id}/delete", c.authed(c.userAction(deleteAccessKey)))
	m.HandleFunc(u+"delete", c.authed(c.deleteUser))
}

// userChange reads a detail page form: the IAM action it stands for, its
// parameters, and the flash code to show after it; or the console's
// refusal of the form.
type userChange func(r *http.Request, name string) (action string, params url.Values, done string, err error)

// userAction is the handler of a detail page change.
func (c *Console) userAction(ch userChange) handler {
	return func(w http.ResponseWriter, r *http.Request, ss *session) {
		name := r.PathValue("name")
		action, params, done, err := ch(r, name)
		if err == nil {
			err = c.iam(r, ss, action, params, nil)
		}
		if err != nil {
			c.userFailed(w, r, ss, name, err)
			return
		}
		redirect(w, userPath(name)+"?done="+done)
	}
}

// userFailed shows the user's detail page with err.
func (c *Console) userFailed(w http.ResponseWriter, r *http.Request, ss *session, name string, err error) {
	d := c.loadUser(r, ss, name)
	c.failed(w, r, "iam_user", &view{Title: "User " + name, Nav: "iam", Data: d}, err)
}

func attachChange(action, done string) userChange {
	return func(r *http.Request, name string) (string, url.Values, string, error) {
		arn := r.PostFormValue("arn")
		if arn == "" {
			return "", nil, "", invalid("Choose a policy.")
		}
		return action, url.Values{"UserName": {name}, "PolicyArn": {arn}}, done, nil
	}
}

func putInline(r *http.Request, name string) (string, url.Values, string, error) {
	pn, doc := r.PostFormValue("policy-name"), r.PostFormValue("policy-doc")
	if err := checkInlinePolicy(pn, doc, false); err != nil {
		return "", nil, "", err
	}
	return "PutUserPolicy", url.Values{"UserName": {name}, "PolicyName": {pn}, "PolicyDocument": {doc}}, "inline-saved", nil
}

func deleteInline(r *http.Request, name string) (string, url.Values, string, error) {
	return "DeleteUserPolicy", url.Values{"UserName": {name}, "PolicyName": {r.PostFormValue("policy-name")}}, "inline-deleted", nil
}

// setPassword enables console access (CreateLoginProfile, mode=create) or
// resets the password (UpdateLoginProfile).
func (c *Console) setPassword(r *http.Request, name string) (string, url.Values, string, error) {
	pw := r.PostFormValue("password")
	if err := checkNewPassword(pw, r.PostFormValue("password-confirm"), c.cfg.AccountID, name); err != nil {
		return "", nil, "", err
	}
	action := "UpdateLoginProfile"
	if r.PostFormValue("mode") == "create" {
		action = "CreateLoginProfile"
	}
	params := url.Values{"UserName": {name}, "Password": {pw},
		"PasswordResetRequired": {strconv.FormatBool(r.PostFormValue("reset") != "")}}
	return action, params, "password-set", nil
}

func deletePassword(r *http.Request, name string) (string, url.Values, string, error) {
	return "DeleteLoginProfile", url.Values{"UserName": {name}}, "password-off", nil
}

func accessKeyStatus(r *http.Request, name string) (string, url.Values, string, error) {
	status := r.PostFormValue("status")
	if status != "Active" && status != "Inactive" {
		return "", nil, "", invalid("The status is Active or Inactive.")
	}
	return "UpdateAccessKey", url.Values{"UserName": {name}, "AccessKeyId": {r.PathValue("id")}, "Status": {status}},
		map[string]string{"Active": "key-active", "Inactive": "key-inactive"}[status], nil
}

// deleteAccessKey deletes an access key once its ID is typed as confirmation.
func deleteAccessKey(r *http.Request, name string) (string, url.Values, string, error) {
	id := r.PathValue("id")
	if r.PostFormValue("confirm") != id {
		return "", nil, "", invalid("To confirm the deletion, enter the access key ID.")
	}
	return "DeleteAccessKey", url.Values{"UserName": {name}, "AccessKeyId": {id}}, "key-deleted", nil
}

// deleteUser deletes the user once its name is typed as confirmation;
// IAM refuses (DeleteConflict) while it has keys, a password or policies.
func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, ss *session) {
	name := r.PathValue("name")
	var err error
	if r.PostFormValue("confirm") != name {
		err = invalid("To confirm the deletion, enter the user name.")
	} else {
		err = c.iam(r, ss, "DeleteUser", url.Values{"UserName": {name}}, nil)
	}
	if err != nil {
		c.userFailed(w, r, ss, name, err)
		return
	}
	redirect(w, Prefix+"iam/users?done=user-deleted")
}

// newAccessKey is the page of a new access key: its secret, shown this once.
type newAccessKey struct {
	UserName, AccessKeyID, Secret string
	Download                      string // the .csv slot
}

// createAccessKey creates an access key (CreateAccessKey) and shows it.
func (c *Console) createAccessKey(w http.ResponseWriter, r *http.Request, ss *session) {
	name := r.PathValue("name")
	var out struct {
		AccessKeyID string `xml:"AccessKey>AccessKeyId"`
		Secret      string `xml:"AccessKey>SecretAccessKey"`
	}
	if err := c.iam(r, ss, "CreateAccessKey", url.Values{"UserName": {name}}, &out); err != nil {
		c.userFailed(w, r, ss, name, err)
		return
	}
	k := &newAccessKey{UserName: name, AccessKeyID: out.AccessKeyID, Secret: out.Secret}
	body := iamCSV([]string{"Access key ID", "Secret access key"}, []string{out.AccessKeyID, out.Secret})
	k.Download = c.slots.put(ss.id, name+"_accessKeys.csv", body, c.cfg.Now())
	c.render(w, r, http.StatusOK, "iam_access_key", &view{Title: "Access key created", Nav: "iam", Data: k})
}
