package console

import (
	"net/http"
	"net/url"
	"strings"
)

// handler is a page handler for a signed-in session.
type handler func(w http.ResponseWriter, r *http.Request, ss *session)

// routes is the console's mux. Pages of other files register themselves
// through the register* functions called here.
func (c *Console) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.Handle("GET "+Prefix+"static/", serveStatic())
	m.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) { redirect(w, Prefix) })
	m.HandleFunc("GET "+Prefix+"signin", c.signinPage)
	m.HandleFunc("POST "+Prefix+"signin", c.signin)
	m.HandleFunc("POST "+Prefix+"signout", c.authed(c.signout))
	m.HandleFunc("GET "+Prefix+"{$}", c.authed(c.home))
	c.registerPassword(m)
	c.registerIAM(m)
	c.registerKMS(m)
	c.registerAudit(m)
	m.HandleFunc(Prefix, c.authed(c.notFound))
	return m
}

// authed wraps h for pages that need a session: without one the browser
// is sent to sign in (and back here after); with a password to change,
// to the change-password page; a POST without the session's CSRF token
// changes nothing and is answered 403.
func (c *Console) authed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss := stateOf(r).sess
		if ss == nil {
			next := ""
			if r.Method == http.MethodGet {
				next = "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			redirect(w, Prefix+"signin"+next)
			return
		}
		if r.Method == http.MethodPost {
			if err := r.ParseMultipartForm(MaxBody); err != nil && err != http.ErrNotMultipart {
				c.render(w, r, http.StatusBadRequest, "error", &view{Title: "Bad request",
					Error: &pageError{Code: "BadRequest", Message: "The form could not be read."}})
				return
			}
			if !validCSRF(r, ss.csrf) {
				c.render(w, r, http.StatusForbidden, "error", &view{Title: "Form refused",
					Error: &pageError{Code: "InvalidCsrfToken", Message: "The form was not sent from this console session, or the session changed. Reload the page and try again; nothing was changed."}})
				return
			}
		}
		if ss.resetRequired && !strings.HasPrefix(r.URL.Path, Prefix+"password") && r.URL.Path != Prefix+"signout" {
			redirect(w, Prefix+"password")
			return
		}
		h(w, r, ss)
	}
}

func (c *Console) home(w http.ResponseWriter, r *http.Request, ss *session) {
	c.render(w, r, http.StatusOK, "home", &view{Title: "Console home"})
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request, ss *session) {
	c.render(w, r, http.StatusNotFound, "error", &view{Title: "Not found",
		Error: &pageError{Code: "NotFound", Message: "There is no console page at this address."}})
}

// localPath returns next if it is a console path of this origin, else the
// console's home: a sign-in must not redirect elsewhere.
func localPath(next string) string {
	if strings.HasPrefix(next, Prefix) && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return Prefix
}
