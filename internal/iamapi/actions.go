package iamapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/trent-kms/trent/internal/identity"
)

// actions are the IAM and STS actions Trent serves, by name.
var actions = map[string]*action{
	// Users.
	"CreateUser": {service: "iam", mutates: true, run: (*Handler).createUser},
	"GetUser":    {service: "iam", run: (*Handler).getUser},
	"ListUsers":  {service: "iam", run: (*Handler).listUsers},
	"DeleteUser": {service: "iam", mutates: true, run: (*Handler).deleteUser},

	// Access keys.
	"CreateAccessKey": {service: "iam", mutates: true, run: (*Handler).createAccessKey},
	"ListAccessKeys":  {service: "iam", run: (*Handler).listAccessKeys},
	"UpdateAccessKey": {service: "iam", mutates: true, run: (*Handler).updateAccessKey},
	"DeleteAccessKey": {service: "iam", mutates: true, run: (*Handler).deleteAccessKey},

	// Managed policies.
	"AttachUserPolicy":         {service: "iam", mutates: true, run: (*Handler).attachUserPolicy},
	"DetachUserPolicy":         {service: "iam", mutates: true, run: (*Handler).detachUserPolicy},
	"ListAttachedUserPolicies": {service: "iam", run: (*Handler).listAttachedUserPolicies},

	// Inline policies.
	"PutUserPolicy":    {service: "iam", mutates: true, run: (*Handler).putUserPolicy},
	"GetUserPolicy":    {service: "iam", run: (*Handler).getUserPolicy},
	"DeleteUserPolicy": {service: "iam", mutates: true, run: (*Handler).deleteUserPolicy},
	"ListUserPolicies": {service: "iam", run: (*Handler).listUserPolicies},

	// STS.
	"GetCallerIdentity": {service: "sts", run: (*Handler).getCallerIdentity},
}

// lookupAction finds the action a form names, checking its Version.
func (h *Handler) lookupAction(form url.Values, c *call) (*action, error) {
	name := form.Get("Action")
	if name == "" {
		return nil, fail("MissingAction", "Missing Action")
	}
	act, ok := actions[name]
	if !ok {
		c.action = clip(name)
		return nil, fail("InvalidAction", "Could not find operation "+clip(name)+" for version "+clip(form.Get("Version")))
	}
	c.action, c.service = name, act.service
	if v := form.Get("Version"); v != versionOf(act.service) {
		return nil, fail("InvalidAction", "Could not find operation "+name+" for version "+clip(v))
	}
	return act, nil
}

// request is one authenticated call as an action sees it.
type request struct {
	params *params
	caller identity.Principal
	http   *http.Request
}

// action is one IAM or STS action.
type action struct {
	service string // signing name: "iam" or "sts"
	mutates bool   // serialised with every other mutating action
	run     func(h *Handler, ctx context.Context, req *request) (any, error)
}

type callerIdentityResult struct {
	Arn     string
	UserID  string `xml:"UserId"`
	Account string
}

// getCallerIdentity answers who signed the request. It needs no
// permission: AWS answers it even when a policy denies it explicitly.
func (h *Handler) getCallerIdentity(_ context.Context, req *request) (any, error) {
	c := req.caller
	id := c.UserID
	if c.IsRoot() {
		id = c.AccountID
	}
	return callerIdentityResult{Arn: c.ARN, UserID: id, Account: c.AccountID}, nil
}
