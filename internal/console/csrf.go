package console

import (
	"crypto/subtle"
	"net/http"
)

// csrfField is the name of every form's CSRF token field.
const csrfField = "csrf"

// signinCookie holds the sign-in form's double-submit token: there is no
// session yet to bind a token to.
const signinCookie = "trent-console-signin"

// validCSRF reports whether the POST r carries the token of its session
// (or, for the sign-in form, of its sign-in cookie), compared in constant
// time. r's form must be parsed.
func validCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue(csrfField)
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// signinToken returns the sign-in form's token, setting its cookie if r
// has none.
func signinToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(signinCookie); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: signinCookie, Value: tok, Path: Prefix, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return tok
}

// signinCSRF reports whether the sign-in POST r carries its cookie's token.
func signinCSRF(r *http.Request) bool {
	ck, err := r.Cookie(signinCookie)
	if err != nil {
		return false
	}
	return validCSRF(r, ck.Value)
}
