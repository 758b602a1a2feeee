package console

import (
	"net/http"
	"net/url"
)

func (c *Console) registerPassword(m *http.ServeMux) {
	m.HandleFunc("GET "+Prefix+"password", c.authed(c.passwordPage))
	m.HandleFunc("POST "+Prefix+"password", c.authed(c.changePassword))
}

// passwordPage is the change-password form (IAM ChangePassword): forced
// after a sign-in whose profile requires a reset.
func (c *Console) passwordPage(w http.ResponseWriter, r *http.Request, ss *session) {
	c.render(w, r, http.StatusOK, "password", &view{Title: "Change password", Data: ss.resetRequired})
}

func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, ss *session) {
	v := &view{Title: "Change password", Data: ss.resetRequired}
	if ss.principal.IsRoot() {
		c.failed(w, r, "password", v, invalid("The account root's password is set with `trent admin root-password`."))
		return
	}
	oldPw, newPw := r.PostFormValue("old"), r.PostFormValue("new")
	if newPw != r.PostFormValue("confirm") {
		c.failed(w, r, "password", v, invalid("The new passwords do not match."))
		return
	}
	err := c.iam(r, ss, "ChangePassword", url.Values{"OldPassword": {oldPw}, "NewPassword": {newPw}}, nil)
	if err != nil {
		c.failed(w, r, "password", v, err)
		return
	}
	c.sessions.passwordChanged(ss.id)
	redirect(w, Prefix)
}
