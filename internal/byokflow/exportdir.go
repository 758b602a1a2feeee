package byokflow

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// Files trent byok export writes.
const (
	ManifestFile    = "import.json"
	WrappedKeyFile  = "wrapped.key"
	ImportTokenFile = "token.bin"
)

// Manifest is import.json: what trent byok upload needs besides the two
// binary files, and what the administrator checks.
type Manifest struct {
	KeyID             string     `json:"key_id"`
	WrappingAlgorithm string     `json:"wrapping_algorithm"`
	WrappingKeySpec   string     `json:"wrapping_key_spec"`
	ParametersValidTo *time.Time `json:"parameters_valid_to,omitempty"`
	WrappedKeyFile    string     `json:"wrapped_key_file"`
	WrappedKeySHA256  pkcs11.Hex `json:"wrapped_key_sha256"`
	ImportTokenFile   string     `json:"import_token_file"`
	ImportTokenSHA256 pkcs11.Hex `json:"import_token_sha256"`
	HSMKey            HSMKey     `json:"hsm_key"`
	ExportedAt        time.Time  `json:"exported_at"`
}

// checkOutDir refuses, before the token is touched, a directory that
// holds an export already.
func checkOutDir(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, ManifestFile)); err == nil {
		return fmt.Errorf("%s already holds an export (%s): choose another --out-dir or remove it", dir, ManifestFile)
	}
	return nil
}

// WriteExport writes wrapped.key, token.bin and, last, import.json into
// dir, which must not hold an export already.
func WriteExport(dir string, m *Manifest, wrapped, token []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := checkOutDir(dir); err != nil {
		return err
	}
	m.WrappedKeyFile, m.ImportTokenFile = WrappedKeyFile, ImportTokenFile
	m.WrappedKeySHA256, m.ImportTokenSHA256 = sha256Of(wrapped), sha256Of(token)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{WrappedKeyFile, wrapped}, {ImportTokenFile, token}, {ManifestFile, append(b, '\n')}} {
		if err := WriteFileAtomic(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return nil
}

// ReadExport reads what WriteExport wrote and checks the files against
// the manifest's digests.
func ReadExport(dir string) (*Manifest, []byte, []byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%v: --dir must be a directory trent byok export wrote", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %v", filepath.Join(dir, ManifestFile), err)
	}
	if m.KeyID == "" || m.WrappedKeyFile == "" || m.ImportTokenFile == "" {
		return nil, nil, nil, fmt.Errorf("%s lacks key_id, wrapped_key_file or import_token_file", filepath.Join(dir, ManifestFile))
	}
	read := func(name string, sum pkcs11.Hex) ([]byte, error) {
		data, err := os.ReadFile(filepath.Join(dir, filepath.Base(name)))
		if err != nil {
			return nil, err
		}
		if len(sum) > 0 && !bytes.Equal(sha256Of(data), sum) {
			return nil, fmt.Errorf("%s does not match the SHA-256 in %s: the files were changed or come from different exports", name, ManifestFile)
		}
		return data, nil
	}
	wrapped, err := read(m.WrappedKeyFile, m.WrappedKeySHA256)
	if err != nil {
		return nil, nil, nil, err
	}
	token, err := read(m.ImportTokenFile, m.ImportTokenSHA256)
	if err != nil {
		return nil, nil, nil, err
	}
	return &m, wrapped, token, nil
}

func sha256Of(b []byte) pkcs11.Hex {
	s := sha256.Sum256(b)
	return s[:]
}

// WriteFileAtomic writes data to path through a temporary file in the
// same directory, so a failure leaves no partial file.
func WriteFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".trent-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
