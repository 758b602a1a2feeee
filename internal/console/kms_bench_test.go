package console_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/login"
	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/sqlite"
)

// BenchmarkKeyList10k renders the first page of the key list of an
// account with 10,000 keys, each with an alias, and reports the time a
// page takes (the target is under 100 ms).
func BenchmarkKeyList10k(b *testing.B) {
	const keys = 10000
	base, id, secret := kmsBenchServer(b)
	client := kmsSDK(base, id, secret)
	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, 1)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				ctx := context.Background()
				out, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
				if err == nil {
					_, err = client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(fmt.Sprintf("alias/bench-%05d", i)), TargetKeyId: out.KeyMetadata.KeyId})
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range keys {
		work <- i
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.Logf("created %d keys with aliases in %s", keys, time.Since(start).Round(time.Millisecond))

	browse := kmsBenchSignIn(b, base)
	b.ResetTimer()
	t0 := time.Now()
	for range b.N {
		resp, err := browse.Get(base + "/console/kms/keys")
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !regexp.MustCompile(`alias/bench-\d{5}`).Match(body) {
			b.Fatalf("status %d:\n%s", resp.StatusCode, body)
		}
	}
	b.ReportMetric(float64(time.Since(t0).Microseconds())/1000/float64(b.N), "ms/page")
}

// kmsSDK is a KMS client of the AWS SDK for the server at base, as the
// holder of the access key id.
func kmsSDK(base, id, secret string) *kms.Client {
	return kms.New(kms.Options{Region: testRegion, BaseEndpoint: aws.String(base),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
}

// kmsBenchServer starts a server as newHarness does (which a benchmark
// cannot call) and returns its URL and the root's access key.
func kmsBenchServer(b *testing.B) (base, id, secret string) {
	dir := b.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, server.DatabaseFile))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	err = st.CreateLoginProfile(context.Background(), store.LoginProfile{PasswordHash: login.Hash(rootPassword), CreatedAt: now, PasswordChangedAt: now})
	st.Close()
	if err != nil {
		b.Fatal(err)
	}
	srv, err := server.New(context.Background(), server.Config{DataDir: dir, AccountID: testAccount, Region: testRegion, SweepInterval: time.Minute,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
		srv.Close()
	})
	creds, err := os.ReadFile(filepath.Join(dir, "root-credentials"))
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(aws_access_key_id|aws_secret_access_key)\s*=\s*(\S+)`).FindAllStringSubmatch(string(creds), -1) {
		if m[1] == "aws_access_key_id" {
			id = m[2]
		} else {
			secret = m[2]
		}
	}
	return "http://" + ln.Addr().String(), id, secret
}

// kmsBenchSignIn signs in as the root and returns the browser's client.
func kmsBenchSignIn(b *testing.B, base string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/console/signin")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		b.Fatal("no sign-in token")
	}
	resp, err = c.PostForm(base+"/console/signin", url.Values{"csrf": {string(m[1])}, "as": {"root"}, "account": {testAccount}, "password": {rootPassword}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/console/" {
		b.Fatalf("sign-in ended at %s", resp.Request.URL.Path)
	}
	return c
}
