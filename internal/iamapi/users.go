package iamapi

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// userXML is IAM's User shape. The account root's has no Path or UserName.
// Its JSON form, for audit records, uses CloudTrail's names.
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

// newUserID returns a unique ID in IAM's form: "AIDA" and 16 characters of
// base32.
func newUserID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return "AIDA" + base32.StdEncoding.EncodeToString(b)
}

func (h *Handler) userARN(path, name string) string {
	return "arn:aws:iam::" + h.cfg.AccountID + ":user" + path + name
}

// errNoUser is findUser's answer for a name no user has in any case.
var errNoUser = errors.New("iamapi: no such user")

// findUser returns the user whose name equals name regardless of case
// (IAM's rule), or errNoUser.
func (h *Handler) findUser(ctx context.Context, name string) (store.User, error) {
	u, err := h.cfg.Store.GetUser(ctx, name)
	if !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	after := ""
	for {
		page, err := h.cfg.Store.ListUsers(ctx, after, 500)
		if err != nil {
			return store.User{}, err
		}
		for _, u := range page {
			if strings.EqualFold(u.Name, name) {
				return u, nil
			}
		}
		if len(page) < 500 {
			return store.User{}, errNoUser
		}
		after = page[len(page)-1].Name
	}
}

// targetUser finds the user an action names and authorizes the caller for
// action on it; only then does it report a user that does not exist, so
// that an unauthorized caller cannot probe for names.
func (h *Handler) targetUser(ctx context.Context, req *request, action, name string, cond ...string) (store.User, error) {
	u, err := h.findUser(ctx, name)
	if err != nil && !errors.Is(err, errNoUser) {
		return store.User{}, err
	}
	arn := u.ARN
	if err != nil {
		arn = h.userARN("/", name)
	}
	if aerr := h.authorize(ctx, req, action, arn, cond...); aerr != nil {
		return store.User{}, aerr
	}
	if err != nil {
		return store.User{}, noSuchUser(name)
	}
	return u, nil
}

func (h *Handler) createUser(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.req("UserName", ruleNewUserName)
	path := p.opt("Path", rulePath)
	if err := p.err(); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	arn := h.userARN(path, name)
	if err := h.authorize(ctx, req, "iam:CreateUser", arn); err != nil {
		return nil, err
	}
	if p.has("Tags.") || p.has("PermissionsBoundary") {
		return nil, fail("InvalidInput", "Trent does not support tags or permissions boundaries on users.")
	}
	switch _, err := h.findUser(ctx, name); {
	case err == nil:
		return nil, fail("EntityAlreadyExists", "User with name "+name+" already exists.")
	case !errors.Is(err, errNoUser):
		return nil, err
	}
	u := store.User{Name: name, Path: path, ARN: arn, CreatedAt: h.cfg.Now().UTC()}
	for attempt := 0; ; attempt++ {
		u.UserID = newUserID()
		err := h.cfg.Store.CreateUser(ctx, u)
		if errors.Is(err, store.ErrExists) && attempt < 3 {
			continue // a UserID collision; the name was checked under h.mu
		}
		if errors.Is(err, store.ErrExists) {
			return nil, fail("EntityAlreadyExists", "User with name "+name+" already exists.")
		}
		if err != nil {
			return nil, err
		}
		return userResult{User: userOf(u)}, nil
	}
}

func (h *Handler) getUser(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.opt("UserName", ruleUserName)
	if err := p.err(); err != nil {
		return nil, err
	}
	if name == "" && req.caller.IsRoot() {
		created, err := h.rootCreated(ctx)
		if err != nil {
			return nil, err
		}
		return userResult{User: userXML{UserID: h.cfg.AccountID, Arn: req.caller.ARN, CreateDate: isoTime(created)}}, nil
	}
	if name == "" {
		name = req.caller.UserName
	}
	u, err := h.targetUser(ctx, req, "iam:GetUser", name)
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
	if prefix == "" {
		prefix = "/"
	}
	if err := h.authorize(ctx, req, "iam:ListUsers", h.userARN(prefix, "")); err != nil {
		return nil, err
	}
	after, err := decodeMarker("users", marker)
	if err != nil {
		return nil, err
	}
	var out []userXML
	for len(out) <= limit {
		page, err := h.cfg.Store.ListUsers(ctx, after, 500)
		if err != nil {
			return nil, err
		}
		for _, u := range page {
			if strings.HasPrefix(u.Path, prefix) {
				out = append(out, userOf(u))
			}
		}
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].Name
	}
	res := listUsersResult{}
	if len(out) > limit {
		out = out[:limit]
		res.IsTruncated, res.Marker = true, encodeMarker("users", out[limit-1].UserName)
	}
	res.Users.Member = out
	return res, nil
}

func (h *Handler) deleteUser(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.req("UserName", ruleUserName)
	if err := p.err(); err != nil {
		return nil, err
	}
	u, err := h.targetUser(ctx, req, "iam:DeleteUser", name)
	if err != nil {
		return nil, err
	}
	keys, err := h.cfg.Keys.List(ctx, u.Name)
	switch {
	case err != nil:
		return nil, err
	case len(keys) > 0:
		return nil, fail("DeleteConflict", "Cannot delete entity, must delete access keys first.")
	case len(u.InlinePolicies) > 0:
		return nil, fail("DeleteConflict", "Cannot delete entity, must delete policies first.")
	case len(u.AttachedPolicies) > 0:
		return nil, fail("DeleteConflict", "Cannot delete entity, must detach all policies first.")
	}
	return nil, h.updated(h.cfg.Store.DeleteUser(ctx, u.Name), u.Name)
}

// rootCreated is the account root's CreateDate: fixed the first time it is
// asked for, to the creation of the root's oldest access key.
func (h *Handler) rootCreated(ctx context.Context) (time.Time, error) {
	first := h.cfg.Now().UTC()
	keys, err := h.cfg.Keys.List(ctx, "")
	if err != nil {
		return time.Time{}, err
	}
	for _, k := range keys {
		if k.CreatedAt.Before(first) {
			first = k.CreatedAt
		}
	}
	v, err := h.cfg.Store.InitMeta(ctx, "iam-root-created", []byte(first.UTC().Format(time.RFC3339Nano)))
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339Nano, string(v))
}
