package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// aliasFree checks that no key has the alias yet, so that CreateAlias
// will not fail after the key is made.
func (k *kmsConn) aliasFree(ctx context.Context, alias string) error {
	md, err := k.describeKey(ctx, alias)
	switch {
	case err == nil:
		return fmt.Errorf("%s already names KMS key %s: choose another --alias", alias, aws.ToString(md.Arn))
	case apiCode(err) == "NotFoundException":
		return nil
	}
	return err
}

// createKey creates the SYMMETRIC_DEFAULT key of origin EXTERNAL, with
// its description, tags and alias. If the run fails later, the alias is
// deleted and the key's deletion scheduled (7 days), unless
// --keep-kms-key.
func (r *byokRun) createKey(k *kmsConn, o *importOptions) (string, error) {
	in := &kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: types.KeySpecSymmetricDefault,
		KeyUsage: types.KeyUsageTypeEncryptDecrypt, Tags: o.tags}
	if o.desc != "" {
		in.Description = aws.String(o.desc)
	}
	out, err := k.c.CreateKey(r.ctx, in)
	if err != nil {
		return "", kmsError("CreateKey", err)
	}
	arn := aws.ToString(out.KeyMetadata.Arn)
	aliased := false
	r.onFailure(func(ctx context.Context) string {
		if o.keepKMSKey {
			return fmt.Sprintf("kept KMS key %s (PendingImport), as --keep-kms-key asks: retry with trent byok import --key-id %s", arn, shortKeyID(arn))
		}
		msg := ""
		if aliased {
			if _, err := k.c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(o.alias)}); err != nil {
				msg = fmt.Sprintf("could not delete alias %s (%v); ", o.alias, kmsError("DeleteAlias", err))
			} else {
				msg = fmt.Sprintf("deleted alias %s; ", o.alias)
			}
		}
		del, err := k.c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(arn), PendingWindowInDays: aws.Int32(7)})
		if err != nil {
			return msg + fmt.Sprintf("could not schedule the deletion of KMS key %s, which this run created: %v; schedule it with aws kms schedule-key-deletion", arn, kmsError("ScheduleKeyDeletion", err))
		}
		return msg + fmt.Sprintf("scheduled the deletion of KMS key %s, which this run created, for %s (7 days; --keep-kms-key keeps it; undo with aws kms cancel-key-deletion --key-id %s)",
			arn, aws.ToTime(del.DeletionDate).UTC().Format(time.RFC3339), shortKeyID(arn))
	})
	if o.alias != "" {
		if _, err := k.c.CreateAlias(r.ctx, &kms.CreateAliasInput{AliasName: aws.String(o.alias), TargetKeyId: aws.String(arn)}); err != nil {
			return arn, kmsError("CreateAlias", err)
		}
		aliased = true
	}
	return arn, nil
}

// importParams are one GetParametersForImport answer.
type importParams struct {
	keyARN, alg, spec string
	publicKey, token  []byte
	validTo           *time.Time
}

func (p *importParams) validToString() string {
	if p.validTo == nil {
		return "(not known)"
	}
	return p.validTo.UTC().Format(time.RFC3339)
}

// getParameters asks KMS for a wrapping key and import token with the
// chosen algorithm; if KMS does not support it, the next algorithm the
// token performs is tried.
func (r *byokRun) getParameters(k *kmsConn, arn string, choice algChoice, spec string) (*importParams, error) {
	algs := append([]string{choice.alg}, choice.fallbacks...)
	for i, alg := range algs {
		p, err := k.getParameters(r.ctx, arn, alg, spec)
		if err != nil && apiCode(err) == "UnsupportedOperationException" && i+1 < len(algs) {
			r.prog.note(fmt.Sprintf("KMS does not support %s here (%v); trying %s", alg, err, algs[i+1]))
			continue
		}
		return p, err
	}
	panic("unreachable")
}

