package browser

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Seed flow values. Test values only.
const (
	seedUser     = "alice"
	seedPassword = "Alice-Passw0rd!"
	seedAlias    = "seed-hsm"
)

// newAccessKey is what the console showed once after creating a user.
type newAccessKey struct{ ID, Secret string }

// addUser walks the root's Add user wizard for name: both access types
// (the console password typed on the review step), the managed policies
// named, and returns the access key the success page showed.
func (b *tab) addUser(name, password string, policies ...string) newAccessKey {
	b.t.Helper()
	b.follow(`a[href="/console/iam/users"]`, "iam-users")
	b.submit("add-user", "add-user-details")
	b.fill("user", name)
	if !js[bool](b, `document.getElementById("programmatic").checked`) {
		b.click("programmatic")
	}
	b.click("console")
	b.submit("next", "add-user-permissions")
	for _, p := range policies {
		b.click("policy-" + p)
	}
	b.submit("next", "add-user-review")
	review := b.text("#review")
	for _, want := range append([]string{name, "Programmatic access", "Management Console access"}, policies...) {
		if !strings.Contains(review, want) {
			b.t.Errorf("the review lacks %q:\n%s", want, review)
		}
	}
	b.fill("password", password)
	b.fill("password-confirm", password)
	b.submit("create-user", "user-created")
	if a := b.alert(); a != "" {
		b.t.Fatalf("creating %s: %s", name, a)
	}
	b.click("show-secret")
	shot(b.t, b, "secret-shown")
	k := newAccessKey{ID: b.text("#access-key-id"), Secret: b.text("#secret-access-key")}
	b.submit("user-link", "user-page")
	body := b.body()
	for _, want := range append([]string{name, k.ID}, policies...) {
		if !strings.Contains(body, want) {
			b.t.Errorf("the user's page lacks %q", want)
		}
	}
	if pw := b.text("#console-password"); !strings.HasPrefix(pw, "Enabled") {
		b.t.Errorf("the user's console password: %q", pw)
	}
	b.follow(`header a[href="/console/iam/users"]`, "iam-users-list")
	if row := b.text("#users tbody"); !strings.Contains(row, name) {
		b.t.Errorf("the user list lacks %s: %q", name, row)
	}
	return k
}

