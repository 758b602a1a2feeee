package kms

import "errors"

// Kinds of failure of custom key stores and keys in them (AWS's
// exceptions of the same names; the api package's table maps them).
var (
	ErrCustomKeyStoreInvalidState     = errors.New("CustomKeyStoreInvalidState")
	ErrCustomKeyStoreNameInUse        = errors.New("CustomKeyStoreNameInUse")
	ErrCustomKeyStoreHasCMKs          = errors.New("CustomKeyStoreHasCMKs")
	ErrCloudHsmClusterNotFound        = errors.New("CloudHsmClusterNotFound")
	ErrXksKeyAlreadyInUse             = errors.New("XksKeyAlreadyInUse")
	ErrXksKeyInvalidConfiguration     = errors.New("XksKeyInvalidConfiguration")
	ErrXksKeyNotFound                 = errors.New("XksKeyNotFound")
	ErrXksProxyIncorrectCredential    = errors.New("XksProxyIncorrectAuthenticationCredential")
	ErrXksProxyInvalidConfiguration   = errors.New("XksProxyInvalidConfiguration")
	ErrXksProxyInvalidResponse        = errors.New("XksProxyInvalidResponse")
	ErrXksProxyURIEndpointInUse       = errors.New("XksProxyUriEndpointInUse")
	ErrXksProxyURIInUse               = errors.New("XksProxyUriInUse")
	ErrXksProxyURIUnreachable         = errors.New("XksProxyUriUnreachable")
	ErrXksProxyVpcEndpointSvcNotFound = errors.New("XksProxyVpcEndpointServiceNotFound")
)

// StateUnavailable is the key state of a key in a custom key store that is
// not connected (unless the key is pending deletion).
const StateUnavailable = "Unavailable"

// Custom key store types, connection states and connectivity as AWS
// spells them.
const (
	TypeExternalKeyStore = "EXTERNAL_KEY_STORE"
	TypeCloudHSM         = "AWS_CLOUDHSM"

	ConnConnected    = "CONNECTED"
	ConnDisconnected = "DISCONNECTED"
	ConnFailed       = "FAILED"

	ConnectivityPublic = "PUBLIC_ENDPOINT"
	ConnectivityVPC    = "VPC_ENDPOINT_SERVICE"

	OriginExternalKeyStore = "EXTERNAL_KEY_STORE"
	OriginCloudHSM         = "AWS_CLOUDHSM"
)
