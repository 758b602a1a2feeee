package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestWriteReadFilter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	key := "arn:aws:kms:us-east-1:111122223333:key/k1"
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &Record{
				EventTime: t0.Add(time.Duration(i) * time.Second), EventSource: SourceKMS, EventName: "Encrypt",
				UserIdentity: UserIdentity{Type: "IAMUser", UserName: fmt.Sprint("u", i%2)},
				Resources:    []Resource{{Type: KeyResourceType, ARN: key}},
			}
			if i%5 == 0 {
				r.EventName, r.ErrorCode = "DescribeKey", "AccessDeniedException"
			}
			if err := l.Write(r); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	// A torn last line, as after a crash mid-write, is reported, not
	// skipped, and the records before it are all read.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"eventName":"Encr`)
	f.Close()
	for _, tc := range []struct {
		name string
		f    Filter
		want int
	}{
		{"all", Filter{}, 50},
		{"by event", Filter{EventName: "DescribeKey"}, 10},
		{"errors", Filter{ErrorOnly: true}, 10},
		{"by user", Filter{User: "u1"}, 25},
		{"by key", Filter{KeyARN: key}, 50},
		{"other key", Filter{KeyARN: key + "x"}, 0},
		{"time window", Filter{Since: t0.Add(10 * time.Second), Until: t0.Add(20 * time.Second)}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := Read(path, tc.f, func(r *Record) error {
				if r.EventID == "" || r.EventVersion != eventVersion || r.EventType != EventTypeAPICall {
					t.Fatalf("defaults not filled: %+v", r)
				}
				if r.ReadOnly != (r.EventName == "DescribeKey") {
					t.Fatalf("readOnly %v for %s", r.ReadOnly, r.EventName)
				}
				n++
				return nil
			})
			var bad *UnreadableError
			if !errors.As(err, &bad) || bad.Count != 1 || bad.Lines[0].Line != 51 || !bad.Lines[0].Unterminated || n != tc.want {
				t.Fatalf("got %d records, %v; want %d and the torn line 51 reported", n, err, tc.want)
			}
		})
	}
}

func TestRedactParameters(t *testing.T) {
	raw := RedactParameters([]byte(`{"KeyId":"k","Plaintext":"c2VjcmV0","EncryptionContext":{"Plaintext":"kept: context values are not secret"},"GrantTokens":["t"],"Recipient":{"AttestationDocument":"x"}}`))
	want := `{"encryptionContext":{"Plaintext":"kept: context values are not secret"},"keyId":"k"}`
	if string(raw) != want {
		t.Fatalf("redacted = %s\nwant       %s", raw, want)
	}
	if RedactParameters([]byte("not json")) != nil {
		t.Fatal("non-JSON body redacted to something")
	}
}

// TestEncodingMatchesStructTags checks the hand-written encoder against
// encoding/json on records with every field set, empty, and with strings
// that need escaping.
func TestEncodingMatchesStructTags(t *testing.T) {
	full := Record{
		EventVersion: eventVersion, EventTime: time.Date(2026, 2, 3, 4, 5, 6, 789, time.UTC),
		UserIdentity: UserIdentity{Type: "IAMUser", PrincipalID: "AIDA", ARN: "arn", AccountID: "1", AccessKeyID: "AKIA", UserName: "ü\\\"\n\x01", InvokedBy: "x"},
		EventSource:  SourceKMS, EventName: "Encrypt", AWSRegion: "us-east-1", SourceIPAddress: "::1", UserAgent: "agent/1 \xff",
		ErrorCode: "E", ErrorMessage: "m <&>", RequestParameters: json.RawMessage(`{"keyId":"k"}`), ResponseElements: json.RawMessage(`{"a":1}`),
		RequestID: "r", EventID: "e", ReadOnly: true, Resources: []Resource{{AccountID: "1", Type: KeyResourceType, ARN: "a"}, {AccountID: "2", Type: "T", ARN: "b"}},
		EventType: EventTypeAPICall, ManagementEvent: true, RecipientAccountID: "1",
	}
	for name, r := range map[string]Record{"full": full, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			var viaTags, viaEncoder Record
			want, _ := json.Marshal(r)
			if err := json.Unmarshal(want, &viaTags); err != nil {
				t.Fatal(err)
			}
			got := r.appendJSON(nil)
			if err := json.Unmarshal(got, &viaEncoder); err != nil {
				t.Fatalf("encoder output is not JSON: %v\n%s", err, got)
			}
			a, _ := json.Marshal(viaTags)
			b, _ := json.Marshal(viaEncoder)
			if string(a) != string(b) {
				t.Fatalf("encoder differs from struct tags:\n%s\n%s", b, a)
			}
		})
	}
}