// TestSeedFlow is the procedure Trent exists for, by clicks: the root
// adds an administrator with both access types and signs out; she signs
// in, creates an External key (alias, description, tag, herself as key
// administrator and user), reviews its policy, downloads
// ImportParameters.zip, wraps an AES-256 key of a SoftHSM2 token with
// `trent hsm`, uploads the wrapped key and the token ("does not expire"),
// and the key is Enabled; the AWS CLI with her access key encrypts and
// decrypts under it.
func TestSeedFlow(t *testing.T) {
	startBuild() // for `trent hsm`, while the browser works
	srv := startServer(t, nil)
	token := newSoftHSM(t)
	b := newTab(t, srv)

	b.signInOK("", rootPassword, "root-home")
	key := b.addUser(seedUser, seedPassword, "AdministratorAccess")
	if !strings.HasPrefix(key.ID, "AKIA") || len(key.Secret) != 40 {
		t.Fatalf("the success page showed access key %q and a secret of %d characters", key.ID, len(key.Secret))
	}
	b.signOut()

	b.signInOK(seedUser, seedPassword, "alice-home")
	if who := b.text("header .who span"); !strings.HasPrefix(who, seedUser+" @ ") {
		t.Errorf("header says %q", who)
	}
	arn := "arn:aws:iam::" + accountID + ":user/" + seedUser
	b.follow(`a[href="/console/kms/keys"]`, "kms-keys-empty")
	b.submit("create-key", "create-key-configure")
	b.click("keytype-symmetric")
	b.click("usage-encrypt")
	b.do(chromedp.SetValue(chromedp.ID("spec"), "SYMMETRIC_DEFAULT"))
	if !js[bool](b, `document.getElementById("advanced").open`) {
		b.do(chromedp.Click(chromedp.CSS("#advanced > summary")))
	}
	b.click("origin-external")
	b.click("ack")
	b.submit("next", "create-key-labels")
	b.fill("alias", seedAlias)
	b.fill("description", "AES-256 from SoftHSM2, imported by clicks")
	b.fill("tagkey-new", "project")
	b.fill("tagvalue-new", "seed")
	b.submit("next", "create-key-admins")
	b.click("admin-" + seedUser)
	b.submit("next", "create-key-users")
	b.click("user-" + seedUser)
	b.submit("next", "create-key-review")
	checkReviewedPolicy(t, js[string](b, `document.getElementById("policy").value`), arn)
	body := b.body()
	for _, want := range []string{"alias/" + seedAlias, "External", "project", "seed", "AES-256 from SoftHSM2"} {
		if !strings.Contains(body, want) {
			t.Errorf("the review lacks %q", want)
		}
	}
	b.submit("finish", "import-parameters")
	if !strings.HasSuffix(b.path(), "/import") {
		t.Fatalf("Finish led to %s, not the download of the import parameters", b.path())
	}
	keyPath := strings.TrimSuffix(b.path(), "/import")
	keyID := filepath.Base(keyPath)

	b.click("spec-RSA_4096")
	b.click("alg-RSAES_OAEP_SHA_1")
	zipFile := b.download("download")
	if filepath.Base(zipFile) != "ImportParameters.zip" {
		t.Errorf("downloaded %s", filepath.Base(zipFile))
	}
	params := unzip(t, zipFile)

	// The HSM side: an extractable AES-256 key, KMS's wrapping key
	// imported, the key wrapped with RSAES_OAEP_SHA_1 (SoftHSM2 2.6 does OAEP with
	// SHA-1 only).
	token.hsm("keygen", "--label", "seed-aes")
	token.hsm("import-pubkey", "--in", filepath.Join(params, "WrappingPublicKey.bin"), "--label", "kms-wrapping")
	wrapped := filepath.Join(t.TempDir(), "wrapped.key")
	token.hsm("wrap", "--key", "label:seed-aes", "--wrapping-key", "label:kms-wrapping", "--algorithm", "RSAES_OAEP_SHA_1", "--out", wrapped)

	b.submit("to-upload", "upload-material")
	b.upload("material", wrapped)
	b.upload("token", filepath.Join(params, "ImportToken.bin"))
	b.click("expiration-none")
	b.submit("import", "imported")
	if a := b.alert(); a != "" {
		t.Fatalf("import refused: %s", a)
	}
	b.follow(`header a[href="/console/kms/keys"]`, "kms-keys")
	if row := b.text("#keys tbody"); !strings.Contains(row, "alias/"+seedAlias) || !strings.Contains(row, "Enabled") || !strings.Contains(row, keyID) {
		t.Errorf("the key list: %q", row)
	}
	b.follow(`#keys a[href="`+keyPath+`"]`, "key-general")
	if st := b.text("#key-state"); st != "Enabled" {
		t.Errorf("the key page shows %q, not Enabled", st)
	}
	for _, tab := range []string{"crypto", "tags", "aliases", "policy", "material"} {
		b.follow("#tab-"+tab, "key-"+tab)
	}
	if body := b.body(); !strings.Contains(body, "Does not expire") {
		t.Errorf("the key material tab does not say it does not expire:\n%s", body)
	}

	// Her access key, read off the page, with the AWS CLI.
	dir := t.TempDir()
	plain := []byte("attack at dawn")
	os.WriteFile(filepath.Join(dir, "plain"), plain, 0o600)
	var enc struct{ CiphertextBlob, KeyId string }
	mustJSON(t, srv.awsAs(t, key.ID, key.Secret, "kms", "encrypt", "--key-id", "alias/"+seedAlias,
		"--plaintext", "fileb://"+filepath.Join(dir, "plain")), &enc)
	if !strings.HasSuffix(enc.KeyId, keyID) {
		t.Errorf("encrypted under %s, not %s", enc.KeyId, keyID)
	}
	ct, _ := base64.StdEncoding.DecodeString(enc.CiphertextBlob)
	os.WriteFile(filepath.Join(dir, "ct"), ct, 0o600)
	var dec struct{ Plaintext string }
	mustJSON(t, srv.awsAs(t, key.ID, key.Secret, "kms", "decrypt", "--ciphertext-blob", "fileb://"+filepath.Join(dir, "ct")), &dec)
	if got, _ := base64.StdEncoding.DecodeString(dec.Plaintext); string(got) != string(plain) {
		t.Errorf("decrypt gave %q", got)
	}

	// Her actions in the event history, the import's record among them.
	b.follow(`header a[href="/console/audit"]`, "event-history")
	b.fill("f-event", "ImportKeyMaterial")
	b.submit("apply-filter", "event-history-import")
	if row := b.text("#events tbody tr"); !strings.Contains(row, "ImportKeyMaterial") || !strings.Contains(row, seedUser) {
		t.Errorf("the filtered event history's first row: %q", row)
	}
	b.follow("#events tbody a", "event-record")
	if rec := b.text("#event-json"); !strings.Contains(rec, `"eventName": "ImportKeyMaterial"`) || !strings.Contains(rec, keyID) {
		t.Errorf("the event record:\n%s", rec)
	}
	b.signOut()
}

// checkReviewedPolicy checks the policy the review step shows: the
// account's root may do everything (so IAM policies apply), and arn is
// both a key administrator and a key user.
func checkReviewedPolicy(t *testing.T, doc, arn string) {
	t.Helper()
	var pol struct {
		Statement []struct {
			Sid       string
			Principal struct{ AWS any }
			Action    any
		}
	}
	if err := json.Unmarshal([]byte(doc), &pol); err != nil {
		t.Fatalf("the reviewed policy is not JSON: %v\n%s", err, doc)
	}
	var root, admin, user bool
	for _, s := range pol.Statement {
		p, _ := json.Marshal(s.Principal.AWS)
		a, _ := json.Marshal(s.Action)
		switch {
		case strings.Contains(string(p), ":root") && strings.Contains(string(a), `"kms:*"`):
			root = true
		case strings.Contains(string(p), arn) && strings.Contains(string(a), "kms:Create*"):
			admin = true
		case strings.Contains(string(p), arn) && strings.Contains(string(a), "kms:Encrypt"):
			user = true
		}
	}
	if !root || !admin || !user {
		t.Errorf("the reviewed policy: root %v, %s administrator %v, user %v:\n%s", root, arn, admin, user, doc)
	}
}

// mustJSON decodes the CLI's output.
func mustJSON(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}
