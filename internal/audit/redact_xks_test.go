package audit

import (
	"strings"
	"testing"
)

// TestRedactCustomKeyStoreSecrets: the proxy's secret access key and a
// CloudHSM key store password never reach the audit trail, whatever the
// spelling of their member names.
func TestRedactCustomKeyStoreSecrets(t *testing.T) {
	const secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="
	for _, body := range []string{
		`{"CustomKeyStoreName":"x","XksProxyAuthenticationCredential":{"AccessKeyId":"ABCDEFGHIJKLMNOPQRST","RawSecretAccessKey":"` + secret + `"}}`,
		`{"CustomKeyStoreId":"cks-1","xksProxyAuthenticationCredential":{"RawSecretAccessKey":"` + secret + `"}}`,
		`{"CustomKeyStoreName":"x","KeyStorePassword":"` + secret + `"}`,
		`{"CustomKeyStoreName":"x","\u004beyStorePassword":"` + secret + `"}`,
	} {
		got := string(RedactParameters([]byte(body)))
		if strings.Contains(got, secret) || !strings.Contains(got, "customKeyStore") {
			t.Errorf("RedactParameters(%s) = %s", body, got)
		}
	}
}
