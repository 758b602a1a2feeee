package byokflow

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/trent-kms/trent/internal/byok"
	"github.com/trent-kms/trent/internal/pkcs11"
)

// probePublicKey is an RSA-2048 public key whose private half was never
// kept: the probe wraps a throwaway session key under it to learn which
// algorithms the token really performs (SoftHSM2 2.6 offers
// CKM_RSA_PKCS_OAEP but refuses SHA-256 parameters), before anything is
// made in KMS.
const probePublicKey = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxB92H9B+4Rnf7lHuRjZR
y/5Y9wQMlAlyUe5//w8q1eQRk9Hjqq5QUjIeu5MRgPbndv5KPfcK0Ck5LKdvoI1I
AHutWxwgjScbEGRopvv+2ZYxXBf0tNRI8lqVITxF/TiNDSEAAKAgKiNLjYtq4WzS
l8AkCMzIIsRGAjyXoo4DSbAXCsSTvlMxH1ZCKqa7FaTfXwuuBifa2UvM2FPapRvk
ra+1m42xtjPKSb2CH0EmnPliJCdhFcW9ffVxu+0JjYhu2DelaE3njl9aNrWIkrOY
FtaalVSD3DO8V6vTfh/5ce1cweZpoyzmJb792wN5WWsO7RRLMi42z5Rs7BwxfgkW
jQIDAQAB
-----END PUBLIC KEY-----
`

// KMSAlgorithms are the wrapping algorithms KMS accepts for material of a
// SYMMETRIC_DEFAULT key with a wrapping key of this spec, in AWS's order of
// preference (RSAES_OAEP_SHA_256 first).
func KMSAlgorithms(spec string) []string {
	var out []string
	for _, alg := range pkcs11.Algorithms {
		if byok.CheckCombination("SYMMETRIC_DEFAULT", alg, spec, false) == nil {
			out = append(out, alg)
		}
	}
	return out
}

// algChoice is the algorithm chosen, and the others both sides may do,
// to try if KMS refuses it.
type algChoice struct {
	alg       string
	fallbacks []string
}

// chooseAlgorithm intersects what KMS accepts with what the token
// performs, preferring SHA-256. forced, if set, is the only candidate.
func (s *session) chooseAlgorithm(forced, spec string) (algChoice, string, error) {
	kmsSide := KMSAlgorithms(spec)
	candidates := kmsSide
	if forced != "" {
		if !slices.Contains(pkcs11.Algorithms, forced) {
			return algChoice{}, "", usagef("--algorithm %q: use one of %s", forced, strings.Join(pkcs11.Algorithms, ", "))
		}
		if !slices.Contains(kmsSide, forced) {
			s.note(fmt.Sprintf("AWS KMS does not accept %s for SYMMETRIC_DEFAULT key material (it takes %s); trying it as asked", forced, strings.Join(kmsSide, ", ")))
		}
		candidates = []string{forced}
	}
	ok, why := s.probeAlgorithms(spec, candidates)
	if len(ok) == 0 && forced != "" {
		others, _ := s.probeAlgorithms(spec, kmsSide)
		hint := "this token can do none of " + strings.Join(kmsSide, ", ")
		if len(others) > 0 {
			hint = "leave out --algorithm to let trent choose; this token can do " + strings.Join(others, ", ")
		}
		return algChoice{}, "", fmt.Errorf("token %q cannot wrap with %s: %s; %s", s.tok.Info().Label, forced, refusal(why[forced], false), hint)
	}
	if len(ok) == 0 {
		var parts []string
		for _, alg := range candidates {
			parts = append(parts, alg+": "+refusal(why[alg], true))
		}
		return algChoice{}, "", fmt.Errorf("token %q can wrap with none of the algorithms KMS accepts for AES keys (%s); use a token that supports CKM_RSA_PKCS_OAEP with SHA-256 or SHA-1", s.tok.Info().Label, strings.Join(parts, "; "))
	}
	for _, alg := range candidates {
		if alg == ok[0] {
			break
		}
		s.note(fmt.Sprintf("not %s: %s", alg, refusal(why[alg], true)))
	}
	detail := fmt.Sprintf("%s with an %s wrapping key", ok[0], spec)
	switch {
	case forced != "":
		detail += " (as --algorithm asks)"
	case ok[0] == candidates[0]:
		detail += " (the preferred one)"
	}
	return algChoice{alg: ok[0], fallbacks: ok[1:]}, detail, nil
}

// probeAlgorithms returns the candidates the token performs, in order,
// and why the others are not possible. It checks the RSA mechanism's key
// sizes against spec and wraps a throwaway AES session key under
// probePublicKey with each candidate. If the token will not make the
// probe objects, it falls back to the mechanism list alone.
func (s *session) probeAlgorithms(spec string, candidates []string) ([]string, map[string]error) {
	s.quiet = true // the token layer's notes about probe wraps are noise
	defer func() { s.quiet = false }()
	why := map[string]error{}
	mechs, _ := s.tok.Mechanisms()
	bits := uint(byok.Bits(spec))
	var sized []string
	for _, alg := range candidates {
		mech := "CKM_RSA_PKCS_OAEP"
		if alg == pkcs11.RSAESPKCS1v15 {
			mech = "CKM_RSA_PKCS"
		}
		i := slices.IndexFunc(mechs, func(m pkcs11.Mechanism) bool { return m.Name == mech })
		switch {
		case mechs != nil && i < 0:
			why[alg] = fmt.Errorf("the token does not offer %s (see trent hsm mechanisms)", mech)
		// Sizes under 1024 cannot be RSA bits (a token counting bytes):
		// then the real wrap will tell.
		case i >= 0 && bits > 0 && mechs[i].MaxKeySize >= 1024 && (bits > mechs[i].MaxKeySize || bits < mechs[i].MinKeySize):
			why[alg] = fmt.Errorf("the token's %s takes RSA keys of %d to %d bits, not %d: choose another --wrapping-key-spec", mech, mechs[i].MinKeySize, mechs[i].MaxKeySize, bits)
		default:
			sized = append(sized, alg)
		}
	}
	if len(sized) == 0 {
		return nil, why
	}
	pub, err := pkcs11.ParsePublicKey([]byte(probePublicKey))
	if err != nil {
		panic(err)
	}
	untested := func(err error) ([]string, map[string]error) {
		s.quiet = false
		s.note(fmt.Sprintf("could not try the algorithms in the token (%v); going by its mechanism list", err))
		return sized, why // the real wrap will tell
	}
	ph, err := s.tok.ImportRSAPublicKey(pub, pkcs11.PublicKeyOptions{Label: "trent byok probe", Wrap: true, Encrypt: true})
	if err != nil {
		return untested(err)
	}
	defer func() { _ = s.tok.DestroyObject(ph) }()
	kh, err := s.tok.GenerateSecretKey(pkcs11.KeySpec{Type: pkcs11.KeyTypeAES, Bytes: 32, Label: "trent byok probe", Sensitive: true, Extractable: true})
	if err != nil {
		return untested(err)
	}
	defer func() { _ = s.tok.DestroyObject(kh) }()
	var ok []string
	for _, alg := range sized {
		if _, err := s.tok.Wrap(kh, ph, alg); err != nil {
			why[alg] = err
			continue
		}
		ok = append(ok, alg)
	}
	return ok, why
}

// refusal says why the token cannot do an algorithm: in full, or, short,
// only the function and return code of a token's refusal.
func refusal(err error, short bool) string {
	var pe *pkcs11.Error
	switch {
	case err == nil:
		return "not tried"
	case !errors.As(err, &pe):
		return err.Error()
	case short:
		return fmt.Sprintf("the token refuses it (%s: %s)", pe.Func, pe.Name)
	}
	return "the token refuses it: " + err.Error()
}
