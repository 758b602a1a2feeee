package byokflow

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
)

func TestKMSErrors(t *testing.T) {
	for _, c := range []struct {
		name, op string
		err      error
		want     string
		code     string
	}{
		{"advice after KMS's message", "ImportKeyMaterial", &smithy.GenericAPIError{Code: "ExpiredImportTokenException", Message: "The import token expired at X."},
			"KMS ImportKeyMaterial: ExpiredImportTokenException: The import token expired at X. — import tokens are valid for 24 hours", "ExpiredImportTokenException"},
		// KMS's message says why the token is invalid; the advice must not say it again.
		{"invalid token advised once", "ImportKeyMaterial", &smithy.GenericAPIError{Code: "InvalidImportTokenException", Message: "The import token is not the current one for this KMS key: it was superseded by a later GetParametersForImport, or already used."},
			"KMS ImportKeyMaterial: InvalidImportTokenException: The import token is not the current one for this KMS key: it was superseded by a later GetParametersForImport, or already used. — get new parameters and wrap again", "InvalidImportTokenException"},
		{"transport", "DescribeKey", errors.New("dial tcp 127.0.0.1:1: connect: connection refused"),
			"KMS DescribeKey: dial tcp 127.0.0.1:1: connect: connection refused — check the endpoint (--endpoint-url, AWS_ENDPOINT_URL_KMS)", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := kmsError(c.op, c.err)
			if !strings.HasPrefix(err.Error(), c.want) || apiCode(err) != c.code {
				t.Errorf("%v (%s)", err, apiCode(err))
			}
			if c.want == err.Error() && strings.Count(err.Error(), "superseded") > 1 {
				t.Errorf("advice repeats KMS's message: %v", err)
			}
		})
	}
	if got := KMSAlgorithms("RSA_2048"); strings.Join(got, ",") != "RSAES_OAEP_SHA_256,RSAES_OAEP_SHA_1" {
		t.Errorf("KMSAlgorithms = %v", got)
	}
}

// kmsEnv gives the AWS SDK a region and static credentials, and nothing
// else from the machine.
func kmsEnv(t *testing.T) {
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// TestConnectChecksReachability: a KMS that is down, or does not answer,
// is reported by Connect, at once and without retries, before any step
// touches the HSM.
func TestConnectChecksReachability(t *testing.T) {
	kmsEnv(t)
	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	// A server that accepts and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	old := PingTimeout
	PingTimeout = 300 * time.Millisecond
	defer func() { PingTimeout = old }()
	for _, c := range []struct{ name, endpoint, want string }{
		{"refused", closed, "KMS ListKeys (reachability check): "},
		{"silent", "http://" + silent.Addr().String(), "did not answer within 300ms: check the endpoint"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := Connect(context.Background(), KMSConfig{Endpoint: c.endpoint})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %s: retried?", d)
			}
		})
	}
	t.Setenv("AWS_REGION", "")
	if _, err := Connect(context.Background(), KMSConfig{Endpoint: closed}); err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Errorf("no region: %v", err)
	}
}

func TestExportDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	validTo := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	m := &Manifest{KeyID: "arn:k", WrappingAlgorithm: "RSAES_OAEP_SHA_1", WrappingKeySpec: "RSA_2048", ParametersValidTo: &validTo}
	if err := WriteExport(dir, m, []byte("wrapped"), []byte("token")); err != nil {
		t.Fatal(err)
	}
	if err := WriteExport(dir, m, []byte("other"), []byte("token")); err == nil || !strings.Contains(err.Error(), "already holds an export") {
		t.Errorf("second export into the same directory: %v", err)
	}
	if _, err := NewExport(ExportOptions{Key: KeyChoice{Ref: "k"}, KeyID: "k", OutDir: dir}); err == nil || !strings.Contains(err.Error(), "already holds an export") {
		t.Errorf("NewExport into a used directory: %v", err)
	}
	got, wrapped, token, err := ReadExport(dir)
	if err != nil || string(wrapped) != "wrapped" || string(token) != "token" || got.KeyID != "arn:k" || !got.ParametersValidTo.Equal(validTo) {
		t.Fatalf("ReadExport: %+v %q %q %v", got, wrapped, token, err)
	}
	if err := os.WriteFile(filepath.Join(dir, WrappedKeyFile), []byte("swapped"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := ReadExport(dir); err == nil || !strings.Contains(err.Error(), "wrapped.key does not match the SHA-256 in import.json") {
		t.Errorf("changed wrapped.key: %v", err)
	}
}
