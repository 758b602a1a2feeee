package console

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/login"
)

// Prefix is the path under which the console is served.
const Prefix = "/console/"

// MaxBody bounds a console request: forms, and the uploads of wrapped key
// material and an import token (a few KiB each).
const MaxBody = 1 << 20

// SignIner checks console passwords (package login's Verifier).
type SignIner interface {
	SignIn(ctx context.Context, accountID, userName, password, sourceIP string) (identity.Principal, login.SignInResult, error)
}

// AuditReader reads the audit trail for the event history page.
type AuditReader interface {
	// Events returns up to limit records matching f, newest first.
	Events(ctx context.Context, f EventFilter, limit int) ([]*audit.Record, error)
}

// Config holds the console's dependencies.
type Config struct {
	AccountID string
	Region    string
	SignIn    SignIner
	Audit     AuditReader // nil: the event history page says it is unavailable
	Log       *slog.Logger
	// IdleTimeout and AbsoluteTimeout end sessions (30 minutes and 12
	// hours if zero).
	IdleTimeout, AbsoluteTimeout time.Duration
	// Now is the clock of sessions; time.Now if nil.
	Now func() time.Time
}

// Console serves the console's pages. It is safe for concurrent use once
// bound to its route table.
type Console struct {
	cfg      Config
	sessions *sessions
	slots    *credentialSlots // one-time downloads of new access keys
	mux      *http.ServeMux
	pages    map[string]*template.Template
	table    atomic.Pointer[frontdoor.Table]
}

// New returns a console; Bind it to the table that serves it before use.
func New(cfg Config) (*Console, error) {
	if cfg.SignIn == nil {
		return nil, errors.New("console: no sign-in verifier")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = 12 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{cfg: cfg, sessions: newSessions(cfg.IdleTimeout, cfg.AbsoluteTimeout, cfg.Now), pages: pages,
		slots: newCredentialSlots()}
	c.mux = c.routes()
	return c, nil
}

// Bind names the route table whose routes the console's actions invoke
// (the server's, which holds the console's own route too).
func (c *Console) Bind(t *frontdoor.Table) { c.table.Store(t) }

// Route returns the console's row of the route table: every request under
// /console/ (and /console itself), authenticated by the session cookie,
// audited (sign-ins only: see Record), not counted.
func (c *Console) Route() frontdoor.Route {
	return frontdoor.Route{
		Name: "console", Match: IsConsoleRequest, Protocol: (*protocol)(c), Auth: (*sessionAuth)(c),
		MaxBody: MaxBody, Timeout: 30 * time.Second, Audit: true,
	}
}

// IsConsoleRequest reports whether r is for the console.
func IsConsoleRequest(r *http.Request) bool {
	return r.URL.Path == "/console" || strings.HasPrefix(r.URL.Path, Prefix)
}
