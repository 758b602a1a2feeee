package kms

import (
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/xksclient"
)

// ConnectCustomKeyStore connects store id: it asks the proxy for its
// health and records CONNECTED, or FAILED with the ConnectionErrorCode AWS
// gives for the failure. Like AWS's, the call itself succeeds either way
// (the outcome is read with DescribeCustomKeyStores). A CONNECTED store
// stays so; a FAILED one must be disconnected first, as AWS requires.
func (s *Service) ConnectCustomKeyStore(ctx context.Context, id string) error {
	if err := s.authorize(ctx, authReq{action: "ConnectCustomKeyStore"}); err != nil {
		return err
	}
	c, cs, err := s.getCustomKeyStore(ctx, id)
	if err != nil {
		return err
	}
	switch c.ConnectionState {
	case ConnConnected:
		return nil
	case ConnDisconnected:
	default:
		return invalidConnState(c, "ConnectCustomKeyStore")
	}
	state, code := ConnConnected, ""
	secret, err := s.proxySecret(c)
	if err != nil {
		return err
	}
	if err := s.health(ctx, c, secret, "ConnectCustomKeyStore"); err != nil {
		state, code = ConnFailed, connectionErrorCode(err)
		s.cfg.Logger.Warn("custom key store failed to connect", "custom_key_store_id", c.ID, "code", code, "err", err)
	}
	_, err = cs.UpdateCustomKeyStore(ctx, c.ID, func(cur *store.CustomKeyStore) error {
		if cur.ConnectionState != ConnDisconnected {
			return invalidConnState(cur, "ConnectCustomKeyStore") // a concurrent connect won
		}
		cur.ConnectionState, cur.ConnectionErrorCode = state, code
		return nil
	})
	return s.storeErr(id, err)
}

// DisconnectCustomKeyStore disconnects store id (CONNECTED or FAILED): its
// keys become Unavailable and no request reaches the proxy any more.
func (s *Service) DisconnectCustomKeyStore(ctx context.Context, id string) error {
	if err := s.authorize(ctx, authReq{action: "DisconnectCustomKeyStore"}); err != nil {
		return err
	}
	_, cs, err := s.getCustomKeyStore(ctx, id)
	if err != nil {
		return err
	}
	_, err = cs.UpdateCustomKeyStore(ctx, id, func(cur *store.CustomKeyStore) error {
		if cur.ConnectionState == ConnDisconnected {
			return invalidConnState(cur, "DisconnectCustomKeyStore")
		}
		cur.ConnectionState, cur.ConnectionErrorCode = ConnDisconnected, ""
		return nil
	})
	return s.storeErr(id, err)
}

// errAllUnavailable: the proxy answered, but every external key manager
// of its fleet is UNAVAILABLE, which AWS treats as unreachable.
var errAllUnavailable = &xksclient.Error{API: "GetHealthStatus", Failure: xksclient.FailUnreachable, Detail: "every external key manager is UNAVAILABLE"}

// health calls GetHealthStatus on c's proxy with secret.
func (s *Service) health(ctx context.Context, c *store.CustomKeyStore, secret, op string) error {
	h, err := s.cfg.XKS.GetHealthStatus(ctx, proxyOf(c, secret), xksclient.RequestMetadata{
		KmsOperation: op, KmsRequestID: requestID(ctx),
	})
	if err == nil && !h.Available() {
		err = errAllUnavailable
	}
	return err
}

// checkHealth is health for CreateCustomKeyStore and UpdateCustomKeyStore:
// a failure is the XksProxy* exception AWS answers.
func (s *Service) checkHealth(ctx context.Context, c *store.CustomKeyStore, secret, op string) error {
	err := s.health(ctx, c, secret, op)
	if err == nil {
		return nil
	}
	f, ok := xksclient.FailureOf(err)
	if !ok {
		return err
	}
	s.cfg.Logger.Warn("external key store proxy health check failed", "op", op, "endpoint", c.XksProxyURIEndpoint+c.XksProxyURIPath, "err", err)
	kind := ErrXksProxyInvalidResponse
	switch f {
	case xksclient.FailAuthentication:
		kind = ErrXksProxyIncorrectCredential
	case xksclient.FailInvalidURIPath:
		kind = ErrXksProxyInvalidConfiguration
	case xksclient.FailUnreachable, xksclient.FailTLS, xksclient.FailTimeout,
		xksclient.FailDependencyTimeout, xksclient.FailThrottling:
		kind = ErrXksProxyURIUnreachable
	}
	msg := xksMessage(f)
	if errors.Is(err, errAllUnavailable) {
		msg = "The external key store proxy reports that every external key manager is unavailable. Verify that your external key manager instances are operating properly."
	}
	return &Error{Kind: kind, Message: msg}
}

// connectionErrorCode is the ConnectionErrorCode of a failed connection.
func connectionErrorCode(err error) string {
	f, ok := xksclient.FailureOf(err)
	if !ok {
		return "INTERNAL_ERROR"
	}
	switch f {
	case xksclient.FailAuthentication:
		return "INVALID_CREDENTIALS"
	case xksclient.FailAccessDenied:
		return "XKS_PROXY_ACCESS_DENIED"
	case xksclient.FailInvalidURIPath, xksclient.FailInvalidState:
		return "XKS_PROXY_INVALID_CONFIGURATION"
	case xksclient.FailUnreachable:
		return "XKS_PROXY_NOT_REACHABLE"
	case xksclient.FailTLS:
		return "XKS_PROXY_INVALID_TLS_CONFIGURATION"
	case xksclient.FailTimeout, xksclient.FailDependencyTimeout, xksclient.FailThrottling:
		return "XKS_PROXY_TIMED_OUT"
	}
	return "XKS_PROXY_INVALID_RESPONSE"
}
