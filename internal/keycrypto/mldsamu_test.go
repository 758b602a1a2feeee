package keycrypto

import (
	"crypto/sha3"
	"testing"

	"filippo.io/mldsa"
	"filippo.io/mldsa/mldsacrypto"
)

// externalMu computes μ as a client does for EXTERNAL_MU (asymmetric.md
// §5.2): SHAKE256(SHAKE256(pk, 64) ‖ 0x00 ‖ 0x00 ‖ M, 64).
func externalMu(pk, m []byte) []byte {
	tr := sha3.SumSHAKE256(pk, 64)
	h := sha3.NewSHAKE256()
	h.Write(tr)
	h.Write([]byte{0, 0})
	h.Write(m)
	mu := make([]byte, 64)
	h.Read(mu)
	return mu
}

func TestVerifyExternalMu(t *testing.T) {
	for _, params := range []mldsa.Parameters{mldsa.MLDSA44(), mldsa.MLDSA65(), mldsa.MLDSA87()} {
		t.Run(params.String(), func(t *testing.T) {
			sk, err := mldsa.GenerateKey(params)
			if err != nil {
				t.Fatal(err)
			}
			pub := sk.PublicKey()
			msg := []byte("a message signed by the library")
			mu := externalMu(pub.Bytes(), msg)
			sigRaw, err := sk.Sign(nil, msg, nil)
			if err != nil {
				t.Fatal(err)
			}
			sigMu, err := sk.Sign(nil, mu, mldsacrypto.MLDSAMu)
			if err != nil {
				t.Fatal(err)
			}
			for name, sig := range map[string][]byte{"raw": sigRaw, "mu": sigMu} {
				if !verifyExternalMu(pub, mu, sig) {
					t.Errorf("%s signature does not verify from μ", name)
				}
				bad := append([]byte(nil), sig...)
				bad[len(bad)/2] ^= 1
				if verifyExternalMu(pub, mu, bad) {
					t.Errorf("%s: tampered signature verifies", name)
				}
				otherMu := append([]byte(nil), mu...)
				otherMu[0] ^= 1
				if verifyExternalMu(pub, otherMu, sig) {
					t.Errorf("%s: signature verifies for another μ", name)
				}
				if verifyExternalMu(pub, mu, sig[:len(sig)-1]) {
					t.Errorf("%s: short signature verifies", name)
				}
			}
			// The μ signature is an ordinary signature of msg.
			if err := mldsa.Verify(pub, msg, sigMu, nil); err != nil {
				t.Errorf("EXTERNAL_MU signature is not valid for the message: %v", err)
			}
		})
	}
}
