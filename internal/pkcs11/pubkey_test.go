package pkcs11

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
)

func TestParsePublicKey(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 1024) // size does not matter here
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PublicKey(&k.PublicKey)
	b64 := base64.StdEncoding.EncodeToString(spki)
	for name, in := range map[string][]byte{
		"DER SPKI":           spki,
		"base64 SPKI":        []byte(b64 + "\n"),
		"wrapped base64":     []byte(b64[:64] + "\n" + b64[64:] + "\n"),
		"PEM PUBLIC KEY":     pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}),
		"PEM RSA PUBLIC KEY": pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1}),
		"DER PKCS#1":         pkcs1,
	} {
		got, err := ParsePublicKey(in)
		if err != nil || !got.Equal(&k.PublicKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	for name, tt := range map[string]struct {
		in   []byte
		want string
	}{
		"empty":       {nil, "empty"},
		"EC":          {ecDER, "not RSA"},
		"garbage":     {[]byte("hello"), "neither DER"},
		"PEM private": {pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}), `the PEM block is "PRIVATE KEY"`},
		"bad PEM":     {[]byte("-----BEGIN PUBLIC KEY-----\nxx"), "no valid PEM block"},
	} {
		if _, err := ParsePublicKey(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", name, err, tt.want)
		}
	}
	sum := sha1.Sum(k.N.Bytes())
	if string(PublicKeyID(&k.PublicKey)) != string(sum[:]) {
		t.Error("PublicKeyID")
	}
}
