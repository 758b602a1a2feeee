package byokflow

import (
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// ReadConsoleFiles reads the wrapping key and import token taken out of
// ImportParameters.zip: the key as DER (base64 and PEM are accepted too),
// the token binary or base64 (as the AWS CLI's text output gives it). The
// key ID is keyID, or else the one in the console's earlier file names
// (wrappingKey_<key-id>_<MMDDhhmmss>).
func ReadConsoleFiles(pubPath, tokenPath, keyID string) (*Params, error) {
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
	return &Params{KeyARN: keyID, PublicKey: spki, Token: maybeBase64(tok), Source: filepath.Base(pubPath)}, nil
}
