package keycrypto

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// OpenSSL 3.0 has no ML-DSA and no Ed25519ph (instance parameters came in
// 3.2): those algorithms are checked with Go, circl and the RFC 8032 vector
// instead (sign_test.go). Every other algorithm is verified here by
// `openssl dgst` (RAW) and `openssl pkeyutl` (DIGEST, Ed25519) from the PEM
// of the SubjectPublicKeyInfo that PublicKey returns.

func digestName(a *sigAlg) string {
	return strings.ToLower(strings.ReplaceAll(a.hash.String(), "-", ""))
}

// opensslVerifyArgs returns the openssl command verifying sig.bin over
// in.bin (the Sign input) with pub.pem.
func opensslVerifyArgs(a *sigAlg, mt string) []string {
	switch {
	case a.family == famEd25519:
		return []string{"pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "in.bin", "-sigfile", "sig.bin"}
	case mt == MessageRaw:
		args := []string{"dgst", "-" + digestName(a), "-verify", "pub.pem", "-signature", "sig.bin"}
		if a.family == famPSS {
			args = append(args, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest")
		}
		return append(args, "in.bin")
	default:
		args := []string{"pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-in", "in.bin", "-sigfile", "sig.bin",
			"-pkeyopt", "digest:" + digestName(a)}
		if a.family == famPSS {
			args = append(args, "-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest")
		}
		return args
	}
}

func TestOpenSSLVerifiesSignatures(t *testing.T) {
	needOpenSSL(t)
	for _, spec := range signingSpecs() {
		if specs[spec].kind == kindMLDSA {
			continue
		}
		t.Run(spec, func(t *testing.T) {
			priv, pub := keyOf(t, spec)
			dir := t.TempDir()
			writeFile(t, dir, "pub.pem", pemOf("PUBLIC KEY", pub))
			for _, alg := range specs[spec].signing {
				a := sigAlgs[alg]
				if a.family == famEd25519ph {
					continue
				}
				for _, mt := range messageTypes(a) {
					t.Run(alg+"/"+mt, func(t *testing.T) {
						in := signInput(a, mt, pub, []byte("openssl checks "+alg))
						sig, err := Sign(spec, alg, mt, priv, in)
						if err != nil {
							t.Fatal(err)
						}
						writeFile(t, dir, "in.bin", in)
						writeFile(t, dir, "sig.bin", sig)
						if out, err := openssl(t, dir, opensslVerifyArgs(a, mt)...); err != nil {
							t.Fatalf("openssl rejects the signature: %v\n%s", err, out)
						}
						sig[len(sig)/2] ^= 0x40
						writeFile(t, dir, "sig.bin", sig)
						if _, err := openssl(t, dir, opensslVerifyArgs(a, mt)...); err == nil {
							t.Fatal("openssl accepts a tampered signature: the check proves nothing")
						}
					})
				}
			}
		})
	}
}

// Signatures made by openssl with the exported PKCS#8 key verify with
// Verify; the PKCS#8 and SPKI parse in openssl.
func TestVerifyOpenSSLSignatures(t *testing.T) {
	needOpenSSL(t)
	for _, spec := range signingSpecs() {
		if specs[spec].kind == kindMLDSA {
			continue
		}
		t.Run(spec, func(t *testing.T) {
			priv, pub := keyOf(t, spec)
			dir := t.TempDir()
			writeFile(t, dir, "priv.pem", pemOf("PRIVATE KEY", priv))
			out, err := openssl(t, dir, "pkey", "-in", "priv.pem", "-pubout", "-outform", "DER")
			if err != nil || !bytes.Equal(out, pub) {
				t.Fatalf("openssl's public key of the PKCS#8 differs from PublicKey (%v)", err)
			}
			for _, alg := range specs[spec].signing {
				a := sigAlgs[alg]
				if a.family == famEd25519ph {
					continue
				}
				t.Run(alg, func(t *testing.T) {
					m := []byte("signed by openssl with " + alg)
					writeFile(t, dir, "in.bin", m)
					var args []string
					if a.family == famEd25519 {
						args = []string{"pkeyutl", "-sign", "-inkey", "priv.pem", "-rawin", "-in", "in.bin", "-out", "sig.bin"}
					} else {
						args = []string{"dgst", "-" + digestName(a), "-sign", "priv.pem", "-out", "sig.bin"}
						if a.family == famPSS {
							args = append(args, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest")
						}
						args = append(args, "in.bin")
					}
					if out, err := openssl(t, dir, args...); err != nil {
						t.Fatalf("openssl sign: %v\n%s", err, out)
					}
					sig, err := os.ReadFile(filepath.Join(dir, "sig.bin"))
					if err != nil {
						t.Fatal(err)
					}
					if err := Verify(spec, alg, "RAW", pub, m, sig); err != nil {
						t.Fatalf("Verify rejects openssl's signature: %v", err)
					}
				})
			}
		})
	}
}

func TestOpenSSLEncryptDecrypts(t *testing.T) {
	needOpenSSL(t)
	for _, spec := range []string{"RSA_2048", "RSA_3072", "RSA_4096"} {
		for _, alg := range []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"} {
			t.Run(spec+"/"+alg, func(t *testing.T) {
				priv, pub := keyOf(t, spec)
				dir := t.TempDir()
				md := "sha1"
				if alg == "RSAES_OAEP_SHA_256" {
					md = "sha256"
				}
				plain := bytes.Repeat([]byte{0xa5}, MaxPlaintext(spec, alg))
				writeFile(t, dir, "pub.der", pub)
				writeFile(t, dir, "plain.bin", plain)
				out, err := openssl(t, dir, "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", "pub.der",
					"-in", "plain.bin", "-out", "ct.bin", "-pkeyopt", "rsa_padding_mode:oaep",
					"-pkeyopt", "rsa_oaep_md:"+md, "-pkeyopt", "rsa_mgf1_md:"+md)
				if err != nil {
					t.Fatalf("openssl encrypt: %v\n%s", err, out)
				}
				ct, _ := os.ReadFile(filepath.Join(dir, "ct.bin"))
				got, err := Decrypt(spec, alg, priv, ct)
				if err != nil || !bytes.Equal(got, plain) {
					t.Fatalf("Decrypt of openssl's ciphertext: %v", err)
				}
			})
		}
	}
}

func TestOpenSSLDeriveAgrees(t *testing.T) {
	needOpenSSL(t)
	for _, spec := range []string{"ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"} {
		t.Run(spec, func(t *testing.T) {
			priv, _ := keyOf(t, spec)
			peerPriv, peerPub := newPair(t, spec)
			dir := t.TempDir()
			writeFile(t, dir, "priv.pem", pemOf("PRIVATE KEY", peerPriv))
			_, pub := keyOf(t, spec)
			writeFile(t, dir, "peer.pem", pemOf("PUBLIC KEY", pub))
			want, err := openssl(t, dir, "pkeyutl", "-derive", "-inkey", "priv.pem", "-peerkey", "peer.pem")
			if err != nil {
				t.Fatalf("openssl derive: %v\n%s", err, want)
			}
			got, err := DeriveSharedSecret(spec, priv, peerPub)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("DeriveSharedSecret = %x, %v; openssl derives %x", got, err, want)
			}
		})
	}
}

func newPair(t *testing.T, spec string) (priv, pub []byte) {
	t.Helper()
	priv, pub, err := GenerateDataKeyPair(spec)
	if err != nil {
		t.Fatal(err)
	}
	return priv, pub
}
