package iamapi

import (
	"context"

	"github.com/trent-kms/trent/internal/accesskey"
)

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

func (h *Handler) createAccessKey(ctx context.Context, req *request) (any, error) {
	p := req.params
	name := p.opt("UserName", ruleUserName)
	if err := p.err(); err != nil {
		return nil, err
	}
	k, err := h.iam.CreateAccessKey(ctx, name)
	if err != nil {
		return nil, err
	}
	return createAccessKeyResult{AccessKey: accessKeyXML{
		UserName: k.UserName, AccessKeyID: k.AccessKeyID, Status: k.Status,
		SecretAccessKey: k.SecretAccessKey, CreateDate: isoTime(k.CreatedAt),
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
	pg, err := h.iam.ListAccessKeys(ctx, name, marker, limit)
	if err != nil {
		return nil, err
	}
	res := listAccessKeysResult{IsTruncated: pg.Truncated, Marker: pg.Marker}
	res.AccessKeyMetadata.Member = make([]accessKeyMetaXML, 0, len(pg.Items))
	for _, k := range pg.Items {
		res.AccessKeyMetadata.Member = append(res.AccessKeyMetadata.Member, metaOf(k))
	}
	return res, nil
}

func metaOf(k accesskey.Info) accessKeyMetaXML {
	return accessKeyMetaXML{UserName: k.UserName, AccessKeyID: k.AccessKeyID, Status: k.Status, CreateDate: isoTime(k.CreatedAt)}
}

// keyArgs reads the parameters of UpdateAccessKey and DeleteAccessKey.
func keyArgs(req *request, withStatus bool) (name, id, status string, err error) {
	p := req.params
	name = p.opt("UserName", ruleUserName)
	id = p.req("AccessKeyId", ruleKeyID)
	if withStatus {
		status = p.req("Status", ruleStatus)
	}
	return name, id, status, p.err()
}

func (h *Handler) updateAccessKey(ctx context.Context, req *request) (any, error) {
	name, id, status, err := keyArgs(req, true)
	if err != nil {
		return nil, err
	}
	return nil, h.iam.UpdateAccessKey(ctx, name, id, status)
}

func (h *Handler) deleteAccessKey(ctx context.Context, req *request) (any, error) {
	name, id, _, err := keyArgs(req, false)
	if err != nil {
		return nil, err
	}
	return nil, h.iam.DeleteAccessKey(ctx, name, id)
}
