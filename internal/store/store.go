// Package store defines Trent's persistence contract: the records the
// service keeps and the Store interface every backend implements.
//
// # Records
//
// A [Key] is one KMS key with everything that belongs to it: metadata, tags,
// policy and its key materials. Key materials are held only sealed under the
// root key ([Material.Sealed]); a Store never sees plaintext key material.
// An [Alias] names a key. A [Credential] is an access key whose secret is
// sealed under the root key as well. [User] and [Grant] (iam.go) are the
// identities and grants that access control evaluates.
//
// # Consistency
//
// Every method is atomic. [Store.UpdateKey] is a read-modify-write in one
// transaction holding a write lock (on the row, or on the whole store in the
// embedded backend): concurrent updates of one key are serialised, so state
// transitions cannot be lost. The function passed to UpdateKey must be quick,
// must not change the key's ID and must not call the Store; it may be called
// more than once (a backend retries a transaction that lost a race), so it
// must reset any state it keeps outside the key, and only its last call's
// result is stored. Every successful
// write is durable before the method returns; a failed commit leaves it
// unknown whether the write happened, as with any database.
//
// # Ordering and time
//
// "Ascending" means byte order of IDs and names (COLLATE "C" in SQL).
// Timestamps round-trip exactly, to the nanosecond, and come back in UTC.
// A limit of zero or less returns nothing.
//
// # Conformance
//
// Package storetest holds the one test suite every backend must pass.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Errors returned by every backend. Backends wrap them; test with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	ErrExists   = errors.New("store: already exists")
	// ErrLimitExceeded: CreateCredential found the owner at its limit.
	ErrLimitExceeded = errors.New("store: limit exceeded")
	// ErrHasCredentials, ErrHasPolicies and ErrHasAttachedPolicies: DeleteUser
	// refused a user that still has access keys, inline policies or
	// attached policies. Each wraps ErrConflict.
	ErrConflict            = errors.New("store: conflict")
	ErrHasCredentials      = fmt.Errorf("%w: user has access keys", ErrConflict)
	ErrHasPolicies         = fmt.Errorf("%w: user has inline policies", ErrConflict)
	ErrHasAttachedPolicies = fmt.Errorf("%w: user has attached policies", ErrConflict)
)

// Key is a KMS key as stored. Timestamps are UTC; zero means unset.
type Key struct {
	ID          string    `json:"id"` // UUID, lower case
	CreatedAt   time.Time `json:"createdAt"`
	Description string    `json:"description,omitempty"`
	KeySpec     string    `json:"keySpec"`
	KeyUsage    string    `json:"keyUsage"`
	Origin      string    `json:"origin"`
	State       string    `json:"state"`
	MultiRegion bool      `json:"multiRegion,omitempty"`
	// CustomKeyStoreID and XksKeyID are set on a key of origin
	// EXTERNAL_KEY_STORE: its custom key store, and the ID of its key in
	// the external key manager. CreateKey fails with ErrNotFound if the
	// custom key store does not exist, and with an *XksKeyInUseError if
	// another key of the store has the same XksKeyID — checked in its
	// transaction, so two concurrent CreateKeys cannot both take one
	// external key.
	CustomKeyStoreID string `json:"customKeyStoreId,omitempty"`
	XksKeyID         string `json:"xksKeyId,omitempty"`
	Policy           string `json:"policy,omitempty"`
	Tags             []Tag  `json:"tags,omitempty"`

	// DeletionDate and PendingWindowInDays are set while State is
	// PendingDeletion.
	DeletionDate        time.Time `json:"deletionDate,omitempty"`
	PendingWindowInDays int       `json:"pendingWindowInDays,omitempty"`

	// Materials holds every key material associated with the key. For a key
	// of origin EXTERNAL it is empty until the first import.
	Materials []Material `json:"materials,omitempty"`

	// RotationPeriodInDays is the period of automatic rotation, 0 while
	// automatic rotation is disabled. NextRotation is when the next
	// automatic rotation falls due (zero while disabled); it is kept while
	// the key is Disabled or PendingDeletion, when no rotation happens, so
	// that a missed date rotates the key as soon as it is Enabled again.
	RotationPeriodInDays int       `json:"rotationPeriodInDays,omitempty"`
	NextRotation         time.Time `json:"nextRotation,omitzero"`

	// Import is the outstanding import parameter set of a key of origin
	// EXTERNAL — the wrapping key pair and token from the last
	// GetParametersForImport — or nil. A new set replaces the old one; it is
	// removed once used or expired.
	Import *ImportParams `json:"import,omitempty"`

	// Version is assigned by the store: 1 on create, incremented by every
	// update. Callers use it to validate caches; its value on input is ignored.
	Version int64 `json:"-"`
}

// ImportParams is one GetParametersForImport answer, as the server keeps it.
type ImportParams struct {
	ID                string    `json:"id"` // random; the import token names it
	WrappingAlgorithm string    `json:"wrappingAlgorithm"`
	WrappingKeySpec   string    `json:"wrappingKeySpec"`
	SealedPrivateKey  []byte    `json:"sealedPrivateKey"` // PKCS#8, sealed under the root key
	ValidTo           time.Time `json:"validTo"`
}

