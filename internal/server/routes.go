package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/trent-kms/trent/internal/accesskey"
	"github.com/trent-kms/trent/internal/api"
	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/console"
	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/iamapi"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/login"
	"github.com/trent-kms/trent/internal/metrics"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/wire"
)

// newMetrics returns the server's series, with per-operation series for
// every KMS operation and every IAM and STS action.
func newMetrics() *metrics.Server {
	return metrics.NewServer(append(append([]string(nil), wire.Operations...), iamapi.Actions()...))
}

// routes builds the route tables: the API listener's (probes, IAM and
// STS, then KMS as the fallback, since AWS answers any other request to a
// KMS endpoint as KMS does) and, for a separate metrics listener, the
// probes' alone. Every route runs through one pipeline.
func (s *Server) routes(st store.Store, keys *accesskey.Keyring, trail *audit.Log, ready *readiness) (apiTable, opsTable http.Handler, err error) {
	p := &frontdoor.Pipeline{Log: s.log, Trail: trail, Observer: s.metrics, ServeUnaudited: s.cfg.ServeUnaudited}
	kmsProto := api.New(api.Config{
		KMS: s.svc, Keys: keys,
		Verifier: &sigv4.Verifier{Service: "kms", Region: s.cfg.Region, Lookup: keys.Secret},
	})
	iamProto := iamapi.New(iamapi.Config{
		Store: st, Keys: keys, AccountID: s.cfg.AccountID, Region: s.cfg.Region,
		OnUserChange: s.svc.InvalidateUser,
	})
	probes := probesRoute(s.metrics.Registry, ready)
	apiRoutes := []frontdoor.Route{iamProto.Route(), kmsProto.Route()}
	var con *console.Console
	if !s.cfg.NoConsole {
		if con, err = s.newConsole(st, keys); err != nil {
			return nil, nil, err
		}
		// Before IAM: a console form is form-encoded too.
		apiRoutes = append([]frontdoor.Route{con.Route()}, apiRoutes...)
	}
	if s.cfg.MetricsListen == "" {
		apiRoutes = append([]frontdoor.Route{probes}, apiRoutes...)
	}
	t := frontdoor.NewTable(p)
	for _, r := range apiRoutes {
		if err := t.Add(r); err != nil {
			return nil, nil, err
		}
	}
	if con != nil {
		con.Bind(t)
	}
	ops := frontdoor.NewTable(p)
	if err := ops.Add(probes); err != nil {
		return nil, nil, err
	}
	return t, ops, nil
}

// newConsole returns the web console, signing in against st's login
// profiles.
func (s *Server) newConsole(st store.Store, keys *accesskey.Keyring) (*console.Console, error) {
	return console.New(console.Config{
		AccountID: s.cfg.AccountID, Region: s.cfg.Region, Log: s.log, Audit: consoleAudit{console.AuditFile(s.cfg.auditPath()), s.svc},
		SignIn:      login.NewVerifier(login.VerifierConfig{Store: st, Keys: keys, AccountID: s.cfg.AccountID}),
		IdleTimeout: s.cfg.ConsoleIdleTimeout, AbsoluteTimeout: s.cfg.ConsoleSessionTimeout,
	})
}

// consoleAudit is the console's event history: this node's audit log,
// readable by whom identity policies allow cloudtrail:LookupEvents,
// evaluated by the KMS core as for its own calls.
type consoleAudit struct {
	console.AuditFile
	svc *kms.Service
}

// AuthorizeLookup implements console.LookupAuthorizer.
func (a consoleAudit) AuthorizeLookup(ctx context.Context, p identity.Principal) (string, error) {
	err := a.svc.AuthorizeIdentity(ctx, p, console.LookupAction)
	var ke *kms.Error
	if errors.As(err, &ke) && errors.Is(ke.Kind, kms.ErrAccessDenied) {
		return ke.Message, nil
	}
	return "", err
}
