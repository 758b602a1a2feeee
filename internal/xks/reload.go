package xks

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"reflect"
	"syscall"
	"time"

	"github.com/trent-kms/trent/internal/xks/xksconfig"
)

// Reload re-reads the configuration file and, if it loads, swaps in its
// key stores (credentials, keys, authorization rules, health keys)
// atomically: requests in flight finish with the old ones, the next use
// the new. A file that does not load changes nothing and its error is
// returned (and logged by the watcher). Changes to listen, tls, pkcs11 or
// auditLog need a restart; they are reported, not applied.
func (s *Server) Reload() error {
	fi, statErr := os.Stat(s.opts.ConfigPath)
	cfg, err := xksconfig.Load(s.opts.ConfigPath)
	if err != nil {
		return err
	}
	if statErr == nil {
		s.mtime.Store(fi.ModTime().UnixNano())
	}
	old := s.state.Load().cfg
	for name, same := range map[string]bool{
		"listen":   old.Listen == cfg.Listen,
		"tls":      reflect.DeepEqual(old.TLS, cfg.TLS),
		"pkcs11":   reflect.DeepEqual(old.PKCS11, cfg.PKCS11),
		"auditLog": old.AuditLog == cfg.AuditLog,
	} {
		if !same {
			s.log.Warn("xks config: a change needs a restart to take effect", "section", name)
		}
	}
	s.state.Store(newState(cfg))
	s.reloads.Add(1)
	n := 0
	for _, st := range cfg.Stores {
		n += len(st.Credentials)
	}
	s.log.Info("xks config reloaded", "key_stores", len(cfg.Stores), "credentials", n)
	return nil
}

// Reloads counts successful reloads.
func (s *Server) Reloads() int64 { return s.reloads.Load() }

// watch reloads on SIGHUP and when the file's modification time
// changes, until ctx ends.
func (s *Server) watch(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	poll := s.opts.ReloadPoll
	if poll <= 0 {
		poll = 3 * time.Second
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	lastFailed := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case <-tick.C:
			fi, err := os.Stat(s.opts.ConfigPath)
			if err != nil || fi.ModTime().UnixNano() == s.mtime.Load() || fi.ModTime().Equal(lastFailed) {
				continue
			}
		}
		if err := s.Reload(); err != nil {
			// Not retried until the file changes again.
			if fi, serr := os.Stat(s.opts.ConfigPath); serr == nil {
				lastFailed = fi.ModTime()
			}
			s.log.Error("xks config reload failed; the previous configuration stays in force", "err", fmt.Sprint(err))
		}
	}
}
