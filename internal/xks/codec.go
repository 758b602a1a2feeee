package xks

import (
	"encoding/json"

	"github.com/trent-kms/trent/internal/pkcs11"
)

// requestMetadata is the nested object of every request (spec §
// requestMetadata). The proxy validates nothing in it beyond its presence
// (the signature covers it); unknown members, present or future, are
// ignored, as the specification requires.
type requestMetadata struct {
	AWSPrincipalARN string `json:"awsPrincipalArn,omitempty"`
	AWSSourceVPC    string `json:"awsSourceVpc,omitempty"`
	AWSSourceVPCE   string `json:"awsSourceVpce,omitempty"`
	KMSKeyARN       string `json:"kmsKeyArn,omitempty"`
	KMSOperation    string `json:"kmsOperation,omitempty"`
	KMSRequestID    string `json:"kmsRequestId,omitempty"`
	KMSViaService   string `json:"kmsViaService,omitempty"`
}

// request is the union of the four APIs' request members. Base64 members
// decode to nil when absent (or null) and to an empty slice when "".
type request struct {
	Metadata            *requestMetadata `json:"requestMetadata"`
	Plaintext           []byte           `json:"plaintext"`
	Ciphertext          []byte           `json:"ciphertext"`
	EncryptionAlgorithm string           `json:"encryptionAlgorithm"`
	AAD                 []byte           `json:"additionalAuthenticatedData"`
	IV                  []byte           `json:"initializationVector"`
	Tag                 []byte           `json:"authenticationTag"`
	CiphertextMetadata  []byte           `json:"ciphertextMetadata"`
	CDIVAlgorithm       string           `json:"ciphertextDataIntegrityValueAlgorithm"`
}

// wipe clears the request's plaintext.
func (r *request) wipe() { clear(r.Plaintext) }

// decodeRequest decodes body for api and checks what the API requires.
func decodeRequest(api string, body []byte) (*request, error) {
	var r request
	if err := json.Unmarshal(body, &r); err != nil {
		r.wipe()
		return nil, newError(ValidationException, "The request body is not a valid JSON request of this API.")
	}
	if r.Metadata == nil || *r.Metadata == (requestMetadata{}) {
		r.wipe()
		return nil, errNoMetadata
	}
	var e *Error
	switch api {
	case apiEncrypt:
		e = r.checkEncrypt()
	case apiDecrypt:
		e = r.checkDecrypt()
	}
	if e != nil {
		r.wipe()
		return nil, e
	}
	return &r, nil
}

func invalid(msg string) *Error { return newError(ValidationException, msg) }

func (r *request) checkEncrypt() *Error {
	switch {
	case r.Plaintext == nil:
		return invalid("plaintext is required.")
	case r.EncryptionAlgorithm != "AES_GCM":
		return invalid("encryptionAlgorithm must be AES_GCM.")
	case r.CDIVAlgorithm != "" && r.CDIVAlgorithm != "SHA_256":
		return invalid("ciphertextDataIntegrityValueAlgorithm must be SHA_256.")
	case len(r.AAD) > maxAAD:
		return invalid("additionalAuthenticatedData is too long.")
	}
	return nil
}

func (r *request) checkDecrypt() *Error {
	switch {
	case r.Ciphertext == nil || r.IV == nil || r.Tag == nil:
		return invalid("ciphertext, initializationVector and authenticationTag are required.")
	case r.EncryptionAlgorithm != "AES_GCM":
		return invalid("encryptionAlgorithm must be AES_GCM.")
	case len(r.IV) != pkcs11.GCMIVSize && len(r.IV) != 16:
		return invalid("initializationVector must be 12 or 16 bytes.")
	case len(r.Tag) != pkcs11.GCMTagSize:
		return invalid("authenticationTag must be 16 bytes.")
	case len(r.AAD) > maxAAD:
		return invalid("additionalAuthenticatedData is too long.")
	case len(r.CiphertextMetadata) > maxCiphertextMD:
		return invalid("ciphertextMetadata is longer than 20 bytes.")
	}
	return nil
}

// Answers of the four APIs.
type (
	metadataOut struct {
		KeySpec   string   `json:"keySpec"`
		KeyUsage  []string `json:"keyUsage"`
		KeyStatus string   `json:"keyStatus"`
	}
	encryptOut struct {
		Ciphertext         []byte `json:"ciphertext"`
		IV                 []byte `json:"initializationVector"`
		Tag                []byte `json:"authenticationTag"`
		CiphertextMetadata []byte `json:"ciphertextMetadata,omitempty"`
		CDIV               []byte `json:"ciphertextDataIntegrityValue,omitempty"`
	}
	decryptOut struct {
		Plaintext []byte `json:"plaintext"`
	}
	healthOut struct {
		FleetSize int         `json:"xksProxyFleetSize"`
		Vendor    string      `json:"xksProxyVendor"`
		Model     string      `json:"xksProxyModel"`
		EKMVendor string      `json:"ekmVendor"`
		EKMFleet  []ekmDetail `json:"ekmFleetDetails"`
	}
	ekmDetail struct {
		ID           string `json:"id"`
		Model        string `json:"model"`
		HealthStatus string `json:"healthStatus"`
	}
)

// errorBody is the specification's error answer.
type errorBody struct {
	Name    string `json:"errorName"`
	Message string `json:"errorMessage,omitempty"`
}
