package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/trent-kms/trent/internal/ciphertext"
	"github.com/trent-kms/trent/internal/server"
)

// Importing key material (BYOK) into SYMMETRIC_DEFAULT keys, end to end:
// the wrapping is done the way a customer does it (the openssl commands
// AWS documents, or Go's crypto/rsa), and every successful import is proved
// by opening a ciphertext of the key offline with the imported bytes.
//
// Wrapping key pairs are generated on demand in these servers, and RSA_4096
// generation is slow under -race: the file makes only two RSA_4096
// GetParametersForImport calls, and everything else uses RSA_2048.

// Error messages that Trent fixes for import (internal/kms).
const (
	msgUnwrap          = "The wrapped key material could not be decrypted with the wrapping key of this import token."
	msgTokenInvalid    = "The import token is invalid."
	msgTokenOtherKey   = "The import token is associated with a different KMS key."
	msgTokenSuperseded = "The import token is not the current one for this KMS key: it was superseded by a later GetParametersForImport, or already used."
	msgMaterialLength  = "The key material for a SYMMETRIC_DEFAULT KMS key must be 32 bytes (256 bits)."
	msgMaterialDiffers = "The key material does not match the key material previously imported into this KMS key."
	msgMaterialAlready = "The key material is already associated with this KMS key; import it with ImportType EXISTING_KEY_MATERIAL."
	msgValidToNeeded   = "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"
	msgValidToRefused  = "A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE"
	msgValidToPast     = "The validTo date must be in the future"
	msgValidToTooLate  = "The validTo date must be no more than 365 days in the future"
	msgPKCS1Refused    = "The RSAES_PKCS1_V1_5 wrapping algorithm is not supported: AWS KMS withdrew it on 2023-10-10. Use RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1, or start the server with --allow-pkcs1v15-wrapping for legacy HSM firmware."
)

// importContext is the encryption context of the ciphertexts that prove
// which material a key uses.
var importContext = map[string]string{"purpose": "byok-e2e", "tenant": "t-1"}

const (
	oaepSHA1   = types.AlgorithmSpecRsaesOaepSha1
	oaepSHA256 = types.AlgorithmSpecRsaesOaepSha256
	rsa2048    = types.WrappingKeySpecRsa2048
	rsa3072    = types.WrappingKeySpecRsa3072
	rsa4096    = types.WrappingKeySpecRsa4096
)

// importParams is a GetParametersForImport answer, checked and parsed.
type importParams struct {
	der   []byte // PublicKey as returned: DER SubjectPublicKeyInfo
	pub   *rsa.PublicKey
	token []byte
	alg   types.AlgorithmSpec
}

// wrapFunc wraps material under p's public key with p's algorithm.
type wrapFunc func(t *testing.T, p importParams, material []byte) []byte

// createExternalKey creates a SYMMETRIC_DEFAULT key of origin EXTERNAL.
func createExternalKey(t *testing.T, c *kms.Client) (id, arn string) {
	t.Helper()
	out, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	if err != nil {
		t.Fatal(err)
	}
	md := out.KeyMetadata
	if md.KeyState != types.KeyStatePendingImport || md.Origin != types.OriginTypeExternal {
		t.Fatalf("CreateKey(EXTERNAL) metadata: %+v", md)
	}
	return aws.ToString(md.KeyId), aws.ToString(md.Arn)
}

// keyARN is the ARN of key id on the test servers.
func keyARN(id string) string { return "arn:aws:kms:" + region + ":" + accountID + ":key/" + id }

// getParams calls GetParametersForImport on key ref (a key ID or ARN of key
// id) and checks the answer: KeyId is the ARN, PublicKey is a DER SPKI of
// the requested size, ParametersValidTo is 24 hours away.
func getParams(t *testing.T, c *kms.Client, ref string, alg types.AlgorithmSpec, spec types.WrappingKeySpec) importParams {
	t.Helper()
	start := time.Now()
	out, err := c.GetParametersForImport(context.Background(), &kms.GetParametersForImportInput{
		KeyId: aws.String(ref), WrappingAlgorithm: alg, WrappingKeySpec: spec,
	})
	if err != nil {
		t.Fatalf("GetParametersForImport(%s, %s): %v", alg, spec, err)
	}
	id := ref
	if len(ref) > 36 {
		id = ref[len(ref)-36:]
	}
	if got := aws.ToString(out.KeyId); got != keyARN(id) {
		t.Fatalf("GetParametersForImport KeyId = %q, want the ARN %q", got, keyARN(id))
	}
	parsed, err := x509.ParsePKIXPublicKey(out.PublicKey)
	if err != nil {
		t.Fatalf("PublicKey is not a DER SubjectPublicKeyInfo: %v", err)
	}
	pub, ok := parsed.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("PublicKey is a %T, want an RSA key", parsed)
	}
	bits := map[types.WrappingKeySpec]int{rsa2048: 2048, rsa3072: 3072, rsa4096: 4096}[spec]
	if pub.N.BitLen() != bits {
		t.Fatalf("PublicKey has %d bits, want %d for %s", pub.N.BitLen(), bits, spec)
	}
	if out.ParametersValidTo == nil {
		t.Fatal("no ParametersValidTo")
	}
	if d := out.ParametersValidTo.Sub(start.Add(24 * time.Hour)); d < -time.Minute || d > time.Minute {
		t.Fatalf("ParametersValidTo = %v, want now+24h (%v) within a minute", out.ParametersValidTo, start.Add(24*time.Hour))
	}
	if len(out.ImportToken) == 0 {
		t.Fatal("no ImportToken")
	}
	return importParams{der: out.PublicKey, pub: pub, token: out.ImportToken, alg: alg}
}

