package console

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/byokflow"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// importData is the download and upload pages' data.
type importData struct {
	Meta       *keyMeta
	Specs      []string // wrapping key specs, recommended first
	Algorithms []string // wrapping algorithms for the key's material
	Spec, Alg  string   // chosen
	Done       bool     // the upload succeeded
	ValidTo    string   // the upload form's date, as typed
	Expires    bool
}

// wrappingSpecs are offered as the AWS console offers them: RSA_4096
// (recommended) first.
var wrappingSpecs = []string{byok.RSA4096, byok.RSA3072, byok.RSA2048}

// loadImport describes the key id for the import pages; the key must be
// of External origin.
func (c *Console) loadImport(r *http.Request, ss *session) (*importData, error) {
	meta, err := c.describeKey(r, ss, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	d := &importData{Meta: meta, Specs: wrappingSpecs, Spec: byok.RSA4096}
	if meta.Origin != "EXTERNAL" {
		return d, invalid("Key material can be imported only into a KMS key whose key material origin is External.")
	}
	// The algorithms Trent accepts for this key's material under the
	// recommended wrapping key; RSAES_PKCS1_V1_5, which AWS withdrew, is
	// not offered.
	for _, alg := range pkcs11.Algorithms {
		if byok.CheckCombination(meta.KeySpec, alg, byok.RSA4096, false) == nil {
			d.Algorithms = append(d.Algorithms, alg)
		}
	}
	if len(d.Algorithms) > 0 {
		d.Alg = d.Algorithms[0]
	}
	return d, nil
}

// keyImportPage is "Download wrapping public key and import token".
func (c *Console) keyImportPage(w http.ResponseWriter, r *http.Request, ss *session) {
	d, err := c.loadImport(r, ss)
	v := &view{Title: "Download wrapping public key and import token", Nav: "kms", Data: d}
	if err != nil {
		c.failed(w, r, "kms_import", v, err)
		return
	}
	c.render(w, r, http.StatusOK, "kms_import", v)
}

// keyImportDownload answers ImportParameters.zip: GetParametersForImport
// for the chosen spec and algorithm, written as `trent byok params` writes
// it, so that `trent byok export --params-file` reads either.
func (c *Console) keyImportDownload(w http.ResponseWriter, r *http.Request, ss *session) {
	d, err := c.loadImport(r, ss)
	v := &view{Title: "Download wrapping public key and import token", Nav: "kms", Data: d}
	if err != nil {
		c.failed(w, r, "kms_import", v, err)
		return
	}
	d.Spec, d.Alg = r.PostFormValue("spec"), r.PostFormValue("algorithm")
	var out struct {
		KeyId             string
		ImportToken       []byte
		PublicKey         []byte
		ParametersValidTo float64
	}
	in := map[string]any{"KeyId": d.Meta.KeyId, "WrappingAlgorithm": d.Alg, "WrappingKeySpec": d.Spec}
	if err := c.kms(r, ss, "GetParametersForImport", in, &out); err != nil {
		c.failed(w, r, "kms_import", v, err)
		return
	}
	validTo := time.Unix(int64(out.ParametersValidTo), 0).UTC()
	p := &byokflow.Params{KeyARN: out.KeyId, Algorithm: d.Alg, Spec: d.Spec, PublicKey: out.PublicKey,
		Token: out.ImportToken, ValidTo: &validTo}
	var buf bytes.Buffer
	if err := byokflow.WriteParamsZip(&buf, p); err != nil {
		c.failed(w, r, "kms_import", v, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+byokflow.ParamsZipName+`"`)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// keyUploadPage is "Upload your wrapped key material".
func (c *Console) keyUploadPage(w http.ResponseWriter, r *http.Request, ss *session) {
	d, err := c.loadImport(r, ss)
	v := &view{Title: "Import key material", Nav: "kms", Data: d}
	if err != nil {
		c.failed(w, r, "kms_upload", v, err)
		return
	}
	c.render(w, r, http.StatusOK, "kms_upload", v)
}

// validToLayouts are the forms a datetime-local input sends.
var validToLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

// keyUploadMaterial is ImportKeyMaterial with the two uploaded files. The
// expiry date is read as UTC (the page says so); the API checks it is in
// the future and within 365 days.
func (c *Console) keyUploadMaterial(w http.ResponseWriter, r *http.Request, ss *session) {
	d, err := c.loadImport(r, ss)
	v := &view{Title: "Import key material", Nav: "kms", Data: d}
	if err != nil {
		c.failed(w, r, "kms_upload", v, err)
		return
	}
	d.Expires, d.ValidTo = r.PostFormValue("expiration") == "expires", r.PostFormValue("validto")
	material, err1 := kmsUploaded(r, "material", "the wrapped key material")
	token, err2 := kmsUploaded(r, "token", "the import token")
	if err := kmsFirstErr(err1, err2); err != nil {
		c.failed(w, r, "kms_upload", v, err)
		return
	}
	in := map[string]any{"KeyId": d.Meta.KeyId, "EncryptedKeyMaterial": material, "ImportToken": token,
		"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
	if d.Expires {
		var t time.Time
		for _, layout := range validToLayouts {
			if t, err = time.Parse(layout, d.ValidTo); err == nil {
				break
			}
		}
		if err != nil {
			c.failed(w, r, "kms_upload", v, invalid("Enter the date and time the key material expires (UTC)."))
			return
		}
		in["ExpirationModel"], in["ValidTo"] = "KEY_MATERIAL_EXPIRES", t.Unix()
	}
	if err := c.kms(r, ss, "ImportKeyMaterial", in, nil); err != nil {
		c.failed(w, r, "kms_upload", v, err)
		return
	}
	redirect(w, keyPath(d.Meta.KeyId, "material")+"&done=imported")
}

// kmsUploaded reads the file of the multipart field name (what names it in
// messages).
func kmsUploaded(r *http.Request, name, what string) ([]byte, error) {
	var fh []*multipart.FileHeader
	if r.MultipartForm != nil {
		fh = r.MultipartForm.File[name]
	}
	if len(fh) == 0 || fh[0].Size == 0 {
		return nil, invalid("Choose the file of " + what + ".")
	}
	f, err := fh[0].Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxBody))
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(b)) == "" {
		return nil, invalid("The file of " + what + " is empty.")
	}
	return b, nil
}

func kmsFirstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
