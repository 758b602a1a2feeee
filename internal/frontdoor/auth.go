package frontdoor

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/sigv4"
)

// Unauthenticated is the explicit decision that a route's requests are
// not authenticated (health probes, metrics). Their context carries no
// principal, so the core refuses anything they might reach.
var Unauthenticated Authenticator = unauthenticated{}

type unauthenticated struct{}

func (unauthenticated) Authenticate(context.Context, *Exchange) (identity.Principal, error) {
	return identity.Principal{}, nil
}

// Principals finds the principal an access key belongs to (package
// accesskey's Keyring). A key unknown or inactive must give an error
// wrapping sigv4.ErrUnknownAccessKey.
type Principals interface {
	Principal(ctx context.Context, accessKeyID string) (identity.Principal, error)
}

// SigV4 authenticates requests signed with AWS Signature Version 4.
// Verifiers holds, by signing service, the verifiers of the regions the
// service accepts, the default first: a request whose credential scope
// names one of those regions is checked against it, any other against the
// default (which then reports the scope as AWS does).
type SigV4 struct {
	Verifiers map[string][]*sigv4.Verifier
	// Default is the signing service used when the exchange names none.
	Default string
	Keys    Principals
}

// Authenticate implements Authenticator.
func (a *SigV4) Authenticate(ctx context.Context, x *Exchange) (identity.Principal, error) {
	service := x.Service
	if service == "" {
		service = a.Default
	}
	akid, err := a.verifier(x.Request, service).Verify(ctx, x.Request, x.Body)
	if err != nil {
		return identity.Principal{}, err
	}
	p, err := a.Keys.Principal(ctx, akid)
	if errors.Is(err, sigv4.ErrUnknownAccessKey) {
		// Deactivated or deleted between the signature check and now.
		return identity.Principal{}, sigv4.UnknownClient()
	}
	if err != nil {
		return identity.Principal{}, err
	}
	return p, nil
}

func (a *SigV4) verifier(r *http.Request, service string) *sigv4.Verifier {
	vs := a.Verifiers[service]
	if len(vs) > 1 {
		if region := scopeRegion(r); region != "" {
			for _, v := range vs {
				if v.Region == region {
					return v
				}
			}
		}
	}
	return vs[0]
}

// scopeRegion returns the region of the request's credential scope,
// AKID/date/region/service/aws4_request, from the Authorization header or
// the X-Amz-Credential query parameter; "" if there is none.
func scopeRegion(r *http.Request) string {
	var cred string
	if auth := r.Header.Get("Authorization"); auth != "" {
		i := strings.Index(auth, "Credential=")
		if i < 0 {
			return ""
		}
		cred = auth[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
		cred = q.Get("X-Amz-Credential")
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return ""
	}
	return parts[len(parts)-3]
}