// oaepHash returns the hash of an RSAES_OAEP_* algorithm.
func oaepHash(t *testing.T, alg types.AlgorithmSpec) hash.Hash {
	t.Helper()
	switch alg {
	case oaepSHA1:
		return sha1.New()
	case oaepSHA256:
		return sha256.New()
	}
	t.Fatalf("no OAEP hash for %s", alg)
	return nil
}

// wrapGo wraps with crypto/rsa: RSA-OAEP, MGF1 with the same hash, no label.
func wrapGo(t *testing.T, p importParams, material []byte) []byte {
	t.Helper()
	out, err := rsa.EncryptOAEP(oaepHash(t, p.alg), rand.Reader, p.pub, material, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wrapOpenSSL wraps with the exact command sequence of AWS's documentation
// (reference import.md §4): decode the base64 PublicKey the CLI prints,
// then openssl pkeyutl -encrypt with OAEP.
func wrapOpenSSL(t *testing.T, p importParams, material []byte) []byte {
	t.Helper()
	requireTool(t, "openssl", func() error {
		_, err := exec.LookPath("openssl")
		return err
	})
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) {
		cmd := exec.Command("openssl", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	write("PublicKey.b64", []byte(base64.StdEncoding.EncodeToString(p.der)))
	run("enc", "-d", "-base64", "-A", "-in", "PublicKey.b64", "-out", "WrappingPublicKey.bin")
	write("PlaintextKeyMaterial.bin", material)
	switch p.alg {
	case oaepSHA1:
		run("pkeyutl", "-encrypt", "-in", "PlaintextKeyMaterial.bin", "-out", "EncryptedKeyMaterial.bin",
			"-inkey", "WrappingPublicKey.bin", "-keyform", "DER", "-pubin",
			"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1")
	case oaepSHA256:
		run("pkeyutl", "-encrypt", "-in", "PlaintextKeyMaterial.bin", "-out", "EncryptedKeyMaterial.bin",
			"-inkey", "WrappingPublicKey.bin", "-keyform", "DER", "-pubin",
			"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256")
	default:
		t.Fatalf("no documented openssl command for %s", p.alg)
	}
	out, err := os.ReadFile(filepath.Join(dir, "EncryptedKeyMaterial.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != p.pub.Size() {
		t.Fatalf("openssl wrote %d bytes, want the modulus size %d", len(out), p.pub.Size())
	}
	return out
}

// randomBytes returns n random bytes.
func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	if n >= minSecretLen { // imported key material, plaintexts: secrets for the scan
		remember(t, b)
	}
	return b
}

// flipped returns a copy of b with one bit of byte i flipped.
func flipped(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x01
	return c
}

// importInput is an ImportKeyMaterial request with KEY_MATERIAL_DOES_NOT_EXPIRE.
func importInput(ref string, token, wrapped []byte) *kms.ImportKeyMaterialInput {
	return &kms.ImportKeyMaterialInput{
		KeyId: aws.String(ref), ImportToken: token, EncryptedKeyMaterial: wrapped,
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire,
	}
}

// importOK runs in and checks the answer; it returns the KeyMaterialId.
func importOK(t *testing.T, c *kms.Client, id string, in *kms.ImportKeyMaterialInput) string {
	t.Helper()
	out, err := c.ImportKeyMaterial(context.Background(), in)
	if err != nil {
		t.Fatalf("ImportKeyMaterial: %v", err)
	}
	if aws.ToString(out.KeyId) != keyARN(id) {
		t.Fatalf("ImportKeyMaterial KeyId = %q, want %q", aws.ToString(out.KeyId), keyARN(id))
	}
	mid := aws.ToString(out.KeyMaterialId)
	if _, err := hex.DecodeString(mid); err != nil || len(mid) != 64 {
		t.Fatalf("KeyMaterialId = %q, want 64 hex digits", mid)
	}
	return mid
}

// importErr runs in and checks that it fails with code and, if not empty, msg.
func importErr(t *testing.T, c *kms.Client, in *kms.ImportKeyMaterialInput, code, msg string) {
	t.Helper()
	_, err := c.ImportKeyMaterial(context.Background(), in)
	apiError(t, err, code, msg)
}

// describe returns the key's metadata.
func describe(t *testing.T, c *kms.Client, id string) *types.KeyMetadata {
	t.Helper()
	out, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

// checkImported checks DescribeKey of a key with imported material.
func checkImported(t *testing.T, c *kms.Client, id string, state types.KeyState, model types.ExpirationModelType, materialID string) *types.KeyMetadata {
	t.Helper()
	md := describe(t, c, id)
	if md.KeyState != state || md.Enabled != (state == types.KeyStateEnabled) || md.Origin != types.OriginTypeExternal ||
		md.ExpirationModel != model || aws.ToString(md.CurrentKeyMaterialId) != materialID {
		t.Fatalf("DescribeKey: state %s enabled %v origin %s model %q material %q; want %s, EXTERNAL, %q, %q",
			md.KeyState, md.Enabled, md.Origin, md.ExpirationModel, aws.ToString(md.CurrentKeyMaterialId), state, model, materialID)
	}
	if model == types.ExpirationModelTypeKeyMaterialDoesNotExpire && md.ValidTo != nil {
		t.Fatalf("DescribeKey ValidTo = %v for material that does not expire", md.ValidTo)
	}
	return md
}

// proveMaterial encrypts under key id, opens the ciphertext offline with
// material (so the key really uses those bytes), decrypts it through the API,
// and returns the ciphertext.
func proveMaterial(t *testing.T, c *kms.Client, id string, material []byte) []byte {
	t.Helper()
	ctx := context.Background()
	plain := randomBytes(t, 48)
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: plain, EncryptionContext: importContext})
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	got, err := ciphertext.Open(material, enc.CiphertextBlob, importContext)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("the ciphertext does not open offline with the imported material: %v", err)
	}
	if _, err := ciphertext.Open(flipped(material, 0), enc.CiphertextBlob, importContext); err == nil {
		t.Fatal("the ciphertext opens with other material too")
	}
	checkDecrypts(t, c, id, enc.CiphertextBlob, plain)
	return enc.CiphertextBlob
}

// checkDecrypts decrypts blob through the API and compares with plain, or
// with the offline result if plain is nil.
func checkDecrypts(t *testing.T, c *kms.Client, id string, blob, plain []byte) {
	t.Helper()
	dec, err := c.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: importContext})
	if err != nil {
		t.Fatalf("Decrypt: %v", err)
	}
	if aws.ToString(dec.KeyId) != keyARN(id) || (plain != nil && !bytes.Equal(dec.Plaintext, plain)) {
		t.Fatalf("Decrypt = key %q, plaintext %x; want %q, %x", aws.ToString(dec.KeyId), dec.Plaintext, keyARN(id), plain)
	}
}

