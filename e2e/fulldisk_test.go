package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/server"
)

// TestFullDisk runs a server process whose data dir — database and audit
// log — is a 4 MiB tmpfs, fills it, and checks the contract for a full
// disk: every call is either acknowledged (and then durable and audited) or
// refused with KMSInternalException (HTTP 500), never anything else;
// /readyz reports not ready; and when space returns, service, readiness
// and auditing come back by themselves. Acknowledged writes survive a
// kill -9 afterwards, with their audit records.
func TestFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs")
	}
	ctx := context.Background()
	dir := tmpfsDir(t, "4m")
	args := []string{"--wrapping-key-pool", "0"}
	p := startProcessWith(t, dir, nil, args...)
	n := &node{process: p, name: "full disk"}
	c := n.client()

	var keys []string     // acknowledged key IDs
	var acked []ackedCall // acknowledged requests, which must be audited
	ack := func(op, arn string, md middleware.Metadata) {
		id, _ := awsmiddleware.GetRequestIDMetadata(md)
		acked = append(acked, ackedCall{op: op, requestID: id, arn: arn})
	}
	createKey := func() error {
		out, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
		if err == nil {
			keys = append(keys, aws.ToString(out.KeyMetadata.KeyId))
			ack("CreateKey", aws.ToString(out.KeyMetadata.Arn), out.ResultMetadata)
		}
		return err
	}
	for range 3 {
		if err := createKey(); err != nil {
			t.Fatal(err)
		}
	}

	plaintext := []byte("written on a full disk")
	remember(t, plaintext)
	filler := fillDisk(t, dir)
	refused := 0
	for i := range 20 {
		var err error
		switch i % 3 {
		case 0:
			err = createKey()
		case 1:
			var out *kms.EncryptOutput
			if out, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: &keys[0], Plaintext: plaintext}); err == nil {
				ack("Encrypt", keyARN(keys[0]), out.ResultMetadata)
			}
		case 2:
			var out *kms.TagResourceOutput
			tag := types.Tag{TagKey: aws.String("full"), TagValue: aws.String(fmt.Sprint(i))}
			if out, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: &keys[0], Tags: []types.Tag{tag}}); err == nil {
				ack("TagResource", keyARN(keys[0]), out.ResultMetadata)
			}
		}
		if err == nil {
			continue
		}
		refused++
		var re *awshttp.ResponseError
		if code := errorCode(err); code != "KMSInternalException" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusInternalServerError {
			t.Errorf("call %d on a full disk: %v; want KMSInternalException, HTTP 500", i, err)
		}
	}
	if refused == 0 {
		t.Fatalf("20 calls on a full disk were all acknowledged; log:\n%s", p.log)
	}
	t.Logf("on a full disk: %d calls refused, %d acknowledged", refused, 20-refused)
	if status := readyz(t, n); status != http.StatusServiceUnavailable {
		t.Errorf("/readyz on a full disk: %d, want 503", status)
	}

	// Space returns: service, readiness and auditing resume unaided.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	for {
		err := createKey()
		if err == nil {
			break
		}
		if time.Since(freed) > 15*time.Second {
			t.Fatalf("CreateKey still fails 15s after space returned: %v\nlog:\n%s", err, p.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("service resumed %v after space returned", time.Since(freed).Round(time.Millisecond))
	if status := readyz(t, n); status != http.StatusOK {
		t.Errorf("/readyz after space returned: %d, want 200", status)
	}
	last := acked[len(acked)-1]
	for deadline := time.Now().Add(2 * time.Second); len(unaudited(t, dir, []ackedCall{last})) > 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("auditing did not resume: no record of %s (request %s) 2s after it was answered", last.op, last.requestID)
			break
		}
	}

	// Nothing acknowledged is lost, nor its record, even by a kill -9 now.
	p.kill()
	c = (&node{process: startProcessWith(t, dir, nil, args...)}).client()
	for _, id := range keys {
		if _, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id}); err != nil {
			t.Errorf("key %s, acknowledged, after the disk was full and a restart: %v", id, err)
		}
	}
	if missing := unaudited(t, dir, acked); len(missing) > 0 {
		t.Errorf("AUDIT: %d of %d acknowledged requests have no audit record, e.g. %s (request %s)",
			len(missing), len(acked), missing[0].op, missing[0].requestID)
	}
}

// unaudited returns the calls without a matching record in dir's audit log.
func unaudited(t *testing.T, dir string, calls []ackedCall) []ackedCall {
	t.Helper()
	seen := map[string]string{} // request ID -> event name
	err := audit.Read(filepath.Join(dir, server.AuditFile), audit.Filter{}, func(r *audit.Record) error {
		if r.ErrorCode == "" {
			seen[r.RequestID] = r.EventName
		}
		return nil
	})
	var torn *audit.UnreadableError // a record torn by the kill: never answered
	if err != nil && !errors.As(err, &torn) {
		t.Fatal(err)
	}
	var out []ackedCall
	for _, c := range calls {
		if seen[c.requestID] != c.op {
			out = append(out, c)
		}
	}
	return out
}

// tmpfsDir mounts a tmpfs of size (e.g. "4m") on a new directory and
// unmounts it when the test ends. It needs root; without it the test is
// skipped, unless CI=true.
func tmpfsDir(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") != "true" {
			t.Skipf("cannot mount a tmpfs (run as root): %v: %s", err, out)
		}
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fillDisk writes a file into dir until the file system has no byte left,
// and returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, chunk := range []int{64 << 10, 4 << 10, 1} {
		buf := make([]byte, chunk)
		for {
			if _, err = f.Write(buf); err != nil {
				break
			}
		}
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("filling the disk: %v", err)
		}
	}
	return path
}
