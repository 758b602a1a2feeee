package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/keycrypto"
)

// UsageSignVerify keys sign and verify; the rules of each algorithm and
// message type (asymmetric.md §5) are keycrypto's.

// MessageRAW is the default MessageType of Sign and Verify.
const MessageRAW = "RAW"

// SignInput holds Sign's and Verify's parameters after wire validation.
type SignInput struct {
	Message     []byte
	MessageType string // "" is RAW
	Algorithm   string // SigningAlgorithm, required
	DryRun      bool
}

// SignResult is what Sign and Verify return.
type SignResult struct {
	KeyARN    string
	Algorithm string
	Signature []byte // Sign only
}

// signKey resolves ref for Sign or Verify with the condition keys
// kms:SigningAlgorithm and kms:MessageType, and checks state, usage and
// algorithm in AWS's order.
func (s *Service) signKey(ctx context.Context, op, ref string, in *SignInput) (*keyRef, error) {
	if in.MessageType == "" {
		in.MessageType = MessageRAW
	}
	k, err := s.keyForUse(ctx, op, ref, UsageSignVerify, authReq{action: op, extra: map[string]string{
		"kms:SigningAlgorithm": in.Algorithm, "kms:MessageType": in.MessageType,
	}})
	if err != nil {
		return nil, err
	}
	if err := checkAlgorithm(k, in.Algorithm, AlgorithmsOf(k.KeySpec, k.KeyUsage).Signing); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun
	}
	return &keyRef{k: k, arn: s.KeyARN(k.ID)}, nil
}

// Sign signs a message (or digest, or ML-DSA μ) with the private key of
// the SIGN_VERIFY key ref names.
func (s *Service) Sign(ctx context.Context, ref string, in SignInput) (SignResult, error) {
	r, err := s.signKey(ctx, "Sign", ref, &in)
	if err != nil {
		return SignResult{}, err
	}
	priv, err := s.privateMaterial(r.k)
	if err != nil {
		return SignResult{}, err
	}
	sig, err := keycrypto.Sign(r.k.KeySpec, in.Algorithm, in.MessageType, priv, in.Message)
	if err != nil {
		return SignResult{}, fromKeycrypto(err)
	}
	return SignResult{KeyARN: r.arn, Algorithm: in.Algorithm, Signature: sig}, nil
}

// Verify checks a signature with the public key of the SIGN_VERIFY key ref
// names. A signature that does not verify is KMSInvalidSignatureException
// with no message; success is the only other outcome.
func (s *Service) Verify(ctx context.Context, ref string, in SignInput, signature []byte) (SignResult, error) {
	r, err := s.signKey(ctx, "Verify", ref, &in)
	if err != nil {
		return SignResult{}, err
	}
	pub, err := s.publicKey(r.k)
	if err != nil {
		return SignResult{}, fromKeycrypto(err)
	}
	if err := keycrypto.Verify(r.k.KeySpec, in.Algorithm, in.MessageType, pub, in.Message, signature); err != nil {
		return SignResult{}, fromKeycrypto(err)
	}
	return SignResult{KeyARN: r.arn, Algorithm: in.Algorithm}, nil
}
