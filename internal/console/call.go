package console

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"

	"github.com/trent-kms/trent/internal/frontdoor"
)

// kms calls the KMS operation op with input in (marshalled as the AWS
// CLI would send it) as the session's principal, through the KMS route,
// and decodes the answer into out (if not nil). A refusal is a
// *frontdoor.CallError.
func (c *Console) kms(r *http.Request, ss *session, op string, in, out any) error {
	body := []byte("{}")
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	req := c.apiRequest(r)
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	res, err := c.invoke(r, ss, "kms", req, body)
	if err != nil || out == nil || len(res.Body) == 0 {
		return err
	}
	return json.Unmarshal(res.Body, out)
}

// iam calls the IAM action with params as the session's principal,
// through the IAM route, and decodes the XML answer into out (if not
// nil): out's fields name the <ActionResult> element's children.
func (c *Console) iam(r *http.Request, ss *session, action string, params url.Values, out any) error {
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("Action", action)
	form.Set("Version", "2010-05-08")
	req := c.apiRequest(r)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	res, err := c.invoke(r, ss, "iam", req, []byte(form.Encode()))
	if err != nil || out == nil {
		return err
	}
	var envelope struct {
		Children []struct {
			XMLName xml.Name
			Inner   []byte `xml:",innerxml"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(res.Body, &envelope); err != nil {
		return err
	}
	for _, ch := range envelope.Children {
		if ch.XMLName.Local == action+"Result" {
			// Wrap the result's children in an element of our own so
			// that out need not name the action.
			return xml.Unmarshal(append(append([]byte("<r>"), ch.Inner...), "</r>"...), out)
		}
	}
	return nil
}

// apiRequest is the wire request of a console call: POST / from the
// browser's address, with its user agent and TLS state.
func (c *Console) apiRequest(r *http.Request) *http.Request {
	req := &http.Request{
		Method: http.MethodPost, URL: &url.URL{Path: "/"}, Host: r.Host, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, RemoteAddr: r.RemoteAddr, TLS: r.TLS, Body: http.NoBody,
	}
	req.Header.Set("User-Agent", "trent-console ("+r.UserAgent()+")")
	return req
}

func (c *Console) invoke(r *http.Request, ss *session, route string, req *http.Request, body []byte) (frontdoor.Result, error) {
	t := c.table.Load()
	if t == nil {
		return frontdoor.Result{}, &pageError{Code: "InternalError", Message: "The console is not bound to the API."}
	}
	res, err := t.Invoke(r.Context(), frontdoor.Invocation{Route: route, Request: req, Body: body, Principal: ss.principal})
	clear(body) // it may hold a password
	return res, err
}
