package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestNoKeyMaterialAtRestInClear imports known material and generates a
// data key, stops the server, and searches every file of the data
// directory (database, WAL, root key, credentials) for those bytes in raw,
// hex and base64 form: key material is stored only sealed.
func TestNoKeyMaterialAtRestInClear(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := startProcess(t, dir)
	c := p.client()
	id, _ := createExternalKey(t, c)
	material := randomBytes(t, 32)
	params := getParams(t, c, id, types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048)
	if _, err := c.ImportKeyMaterial(ctx, importInput(id, params.token, wrapGo(t, params, material))); err != nil {
		t.Fatal(err)
	}
	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), NumberOfBytes: aws.Int32(32)})
	if err != nil {
		t.Fatal(err)
	}
	p.kill() // as after a crash: whatever is on disk stays as it is
	remember(t, dk.Plaintext)
	secrets := map[string][]byte{"imported material": material, "data key": dk.Plaintext}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for name, s := range secrets {
			for _, form := range [][]byte{s, []byte(hex.EncodeToString(s)), []byte(base64.StdEncoding.EncodeToString(s))} {
				if bytes.Contains(data, form) {
					t.Errorf("%s found in %s", name, path)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
