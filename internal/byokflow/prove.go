package byokflow

import (
	"context"
	"fmt"
)

// prove imports the HSM key into the KMS key again, under a fresh import
// token and wrapping key, as EXISTING_KEY_MATERIAL with the KeyMaterialId
// of the first import. KMS accepts a reimport only of byte-identical
// material, so success shows that what KMS holds is the key the HSM
// wraps, without the key leaving the HSM unwrapped (KMS shows no check
// value to compare with; see the README: "How trent knows KMS holds the
// HSM's key").
func (im *Import) prove(ctx context.Context) (string, error) {
	if im.key.KeySpec != "" { // RSA, EC and HMAC keys take no reimport
		return im.proveOther(ctx)
	}
	p, err := im.conn.GetParameters(ctx, im.arn, im.params.Algorithm, im.o.Spec)
	if err != nil {
		return "", err
	}
	p.Source = "KMS's second GetParametersForImport answer"
	wk, err := im.s.importWrappingKey(p.PublicKey, im.arn)
	if err != nil {
		return "", fmt.Errorf("importing the second wrapping key into the token: %w", err)
	}
	_, wrapped, err := im.s.wrap(im.key, wk, p)
	derr := im.s.destroy(wk)
	if err != nil {
		return "", fmt.Errorf("wrapping the key again: %w", err)
	}
	if derr != nil {
		return "", fmt.Errorf("destroying the second wrapping key object: %w", derr)
	}
	id, err := im.conn.importMaterial(ctx, im.arn, p.Token, wrapped, im.o.Expiry, im.res.KeyMaterialID)
	if apiCode(err) == "IncorrectKeyMaterialException" {
		return "", fmt.Errorf("KMS refused the HSM key as the material of %s, so the material it holds is NOT the HSM's key: %w; schedule the key's deletion and run again", im.arn, err)
	}
	if err != nil {
		return "", err
	}
	if id != im.res.KeyMaterialID {
		return "", fmt.Errorf("the second import returned KeyMaterialId %s, not %s: KMS holds different material", id, im.res.KeyMaterialID)
	}
	return fmt.Sprintf("imported again under a fresh import token and wrapping key, KMS accepted it as the same key material (KeyMaterialId %s)", shortID(id)), nil
}
