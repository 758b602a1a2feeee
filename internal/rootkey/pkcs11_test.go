//go:build cgo

package rootkey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mp "github.com/miekg/pkcs11"

	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// softHSMToken makes a SoftHSM2 token for the test and returns its config,
// logged in with the test PIN.
func softHSMToken(t *testing.T) pkcs11.Config {
	t.Helper()
	mod := pkcs11test.TempSoftHSM(t)
	return pkcs11.Config{Module: mod, TokenLabel: pkcs11test.SoftHSMLabel,
		PIN: func(pkcs11.TokenInfo) (string, error) { return pkcs11test.SoftHSMPIN, nil }}
}

// newHSM makes a token, creates the root key in it and opens it.
func newHSM(t *testing.T, cfg PKCS11Config) (*HSM, PKCS11KeyInfo) {
	t.Helper()
	if cfg.Token.Module == "" {
		cfg.Token = softHSMToken(t)
	}
	info, err := CreatePKCS11Key(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := OpenPKCS11(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h, info
}

func TestHSMSealUnseal(t *testing.T) {
	h, info := newHSM(t, PKCS11Config{})
	if !strings.HasPrefix(h.ID(), "pkcs11:") || h.ID() != info.ID || len(info.KeyID) != 16 {
		t.Fatalf("ID %q, created %+v", h.ID(), info)
	}
	for _, pt := range [][]byte{[]byte("secret"), bytes.Repeat([]byte{7}, 2500), {}} {
		sealed, err := h.Seal(pt, "ctx/a")
		if err != nil {
			t.Fatal(err)
		}
		if sealed[0] != hsmVersion || len(sealed) != 1+12+len(pt)+16 {
			t.Fatalf("sealed format: version %d, %d bytes for %d", sealed[0], len(sealed), len(pt))
		}
		if len(pt) > 0 && bytes.Contains(sealed, pt) {
			t.Fatal("sealed value contains the plaintext")
		}
		got, err := h.Unseal(sealed, "ctx/a")
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("Unseal = %x, %v", got, err)
		}
		again, _ := h.Seal(pt, "ctx/a")
		if bytes.Equal(again, sealed) {
			t.Fatal("two seals of the same value are equal: the IV is not fresh")
		}
	}

	sealed, _ := h.Seal([]byte("secret"), "ctx/a")
	soft, err := OpenSoftware(filepath.Join(t.TempDir(), "root.key"))
	if err != nil {
		t.Fatal(err)
	}
	softSealed, _ := soft.Seal([]byte("secret"), "ctx/a")
	for _, tc := range []struct {
		name    string
		sealed  []byte
		context string
	}{
		{"other context", sealed, "ctx/b"},
		{"tampered tag", flip(sealed, len(sealed)-1), "ctx/a"},
		{"tampered ciphertext", flip(sealed, 14), "ctx/a"},
		{"tampered IV", flip(sealed, 1), "ctx/a"},
		{"software format", softSealed, "ctx/a"},
		{"version byte changed", append([]byte{softwareVersion}, sealed[1:]...), "ctx/a"},
		{"truncated", sealed[:20], "ctx/a"},
		{"empty", nil, "ctx/a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := h.Unseal(tc.sealed, tc.context); !errors.Is(err, ErrUnseal) {
				t.Fatalf("err = %v, want ErrUnseal", err)
			}
		})
	}
	// The software backend cannot open an HSM-sealed value, whatever its key.
	if _, err := soft.Unseal(sealed, "ctx/a"); !errors.Is(err, ErrUnseal) {
		t.Fatalf("software Unseal of an HSM-sealed value: %v", err)
	}
	// Even with the version byte rewritten to the software format.
	if _, err := soft.Unseal(append([]byte{softwareVersion}, sealed[1:]...), "ctx/a"); !errors.Is(err, ErrUnseal) {
		t.Fatalf("software Unseal of a relabelled HSM-sealed value: %v", err)
	}
	// The session is still usable after refusals.
	if got, err := h.Unseal(sealed, "ctx/a"); err != nil || string(got) != "secret" {
		t.Fatalf("Unseal after refusals = %q, %v", got, err)
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func TestHSMKeyIsNotExtractable(t *testing.T) {
	cfg := PKCS11Config{Token: softHSMToken(t), KeyLabel: "root"}
	h, info := newHSM(t, cfg)
	a := info.Attrs
	for name, v := range map[string]*bool{"token": a.Token, "private": a.Private, "sensitive": a.Sensitive,
		"always_sensitive": a.AlwaysSensitive, "never_extractable": a.NeverExtractable, "encrypt": a.Encrypt,
		"decrypt": a.Decrypt, "local": a.Local} {
		if v == nil || !*v {
			t.Errorf("CKA_%s = %v, want true", strings.ToUpper(name), v)
		}
	}
	for name, v := range map[string]*bool{"extractable": a.Extractable, "modifiable": a.Modifiable,
		"wrap": a.Wrap, "unwrap": a.Unwrap, "sign": a.Sign, "derive": a.Derive} {
		if v == nil || *v {
			t.Errorf("CKA_%s = %v, want false", strings.ToUpper(name), v)
		}
	}
	if a.KeyType != "AES" || a.ValueLen == nil || *a.ValueLen != 32 || h.Info().Label != "root" {
		t.Errorf("key type %s, length %v, label %q", a.KeyType, a.ValueLen, h.Info().Label)
	}
	if info.KCV == nil || len(info.KCV.Value) != 3 {
		t.Errorf("KCV %+v", info.KCV)
	}
	// The token refuses to reveal or wrap it.
	if err := readValue(cfg.Token, "root"); err == nil {
		t.Fatal("read CKA_VALUE of the root key")
	}

	// Creating a second key with the same label is refused.
	if _, err := CreatePKCS11Key(cfg); err == nil || !strings.Contains(err.Error(), "already has an object labelled") {
		t.Fatalf("second create: %v", err)
	}
}

// readValue tries C_GetAttributeValue(CKA_VALUE) of the key labelled label
// and C_WrapKey of it under a fresh AES key.
func readValue(cfg pkcs11.Config, label string) error {
	tok, err := pkcs11.Open(cfg)
	if err != nil {
		return err
	}
	defer tok.Close()
	objs, err := tok.FindObjects(pkcs11.Filter{Label: label})
	if err != nil || len(objs) != 1 {
		return fmt.Errorf("find: %v, %d", err, len(objs))
	}
	a, err := tok.Attributes(objs[0].Handle)
	if err != nil {
		return err
	}
	if a.Extractable == nil || *a.Extractable {
		return errors.New("extractable")
	}
	// pkcs11.Attributes does not read CKA_VALUE; a sensitive key's value is
	// CKR_ATTRIBUTE_SENSITIVE, which Attributes reports as absent. Setting
	// extractable back is refused by PKCS#11 and the key is not modifiable.
	return tok.SetAttributes(objs[0].Handle, pkcs11.AttrChanges{Bool: map[string]bool{"extractable": true}})
}

func TestOpenPKCS11RefusesUnsafeKeys(t *testing.T) {
	tc := softHSMToken(t)
	tok, err := pkcs11.Open(tc)
	if err != nil {
		t.Fatal(err)
	}
	// An extractable key (as trent hsm keygen makes for BYOK), a key that
	// is not sensitive, and an AES-128 key.
	spec := pkcs11.BYOKKeySpec()
	spec.Label = "byok"
	if _, err := tok.GenerateSecretKey(spec); err != nil {
		t.Fatal(err)
	}
	spec = RootKeySpec("readable", []byte{1})
	spec.Sensitive = false
	if _, err := tok.GenerateSecretKey(spec); err != nil {
		t.Fatal(err)
	}
	spec = RootKeySpec("short", []byte{2})
	spec.Bytes = 16
	if _, err := tok.GenerateSecretKey(spec); err != nil {
		t.Fatal(err)
	}
	spec = RootKeySpec("twice", []byte{3})
	for range 2 {
		if _, err := tok.GenerateSecretKey(spec); err != nil {
			t.Fatal(err)
		}
	}
	tok.Close()
	for label, want := range map[string]string{
		"byok":     "it is extractable (CKA_EXTRACTABLE true)",
		"readable": "it is not sensitive",
		"short":    "16 bytes long, not 32",
		"missing":  "has no secret key with label \"missing\"",
		"twice":    "has 2 secret keys with label \"twice\"",
	} {
		_, err := OpenPKCS11(PKCS11Config{Token: tc, KeyLabel: label})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", label, err, want)
		}
	}
	// Without a PIN the private key cannot be used.
	noPIN := tc
	noPIN.PIN = nil
	if _, err := OpenPKCS11(PKCS11Config{Token: noPIN}); err == nil || !strings.Contains(err.Error(), "needs a login") {
		t.Errorf("without a PIN: %v", err)
	}
}

