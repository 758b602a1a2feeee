// Package audit is Trent's audit trail: one CloudTrail-shaped JSON record
// per request — allowed, denied or failed — and per background event
// (deletion at the end of a window, expiry of imported material), appended
// to a log file that Trent never rewrites.
//
// # Records
//
// [Record] follows the fields of an AWS CloudTrail event for KMS, so tools
// that read CloudTrail read these. Request parameters are recorded without
// plaintext, ciphertext, key material, tokens or any other blob (see
// [RedactParameters]).
//
// # Durability
//
// [Log.Write] returns only once its record has been handed to the kernel
// with write(2): the record is in the page cache, which outlives the
// process, so a kill -9 (or any crash of Trent alone) loses no record of
// an answered request. fsync is periodic — every FlushInterval and on
// Close — so a power loss or kernel crash may lose the records of the
// last interval. Concurrent writers are batched into one write(2) by
// whichever of them finds the file free (group commit), so a request pays
// about one small write(2), a few µs. The file is opened O_APPEND with mode
// 0600; Trent never rewrites it, and removes only bytes it has just
// written itself (see Failure).
//
// # Failure
//
// A request that cannot be audited is not served. Before handling a
// request the server asks [Log.Healthy]; while the audit log is failing
// (disk full, I/O error, failed fsync) it refuses requests with
// KMSInternalException, and /readyz reports the node not ready, so a load
// balancer sends traffic elsewhere. A request whose own record fails to be
// written gets KMSInternalException instead of its answer. Operators who
// prefer availability to a complete trail can start the server with
// --audit-fail-open: requests are then served, and answered, even when
// their records are lost.
//
// Failing is never sticky. Every Write tries the file again, and while the
// log is failing, Healthy probes at most once per ProbeInterval (one
// second) whether it could write again — by asking the file system for
// room for some hundred records (fallocate beyond the end of the file), or
// by repeating the failed fsync — so recording and readiness come back by
// themselves once space is freed, without traffic. [Log.Failures] counts
// the records that could not be written (the trent_audit_failures_total
// metric), and the server logs each one.
//
// A write that fails part-way (ENOSPC in the middle of a line) is truncated
// back to the end of the last whole record; if even that fails, the torn
// line is ended with a newline before the next record. A record whose
// Write failed is never torn and, normally, absent.
//
// A crash in the middle of a write(2) (kill -9 during a large batch; a
// power loss, which may also leave zeros) can leave a last line without
// its newline. On the next Open that line is terminated, not removed — it
// may be evidence, and the log is append-only — so the next record starts
// a line of its own; Open reports it (Options.Logger, [Log.Repaired]).
// Such a line was never acknowledged, since Write had not returned. The
// readers never skip a line silently: `trent audit` reports every line that
// is not a record on stderr with its line number and exits with status 3,
// and [Read] returns an [*UnreadableError] after reading all records.
package audit

import (
	"encoding/json"
	"time"
)

// Record is one audit event.
type Record struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       UserIdentity    `json:"userIdentity"`
	EventTime          time.Time       `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress,omitempty"`
	UserAgent          string          `json:"userAgent,omitempty"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	RequestID          string          `json:"requestID,omitempty"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	Resources          []Resource      `json:"resources,omitempty"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
}

// UserIdentity is who made the request.
type UserIdentity struct {
	Type        string `json:"type"` // Root, IAMUser, AWSService
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
	InvokedBy   string `json:"invokedBy,omitempty"`
}

// Resource is a resource a request touched.
type Resource struct {
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

// Event types and sources as CloudTrail names them.
const (
	EventTypeAPICall      = "AwsApiCall"
	EventTypeServiceEvent = "AwsServiceEvent"
	SourceKMS             = "kms.amazonaws.com"
	SourceIAM             = "iam.amazonaws.com"
	SourceSTS             = "sts.amazonaws.com"
	KeyResourceType       = "AWS::KMS::Key"
	eventVersion          = "1.08"
)

// readOnlyPrefixes mark the operations CloudTrail flags readOnly.
var readOnlyPrefixes = []string{"Describe", "Get", "List"}
