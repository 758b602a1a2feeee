package store

import (
	"context"
	"time"
)

// User is an IAM user of the account.
//
// User names are unique regardless of ASCII case, as in IAM: the store
// refuses "bob" when "Bob" exists, and the methods that take a name find
// the user whatever the case of the name given (answering the name as
// created). Backends compare with SQL lower(), which folds ASCII letters
// only (SQLite's built-in lower(), PostgreSQL's under COLLATE "C"); IAM
// names are ASCII ([\w+=,.@-]), for which this is strings.EqualFold.
type User struct {
	Name      string // unique regardless of ASCII case; kept as created
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
	// CreateUser inserts u. ErrExists if the name, in any case, or the
	// UserID is taken.
	CreateUser(ctx context.Context, u User) error
	// GetUser returns the user whose name equals name regardless of case.
	// ErrNotFound if absent.
	GetUser(ctx context.Context, name string) (User, error)
	// UpdateUser atomically applies fn to the user named name in any case
	// (fn must not change its Name). ErrNotFound if absent; fn's error is
	// returned unchanged.
	UpdateUser(ctx context.Context, name string, fn func(*User) error) (User, error)
	// DeleteUser removes the user named name in any case, in one
	// transaction with its checks: it refuses, in IAM's order, a user that
	// has a login profile (ErrHasLoginProfile), credentials
	// (ErrHasCredentials), inline policies (ErrHasPolicies) or attached
	// policies (ErrHasAttachedPolicies). A concurrent CreateCredential or
	// CreateLoginProfile for the user either commits first, and DeleteUser
	// fails, or fails itself with ErrNotFound. ErrNotFound if absent.
	DeleteUser(ctx context.Context, name string) error
	// ListUsers returns up to limit users with name greater than after, in
	// ascending name order.
	ListUsers(ctx context.Context, after string, limit int) ([]User, error)

	// CreateCredential inserts a new access key, checking its owner in the
	// same transaction, under a lock on the owner (the user's row; for the
	// account root, a lock of its own) that concurrent CreateCredential and
	// DeleteUser calls for the same owner take too:
	//   - a user's credential (UserName set) needs the user to exist under
	//     that name, in any case, with that UserID: ErrNotFound otherwise.
	//     The stored UserName is the user's name as created;
	//   - the owner may hold at most limit credentials, this one included:
	//     ErrLimitExceeded otherwise;
	//   - ErrExists if the access key ID is taken.
	CreateCredential(ctx context.Context, c Credential, limit int) error
	// SetCredentialStatus sets the Status of an existing credential, and
	// nothing else. ErrNotFound if absent: it never re-creates a credential
	// deleted concurrently.
	SetCredentialStatus(ctx context.Context, accessKeyID, status string) error
	// ListCredentials returns the credentials of userName ("" for the
	// account root), in ascending access key ID order. The name is
	// compared exactly: pass the user's name as stored.
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

// DeletableUser applies DeleteUser's checks, in IAM's order, to u holding
// credentials access keys and, if loginProfile, a login profile (which
// IAM checks first). Backends call it inside DeleteUser's transaction.
func DeletableUser(u User, credentials int, loginProfile bool) error {
	switch {
	case loginProfile:
		return ErrHasLoginProfile
	case credentials > 0:
		return ErrHasCredentials
	case len(u.InlinePolicies) > 0:
		return ErrHasPolicies
	case len(u.AttachedPolicies) > 0:
		return ErrHasAttachedPolicies
	}
	return nil
}
