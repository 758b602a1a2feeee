package store

import (
	"context"
	"time"
)

// User is an IAM user of the account.
type User struct {
	Name      string // unique, case-sensitive as stored (AWS compares case-insensitively; the service checks that)
	UserID    string // AIDA... unique ID
	Path      string // "/" by default
	ARN       string
	CreatedAt time.Time
	// InlinePolicies maps policy name to JSON document.
	InlinePolicies map[string]string
	// AttachedPolicies are managed policy ARNs, in attachment order.
	AttachedPolicies []string
}

// Grant is a KMS grant on a key.
type Grant struct {
	KeyID             string
	GrantID           string // 64 hex
	Name              string // optional; (KeyID, Name) identifies a grant for idempotence
	GranteePrincipal  string
	RetiringPrincipal string
	IssuingAccount    string
	Operations        []string
	// Constraints on the encryption context; nil maps mean no constraint.
	EncryptionContextEquals map[string]string
	EncryptionContextSubset map[string]string
	CreatedAt               time.Time
}

// IAMStore holds users and their access keys, and grants. Every Store
// implements it too (see Store).
type IAMStore interface {
	// CreateUser inserts u. ErrExists if the name or the UserID is taken.
	CreateUser(ctx context.Context, u User) error
	// GetUser returns the user. ErrNotFound if absent.
	GetUser(ctx context.Context, name string) (User, error)
	// UpdateUser atomically applies fn to the user (not to its Name).
	// ErrNotFound if absent; fn's error is returned unchanged.
	UpdateUser(ctx context.Context, name string, fn func(*User) error) (User, error)
	// DeleteUser removes the user. ErrNotFound if absent. Its credentials
	// are not deleted: the service refuses to delete a user that has some,
	// as IAM does.
	DeleteUser(ctx context.Context, name string) error
	// ListUsers returns up to limit users with name greater than after, in
	// ascending name order.
	ListUsers(ctx context.Context, after string, limit int) ([]User, error)

	// ListCredentials returns the credentials of userName ("" for the
	// account root), in ascending access key ID order.
	ListCredentials(ctx context.Context, userName string) ([]Credential, error)
	// DeleteCredential removes an access key. ErrNotFound if absent.
	DeleteCredential(ctx context.Context, accessKeyID string) error

	// CreateGrant inserts g. ErrExists if (KeyID, GrantID) is taken;
	// ErrNotFound if the key does not exist.
	CreateGrant(ctx context.Context, g Grant) error
	// GetGrant returns a grant. ErrNotFound if absent.
	GetGrant(ctx context.Context, keyID, grantID string) (Grant, error)
	// ListGrants returns up to limit grants of keyID with GrantID greater
	// than after, in ascending GrantID order.
	ListGrants(ctx context.Context, keyID, after string, limit int) ([]Grant, error)
	// ListRetirableGrants returns up to limit grants of any key whose
	// RetiringPrincipal is principal, ordered by (KeyID, GrantID) after the
	// position (afterKeyID, afterGrantID).
	ListRetirableGrants(ctx context.Context, principal, afterKeyID, afterGrantID string, limit int) ([]Grant, error)
	// DeleteGrant removes a grant. ErrNotFound if absent. Deleting a key
	// (Store.DeleteKey) deletes its grants.
	DeleteGrant(ctx context.Context, keyID, grantID string) error
}
