package rootkey

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
)

// KindMetaName is the store's meta entry that names the root key the data
// is sealed under: its ID ("soft:…" or "pkcs11:…"), or MigratingPrefix and
// the new key's ID while `trent admin migrate-root-key` runs.
const KindMetaName = "root-key-kind"

// MigratingPrefix starts the KindMetaName value during a migration.
const MigratingPrefix = "migrating-to:"

// probeName is the meta entry CheckKind unseals to learn whether a root key
// opens the data: the kms service's first service secret (kms/secrets.go),
// which every store that has served holds, sealed under its root key.
const probeName = MaterialIDSecret

// ErrWrongRootKey is wrapped by CheckKind's errors.
var ErrWrongRootKey = errors.New("the root key does not open this data")

// MetaStore is the part of store.Store that CheckKind uses.
type MetaStore interface {
	InitMeta(ctx context.Context, name string, value []byte) ([]byte, error)
}

// CheckKind checks, at server start, that rk is the root key the store's
// data is sealed under, and records rk's ID in the store if none is
// recorded yet. It fails (wrapping ErrWrongRootKey) with a message saying
// which root key the data needs: a software key on data migrated to an HSM
// ("start with --root-key pkcs11:…"), an HSM key on software-sealed data
// ("migrate with trent admin migrate-root-key"), another key of the same
// kind, or a migration that has not finished.
//
// It first unseals the kms service's material-ID secret with rk, creating
// that secret (sealed under rk) if the store has none, exactly as kms.New
// does; a store written before the kind was recorded is checked that way
// before rk's ID is recorded for it. Call it before kms.New.
func CheckKind(ctx context.Context, st MetaStore, rk RootKey) error {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return err
	}
	defer clear(fresh)
	sealed, err := rk.Seal(fresh, probeName)
	if err != nil {
		return fmt.Errorf("rootkey: sealing with %s: %w", rk.ID(), err)
	}
	stored, err := st.InitMeta(ctx, probeName, sealed)
	if err != nil {
		return err
	}
	pt, err := rk.Unseal(stored, probeName)
	if err != nil && !errors.Is(err, ErrUnseal) {
		return fmt.Errorf("rootkey: unsealing with %s: %w", rk.ID(), err)
	}
	clear(pt)
	if err != nil {
		return fmt.Errorf("%w (if a migration to this root key was started, finish it with `trent admin migrate-root-key`)",
			wrongKey(sealedKind(stored), "", rk.ID()))
	}
	kind, err := st.InitMeta(ctx, KindMetaName, []byte(rk.ID()))
	if err != nil {
		return err
	}
	if !bytes.Equal(kind, []byte(rk.ID())) {
		k := string(kind)
		if strings.HasPrefix(k, MigratingPrefix) {
			return fmt.Errorf("rootkey: %w: a migration of the root key to %s has started and not finished: complete it with `trent admin migrate-root-key` (it resumes where it stopped) before starting the server",
				ErrWrongRootKey, strings.TrimPrefix(k, MigratingPrefix))
		}
		return wrongKey(idKind(k), k, rk.ID())
	}
	return nil
}

// Kinds of root key, from an ID or a sealed value's version byte.
const (
	kindSoftware = "software"
	kindHSM      = "pkcs11"
)

func idKind(id string) string {
	switch {
	case strings.HasPrefix(id, "soft:"):
		return kindSoftware
	case strings.HasPrefix(id, "pkcs11:"):
		return kindHSM
	}
	return ""
}

func sealedKind(sealed []byte) string {
	if len(sealed) > 0 {
		switch sealed[0] {
		case softwareVersion:
			return kindSoftware
		case hsmVersion:
			return kindHSM
		}
	}
	return ""
}

// wrongKey explains that the data needs a root key of kind dataKind (ID
// dataID if known) rather than the key given.
func wrongKey(dataKind, dataID, given string) error {
	named := ""
	if dataID != "" {
		named = " (" + dataID + ")"
	}
	var msg string
	switch {
	case dataKind == kindHSM && idKind(given) != kindHSM:
		msg = "this data is sealed under an HSM root key" + named + ", not the software root key " + given +
			": start with --root-key pkcs11:token=…;object=… naming that key (see `trent admin root-key show`); after a migration the data dir's root.key no longer opens anything"
	case dataKind == kindSoftware && idKind(given) == kindHSM:
		msg = "this data is sealed under the software root key" + named + " (the data dir's root.key), not the HSM root key " + given +
			": move it to the HSM with `trent admin migrate-root-key`, or start without --root-key"
	case dataKind == kindHSM:
		msg = "this data is sealed under another HSM root key" + named + " than " + given + ": select that key with --root-key"
	case dataKind == kindSoftware:
		msg = "this data is sealed under another software root key" + named + " than " + given +
			": the root.key file does not belong to this data (restore the right one from backup)"
	default:
		msg = "this data is sealed under a root key" + named + " other than " + given
	}
	return fmt.Errorf("rootkey: %w: %s", ErrWrongRootKey, msg)
}

// UnsealUncached unseals with rk, bypassing any cache of unsealed values
// rk keeps (HSM does), so that success shows that the root key itself
// opened the value. Verification (the migration) uses it.
func UnsealUncached(rk RootKey, sealed []byte, context string) ([]byte, error) {
	if h, ok := rk.(*HSM); ok {
		return h.unsealUncached(sealed, context)
	}
	return rk.Unseal(sealed, context)
}

// SealedByHSM reports whether sealed is in the HSM format (it says nothing
// about which HSM key sealed it).
func SealedByHSM(sealed []byte) bool { return sealedKind(sealed) == kindHSM }
