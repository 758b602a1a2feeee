package cli

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// Files trent byok export writes.
const (
	manifestFile    = "import.json"
	wrappedKeyFile  = "wrapped.key"
	importTokenFile = "token.bin"
)

// manifest is import.json: what trent byok upload needs besides the two
// binary files, and what the administrator checks.
type manifest struct {
	KeyID             string     `json:"key_id"`
	WrappingAlgorithm string     `json:"wrapping_algorithm"`
	WrappingKeySpec   string     `json:"wrapping_key_spec"`
	ParametersValidTo *time.Time `json:"parameters_valid_to,omitempty"`
	WrappedKeyFile    string     `json:"wrapped_key_file"`
	WrappedKeySHA256  pkcs11.Hex `json:"wrapped_key_sha256"`
	ImportTokenFile   string     `json:"import_token_file"`
	ImportTokenSHA256 pkcs11.Hex `json:"import_token_sha256"`
	HSMKey            hsmKey     `json:"hsm_key"`
	ExportedAt        time.Time  `json:"exported_at"`
}

// readParamsFile reads the JSON that `aws kms get-parameters-for-import`
// prints: KeyId, ImportToken and PublicKey (base64), ParametersValidTo
// (epoch seconds, or an ISO 8601 string with AWS CLI v2).
func readParamsFile(path string) (*importParams, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		KeyID             string          `json:"KeyId"`
		ImportToken       string          `json:"ImportToken"`
		PublicKey         string          `json:"PublicKey"`
		ParametersValidTo json.RawMessage `json:"ParametersValidTo"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s is not the JSON of aws kms get-parameters-for-import: %v", path, err)
	}
	p := &importParams{keyARN: f.KeyID}
	if p.token, err = base64.StdEncoding.DecodeString(f.ImportToken); err != nil || len(p.token) == 0 {
		return nil, fmt.Errorf("%s: ImportToken is missing or not base64", path)
	}
	if p.publicKey, err = base64.StdEncoding.DecodeString(f.PublicKey); err != nil || len(p.publicKey) == 0 {
		return nil, fmt.Errorf("%s: PublicKey is missing or not base64", path)
	}
	if len(f.ParametersValidTo) > 0 && string(f.ParametersValidTo) != "null" {
		t, err := parseValidTo(f.ParametersValidTo)
		if err != nil {
			return nil, fmt.Errorf("%s: ParametersValidTo: %v", path, err)
		}
		p.validTo = &t
	}
	return p, nil
}

// parseValidTo reads a JSON timestamp: epoch seconds (a number, or a
// string of one) or RFC 3339.
func parseValidTo(raw json.RawMessage) (time.Time, error) {
	s := string(raw)
	var str string
	if json.Unmarshal(raw, &str) == nil {
		s = str
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither epoch seconds nor an RFC 3339 time", s)
}

// consoleName matches the console's file names, wrappingKey_<key-id>_<MMDDhhmmss>.
var consoleName = regexp.MustCompile(`^(?:wrappingKey|importToken)_([0-9a-f-]{36})_\d{10}`)

// readConsoleFiles reads the console's ImportParameters.zip files: the
// wrapping key (DER; base64 and PEM are accepted too) and the import token
// (binary, or base64 as the AWS CLI's text output gives it).
func readConsoleFiles(pubPath, tokenPath, keyID string) (*importParams, error) {
	der, err := os.ReadFile(pubPath)
	if err != nil {
		return nil, err
	}
	pub, err := pkcs11.ParsePublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pubPath, err)
	}
	tok, err := os.ReadFile(tokenPath)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(tok); isBase64(t) {
		if d, err := base64.StdEncoding.DecodeString(string(t)); err == nil {
			tok = d
		}
	}
	if keyID == "" {
		if m := consoleName.FindStringSubmatch(filepath.Base(pubPath)); m != nil {
			keyID = m[1]
		}
	}
	if keyID == "" {
		return nil, usagef("give --key-id: the KMS key the parameters are for (the file name %s does not say)", filepath.Base(pubPath))
	}
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return &importParams{keyARN: keyID, publicKey: spki, token: tok}, nil
}

func isBase64(b []byte) bool {
	if len(b) == 0 || len(b)%4 != 0 {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

// specOf names the wrapping key spec of a public key.
func specOf(der []byte) (string, error) {
	pub, err := pkcs11.ParsePublicKey(der)
	if err != nil {
		return "", err
	}
	for _, s := range byok.Specs {
		if byok.Bits(s) == pub.N.BitLen() {
			return s, nil
		}
	}
	return "", fmt.Errorf("the wrapping public key has %d bits, not a KMS wrapping key spec (RSA_2048, RSA_3072, RSA_4096)", pub.N.BitLen())
}

// writeExport writes wrapped.key, token.bin and, last, import.json into
// dir, which must not hold an export already.
func writeExport(dir string, m *manifest, wrapped, token []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, manifestFile)); err == nil {
		return fmt.Errorf("%s already holds an export (%s): choose another --out-dir or remove it", dir, manifestFile)
	}
	m.WrappedKeyFile, m.ImportTokenFile = wrappedKeyFile, importTokenFile
	m.WrappedKeySHA256, m.ImportTokenSHA256 = sha256Of(wrapped), sha256Of(token)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{wrappedKeyFile, wrapped}, {importTokenFile, token}, {manifestFile, append(b, '\n')}} {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return nil
}

// readExport reads what writeExport wrote and checks the files against
// the manifest's digests.
func readExport(dir string) (*manifest, []byte, []byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%v: --dir must be a directory trent byok export wrote", err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %v", filepath.Join(dir, manifestFile), err)
	}
	if m.KeyID == "" || m.WrappedKeyFile == "" || m.ImportTokenFile == "" {
		return nil, nil, nil, fmt.Errorf("%s lacks key_id, wrapped_key_file or import_token_file", filepath.Join(dir, manifestFile))
	}
	read := func(name string, sum pkcs11.Hex) ([]byte, error) {
		data, err := os.ReadFile(filepath.Join(dir, filepath.Base(name)))
		if err != nil {
			return nil, err
		}
		if len(sum) > 0 && !bytes.Equal(sha256Of(data), sum) {
			return nil, fmt.Errorf("%s does not match the SHA-256 in %s: the files were changed or come from different exports", name, manifestFile)
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

// checkNotExpired refuses import parameters past their ParametersValidTo.
func checkNotExpired(validTo *time.Time, now time.Time, again string) error {
	if validTo == nil || now.Before(*validTo) {
		return nil
	}
	return errors.New("the import token expired at " + validTo.UTC().Format(time.RFC3339) + " (KMS's import parameters are valid for 24 hours); " + again)
}
