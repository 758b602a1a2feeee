package iamapi

import (
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/accesskey"
)

// maxKeysPerUser is IAM's AccessKeysPerUser quota, which Trent applies to
// the account root as well.
const maxKeysPerUser = 2

// accessKeyXML is IAM's AccessKey shape, which only CreateAccessKey
// returns. Its JSON form, for audit records, uses CloudTrail's names and
// never holds the secret.
type accessKeyXML struct {
	UserName        string `xml:",omitempty" json:"userName,omitempty"`
	AccessKeyID     string `xml:"AccessKeyId" json:"accessKeyId"`
	Status          string `json:"status"`
	SecretAccessKey string `json:"-"`
	CreateDate      string `json:"createDate"`
}

// accessKeyMetaXML is IAM's AccessKeyMetadata shape.
type accessKeyMetaXML struct {
	UserName    string `xml:",omitempty"`
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string
	CreateDate  string
}

type createAccessKeyResult struct{ AccessKey accessKeyXML }

type listAccessKeysResult struct {
	AccessKeyMetadata members[accessKeyMetaXML]
	IsTruncated       bool
	Marker            string `xml:",omitempty"`
}

// keyOwner is whose access keys an action is about: a user, or the account
// root (name "").
type keyOwner struct{ name, arn string }

// owner resolves the UserName of an access key action — the caller itself
// when absent — and authorizes the caller for action on it.
func (h *Handler) owner(ctx context.Context, req *request, action, name string) (keyOwner, error) {
	if name == "" {
		if err := h.authorize(ctx, req, action, req.caller.ARN); err != nil {
			return keyOwner{}, err
		}
		return keyOwner{name: req.caller.UserName, arn: req.caller.ARN}, nil
	}
	u, err := h.targetUser(ctx, req, action, name)
	if err != nil {
		return keyOwner{}, err
	}
	return keyOwner{name: u.Name, arn: u.ARN}, nil
}

func (h *Handler) createAccessKey(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.opt("UserName", ruleUserName)
	if err := p.err(); err != nil {
		return nil, err
	}
	o, err := h.owner(ctx, req, "iam:CreateAccessKey", name)
	if err != nil {
		return nil, err
	}
	keys, err := h.cfg.Keys.List(ctx, o.name)
	if err != nil {
		return nil, err
	}
	if len(keys) >= maxKeysPerUser {
		return nil, fail("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	}
	id := accesskey.NewID()
	for { // Put replaces: never reuse an ID, however unlikely
		_, err := h.cfg.Keys.Get(ctx, id)
		if errors.Is(err, accesskey.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		id = accesskey.NewID()
	}
	secret, now := accesskey.NewSecret(), h.cfg.Now().UTC()
	if err := h.cfg.Keys.Put(ctx, id, secret, o.arn, o.name, now); err != nil {
		return nil, err
	}
	return createAccessKeyResult{AccessKey: accessKeyXML{
		UserName: o.name, AccessKeyID: id, Status: accesskey.Active, SecretAccessKey: secret, CreateDate: isoTime(now),
	}}, nil
}

func (h *Handler) listAccessKeys(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.opt("UserName", ruleUserName)
	marker := p.opt("Marker", ruleMarker)
	limit := p.maxItems()
	if err := p.err(); err != nil {
		return nil, err
	}
	o, err := h.owner(ctx, req, "iam:ListAccessKeys", name)
	if err != nil {
		return nil, err
	}
	keys, err := h.cfg.Keys.List(ctx, o.name)
	if err != nil {
		return nil, err
	}
	pg, err := paginate("keys", keys, func(k accesskey.Info) string { return k.AccessKeyID }, marker, limit)
	if err != nil {
		return nil, err
	}
	res := listAccessKeysResult{IsTruncated: pg.truncated, Marker: pg.marker}
	res.AccessKeyMetadata.Member = make([]accessKeyMetaXML, 0, len(pg.items))
	for _, k := range pg.items {
		res.AccessKeyMetadata.Member = append(res.AccessKeyMetadata.Member, accessKeyMetaXML{
			UserName: k.UserName, AccessKeyID: k.AccessKeyID, Status: k.Status, CreateDate: isoTime(k.CreatedAt),
		})
	}
	return res, nil
}

// ownKey returns the access key an UpdateAccessKey or DeleteAccessKey
// names, after authorizing the caller; a key of anyone but the owner is
// not found.
func (h *Handler) ownKey(ctx context.Context, req *request, action string) (string, error) {
	p := req.params
	name := p.opt("UserName", ruleUserName)
	id := p.req("AccessKeyId", ruleKeyID)
	if action == "iam:UpdateAccessKey" {
		p.req("Status", ruleStatus)
	}
	if err := p.err(); err != nil {
		return "", err
	}
	o, err := h.owner(ctx, req, action, name)
	if err != nil {
		return "", err
	}
	k, err := h.cfg.Keys.Get(ctx, id)
	if errors.Is(err, accesskey.ErrNotFound) || err == nil && k.UserName != o.name {
		return "", noSuchAccessKey(id)
	}
	return id, err
}

func (h *Handler) updateAccessKey(ctx context.Context, req *request) (any, error) {
	id, err := h.ownKey(ctx, req, "iam:UpdateAccessKey")
	if err != nil {
		return nil, err
	}
	err = h.cfg.Keys.SetStatus(ctx, id, req.params.form.Get("Status"))
	if errors.Is(err, accesskey.ErrNotFound) {
		return nil, noSuchAccessKey(id)
	}
	return nil, err
}

func (h *Handler) deleteAccessKey(ctx context.Context, req *request) (any, error) {
	id, err := h.ownKey(ctx, req, "iam:DeleteAccessKey")
	if err != nil {
		return nil, err
	}
	err = h.cfg.Keys.Delete(ctx, id)
	if errors.Is(err, accesskey.ErrNotFound) {
		return nil, noSuchAccessKey(id)
	}
	return nil, err
}
