package iamapi

import (
	"context"
	"strconv"
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/iam"
	"github.com/trent-kms/trent/internal/store"
)

// loginProfileXML is IAM's LoginProfile shape; its JSON form, for audit
// records, uses CloudTrail's names. It never holds the password.
type loginProfileXML struct {
	UserName              string `json:"userName"`
	CreateDate            string `json:"createDate"`
	PasswordResetRequired bool   `json:"passwordResetRequired"`
}

type loginProfileResult struct {
	LoginProfile loginProfileXML `json:"loginProfile"`
}

func loginProfileOf(p store.LoginProfile) loginProfileResult {
	return loginProfileResult{LoginProfile: loginProfileXML{
		UserName: p.UserName, CreateDate: isoTime(p.CreatedAt), PasswordResetRequired: p.PasswordResetRequired,
	}}
}

// password reads a password parameter (1 to 128 characters of IAM's
// passwordType pattern). Unlike other parameters, its violations never
// quote the value: AWS leaves a sensitive member's value out of the
// message, and the message reaches the audit trail.
func (p *params) password(name string, required bool) *string {
	vs, ok := p.form[name]
	if !ok || len(vs) == 0 {
		if required {
			p.errs = append(p.errs, "Value null at '"+memberName(name)+"' failed to satisfy constraint: Member must not be null")
		}
		return nil
	}
	v := vs[0]
	violate := func(constraint string) {
		p.errs = append(p.errs, "Value at '"+memberName(name)+"' failed to satisfy constraint: "+constraint)
	}
	switch n := utf8.RuneCountInString(v); {
	case n < 1:
		violate("Member must have length greater than or equal to 1")
	case n > 128:
		violate("Member must have length less than or equal to 128")
	}
	if v != "" && !reDocument.MatchString(v) {
		violate("Member must satisfy regular expression pattern: " + dispDocument)
	}
	return &v
}

// boolean reads a boolean parameter: nil when absent.
func (p *params) boolean(name string) *bool {
	v, ok := p.form[name]
	if !ok || len(v) == 0 {
		return nil
	}
	b, err := strconv.ParseBool(v[0])
	if err != nil || (v[0] != "true" && v[0] != "false") {
		p.violate(v[0], name, "Member must be a boolean")
		return nil
	}
	return &b
}

func (h *Handler) createLoginProfile(ctx context.Context, req *request) (any, error) {
	p := req.params
	in := iam.CreateLoginProfileInput{UserName: p.opt("UserName", ruleUserName)}
	pw := p.password("Password", true)
	reset := p.boolean("PasswordResetRequired")
	if err := p.err(); err != nil {
		return nil, err
	}
	in.Password = *pw
	in.PasswordResetRequired = reset != nil && *reset
	lp, err := h.iam.CreateLoginProfile(ctx, in)
	if err != nil {
		return nil, err
	}
	return loginProfileOf(lp), nil
}

func (h *Handler) getLoginProfile(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.opt("UserName", ruleUserName)
	if err := p.err(); err != nil {
		return nil, err
	}
	lp, err := h.iam.GetLoginProfile(ctx, name)
	if err != nil {
		return nil, err
	}
	return loginProfileOf(lp), nil
}

func (h *Handler) updateLoginProfile(ctx context.Context, req *request) (any, error) {
	p := req.params
	in := iam.UpdateLoginProfileInput{
		UserName:              p.req("UserName", ruleUserName),
		Password:              p.password("Password", false),
		PasswordResetRequired: p.boolean("PasswordResetRequired"),
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return nil, h.iam.UpdateLoginProfile(ctx, in)
}

func (h *Handler) deleteLoginProfile(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.opt("UserName", ruleUserName)
	if err := p.err(); err != nil {
		return nil, err
	}
	return nil, h.iam.DeleteLoginProfile(ctx, name)
}

func (h *Handler) changePassword(ctx context.Context, req *request) (any, error) {
	p := req.params
	oldPW, newPW := p.password("OldPassword", true), p.password("NewPassword", true)
	if err := p.err(); err != nil {
		return nil, err
	}
	return nil, h.iam.ChangePassword(ctx, *oldPW, *newPW)
}

// passwordPolicyXML is IAM's PasswordPolicy shape, for the knobs Trent has.
type passwordPolicyXML struct {
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	ExpirePasswords            bool
}

type passwordPolicyResult struct{ PasswordPolicy passwordPolicyXML }

func (h *Handler) getAccountPasswordPolicy(ctx context.Context, req *request) (any, error) {
	pol, err := h.iam.GetAccountPasswordPolicy(ctx)
	if err != nil {
		return nil, err
	}
	return passwordPolicyResult{PasswordPolicy: passwordPolicyXML{
		MinimumPasswordLength: pol.MinLength, RequireSymbols: pol.RequireSymbols, RequireNumbers: pol.RequireNumbers,
		RequireUppercaseCharacters: pol.RequireUppercase, RequireLowercaseCharacters: pol.RequireLowercase,
		AllowUsersToChangePassword: true,
	}}, nil
}