// importedKey creates an EXTERNAL key and imports 32 random bytes into it
// (RSA_2048, RSAES_OAEP_SHA_256, does not expire).
func importedKey(t *testing.T, c *kms.Client) (id string, material []byte, materialID string) {
	t.Helper()
	id, _ = createExternalKey(t, c)
	material = randomBytes(t, 32)
	p := getParams(t, c, id, oaepSHA256, rsa2048)
	materialID = importOK(t, c, id, importInput(id, p.token, wrapGo(t, p, material)))
	return id, material, materialID
}

// TestImportRoundTrip imports material for every wrapping algorithm and
// wrapping key spec AWS allows for SYMMETRIC_DEFAULT, wrapped by openssl
// and by crypto/rsa, then reimports it under a fresh token with the other
// wrapper. RSA_4096 cells reimport under RSA_2048 (AWS allows a different
// spec on reimport), to keep RSA_4096 key generation to two.
func TestImportRoundTrip(t *testing.T) {
	c := startServer(t).client()
	wrappers := []struct {
		name string
		wrap wrapFunc
	}{{"openssl", wrapOpenSSL}, {"crypto/rsa", wrapGo}}
	i := 0
	for _, alg := range []types.AlgorithmSpec{oaepSHA1, oaepSHA256} {
		for _, spec := range []types.WrappingKeySpec{rsa2048, rsa3072, rsa4096} {
			first, second := wrappers[i%2], wrappers[(i+1)%2]
			i++
			t.Run(string(alg)+"/"+string(spec), func(t *testing.T) {
				t.Parallel()
				id, arn := createExternalKey(t, c)
				material := randomBytes(t, 32)

				p := getParams(t, c, id, alg, spec)
				mid := importOK(t, c, id, importInput(id, p.token, first.wrap(t, p, material)))
				checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, mid)
				blob := proveMaterial(t, c, id, material)

				spec2 := spec
				if spec == rsa4096 {
					spec2 = rsa2048
				}
				p2 := getParams(t, c, arn, alg, spec2)
				if bytes.Equal(p2.der, p.der) || bytes.Equal(p2.token, p.token) {
					t.Fatal("a second GetParametersForImport returned the same public key or token")
				}
				mid2 := importOK(t, c, id, importInput(arn, p2.token, second.wrap(t, p2, material)))
				if mid2 != mid {
					t.Fatalf("reimport KeyMaterialId = %s, want the first import's %s", mid2, mid)
				}
				checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, mid)
				checkDecrypts(t, c, id, blob, nil)
				proveMaterial(t, c, id, material)
				t.Logf("imported with %s, reimported under %s with %s", first.name, spec2, second.name)
			})
		}
	}
}

