package audit

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/identity"
)

// NewAPICall starts the record of one API request to source (e.g.
// SourceKMS): time, caller address, user agent, request ID. The caller adds
// the identity, parameters, outcome and resources.
func NewAPICall(r *http.Request, source, name, region, accountID, requestID string) *Record {
	return &Record{
		EventTime:          time.Now().UTC(),
		EventSource:        source,
		EventName:          name,
		AWSRegion:          region,
		SourceIPAddress:    SourceIP(r),
		UserAgent:          r.UserAgent(),
		RequestID:          requestID,
		RecipientAccountID: accountID,
		ManagementEvent:    true,
	}
}

// IdentityOf is the userIdentity CloudTrail records for p.
func IdentityOf(p identity.Principal) UserIdentity {
	u := UserIdentity{Type: "IAMUser", ARN: p.ARN, AccountID: p.AccountID, AccessKeyID: p.AccessKeyID, UserName: p.UserName, PrincipalID: p.UserID}
	if p.IsRoot() {
		u.Type, u.PrincipalID = "Root", p.AccountID
	}
	return u
}

// SourceIP is the client address of r, without the port.
func SourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return strings.TrimSpace(r.RemoteAddr)
	}
	return host
}
