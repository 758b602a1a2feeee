//go:build cgo

package e2e

import (
	"bytes"
	"context"
	"crypto/aes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/cli"
	"github.com/trent-kms/trent/internal/pkcs11"
	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// trent byok against a real server (in process) and real tokens: SoftHSM2,
// which wraps only with RSAES_OAEP_SHA_1, and NSS softokn, which wraps with
// RSAES_OAEP_SHA_256. Every import is checked three ways: trent's own
// reimport proof, a KCV computed in Go from bytes the test put into the
// token, and a ciphertext of the KMS key opened offline with those bytes.
// Wrapping keys are RSA_2048 to keep the server's key generation short.

// byokResult is the JSON of trent byok import and upload.
type byokResult struct {
	KeyID             string     `json:"key_id"`
	KeyARN            string     `json:"key_arn"`
	Alias             string     `json:"alias"`
	Created           bool       `json:"created"`
	KeyState          string     `json:"key_state"`
	KeyMaterialID     string     `json:"key_material_id"`
	ExpirationModel   string     `json:"expiration_model"`
	ValidTo           *time.Time `json:"valid_to"`
	WrappingAlgorithm string     `json:"wrapping_algorithm"`
	Reimport          bool       `json:"reimport"`
	Proof             string     `json:"proof"`
	HSMKey            struct {
		Label     string     `json:"label"`
		KCV       pkcs11.Hex `json:"kcv"`
		Generated bool       `json:"generated"`
	} `json:"hsm_key"`
}

// byokEnv points the AWS SDK configuration of this process (which cli.Main
// reads) at ep with the root's credentials file, and clears anything else.
func byokEnv(t *testing.T, ep *endpoint) {
	t.Helper()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "TRENT_PKCS11_MODULE", "TRENT_NSS_DB",
		"TRENT_PKCS11_TOKEN_LABEL", "TRENT_PKCS11_SLOT", "TRENT_PKCS11_URI", "TRENT_PKCS11_PIN", "TRENT_PKCS11_PIN_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(ep.DataDir, "root-credentials"))
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_REGION", region)
	t.Setenv("AWS_ENDPOINT_URL_KMS", ep.URL)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// trent runs the command line in this process.
func trent(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = cli.Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// trentJSON runs trent with --json, wants exit status 0 and decodes its
// result; the progress written to stderr is returned too.
func trentJSON[T any](t *testing.T, args ...string) (T, string) {
	t.Helper()
	code, out, errOut := trent(append(args, "--json")...)
	var r T
	if code != 0 {
		t.Fatalf("trent %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	return r, errOut
}

// byokOK runs trent byok and decodes its JSON result.
func byokOK(t *testing.T, args ...string) (byokResult, string) {
	t.Helper()
	return trentJSON[byokResult](t, append([]string{"byok"}, args...)...)
}

// byokFails runs trent byok, expects exit 1 and every part in stderr.
func byokFails(t *testing.T, parts []string, args ...string) string {
	t.Helper()
	code, out, errOut := trent(append([]string{"byok"}, args...)...)
	if code != 1 {
		t.Fatalf("trent byok %s: exit %d, want 1\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	for _, p := range parts {
		if !strings.Contains(errOut, p) {
			t.Fatalf("trent byok %s: stderr\n%s\ndoes not contain %q", strings.Join(args, " "), errOut, p)
		}
	}
	return errOut
}

// tokenObjects describes the token's objects (without handles), sorted.
func tokenObjects(t *testing.T, tf []string) string {
	t.Helper()
	code, out, errOut := trent(append([]string{"hsm", "objects", "--json"}, tf...)...)
	if code != 0 {
		t.Fatalf("trent hsm objects: %s", errOut)
	}
	var objs []pkcs11.Object
	if err := json.Unmarshal([]byte(out), &objs); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, o := range objs {
		lines = append(lines, o.Class+" "+o.KeyType+" "+o.Label)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// keyIDs lists the server's keys.
func keyIDs(t *testing.T, c *kms.Client) map[string]bool {
	t.Helper()
	out, err := c.ListKeys(context.Background(), &kms.ListKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, k := range out.Keys {
		ids[aws.ToString(k.KeyId)] = true
	}
	return ids
}

// unchanged checks that a refused run left the token and the server's
// keys as they were.
func unchanged(t *testing.T, c *kms.Client, tf []string, objects string, keys map[string]bool) {
	t.Helper()
	if got := tokenObjects(t, tf); got != objects {
		t.Fatalf("the token's objects changed:\nbefore:\n%s\nafter:\n%s", objects, got)
	}
	if got := keyIDs(t, c); len(got) != len(keys) {
		t.Fatalf("the run left KMS keys behind: %v, before %v", got, keys)
	}
}

func goKCV(t *testing.T, key []byte) string {
	t.Helper()
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 16)
	b.Encrypt(out, out)
	return hex.EncodeToString(out[:3])
}

// checkByokImport checks an import's result against DescribeKey.
func checkByokImport(t *testing.T, c *kms.Client, r byokResult, alg string, model types.ExpirationModelType) {
	t.Helper()
	if r.KeyState != "Enabled" || r.WrappingAlgorithm != alg || r.KeyARN != keyARN(r.KeyID) || len(r.KeyMaterialID) != 64 {
		t.Fatalf("result: %+v, want Enabled with %s", r, alg)
	}
	checkImported(t, c, r.KeyID, types.KeyStateEnabled, model, r.KeyMaterialID)
}

// paramsJSON writes what `aws kms get-parameters-for-import` prints.
func paramsJSON(t *testing.T, c *kms.Client, id string, alg types.AlgorithmSpec) string {
	t.Helper()
	out, err := c.GetParametersForImport(context.Background(), &kms.GetParametersForImportInput{
		KeyId: aws.String(id), WrappingAlgorithm: alg, WrappingKeySpec: rsa2048})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"KeyId": aws.ToString(out.KeyId),
		"ImportToken":       base64.StdEncoding.EncodeToString(out.ImportToken),
		"PublicKey":         base64.StdEncoding.EncodeToString(out.PublicKey),
		"ParametersValidTo": float64(out.ParametersValidTo.UnixMilli()) / 1000})
	path := filepath.Join(t.TempDir(), "params.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBYOKSoftHSM: trent byok import with SoftHSM2, which cannot wrap
// with SHA-256, so RSAES_OAEP_SHA_1 is chosen; then each refusal, each
// leaving no object in the token and no KMS key behind.
func TestBYOKSoftHSM(t *testing.T) {
	ep := startServer(t)
	c := ep.client()
	byokEnv(t, ep)
	mod := pkcs11test.TempSoftHSM(t)
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(pkcs11test.SoftHSMPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tf := []string{"--module", mod, "--token-label", pkcs11test.SoftHSMLabel, "--pin-file", pinFile}
	imp := func(extra ...string) []string {
		return append(append([]string{"import", "--wrapping-key-spec", "RSA_2048"}, tf...), extra...)
	}

	// --generate, a new key with alias, description and tags.
	r, progress := byokOK(t, imp("--generate", "--hsm-label", "gen", "--alias", "hsm-aes", "--description", "from SoftHSM2",
		"--tag", "team=payments", "--tag", "env=test", "--no-expiry")...)
	checkByokImport(t, c, r, "RSAES_OAEP_SHA_1", types.ExpirationModelTypeKeyMaterialDoesNotExpire)
	for _, want := range []string{"[1/12] reach KMS and check the KMS key ... ok", "[2/12] open the token ... ok", "note: not RSAES_OAEP_SHA_256: the token refuses it (C_WrapKey: CKR_ARGUMENTS_BAD)\n",
		"[3/12] choose the wrapping algorithm ...", "ok: RSAES_OAEP_SHA_1 with an RSA_2048 wrapping key",
		"[8/12] wrap the key in the HSM ... ok: RSAES_OAEP_SHA_1, 256 bytes", "[9/12] destroy the wrapping key in the token ... ok",
		"[12/12] prove that KMS holds the HSM's key ... ok: imported again under a fresh import token and wrapping key, KMS accepted it as the same key material"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress does not contain %q:\n%s", want, progress)
		}
	}
	if !r.Created || r.Alias != "alias/hsm-aes" || !r.HSMKey.Generated || r.HSMKey.Label != "gen" || len(r.HSMKey.KCV) != 3 || r.Proof == "" {
		t.Errorf("result: %+v", r)
	}
	md := describe(t, c, "alias/hsm-aes")
	tags, err := c.ListResourceTags(context.Background(), &kms.ListResourceTagsInput{KeyId: aws.String(r.KeyID)})
	if err != nil || aws.ToString(md.KeyId) != r.KeyID || aws.ToString(md.Description) != "from SoftHSM2" || len(tags.Tags) != 2 {
		t.Errorf("key: %+v, tags %+v, %v", md, tags, err)
	}
	remember(t, []byte("attack at dawn"))
	enc, err := c.Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String("alias/hsm-aes"), Plaintext: []byte("attack at dawn"), EncryptionContext: importContext})
	if err != nil {
		t.Fatal(err)
	}
	checkDecrypts(t, c, r.KeyID, enc.CiphertextBlob, []byte("attack at dawn"))
	if got := tokenObjects(t, tf); got != "secret-key AES gen" {
		t.Errorf("token objects after the import: %q, want only the generated key", got)
	}

	// An existing key whose bytes the test knows, with an expiry: KMS holds
	// exactly these bytes.
	material := randomBytes(t, 32)
	pkcs11test.ImportAESKey(t, mod, "", pkcs11test.SoftHSMLabel, pkcs11test.SoftHSMPIN, "known", material)
	validTo := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
	r, _ = byokOK(t, imp("--hsm-key", "label:known", "--valid-to", validTo.Format(time.RFC3339))...)
	checkByokImport(t, c, r, "RSAES_OAEP_SHA_1", types.ExpirationModelTypeKeyMaterialExpires)
	if r.HSMKey.KCV.String() != goKCV(t, material) || r.ValidTo == nil || !r.ValidTo.Equal(validTo) {
		t.Errorf("kcv %s, want %s; valid_to %v, want %v", r.HSMKey.KCV, goKCV(t, material), r.ValidTo, validTo)
	}
	if md := describe(t, c, r.KeyID); md.ValidTo == nil || !md.ValidTo.Equal(validTo) {
		t.Errorf("DescribeKey ValidTo = %v, want %v", md.ValidTo, validTo)
	}
	proveMaterial(t, c, r.KeyID, material)
	enabledKey := r.KeyID

	// Refusals before anything is made.
	mustTrent(t, append([]string{"hsm", "keygen", "--label", "fixed", "--extractable=false", "--modifiable=false"}, tf...)...)
	mustTrent(t, append([]string{"hsm", "keygen", "--label", "stuck", "--extractable=false"}, tf...)...)
	objects, keys := tokenObjects(t, tf), keyIDs(t, c)
	byokFails(t, []string{"trent byok import: step 4 (find the key in the token): the HSM key (", `label "fixed"`,
		"has extractable=false and modifiable=false: it can never leave the token"}, imp("--hsm-key", "fixed", "--no-expiry")...)
	byokFails(t, []string{"step 4 (find the key in the token)", `label "stuck"`, "has extractable=false and the token will not make it extractable, so it cannot be wrapped: C_SetAttributeValue: CKR_ATTRIBUTE_READ_ONLY (0x10)"},
		imp("--hsm-key", "stuck", "--no-expiry")...)
	if out := mustTrent(t, append([]string{"hsm", "attrs", "--handle", "stuck"}, tf...)...); !strings.Contains(out, "extractable=false\n") {
		t.Errorf("the refused key's attributes changed:\n%s", out)
	}
	byokFails(t, []string{"step 3 (choose the wrapping algorithm): token \"trent-test\" cannot wrap with RSAES_OAEP_SHA_256: the token refuses it: C_WrapKey: CKR_ARGUMENTS_BAD",
		"leave out --algorithm to let trent choose; this token can do RSAES_OAEP_SHA_1"}, imp("--generate", "--algorithm", "RSAES_OAEP_SHA_256", "--no-expiry")...)
	badPIN := filepath.Join(t.TempDir(), "bad-pin")
	if err := os.WriteFile(badPIN, []byte("0000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	byokFails(t, []string{"trent byok import: step 2 (open the token): token \"trent-test\"", "C_Login: CKR_PIN_INCORRECT (0xA0): the PIN is wrong"},
		append(imp("--generate", "--no-expiry"), "--pin-file", badPIN)...)
	byokFails(t, []string{"step 2 (open the token): PKCS#11 module /nonexistent/libCryptoki2_64.so: no such file"},
		append(imp("--generate", "--no-expiry"), "--module", "/nonexistent/libCryptoki2_64.so")...)
	byokFails(t, []string{"step 1 (reach KMS and check the KMS key): KMS key " + keyARN(enabledKey) + " is Enabled, not PendingImport: it already holds key material",
		"use trent byok export and trent byok upload"}, imp("--hsm-key", "known", "--key-id", enabledKey, "--no-expiry")...)
	byokFails(t, []string{"step 1 (reach KMS and check the KMS key): alias/hsm-aes already names KMS key"}, imp("--generate", "--alias", "alias/hsm-aes", "--no-expiry")...)
	unchanged(t, c, tf, objects, keys)

	// A refusal after the KMS key was made: the key's deletion is
	// scheduled, its alias deleted, the generated HSM key destroyed.
	out := byokFails(t, []string{"step 6 (get the wrapping key and import token from KMS): KMS GetParametersForImport: UnsupportedOperationException",
		"cleanup: deleted alias alias/doomed; scheduled the deletion of KMS key arn:aws:kms:", "cleanup: destroyed the generated HSM key"},
		imp("--generate", "--alias", "alias/doomed", "--algorithm", "RSAES_PKCS1_V1_5", "--no-expiry")...)
	if got := tokenObjects(t, tf); got != objects {
		t.Errorf("token objects changed:\n%s\n%s", objects, got)
	}
	for id := range keyIDs(t, c) {
		if !keys[id] {
			if md := describe(t, c, id); md.KeyState != types.KeyStatePendingDeletion || !strings.Contains(out, id) {
				t.Errorf("the key the failed run made is %s", md.KeyState)
			}
		}
	}
	if _, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("alias/doomed")}); err == nil {
		t.Error("alias/doomed still exists")
	}
}

// mustTrent runs trent and fails the test unless it exits 0.
func mustTrent(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := trent(args...)
	if code != 0 {
		t.Fatalf("trent %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// TestBYOKAirGapped: trent byok export on the HSM side (from a KMS call,
// from get-parameters-for-import's JSON, with the token's own copy of the
// wrapping key) and trent byok upload on the KMS side, with the refusals:
// a wrapping key with wrap=false, an expired and a superseded import
// token. A second export and upload into the same key is the air-gapped
// proof that KMS holds the HSM's key.
func TestBYOKAirGapped(t *testing.T) {
	ep := startServer(t)
	c := ep.client()
	byokEnv(t, ep)
	mod := pkcs11test.TempSoftHSM(t)
	t.Setenv("TRENT_PKCS11_PIN", pkcs11test.SoftHSMPIN)
	tf := []string{"--module", mod, "--token-label", pkcs11test.SoftHSMLabel}
	material := randomBytes(t, 32)
	pkcs11test.ImportAESKey(t, mod, "", pkcs11test.SoftHSMLabel, pkcs11test.SoftHSMPIN, "air", material)
	export := func(dir string, extra ...string) []string {
		return append(append([]string{"export", "--hsm-key", "air", "--out-dir", dir}, tf...), extra...)
	}
	objects := tokenObjects(t, tf)

	// From a KMS call; the import token is then superseded before upload.
	id, _ := createExternalKey(t, c)
	d1 := filepath.Join(t.TempDir(), "d1")
	_, progress := byokOK(t, export(d1, "--key-id", id, "--wrapping-key-spec", "RSA_2048")...)
	if !strings.Contains(progress, "[9/9] write the files ... ok") {
		t.Errorf("export progress:\n%s", progress)
	}
	var m struct {
		KeyID             string    `json:"key_id"`
		WrappingAlgorithm string    `json:"wrapping_algorithm"`
		WrappingKeySpec   string    `json:"wrapping_key_spec"`
		ParametersValidTo time.Time `json:"parameters_valid_to"`
	}
	b, err := os.ReadFile(filepath.Join(d1, "import.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.KeyID != keyARN(id) || m.WrappingAlgorithm != "RSAES_OAEP_SHA_1" || m.WrappingKeySpec != "RSA_2048" || time.Until(m.ParametersValidTo) < 23*time.Hour {
		t.Errorf("import.json: %s", b)
	}
	for _, f := range []string{"wrapped.key", "token.bin"} {
		if fi, err := os.Stat(filepath.Join(d1, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	getParams(t, c, id, oaepSHA1, rsa2048)
	byokFails(t, []string{"trent byok upload: step 3 (import the key material into KMS): KMS ImportKeyMaterial: InvalidImportTokenException: " + msgTokenSuperseded,
		"get new parameters and wrap again"}, "upload", "--dir", d1, "--no-expiry")
	byokFails(t, []string{"already holds an export (import.json)"}, export(d1, "--key-id", id)...)

	// Again, uploaded in time: KMS holds the token's bytes.
	d2 := filepath.Join(t.TempDir(), "d2")
	byokOK(t, export(d2, "--key-id", id, "--wrapping-key-spec", "RSA_2048")...)
	r, _ := byokOK(t, "upload", "--dir", d2, "--expires-in", "90d")
	checkByokImport(t, c, r, "RSAES_OAEP_SHA_1", types.ExpirationModelTypeKeyMaterialExpires)
	if r.Reimport || r.HSMKey.KCV.String() != goKCV(t, material) {
		t.Errorf("upload: %+v", r)
	}
	proveMaterial(t, c, id, material)

	// The air-gapped proof: export and upload again into the Enabled key.
	d3 := filepath.Join(t.TempDir(), "d3")
	byokOK(t, export(d3, "--key-id", id, "--wrapping-key-spec", "RSA_2048")...)
	r2, _ := byokOK(t, "upload", "--dir", d3, "--no-expiry")
	if !r2.Reimport || r2.KeyMaterialID != r.KeyMaterialID || r2.KeyState != "Enabled" {
		t.Errorf("second upload: %+v, first %+v", r2, r)
	}

	// From get-parameters-for-import's JSON, first with a copy of the
	// wrapping key imported the Luna way (wrap=false), then as it should be.
	id2, _ := createExternalKey(t, c)
	params := paramsJSON(t, c, id2, oaepSHA1)
	pub := filepath.Join(t.TempDir(), "wrappingKey")
	var pj struct{ PublicKey string }
	pb, _ := os.ReadFile(params)
	_ = json.Unmarshal(pb, &pj)
	der, _ := base64.StdEncoding.DecodeString(pj.PublicKey)
	if err := os.WriteFile(pub, der, 0o600); err != nil {
		t.Fatal(err)
	}
	mustTrent(t, append([]string{"hsm", "import-pubkey", "--in", pub, "--label", "AWS Public Key", "--wrap=false"}, tf...)...)
	withPub := tokenObjects(t, tf)
	d4 := filepath.Join(t.TempDir(), "d4")
	byokFails(t, []string{"trent byok export: step 5 (wrap the key in the HSM): the wrapping key (handle", `label "AWS Public Key") has wrap=false`,
		"set it with `trent hsm set-attrs --handle"}, export(d4, "--params-file", params, "--algorithm", "RSAES_OAEP_SHA_1", "--wrapping-key", "AWS Public Key")...)
	if code, _, errOut := trent(append([]string{"byok"}, export(d4, "--params-file", params)...)...); code != 2 || !strings.Contains(errOut, "give --algorithm: the --wrapping-algorithm the parameters were requested with") {
		t.Errorf("export without --algorithm: exit %d, %s", code, errOut)
	}
	if got := tokenObjects(t, tf); got != withPub {
		t.Errorf("token objects changed:\n%s\n%s", withPub, got)
	}
	mustTrent(t, append([]string{"hsm", "set-attrs", "--handle", "AWS Public Key", "--wrap"}, tf...)...)
	byokOK(t, export(d4, "--params-file", params, "--algorithm", "RSAES_OAEP_SHA_1", "--wrapping-key", "AWS Public Key")...)
	mustTrent(t, append([]string{"hsm", "destroy", "--handle", "AWS Public Key"}, tf...)...)

	// An expired import token is refused before KMS is asked.
	d5 := filepath.Join(t.TempDir(), "d5")
	if err := os.CopyFS(d5, os.DirFS(d4)); err != nil {
		t.Fatal(err)
	}
	mb, _ := os.ReadFile(filepath.Join(d5, "import.json"))
	mb = bytes.Replace(mb, []byte(m.ParametersValidTo.Format("2006-01-02")), []byte("2020-01-02"), 1)
	if err := os.WriteFile(filepath.Join(d5, "import.json"), mb, 0o600); err != nil {
		t.Fatal(err)
	}
	byokFails(t, []string{"trent byok upload: step 1 (read the export): the import token expired at 2020-01-02T", "run trent byok export again with new parameters"},
		"upload", "--dir", d5, "--no-expiry")
	if md := describe(t, c, id2); md.KeyState != types.KeyStatePendingImport {
		t.Errorf("key state after the refused upload: %s", md.KeyState)
	}
	r, _ = byokOK(t, "upload", "--dir", d4, "--no-expiry")
	checkByokImport(t, c, r, "RSAES_OAEP_SHA_1", types.ExpirationModelTypeKeyMaterialDoesNotExpire)
	proveMaterial(t, c, id2, material)

	// The console's ImportParameters.zip files; the key ID comes from their names.
	id3, _ := createExternalKey(t, c)
	p3 := getParams(t, c, id3, oaepSHA1, rsa2048)
	zip := t.TempDir()
	stamp := time.Now().UTC().Format("0102150405")
	pubFile, tokFile := filepath.Join(zip, "wrappingKey_"+id3+"_"+stamp), filepath.Join(zip, "importToken_"+id3+"_"+stamp)
	if os.WriteFile(pubFile, p3.der, 0o600) != nil || os.WriteFile(tokFile, p3.token, 0o600) != nil {
		t.Fatal("writing the console's files")
	}
	d6 := filepath.Join(t.TempDir(), "d6")
	byokOK(t, export(d6, "--public-key", pubFile, "--import-token", tokFile, "--algorithm", "RSAES_OAEP_SHA_1")...)
	r, _ = byokOK(t, "upload", "--dir", d6, "--no-expiry")
	checkByokImport(t, c, r, "RSAES_OAEP_SHA_1", types.ExpirationModelTypeKeyMaterialDoesNotExpire)
	proveMaterial(t, c, id3, material)
	if got := tokenObjects(t, tf); got != objects {
		t.Errorf("token objects changed:\n%s\n%s", objects, got)
	}
}

// TestBYOKNSS: NSS softokn wraps with SHA-256, so trent chooses
// RSAES_OAEP_SHA_256, the preferred algorithm.
func TestBYOKNSS(t *testing.T) {
	ep := startServer(t)
	c := ep.client()
	byokEnv(t, ep)
	db := pkcs11test.TempNSSDB(t)
	tf := []string{"--nss-db", db}
	imp := func(extra ...string) []string {
		return append(append([]string{"import", "--wrapping-key-spec", "RSA_2048", "--endpoint-url", ep.URL}, tf...), extra...)
	}
	os.Unsetenv("AWS_ENDPOINT_URL_KMS") // --endpoint-url instead

	r, progress := byokOK(t, imp("--generate", "--hsm-label", "nss-gen", "--no-expiry")...)
	checkByokImport(t, c, r, "RSAES_OAEP_SHA_256", types.ExpirationModelTypeKeyMaterialDoesNotExpire)
	if !strings.Contains(progress, "ok: RSAES_OAEP_SHA_256 with an RSA_2048 wrapping key (the preferred one)") || strings.Contains(progress, "note: not") {
		t.Errorf("progress:\n%s", progress)
	}
	remember(t, []byte("attack at dawn"))
	enc, err := c.Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String(r.KeyID), Plaintext: []byte("attack at dawn"), EncryptionContext: importContext})
	if err != nil {
		t.Fatal(err)
	}
	checkDecrypts(t, c, r.KeyID, enc.CiphertextBlob, []byte("attack at dawn"))

	material := randomBytes(t, 32)
	pkcs11test.ImportAESKey(t, pkcs11test.NSSModule, db, pkcs11test.NSSKeyDBToken, "", "nss-known", material)
	r, _ = byokOK(t, imp("--hsm-key", "nss-known", "--expires-in", "720h")...)
	checkByokImport(t, c, r, "RSAES_OAEP_SHA_256", types.ExpirationModelTypeKeyMaterialExpires)
	if r.HSMKey.KCV.String() != goKCV(t, material) {
		t.Errorf("kcv %s, want %s", r.HSMKey.KCV, goKCV(t, material))
	}
	proveMaterial(t, c, r.KeyID, material)
	if got := tokenObjects(t, tf); got != "secret-key AES nss-gen\nsecret-key AES nss-known" {
		t.Errorf("token objects: %q", got)
	}
}
