package console_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"html"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/byokflow"
)

// TestKMSWizardExternalKeyImport walks the create-key wizard to a key of
// External origin with alias, description, tag, administrators and
// users, downloads ImportParameters.zip, wraps a known key with it and
// uploads it; the key then encrypts and decrypts.
func TestKMSWizardExternalKeyImport(t *testing.T) {
	h := newHarness(t)
	alice := kmsUser(t, h, "alice", "")
	bob := kmsUser(t, h, "bob", "")
	b := h.signInRoot(t)

	p := b.get(t, "/console/kms/keys/create")
	if !strings.Contains(p.HTML, `aria-current="step">Step 1: Configure key`) {
		t.Fatalf("step 1 is not the current step:\n%s", p.HTML)
	}
	step1 := url.Values{"step": {"1"}, "nav": {"next"}, "keytype": {"symmetric"}, "usage": {"ENCRYPT_DECRYPT"},
		"spec": {"SYMMETRIC_DEFAULT"}, "origin": {"EXTERNAL"}, "ack": {"no"}, "regionality": {"single"}}
	if got := kmsAlert(kmsWizardPost(t, b, p, step1)); !strings.Contains(got, "security, availability, and durability") {
		t.Fatalf("External origin without the acknowledgement: alert %q", got)
	}
	step1["ack"] = []string{"no", "yes"}
	p = kmsWizardPost(t, b, p, step1)
	if !strings.Contains(p.HTML, `aria-current="step">Step 2: Add labels`) {
		t.Fatalf("step 1 did not move on: %s", kmsAlert(p))
	}
	p = kmsWizardPost(t, b, p, url.Values{"step": {"2"}, "nav": {"next"}, "alias": {"byok-test"},
		"description": {"imported by the console"}, "tagkey": {"team", ""}, "tagvalue": {"crypto", ""}})
	if !strings.Contains(p.HTML, "Allow key administrators to delete this key") || !strings.Contains(p.HTML, alice) {
		t.Fatalf("step 3 shows no deletion choice or users: %s", kmsAlert(p))
	}
	p = kmsWizardPost(t, b, p, url.Values{"step": {"3"}, "nav": {"next"}, "admin": {alice}, "admindelete": {"no"}})
	p = kmsWizardPost(t, b, p, url.Values{"step": {"4"}, "nav": {"next"}, "user": {bob}, "account": {"444455556666", ""}})
	if !strings.Contains(p.HTML, `aria-current="step">Step 5: Review`) {
		t.Fatalf("not at the review: %s", kmsAlert(p))
	}
	m := kmsAreaRE.FindStringSubmatch(p.HTML)
	if m == nil {
		t.Fatal("the review has no policy editor")
	}
	pol := html.UnescapeString(m[1])
	for _, want := range []string{`"Sid": "Allow access for Key Administrators"`, alice, `"Sid": "Allow use of the key"`, bob,
		"arn:aws:iam::444455556666:root", `"Sid": "Enable IAM User Permissions"`, "Allow attachment of persistent resources"} {
		if !strings.Contains(pol, want) {
			t.Errorf("the review's policy lacks %s:\n%s", want, pol)
		}
	}
	if strings.Contains(pol, "kms:ScheduleKeyDeletion") {
		t.Errorf("administrators may delete although the box was cleared:\n%s", pol)
	}
	for _, want := range []string{"alias/byok-test", "imported by the console", "team", "crypto", "External (Import Key material)"} {
		if !strings.Contains(kmsUnescaped(p), want) {
			t.Errorf("the review does not show %q", want)
		}
	}

	p = kmsWizardPost(t, b, p, url.Values{"step": {"5"}, "nav": {"finish"}, "policy": {pol}})
	if !strings.HasSuffix(p.URL, "/import") || !strings.Contains(p.HTML, "RSA_4096 – recommended") {
		t.Fatalf("Finish went to %s (%s), not the download page", p.URL, kmsAlert(p))
	}
	id := strings.TrimSuffix(strings.TrimPrefix(p.URL, "/console/kms/keys/"), "/import")
	md := kmsDescribe(t, h, id)
	if md["Origin"] != "EXTERNAL" || md["KeyState"] != "PendingImport" || md["Description"] != "imported by the console" {
		t.Fatalf("the key created: %v", md)
	}
	if out := h.aws(t, "kms", "list-aliases", "--key-id", id); !strings.Contains(out, "alias/byok-test") {
		t.Fatalf("no alias: %s", out)
	}
	if out := h.aws(t, "kms", "list-resource-tags", "--key-id", id); !strings.Contains(out, `"crypto"`) {
		t.Fatalf("no tag: %s", out)
	}
	if out := h.aws(t, "kms", "get-key-policy", "--key-id", id, "--policy-name", "default"); !strings.Contains(out, "user/bob") {
		t.Fatalf("the key policy is not the reviewed one: %s", out)
	}

	resp, body := kmsPostRaw(t, b, "/console/kms/keys/"+id+"/import", url.Values{"spec": {"RSA_2048"}, "algorithm": {"RSAES_OAEP_SHA_256"}})
	if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != 200 || cd != `attachment; filename="ImportParameters.zip"` {
		t.Fatalf("download: status %d, Content-Disposition %q\n%s", resp.StatusCode, cd, body)
	}
	pub, token := kmsZipFiles(t, body)
	params, err := byokflow.ReadParamsZip(body, "ImportParameters.zip")
	if err != nil || params.Algorithm != "RSAES_OAEP_SHA_256" || params.Spec != "RSA_2048" || !strings.HasSuffix(params.KeyARN, id) {
		t.Fatalf("trent byok cannot read the download as its own: %+v, %v", params, err)
	}

	material := bytes.Repeat([]byte{0x42}, 32)
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.get(t, "/console/kms/keys/"+id+"/upload")
	p = b.postMultipart(t, "/console/kms/keys/"+id+"/upload", map[string]string{"expiration": "none"},
		map[string][]byte{"material": wrapped, "token": token})
	if kmsState(p) != "Enabled" || !strings.Contains(p.HTML, "The key material was imported.") {
		t.Fatalf("after the upload the key is %q (%s)", kmsState(p), kmsAlert(p))
	}

	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("secret message"), 0o600)
	var enc struct{ CiphertextBlob []byte }
	json.Unmarshal([]byte(h.aws(t, "kms", "encrypt", "--key-id", "alias/byok-test", "--plaintext", "fileb://"+plain)), &enc)
	ct := filepath.Join(dir, "ct")
	os.WriteFile(ct, enc.CiphertextBlob, 0o600)
	var dec struct{ Plaintext []byte }
	json.Unmarshal([]byte(h.aws(t, "kms", "decrypt", "--ciphertext-blob", "fileb://"+ct)), &dec)
	if string(dec.Plaintext) != "secret message" {
		t.Fatalf("decrypt gave %q", dec.Plaintext)
	}
}

// kmsZipFiles checks ImportParameters.zip holds the files trent byok
// params writes, and returns the wrapping key and the token.
func kmsZipFiles(t *testing.T, body []byte) (*rsa.PublicKey, []byte) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	if len(files) != 3 || len(files["ImportToken.bin"]) == 0 || len(files["README.txt"]) == 0 {
		t.Fatalf("zip entries: %v", len(files))
	}
	k, err := x509.ParsePKIXPublicKey(files["WrappingPublicKey.bin"])
	pub, ok := k.(*rsa.PublicKey)
	if err != nil || !ok || pub.N.BitLen() != 2048 {
		t.Fatalf("WrappingPublicKey.bin: %T %v", k, err)
	}
	return pub, files["ImportToken.bin"]
}
