package rootkey

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// SoftwareKeyFile is the software root key's file in the data dir.
const SoftwareKeyFile = "root.key"

// Spec is how a server is told its root key: what `trent server
// --root-key` and its companions give.
type Spec struct {
	// Value is --root-key: "" or "file" for the software key in
	// DataDir/root.key (created on first start), or a pkcs11: URI naming
	// the token and the key, e.g.
	// "pkcs11:token=trent;object=trent-root-key" (see ParsePKCS11URI).
	Value   string
	DataDir string
	// Module is the PKCS#11 library (--pkcs11-module, env
	// TRENT_PKCS11_MODULE) when the URI has no module-path.
	Module string
	// PIN returns the token's user PIN (from TRENT_PKCS11_PIN, a PIN file,
	// the URI's pin-source); called once, the PIN is kept for logins after
	// a token restart.
	PIN func(pkcs11.TokenInfo) (string, error)
	// Init creates the HSM key if the token has none with the label
	// (trent server --init); without it a missing key is an error.
	Init bool
	// OnCreate, if set, is told that Init created the HSM key: creating a
	// root of trust is an event the server logs.
	OnCreate func(PKCS11KeyInfo)
	// Sessions, CacheSize and CacheTTL tune the HSM key (PKCS11Config).
	Sessions  int
	CacheSize int
	CacheTTL  time.Duration
}

// Open opens the root key s names. The returned close function releases
// it (the HSM's sessions and module); call it after the last use.
//
// The software key is refused, rather than created afresh, in a data dir
// whose root.key was retired by `trent admin migrate-root-key`
// (root.key.migrated): that data is sealed under an HSM key.
func Open(s Spec) (RootKey, func() error, error) {
	noop := func() error { return nil }
	switch {
	case s.Value == "" || s.Value == "file":
		path := filepath.Join(s.DataDir, SoftwareKeyFile)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if m, _ := filepath.Glob(path + ".migrated*"); len(m) > 0 {
				return nil, nil, fmt.Errorf("rootkey: %w: this data dir's root key was migrated to an HSM (%s): start with --root-key pkcs11:token=…;object=… naming the HSM key",
					ErrWrongRootKey, filepath.Base(m[0]))
			}
		}
		rk, err := OpenSoftware(path)
		if err != nil {
			return nil, nil, err
		}
		return rk, noop, nil
	case strings.HasPrefix(strings.ToLower(s.Value), "pkcs11:"):
		cfg, err := ParsePKCS11URI(s.Value)
		if err != nil {
			return nil, nil, fmt.Errorf("--root-key: %w", err)
		}
		cfg.Token.Module, cfg.Token.PIN = s.Module, s.PIN
		cfg.Token.ModuleFlag = "--pkcs11-module" // what trent server calls it
		if cfg.Token.URI != nil && cfg.Token.URI.ModulePath != "" && s.Module == cfg.Token.URI.ModulePath {
			cfg.Token.Module = ""
		}
		cfg.Sessions, cfg.CacheSize, cfg.CacheTTL = s.Sessions, s.CacheSize, s.CacheTTL
		h, err := OpenPKCS11(cfg)
		if err != nil && s.Init && errors.Is(err, ErrNoRootKey) {
			info, cerr := CreatePKCS11Key(cfg)
			if cerr != nil {
				return nil, nil, cerr
			}
			if s.OnCreate != nil {
				s.OnCreate(info)
			}
			h, err = OpenPKCS11(cfg)
		}
		if err != nil {
			return nil, nil, err
		}
		return h, h.Close, nil
	}
	return nil, nil, fmt.Errorf("--root-key %q: give a pkcs11: URI naming the HSM key (pkcs11:token=…;object=…), or nothing for the software key in the data dir", s.Value)
}

// ErrNoRootKey is wrapped by OpenPKCS11's error when the token has no key
// with the label (and id) asked for.
var ErrNoRootKey = errors.New("no root key")
