package iamapi

import (
	"encoding/json"
	"net/url"
	"strings"
)

// requestParameters are the call's parameters but Action and Version,
// named as CloudTrail names them (UserName → userName). No IAM parameter
// of these actions is secret.
func requestParameters(form url.Values) json.RawMessage {
	m := make(map[string]string, len(form))
	for k, v := range form {
		if k == "Action" || k == "Version" || len(v) == 0 || strings.HasPrefix(k, "X-Amz-") {
			continue
		}
		m[memberName(k)] = v[0]
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return b
}
