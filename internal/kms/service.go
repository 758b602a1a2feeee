// Package kms is Trent's core: KMS keys, their states, aliases, tags and the
// cryptographic operations, independent of any wire protocol.
//
// # Contract
//
// Methods take key references as AWS accepts them (key ID, key ARN, alias
// name, alias ARN — see resolve.go for which operation takes which) and
// return either a result or an error. Client mistakes are *Error values of a
// documented kind (errors.go); anything else is an internal failure that must
// be reported as KMSInternalException without detail.
//
// # State
//
// All state lives in the Store; key material lives there only sealed under
// the root key. The Service keeps a write-through cache of keys, aliases and
// unsealed material so that the hot path (Encrypt, Decrypt) touches neither
// the store nor the root key. Background work — the end of deletion windows,
// the expiry of imported material — is derived from stored state by Sweep,
// so it happens even if the process was down when it fell due.
//
// # Concurrency
//
// A Service is safe for concurrent use. State transitions go through
// Store.UpdateKey, which serialises writers per key.
package kms

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"time"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/xksclient"
)

// Key states, specs and other enumeration values as AWS spells them.
const (
	StateEnabled         = "Enabled"
	StateDisabled        = "Disabled"
	StatePendingDeletion = "PendingDeletion"
	StatePendingImport   = "PendingImport"

	OriginAWSKMS   = "AWS_KMS"
	OriginExternal = "EXTERNAL"

	SpecSymmetricDefault = "SYMMETRIC_DEFAULT"
	UsageEncryptDecrypt  = "ENCRYPT_DECRYPT"

	MaterialCurrent = "CURRENT"

	ExpirationExpires       = "KEY_MATERIAL_EXPIRES"
	ExpirationDoesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE"
)

// Config holds a Service's dependencies. Store, RootKey, Region and
// AccountID are required; the rest have defaults.
type Config struct {
	Store     store.Store
	RootKey   rootkey.RootKey
	Region    string
	AccountID string

	Now    func() time.Time // time.Now by default; tests pass a fake clock
	Rand   io.Reader        // crypto/rand.Reader by default
	Logger *slog.Logger     // slog.Default() by default

	// WrappingKeys supplies RSA wrapping key pairs for
	// GetParametersForImport; if nil, pairs are generated on demand.
	WrappingKeys *byok.Pool
	// AllowPKCS1v15Wrapping admits the RSAES_PKCS1_V1_5 wrapping algorithm,
	// which AWS withdrew, for legacy HSM firmware.
	AllowPKCS1v15Wrapping bool

	// OnEvent, if set, is told of every change the service makes on its own
	// (for the audit trail). It must not block.
	OnEvent func(Event)

	// XKS calls the proxies of external key stores; a client trusting the
	// system roots by default.
	XKS *xksclient.Client

	// ParamsLifetime is how long GetParametersForImport's wrapping key and
	// import token are valid: 24 hours (AWS's) if zero. Tests shorten it
	// to see an import token expire.
	ParamsLifetime time.Duration

	// CacheTTL bounds how long a cached key may be served without reading
	// the store again. Zero means cached entries stay valid until this
	// process changes them, which is exact for a single node.
	CacheTTL time.Duration
}

// Service implements the KMS operations.
type Service struct {
	cfg          Config
	cache        *cache
	matIDer      *materialIDer
	tokenSecret  []byte
	policies     keyPolicyCache
	userPolicies userPolicyCache
	usage        usageTracker // last usage buffered until the next flush (lastusage.go)
}

// New returns a Service. It initialises the service-wide secret used to
// derive key material IDs (stored sealed under the root key) if the store
// has none yet.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.ParamsLifetime <= 0 {
		cfg.ParamsLifetime = paramsLifetime
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	idSecret, err := serviceSecret(ctx, cfg.Store, cfg.RootKey, cfg.Rand, materialIDSecretName)
	if err != nil {
		return nil, err
	}
	tokenSecret, err := serviceSecret(ctx, cfg.Store, cfg.RootKey, cfg.Rand, importTokenSecretName)
	if err != nil {
		return nil, err
	}
	if cfg.XKS == nil {
		cfg.XKS = xksclient.New(xksclient.Config{Region: cfg.Region})
	}
	if cfg.WrappingKeys == nil {
		cfg.WrappingKeys = byok.NewPool(0, cfg.Logger)
	}
	return &Service{
		cfg: cfg, cache: newCache(cfg.CacheTTL),
		matIDer: &materialIDer{secret: idSecret}, tokenSecret: tokenSecret,
	}, nil
}

// Region returns the region the service answers for.
func (s *Service) Region() string { return s.cfg.Region }

// AccountID returns the account the service's keys belong to.
func (s *Service) AccountID() string { return s.cfg.AccountID }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// KeyARN returns the ARN of the key with the given ID.
func (s *Service) KeyARN(id string) string {
	return "arn:aws:kms:" + s.cfg.Region + ":" + s.cfg.AccountID + ":key/" + id
}

// AliasARN returns the ARN of the alias with the given name ("alias/...").
func (s *Service) AliasARN(name string) string {
	return "arn:aws:kms:" + s.cfg.Region + ":" + s.cfg.AccountID + ":" + name
}
