//go:build cgo

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/pkcs11/pkcs11test"
)

// rotateResult is the JSON of trent byok rotate.
type rotateResult struct {
	KeyID                 string `json:"key_id"`
	KeyARN                string `json:"key_arn"`
	PreviousKeyMaterialID string `json:"previous_key_material_id"`
	KeyMaterialID         string `json:"key_material_id"`
	WrappingAlgorithm     string `json:"wrapping_algorithm"`
	Proof                 string `json:"proof"`
	HSMKey                struct {
		Label     string `json:"label"`
		Generated bool   `json:"generated"`
	} `json:"hsm_key"`
}

// rotateOK runs trent byok rotate and decodes its JSON result.
func rotateOK(t *testing.T, args ...string) (rotateResult, string) {
	t.Helper()
	return trentJSON[rotateResult](t, append([]string{"byok", "rotate"}, args...)...)
}

// rotations lists every material of the key with its state.
func rotations(t *testing.T, c *kms.Client, id string) map[string]types.KeyMaterialState {
	t.Helper()
	out, err := c.ListKeyRotations(context.Background(), &kms.ListKeyRotationsInput{KeyId: aws.String(id), IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]types.KeyMaterialState{}
	for _, r := range out.Rotations {
		m[aws.ToString(r.KeyMaterialId)] = r.KeyMaterialState
	}
	return m
}

// TestBYOKRotateSoftHSM: trent byok rotate with SoftHSM2 rotates a key
// imported from the token to a second AES key whose bytes the test knows,
// then to a generated one; every ciphertext made before still decrypts.
// Then the refusals: the current material again, a key of origin AWS_KMS
// and an asymmetric EXTERNAL key, each leaving the key as it was.
func TestBYOKRotateSoftHSM(t *testing.T) {
	ctx := context.Background()
	ep := startServer(t)
	c := ep.client()
	byokEnv(t, ep)
	mod := pkcs11test.TempSoftHSM(t)
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(pkcs11test.SoftHSMPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tf := []string{"--module", mod, "--token-label", pkcs11test.SoftHSMLabel, "--pin-file", pinFile, "--wrapping-key-spec", "RSA_2048"}
	rot := func(extra ...string) []string { return append(append([]string{}, tf...), extra...) }

	first, second := randomBytes(t, 32), randomBytes(t, 32)
	pkcs11test.ImportAESKey(t, mod, "", pkcs11test.SoftHSMLabel, pkcs11test.SoftHSMPIN, "first", first)
	pkcs11test.ImportAESKey(t, mod, "", pkcs11test.SoftHSMLabel, pkcs11test.SoftHSMPIN, "second", second)
	imp, _ := byokOK(t, append([]string{"import", "--hsm-key", "label:first", "--alias", "rotating", "--no-expiry"}, tf...)...)
	id := imp.KeyID
	oldBlob := proveMaterial(t, c, id, first)

	t.Run("the current material is refused", func(t *testing.T) {
		before := rotations(t, c, id)
		byokFails(t, []string{"trent byok rotate: step 10 (import the key material into KMS as new material (PENDING_ROTATION)): the HSM key (",
			`label "first"`, "is key material KMS key " + keyARN(id) + " already holds", "IncorrectKeyMaterialException"},
			append([]string{"rotate"}, rot("--key-id", "alias/rotating", "--hsm-key", "label:first", "--no-expiry")...)...)
		if got := rotations(t, c, id); len(got) != len(before) || got[imp.KeyMaterialID] != types.KeyMaterialStateCurrent {
			t.Errorf("materials after the refusal: %v, before %v", got, before)
		}
	})

	t.Run("rotate to a known key", func(t *testing.T) {
		r, progress := rotateOK(t, rot("--key-id", "alias/rotating", "--hsm-key", "label:second", "--no-expiry")...)
		if r.KeyID != id || r.PreviousKeyMaterialID != imp.KeyMaterialID || len(r.KeyMaterialID) != 64 || r.KeyMaterialID == imp.KeyMaterialID ||
			r.WrappingAlgorithm != "RSAES_OAEP_SHA_1" || r.HSMKey.Label != "second" || r.Proof == "" {
			t.Fatalf("result: %+v", r)
		}
		for _, want := range []string{"[1/12] reach KMS and check the KMS key ... ok", "[2/12] encrypt a probe with the current key material ... ok",
			"[11/12] rotate the KMS key to the new material (RotateKeyOnDemand) ... ok",
			"[12/12] prove the new material is current and the old ciphertext still decrypts ... ok: current KeyMaterialId is"} {
			if !strings.Contains(progress, want) {
				t.Errorf("progress does not contain %q:\n%s", want, progress)
			}
		}
		checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, r.KeyMaterialID)
		proveMaterial(t, c, id, second)
		checkDecrypts(t, c, id, oldBlob, nil)
		if got := rotations(t, c, id); got[imp.KeyMaterialID] != types.KeyMaterialStateNonCurrent || got[r.KeyMaterialID] != types.KeyMaterialStateCurrent {
			t.Errorf("materials: %v", got)
		}
	})

	t.Run("rotate to a generated key", func(t *testing.T) {
		prev := describe(t, c, id).CurrentKeyMaterialId
		r, _ := rotateOK(t, rot("--key-id", id, "--generate", "--hsm-label", "third", "--expires-in", "30d")...)
		if !r.HSMKey.Generated || r.PreviousKeyMaterialID != aws.ToString(prev) || r.KeyMaterialID == r.PreviousKeyMaterialID {
			t.Fatalf("result: %+v", r)
		}
		checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialExpires, r.KeyMaterialID)
		checkDecrypts(t, c, id, oldBlob, nil)
		if got := tokenObjects(t, tf[:6]); !strings.Contains(got, "secret-key AES third") {
			t.Errorf("token objects: %q", got)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		own, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		ext, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify})
		if err != nil {
			t.Fatal(err)
		}
		pending, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal})
		if err != nil {
			t.Fatal(err)
		}
		objects := tokenObjects(t, tf[:6])
		for _, tc := range []struct {
			name, key string
			want      []string
		}{
			{"origin AWS_KMS", aws.ToString(own.KeyMetadata.KeyId), []string{"step 1 (reach KMS and check the KMS key)", "has origin AWS_KMS"}},
			{"asymmetric", aws.ToString(ext.KeyMetadata.KeyId), []string{"is a RSA_2048 key: KMS rotates imported key material of SYMMETRIC_DEFAULT keys only"}},
			{"pending import", aws.ToString(pending.KeyMetadata.KeyId), []string{"is PendingImport, not Enabled", "trent byok import --key-id"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				byokFails(t, tc.want, append([]string{"rotate"}, rot("--key-id", tc.key, "--generate", "--no-expiry")...)...)
			})
		}
		if got := tokenObjects(t, tf[:6]); got != objects {
			t.Errorf("the token's objects changed:\n%s\n%s", objects, got)
		}
		code, _, errOut := trent(append([]string{"byok", "rotate"}, rot("--generate", "--no-expiry")...)...)
		if code != 2 || !strings.Contains(errOut, "--key-id") {
			t.Errorf("without --key-id: exit %d, %s", code, errOut)
		}
	})
}
