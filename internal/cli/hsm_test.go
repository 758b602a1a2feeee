//go:build cgo

package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

func TestHSMUsage(t *testing.T) {
	if code, _, errOut := run(t, "hsm"); code != 2 || !strings.Contains(errOut, "Usage: trent hsm <subcommand>") {
		t.Errorf("trent hsm: %d %q", code, errOut)
	}
	if code, out, _ := run(t, "hsm", "-h"); code != 0 || !strings.Contains(out, "import-pubkey") {
		t.Errorf("trent hsm -h: %d %q", code, out)
	}
	if code, out, _ := run(t, "help"); code != 0 || !strings.Contains(out, "hsm ") {
		t.Errorf("trent help does not list hsm: %q", out)
	}
	mustFail(t, 2, []string{`unknown subcommand "nope"`}, "hsm", "nope")
	pinRefusal := "trent does not take the PIN on the command line (it would show in ps and in shell history): use --pin-file FILE, the TRENT_PKCS11_PIN environment variable, or type it at the prompt"
	for _, a := range [][]string{{"--pin", "1234"}, {"--pin=1234"}, {"-p", "1234"}, {"-pin", "1"}} {
		mustFail(t, 2, []string{"trent hsm objects: " + pinRefusal}, append([]string{"hsm", "objects", "--module", "/x.so"}, a...)...)
	}
	mustFail(t, 2, []string{"the pkcs11: URI holds a pin-value: trent does not take the PIN on the command line"},
		"hsm", "objects", "--uri", "pkcs11:token=a?pin-value=1234&module-path=/x.so")
	mustFail(t, 2, []string{`--slot "one" is not a slot id`}, "hsm", "objects", "--module", "/x.so", "--slot", "one")
	mustFail(t, 2, []string{`unknown path attribute "tokn"`}, "hsm", "objects", "--uri", "pkcs11:tokn=a")
	mustFail(t, 1, []string{"no PKCS#11 module: give --module (env TRENT_PKCS11_MODULE)"}, "hsm", "objects")
	mustFail(t, 2, []string{`unexpected argument "extra"`}, "hsm", "objects", "--module", "/x.so", "extra")
}

