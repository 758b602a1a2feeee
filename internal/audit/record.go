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
// Records are appended in order and flushed to the file system by a
// background loop every FlushInterval and on Close; fsync follows each
// flush. A request does not wait for its record's fsync — CloudTrail itself
// delivers events minutes later — so a crash can lose at most the records
// of the last interval. The file is opened O_APPEND with mode 0600.
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