// Tag is a key's user tag.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// Material is one version of a key's key material.
type Material struct {
	ID     string `json:"id"`     // KeyMaterialId: 64 lower-case hex digits
	Sealed []byte `json:"sealed"` // the material sealed under the root key
	State  string `json:"state"`  // CURRENT, NON_CURRENT, PENDING_ROTATION
	// Imported material only.
	ImportedAt      time.Time `json:"importedAt,omitempty"`
	ExpirationModel string    `json:"expirationModel,omitempty"`
	ValidTo         time.Time `json:"validTo,omitempty"`
	Description     string    `json:"description,omitempty"`
	Deleted         bool      `json:"deleted,omitempty"` // deleted or expired; Sealed is nil
	// PublicKey is the SubjectPublicKeyInfo of asymmetric material (not
	// secret, so not sealed), kept after imported material is deleted or
	// expires so that GetPublicKey still answers (AWS does).
	PublicKey []byte `json:"publicKey,omitempty"`
	// Material that became current by a rotation: when, and how
	// (AUTOMATIC or ON_DEMAND). Zero for a key's original material.
	RotatedAt    time.Time `json:"rotatedAt,omitzero"`
	RotationType string    `json:"rotationType,omitempty"`
}

// DueAt is the earliest time at which background work is due for k: the end
// of its deletion window, the expiry of an imported key material, the
// expiry of its import parameters, or its next automatic rotation while it
// is Enabled. The zero time means nothing is due. Backends index keys by it
// (see KeysDue).
func (k *Key) DueAt() time.Time {
	var due time.Time
	earlier := func(t time.Time) {
		if !t.IsZero() && (due.IsZero() || t.Before(due)) {
			due = t
		}
	}
	if k.State == "PendingDeletion" {
		earlier(k.DeletionDate)
	}
	if k.Import != nil {
		earlier(k.Import.ValidTo)
	}
	// A Disabled or PendingDeletion key does not rotate; once Enabled again
	// (an update like any other) it is due at once if its date has passed.
	if k.State == "Enabled" && k.RotationPeriodInDays > 0 {
		earlier(k.NextRotation)
	}
	for _, m := range k.Materials {
		if !m.Deleted && m.ExpirationModel == "KEY_MATERIAL_EXPIRES" {
			earlier(m.ValidTo)
		}
	}
	return due.UTC()
}

// Alias maps an alias name ("alias/...") to a key.
type Alias struct {
	Name      string
	KeyID     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Credential is an access key. The secret access key is sealed under the
// root key, because SigV4 verification needs the secret itself.
//
// A user's credential names its owner twice: by UserName, which listings
// use, and by UserID, which is what makes it the user's. A user deleted and
// created again under the same name has a new UserID, so a credential of
// the old user (which DeleteUser does not leave behind, but which a store
// written before that rule may hold) never belongs to the new one.
type Credential struct {
	AccessKeyID  string
	PrincipalARN string
	UserName     string // empty for the account root
	UserID       string // the owner's User.UserID; empty for the account root
	SealedSecret []byte
	Status       string // Active or Inactive
	CreatedAt    time.Time
}

// Store is the persistence interface. Implementations are safe for
// concurrent use. Methods return errors wrapping ErrNotFound or ErrExists
// where documented; any other error is a backend failure.
type Store interface {
	// CreateKey inserts k and sets k.Version. ErrExists if the ID is taken.
	CreateKey(ctx context.Context, k *Key) error
	// GetKey returns a copy of the key. ErrNotFound if absent.
	GetKey(ctx context.Context, id string) (*Key, error)
	// UpdateKey atomically reads the key, applies fn to a copy and stores the
	// result. If fn returns an error nothing is written and that error is
	// returned unchanged. ErrNotFound if absent.
	UpdateKey(ctx context.Context, id string, fn func(*Key) error) (*Key, error)
	// DeleteKey removes the key and every alias that points to it.
	// ErrNotFound if absent.
	DeleteKey(ctx context.Context, id string) error
	// ListKeys returns up to limit keys with ID greater than after, in
	// ascending ID order.
	ListKeys(ctx context.Context, after string, limit int) ([]*Key, error)
	// KeysDue returns the IDs of up to limit keys whose DueAt is not zero
	// and not after now, earliest first: keys to delete, material to
	// expire, import parameters to destroy and keys to rotate.
	KeysDue(ctx context.Context, now time.Time, limit int) ([]string, error)

	// CreateAlias inserts a. ErrExists if the name is taken; ErrNotFound if
	// the target key does not exist.
	CreateAlias(ctx context.Context, a Alias) error
	// GetAlias returns the alias. ErrNotFound if absent.
	GetAlias(ctx context.Context, name string) (Alias, error)
	// UpdateAlias points an existing alias at keyID and sets UpdatedAt.
	// ErrNotFound if the alias or the key is absent.
	UpdateAlias(ctx context.Context, name, keyID string, now time.Time) error
	// DeleteAlias removes the alias. ErrNotFound if absent.
	DeleteAlias(ctx context.Context, name string) error
	// ListAliases returns up to limit aliases with name greater than after,
	// in ascending name order; only those of keyID when it is not empty.
	ListAliases(ctx context.Context, keyID, after string, limit int) ([]Alias, error)

	// PutCredential inserts or replaces the credential as it is, without
	// the owner checks of CreateCredential: it is for the account root's
	// bootstrap key and for rewriting a credential read from the store.
	PutCredential(ctx context.Context, c Credential) error
	// GetCredential returns the credential. ErrNotFound if absent.
	GetCredential(ctx context.Context, accessKeyID string) (Credential, error)

	// InitMeta stores value under name unless a value is stored already,
	// and returns the stored value. It lets the first of several nodes fix
	// service-wide settings.
	InitMeta(ctx context.Context, name string, value []byte) ([]byte, error)

	IAMStore
	LastUsageStore
	LoginProfileStore
	CustomKeyStoreStore

	// Close releases the backend's resources.
	Close() error
}