// TestHSMSoftHSM runs every subcommand against a SoftHSM2 token, checks
// what import-pubkey and keygen wrote with pkcs11-tool, and unwraps what
// wrap wrote with the RSA private key.
func TestHSMSoftHSM(t *testing.T) {
	tf := softHSMArgs(t)
	mod := tf[1]
	priv := pkcs11test.RSAKey(t)
	der, pemFile := wrappingKeyFiles(t)
	dir := t.TempDir()

	out := mustRun(t, hsm("slots", tf)...)
	for _, want := range []string{"Slot Id ->", "Label ->            trent-test", "Model ->            SoftHSM v2", "Firmware Version ->", "Token Flags ->      RNG LOGIN_REQUIRED"} {
		if !strings.Contains(out, want) {
			t.Errorf("slots: no %q in\n%s", want, out)
		}
	}
	slots := decodeJSON[[]pkcs11.SlotInfo](t, mustRun(t, hsm("slots", tf, "--json")...))
	if len(slots) < 1 || slots[0].Token == nil || slots[0].Token.Label != pkcs11test.SoftHSMLabel || slots[0].Token.Serial == "" {
		t.Errorf("slots --json: %+v", slots)
	}
	mechs := decodeJSON[[]pkcs11.Mechanism](t, mustRun(t, hsm("mechanisms", tf, "--json")...))
	if !strings.Contains(mustRun(t, hsm("mechanisms", tf)...), "CKM_RSA_PKCS_OAEP") || len(mechs) < 10 {
		t.Errorf("mechanisms: %d", len(mechs))
	}

	// import-pubkey, from KMS's DER and from PEM.
	a := decodeJSON[pkcs11.Attrs](t, mustRun(t, hsm("import-pubkey", tf, "--in", der, "--label", "AWS Public Key", "--json")...))
	if a.Class != "public-key" || !*a.Wrap || !*a.Encrypt || !*a.Token || *a.Verify || !bytes.Equal(a.Modulus, priv.N.Bytes()) {
		t.Errorf("import-pubkey: %+v", a)
	}
	out = mustRun(t, hsm("import-pubkey", tf, "--in", pemFile, "--label", "pem copy", "--id", "0102", "--wrap=false")...)
	if !strings.Contains(out, `imported RSA-2048 public key on token "trent-test": label "pem copy", id 0102, pkcs11:serial=`) || !strings.Contains(out, "wrap=false") || !strings.Contains(out, "id=0102") {
		t.Errorf("import-pubkey text: %s", out)
	}
	// keygen: the BYOK default, an AES-128 with other attributes, an HMAC key.
	k := decodeJSON[struct {
		pkcs11.Attrs
		KCV    pkcs11.Hex `json:"kcv"`
		Method string     `json:"kcv_method"`
	}](t, mustRun(t, hsm("keygen", tf, "--label", "byok-aes", "--id", "aa", "--json")...))
	if k.KeyType != "AES" || *k.ValueLen != 32 || !*k.Token || !*k.Sensitive || !*k.Extractable || !*k.Private || !*k.Modifiable ||
		!*k.Encrypt || !*k.Decrypt || *k.Wrap || *k.Unwrap || *k.Sign || *k.Verify || *k.Derive || len(k.KCV) != 3 || k.Method != pkcs11.KCVAESECB {
		t.Errorf("keygen defaults: %s", mustJSON(k))
	}
	out = mustRun(t, hsm("keygen", tf, "--label", "aes128", "--size", "16", "--wrap", "--unwrap", "--derive", "--sensitive=false", "--private=false")...)
	for _, want := range []string{"generated AES key of 16 bytes", "wrap=true", "unwrap=true", "derive=true", "sensitive=false", "private=false", "value_len=16", "kcv="} {
		if !strings.Contains(out, want) {
			t.Errorf("keygen aes128: no %q in\n%s", want, out)
		}
	}
	mustRun(t, hsm("keygen", tf, "--type", "generic-secret", "--size", "48", "--label", "hmac-key")...)
	mustFail(t, 1, []string{"an AES key is 16, 24 or 32 bytes, not 20"}, hsm("keygen", tf, "--size", "20")...)
	mustFail(t, 2, []string{`--type "des": use aes or generic-secret`}, hsm("keygen", tf, "--type", "des")...)

	// The independent check.
	listing := pkcs11ToolObjects(t, mod)
	for label, wants := range map[string][]string{
		"AWS Public Key": {"Public Key Object; RSA 2048 bits", "Usage:      encrypt, wrap"},
		"pem copy":       {"Public Key Object; RSA 2048 bits", "ID:         0102", "Usage:      encrypt\n"},
		"byok-aes":       {"Secret Key Object; AES length 32", "ID:         aa", "Usage:      encrypt, decrypt\n", "Access:     sensitive, always sensitive, extractable, local"},
		"aes128":         {"Secret Key Object; AES length 16", "Usage:      encrypt, decrypt, wrap, unwrap, derive\n", "Access:     extractable, local"},
		"hmac-key":       {"Secret Key Object; Generic secret length 48", "Usage:      verify\n", "Access:     sensitive, always sensitive, extractable, local"},
	} {
		obj := pkcs11ToolObject(t, listing, label)
		for _, w := range wants {
			if !strings.Contains(obj, w) {
				t.Errorf("pkcs11-tool for %q: no %q in\n%s", label, w, obj)
			}
		}
	}

	// objects, with filters.
	objs := decodeJSON[[]pkcs11.Object](t, mustRun(t, hsm("objects", tf, "--json")...))
	if len(objs) != 5 {
		t.Errorf("objects: %+v", objs)
	}
	objs = decodeJSON[[]pkcs11.Object](t, mustRun(t, hsm("objects", tf, "--json", "--class", "public-key")...))
	if len(objs) != 2 || objs[0].KeyType != "RSA" || objs[0].Bits != 2048 {
		t.Errorf("objects --class public-key: %+v", objs)
	}
	objs = decodeJSON[[]pkcs11.Object](t, mustRun(t, hsm("objects", tf, "--json", "--label", "byok-aes")...))
	if len(objs) != 1 || objs[0].Bits != 256 || objs[0].ID.String() != "aa" {
		t.Errorf("objects --label: %+v", objs)
	}
	if got := decodeJSON[[]pkcs11.Object](t, mustRun(t, hsm("objects", tf, "--json", "--label", "none")...)); len(got) != 0 {
		t.Errorf("objects --label none: %+v", got)
	}
	out = mustRun(t, hsm("objects", tf, "--class", "secret-key")...)
	if !strings.Contains(out, "CLASS       KEY TYPE") || !strings.Contains(out, "byok-aes") || !strings.Contains(out, "3 object(s) on token \"trent-test\"; name them by label:NAME") {
		t.Errorf("objects text:\n%s", out)
	}

	// attrs, by label, id, URI and handle.
	for _, sel := range []string{"byok-aes", "label:byok-aes", "id:aa", "pkcs11:object=byok-aes;type=secret-key;token=trent-test"} {
		out := mustRun(t, hsm("attrs", tf, "--handle", sel)...)
		for _, want := range []string{"class=secret-key", "label=byok-aes", "key_type=AES", "id=aa", "sensitive=true", "extractable=true", "value_len=32", "check_value=" + k.KCV.String()} {
			if !strings.Contains(out, want+"\n") {
				t.Errorf("attrs --handle %s: no %q in\n%s", sel, want, out)
			}
		}
	}
	pub := decodeJSON[pkcs11.Attrs](t, mustRun(t, hsm("attrs", tf, "--json", "--handle", "AWS Public Key")...))
	if pub.ModulusBits == nil || *pub.ModulusBits != 2048 || pub.PublicExponent.String() != "010001" {
		t.Errorf("attrs public key: %+v", pub)
	}
	mustFail(t, 1, []string{`--object "missing": no object on token "trent-test" matches`}, hsm("attrs", tf, "--handle", "missing")...)
	mustFail(t, 1, []string{`--object "999999": token "trent-test" has no object with handle 999999 in this session`}, hsm("attrs", tf, "--object", "999999")...)
	mustFail(t, 1, []string{`the object URI names token="other" but the open token has "trent-test"`}, hsm("attrs", tf, "--handle", "pkcs11:token=other;object=x")...)
	mustFail(t, 2, []string{"--object is required"}, hsm("attrs", tf)...)

	// set-attrs: Luna's step 2.5 on the PEM copy, then a refusal.
	a = decodeJSON[pkcs11.Attrs](t, mustRun(t, hsm("set-attrs", tf, "--object", "pem copy", "--wrap", "--encrypt=true", "--new-label", "renamed", "--json")...))
	if !*a.Wrap || *a.Label != "renamed" {
		t.Errorf("set-attrs: %+v", a)
	}
	mustFail(t, 1, []string{"trent hsm set-attrs: C_SetAttributeValue: CKR_ATTRIBUTE_READ_ONLY (0x10): the token refused to change sensitive: sensitive can only go from false to true in PKCS#11", "nothing was changed"},
		hsm("set-attrs", tf, "--handle", "byok-aes", "--sensitive=false")...)
	mustFail(t, 2, []string{"nothing to set"}, hsm("set-attrs", tf, "--handle", "byok-aes")...)

	// kcv
	kcv := decodeJSON[struct {
		pkcs11.KCV
	}](t, mustRun(t, hsm("kcv", tf, "--handle", "byok-aes", "--json")...))
	if !bytes.Equal(kcv.Value, k.KCV) || kcv.Method != pkcs11.KCVAESECB {
		t.Errorf("kcv: %+v, keygen said %s", kcv, k.KCV)
	}
	if out := mustRun(t, hsm("kcv", tf, "--object", "id:aa")...); out != "kcv="+k.KCV.String()+" method=AES-ECB object="+kcvURI(t, tf)+"\n" {
		t.Errorf("kcv text: %q", out)
	}

	// wrap with every algorithm SoftHSM2 2.6 can do, checked by
	// unwrapping with the private key.
	for _, alg := range []string{byok.RSAESOAEPSHA1, byok.RSAAESKeyWrapSHA1, byok.RSAESPKCS1v15} {
		file := filepath.Join(dir, alg+".bin")
		code, out, errOut := run(t, hsm("wrap", tf, "--key", "byok-aes", "--wrapping-key", "AWS Public Key", "--algorithm", alg, "--out", file)...)
		if code != 0 || !strings.Contains(out, "kcv="+k.KCV.String()) {
			t.Fatalf("wrap %s: %d %s %s", alg, code, out, errOut)
		}
		wrapped, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := byok.Unwrap(priv, alg, wrapped, 32)
		if err != nil || kcvOf(t, m) != k.KCV.String() {
			t.Errorf("wrap %s: unwrap %v, kcv mismatch", alg, err)
		}
	}
	r := decodeJSON[wrapResult](t, mustRun(t, hsm("wrap", tf, "--key", "id:aa", "--wrapping-key", "id:"+pkcs11.Hex(pkcs11.PublicKeyID(&priv.PublicKey)).String(),
		"--algorithm", byok.RSAAESKeyWrapSHA1, "--out", filepath.Join(dir, "w.bin"), "--json")...))
	if r.Bytes != 256+40 || r.Algorithm != byok.RSAAESKeyWrapSHA1 || r.KCVMethod != pkcs11.KCVAESECB {
		t.Errorf("wrap --json: %+v", r)
	}

	// Refusals, each leaving the token as it was.
	before := objectSet(t, tf)
	noOut := filepath.Join(dir, "never.bin")
	mustFail(t, 1, []string{"C_WrapKey: CKR_ARGUMENTS_BAD (0x7): the token offers CKM_RSA_PKCS_OAEP but refused its parameters: RSA-OAEP with SHA-256, MGF1-SHA-256, empty label (SoftHSM2 2.6 accepts only SHA-1)"},
		hsm("wrap", tf, "--key", "byok-aes", "--wrapping-key", "AWS Public Key", "--algorithm", byok.RSAESOAEPSHA256, "--out", noOut)...)
	mustFail(t, 1, []string{"this token cannot wrap with RSA_AES_KEY_WRAP_SHA_256"},
		hsm("wrap", tf, "--key", "byok-aes", "--wrapping-key", "AWS Public Key", "--algorithm", byok.RSAAESKeyWrapSHA256, "--out", noOut)...)
	mustRun(t, hsm("keygen", tf, "--label", "fixed", "--extractable=false")...)
	mustFail(t, 1, []string{`has extractable=false and the token will not make it extractable, so it cannot be wrapped: C_SetAttributeValue: CKR_ATTRIBUTE_READ_ONLY (0x10)`, "generate a new key with `trent hsm keygen --extractable`"},
		hsm("wrap", tf, "--key", "fixed", "--wrapping-key", "AWS Public Key", "--algorithm", byok.RSAESOAEPSHA1, "--out", noOut)...)
	mustRun(t, hsm("import-pubkey", tf, "--in", der, "--label", "no-wrap", "--id", "ff", "--wrap=false")...)
	mustFail(t, 1, []string{`, label "no-wrap") has wrap=false, so the token would refuse it (CKR_KEY_FUNCTION_NOT_PERMITTED); set it with ` + "`trent hsm set-attrs --handle"},
		hsm("wrap", tf, "--key", "byok-aes", "--wrapping-key", "no-wrap", "--algorithm", byok.RSAESOAEPSHA1, "--out", noOut)...)
	mustFail(t, 1, []string{`unknown wrapping algorithm "AES_256"`},
		hsm("wrap", tf, "--key", "byok-aes", "--wrapping-key", "AWS Public Key", "--algorithm", "AES_256", "--out", noOut)...)
	mustFail(t, 1, []string{`--wrapping-key "byok-aes": no public-key on token "trent-test" matches`},
		hsm("wrap", tf, "--key", "byok-aes", "--wrapping-key", "byok-aes", "--algorithm", byok.RSAESOAEPSHA1, "--out", noOut)...)
	if _, err := os.Stat(noOut); err == nil {
		t.Error("a refused wrap wrote its output file")
	}
	mustRun(t, hsm("destroy", tf, "--handle", "fixed")...)
	mustRun(t, hsm("destroy", tf, "--handle", "no-wrap")...)
	if after := objectSet(t, tf); after != before {
		t.Errorf("objects changed by refusals:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// Wrong PIN, missing PIN, missing module: clear messages, nothing left.
	badPIN := filepath.Join(dir, "bad-pin")
	if err := os.WriteFile(badPIN, []byte("0000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	noPIN := []string{"--module", mod, "--token-label", pkcs11test.SoftHSMLabel}
	mustFail(t, 1, []string{`trent hsm objects: token "trent-test" (slot `, "C_Login: CKR_PIN_INCORRECT (0xA0): the PIN is wrong"},
		hsm("objects", append(noPIN, "--pin-file", badPIN))...)
	t.Setenv("TRENT_PKCS11_PIN", "0000")
	mustFail(t, 1, []string{"CKR_PIN_INCORRECT"}, hsm("objects", noPIN)...)
	t.Setenv("TRENT_PKCS11_PIN", "")
	stdinFD = func() int { return -1 }
	defer func() { stdinFD = func() int { return int(os.Stdin.Fd()) } }()
	mustFail(t, 1, []string{"the token needs the user PIN and standard input is not a terminal to ask for it: give --pin-file FILE or set TRENT_PKCS11_PIN"},
		hsm("objects", noPIN)...)
	mustFail(t, 1, []string{"PKCS#11 module /nonexistent/libCryptoki2_64.so: no such file: install the token's PKCS#11 library or give its path with --module"},
		hsm("objects", []string{"--module", "/nonexistent/libCryptoki2_64.so"})...)
	mustFail(t, 1, []string{`no token matches label "kms"`}, hsm("objects", []string{"--module", mod, "--token-label", "kms"})...)
	if after := objectSet(t, tf); after != before {
		t.Errorf("objects changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestHSMNSS runs the SHA-256 algorithms, which SoftHSM2 cannot do,
// against NSS softokn's key database token, with symkeyutil as the
// independent check of keygen.
func TestHSMNSS(t *testing.T) {
	db := pkcs11test.TempNSSDB(t)
	priv := pkcs11test.RSAKey(t)
	der, _ := wrappingKeyFiles(t)
	tf := []string{"--nss-db", db}
	t.Setenv("TRENT_PKCS11_PIN", "")

	out := mustRun(t, hsm("slots", tf)...)
	if !strings.Contains(out, "NSS Generic Crypto Services") || !strings.Contains(out, "NSS Certificate DB") {
		t.Errorf("slots:\n%s", out)
	}
	mustRun(t, hsm("import-pubkey", tf, "--in", der, "--label", "kms")...)
	k := decodeJSON[struct {
		pkcs11.Attrs
		KCV pkcs11.Hex `json:"kcv"`
	}](t, mustRun(t, hsm("keygen", tf, "--label", "nss-aes", "--json")...))
	if !*k.Token || len(k.KCV) != 3 {
		t.Fatalf("keygen: %s", mustJSON(k))
	}
	if sym, err := exec.Command("symkeyutil", "-L", "-d", "sql:"+db).CombinedOutput(); err == nil {
		if !regexp.MustCompile(`nss-aes\s+32\s+256\s+aes`).MatchString(string(sym)) {
			t.Errorf("symkeyutil -L does not show the key:\n%s", sym)
		}
	} else {
		pkcs11test.Require(t, "symkeyutil (libnss3-tools)", err)
	}
	dir := t.TempDir()
	for _, alg := range []string{byok.RSAESOAEPSHA256, byok.RSAESOAEPSHA1, byok.RSAAESKeyWrapSHA256, byok.RSAAESKeyWrapSHA1, byok.RSAESPKCS1v15} {
		file := filepath.Join(dir, alg)
		mustRun(t, hsm("wrap", tf, "--key", "nss-aes", "--wrapping-key", "kms", "--algorithm", alg, "--out", file)...)
		wrapped, _ := os.ReadFile(file)
		m, err := byok.Unwrap(priv, alg, wrapped, 32)
		if err != nil || kcvOf(t, m) != k.KCV.String() {
			t.Errorf("%s: unwrap %v", alg, err)
		}
	}
	// NSS keeps the handles of token objects from one session to the
	// next (SoftHSM2 does not), so a handle from objects works later.
	var h pkcs11.Handle
	for _, o := range decodeJSON[[]pkcs11.Object](t, mustRun(t, hsm("objects", tf, "--json")...)) {
		if o.Label == "nss-aes" {
			h = o.Handle
		}
	}
	if out := mustRun(t, hsm("attrs", tf, "--handle", jsonNumber(h))...); !strings.Contains(out, "label=nss-aes\n") {
		t.Errorf("attrs --handle %d:\n%s", h, out)
	}
	mustFail(t, 1, []string{"CKR_TOKEN_WRITE_PROTECTED", `use the "NSS Certificate DB" token, or a session object`},
		hsm("keygen", tf, "--token-label", "NSS Generic Crypto Services")...)
	mustFail(t, 1, []string{"no key4.db there", "certutil -N -d sql:"}, hsm("objects", []string{"--nss-db", t.TempDir()})...)
	mustFail(t, 1, []string{"C_Initialize: CKR_ARGUMENTS_BAD (0x7): the module refused initialisation without parameters; if it is NSS softokn (libsoftokn3.so), give its database directory with --nss-db"},
		hsm("objects", []string{"--module", pkcs11test.NSSModule})...)
}
