package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/frontdoor"
	"github.com/trent-kms/trent/internal/identity"
)

// session is one signed-in browser. Its fields are fixed at sign-in but
// for lastSeen and resetRequired, which sessions guards.
type session struct {
	id        string // the cookie's value; never logged
	principal identity.Principal
	csrf      string
	created   time.Time
	// resetRequired: the password must be changed before anything else.
	resetRequired bool
	lastSeen      time.Time
}

// maxSessions bounds the sessions held, so that sign-ins cannot exhaust
// memory; the oldest is dropped when a new one would pass it.
const maxSessions = 10000

// sessions holds this node's sessions by the SHA-256 of their ID, so that
// a map dump does not hold usable cookies.
type sessions struct {
	idle, absolute time.Duration
	now            func() time.Time

	mu sync.Mutex
	m  map[[32]byte]*session
}

func newSessions(idle, absolute time.Duration, now func() time.Time) *sessions {
	return &sessions{idle: idle, absolute: absolute, now: now, m: make(map[[32]byte]*session)}
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// start creates a session for p.
func (s *sessions) start(p identity.Principal, resetRequired bool) *session {
	now := s.now()
	ss := &session{id: randomToken(), principal: p, csrf: randomToken(), created: now, lastSeen: now, resetRequired: resetRequired}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	if len(s.m) >= maxSessions {
		var oldest [32]byte
		var at time.Time
		for k, v := range s.m {
			if at.IsZero() || v.created.Before(at) {
				oldest, at = k, v.created
			}
		}
		delete(s.m, oldest)
	}
	s.m[sha256.Sum256([]byte(ss.id))] = ss
	return ss
}

// get returns the live session with ID id, touching it; nil if there is
// none or it timed out (and is then forgotten).
func (s *sessions) get(id string) *session {
	if id == "" {
		return nil
	}
	k := sha256.Sum256([]byte(id))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.m[k]
	if ss == nil {
		return nil
	}
	if s.expired(ss, now) {
		delete(s.m, k)
		return nil
	}
	ss.lastSeen = now
	cp := *ss
	return &cp
}

// passwordChanged clears the reset requirement of the session id.
func (s *sessions) passwordChanged(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss := s.m[sha256.Sum256([]byte(id))]; ss != nil {
		ss.resetRequired = false
	}
}

// end forgets the session id (sign-out).
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, sha256.Sum256([]byte(id)))
}

func (s *sessions) expired(ss *session, now time.Time) bool {
	return now.Sub(ss.lastSeen) > s.idle || now.Sub(ss.created) > s.absolute
}

func (s *sessions) pruneLocked(now time.Time) {
	for k, v := range s.m {
		if s.expired(v, now) {
			delete(s.m, k)
		}
	}
}

// cookieName is the session cookie's name: __Host- prefixed under TLS, so
// that the browser accepts it only Secure, host-only and for path /.
func cookieName(r *http.Request) string {
	if r.TLS != nil {
		return "__Host-trent-console"
	}
	return "trent-console"
}

// setSessionCookie sets (or, with an empty value, clears) the session
// cookie.
func setSessionCookie(w http.ResponseWriter, r *http.Request, value string) {
	c := &http.Cookie{Name: cookieName(r), Value: value, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// sessionAuth is the console's authenticator: the session the cookie
// names. No cookie, or a dead session, is nobody (the pages then ask for
// a sign-in); it is never an error.
type sessionAuth Console

// Authenticate implements frontdoor.Authenticator.
func (a *sessionAuth) Authenticate(_ context.Context, x *frontdoor.Exchange) (identity.Principal, error) {
	ck, err := x.Request.Cookie(cookieName(x.Request))
	if err != nil {
		return identity.Principal{}, nil
	}
	ss := a.sessions.get(ck.Value)
	if ss == nil {
		return identity.Principal{}, nil
	}
	if st, ok := x.State.(*state); ok {
		st.sess = ss
	}
	return ss.principal, nil
}
