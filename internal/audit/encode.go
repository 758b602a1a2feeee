package audit

import (
	"encoding/json"
	"strconv"
	"time"
)

// appendJSON appends r as one JSON object, the same document json.Marshal
// would produce from the struct tags (which reading relies on), but without
// reflection: a record is written for every request, so this is on the hot
// path.
func (r *Record) appendJSON(b []byte) []byte {
	b = append(b, `{"eventVersion":`...)
	b = strconv.AppendQuote(b, r.EventVersion)
	b = append(b, `,"userIdentity":`...)
	b = r.UserIdentity.appendJSON(b)
	b = append(b, `,"eventTime":"`...)
	b = r.EventTime.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendField(b, "eventSource", r.EventSource, false)
	b = appendField(b, "eventName", r.EventName, false)
	b = appendField(b, "awsRegion", r.AWSRegion, false)
	b = appendField(b, "sourceIPAddress", r.SourceIPAddress, true)
	b = appendField(b, "userAgent", r.UserAgent, true)
	b = appendField(b, "errorCode", r.ErrorCode, true)
	b = appendField(b, "errorMessage", r.ErrorMessage, true)
	b = appendRaw(b, "requestParameters", r.RequestParameters)
	b = appendRaw(b, "responseElements", r.ResponseElements)
	b = appendField(b, "requestID", r.RequestID, true)
	b = appendField(b, "eventID", r.EventID, false)
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, r.ReadOnly)
	if len(r.Resources) > 0 {
		b = append(b, `,"resources":[`...)
		for i, res := range r.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"accountId":`...)
			b = strconv.AppendQuote(b, res.AccountID)
			b = appendField(b, "type", res.Type, false)
			b = appendField(b, "ARN", res.ARN, false)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendField(b, "eventType", r.EventType, false)
	b = append(b, `,"managementEvent":`...)
	b = strconv.AppendBool(b, r.ManagementEvent)
	b = appendField(b, "recipientAccountId", r.RecipientAccountID, false)
	return append(b, '}')
}

func (u *UserIdentity) appendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = strconv.AppendQuote(b, u.Type)
	b = appendField(b, "principalId", u.PrincipalID, true)
	b = appendField(b, "arn", u.ARN, true)
	b = appendField(b, "accountId", u.AccountID, true)
	b = appendField(b, "accessKeyId", u.AccessKeyID, true)
	b = appendField(b, "userName", u.UserName, true)
	b = appendField(b, "invokedBy", u.InvokedBy, true)
	return append(b, '}')
}

// appendField appends ,"name":"value" (nothing if omitEmpty and empty).
// strconv.AppendQuote escapes as JSON needs for valid UTF-8; invalid bytes
// become \x escapes, which JSON does not know, so such strings go through
// encoding/json instead.
func appendField(b []byte, name, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendRaw(b []byte, name string, raw json.RawMessage) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	return append(b, raw...)
}
