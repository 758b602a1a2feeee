package e2e

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestSDKRotation drives automatic and on-demand rotation of a key of
// origin AWS_KMS through aws-sdk-go-v2: the status as AWS shapes it, the
// schedule untouched by on-demand rotation, ListKeyRotations and its
// paginator, and decryption of ciphertext from every earlier material.
func TestSDKRotation(t *testing.T) {
	ctx := context.Background()
	c := startServer(t).client()
	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id, arn := aws.ToString(created.KeyMetadata.KeyId), aws.ToString(created.KeyMetadata.Arn)
	keyID := aws.String(id)

	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: keyID})
	if err != nil || st.KeyRotationEnabled || aws.ToString(st.KeyId) != arn || st.RotationPeriodInDays != nil ||
		st.NextRotationDate != nil || st.OnDemandRotationStartDate != nil {
		t.Fatalf("GetKeyRotationStatus of a new key = %+v, %v", st, err)
	}
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: keyID, RotationPeriodInDays: aws.Int32(89)})
	apiError(t, err, "ValidationException", "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90")
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String("alias/nope")})
	apiError(t, err, "NotFoundException", "Invalid keyId 'alias/nope'")
	before := time.Now()
	if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: keyID, RotationPeriodInDays: aws.Int32(180)}); err != nil {
		t.Fatal(err)
	}
	st, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(arn)})
	if err != nil || !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 180 || st.NextRotationDate == nil ||
		st.NextRotationDate.Sub(before.Add(180*24*time.Hour)).Abs() > time.Minute {
		t.Fatalf("GetKeyRotationStatus after EnableKeyRotation(180) = %+v, %v", st, err)
	}
	next := *st.NextRotationDate

	var blobs [][]byte
	materials := []string{aws.ToString(created.KeyMetadata.CurrentKeyMaterialId)}
	for i := range 3 {
		enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: keyID, Plaintext: []byte{byte(i)}})
		if err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, enc.CiphertextBlob)
		rot, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: keyID})
		if err != nil || aws.ToString(rot.KeyId) != arn {
			t.Fatalf("RotateKeyOnDemand = %+v, %v", rot, err)
		}
		cur := aws.ToString(describe(t, c, id).CurrentKeyMaterialId)
		if cur == materials[len(materials)-1] {
			t.Fatalf("rotation %d: CurrentKeyMaterialId unchanged", i)
		}
		materials = append(materials, cur)
	}
	st, _ = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: keyID})
	if st.NextRotationDate == nil || !st.NextRotationDate.Equal(next) || st.OnDemandRotationStartDate != nil {
		t.Fatalf("on-demand rotation moved NextRotationDate: %+v, want %v", st, next)
	}
	for i, b := range blobs {
		dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: b})
		if err != nil || !bytes.Equal(dec.Plaintext, []byte{byte(i)}) || aws.ToString(dec.KeyMaterialId) != materials[i] {
			t.Fatalf("Decrypt of blob %d = %+v, %v; want material %s", i, dec, err, materials[i])
		}
	}

	// ListKeyRotations through the SDK's paginator, one entry a page.
	var got []types.RotationsListEntry
	pages := kms.NewListKeyRotationsPaginator(c, &kms.ListKeyRotationsInput{KeyId: keyID, Limit: aws.Int32(1)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Rotations) != 1 {
			t.Fatalf("page of %d entries with Limit 1", len(page.Rotations))
		}
		got = append(got, page.Rotations...)
	}
	if len(got) != 3 {
		t.Fatalf("ListKeyRotations listed %d rotations, want 3", len(got))
	}
	for i, r := range got {
		if aws.ToString(r.KeyMaterialId) != materials[i+1] || r.RotationType != types.RotationTypeOnDemand || r.RotationDate == nil ||
			aws.ToString(r.KeyId) != id || r.ImportState != "" || (i == 2) != (r.KeyMaterialState == types.KeyMaterialStateCurrent) {
			t.Fatalf("rotation %d: %+v", i, r)
		}
	}
	all, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: keyID, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	if err != nil || len(all.Rotations) != 4 || aws.ToString(all.Rotations[0].KeyMaterialId) != materials[0] ||
		all.Rotations[0].RotationDate != nil || all.Rotations[0].KeyMaterialState != types.KeyMaterialStateNonCurrent || all.Truncated {
		t.Fatalf("ListKeyRotations(ALL_KEY_MATERIAL) = %+v, %v", all, err)
	}
	_, err = c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: keyID, Marker: aws.String("bogus")})
	apiError(t, err, "InvalidMarkerException", "")

	if _, err := c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	st, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: keyID})
	if err != nil || st.KeyRotationEnabled || st.RotationPeriodInDays != nil || st.NextRotationDate != nil {
		t.Fatalf("after DisableKeyRotation = %+v, %v", st, err)
	}
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: keyID})
	apiError(t, err, "DisabledException", arn+" is disabled.")
}

