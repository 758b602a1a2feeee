package audit

import "encoding/json"

// sensitiveMembers are request and response members never recorded: blobs
// (plaintext, ciphertext, wrapped key material, tokens, public keys,
// messages, signatures) and secrets. CloudTrail omits them as well.
var sensitiveMembers = map[string]bool{
	"Plaintext": true, "CiphertextBlob": true, "EncryptedKeyMaterial": true, "ImportToken": true,
	"PublicKey": true, "Message": true, "Signature": true, "Mac": true, "CiphertextForRecipient": true,
	"PrivateKeyPlaintext": true, "PrivateKeyCiphertextBlob": true, "SharedSecret": true,
	"GrantToken": true, "GrantTokens": true, "SecretAccessKey": true, "Password": true,
	"KeyStorePassword": true, "XksProxyAuthenticationCredential": true, "Recipient": true,
}

// RedactParameters decodes a JSON request or response body into the map
// CloudTrail records, without sensitive members, with keys in CloudTrail's
// lower camel case (KeyId → keyId). A body that is not a JSON object gives
// nil.
func RedactParameters(body []byte) map[string]any {
	var m map[string]any
	if len(body) == 0 || json.Unmarshal(body, &m) != nil {
		return nil
	}
	return redactMap(m)
}

// RedactValues does the same for already decoded values.
func RedactValues(m map[string]any) map[string]any { return redactMap(m) }

func redactMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sensitiveMembers[k] {
			continue
		}
		if inner, ok := v.(map[string]any); ok && k != "EncryptionContext" && k != "SourceEncryptionContext" && k != "DestinationEncryptionContext" {
			v = redactMap(inner)
		}
		out[lowerFirst(k)] = v
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
