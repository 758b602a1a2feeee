package iamapi

import (
	"context"

	"github.com/trent-kms/trent/internal/iam"
	"github.com/trent-kms/trent/internal/store"
)

// userXML is IAM's User shape. Its JSON form, for audit records, uses
// CloudTrail's names.
type userXML struct {
	Path       string `xml:",omitempty" json:"path,omitempty"`
	UserName   string `xml:",omitempty" json:"userName,omitempty"`
	UserID     string `xml:"UserId" json:"userId"`
	Arn        string `json:"arn"`
	CreateDate string `json:"createDate"`
}

func userOf(u store.User) userXML {
	return userXML{Path: u.Path, UserName: u.Name, UserID: u.UserID, Arn: u.ARN, CreateDate: isoTime(u.CreatedAt)}
}

type userResult struct{ User userXML }

type listUsersResult struct {
	Users       members[userXML]
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

func (h *Handler) createUser(ctx context.Context, req *request) (any, error) {
	p := req.params
	in := iam.CreateUserInput{
		UserName:       p.req("UserName", ruleNewUserName),
		Path:           p.opt("Path", rulePath),
		TagsOrBoundary: p.has("Tags.") || p.has("PermissionsBoundary"),
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	u, err := h.iam.CreateUser(ctx, in)
	if err != nil {
		return nil, err
	}
	return userResult{User: userOf(u)}, nil
}

func (h *Handler) getUser(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.opt("UserName", ruleUserName)
	if err := p.err(); err != nil {
		return nil, err
	}
	u, err := h.iam.GetUser(ctx, name)
	if err != nil {
		return nil, err
	}
	return userResult{User: userOf(u)}, nil
}

func (h *Handler) listUsers(ctx context.Context, req *request) (any, error) {
	p := req.params
	prefix := p.opt("PathPrefix", rulePathPrefix)
	marker := p.opt("Marker", ruleMarker)
	limit := p.maxItems()
	if err := p.err(); err != nil {
		return nil, err
	}
	pg, err := h.iam.ListUsers(ctx, prefix, marker, limit)
	if err != nil {
		return nil, err
	}
	res := listUsersResult{IsTruncated: pg.Truncated, Marker: pg.Marker}
	for _, u := range pg.Items {
		res.Users.Member = append(res.Users.Member, userOf(u))
	}
	return res, nil
}

func (h *Handler) deleteUser(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.req("UserName", ruleUserName)
	if err := p.err(); err != nil {
		return nil, err
	}
	return nil, h.iam.DeleteUser(ctx, name)
}