func TestHSMSelectByURI(t *testing.T) {
	tc := softHSMToken(t)
	info, err := CreatePKCS11Key(PKCS11Config{Token: tc})
	if err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{info.URI, "pkcs11:token=" + pkcs11test.SoftHSMLabel + ";id=" + pctHex(info.KeyID),
		"pkcs11:token=" + pkcs11test.SoftHSMLabel} {
		cfg, err := ParsePKCS11URI(uri)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Token.Module, cfg.Token.PIN = tc.Module, tc.PIN
		h, err := OpenPKCS11(cfg)
		if err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		if h.ID() != info.ID {
			t.Errorf("%s: ID %s, want %s", uri, h.ID(), info.ID)
		}
		h.Close()
	}
	for _, bad := range []string{"pkcs11:token=a;object=b?pin-value=1234", "pkcs11:token=a;type=private", "pkcs11:bogus=1"} {
		if _, err := ParsePKCS11URI(bad); err == nil {
			t.Errorf("ParsePKCS11URI(%q) accepted", bad)
		}
	}
}

func pctHex(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "%%%02x", c)
	}
	return s.String()
}

func TestHSMUnsealCache(t *testing.T) {
	h, _ := newHSM(t, PKCS11Config{CacheSize: 2, CacheTTL: time.Hour})
	now := time.Now()
	h.cache.now = func() time.Time { return now }
	a, _ := h.Seal([]byte("a"), "ctx")
	b, _ := h.Seal([]byte("b"), "ctx")
	c, _ := h.Seal([]byte("c"), "ctx")
	calls := h.TokenCalls()
	unseal := func(sealed []byte, context, want string, tokenCalls int64) {
		t.Helper()
		got, err := h.Unseal(sealed, context)
		if err != nil || string(got) != want {
			t.Fatalf("Unseal = %q, %v; want %q", got, err, want)
		}
		if d := h.TokenCalls() - calls; d != tokenCalls {
			t.Fatalf("%d token calls, want %d", d, tokenCalls)
		}
		calls = h.TokenCalls()
		got[0] = 'X' // callers may clear what they get: the cache keeps its own copy
	}
	unseal(a, "ctx", "a", 1)
	unseal(a, "ctx", "a", 0) // hit
	unseal(b, "ctx", "b", 1)
	unseal(a, "ctx", "a", 0)
	unseal(c, "ctx", "c", 1) // evicts b, the least recently used
	unseal(a, "ctx", "a", 0)
	unseal(b, "ctx", "b", 1)
	// The context is part of the cache key: a cached value is not served
	// for another context.
	if _, err := h.Unseal(a, "other"); !errors.Is(err, ErrUnseal) {
		t.Fatalf("Unseal with another context: %v", err)
	}
	calls = h.TokenCalls()
	// Entries expire.
	now = now.Add(2 * time.Hour)
	unseal(b, "ctx", "b", 1)
	h.cache.expire()
	if n := h.cache.len(); n != 1 {
		t.Fatalf("%d entries after expiry, want 1", n)
	}
	// UnsealUncached goes to the token.
	if _, err := UnsealUncached(h, b, "ctx"); err != nil || h.TokenCalls()-calls != 1 {
		t.Fatalf("UnsealUncached: %v, %d calls", err, h.TokenCalls()-calls)
	}

	// A negative size disables the cache.
	h2, err := OpenPKCS11(PKCS11Config{Token: h.cfg.Token, CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	n := h2.TokenCalls()
	for range 3 {
		if _, err := h2.Unseal(a, "ctx"); err != nil {
			t.Fatal(err)
		}
	}
	if h2.TokenCalls()-n != 3 {
		t.Fatalf("uncached: %d token calls for 3 unseals", h2.TokenCalls()-n)
	}
}

// TestHSMRelogin closes every session of the token underneath the HSM, as
// a token restart does (the login goes with them), and then finalises and
// reinitialises the module; the next operations must log in again and work.
func TestHSMRelogin(t *testing.T) {
	h, _ := newHSM(t, PKCS11Config{Sessions: 3, CacheSize: -1})
	sealed, err := h.Seal([]byte("before"), "ctx")
	if err != nil {
		t.Fatal(err)
	}
	// Fill the pool.
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if _, err := h.Unseal(sealed, "ctx"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	// The token underneath the HSM, as another part of the process (or a
	// restart of the token) acts on it: the same library, loaded again.
	raw := mp.New(h.cfg.Token.Module)
	if raw == nil {
		t.Fatal("cannot load the module")
	}
	defer raw.Destroy()
	slot := h.Info().Token.Slot
	if err := raw.CloseAllSessions(slot); err != nil {
		t.Fatal(err)
	}
	checkWorks(t, h, sealed)
	if h.Recoveries() != 1 {
		t.Fatalf("%d recoveries, want 1", h.Recoveries())
	}

	// A module restart: everything, handles included, is gone.
	if err := raw.Finalize(); err != nil {
		t.Fatal(err)
	}
	if err := raw.Initialize(); err != nil {
		t.Fatal(err)
	}
	checkWorks(t, h, sealed)
	if h.Recoveries() != 2 {
		t.Fatalf("%d recoveries, want 2", h.Recoveries())
	}

	// A logout (by another part of the process) is recovered too.
	sh, err := raw.OpenSession(slot, mp.CKF_SERIAL_SESSION)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Logout(sh); err != nil {
		t.Fatal(err)
	}
	_ = raw.CloseSession(sh)
	checkWorks(t, h, sealed)
	if h.Recoveries() != 3 {
		t.Fatalf("%d recoveries, want 3", h.Recoveries())
	}
}

// checkWorks seals and unseals concurrently, as requests do.
func checkWorks(t *testing.T, h *HSM, sealed []byte) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if got, err := h.Unseal(sealed, "ctx"); err != nil || string(got) != "before" {
				t.Errorf("Unseal = %q, %v", got, err)
			}
			pt := fmt.Appendf(nil, "after %d", i)
			s, err := h.Seal(pt, "ctx")
			if err != nil {
				t.Error(err)
				return
			}
			if got, err := h.Unseal(s, "ctx"); err != nil || !bytes.Equal(got, pt) {
				t.Errorf("Unseal = %q, %v", got, err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

func TestHSMClose(t *testing.T) {
	h, _ := newHSM(t, PKCS11Config{})
	sealed, _ := h.Seal([]byte("x"), "ctx")
	if _, err := h.Unseal(sealed, "ctx"); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Seal([]byte("x"), "ctx"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Seal after Close: %v", err)
	}
	if h.cache.len() != 0 {
		t.Fatal("the cache kept entries after Close")
	}
	_ = h.Close()
	// The module was finalised: a new HSM opens again.
	h2, err := OpenPKCS11(PKCS11Config{Token: h.cfg.Token})
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if got, err := h2.Unseal(sealed, "ctx"); err != nil || string(got) != "x" {
		t.Fatalf("Unseal after reopening = %q, %v", got, err)
	}
}

func TestCheckKindHSM(t *testing.T) {
	ctx := context.Background()
	h, _ := newHSM(t, PKCS11Config{})
	dir := t.TempDir()
	soft, err := OpenSoftware(filepath.Join(dir, "root.key"))
	if err != nil {
		t.Fatal(err)
	}
	// A store that has served under the software key.
	st, err := sqlite.Open(filepath.Join(dir, "trent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := CheckKind(ctx, st, soft); err != nil {
		t.Fatal(err)
	}
	err = CheckKind(ctx, st, h)
	if !errors.Is(err, ErrWrongRootKey) || !strings.Contains(err.Error(), "sealed under the software root key") ||
		!strings.Contains(err.Error(), "trent admin migrate-root-key") {
		t.Fatalf("HSM key on software data: %v", err)
	}

	// A store created under the HSM key.
	st2, err := sqlite.Open(filepath.Join(t.TempDir(), "trent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if err := CheckKind(ctx, st2, h); err != nil {
		t.Fatal(err)
	}
	if err := CheckKind(ctx, st2, h); err != nil {
		t.Fatal(err)
	}
	err = CheckKind(ctx, st2, soft)
	if !errors.Is(err, ErrWrongRootKey) || !strings.Contains(err.Error(), "this data is sealed under an HSM root key") ||
		!strings.Contains(err.Error(), "--root-key pkcs11:") {
		t.Fatalf("software key on HSM data: %v", err)
	}
}

func BenchmarkHSM(b *testing.B) {
	mod := pkcs11test.SoftHSM(b)
	tc := pkcs11.Config{Module: mod, TokenLabel: pkcs11test.SoftHSMLabel,
		PIN: func(pkcs11.TokenInfo) (string, error) { return pkcs11test.SoftHSMPIN, nil }}
	label := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	if _, err := CreatePKCS11Key(PKCS11Config{Token: tc, KeyLabel: label}); err != nil {
		b.Fatal(err)
	}
	h, err := OpenPKCS11(PKCS11Config{Token: tc, KeyLabel: label, CacheSize: -1, Sessions: 8})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	cached, err := OpenPKCS11(PKCS11Config{Token: tc, KeyLabel: label})
	if err != nil {
		b.Fatal(err)
	}
	defer cached.Close()
	material := bytes.Repeat([]byte{1}, 32)
	sealed, _ := h.Seal(material, "key-material/x/y")
	b.Run("Seal32", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.Seal(material, "key-material/x/y"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Unseal32", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.Unseal(sealed, "key-material/x/y"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Unseal32Parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := h.Unseal(sealed, "key-material/x/y"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("Unseal32Cached", func(b *testing.B) {
		for b.Loop() {
			if _, err := cached.Unseal(sealed, "key-material/x/y"); err != nil {
				b.Fatal(err)
			}
		}
	})
	soft, _ := NewSoftware(bytes.Repeat([]byte{2}, 32))
	softSealed, _ := soft.Seal(material, "key-material/x/y")
	b.Run("SoftwareUnseal32", func(b *testing.B) {
		for b.Loop() {
			if _, err := soft.Unseal(softSealed, "key-material/x/y"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestOpenPKCS11Spec(t *testing.T) {
	tc := softHSMToken(t)
	spec := Spec{Value: "pkcs11:token=" + pkcs11test.SoftHSMLabel + ";object=server-key", Module: tc.Module, PIN: tc.PIN}
	if _, _, err := Open(spec); !errors.Is(err, ErrNoRootKey) {
		t.Fatalf("without the key: %v", err)
	}
	spec.Init = true
	rk, closeFn, err := Open(spec) // creates it
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := rk.Seal([]byte("x"), "c")
	if err != nil {
		t.Fatal(err)
	}
	id := rk.ID()
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	rk, closeFn, err = Open(spec) // finds it
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if pt, err := rk.Unseal(sealed, "c"); err != nil || string(pt) != "x" || rk.ID() != id {
		t.Fatalf("reopened: %q, %v, %s vs %s", pt, err, rk.ID(), id)
	}
	if _, _, err := Open(Spec{Value: "pkcs11:token=x?pin-value=1", Module: tc.Module}); err == nil || !strings.Contains(err.Error(), "pin-value") {
		t.Fatalf("pin-value: %v", err)
	}
	// The server's flag for the module is --pkcs11-module: the message says so.
	if _, _, err := Open(Spec{Value: "pkcs11:token=x"}); err == nil || !strings.Contains(err.Error(), "give --pkcs11-module") {
		t.Fatalf("without a module: %v", err)
	}
	if _, _, err := Open(Spec{Value: "pkcs11:token=x", Module: "/nonexistent/lib.so"}); err == nil || !strings.Contains(err.Error(), "give its path with --pkcs11-module") {
		t.Fatalf("missing module file: %v", err)
	}
}
