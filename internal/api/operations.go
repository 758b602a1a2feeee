package api

import (
	"context"

	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/wire"
)

// handle adapts a typed operation to the generic form: it decodes the body
// into a new In, validates it against the service model, and calls fn.
func handle[In any, P interface {
	*In
	wire.Validator
}](fn func(ctx context.Context, in P) (any, error)) operation {
	return func(ctx context.Context, body []byte) (any, error) {
		in := P(new(In))
		if err := wire.Decode(body, in); err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		return fn(ctx, in)
	}
}

// operations lists every operation Trent serves. Operations of the KMS
// model that are not listed answer UnsupportedOperationException, so a
// client learns the operation is known but not offered here.
func (h *Handler) operations() map[string]operation {
	ops := map[string]operation{
		"CreateKey":                       handle(h.createKey),
		"DescribeKey":                     handle(h.describeKey),
		"ListKeys":                        handle(h.listKeys),
		"EnableKey":                       handle(h.enableKey),
		"DisableKey":                      handle(h.disableKey),
		"UpdateKeyDescription":            handle(h.updateKeyDescription),
		"ScheduleKeyDeletion":             handle(h.scheduleKeyDeletion),
		"CancelKeyDeletion":               handle(h.cancelKeyDeletion),
		"CreateAlias":                     handle(h.createAlias),
		"UpdateAlias":                     handle(h.updateAlias),
		"DeleteAlias":                     handle(h.deleteAlias),
		"ListAliases":                     handle(h.listAliases),
		"TagResource":                     handle(h.tagResource),
		"UntagResource":                   handle(h.untagResource),
		"ListResourceTags":                handle(h.listResourceTags),
		"Encrypt":                         handle(h.encrypt),
		"Decrypt":                         handle(h.decrypt),
		"ReEncrypt":                       handle(h.reEncrypt),
		"GenerateDataKey":                 handle(h.generateDataKey),
		"GenerateDataKeyWithoutPlaintext": handle(h.generateDataKeyWithoutPlaintext),
		"GenerateRandom":                  handle(h.generateRandom),
		"GetParametersForImport":          handle(h.getParametersForImport),
		"ImportKeyMaterial":               handle(h.importKeyMaterial),
		"DeleteImportedKeyMaterial":       handle(h.deleteImportedKeyMaterial),
		"PutKeyPolicy":                    handle(h.putKeyPolicy),
		"GetKeyPolicy":                    handle(h.getKeyPolicy),
		"ListKeyPolicies":                 handle(h.listKeyPolicies),
		"CreateGrant":                     handle(h.createGrant),
		"ListGrants":                      handle(h.listGrants),
		"ListRetirableGrants":             handle(h.listRetirableGrants),
		"RetireGrant":                     handle(h.retireGrant),
		"RevokeGrant":                     handle(h.revokeGrant),
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
