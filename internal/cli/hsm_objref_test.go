//go:build cgo

package cli

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/byokflow"
	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// TestHSMBareHandles: SoftHSM2 numbers objects anew in each session, so
// the handle keygen printed may name another object in the next run.
// Commands that change or export an object act on a bare handle only
// when --label or --id confirms it; without a terminal they refuse, and
// the token is left as it was.
func TestHSMBareHandles(t *testing.T) {
	tf := softHSMArgs(t)
	der, _ := wrappingKeyFiles(t)
	mustRun(t, hsm("import-pubkey", tf, "--in", der, "--label", "AWS Public Key")...)
	mustRun(t, hsm("keygen", tf, "--label", "kms-aes")...)
	out := mustRun(t, hsm("keygen", tf, "--label", "throwaway")...)
	// keygen names the key by label, id and URI, not by its handle.
	if first := strings.SplitN(out, "\n", 2)[0]; strings.Contains(first, "handle") || !strings.Contains(first, `label "throwaway", id `) || !strings.Contains(first, ";object=throwaway;type=secret-key;id=") {
		t.Errorf("keygen: %q", first)
	}
	gen := decodeJSON[pkcs11.Attrs](t, mustRun(t, hsm("keygen", tf, "--label", "json-key", "--json")...))
	if len(gen.ID) != 8 {
		t.Errorf("keygen gave no default CKA_ID: %x", gen.ID)
	}
	before := objectSet(t, tf)
	var throwaway pkcs11.Object
	for _, o := range decodeJSON[[]pkcs11.Object](t, mustRun(t, hsm("objects", tf, "--json")...)) {
		if o.Label == "throwaway" {
			throwaway = o
		}
	}
	h := jsonNumber(throwaway.Handle)
	noOut := filepath.Join(t.TempDir(), "never.bin")
	for _, c := range []struct {
		name  string
		args  []string
		wants []string
	}{
		// Each refusal names what the handle is now, or that it names
		// nothing in the command's own session.
		{"destroy, unconfirmed", hsm("destroy", tf, "--handle", h), []string{`--object "` + h + `": handle ` + h + ` is a bare handle number`, "has no object with handle " + h}},
		{"set-attrs, unconfirmed", hsm("set-attrs", tf, "--handle", h, "--wrap"), []string{"is a bare handle number, which not every module keeps from one session to the next (SoftHSM2 numbers objects anew): it is now ", "has no object with handle " + h}},
		{"wrap, unconfirmed key", hsm("wrap", tf, "--key", h, "--wrapping-key", "AWS Public Key", "--algorithm", "RSAES_OAEP_SHA_1", "--out", noOut), []string{`--key "` + h + `": handle ` + h + " is a bare handle number", "has no object with handle " + h}},
		// The handle may name any object in the command's own session, or
		// none: a label and an id that no object has are refused either way.
		{"destroy, wrong label", hsm("destroy", tf, "--handle", h, "--label", "no-such-object"), []string{`not the object with label "no-such-object": nothing was done`, "has no object with handle " + h}},
		{"destroy, wrong id", hsm("destroy", tf, "--handle", h, "--id", "ffff"), []string{"not the object with id ffff", "has no object with handle " + h}},
		{"destroy by label, wrong id", hsm("destroy", tf, "--object", "throwaway", "--id", "ffff"), []string{"not the object with id ffff"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name != "destroy by label, wrong id" {
				mustFailWithOneOf(t, c.wants, c.args...)
			} else {
				mustFail(t, 1, c.wants, c.args...)
			}
			if after := objectSet(t, tf); after != before {
				t.Errorf("objects changed:\n%s\n---\n%s", before, after)
			}
		})
	}
	if _, err := os.Stat(noOut); err == nil {
		t.Error("a refused wrap wrote its file")
	}
	// Confirmed: the handle is acted on only if it is still throwaway.
	code, _, errOut := run(t, hsm("destroy", tf, "--handle", h, "--label", "throwaway")...)
	after := objectSet(t, tf)
	switch {
	case code == 0 && after != without(before, objectLine(throwaway)):
		t.Errorf("destroy --handle %s --label throwaway removed something else:\n%s\n---\n%s", h, before, after)
	case code != 0 && (after != before || !strings.Contains(errOut, "nothing was done")):
		t.Errorf("refused destroy: %s\n%s", errOut, after)
	}
	// By a stable reference, the object printed is the object destroyed.
	out = mustRun(t, hsm("destroy", tf, "--object", "kms-aes")...)
	if !strings.HasPrefix(out, `destroyed secret-key AES-256, label "kms-aes", id `) {
		t.Errorf("destroy: %q", out)
	}
	if strings.Contains(objectSet(t, tf), `"kms-aes"`) {
		t.Error("kms-aes is still there")
	}
}

