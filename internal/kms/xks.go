package kms

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/rootkey"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/xksclient"
)

// Keys in an external key store (origin EXTERNAL_KEY_STORE): each has its
// own Trent material, like any symmetric key, and names an external key
// (XksKeyId) held behind the store's XKS proxy. Nothing the proxy says is
// cached: every operation asks it, so disabling the external key, or
// losing the proxy, takes effect on the next call (fail closed).

type requestIDKey struct{}

// WithRequestID returns a context carrying the KMS request ID, which the
// proxy receives as kmsRequestId.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// requestID returns the request ID in ctx, or a fresh one for calls made
// outside a request.
func requestID(ctx context.Context) string {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok && id != "" {
		return id
	}
	return uuid.NewString()
}

// requestMetadata is the proxy's requestMetadata for a call about key arn.
// The principal is the caller's ARN; Trent's own calls are "AWS Internal",
// the value the spec reserves for KMS itself.
func requestMetadata(ctx context.Context, arn, op string) xksclient.RequestMetadata {
	principal := "AWS Internal"
	if p, ok := identity.From(ctx); ok && !p.IsSystem() && p.ARN != "" {
		principal = p.ARN
	}
	return xksclient.RequestMetadata{AwsPrincipalArn: principal, KmsKeyArn: arn, KmsOperation: op, KmsRequestID: requestID(ctx)}
}

func proxyOf(c *store.CustomKeyStore, secret string) xksclient.Proxy {
	return xksclient.Proxy{Endpoint: c.XksProxyURIEndpoint, Path: c.XksProxyURIPath, AccessKeyID: c.XksProxyAccessKeyID, Secret: secret}
}

// proxySecret unseals the proxy's secret access key of store c.
func (s *Service) proxySecret(c *store.CustomKeyStore) (string, error) {
	b, err := s.cfg.RootKey.Unseal(c.SealedXksProxySecret, rootkey.XksProxySecretContext(c.ID))
	if err != nil {
		return "", errors.New("kms: the proxy credential of " + c.ID + " does not unseal")
	}
	return string(b), nil
}

// storeConnected reports whether key k's custom key store is CONNECTED.
// A store that cannot be read counts as not connected (fail closed).
func (s *Service) storeConnected(ctx context.Context, k *store.Key) bool {
	cs := s.cfg.Store
	c, err := cs.GetCustomKeyStore(ctx, k.CustomKeyStoreID)
	return err == nil && c.ConnectionState == ConnConnected
}

// connectedProxy returns the proxy of key k's store for a cryptographic
// operation, or KMSInvalidStateException if the store is not connected.
func (s *Service) connectedProxy(ctx context.Context, k *store.Key) (xksclient.Proxy, error) {
	c, _, err := s.getCustomKeyStore(ctx, k.CustomKeyStoreID)
	if err != nil {
		return xksclient.Proxy{}, err
	}
	if c.ConnectionState != ConnConnected {
		return xksclient.Proxy{}, newError(ErrInvalidState, "%s", msgNotConnected)
	}
	secret, err := s.proxySecret(c)
	return proxyOf(c, secret), err
}

const msgNotConnected = "This KMS key is in a custom key store that is not connected to its external key store proxy. Connect the external key store and try the request again."

// xksMessages are the messages AWS gives for each failure, whatever the
// exception the operation answers with (the spec's KMS considerations).
var xksMessages = map[xksclient.Failure]string{
	xksclient.FailInvalidState:      "The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request.",
	xksclient.FailInvalidCiphertext: "The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid.",
	xksclient.FailInvalidKeyUsage:   "The external key associated with this KMS key in an external key store does not support the requested operation. Enable the operation on the key in your external key manager, and try the request again.",
	xksclient.FailAuthentication:    "The external key store proxy rejected the request because it could not authenticate AWS KMS. Verify the XKS proxy authentication credentials for your external key store and update if necessary.",
	xksclient.FailAccessDenied:      "The external key store proxy denied access to the operation. Verify that the user and the external key are both authorized for this operation, and try the request again.",
	xksclient.FailKeyNotFound:       "The external key associated with this KMS key in an external key store was not found in its external key manager. If the external key ID associated with this KMS key is incorrect, create a new KMS key with the correct external key ID.",
	xksclient.FailInvalidURIPath:    "The external key store proxy rejected the request because of an invalid URI path. Verify the URI path for your external key store and update if necessary.",
	xksclient.FailUnsupported:       "The external key store proxy rejected the request because it does not support the requested operation. If you see this error repeatedly, report it to your external key store proxy administrator.",
	xksclient.FailDependencyTimeout: "The external key store proxy did not respond to the request in the time allotted. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.",
	xksclient.FailThrottling:        "The external key store proxy rejected the request due to a very high request rate. Reduce the frequency of your calls using KMS keys in this external key store.",
	xksclient.FailInternal:          "The external key store proxy rejected the request because it cannot communicate with the external key manager. Verify that the external key store proxy configuration is correct and that the external key manager is available.",
	xksclient.FailUnreachable:       "AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external key store.",
	xksclient.FailTLS:               "AWS KMS cannot establish a TLS connection to the external key store proxy. Verify the TLS configuration, including its certificate.",
	xksclient.FailTimeout:           "AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.",
}

// msgInvalidResponse is the message for a malformed answer, and for a
// ValidationException from the proxy (KMS sent what the spec says).
const msgInvalidResponse = "AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator."

// msgBadPlaintext: the proxy's decryption did not give back the inner
// blob (the proxy "returns an invalid ciphertext").
const msgBadPlaintext = "The ciphertext that the external key store proxy submitted for decryption, or the encryption context, is corrupted, missing, or otherwise invalid."

func xksMessage(f xksclient.Failure) string {
	if m, ok := xksMessages[f]; ok {
		return m
	}
	return msgInvalidResponse
}

// cryptoError is the answer of a cryptographic operation to a failed proxy
// call: KMSInvalidStateException with the failure's message, as AWS (it
// cannot add exceptions to existing operations). Errors that are not the
// proxy's pass through (internal failures).
func (s *Service) cryptoError(k *store.Key, err error) error {
	f, ok := xksclient.FailureOf(err)
	if !ok {
		return err
	}
	s.cfg.Logger.Warn("external key store proxy call failed", "key_id", k.ID, "custom_key_store_id", k.CustomKeyStoreID, "err", err)
	return &Error{Kind: ErrInvalidState, Message: xksMessage(f)}
}

// createKeyError is CreateKey's answer to a failed GetKeyMetadata.
func (s *Service) createKeyError(err error) error {
	f, ok := xksclient.FailureOf(err)
	if !ok {
		return err
	}
	s.cfg.Logger.Warn("external key store proxy GetKeyMetadata failed", "err", err)
	kind := ErrCustomKeyStoreInvalidState
	switch f {
	case xksclient.FailInvalidState, xksclient.FailInvalidKeyUsage, xksclient.FailUnsupported:
		kind = ErrXksKeyInvalidConfiguration
	case xksclient.FailKeyNotFound:
		kind = ErrXksKeyNotFound
	case xksclient.FailAccessDenied:
		kind = ErrInvalidState
	}
	return &Error{Kind: kind, Message: xksMessage(f)}
}