// TestImportErrors checks every refusal of GetParametersForImport and
// ImportKeyMaterial that applies to SYMMETRIC_DEFAULT keys, and the key
// states import drives. Expiry (of tokens and of material) needs a fake
// clock and is tested in internal/kms.
func TestImportErrors(t *testing.T) {
	c := startServer(t).client()
	ctx := context.Background()

	t.Run("RefusedCombinations", func(t *testing.T) {
		t.Parallel()
		id, arn := createExternalKey(t, c)
		for _, tc := range []struct {
			alg  types.AlgorithmSpec
			spec types.WrappingKeySpec
			msg  string
		}{
			{types.AlgorithmSpecRsaAesKeyWrapSha1, rsa2048, "Wrapping algorithm RSA_AES_KEY_WRAP_SHA_1 is not valid for key material of key spec SYMMETRIC_DEFAULT."},
			{types.AlgorithmSpecRsaAesKeyWrapSha256, rsa3072, "Wrapping algorithm RSA_AES_KEY_WRAP_SHA_256 is not valid for key material of key spec SYMMETRIC_DEFAULT."},
			{types.AlgorithmSpecRsaesPkcs1V15, rsa2048, msgPKCS1Refused},
			{types.AlgorithmSpecSm2pke, types.WrappingKeySpecSm2, "SM2PKE and SM2 wrapping keys are supported only in China Regions."},
			{oaepSHA256, types.WrappingKeySpecSm2, "SM2PKE and SM2 wrapping keys are supported only in China Regions."},
		} {
			_, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{
				KeyId: aws.String(arn), WrappingAlgorithm: tc.alg, WrappingKeySpec: tc.spec,
			})
			apiError(t, err, "UnsupportedOperationException", tc.msg)
		}
		if md := describe(t, c, id); md.KeyState != types.KeyStatePendingImport {
			t.Fatalf("state after refusals: %s", md.KeyState)
		}
	})

	t.Run("TamperedWrappedMaterial", func(t *testing.T) {
		t.Parallel()
		id, _ := createExternalKey(t, c)
		material := randomBytes(t, 32)
		p := getParams(t, c, id, oaepSHA256, rsa2048)
		wrapped := wrapGo(t, p, material)
		for _, bad := range [][]byte{
			flipped(wrapped, 0), flipped(wrapped, len(wrapped)/2), flipped(wrapped, len(wrapped)-1),
			wrapped[:len(wrapped)-1], wrapped[1:], append(bytes.Clone(wrapped), 0),
			wrapGo(t, importParams{pub: p.pub, alg: oaepSHA1}, material), // the wrong OAEP hash
		} {
			importErr(t, c, importInput(id, p.token, bad), "InvalidCiphertextException", msgUnwrap)
		}
		// A failed RSA-OAEP unwrap leaves the parameter set usable.
		mid := importOK(t, c, id, importInput(id, p.token, wrapped))
		checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, mid)
		proveMaterial(t, c, id, material)
	})

	t.Run("TamperedToken", func(t *testing.T) {
		t.Parallel()
		id, _ := createExternalKey(t, c)
		material := randomBytes(t, 32)
		p := getParams(t, c, id, oaepSHA1, rsa2048)
		wrapped := wrapGo(t, p, material)
		tok := p.token
		for _, bad := range [][]byte{
			flipped(tok, 0), flipped(tok, 1), flipped(tok, len(tok)/2), flipped(tok, len(tok)-1),
			tok[:len(tok)-1], append(bytes.Clone(tok), 0), []byte("not a token"),
		} {
			importErr(t, c, importInput(id, bad, wrapped), "InvalidImportTokenException", msgTokenInvalid)
		}
		importOK(t, c, id, importInput(id, tok, wrapped))
		proveMaterial(t, c, id, material)
	})

	t.Run("WrongMaterialLength", func(t *testing.T) {
		t.Parallel()
		id, _ := createExternalKey(t, c)
		p := getParams(t, c, id, oaepSHA256, rsa2048)
		for _, n := range []int{16, 33, 1, 64} {
			importErr(t, c, importInput(id, p.token, wrapGo(t, p, randomBytes(t, n))), "IncorrectKeyMaterialException", msgMaterialLength)
		}
		if md := describe(t, c, id); md.KeyState != types.KeyStatePendingImport || md.CurrentKeyMaterialId != nil {
			t.Fatalf("after refused material: state %s, material %v", md.KeyState, md.CurrentKeyMaterialId)
		}
		material := randomBytes(t, 32)
		importOK(t, c, id, importInput(id, p.token, wrapGo(t, p, material)))
		proveMaterial(t, c, id, material)
	})

	t.Run("TokenOfAnotherKey", func(t *testing.T) {
		t.Parallel()
		a, _ := createExternalKey(t, c)
		b, _ := createExternalKey(t, c)
		ma, mb := randomBytes(t, 32), randomBytes(t, 32)
		pa := getParams(t, c, a, oaepSHA256, rsa2048)
		pb := getParams(t, c, b, oaepSHA256, rsa2048)
		importErr(t, c, importInput(b, pa.token, wrapGo(t, pa, mb)), "InvalidImportTokenException", msgTokenOtherKey)
		// B's token with material wrapped under A's public key.
		importErr(t, c, importInput(b, pb.token, wrapGo(t, pa, mb)), "InvalidCiphertextException", msgUnwrap)
		importOK(t, c, a, importInput(a, pa.token, wrapGo(t, pa, ma)))
		importOK(t, c, b, importInput(b, pb.token, wrapGo(t, pb, mb)))
		proveMaterial(t, c, a, ma)
		proveMaterial(t, c, b, mb)
	})

	t.Run("SupersededAndUsedToken", func(t *testing.T) {
		t.Parallel()
		id, _ := createExternalKey(t, c)
		material := randomBytes(t, 32)
		p1 := getParams(t, c, id, oaepSHA256, rsa2048)
		p2 := getParams(t, c, id, oaepSHA1, rsa2048)
		importErr(t, c, importInput(id, p1.token, wrapGo(t, p1, material)), "InvalidImportTokenException", msgTokenSuperseded)
		mid := importOK(t, c, id, importInput(id, p2.token, wrapGo(t, p2, material)))
		// The token is single-use, even for the very same material.
		importErr(t, c, importInput(id, p2.token, wrapGo(t, p2, material)), "InvalidImportTokenException", msgTokenSuperseded)
		importErr(t, c, importInput(id, p1.token, wrapGo(t, p1, material)), "InvalidImportTokenException", msgTokenSuperseded)
		checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, mid)
		proveMaterial(t, c, id, material)
	})

	t.Run("Reimport", func(t *testing.T) {
		t.Parallel()
		id, _ := createExternalKey(t, c)
		material := randomBytes(t, 32)
		p := getParams(t, c, id, oaepSHA256, rsa2048)
		validTo1 := time.Now().Add(time.Hour).Truncate(time.Second)
		in := importInput(id, p.token, wrapGo(t, p, material))
		in.ExpirationModel, in.ValidTo = types.ExpirationModelTypeKeyMaterialExpires, aws.Time(validTo1)
		mid := importOK(t, c, id, in)
		md := checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialExpires, mid)
		if md.ValidTo == nil || !md.ValidTo.Equal(validTo1) {
			t.Fatalf("DescribeKey ValidTo = %v, want %v", md.ValidTo, validTo1)
		}
		blob := proveMaterial(t, c, id, material)

		// Other 32 bytes are refused, and do not use up the token.
		p = getParams(t, c, id, oaepSHA256, rsa2048)
		in = importInput(id, p.token, wrapGo(t, p, randomBytes(t, 32)))
		importErr(t, c, in, "IncorrectKeyMaterialException", msgMaterialDiffers)
		in.ImportType = types.ImportTypeExistingKeyMaterial
		importErr(t, c, in, "IncorrectKeyMaterialException", msgMaterialDiffers)
		// The same bytes as NEW_KEY_MATERIAL are refused: they are already associated.
		in = importInput(id, p.token, wrapGo(t, p, material))
		in.ImportType = types.ImportTypeNewKeyMaterial
		importErr(t, c, in, "IncorrectKeyMaterialException", msgMaterialAlready)

		// The same bytes are accepted and change ValidTo.
		validTo2 := time.Now().Add(48 * time.Hour).Truncate(time.Second)
		in = importInput(id, p.token, wrapGo(t, p, material))
		in.ExpirationModel, in.ValidTo = types.ExpirationModelTypeKeyMaterialExpires, aws.Time(validTo2)
		if got := importOK(t, c, id, in); got != mid {
			t.Fatalf("reimport KeyMaterialId = %s, want %s", got, mid)
		}
		md = checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialExpires, mid)
		if md.ValidTo == nil || !md.ValidTo.Equal(validTo2) {
			t.Fatalf("DescribeKey ValidTo after reimport = %v, want %v", md.ValidTo, validTo2)
		}

		// And reimport with KeyMaterialId and without expiry.
		p = getParams(t, c, id, oaepSHA1, rsa2048)
		in = importInput(id, p.token, wrapGo(t, p, material))
		in.ImportType, in.KeyMaterialId = types.ImportTypeExistingKeyMaterial, aws.String(strings.Repeat("0", 64))
		importErr(t, c, in, "IncorrectKeyMaterialException", "The key material does not match the KeyMaterialId in the request.")
		in.KeyMaterialId = aws.String(mid)
		importOK(t, c, id, in)
		checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, mid)
		checkDecrypts(t, c, id, blob, nil)
	})

	t.Run("ConcurrentImportsOfOneToken", func(t *testing.T) {
		t.Parallel()
		id, _ := createExternalKey(t, c)
		material := randomBytes(t, 32)
		p := getParams(t, c, id, oaepSHA256, rsa2048)
		wrapped := wrapGo(t, p, material)
		const n = 8
		errs := make(chan error, n)
		for range n {
			go func() {
				_, err := c.ImportKeyMaterial(ctx, importInput(id, p.token, wrapped))
				errs <- err
			}()
		}
		succeeded := 0
		for range n {
			if err := <-errs; err == nil {
				succeeded++
			} else {
				apiError(t, err, "InvalidImportTokenException", msgTokenSuperseded)
			}
		}
		if succeeded != 1 {
			t.Fatalf("%d of %d concurrent imports with one token succeeded, want exactly 1", succeeded, n)
		}
		proveMaterial(t, c, id, material)
	})

	t.Run("MaterialExpires", func(t *testing.T) {
		// Real time, no fake clock: ValidTo a few seconds ahead, and the
		// server's sweep (every second in these tests) deletes the material.
		t.Parallel()
		id, _ := createExternalKey(t, c)
		material := randomBytes(t, 32)
		p := getParams(t, c, id, oaepSHA256, rsa2048)
		in := importInput(id, p.token, wrapGo(t, p, material))
		in.ExpirationModel, in.ValidTo = types.ExpirationModelTypeKeyMaterialExpires, aws.Time(time.Now().Add(3*time.Second))
		mid := importOK(t, c, id, in)
		blob := proveMaterial(t, c, id, material)
		deadline := time.Now().Add(20 * time.Second)
		for describe(t, c, id).KeyState != types.KeyStatePendingImport {
			if time.Now().After(deadline) {
				t.Fatalf("key still %s 17 s after its ValidTo", describe(t, c, id).KeyState)
			}
			time.Sleep(200 * time.Millisecond)
		}
		md := describe(t, c, id)
		if md.CurrentKeyMaterialId != nil || md.ValidTo != nil || md.ExpirationModel != "" {
			t.Fatalf("after expiry: material %v validTo %v model %q", md.CurrentKeyMaterialId, md.ValidTo, md.ExpirationModel)
		}
		_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: importContext})
		apiError(t, err, "KMSInvalidStateException", keyARN(id)+" is pending import.")
		p = getParams(t, c, id, oaepSHA1, rsa2048)
		importOK(t, c, id, importInput(id, p.token, wrapGo(t, p, material)))
		checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, mid)
		checkDecrypts(t, c, id, blob, nil)
	})

	t.Run("ExpirationRules", func(t *testing.T) {
		t.Parallel()
		id, _ := createExternalKey(t, c)
		material := randomBytes(t, 32)
		p := getParams(t, c, id, oaepSHA256, rsa2048)
		wrapped := wrapGo(t, p, material)
		now := time.Now()
		for _, tc := range []struct {
			name    string
			model   types.ExpirationModelType
			validTo *time.Time
			msg     string
		}{
			{"default model without ValidTo", "", nil, msgValidToNeeded},
			{"EXPIRES without ValidTo", types.ExpirationModelTypeKeyMaterialExpires, nil, msgValidToNeeded},
			{"EXPIRES 366 days ahead", types.ExpirationModelTypeKeyMaterialExpires, aws.Time(now.Add(366 * 24 * time.Hour)), msgValidToTooLate},
			{"default model 365 days and an hour ahead", "", aws.Time(now.Add(365*24*time.Hour + time.Hour)), msgValidToTooLate},
			{"EXPIRES an hour ago", types.ExpirationModelTypeKeyMaterialExpires, aws.Time(now.Add(-time.Hour)), msgValidToPast},
			{"default model a day ago", "", aws.Time(now.Add(-24 * time.Hour)), msgValidToPast},
			{"DOES_NOT_EXPIRE with ValidTo", types.ExpirationModelTypeKeyMaterialDoesNotExpire, aws.Time(now.Add(time.Hour)), msgValidToRefused},
		} {
			in := importInput(id, p.token, wrapped)
			in.ExpirationModel, in.ValidTo = tc.model, tc.validTo
			_, err := c.ImportKeyMaterial(ctx, in)
			t.Logf("%s: %v", tc.name, err)
			apiError(t, err, "ValidationException", tc.msg)
		}
		if md := describe(t, c, id); md.KeyState != types.KeyStatePendingImport {
			t.Fatalf("state after refused imports: %s", md.KeyState)
		}
		// The default model is KEY_MATERIAL_EXPIRES; just under 365 days is allowed.
		validTo := time.Now().Add(365*24*time.Hour - time.Hour).Truncate(time.Second)
		in := importInput(id, p.token, wrapped)
		in.ExpirationModel, in.ValidTo = "", aws.Time(validTo)
		mid := importOK(t, c, id, in)
		md := checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialExpires, mid)
		if md.ValidTo == nil || !md.ValidTo.Equal(validTo) {
			t.Fatalf("DescribeKey ValidTo = %v, want %v", md.ValidTo, validTo)
		}
		proveMaterial(t, c, id, material)
	})

	t.Run("DeleteImportedKeyMaterial", func(t *testing.T) {
		t.Parallel()
		id, material, mid := importedKey(t, c)
		arn := keyARN(id)
		blob := proveMaterial(t, c, id, material)

		del, err := c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(id)})
		if err != nil || aws.ToString(del.KeyId) != arn || aws.ToString(del.KeyMaterialId) != mid {
			t.Fatalf("DeleteImportedKeyMaterial = %+v, %v; want %s, %s", del, err, arn, mid)
		}
		md := describe(t, c, id)
		if md.KeyState != types.KeyStatePendingImport || md.Enabled || md.ExpirationModel != "" ||
			md.CurrentKeyMaterialId != nil || md.ValidTo != nil {
			t.Fatalf("after DeleteImportedKeyMaterial: state %s enabled %v model %q material %v validTo %v",
				md.KeyState, md.Enabled, md.ExpirationModel, md.CurrentKeyMaterialId, md.ValidTo)
		}
		_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
		apiError(t, err, "KMSInvalidStateException", arn+" is pending import.")
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: importContext})
		apiError(t, err, "KMSInvalidStateException", arn+" is pending import.")
		_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: types.DataKeySpecAes256})
		apiError(t, err, "KMSInvalidStateException", arn+" is pending import.")
		_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)})
		apiError(t, err, "KMSInvalidStateException", arn+" is pending import.")

		// Only the material deleted can come back.
		p := getParams(t, c, id, oaepSHA256, rsa2048)
		importErr(t, c, importInput(id, p.token, wrapGo(t, p, randomBytes(t, 32))), "IncorrectKeyMaterialException", msgMaterialDiffers)
		if got := importOK(t, c, id, importInput(id, p.token, wrapOpenSSL(t, p, material))); got != mid {
			t.Fatalf("reimport KeyMaterialId = %s, want %s", got, mid)
		}
		checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, mid)
		checkDecrypts(t, c, id, blob, nil)
		proveMaterial(t, c, id, material)
	})

	t.Run("OriginAWSKMS", func(t *testing.T) {
		t.Parallel()
		key, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		id, arn := aws.ToString(key.KeyMetadata.KeyId), aws.ToString(key.KeyMetadata.Arn)
		msg := arn + " origin is AWS_KMS which is not valid for this operation."
		_, err = c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{
			KeyId: aws.String(id), WrappingAlgorithm: oaepSHA256, WrappingKeySpec: rsa2048,
		})
		apiError(t, err, "UnsupportedOperationException", msg)
		// A well-formed token and wrapping, of another key.
		ext, _ := createExternalKey(t, c)
		p := getParams(t, c, ext, oaepSHA256, rsa2048)
		importErr(t, c, importInput(arn, p.token, wrapGo(t, p, randomBytes(t, 32))), "UnsupportedOperationException", msg)
		_, err = c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(id)})
		apiError(t, err, "UnsupportedOperationException", msg)
	})

	t.Run("AliasOrUnknownKey", func(t *testing.T) {
		t.Parallel()
		id, _ := createExternalKey(t, c)
		if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/byok-e2e"), TargetKeyId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		p := getParams(t, c, id, oaepSHA256, rsa2048)
		wrapped := wrapGo(t, p, randomBytes(t, 32))
		alias := "alias/byok-e2e"
		_, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{
			KeyId: aws.String(alias), WrappingAlgorithm: oaepSHA256, WrappingKeySpec: rsa2048,
		})
		apiError(t, err, "NotFoundException", "Invalid keyId '"+alias+"'")
		importErr(t, c, importInput(alias, p.token, wrapped), "NotFoundException", "Invalid keyId '"+alias+"'")
		_, err = c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(alias)})
		apiError(t, err, "NotFoundException", "Invalid keyId '"+alias+"'")

		unknown := "0b7c4e8e-1d0e-4a8f-9a52-6b3d2f0c9e11"
		_, err = c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{
			KeyId: aws.String(unknown), WrappingAlgorithm: oaepSHA256, WrappingKeySpec: rsa2048,
		})
		apiError(t, err, "NotFoundException", "Key '"+keyARN(unknown)+"' does not exist")
		importErr(t, c, importInput(unknown, p.token, wrapped), "NotFoundException", "Key '"+keyARN(unknown)+"' does not exist")

		// The refusals did not touch the key's parameter set.
		importOK(t, c, id, importInput(id, p.token, wrapped))
	})

	t.Run("DisabledKeyStaysDisabled", func(t *testing.T) {
		t.Parallel()
		id, material, mid := importedKey(t, c)
		if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		p := getParams(t, c, id, oaepSHA256, rsa2048)
		importOK(t, c, id, importInput(id, p.token, wrapGo(t, p, material)))
		checkImported(t, c, id, types.KeyStateDisabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, mid)
		_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
		apiError(t, err, "DisabledException", keyARN(id)+" is disabled.")
		if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		proveMaterial(t, c, id, material)
	})

	t.Run("PendingDeletion", func(t *testing.T) {
		t.Parallel()
		schedule := func(id string) {
			t.Helper()
			if _, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)}); err != nil {
				t.Fatal(err)
			}
		}
		// A key that never had material: PendingImport → PendingDeletion.
		fresh, _ := createExternalKey(t, c)
		p := getParams(t, c, fresh, oaepSHA256, rsa2048)
		schedule(fresh)
		importErr(t, c, importInput(fresh, p.token, wrapGo(t, p, randomBytes(t, 32))), "KMSInvalidStateException", keyARN(fresh)+" is pending deletion.")

		// A key with material.
		id, material, _ := importedKey(t, c)
		arn := keyARN(id)
		p = getParams(t, c, id, oaepSHA256, rsa2048)
		schedule(id)
		importErr(t, c, importInput(id, p.token, wrapGo(t, p, material)), "KMSInvalidStateException", arn+" is pending deletion.")
		_, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{
			KeyId: aws.String(id), WrappingAlgorithm: oaepSHA256, WrappingKeySpec: rsa2048,
		})
		apiError(t, err, "KMSInvalidStateException", arn+" is pending deletion.")
		// Deleting the material of a key pending deletion keeps its state.
		if _, err := c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		if md := describe(t, c, id); md.KeyState != types.KeyStatePendingDeletion || md.CurrentKeyMaterialId != nil {
			t.Fatalf("after DeleteImportedKeyMaterial while pending deletion: state %s, material %v", md.KeyState, md.CurrentKeyMaterialId)
		}
		// Without material, cancelling leads back to PendingImport, not Disabled.
		if _, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		if md := describe(t, c, id); md.KeyState != types.KeyStatePendingImport {
			t.Fatalf("after CancelKeyDeletion: state %s, want PendingImport", md.KeyState)
		}
	})
}

