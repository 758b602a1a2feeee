package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// setupExternalKey creates a key of origin EXTERNAL and waits a little so
// that the server's wrapping key pool, started with the server, is warm.
func setupExternalKey(ctx context.Context, f *fixture) error {
	out, err := f.Client.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, Description: aws.String("trent bench import")})
	if err != nil {
		return fmt.Errorf("CreateKey: %w", err)
	}
	f.KeyID = aws.ToString(out.KeyMetadata.KeyId)
	f.Plaintext = make([]byte, 32)
	rand.Read(f.Plaintext)
	select {
	case <-time.After(poolWarmup):
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// poolWarmup is how long the import scenarios wait before measuring, so
// that the pool refills after earlier scenarios; importWindow bounds their
// measured window to what a warm pool of four RSA_4096 pairs serves at 1/s.
var (
	poolWarmup   = 8 * time.Second
	importWindow = 5 * time.Second
)

// opGetParametersForImport asks for an RSA_4096 wrapping key, the slowest
// to generate, which the server must serve from its pool.
func opGetParametersForImport(ctx context.Context, f *fixture) error {
	_, err := f.Client.GetParametersForImport(ctx, &kms.GetParametersForImportInput{
		KeyId: &f.KeyID, WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa4096,
	})
	return err
}

// opImportKeyMaterial fetches RSA_2048 parameters, wraps the same 32 bytes
// and imports them (the first call imports, later ones reimport): the time
// is GetParametersForImport + client-side wrap + ImportKeyMaterial.
func opImportKeyMaterial(ctx context.Context, f *fixture) error {
	p, err := f.Client.GetParametersForImport(ctx, &kms.GetParametersForImportInput{
		KeyId: &f.KeyID, WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048,
	})
	if err != nil {
		return err
	}
	pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
	if err != nil {
		return err
	}
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), f.Plaintext, nil)
	if err != nil {
		return err
	}
	_, err = f.Client.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{
		KeyId: &f.KeyID, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped,
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire,
	})
	return err
}
