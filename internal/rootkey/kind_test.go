package rootkey

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/store/sqlite"
)

// memMeta is a MetaStore in memory.
type memMeta map[string][]byte

func (m memMeta) InitMeta(_ context.Context, name string, value []byte) ([]byte, error) {
	if v, ok := m[name]; ok {
		return v, nil
	}
	m[name] = value
	return value, nil
}

func TestCheckKindSoftware(t *testing.T) {
	ctx := context.Background()
	a, _ := OpenSoftware(filepath.Join(t.TempDir(), "a.key"))
	b, _ := OpenSoftware(filepath.Join(t.TempDir(), "b.key"))

	st, err := sqlite.Open(filepath.Join(t.TempDir(), "trent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for range 2 {
		if err := CheckKind(ctx, st, a); err != nil {
			t.Fatal(err)
		}
	}
	kind, _ := st.InitMeta(ctx, KindMetaName, nil)
	if string(kind) != a.ID() {
		t.Fatalf("recorded kind %q, want %q", kind, a.ID())
	}
	err = CheckKind(ctx, st, b)
	if !errors.Is(err, ErrWrongRootKey) || !strings.Contains(err.Error(), "another software root key") {
		t.Fatalf("other software key: %v", err)
	}

	// A store written before the kind was recorded (only the kms secret):
	// the wrong key is refused before anything is recorded.
	m := memMeta{}
	sealed, _ := a.Seal(make([]byte, 32), probeName)
	m[probeName] = sealed
	if err := CheckKind(ctx, m, b); !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("legacy store, wrong key: %v", err)
	}
	if _, ok := m[KindMetaName]; ok {
		t.Fatal("a kind was recorded for the wrong key")
	}
	if err := CheckKind(ctx, m, a); err != nil || string(m[KindMetaName]) != a.ID() {
		t.Fatalf("legacy store, right key: %v, kind %q", err, m[KindMetaName])
	}

	// Data migrated to an HSM key: the software key is refused by the
	// recorded kind, and by the HSM format of the secret.
	m = memMeta{probeName: sealed, KindMetaName: []byte("pkcs11:0011")}
	err = CheckKind(ctx, m, a)
	if !errors.Is(err, ErrWrongRootKey) || !strings.Contains(err.Error(), "this data is sealed under an HSM root key (pkcs11:0011)") ||
		!strings.Contains(err.Error(), "start with --root-key pkcs11:") {
		t.Fatalf("migrated store: %v", err)
	}
	m = memMeta{probeName: append([]byte{hsmVersion}, make([]byte, 40)...)}
	if err := CheckKind(ctx, m, a); err == nil || !strings.Contains(err.Error(), "this data is sealed under an HSM root key") {
		t.Fatalf("HSM-sealed secret: %v", err)
	}

	// An unfinished migration.
	m = memMeta{probeName: sealed, KindMetaName: []byte(MigratingPrefix + "pkcs11:0011")}
	if err := CheckKind(ctx, m, a); !errors.Is(err, ErrWrongRootKey) || !strings.Contains(err.Error(), "has started and not finished") {
		t.Fatalf("migration in progress: %v", err)
	}
}
