package iamapi

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/trent-kms/trent/internal/audit"
)

// requestParameters are the call's parameters but Action and Version,
// named as CloudTrail names them (UserName → userName), without the
// secret ones (Password, OldPassword, NewPassword), which audit's
// redaction drops as it does KMS's.
func requestParameters(form url.Values) json.RawMessage {
	m := make(map[string]string, len(form))
	for k, v := range form {
		if k == "Action" || k == "Version" || len(v) == 0 || strings.HasPrefix(k, "X-Amz-") {
			continue
		}
		m[k] = v[0]
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return audit.RedactParameters(b)
}
