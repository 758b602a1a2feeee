package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/keycrypto"
	"github.com/trent-kms/trent/internal/store"
)

// keyRef is a key resolved for an operation, with its ARN.
type keyRef struct {
	k   *store.Key
	arn string
}

// MacInput holds GenerateMac's and VerifyMac's parameters after wire
// validation.
type MacInput struct {
	Message   []byte
	Algorithm string // MacAlgorithm, required
	DryRun    bool
}

// MacResult is what GenerateMac and VerifyMac return.
type MacResult struct {
	KeyARN    string
	Algorithm string
	Mac       []byte // GenerateMac only
}

// macKey resolves ref for GenerateMac or VerifyMac with the condition key
// kms:MacAlgorithm and checks state, usage and algorithm in AWS's order.
func (s *Service) macKey(ctx context.Context, op, ref string, in MacInput) (*keyRef, []byte, error) {
	k, err := s.keyForUse(ctx, op, ref, UsageGenerateVerifyMAC, authReq{action: op, extra: map[string]string{
		"kms:MacAlgorithm": in.Algorithm,
	}})
	if err != nil {
		return nil, nil, err
	}
	if err := checkAlgorithm(k, in.Algorithm, AlgorithmsOf(k.KeySpec, k.KeyUsage).MAC); err != nil {
		return nil, nil, err
	}
	if in.DryRun {
		return nil, nil, errDryRun
	}
	key, err := s.privateMaterial(k)
	if err != nil {
		return nil, nil, err
	}
	return &keyRef{k: k, arn: s.KeyARN(k.ID)}, key, nil
}

// GenerateMac returns the untruncated HMAC of a message under the HMAC key
// ref names.
func (s *Service) GenerateMac(ctx context.Context, ref string, in MacInput) (MacResult, error) {
	r, key, err := s.macKey(ctx, "GenerateMac", ref, in)
	if err != nil {
		return MacResult{}, err
	}
	mac, err := keycrypto.GenerateMac(r.k.KeySpec, in.Algorithm, key, in.Message)
	if err != nil {
		return MacResult{}, fromKeycrypto(err)
	}
	return MacResult{KeyARN: r.arn, Algorithm: in.Algorithm, Mac: mac}, nil
}

// VerifyMac checks mac against the HMAC of the message in constant time.
// A MAC that does not match (whatever its length) is
// KMSInvalidMacException with no message.
func (s *Service) VerifyMac(ctx context.Context, ref string, in MacInput, mac []byte) (MacResult, error) {
	r, key, err := s.macKey(ctx, "VerifyMac", ref, in)
	if err != nil {
		return MacResult{}, err
	}
	if err := keycrypto.VerifyMac(r.k.KeySpec, in.Algorithm, key, in.Message, mac); err != nil {
		return MacResult{}, fromKeycrypto(err)
	}
	return MacResult{KeyARN: r.arn, Algorithm: in.Algorithm}, nil
}