// TestSDKImportedMaterialRotation rotates a key of origin EXTERNAL:
// NEW_KEY_MATERIAL is pending until RotateKeyOnDemand makes it current, and
// the earlier material still decrypts.
func TestSDKImportedMaterialRotation(t *testing.T) {
	ctx := context.Background()
	c := startServer(t).client()
	id, first, firstID := importedKey(t, c)
	arn := keyARN(id)
	keyID := aws.String(id)
	_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: keyID})
	apiError(t, err, "KMSInvalidStateException", "No available key material pending rotation for the key: "+arn+".")
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: keyID})
	apiError(t, err, "UnsupportedOperationException", arn+" origin is EXTERNAL which is not valid for this operation.")
	oldBlob := proveMaterial(t, c, id, first)

	second := randomBytes(t, 32)
	p := getParams(t, c, id, oaepSHA256, rsa2048)
	in := importInput(id, p.token, wrapGo(t, p, second))
	in.ImportType, in.KeyMaterialDescription = types.ImportTypeNewKeyMaterial, aws.String("second material")
	secondID := importOK(t, c, id, in)
	checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, firstID)
	p = getParams(t, c, id, oaepSHA256, rsa2048)
	in = importInput(id, p.token, wrapGo(t, p, randomBytes(t, 32)))
	in.ImportType = types.ImportTypeNewKeyMaterial
	importErr(t, c, in, "KMSInvalidStateException", "")

	all, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: keyID, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	if err != nil || len(all.Rotations) != 2 {
		t.Fatalf("ListKeyRotations(ALL_KEY_MATERIAL) = %+v, %v", all, err)
	}
	pending := all.Rotations[1]
	if aws.ToString(pending.KeyMaterialId) != secondID || pending.KeyMaterialState != types.KeyMaterialStatePendingRotation ||
		pending.ImportState != types.ImportStateImported || aws.ToString(pending.KeyMaterialDescription) != "second material" ||
		pending.RotationDate != nil {
		t.Fatalf("pending material: %+v", pending)
	}

	if _, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	checkImported(t, c, id, types.KeyStateEnabled, types.ExpirationModelTypeKeyMaterialDoesNotExpire, secondID)
	proveMaterial(t, c, id, second)
	checkDecrypts(t, c, id, oldBlob, nil)
	rot, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: keyID})
	if err != nil || len(rot.Rotations) != 1 || rot.Rotations[0].RotationType != types.RotationTypeOnDemand ||
		rot.Rotations[0].KeyMaterialState != types.KeyMaterialStateCurrent {
		t.Fatalf("ListKeyRotations = %+v, %v", rot, err)
	}

	// Deleting the earlier, NON_CURRENT material makes the key PendingImport.
	del, err := c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: keyID, KeyMaterialId: aws.String(firstID)})
	if err != nil || aws.ToString(del.KeyMaterialId) != firstID {
		t.Fatalf("DeleteImportedKeyMaterial = %+v, %v", del, err)
	}
	if md := describe(t, c, id); md.KeyState != types.KeyStatePendingImport {
		t.Fatalf("after deleting the NON_CURRENT material: %s", md.KeyState)
	}
}