func (k *kmsConn) getParameters(ctx context.Context, arn, alg, spec string) (*importParams, error) {
	out, err := k.c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: aws.String(arn),
		WrappingAlgorithm: types.AlgorithmSpec(alg), WrappingKeySpec: types.WrappingKeySpec(spec)})
	if err != nil {
		return nil, kmsError("GetParametersForImport", err)
	}
	return &importParams{keyARN: aws.ToString(out.KeyId), alg: alg, spec: spec, publicKey: out.PublicKey,
		token: out.ImportToken, validTo: out.ParametersValidTo}, nil
}

// importMaterial calls ImportKeyMaterial; materialID, if set, makes it a
// reimport of that material (EXISTING_KEY_MATERIAL).
func (k *kmsConn) importMaterial(ctx context.Context, arn string, token, wrapped []byte, exp expiration, materialID string) (string, error) {
	in := &kms.ImportKeyMaterialInput{KeyId: aws.String(arn), ImportToken: token, EncryptedKeyMaterial: wrapped,
		ExpirationModel: exp.model, ValidTo: exp.validTo}
	if materialID != "" {
		in.ImportType, in.KeyMaterialId = types.ImportTypeExistingKeyMaterial, aws.String(materialID)
	}
	out, err := k.c.ImportKeyMaterial(ctx, in)
	if err != nil {
		return "", kmsError("ImportKeyMaterial", err)
	}
	return aws.ToString(out.KeyMaterialId), nil
}

// checkEnabled checks with DescribeKey that the key is in the wanted
// state (Enabled, or for an upload into a Disabled key, Disabled), of
// origin EXTERNAL, with the material just imported as its current one
// and the expiry asked for.
func (k *kmsConn) checkEnabled(ctx context.Context, arn, materialID string, exp expiration, want types.KeyState) (string, error) {
	md, err := k.describeKey(ctx, arn)
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
	case md.ExpirationModel != "" && md.ExpirationModel != exp.model:
		return "", fmt.Errorf("KMS key %s has expiration model %s, not %s", arn, md.ExpirationModel, exp.model)
	}
	s := fmt.Sprintf("%s, origin EXTERNAL, expiration %s", md.KeyState, exp)
	return s, nil
}

// prove imports the HSM key into the KMS key again, under a fresh import
// token and wrapping key, as EXISTING_KEY_MATERIAL with the KeyMaterialId
// of the first import. KMS accepts a reimport only of byte-identical
// material, so success shows that what KMS holds is the key the HSM
// wraps (see the README: "How trent knows KMS holds the HSM's key").
func (r *byokRun) prove(k *kmsConn, tok *pkcs11.Token, key hsmKey, arn, alg, spec string, exp expiration, materialID string) (string, error) {
	p, err := k.getParameters(r.ctx, arn, alg, spec)
	if err != nil {
		return "", err
	}
	wh, destroy, err := r.importWrappingKey(tok, p.publicKey, arn)
	if err != nil {
		return "", fmt.Errorf("importing the second wrapping key into the token: %w", err)
	}
	wrapped, err := tok.Wrap(key.Handle, wh, alg)
	derr := destroy()
	if err != nil {
		return "", fmt.Errorf("wrapping the key again: %w", err)
	}
	if derr != nil {
		return "", fmt.Errorf("destroying the second wrapping key object: %w", derr)
	}
	id, err := k.importMaterial(r.ctx, arn, p.token, wrapped, exp, materialID)
	if apiCode(err) == "IncorrectKeyMaterialException" {
		return "", fmt.Errorf("KMS refused the HSM key as the material of %s, so the material it holds is NOT the HSM's key: %w; schedule the key's deletion and run again", arn, err)
	}
	if err != nil {
		return "", err
	}
	if id != materialID {
		return "", fmt.Errorf("the second import returned KeyMaterialId %s, not %s: KMS holds different material", id, materialID)
	}
	return fmt.Sprintf("imported again under a fresh import token and wrapping key, KMS accepted it as the same key material (KeyMaterialId %s)", shortID(id)), nil
}

// shortID abbreviates a 64-digit KeyMaterialId for progress lines.
func shortID(id string) string {
	if len(id) > 16 {
		return id[:16] + "…"
	}
	return id
}
