package api

import (
	"context"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/wire"
)

// handle adapts a typed operation to the generic form: it decodes the body
// into a new In, validates it against the service model, checks the grant
// tokens of inputs that carry some (every such operation, here once), and
// calls fn.
func handle[In any, P interface {
	*In
	wire.Validator
}](h *Handler, fn func(ctx context.Context, in P) (any, error)) operation {
	return func(ctx context.Context, body []byte) (any, error) {
		in := P(new(In))
		if err := wire.Decode(body, in); err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		if g, ok := any(in).(wire.GrantTokened); ok {
			if err := h.cfg.KMS.CheckGrantTokens(g.GrantTokenList()); err != nil {
				return nil, err
			}
		}
		return fn(ctx, in)
	}
}

// operations lists every operation Trent serves. Operations of the KMS
// model that are not listed answer UnsupportedOperationException, so a
// client learns the operation is known but not offered here.
func (h *Handler) operations() map[string]operation {
	ops := map[string]operation{
		"CreateKey":                           handle(h, h.createKey),
		"DescribeKey":                         handle(h, h.describeKey),
		"ListKeys":                            handle(h, h.listKeys),
		"EnableKey":                           handle(h, h.enableKey),
		"DisableKey":                          handle(h, h.disableKey),
		"UpdateKeyDescription":                handle(h, h.updateKeyDescription),
		"ScheduleKeyDeletion":                 handle(h, h.scheduleKeyDeletion),
		"CancelKeyDeletion":                   handle(h, h.cancelKeyDeletion),
		"CreateAlias":                         handle(h, h.createAlias),
		"UpdateAlias":                         handle(h, h.updateAlias),
		"DeleteAlias":                         handle(h, h.deleteAlias),
		"ListAliases":                         handle(h, h.listAliases),
		"TagResource":                         handle(h, h.tagResource),
		"UntagResource":                       handle(h, h.untagResource),
		"ListResourceTags":                    handle(h, h.listResourceTags),
		"Encrypt":                             handle(h, h.encrypt),
		"Decrypt":                             handle(h, h.decrypt),
		"ReEncrypt":                           handle(h, h.reEncrypt),
		"GenerateDataKey":                     handle(h, h.generateDataKey),
		"GenerateDataKeyWithoutPlaintext":     handle(h, h.generateDataKeyWithoutPlaintext),
		"GenerateRandom":                      handle(h, h.generateRandom),
		"GetParametersForImport":              handle(h, h.getParametersForImport),
		"ImportKeyMaterial":                   handle(h, h.importKeyMaterial),
		"DeleteImportedKeyMaterial":           handle(h, h.deleteImportedKeyMaterial),
		"PutKeyPolicy":                        handle(h, h.putKeyPolicy),
		"GetKeyPolicy":                        handle(h, h.getKeyPolicy),
		"ListKeyPolicies":                     handle(h, h.listKeyPolicies),
		"CreateGrant":                         handle(h, h.createGrant),
		"ListGrants":                          handle(h, h.listGrants),
		"ListRetirableGrants":                 handle(h, h.listRetirableGrants),
		"RetireGrant":                         handle(h, h.retireGrant),
		"RevokeGrant":                         handle(h, h.revokeGrant),
		"EnableKeyRotation":                   handle(h, h.enableKeyRotation),
		"DisableKeyRotation":                  handle(h, h.disableKeyRotation),
		"GetKeyRotationStatus":                handle(h, h.getKeyRotationStatus),
		"RotateKeyOnDemand":                   handle(h, h.rotateKeyOnDemand),
		"ListKeyRotations":                    handle(h, h.listKeyRotations),
		"GetPublicKey":                        handle(h, h.getPublicKey),
		"GetKeyLastUsage":                     handle(h, h.getKeyLastUsage),
		"Sign":                                handle(h, h.sign),
		"Verify":                              handle(h, h.verify),
		"GenerateMac":                         handle(h, h.generateMac),
		"VerifyMac":                           handle(h, h.verifyMac),
		"GenerateDataKeyPair":                 handle(h, h.generateDataKeyPair),
		"GenerateDataKeyPairWithoutPlaintext": handle(h, h.generateDataKeyPairWithoutPlaintext),
		"DeriveSharedSecret":                  handle(h, h.deriveSharedSecret),
		"CreateCustomKeyStore":                handleEndpoint(h, func(in *wire.CreateCustomKeyStoreRequest) *string { return &in.XksProxyUriEndpoint }, h.createCustomKeyStore),
		"UpdateCustomKeyStore":                handleEndpoint(h, func(in *wire.UpdateCustomKeyStoreRequest) *string { return &in.XksProxyUriEndpoint }, h.updateCustomKeyStore),
		"DeleteCustomKeyStore":                handle(h, h.deleteCustomKeyStore),
		"ConnectCustomKeyStore":               handle(h, h.connectCustomKeyStore),
		"DisconnectCustomKeyStore":            handle(h, h.disconnectCustomKeyStore),
		"DescribeCustomKeyStores":             handle(h, h.describeCustomKeyStores),
	}
	for _, name := range wire.Operations {
		if _, ok := ops[name]; !ok {
			ops[name] = unsupported(name)
		}
	}
	return ops
}

func unsupported(name string) operation {
	return func(context.Context, []byte) (any, error) {
		return nil, &kms.Error{Kind: kms.ErrUnsupported, Message: name + " is not supported by this server."}
	}
}

// validation returns a ValidationException with a message of the service's
// own (not a model constraint).
func validation(msg string) error {
	return &kms.Error{Kind: kms.ErrValidation, Message: msg}
}

// limit converts an optional page size.
func limit(l *int32) int {
	if l == nil {
		return 0
	}
	return int(*l)
}

// truncated returns the Truncated/NextMarker pair of a page.
func truncated(next string) (*bool, string) {
	return wire.Ptr(next != ""), next
}
