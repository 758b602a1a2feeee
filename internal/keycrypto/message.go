package keycrypto

import "crypto/sha512"

// Message types of Sign and Verify.
const (
	MessageRaw        = "RAW"
	MessageDigest     = "DIGEST"
	MessageExternalMu = "EXTERNAL_MU"
)

const (
	maxMessage   = 4096 // MessageType blob maximum, every message type
	maxSignature = 6144 // Verify's Signature maximum
	muSize       = 64   // ML-DSA μ, FIPS 204 §6.2
)

// checkSignInput applies AWS's request rules for Sign and Verify in AWS's
// order (asymmetric.md §10): shape (message length, enums), then algorithm
// against the key spec, then the message type and digest length rules of
// §5.1. It returns the resolved algorithm and message type.
func checkSignInput(s *spec, alg, msgType string, message []byte) (*sigAlg, string, error) {
	if err := checkLength("message", message, 1, maxMessage); err != nil {
		return nil, "", err
	}
	switch msgType {
	case "":
		msgType = MessageRaw
	case MessageRaw, MessageDigest, MessageExternalMu:
	default:
		return nil, "", enumError("messageType", msgType, "RAW, DIGEST, EXTERNAL_MU")
	}
	a, err := signingAlg(s, alg)
	if err != nil {
		return nil, "", err
	}
	if err := checkMessageType(s, a, msgType, len(message)); err != nil {
		return nil, "", err
	}
	return a, msgType, nil
}

func checkMessageType(s *spec, a *sigAlg, msgType string, n int) error {
	typeError := func() error {
		return newError(ExcValidation, "Message type %s is incompatible with key spec %s.", msgType, s.name)
	}
	digestError := func() error {
		return newError(ExcValidation, "Digest is invalid length for algorithm %s.", a.name)
	}
	switch a.family {
	case famEd25519:
		// Pure Ed25519 signs the message itself: only RAW.
		if msgType != MessageRaw {
			return typeError()
		}
	case famEd25519ph:
		// HashEdDSA over the caller's SHA-512 digest: only DIGEST.
		if msgType == MessageRaw {
			return newError(ExcValidation, "Message type RAW is incompatible with signing algorithm %s.", a.name)
		}
		if msgType != MessageDigest {
			return typeError()
		}
		if n != a.hash.Size() {
			return digestError()
		}
	case famMLDSA:
		if msgType == MessageDigest {
			return typeError()
		}
		if msgType == MessageExternalMu && n != muSize {
			return digestError()
		}
	default: // RSA and ECDSA: RAW is hashed by KMS, DIGEST is the hash.
		if msgType == MessageExternalMu {
			return typeError()
		}
		if msgType == MessageDigest && n != a.hash.Size() {
			return digestError()
		}
	}
	return nil
}

// digestOf returns what RSA and ECDSA sign: the hash of a RAW message, or
// the DIGEST itself.
func digestOf(a *sigAlg, msgType string, message []byte) []byte {
	if msgType == MessageDigest {
		return message
	}
	h := a.hash.New()
	h.Write(message)
	return h.Sum(nil)
}

// ed25519phMessage is what Go's Ed25519ph takes: PH(M) = SHA-512(M), where
// M is the client's digest (asymmetric.md §5.2: the input is hashed twice).
func ed25519phMessage(m []byte) []byte {
	sum := sha512.Sum512(m)
	return sum[:]
}
