package byokflow

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// probeContext marks the probe ciphertexts a rotation makes, so that they
// cannot be mistaken for (or replayed as) application data.
var probeContext = map[string]string{"trent:purpose": "byok-rotate-probe"}

// probe is a ciphertext made under the material current before the
// rotation, and what it must decrypt to.
type probe struct {
	plaintext, blob []byte
	materialID      string
}

// checkKMS checks that the key can rotate to imported material: origin
// EXTERNAL, SYMMETRIC_DEFAULT (AWS rotates imported material of symmetric
// encryption keys only), Enabled, with current material.
func (r *Rotate) checkKMS(ctx context.Context) (string, error) {
	var err error
	if r.conn, err = Connect(ctx, r.o.KMS); err != nil {
		return "", err
	}
	md, err := r.conn.DescribeKey(ctx, r.o.KeyID)
	if err != nil {
		return "", err
	}
	r.arn = aws.ToString(md.Arn)
	r.res.KeyARN, r.res.KeyID = r.arn, ShortKeyID(r.arn)
	switch {
	case md.Origin != types.OriginTypeExternal:
		return "", fmt.Errorf("KMS key %s has origin %s: trent byok rotate imports new material into keys of origin EXTERNAL; rotate an AWS_KMS key with aws kms rotate-key-on-demand", r.arn, md.Origin)
	case md.KeySpec != "" && md.KeySpec != types.KeySpecSymmetricDefault:
		return "", fmt.Errorf("KMS key %s is a %s key: KMS rotates imported key material of SYMMETRIC_DEFAULT keys only; for a new %s key pair, import it into a new KMS key (trent byok import)", r.arn, md.KeySpec, md.KeySpec)
	case md.KeyState != types.KeyStateEnabled:
		return "", fmt.Errorf("KMS key %s is %s, not Enabled: trent byok rotate rotates an Enabled key (for a key in PendingImport use trent byok import --key-id; enable a Disabled key with aws kms enable-key)", r.arn, md.KeyState)
	case aws.ToString(md.CurrentKeyMaterialId) == "":
		return "", fmt.Errorf("KMS key %s names no current key material, so its rotation cannot be proved", r.arn)
	}
	r.probe.materialID = aws.ToString(md.CurrentKeyMaterialId)
	r.res.PreviousKeyMaterialID = r.probe.materialID
	return fmt.Sprintf("%s at %s: EXTERNAL, SYMMETRIC_DEFAULT, Enabled, current KeyMaterialId %s", r.arn, r.conn.Where, shortID(r.probe.materialID)), nil
}

// encryptProbe encrypts 32 random bytes under the current material; the
// proof decrypts the ciphertext after the rotation.
func (r *Rotate) encryptProbe(ctx context.Context) (string, error) {
	r.probe.plaintext = make([]byte, 32)
	_, _ = rand.Read(r.probe.plaintext)
	out, err := r.conn.c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(r.arn), Plaintext: r.probe.plaintext, EncryptionContext: probeContext})
	if err != nil {
		return "", kmsError("Encrypt", err)
	}
	r.probe.blob = out.CiphertextBlob
	return fmt.Sprintf("%d-byte ciphertext under KeyMaterialId %s", len(r.probe.blob), shortID(r.probe.materialID)), nil
}

// importNew imports the wrapped key as NEW_KEY_MATERIAL. KMS refuses
// material the key already holds (current or earlier), which is how a
// rotation to the same key is caught: such a "rotation" would change
// nothing.
func (r *Rotate) importNew(ctx context.Context) (string, error) {
	in := &kms.ImportKeyMaterialInput{KeyId: aws.String(r.arn), ImportToken: r.params.Token, EncryptedKeyMaterial: r.wrapped,
		ExpirationModel: r.o.Expiry.Model, ValidTo: r.o.Expiry.ValidTo, ImportType: types.ImportTypeNewKeyMaterial}
	out, err := r.conn.c.ImportKeyMaterial(ctx, in)
	if err != nil {
		err = kmsError("ImportKeyMaterial", err)
		if apiCode(err) == "IncorrectKeyMaterialException" {
			return "", fmt.Errorf("the HSM key (%s) is key material KMS key %s already holds, so it cannot be the new material: use another HSM key or --generate a new one (%w)", r.key, r.arn, err)
		}
		return "", err
	}
	id := aws.ToString(out.KeyMaterialId)
	r.imported, r.res.KeyMaterialID = true, id
	if id == r.probe.materialID {
		return "", fmt.Errorf("KMS returned the current KeyMaterialId %s for the new material", id)
	}
	return "KeyMaterialId " + shortID(id) + ", pending rotation", nil
}

