package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/login"
)

// signinForm is the sign-in page's data.
type signinForm struct {
	Token     string // the double-submit CSRF token
	AccountID string
	UserName  string
	Root      bool
	Next      string
}

// signinFailed is AWS's message for every failed sign-in: it says nothing
// of which part was wrong.
const signinFailed = "Your authentication information is incorrect. Please try again."

func (c *Console) signinPage(w http.ResponseWriter, r *http.Request) {
	if stateOf(r).sess != nil {
		redirect(w, localPath(r.URL.Query().Get("next")))
		return
	}
	f := &signinForm{Token: signinToken(w, r), AccountID: c.cfg.AccountID, Next: r.URL.Query().Get("next")}
	c.render(w, r, http.StatusOK, "signin", &view{Title: "Sign in", Data: f})
}

func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := &signinForm{Token: signinToken(w, r), AccountID: strings.TrimSpace(r.PostFormValue("account")),
		UserName: strings.TrimSpace(r.PostFormValue("username")), Root: r.PostFormValue("as") == "root",
		Next: r.PostFormValue("next")}
	v := &view{Title: "Sign in", Data: f}
	if !signinCSRF(r) {
		v.Error = &pageError{Code: "InvalidCsrfToken", Message: "The sign-in form expired. Please try again."}
		c.render(w, r, http.StatusForbidden, "signin", v)
		return
	}
	user := f.UserName
	if f.Root {
		user = ""
	} else if user == "" {
		v.Error = &pageError{Code: "ValidationError", Message: "Enter your IAM user name."}
		c.render(w, r, http.StatusOK, "signin", v)
		return
	}
	pw := r.PostFormValue("password")
	p, res, err := c.cfg.SignIn.SignIn(r.Context(), f.AccountID, user, pw, audit.SourceIP(r))
	c.recordSignIn(r, f, p, err)
	if err != nil {
		var th *login.ThrottledError
		status := http.StatusUnauthorized
		v.Error = &pageError{Code: "SignInFailed", Message: signinFailed}
		if errors.As(err, &th) {
			status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", fmt.Sprint(int(th.RetryAfter.Seconds())+1))
			v.Error = &pageError{Code: "Throttling", Message: fmt.Sprintf(
				"Too many failed sign-in attempts. Wait %s before you try again.", th.RetryAfter.Round(1e9))}
		} else if !errors.Is(err, login.ErrSignInFailed) {
			v.Error = c.errorOf(r, err)
			status = http.StatusInternalServerError
		}
		c.render(w, r, status, "signin", v)
		return
	}
	ss := c.sessions.start(p, res.PasswordResetRequired)
	setSessionCookie(w, r, ss.id)
	next := localPath(f.Next)
	if ss.resetRequired {
		next = Prefix + "password"
	}
	redirect(w, next)
}

func (c *Console) signout(w http.ResponseWriter, r *http.Request, ss *session) {
	c.sessions.end(ss.id)
	setSessionCookie(w, r, "")
	redirect(w, Prefix+"signin")
}

// recordSignIn asks for the ConsoleLogin record of a sign-in, as
// CloudTrail writes it: a failure names neither the user nor the reason.
func (c *Console) recordSignIn(r *http.Request, f *signinForm, p identity.Principal, err error) {
	st := stateOf(r)
	rec := audit.NewAPICall(r, "signin.amazonaws.com", "ConsoleLogin", c.cfg.Region, c.cfg.AccountID, st.reqID)
	rec.EventType = "AwsConsoleSignIn"
	outcome := "Success"
	if err != nil {
		outcome = "Failure"
		rec.ErrorMessage = "Failed authentication"
		rec.UserIdentity = audit.UserIdentity{Type: "IAMUser", AccountID: f.AccountID, UserName: "HIDDEN_DUE_TO_SECURITY_REASONS"}
		if f.Root {
			rec.UserIdentity = audit.UserIdentity{Type: "Root", AccountID: f.AccountID}
		}
	} else {
		rec.UserIdentity = audit.IdentityOf(p)
	}
	rec.ResponseElements, _ = json.Marshal(map[string]string{"ConsoleLogin": outcome})
	st.record = rec
}

// displayName is who the session is, as the console's header shows it.
func displayName(ss *session) string {
	if ss.principal.IsRoot() {
		return "root"
	}
	return ss.principal.UserName
}
