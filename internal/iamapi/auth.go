package iamapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/sigv4"
	"github.com/trent-kms/trent/internal/store"
)

// Constants of the two protocols.
const (
	globalRegion = "us-east-1" // where IAM lives, and STS's global endpoint
	iamVersion   = "2010-05-08"
	stsVersion   = "2011-06-15"
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

func versionOf(service string) string {
	if service == "sts" {
		return stsVersion
	}
	return iamVersion
}

func namespace(service string) string {
	if service == "sts" {
		return stsNamespace
	}
	return iamNamespace
}

// verifier returns the SigV4 verifier for a request to service: the one
// whose region the request's credential scope names, or the service's
// first, which then reports the scope as AWS would.
func (h *Handler) verifier(r *http.Request, service string) *sigv4.Verifier {
	vs := h.verifiers[service]
	if region := scopeRegion(r); region != "" {
		for _, v := range vs {
			if v.Region == region {
				return v
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

// authorize decides whether the caller may perform action ("iam:CreateUser")
// on resource (a user's ARN). The account root may do everything; a user
// needs its identity policies to allow the call, as package policy
// evaluates them. cond holds extra condition keys and values, in pairs
// ("iam:PolicyARN", arn).
func (h *Handler) authorize(ctx context.Context, req *request, action, resource string, cond ...string) error {
	c := req.caller
	if c.IsRoot() {
		return nil
	}
	r := &policy.Request{
		Action:    action,
		Resource:  resource,
		Principal: policy.Principal{ARN: c.ARN, AccountID: c.AccountID, UserName: c.UserName},
		Time:      h.cfg.Now(),
	}
	r.Set("aws:userid", c.UserID)
	r.Set("aws:SecureTransport", strconv.FormatBool(req.http.TLS != nil))
	if ip := audit.SourceIP(req.http); net.ParseIP(ip) != nil {
		r.Set("aws:SourceIp", ip)
	}
	for i := 0; i+1 < len(cond); i += 2 {
		r.Set(cond[i], cond[i+1])
	}
	var pols []*policy.Policy
	u, err := h.cfg.Store.GetUser(ctx, c.UserName)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// The caller's user is gone: it has no policies.
	case err != nil:
		return err
	default:
		if pols, err = identityPolicies(u); err != nil {
			return err
		}
	}
	res := policy.Authorize(nil, pols, nil, r)
	if res.Decision == policy.Allow {
		return nil
	}
	return fail("AccessDenied", policy.DeniedMessage(r, res))
}
