package audit

import (
	"encoding/json"
	"slices"
	"strings"
)

// sensitiveMembers are request and response members never recorded: blobs
// (plaintext, ciphertext, wrapped key material, tokens, public keys,
// messages, signatures) and secrets. CloudTrail omits them as well.
var sensitiveMembers = map[string]bool{
	"Plaintext": true, "CiphertextBlob": true, "EncryptedKeyMaterial": true, "ImportToken": true,
	"PublicKey": true, "Message": true, "Signature": true, "Mac": true, "CiphertextForRecipient": true,
	"PrivateKeyPlaintext": true, "PrivateKeyCiphertextBlob": true, "SharedSecret": true,
	"GrantToken": true, "GrantTokens": true, "SecretAccessKey": true, "Password": true, "OldPassword": true, "NewPassword": true,
	"KeyStorePassword": true, "XksProxyAuthenticationCredential": true, "Recipient": true,
}

// RedactParameters returns the JSON object CloudTrail records for a JSON
// request or response body: the body's top-level members without the
// sensitive ones, with member names in CloudTrail's lower camel case
// (KeyId → keyId) and values copied as sent. A body that is not a JSON
// object gives nil. Only the top level is walked (scan.go), which keeps
// this cheap on the hot path; the caller passes only bodies that decoded as
// JSON, since literals are not checked.
func RedactParameters(body []byte) json.RawMessage {
	type member struct {
		name  string
		value []byte
	}
	var members []member
	ok := scanMembers(body, func(name string, value []byte) {
		if !isSensitive(name) { // exact, escaped or case-folded: redact_fold.go
			members = append(members, member{name, value})
		}
	})
	if !ok {
		return nil
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.name, b.name) })
	out := make([]byte, 0, len(body))
	out = append(out, '{')
	for i, m := range members {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, lowerFirst(m.name))
		out = append(out, ':')
		out = append(out, m.value...)
	}
	return append(out, '}')
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
