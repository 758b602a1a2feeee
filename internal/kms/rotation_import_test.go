package kms_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/kms"
)

// importAs imports material into key id with opt and returns its ID.
func importAs(t *testing.T, svc *kms.Service, id string, material []byte, opt kms.ImportOptions) (string, error) {
	t.Helper()
	token, wrapped := wrapFor(t, svc, id, material)
	_, mid, err := svc.ImportKeyMaterial(sysCtx(), id, token, wrapped, opt)
	return mid, err
}

func newMaterialBytes() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

func wantState(t *testing.T, svc *kms.Service, id, state string) {
	t.Helper()
	k, err := svc.DescribeKey(sysCtx(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got := svc.State(k); got != state {
		t.Fatalf("key state %s, want %s", got, state)
	}
}

func decrypts(t *testing.T, svc *kms.Service, blob []byte, want string) {
	t.Helper()
	res, err := svc.Decrypt(sysCtx(), "", blob, nil, kms.CryptoOptions{})
	if err != nil || string(res.Plaintext) != want {
		t.Fatalf("Decrypt = %q, %v; want %q", res.Plaintext, err, want)
	}
}

func TestImportedMaterialRotation(t *testing.T) {
	ctx := sysCtx()
	svc, clk := newService(t)
	id := mustCreate(t, svc, kms.CreateKeyInput{Origin: kms.OriginExternal})
	arn := svc.KeyARN(id)
	never := kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire}

	_, err := svc.RotateKeyOnDemand(ctx, id)
	wantKind(t, err, kms.ErrInvalidState, arn+" is pending import.")
	a, b := newMaterialBytes(), newMaterialBytes()
	idA, err := importAs(t, svc, id, a, never)
	must(t, err)
	_, err = svc.RotateKeyOnDemand(ctx, id)
	wantKind(t, err, kms.ErrInvalidState, "No available key material pending rotation for the key: "+arn+".")
	wantKind(t, svc.EnableKeyRotation(ctx, id, 0), kms.ErrUnsupported, arn+" origin is EXTERNAL which is not valid for this operation.")
	if st := rotationStatus(t, svc, id); st.Enabled {
		t.Fatalf("EXTERNAL key reports automatic rotation: %+v", st)
	}
	blobA, err := svc.Encrypt(ctx, id, []byte("under A"), nil, kms.CryptoOptions{})
	must(t, err)

	// NEW_KEY_MATERIAL: pending, not current, its expiry not the key's.
	validToB := clk.Now().Add(10 * day)
	idB, err := importAs(t, svc, id, b, kms.ImportOptions{ImportType: kms.ImportNew, ValidTo: &validToB, Description: "material B"})
	must(t, err)
	k, _ := svc.DescribeKey(ctx, id)
	if kms.CurrentMaterial(k).ID != idA || !kms.EarliestValidTo(k).IsZero() || svc.State(k) != kms.StateEnabled {
		t.Fatalf("after NEW import: current %s, ValidTo %v, state %s", kms.CurrentMaterial(k).ID, kms.EarliestValidTo(k), svc.State(k))
	}
	c := newMaterialBytes()
	_, errC := importAs(t, svc, id, c, kms.ImportOptions{ImportType: kms.ImportNew, ExpirationModel: kms.ExpirationDoesNotExpire})
	all, _, err := svc.ListKeyRotations(ctx, id, kms.IncludeAllMaterial, "", 0)
	if err != nil || len(all) != 2 ||
		all[0] != (kms.RotationEntry{KeyID: id, MaterialID: idA, State: kms.MaterialCurrent, ImportState: "IMPORTED", ExpirationModel: kms.ExpirationDoesNotExpire}) ||
		all[1] != (kms.RotationEntry{KeyID: id, MaterialID: idB, State: kms.MaterialPendingRotation, ImportState: "IMPORTED",
			ExpirationModel: kms.ExpirationExpires, ValidTo: validToB, Description: "material B"}) {
		t.Fatalf("ListKeyRotations(ALL_KEY_MATERIAL) = %+v, %v", all, err)
	}

	// RotateKeyOnDemand makes B current; A stays for decryption.
	clk.Advance(time.Hour)
	_, err = svc.RotateKeyOnDemand(ctx, id)
	must(t, err)
	blobB, err := svc.Encrypt(ctx, id, []byte("under B"), nil, kms.CryptoOptions{})
	must(t, err)
	if blobB.MaterialID != idB {
		t.Fatalf("encrypted under %s after rotation, want %s", blobB.MaterialID, idB)
	}
	decrypts(t, svc, blobA.Blob, "under A")
	// Now C can be pending; its ID completes the refusal seen before.
	idC, err := importAs(t, svc, id, c, kms.ImportOptions{ImportType: kms.ImportNew, ExpirationModel: kms.ExpirationDoesNotExpire})
	must(t, err)
	wantKind(t, errC, kms.ErrInvalidState, "New key material (id: "+idC+") cannot be imported into KMS key "+arn+", because another key material (id: "+idB+") is pending rotation.")
	rot, _, err := svc.ListKeyRotations(ctx, id, "", "", 0)
	if err != nil || len(rot) != 1 || rot[0].MaterialID != idB || rot[0].RotationType != kms.RotationOnDemand || !rot[0].RotationDate.Equal(clk.Now()) {
		t.Fatalf("ListKeyRotations = %+v, %v", rot, err)
	}

	// B expires while A lives: the whole key is PendingImport until B is
	// back; A was never touched.
	clk.Advance(10 * day)
	sweep(t, svc, 1)
	wantState(t, svc, id, kms.StatePendingImport)
	_, err = svc.Decrypt(ctx, "", blobA.Blob, nil, kms.CryptoOptions{})
	wantKind(t, err, kms.ErrInvalidState, "")
	all, _, _ = svc.ListKeyRotations(ctx, id, kms.IncludeAllMaterial, "", 0)
	if len(all) != 3 || all[0].ImportState != "IMPORTED" || all[1].ImportState != "PENDING_IMPORT" || all[2].MaterialID != idC {
		t.Fatalf("after B expired: %+v", all)
	}
	_, err = importAs(t, svc, id, b, kms.ImportOptions{ImportType: kms.ImportExisting, MaterialID: idB, ExpirationModel: kms.ExpirationDoesNotExpire})
	must(t, err)
	wantState(t, svc, id, kms.StateEnabled)
	decrypts(t, svc, blobA.Blob, "under A")
	decrypts(t, svc, blobB.Blob, "under B")

	// Deleting the NON_CURRENT material also makes the key PendingImport.
	_, gone, err := svc.DeleteImportedKeyMaterial(ctx, id, idA)
	if err != nil || gone != idA {
		t.Fatalf("DeleteImportedKeyMaterial(A) = %s, %v", gone, err)
	}
	wantState(t, svc, id, kms.StatePendingImport)
	_, err = importAs(t, svc, id, a, never)
	must(t, err)
	wantState(t, svc, id, kms.StateEnabled)
	decrypts(t, svc, blobA.Blob, "under A")
}

func TestPendingMaterialGoesWithoutChangingTheKey(t *testing.T) {
	ctx := sysCtx()
	for _, tc := range []struct {
		name   string
		remove func(t *testing.T, svc *kms.Service, clk *clock, id, pending string)
	}{
		{"Deleted", func(t *testing.T, svc *kms.Service, _ *clock, id, pending string) {
			_, gone, err := svc.DeleteImportedKeyMaterial(ctx, id, pending)
			if err != nil || gone != pending {
				t.Fatalf("DeleteImportedKeyMaterial = %s, %v", gone, err)
			}
		}},
		{"Expired", func(t *testing.T, svc *kms.Service, clk *clock, _, _ string) {
			clk.Advance(2 * day)
			sweep(t, svc, 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, clk := newService(t)
			id := mustCreate(t, svc, kms.CreateKeyInput{Origin: kms.OriginExternal})
			_, err := importAs(t, svc, id, newMaterialBytes(), kms.ImportOptions{ExpirationModel: kms.ExpirationDoesNotExpire})
			must(t, err)
			validTo := clk.Now().Add(day)
			pending := newMaterialBytes()
			pid, err := importAs(t, svc, id, pending, kms.ImportOptions{ImportType: kms.ImportNew, ValidTo: &validTo})
			must(t, err)
			tc.remove(t, svc, clk, id, pid)
			wantState(t, svc, id, kms.StateEnabled)
			_, err = svc.RotateKeyOnDemand(ctx, id)
			wantKind(t, err, kms.ErrInvalidState, "No available key material pending rotation for the key: "+svc.KeyARN(id)+".")
			// The way is clear for new material, the same bytes included.
			again, err := importAs(t, svc, id, pending, kms.ImportOptions{ImportType: kms.ImportNew, ExpirationModel: kms.ExpirationDoesNotExpire})
			if err != nil || again != pid {
				t.Fatalf("NEW import after the pending material went: %s, %v", again, err)
			}
			_, err = svc.RotateKeyOnDemand(ctx, id)
			must(t, err)
		})
	}
}
