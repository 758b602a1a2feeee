package byokflow

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// The entries of ImportParameters.zip, named as the AWS console names
// them today. The console's earlier archives named them
// wrappingKey_<key-id>_<MMDDhhmmss>, importToken_<key-id>_<MMDDhhmmss> and
// README_<key-id>_<MMDDhhmmss>.txt; ReadParamsZip reads both.
const (
	ParamsZipName  = "ImportParameters.zip"
	zipPublicKey   = "WrappingPublicKey.bin"
	zipImportToken = "ImportToken.bin"
	zipReadme      = "README.txt"
)

// WriteParamsZip writes p as ImportParameters.zip: the wrapping public key
// (DER), the import token (binary) and a README that says, for people and
// for ReadParamsZip, which key, algorithm and spec they are for and until
// when. Recording the algorithm is what lets trent byok export refuse a
// mismatched --algorithm before it wraps.
func WriteParamsZip(w io.Writer, p *Params) error {
	z := zip.NewWriter(w)
	now := time.Now().UTC()
	for _, e := range []struct {
		name string
		data []byte
	}{{zipPublicKey, p.PublicKey}, {zipImportToken, p.Token}, {zipReadme, []byte(paramsReadme(p))}} {
		f, err := z.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		if _, err := f.Write(e.data); err != nil {
			return err
		}
	}
	return z.Close()
}

// readme field names: "Name: value" lines of the README.
const (
	fieldKey       = "KMS key"
	fieldAlgorithm = "Wrapping algorithm"
	fieldSpec      = "Wrapping key spec"
	fieldValidTo   = "Valid until"
)

func paramsReadme(p *Params) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Import parameters for AWS KMS key material, written by trent byok params.\n\n")
	for _, kv := range [][2]string{{fieldKey, p.KeyARN}, {"Wrapping public key", zipPublicKey + " (DER SubjectPublicKeyInfo)"},
		{"Import token", zipImportToken}, {fieldAlgorithm, p.Algorithm}, {fieldSpec, p.Spec}, {fieldValidTo, p.ValidToString()}} {
		fmt.Fprintf(&b, "%s: %s\n", kv[0], kv[1])
	}
	fmt.Fprintf(&b, "\nWrap the key material with %s under the wrapping public key, and import it\n"+
		"with the import token before %s; the two are one set, valid 24 hours.\n"+
		"With trent, on the HSM host:\n"+
		"  trent byok export --params-file %s --hsm-key label:NAME --out-dir DIR\n"+
		"and on a host that reaches KMS:\n"+
		"  trent byok upload --dir DIR --no-expiry\n", p.Algorithm, p.ValidToString(), ParamsZipName)
	return b.String()
}

// consoleName matches the console's earlier entry names, which carry the
// key ID.
var consoleName = regexp.MustCompile(`^(?:wrappingKey|importToken|README)_([0-9a-f-]{36})_\d{10}`)

// ReadParamsZip reads ImportParameters.zip as the console or trent byok
// params wrote it. The README gives, when it names exactly one, the
// wrapping algorithm and spec; Trent's README gives the key and expiry
// too.
func ReadParamsZip(b []byte, name string) (*Params, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	p := &Params{Source: name}
	var readme []byte
	for _, f := range z.File {
		base := path.Base(f.Name)
		var dst *[]byte
		switch {
		case base == zipPublicKey || strings.HasPrefix(base, "wrappingKey_"):
			dst = &p.PublicKey
		case base == zipImportToken || strings.HasPrefix(base, "importToken_"):
			dst = &p.Token
		case strings.HasPrefix(strings.ToUpper(base), "README"):
			dst = &readme
		default:
			continue
		}
		if m := consoleName.FindStringSubmatch(base); m != nil && p.KeyARN == "" {
			p.KeyARN = m[1]
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", name, f.Name, err)
		}
		*dst, err = io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", name, f.Name, err)
		}
	}
	if len(p.PublicKey) == 0 || len(p.Token) == 0 {
		return nil, fmt.Errorf("%s holds no %s and %s (nor wrappingKey_… and importToken_…): not the console's ImportParameters.zip", name, zipPublicKey, zipImportToken)
	}
	p.Token = maybeBase64(p.Token)
	if _, err := pkcs11.ParsePublicKey(p.PublicKey); err != nil {
		return nil, fmt.Errorf("%s: the wrapping public key: %w", name, err)
	}
	return p, p.readReadme(string(readme))
}

// readReadme takes what the README says.
func (p *Params) readReadme(text string) error {
	fields := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if k := fields[fieldKey]; k != "" {
		p.KeyARN = k
	}
	p.Algorithm = onlyOne(text, pkcs11.Algorithms)
	p.Spec = onlyOne(text, []string{"RSA_2048", "RSA_3072", "RSA_4096"})
	if v := fields[fieldValidTo]; v != "" && v != "(not known)" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return fmt.Errorf("%s: README: %s %q is not an RFC 3339 time", p.Source, fieldValidTo, v)
		}
		p.ValidTo = &t
	}
	return nil
}

// onlyOne returns the one name of names that text mentions as a word, or
// "" when it mentions none or several.
func onlyOne(text string, names []string) string {
	found := ""
	for _, n := range names {
		if regexp.MustCompile(`\b` + n + `\b`).MatchString(text) {
			if found != "" {
				return ""
			}
			found = n
		}
	}
	return found
}

// maybeBase64 decodes a token saved as base64 (the AWS CLI's text output).
func maybeBase64(b []byte) []byte {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || len(t)%4 != 0 {
		return b
	}
	for _, c := range t {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return b
		}
	}
	if d, err := base64.StdEncoding.DecodeString(string(t)); err == nil {
		return d
	}
	return b
}
