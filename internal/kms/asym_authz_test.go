package kms_test

import (
	"testing"

	"github.com/trent-kms/trent/internal/kms"
)

// asymPolicy lets the account's root do anything and user app Sign and
// GenerateMac only with the algorithm named; conditions read the
// request's algorithm condition keys.
func asymPolicy(action, condKey, alg string) string {
	acct := "arn:aws:iam::" + testAccount
	return `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"` + acct + `:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":{"AWS":"` + acct + `:user/app"},"Action":"kms:` + action + `","Resource":"*",
  "Condition":{"StringEquals":{"` + condKey + `":"` + alg + `"}}}]}`
}

// TestAsymmetricConditionKeys: kms:SigningAlgorithm, kms:MessageType,
// kms:MacAlgorithm, kms:KeyAgreementAlgorithm and kms:KeySpec are set on
// the new operations.
func TestAsymmetricConditionKeys(t *testing.T) {
	svc, _, st := newServiceStore(t)
	addUser(t, st, "app", nil)
	mk := func(in kms.CreateKeyInput, policy string) string {
		in.Policy = policy
		k, err := svc.CreateKey(as(""), in)
		if err != nil {
			t.Fatal(err)
		}
		return k.ID
	}
	rsa := mk(refusalKeys["rsaSign"], asymPolicy("Sign", "kms:SigningAlgorithm", "RSASSA_PSS_SHA_256"))
	sign := func(id, alg, msgType string) error {
		_, err := svc.Sign(as("app"), id, kms.SignInput{Message: make([]byte, 32), MessageType: msgType, Algorithm: alg})
		return err
	}
	if err := sign(rsa, "RSASSA_PSS_SHA_256", ""); err != nil {
		t.Fatalf("allowed algorithm: %v", err)
	}
	wantKind(t, sign(rsa, "RSASSA_PKCS1_V1_5_SHA_256", ""), kms.ErrAccessDenied, "")

	digestOnly := mk(refusalKeys["p256Sign"], asymPolicy("Sign", "kms:MessageType", "DIGEST"))
	if err := sign(digestOnly, "ECDSA_SHA_256", "DIGEST"); err != nil {
		t.Fatalf("allowed message type: %v", err)
	}
	wantKind(t, sign(digestOnly, "ECDSA_SHA_256", ""), kms.ErrAccessDenied, "")

	hmac := mk(refusalKeys["hmac"], asymPolicy("GenerateMac", "kms:KeySpec", "HMAC_256"))
	if _, err := svc.GenerateMac(as("app"), hmac, kms.MacInput{Message: []byte("m"), Algorithm: "HMAC_SHA_256"}); err != nil {
		t.Fatalf("kms:KeySpec: %v", err)
	}
	hmac384 := mk(kms.CreateKeyInput{KeySpec: "HMAC_384", KeyUsage: kms.UsageGenerateVerifyMAC}, asymPolicy("GenerateMac", "kms:MacAlgorithm", "HMAC_SHA_384"))
	if _, err := svc.GenerateMac(as("app"), hmac384, kms.MacInput{Message: []byte("m"), Algorithm: "HMAC_SHA_384"}); err != nil {
		t.Fatalf("kms:MacAlgorithm: %v", err)
	}
	// Authorisation comes before the algorithm check: another algorithm
	// is denied, not reported incompatible.
	_, err := svc.GenerateMac(as("app"), hmac384, kms.MacInput{Message: []byte("m"), Algorithm: "HMAC_SHA_256"})
	wantKind(t, err, kms.ErrAccessDenied, "")

	agree := mk(refusalKeys["p256Agree"], asymPolicy("DeriveSharedSecret", "kms:KeyAgreementAlgorithm", "ECDH"))
	_, err = svc.DeriveSharedSecret(as("app"), agree, "ECDH", []byte("peer"), false)
	wantKind(t, err, kms.ErrValidation, "") // authorised: the garbage peer key is what fails
}

// TestAsymmetricGrants: a grant of Sign and GenerateMac allows exactly
// those operations on the key.
func TestAsymmetricGrants(t *testing.T) {
	svc, _, st := newServiceStore(t)
	addUser(t, st, "signer", nil)
	p256 := mustCreate(t, svc, refusalKeys["p256Sign"])
	hmac := mustCreate(t, svc, refusalKeys["hmac"])
	msg := kms.SignInput{Message: []byte("m"), Algorithm: "ECDSA_SHA_256"}
	mac := kms.MacInput{Message: []byte("m"), Algorithm: "HMAC_SHA_256"}
	_, err := svc.Sign(as("signer"), p256, msg)
	wantKind(t, err, kms.ErrAccessDenied, "")
	grantee := "arn:aws:iam::" + testAccount + ":user/signer"
	for id, ops := range map[string][]string{p256: {"Sign", "GetPublicKey"}, hmac: {"GenerateMac"}} {
		if _, _, err := svc.CreateGrant(sysCtx(), id, kms.GrantInput{Grantee: grantee, Operations: ops}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := svc.Sign(as("signer"), p256, msg)
	if err != nil {
		t.Fatalf("granted Sign: %v", err)
	}
	if _, err := svc.GetPublicKey(as("signer"), p256); err != nil {
		t.Fatalf("granted GetPublicKey: %v", err)
	}
	_, err = svc.Verify(as("signer"), p256, msg, res.Signature)
	wantKind(t, err, kms.ErrAccessDenied, "")
	m, err := svc.GenerateMac(as("signer"), hmac, mac)
	if err != nil {
		t.Fatalf("granted GenerateMac: %v", err)
	}
	_, err = svc.VerifyMac(as("signer"), hmac, mac, m.Mac)
	wantKind(t, err, kms.ErrAccessDenied, "")
}

// TestGrantOperationsByKeyType: a grant may allow only what its key can
// do, and constraints only on a symmetric encryption key.
func TestGrantOperationsByKeyType(t *testing.T) {
	svc, _ := newService(t)
	grantee := "arn:aws:iam::" + testAccount + ":user/u"
	tests := []struct {
		key  string
		ops  []string
		ec   map[string]string
		want error
	}{
		{"sym", []string{"Encrypt", "GenerateDataKeyPair", "DescribeKey"}, map[string]string{"a": "b"}, nil},
		{"sym", []string{"Sign"}, nil, kms.ErrValidation},
		{"rsaEnc", []string{"Encrypt", "Decrypt", "GetPublicKey"}, nil, nil},
		{"rsaEnc", []string{"GenerateDataKey"}, nil, kms.ErrValidation},
		{"rsaEnc", []string{"Decrypt"}, map[string]string{"a": "b"}, kms.ErrValidation},
		{"p256Sign", []string{"Sign", "Verify", "GetPublicKey", "RetireGrant"}, nil, nil},
		{"p256Sign", []string{"Encrypt"}, nil, kms.ErrValidation},
		{"p256Agree", []string{"DeriveSharedSecret"}, nil, nil},
		{"hmac", []string{"GenerateMac", "VerifyMac"}, nil, nil},
		{"hmac", []string{"GetPublicKey"}, nil, kms.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.key+"/"+tt.ops[0], func(t *testing.T) {
			id := mustCreate(t, svc, refusalKeys[tt.key])
			_, _, err := svc.CreateGrant(sysCtx(), id, kms.GrantInput{Grantee: grantee, Operations: tt.ops, Subset: tt.ec})
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantKind(t, err, tt.want, "")
		})
	}
}
