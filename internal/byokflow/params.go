package byokflow

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// Params are one set of import parameters (a GetParametersForImport
// answer): the wrapping public key and import token for a KMS key, and,
// when the source records them, the wrapping algorithm and key spec they
// were requested with. KMS binds the token to that algorithm: material
// wrapped with another is refused at import with InvalidCiphertext, so
// Check settles the algorithm before anything is wrapped.
type Params struct {
	KeyARN    string
	Algorithm string // "" when the source does not say (the AWS CLI's JSON)
	Spec      string // "" when the source does not say; Check sets it
	PublicKey []byte // DER SubjectPublicKeyInfo
	Token     []byte
	ValidTo   *time.Time
	// Source names where the parameters came from, for messages.
	Source string
}

// ValidToString is ValidTo in RFC 3339, or "(not known)".
func (p *Params) ValidToString() string {
	if p.ValidTo == nil {
		return "(not known)"
	}
	return p.ValidTo.UTC().Format(time.RFC3339)
}

// Check settles the wrapping algorithm and spec before a wrap: the spec
// must be the public key's size, the algorithm the one the parameters
// record (asked, if given, must agree), and the two a combination KMS
// takes for SYMMETRIC_DEFAULT material. RSAES_PKCS1_V1_5 is let through
// for Trent servers that enable it for legacy firmware.
func (p *Params) Check(asked string) error { return p.checkFor(asked, "SYMMETRIC_DEFAULT") }

// checkFor is Check for material of a KMS key of keySpec.
func (p *Params) checkFor(asked, keySpec string) error {
	spec, err := specOf(p.PublicKey)
	if err != nil {
		return err
	}
	if p.Spec != "" && p.Spec != spec {
		return fmt.Errorf("%s records wrapping key spec %s, but its public key is %s: the files come from different downloads; get new parameters", p.Source, p.Spec, spec)
	}
	p.Spec = spec
	if asked != "" && !slices.Contains(pkcs11.Algorithms, asked) {
		return usagef("--algorithm %q: use one of %s", asked, strings.Join(pkcs11.Algorithms, ", "))
	}
	switch {
	case p.Algorithm == "" && asked == "":
		return usagef("give --algorithm: the --wrapping-algorithm the parameters were requested with (%s does not say), e.g. RSAES_OAEP_SHA_256", p.Source)
	case p.Algorithm == "":
		p.Algorithm = asked
	case asked != "" && asked != p.Algorithm:
		return fmt.Errorf("--algorithm %s, but these parameters were requested for %s (%s says so): KMS would refuse the wrapped key with InvalidCiphertextException; leave out --algorithm, or get parameters for %s", asked, p.Algorithm, p.Source, asked)
	}
	if err := byok.CheckCombination(keySpec, p.Algorithm, p.Spec, true); err != nil {
		return fmt.Errorf("%s with an %s wrapping key: %v", p.Algorithm, p.Spec, err)
	}
	return nil
}

// ReadParams reads import parameters from a file as the user has it:
// ImportParameters.zip (the console's, or trent byok params'), or the
// JSON that aws kms get-parameters-for-import prints.
func ReadParams(path string) (*Params, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return ReadParamsZip(b, filepath.Base(path))
	}
	return parseParamsJSON(b, filepath.Base(path))
}

// parseParamsJSON reads get-parameters-for-import's JSON: KeyId,
// ImportToken and PublicKey (base64), ParametersValidTo (epoch seconds,
// or an ISO 8601 string with AWS CLI v2).
func parseParamsJSON(b []byte, name string) (*Params, error) {
	var f struct {
		KeyID             string          `json:"KeyId"`
		ImportToken       string          `json:"ImportToken"`
		PublicKey         string          `json:"PublicKey"`
		ParametersValidTo json.RawMessage `json:"ParametersValidTo"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s is neither ImportParameters.zip nor the JSON of aws kms get-parameters-for-import: %v", name, err)
	}
	p := &Params{KeyARN: f.KeyID, Source: name}
	var err error
	if p.Token, err = base64.StdEncoding.DecodeString(f.ImportToken); err != nil || len(p.Token) == 0 {
		return nil, fmt.Errorf("%s: ImportToken is missing or not base64", name)
	}
	if p.PublicKey, err = base64.StdEncoding.DecodeString(f.PublicKey); err != nil || len(p.PublicKey) == 0 {
		return nil, fmt.Errorf("%s: PublicKey is missing or not base64", name)
	}
	if len(f.ParametersValidTo) > 0 && string(f.ParametersValidTo) != "null" {
		t, err := parseValidTo(f.ParametersValidTo)
		if err != nil {
			return nil, fmt.Errorf("%s: ParametersValidTo: %v", name, err)
		}
		p.ValidTo = &t
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
