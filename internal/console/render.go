package console

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/frontdoor"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// view is what every page template gets.
type view struct {
	Title string
	// Nav names the section the page belongs to ("iam", "kms", "audit"),
	// for the navigation's aria-current.
	Nav       string
	User      string // who is signed in, as shown
	AccountID string
	Region    string
	CSRF      string
	Error     *pageError
	Flash     string
	Data      any
}

// pageError is an error as a page shows it: the API's code and message.
type pageError struct {
	Code    string
	Message string
}

// funcs are the template functions every page may use.
var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 MST")
	},
	"unix": func(f float64) string {
		if f == 0 {
			return "—"
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC().Format("2006-01-02 15:04:05 MST")
	},
	"join":  strings.Join,
	"lower": strings.ToLower,
}

// parsePages parses every page: each templates/<page>.html with the
// layout and the shared partials (templates/_*.html).
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	partials, _ := fs.Glob(templateFS, "templates/_*.html")
	pages := make(map[string]*template.Template)
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") || base == "layout.html" {
			continue
		}
		files := append([]string{"templates/layout.html"}, partials...)
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, append(files, name)...)
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", base, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// render answers the page named page with v, as status. v's session
// fields are filled from r's session.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t := c.pages[page]
	if t == nil {
		c.cfg.Log.Error("console: no such page template", "page", page)
		http.Error(w, "The console could not show this page.", http.StatusInternalServerError)
		return
	}
	if v == nil {
		v = &view{}
	}
	v.AccountID, v.Region = c.cfg.AccountID, c.cfg.Region
	if ss := stateOf(r).sess; ss != nil {
		v.User, v.CSRF = displayName(ss), ss.csrf
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.cfg.Log.Error("console: rendering failed", "page", page, "err", err)
		http.Error(w, "The console could not show this page.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// failed renders page with err shown: an API refusal as the API answered
// it (status 200: the page itself worked), anything else as a fixed
// message whose cause is logged.
func (c *Console) failed(w http.ResponseWriter, r *http.Request, page string, v *view, err error) {
	if v == nil {
		v = &view{}
	}
	v.Error = c.errorOf(r, err)
	c.render(w, r, http.StatusOK, page, v)
}

// errorOf is err as a page shows it.
func (c *Console) errorOf(r *http.Request, err error) *pageError {
	var ce *frontdoor.CallError
	if errors.As(err, &ce) {
		return &pageError{Code: ce.Code, Message: ce.Message}
	}
	var pe *pageError
	if errors.As(err, &pe) {
		return pe
	}
	c.cfg.Log.Error("console: internal error", "request_id", stateOf(r).reqID, "err", err)
	return &pageError{Code: "InternalError", Message: "The console could not complete the request."}
}

func (e *pageError) Error() string { return e.Code + ": " + e.Message }

// invalid is a refusal of the console's own (a form it cannot send on).
func invalid(msg string) error { return &pageError{Code: "ValidationError", Message: msg} }

// redirect answers 303 See Other to path (a console path).
func redirect(w http.ResponseWriter, path string) {
	w.Header().Set("Location", path)
	w.WriteHeader(http.StatusSeeOther)
}

// serveStatic serves the embedded assets, cacheable for an hour.
func serveStatic() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix(Prefix+"static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, max-age=3600")
		files.ServeHTTP(w, r)
	})
}
