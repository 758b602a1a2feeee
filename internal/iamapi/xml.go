package iamapi

import (
	"bytes"
	"encoding/xml"
	"strings"
	"time"
)

// encodeResponse writes the answer of action:
//
//	<{action}Response xmlns="{ns}">
//	  <{action}Result>{result}</{action}Result>
//	  <ResponseMetadata><RequestId>{reqID}</RequestId></ResponseMetadata>
//	</{action}Response>
//
// with no Result element when result is nil (DeleteUser and the like).
func encodeResponse(action, ns string, result any, reqID string) ([]byte, error) {
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	start := xml.StartElement{
		Name: xml.Name{Local: action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}},
	}
	if err := enc.EncodeToken(start); err != nil {
		return nil, err
	}
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return nil, err
		}
	}
	meta := struct {
		RequestID string `xml:"RequestId"`
	}{reqID}
	if err := enc.EncodeElement(meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return nil, err
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// errorResponse is the body of every error.
type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func encodeError(ns string, e *apiError, reqID string) []byte {
	b, err := xml.Marshal(errorResponse{Xmlns: ns, Type: e.errType(), Code: e.Code, Message: e.Message, RequestID: reqID})
	if err != nil { // only strings: cannot happen
		panic(err)
	}
	return b
}

// isoTime formats t as IAM does: ISO 8601 in UTC, to the second.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// members is a list as the Query protocol encodes it:
// <Users><member>...</member><member>...</member></Users>. An empty list
// is an empty element, as IAM sends it.
type members[T any] struct {
	Member []T `xml:"member"`
}

// urlEncode encodes a policy document as IAM returns it (GetUserPolicy):
// percent-encoding per RFC 3986, every byte but the unreserved characters
// A-Z a-z 0-9 - _ . ~ (and *, which IAM leaves alone), so that clients
// that decode with RFC 3986 rules get the document back byte for byte.
func urlEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '*':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