// TestImportPKCS1v15 covers RSAES_PKCS1_V1_5 on a server that allows it:
// a correct wrap imports, and a wrap that fails to unwrap destroys the
// parameter set, so the same token is refused afterwards.
func TestImportPKCS1v15(t *testing.T) {
	c := startServerWith(t, func(cfg *server.Config) { cfg.AllowPKCS1v15Wrapping = true }).client()
	pkcs1 := types.AlgorithmSpecRsaesPkcs1V15
	id, _ := createExternalKey(t, c)
	material := randomBytes(t, 32)

	p := getParams(t, c, id, pkcs1, rsa2048)
	//lint:ignore SA1019 this test is the legacy PKCS #1 v1.5 wrapping that the server admits only when configured to.
	wrapped, err := rsa.EncryptPKCS1v15(rand.Reader, p.pub, material)
	if err != nil {
		t.Fatal(err)
	}
	mid := importOK(t, c, id, importInput(id, p.token, wrapped))
	checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, mid)
	proveMaterial(t, c, id, material)

	// A block that is valid RSA but not PKCS #1 v1.5 type 2 padding:
	// 00 01 FF..FF 00 || material, encrypted with the raw RSA function.
	p = getParams(t, c, id, pkcs1, rsa2048)
	k := p.pub.Size()
	em := bytes.Repeat([]byte{0xff}, k)
	em[0], em[1], em[k-len(material)-1] = 0x00, 0x01, 0x00
	copy(em[k-len(material):], material)
	m := new(big.Int).SetBytes(em)
	corrupt := new(big.Int).Exp(m, big.NewInt(int64(p.pub.E)), p.pub.N).FillBytes(make([]byte, k))
	importErr(t, c, importInput(id, p.token, corrupt), "InvalidCiphertextException", msgUnwrap)
	//lint:ignore SA1019 as above: legacy PKCS #1 v1.5 wrapping, admitted by this server's configuration.
	good, err := rsa.EncryptPKCS1v15(rand.Reader, p.pub, material)
	if err != nil {
		t.Fatal(err)
	}
	importErr(t, c, importInput(id, p.token, good), "InvalidImportTokenException", msgTokenSuperseded)

	// A truncated block also destroys the set.
	p = getParams(t, c, id, pkcs1, rsa2048)
	//lint:ignore SA1019 as above: legacy PKCS #1 v1.5 wrapping, admitted by this server's configuration.
	good, err = rsa.EncryptPKCS1v15(rand.Reader, p.pub, material)
	if err != nil {
		t.Fatal(err)
	}
	importErr(t, c, importInput(id, p.token, good[1:]), "InvalidCiphertextException", msgUnwrap)
	importErr(t, c, importInput(id, p.token, good), "InvalidImportTokenException", msgTokenSuperseded)

	// OAEP still works on this server, and the key kept its material.
	p = getParams(t, c, id, oaepSHA256, rsa2048)
	importOK(t, c, id, importInput(id, p.token, wrapGo(t, p, material)))
	checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, mid)
	proveMaterial(t, c, id, material)
}