// mustFailWithOneOf runs args and wants exit status 1 with one of the
// alternatives in stderr.
func mustFailWithOneOf(t *testing.T, alternatives []string, args ...string) {
	t.Helper()
	code, out, errOut := run(t, args...)
	if code != 1 {
		t.Fatalf("trent %s: exit %d, want 1\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	for _, a := range alternatives {
		if strings.Contains(errOut, a) {
			return
		}
	}
	t.Fatalf("trent %s: stderr %q\ncontains none of %q", strings.Join(args, " "), errOut, alternatives)
}

// without removes one line from an objectSet listing.
func without(set, line string) string {
	lines := strings.Split(set, "\n")
	for i, l := range lines {
		if l == line {
			return strings.Join(append(lines[:i:i], lines[i+1:]...), "\n")
		}
	}
	return set
}

// objectLine is o as objectSet lists it.
func objectLine(o pkcs11.Object) string {
	return fmt.Sprintf("%s %s %d %q %s", o.Class, o.KeyType, o.Bits, o.Label, o.ID)
}

// TestHSMImportPubkeyFiles: import-pubkey takes ImportParameters.zip and
// get-parameters-for-import's JSON as they are.
func TestHSMImportPubkeyFiles(t *testing.T) {
	tf := softHSMArgs(t)
	der, _ := wrappingKeyFiles(t)
	spki, _ := os.ReadFile(der)
	dir := t.TempDir()
	var zb bytes.Buffer
	if err := byokflow.WriteParamsZip(&zb, &byokflow.Params{KeyARN: "arn:k", Algorithm: "RSAES_OAEP_SHA_256", Spec: "RSA_2048", PublicKey: spki, Token: []byte("t")}); err != nil {
		t.Fatal(err)
	}
	zipFile, jsonFile := filepath.Join(dir, "ImportParameters.zip"), filepath.Join(dir, "params.json")
	_ = os.WriteFile(zipFile, zb.Bytes(), 0o600)
	_ = os.WriteFile(jsonFile, []byte(`{"KeyId":"arn:k","ImportToken":"dA==","PublicKey":"`+base64.StdEncoding.EncodeToString(spki)+`","ParametersValidTo":"2030-01-01T00:00:00+00:00"}`), 0o600)
	priv := pkcs11test.RSAKey(t)
	for _, c := range []struct{ name, file string }{{"zip", zipFile}, {"json", jsonFile}} {
		t.Run(c.name, func(t *testing.T) {
			a := decodeJSON[pkcs11.Attrs](t, mustRun(t, hsm("import-pubkey", tf, "--in", c.file, "--label", "from-"+c.name, "--json")...))
			if !bytes.Equal(a.Modulus, priv.N.Bytes()) || !*a.Wrap {
				t.Errorf("import-pubkey %s: %+v", c.name, a)
			}
		})
	}
}

// TestHSMNSSPrefix: --nss-db takes certutil's sql:DIR as it is, and the
// advice for a missing database does not double the prefix.
func TestHSMNSSPrefix(t *testing.T) {
	db := pkcs11test.TempNSSDB(t)
	t.Setenv("TRENT_PKCS11_PIN", "")
	for _, arg := range []string{db, "sql:" + db} {
		if out := mustRun(t, hsm("objects", []string{"--nss-db", arg})...); !strings.Contains(out, `on token "NSS Certificate DB"`) {
			t.Errorf("--nss-db %s: %s", arg, out)
		}
	}
	empty := t.TempDir()
	code, _, errOut := run(t, hsm("objects", []string{"--nss-db", "sql:" + empty})...)
	if code != 1 || !strings.Contains(errOut, "certutil -N -d sql:"+empty+" ") || strings.Contains(errOut, "sql:sql:") {
		t.Errorf("empty sql: database: %d %s", code, errOut)
	}
	mustFail(t, 2, []string{`--nss-db "dbm:/x" is a legacy dbm: database`}, hsm("objects", []string{"--nss-db", "dbm:/x"})...)
}
