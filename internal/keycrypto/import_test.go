package keycrypto

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"path/filepath"
	"testing"
)

// opensslKey makes a PKCS#8 DER key the way AWS's import docs do
// (import.md §4: genpkey | pkcs8 -topk8 -outform der -nocrypt).
func opensslKey(t *testing.T, dir string, genArgs ...string) []byte {
	t.Helper()
	args := append([]string{"genpkey", "-out", "trad.pem"}, genArgs...)
	if out, err := openssl(t, dir, args...); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	if out, err := openssl(t, dir, "pkcs8", "-topk8", "-nocrypt", "-in", "trad.pem", "-outform", "DER", "-out", "key.der"); err != nil {
		t.Fatalf("openssl pkcs8: %v\n%s", err, out)
	}
	der, err := os.ReadFile(filepath.Join(dir, "key.der"))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestParseImportedOpenSSLKeys(t *testing.T) {
	needOpenSSL(t)
	tests := []struct {
		spec string
		gen  []string
	}{
		{"RSA_2048", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}},
		{"RSA_3072", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"}},
		{"ECC_NIST_P256", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}},
		{"ECC_NIST_P384", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"}},
		{"ECC_NIST_P521", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"}},
		{"ECC_SECG_P256K1", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"}},
		{"ECC_NIST_EDWARDS25519", []string{"-algorithm", "ED25519"}},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			dir := t.TempDir()
			material := opensslKey(t, dir, tc.gen...)
			stored, err := ParseImported(tc.spec, material)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := PublicKey(tc.spec, stored)
			if err != nil {
				t.Fatal(err)
			}
			want, err := openssl(t, dir, "pkey", "-in", "trad.pem", "-pubout", "-outform", "DER")
			if err != nil || !bytes.Equal(pub, want) {
				t.Fatalf("public key of the imported material differs from openssl's (%v)", err)
			}
			alg := specs[tc.spec].signing[0]
			sig, err := Sign(tc.spec, alg, "RAW", stored, []byte("m"))
			if err != nil {
				t.Fatal(err)
			}
			if err := Verify(tc.spec, alg, "RAW", want, []byte("m"), sig); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// reencodeEC rebuilds the PKCS#8 of an EC key with another inner
// ECPrivateKey, to make the variants openssl does not write by default.
func reencodeEC(t *testing.T, spec string, edit func(*ecPrivateKey)) []byte {
	t.Helper()
	priv, _ := keyOf(t, spec)
	var p pkcs8
	if _, err := asn1.Unmarshal(priv, &p); err != nil {
		t.Fatal(err)
	}
	var ek ecPrivateKey
	if _, err := asn1.Unmarshal(p.PrivateKey, &ek); err != nil {
		t.Fatal(err)
	}
	edit(&ek)
	inner, err := asn1.Marshal(ek)
	if err != nil {
		t.Fatal(err)
	}
	p.PrivateKey = inner
	out, err := asn1.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func bitString(b []byte) asn1.BitString { return asn1.BitString{Bytes: b, BitLength: 8 * len(b)} }

func TestParseImportedECForms(t *testing.T) {
	for _, spec := range []string{"ECC_NIST_P256", "ECC_NIST_P521", "ECC_SECG_P256K1"} {
		priv, _ := keyOf(t, spec)
		point := func(ek *ecPrivateKey) []byte { return ek.PublicKey.RightAlign() }
		n := specs[spec].curve.size
		tests := map[string]func(*ecPrivateKey){
			"uncompressed": func(*ecPrivateKey) {},
			"compressed": func(ek *ecPrivateKey) {
				u := point(ek)
				ek.PublicKey = bitString(append([]byte{2 | u[2*n]&1}, u[1:1+n]...))
			},
			"hybrid": func(ek *ecPrivateKey) {
				u := point(ek)
				ek.PublicKey = bitString(append([]byte{6 | u[2*n]&1}, u[1:]...))
			},
			"no public key":   func(ek *ecPrivateKey) { ek.PublicKey = asn1.BitString{} },
			"inner curve OID": func(ek *ecPrivateKey) { ek.NamedCurveOID = specs[spec].curve.oid },
		}
		for name, edit := range tests {
			t.Run(spec+"/"+name, func(t *testing.T) {
				got, err := ParseImported(spec, reencodeEC(t, spec, edit))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, priv) {
					t.Fatal("the stored form differs from Generate's encoding of the same key")
				}
			})
		}
	}
}

func TestParseImportedRoundTrip(t *testing.T) {
	for _, spec := range signingSpecs() {
		if specs[spec].kind == kindMLDSA {
			continue
		}
		t.Run(spec, func(t *testing.T) {
			priv, _ := keyOf(t, spec)
			got, err := ParseImported(spec, priv)
			if err != nil || !bytes.Equal(got, priv) {
				t.Fatalf("ParseImported(Generate()) = %v, changed: %v", err, !bytes.Equal(got, priv))
			}
		})
	}
}

func TestParseImportedRejects(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	multiPrime := opensslKey(t, dir, "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_keygen_primes:3")
	explicit := opensslKey(t, dir, "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "encoding:explicit")
	rsa2048, _ := keyOf(t, "RSA_2048")
	p256, _ := keyOf(t, "ECC_NIST_P256")
	ed, _ := keyOf(t, "ECC_NIST_EDWARDS25519")
	mldsa44, _ := keyOf(t, "ML_DSA_44")
	_, otherPub := newPair(t, "ECC_NIST_P256")
	var otherInfo subjectPublicKeyInfo
	if _, err := asn1.Unmarshal(otherPub, &otherInfo); err != nil {
		t.Fatal(err)
	}
	wrongPoint := reencodeEC(t, "ECC_NIST_P256", func(ek *ecPrivateKey) { ek.PublicKey = otherInfo.PublicKey })
	wrongInnerCurve := reencodeEC(t, "ECC_NIST_P256", func(ek *ecPrivateKey) { ek.NamedCurveOID = curveP384.oid })
	zeroScalar := reencodeEC(t, "ECC_NIST_P256", func(ek *ecPrivateKey) {
		ek.PrivateKey = make([]byte, 32)
		ek.PublicKey = asn1.BitString{}
	})
	dsa, _ := asn1.Marshal(pkcs8{Algo: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}}, PrivateKey: []byte{2, 1, 1}})
	const notPKCS8 = "The key material is not a DER-encoded PKCS#8 private key."
	tests := []struct {
		name, spec string
		material   []byte
		exception  string
		message    string
	}{
		{"garbage", "RSA_2048", []byte("not a key"), ExcIncorrectKeyMaterial, notPKCS8},
		{"trailing byte", "ECC_NIST_P256", append(bytes.Clone(p256), 0), ExcIncorrectKeyMaterial, notPKCS8},
		{"RSA_2048 into RSA_3072", "RSA_3072", rsa2048, ExcIncorrectKeyMaterial, "The key material is for key spec RSA_2048, not RSA_3072."},
		{"P-256 into P-384", "ECC_NIST_P384", p256, ExcIncorrectKeyMaterial, "The key material is for key spec ECC_NIST_P256, not ECC_NIST_P384."},
		{"P-256 into secp256k1", "ECC_SECG_P256K1", p256, ExcIncorrectKeyMaterial, "The key material is for key spec ECC_NIST_P256, not ECC_SECG_P256K1."},
		{"Ed25519 into RSA", "RSA_2048", ed, ExcIncorrectKeyMaterial, "The key material is for key spec ECC_NIST_EDWARDS25519, not RSA_2048."},
		{"RSA into Ed25519", "ECC_NIST_EDWARDS25519", rsa2048, ExcIncorrectKeyMaterial, "The key material is for key spec RSA_2048, not ECC_NIST_EDWARDS25519."},
		{"ML-DSA key into P-256", "ECC_NIST_P256", mldsa44, ExcIncorrectKeyMaterial,
			"The key material is not an RSA, ECC or Ed25519 private key with a named curve, so it cannot be imported into a key of spec ECC_NIST_P256."},
		{"DSA key", "RSA_2048", dsa, ExcIncorrectKeyMaterial,
			"The key material is not an RSA, ECC or Ed25519 private key with a named curve, so it cannot be imported into a key of spec RSA_2048."},
		{"explicit curve parameters", "ECC_NIST_P256", explicit, ExcIncorrectKeyMaterial,
			"The key material is not an RSA, ECC or Ed25519 private key with a named curve, so it cannot be imported into a key of spec ECC_NIST_P256."},
		{"multi-prime RSA", "RSA_2048", multiPrime, ExcIncorrectKeyMaterial, "Multi-prime RSA keys are not supported; the key must have two primes."},
		{"public point of another key", "ECC_NIST_P256", wrongPoint, ExcIncorrectKeyMaterial, "The public key in the key material does not match its private key."},
		{"inner curve differs", "ECC_NIST_P256", wrongInnerCurve, ExcIncorrectKeyMaterial, "The EC private key names two different curves."},
		{"zero scalar", "ECC_NIST_P256", zeroScalar, ExcIncorrectKeyMaterial, "The EC private key is not valid."},
		{"HMAC_256 too short", "HMAC_256", make([]byte, 31), ExcIncorrectKeyMaterial, "The key material for key spec HMAC_256 must be 32 to 128 bytes long."},
		{"HMAC_224 too long", "HMAC_224", make([]byte, 129), ExcIncorrectKeyMaterial, "The key material for key spec HMAC_224 must be 28 to 128 bytes long."},
		{"ML-DSA", "ML_DSA_65", mldsa44, ExcUnsupported, "KeySpec ML_DSA_65 is not supported for Origin EXTERNAL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseImported(tc.spec, tc.material)
			wantException(t, err, tc.exception, tc.message)
		})
	}
}

// HMAC material of every allowed length is accepted as is.
func TestParseImportedHMACBounds(t *testing.T) {
	for _, n := range []int{48, 100, 128} {
		material := bytes.Repeat([]byte{byte(n)}, n)
		got, err := ParseImported("HMAC_384", material)
		if err != nil || !bytes.Equal(got, material) {
			t.Fatalf("%d bytes: %v", n, err)
		}
	}
}