// undoImport deletes the new material while it is still pending: once
// current, it encrypts, and deleting it would leave ciphertexts that no
// longer open. A RotateKeyOnDemand that failed on the way back (a
// timeout) may still have rotated, so KMS is asked first.
func (r *Rotate) undoImport(ctx context.Context) string {
	if !r.imported || r.rotated {
		return ""
	}
	id := r.res.KeyMaterialID
	md, err := r.conn.DescribeKey(ctx, r.arn)
	if err != nil {
		return fmt.Sprintf("left the new key material %s of %s: could not tell whether it is current (%v); if it is pending rotation, delete it with aws kms delete-imported-key-material --key-id %s --key-material-id %s",
			id, r.arn, err, r.res.KeyID, id)
	}
	if aws.ToString(md.CurrentKeyMaterialId) == id {
		return fmt.Sprintf("kept the new key material %s of %s: KMS made it current despite the error", shortID(id), r.arn)
	}
	_, err = r.conn.c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: aws.String(r.arn), KeyMaterialId: aws.String(id)})
	if err != nil {
		return fmt.Sprintf("could not delete the pending key material %s of %s: %v; delete it with aws kms delete-imported-key-material --key-id %s --key-material-id %s",
			id, r.arn, kmsError("DeleteImportedKeyMaterial", err), r.res.KeyID, id)
	}
	return fmt.Sprintf("deleted the pending key material %s of %s (the current material is unchanged)", shortID(id), r.arn)
}

// rotate makes the pending material current.
func (r *Rotate) rotate(ctx context.Context) (string, error) {
	if _, err := r.conn.c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(r.arn)}); err != nil {
		return "", kmsError("RotateKeyOnDemand", err)
	}
	r.rotated = true
	return "on-demand rotation started", nil
}

// prove checks, after the rotation, that DescribeKey names the imported
// material as current, that a new ciphertext decrypts under it, and that
// the probe made before the rotation still decrypts, under the old
// material, to its plaintext.
func (r *Rotate) prove(ctx context.Context) (string, error) {
	id := r.res.KeyMaterialID
	md, err := r.conn.DescribeKey(ctx, r.arn)
	if err != nil {
		return "", err
	}
	if cur := aws.ToString(md.CurrentKeyMaterialId); cur != id {
		return "", fmt.Errorf("KMS key %s has current key material %s after the rotation, not %s, which the import returned", r.arn, cur, id)
	}
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh)
	enc, err := r.conn.c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(r.arn), Plaintext: fresh, EncryptionContext: probeContext})
	if err != nil {
		return "", kmsError("Encrypt", err)
	}
	if err := r.decryptsUnder(ctx, enc.CiphertextBlob, fresh, id, "a ciphertext made after the rotation"); err != nil {
		return "", err
	}
	if err := r.decryptsUnder(ctx, r.probe.blob, r.probe.plaintext, r.probe.materialID, "the probe made before the rotation"); err != nil {
		return "", err
	}
	return fmt.Sprintf("current KeyMaterialId is %s (was %s); a new ciphertext decrypts under it; the probe from before the rotation still decrypts under %s",
		shortID(id), shortID(r.probe.materialID), shortID(r.probe.materialID)), nil
}

// decryptsUnder decrypts blob and checks the plaintext and, when KMS
// names it, the key material that decrypted it.
func (r *Rotate) decryptsUnder(ctx context.Context, blob, want []byte, materialID, what string) error {
	out, err := r.conn.c.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(r.arn), CiphertextBlob: blob, EncryptionContext: probeContext})
	if err != nil {
		return fmt.Errorf("%s does not decrypt: %w", what, kmsError("Decrypt", err))
	}
	if subtle.ConstantTimeCompare(out.Plaintext, want) != 1 {
		return fmt.Errorf("%s decrypts to other bytes than were encrypted", what)
	}
	if got := aws.ToString(out.KeyMaterialId); got != "" && got != materialID {
		return fmt.Errorf("%s decrypts under key material %s, not %s", what, got, materialID)
	}
	return nil
}
