package iamapi

import (
	"context"
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

	// Console passwords.
	"CreateLoginProfile":       {service: "iam", mutates: true, run: (*Handler).createLoginProfile},
	"GetLoginProfile":          {service: "iam", run: (*Handler).getLoginProfile},
	"UpdateLoginProfile":       {service: "iam", mutates: true, run: (*Handler).updateLoginProfile},
	"DeleteLoginProfile":       {service: "iam", mutates: true, run: (*Handler).deleteLoginProfile},
	"ChangePassword":           {service: "iam", mutates: true, run: (*Handler).changePassword},
	"GetAccountPasswordPolicy": {service: "iam", run: (*Handler).getAccountPasswordPolicy},

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

// request is one authenticated call as an action sees it.
type request struct {
	params *params
}

// action is one IAM or STS action.
type action struct {
	service string // signing name: "iam" or "sts"
	mutates bool   // changes state: its answer is recorded in the audit trail
	run     func(h *Handler, ctx context.Context, req *request) (any, error)
}

type callerIdentityResult struct {
	Arn     string
	UserID  string `xml:"UserId"`
	Account string
}

// getCallerIdentity answers who signed the request. It needs no
// permission: AWS answers it even when a policy denies it explicitly.
func (h *Handler) getCallerIdentity(ctx context.Context, req *request) (any, error) {
	c, err := h.iam.GetCallerIdentity(ctx)
	if err != nil {
		return nil, err
	}
	return callerIdentityResult{Arn: c.ARN, UserID: c.UserID, Account: c.Account}, nil
}
