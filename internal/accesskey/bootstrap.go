package accesskey

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// CredentialsFileName is the file, in the data directory, that receives the
// root credentials created on first start.
const CredentialsFileName = "root-credentials"

// rootMetaName records which access key is the account root's.
const rootMetaName = "root-access-key-id"

// BootstrapResult says what Bootstrap did.
type BootstrapResult struct {
	AccessKeyID string
	// CredentialsFile is the file the new credentials were written to; empty
	// when none was written (they existed already, or were given).
	CredentialsFile string
}

// Bootstrap makes sure the account root has an access key.
//
// If id and secret are both set, that key is stored for the root (replacing
// a previous secret for the same ID). Otherwise, if the root has no key at
// all — first start, an interrupted first start, or every root key deleted
// through IAM — one is created and written to dataDir/root-credentials with
// mode 0600. If it has one (the first, or keys it created since), nothing
// happens.
func (k *Keyring) Bootstrap(ctx context.Context, dataDir, id, secret string, now time.Time) (BootstrapResult, error) {
	if (id == "") != (secret == "") {
		return BootstrapResult{}, errors.New("accesskey: set both the root access key ID and the secret access key, or neither")
	}
	if id != "" {
		if err := k.Put(ctx, id, secret, k.RootARN(), "", now); err != nil {
			return BootstrapResult{}, err
		}
		_, err := k.store.InitMeta(ctx, rootMetaName, []byte(id))
		return BootstrapResult{AccessKeyID: id}, err
	}
	newID := NewID()
	stored, err := k.store.InitMeta(ctx, rootMetaName, []byte(newID))
	if err != nil {
		return BootstrapResult{}, err
	}
	rootID := string(stored)
	if rootID != newID {
		_, err := k.store.GetCredential(ctx, rootID)
		if !errors.Is(err, store.ErrNotFound) {
			return BootstrapResult{AccessKeyID: rootID}, err
		}
		// The first key is gone. If the root has another, it rotated its
		// keys through IAM: leave them be.
		keys, err := k.store.ListCredentials(ctx, "")
		if err != nil || len(keys) > 0 {
			id := ""
			if len(keys) > 0 {
				id = keys[0].AccessKeyID
			}
			return BootstrapResult{AccessKeyID: id}, err
		}
		// The root has no key: a previous start was interrupted before
		// storing it, or the root deleted all its keys. Either way, issue
		// the recorded ID again with a fresh secret, as on first start.
	}
	// Write the file before storing the secret: if the process dies in
	// between, the next start sees no stored secret and starts over, so the
	// operator can never be left with a stored secret nobody knows.
	newSecret := NewSecret()
	path := filepath.Join(dataDir, CredentialsFileName)
	if err := writeCredentialsFile(path, rootID, newSecret); err != nil {
		return BootstrapResult{}, err
	}
	if err := k.Put(ctx, rootID, newSecret, k.RootARN(), "", now); err != nil {
		return BootstrapResult{}, err
	}
	return BootstrapResult{AccessKeyID: rootID, CredentialsFile: path}, nil
}

// writeCredentialsFile writes an AWS shared credentials file with a
// [default] profile, readable by the owner only.
func writeCredentialsFile(path, id, secret string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("accesskey: %w", err)
	}
	_, err = fmt.Fprintf(f, "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", id, secret)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
