package console

import (
	"context"
	"net/http"

	"github.com/trent-kms/trent/internal/identity"
)

// LookupAction is the permission the event history needs, as CloudTrail's
// console needs it.
const LookupAction = "cloudtrail:LookupEvents"

// LookupAuthorizer decides who may read the event history: the server
// evaluates the principal's identity policies as it does for a KMS call
// (kms.Service.AuthorizeIdentity).
type LookupAuthorizer interface {
	// AuthorizeLookup returns the AccessDenied message to show if p may
	// not call cloudtrail:LookupEvents, "" if it may; err is a failure to
	// decide.
	AuthorizeLookup(ctx context.Context, p identity.Principal) (denied string, err error)
}

// mayLookupEvents allows the event history to the account root and, when
// Config.Audit is a LookupAuthorizer, to the principals it allows. Without
// one only the root may read it.
func (c *Console) mayLookupEvents(r *http.Request, ss *session) error {
	p := ss.principal
	if p.IsRoot() {
		return nil
	}
	la, ok := c.cfg.Audit.(LookupAuthorizer)
	if !ok {
		return &pageError{Code: "AccessDenied", Message: "Only the account root may read the event history of this console."}
	}
	denied, err := la.AuthorizeLookup(r.Context(), p)
	if err != nil {
		return err
	}
	if denied != "" {
		return &pageError{Code: "AccessDenied", Message: denied}
	}
	return nil
}
