package accesskey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// ErrNotFound is returned for an access key that does not exist.
var ErrNotFound = errors.New("accesskey: no such access key")

// Info describes an access key without its secret.
type Info struct {
	AccessKeyID  string
	PrincipalARN string
	UserName     string // empty for the account root
	Status       string // Active or Inactive
	CreatedAt    time.Time
}

func infoOf(c store.Credential) Info {
	return Info{
		AccessKeyID: c.AccessKeyID, PrincipalARN: c.PrincipalARN, UserName: c.UserName,
		Status: c.Status, CreatedAt: c.CreatedAt,
	}
}

// Get describes one access key, active or not. ErrNotFound if absent.
func (k *Keyring) Get(ctx context.Context, accessKeyID string) (Info, error) {
	c, err := k.store.GetCredential(ctx, accessKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return Info{}, ErrNotFound
	}
	if err != nil {
		return Info{}, err
	}
	return infoOf(c), nil
}

// List describes the access keys of userName ("" for the account root), in
// ascending access key ID order.
func (k *Keyring) List(ctx context.Context, userName string) ([]Info, error) {
	creds, err := k.store.ListCredentials(ctx, userName)
	if err != nil {
		return nil, err
	}
	out := make([]Info, len(creds))
	for i, c := range creds {
		clear(c.SealedSecret)
		out[i] = infoOf(c)
	}
	return out, nil
}

// SetStatus makes an access key Active or Inactive. An inactive key fails
// authentication from the moment SetStatus returns. ErrNotFound if absent.
func (k *Keyring) SetStatus(ctx context.Context, accessKeyID, status string) error {
	if status != Active && status != Inactive {
		return fmt.Errorf("accesskey: invalid status %q", status)
	}
	// One UPDATE in the store: a key deleted meanwhile, by this node or
	// another, stays deleted.
	err := k.store.SetCredentialStatus(ctx, accessKeyID, status)
	k.invalidate(accessKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// Delete removes an access key; it fails authentication from the moment
// Delete returns. ErrNotFound if absent.
func (k *Keyring) Delete(ctx context.Context, accessKeyID string) error {
	k.wmu.Lock()
	defer k.wmu.Unlock()
	err := k.store.DeleteCredential(ctx, accessKeyID)
	k.invalidate(accessKeyID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}
