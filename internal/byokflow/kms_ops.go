package byokflow

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// aliasFree checks that no key has the alias yet, so that CreateAlias
// will not fail after the key is made.
func (k *Conn) aliasFree(ctx context.Context, alias string) error {
	md, err := k.DescribeKey(ctx, alias)
	switch {
	case err == nil:
		return fmt.Errorf("%s already names KMS key %s: choose another --alias", alias, aws.ToString(md.Arn))
	case apiCode(err) == "NotFoundException":
		return nil
	}
	return err
}

// newKey is a KMS key a run created, and whether its alias was made.
type newKey struct {
	arn     string
	alias   string
	aliased bool
	// spec and usage: the KeySpec and KeyUsage to create with; empty:
	// SYMMETRIC_DEFAULT for ENCRYPT_DECRYPT.
	spec  types.KeySpec
	usage types.KeyUsageType
}

// createKey creates the SYMMETRIC_DEFAULT key of origin EXTERNAL with its
// description, tags and alias. On a failure after CreateKey, nk holds
// the key, so that the step's undo finds it.
func (k *Conn) createKey(ctx context.Context, desc, alias string, tags []types.Tag, nk *newKey) error {
	in := &kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: types.KeySpecSymmetricDefault,
		KeyUsage: types.KeyUsageTypeEncryptDecrypt, Tags: tags}
	if nk.spec != "" {
		in.KeySpec, in.KeyUsage = nk.spec, nk.usage
	}
	if desc != "" {
		in.Description = aws.String(desc)
	}
	out, err := k.c.CreateKey(ctx, in)
	if err != nil {
		return kmsError("CreateKey", err)
	}
	nk.arn, nk.alias = aws.ToString(out.KeyMetadata.Arn), alias
	if alias != "" {
		if _, err := k.c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(nk.arn)}); err != nil {
			return kmsError("CreateAlias", err)
		}
		nk.aliased = true
	}
	return nil
}

// deleteKey undoes createKey: the alias is deleted and the key's deletion
// scheduled in 7 days (the shortest KMS allows).
func (k *Conn) deleteKey(ctx context.Context, nk *newKey) string {
	msg := ""
	if nk.aliased {
		if _, err := k.c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(nk.alias)}); err != nil {
			msg = fmt.Sprintf("could not delete alias %s (%v); ", nk.alias, kmsError("DeleteAlias", err))
		} else {
			msg = fmt.Sprintf("deleted alias %s; ", nk.alias)
		}
	}
	del, err := k.c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(nk.arn), PendingWindowInDays: aws.Int32(7)})
	if err != nil {
		return msg + fmt.Sprintf("could not schedule the deletion of KMS key %s, which this run created: %v; schedule it with aws kms schedule-key-deletion", nk.arn, kmsError("ScheduleKeyDeletion", err))
	}
	return msg + fmt.Sprintf("scheduled the deletion of KMS key %s, which this run created, for %s (7 days; --keep-kms-key keeps it; undo with aws kms cancel-key-deletion --key-id %s)",
		nk.arn, aws.ToTime(del.DeletionDate).UTC().Format(time.RFC3339), ShortKeyID(nk.arn))
}

// GetParameters calls GetParametersForImport.
func (k *Conn) GetParameters(ctx context.Context, keyID, alg, spec string) (*Params, error) {
	out, err := k.c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: aws.String(keyID),
		WrappingAlgorithm: types.AlgorithmSpec(alg), WrappingKeySpec: types.WrappingKeySpec(spec)})
	if err != nil {
		return nil, kmsError("GetParametersForImport", err)
	}
	return &Params{KeyARN: aws.ToString(out.KeyId), Algorithm: alg, Spec: spec, PublicKey: out.PublicKey,
		Token: out.ImportToken, ValidTo: out.ParametersValidTo}, nil
}

// importMaterial calls ImportKeyMaterial; materialID, if set, makes it a
// reimport of that material (EXISTING_KEY_MATERIAL).
func (k *Conn) importMaterial(ctx context.Context, arn string, token, wrapped []byte, exp Expiration, materialID string) (string, error) {
	in := &kms.ImportKeyMaterialInput{KeyId: aws.String(arn), ImportToken: token, EncryptedKeyMaterial: wrapped,
		ExpirationModel: exp.Model, ValidTo: exp.ValidTo}
	if materialID != "" {
		in.ImportType, in.KeyMaterialId = types.ImportTypeExistingKeyMaterial, aws.String(materialID)
	}
	out, err := k.c.ImportKeyMaterial(ctx, in)
	if err != nil {
		return "", kmsError("ImportKeyMaterial", err)
	}
	return aws.ToString(out.KeyMaterialId), nil
}

// checkState checks with DescribeKey that the key is in the wanted state
// (Enabled, or for an upload into a Disabled key, Disabled), of origin
// EXTERNAL, with the material just imported as its current one and the
// expiry asked for.
func (k *Conn) checkState(ctx context.Context, arn, materialID string, exp Expiration, want types.KeyState) (string, error) {
	md, err := k.DescribeKey(ctx, arn)
	if err != nil {
		return "", err
	}
	switch {
	case md.KeyState != want:
		return "", fmt.Errorf("KMS key %s is %s after the import, not %s", arn, md.KeyState, want)
	case md.Origin != types.OriginTypeExternal:
		return "", fmt.Errorf("KMS key %s has origin %s, not EXTERNAL", arn, md.Origin)
	case md.CurrentKeyMaterialId != nil && *md.CurrentKeyMaterialId != materialID:
		return "", fmt.Errorf("KMS key %s has current key material %s, not %s, which the import returned", arn, *md.CurrentKeyMaterialId, materialID)
	case md.ExpirationModel != "" && md.ExpirationModel != exp.Model:
		return "", fmt.Errorf("KMS key %s has expiration model %s, not %s", arn, md.ExpirationModel, exp.Model)
	}
	return fmt.Sprintf("%s, origin EXTERNAL, expiration %s", md.KeyState, exp), nil
}

// shortID abbreviates a 64-digit KeyMaterialId for progress lines.
func shortID(id string) string {
	if len(id) > 16 {
		return id[:16] + "…"
	}
	return id
}
