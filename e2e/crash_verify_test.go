package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/server"
)

// crashKey is what the server acknowledged about one key.
type crashKey struct {
	id, arn string
	state   types.KeyState
	tags    map[string]string
	// The last acknowledged Encrypt: the ciphertext must still decrypt.
	plaintext, ciphertext []byte
	// unknown: a call on the key was cut by the kill (or failed), so its
	// state is read back after the restart instead of checked.
	unknown bool
	// What the last burst acknowledged besides the state, to check only
	// that after the restart (the suite must stay within about a minute).
	newTags, newCiphertext bool
}

// ackedCall is an acknowledged request, which must have an audit record.
type ackedCall struct {
	cycle     int
	op        string
	requestID string
	arn       string // the key the record must name
}

// crashModel is every write acknowledged so far, across cycles.
type crashModel struct {
	keys    []*crashKey
	aliases map[string]string // alias name -> key ID
	calls   []ackedCall
}

func newCrashModel() *crashModel { return &crashModel{aliases: map[string]string{}} }

// verifyCycle checks, on the server restarted after a kill, every write the
// workers had acknowledged in the burst, re-reads the keys whose last call
// was cut, and adds the burst to the model.
func (m *crashModel) verifyCycle(t *testing.T, c *kms.Client, workers []*crashWorker) {
	t.Helper()
	ctx := context.Background()
	m.keys = m.keys[:0]
	for _, w := range workers {
		m.keys = append(m.keys, w.mine...)
		for _, k := range w.mine {
			if k.unknown || w.touched[k] {
				m.checkKey(t, ctx, c, k, w.cycle)
			}
		}
		m.calls = append(m.calls, w.calls...)
		maps.Copy(m.aliases, w.aliases)
	}
	aliases := listAliases(t, c)
	for _, w := range workers {
		for name, id := range w.aliases {
			if got, ok := aliases[name]; !ok || got != id {
				t.Errorf("cycle %d: alias %s acknowledged for key %s; after kill -9 it targets %q (present %v)", w.cycle, name, id, got, ok)
			}
		}
	}
}

// checkKey compares k with the server, or adopts the server's view if k's
// last call was cut.
func (m *crashModel) checkKey(t *testing.T, ctx context.Context, c *kms.Client, k *crashKey, cycle int) {
	t.Helper()
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &k.id})
	if err != nil {
		t.Errorf("cycle %d: key %s, acknowledged, after kill -9: %v", cycle, k.id, err)
		return
	}
	checkTags, checkCiphertext := k.newTags || k.unknown, k.newCiphertext
	k.newTags, k.newCiphertext = false, false
	tags := k.tags
	if checkTags {
		out, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &k.id, Limit: aws.Int32(50)})
		if err != nil {
			t.Errorf("cycle %d: ListResourceTags %s: %v", cycle, k.id, err)
			return
		}
		tags = map[string]string{}
		for _, tag := range out.Tags {
			tags[aws.ToString(tag.TagKey)] = aws.ToString(tag.TagValue)
		}
	}
	if k.unknown {
		k.state, k.tags, k.unknown = d.KeyMetadata.KeyState, tags, false
	}
	if d.KeyMetadata.KeyState != k.state {
		t.Errorf("cycle %d: key %s is %s after kill -9; the last acknowledged change left it %s", cycle, k.id, d.KeyMetadata.KeyState, k.state)
	}
	if !maps.Equal(tags, k.tags) {
		t.Errorf("cycle %d: key %s has tags %v after kill -9; acknowledged: %v", cycle, k.id, tags, k.tags)
	}
	if checkCiphertext && k.state == types.KeyStateEnabled {
		dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: k.ciphertext})
		if err != nil || !bytes.Equal(dec.Plaintext, k.plaintext) {
			t.Errorf("cycle %d: an acknowledged ciphertext of key %s does not decrypt after kill -9: %v", cycle, k.id, err)
		}
	}
}

// verifyAll checks the whole model once more: a later crash must not have
// undone an earlier cycle's writes.
func (m *crashModel) verifyAll(t *testing.T, c *kms.Client) {
	t.Helper()
	ctx := context.Background()
	present := map[string]bool{}
	for pg := kms.NewListKeysPaginator(c, &kms.ListKeysInput{}); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			present[aws.ToString(k.KeyId)] = true
		}
	}
	for _, k := range m.keys {
		if !present[k.id] {
			t.Errorf("key %s, acknowledged, is missing at the end", k.id)
			continue
		}
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &k.id})
		if err != nil || d.KeyMetadata.KeyState != k.state {
			t.Errorf("key %s at the end: %v, %v; want %s", k.id, d, err, k.state)
		}
	}
	aliases := listAliases(t, c)
	for name, id := range m.aliases {
		if aliases[name] != id {
			t.Errorf("alias %s at the end targets %q; acknowledged %s", name, aliases[name], id)
		}
	}
}

// listAliases returns every alias's target key ID.
func listAliases(t *testing.T, c *kms.Client) map[string]string {
	t.Helper()
	got := map[string]string{}
	for pg := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{}); pg.HasMorePages(); {
		page, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Aliases {
			got[aws.ToString(a.AliasName)] = aws.ToString(a.TargetKeyId)
		}
	}
	return got
}

// verifyAudit checks that every acknowledged request of every cycle has its
// record in the data dir's audit log: same request ID and event name, no
// error, and the key among the resources. The records were written by
// processes killed with SIGKILL, so this holds only if a record reaches the
// kernel before its request is answered.
func (m *crashModel) verifyAudit(t *testing.T, dir string, kills int) {
	t.Helper()
	recs := map[string]*audit.Record{}
	err := audit.Read(filepath.Join(dir, server.AuditFile), audit.Filter{}, func(r *audit.Record) error {
		recs[r.RequestID] = r
		return nil
	})
	// A kill can tear the record of a request in flight, never answered:
	// at most one torn line per kill is expected.
	var torn *audit.UnreadableError
	if errors.As(err, &torn) && torn.Count <= kills {
		t.Logf("%d torn audit lines after %d kills: %v", torn.Count, kills, err)
	} else if err != nil {
		t.Fatal(err)
	}
	missing := map[int]int{} // cycle -> acknowledged requests without a record
	var examples []string
	for _, call := range m.calls {
		if call.requestID == "" {
			t.Errorf("cycle %d: %s was answered without x-amzn-RequestId", call.cycle, call.op)
			continue
		}
		r := recs[call.requestID]
		if r == nil {
			missing[call.cycle]++
			if len(examples) < 5 {
				examples = append(examples, fmt.Sprintf("%s of %s (request %s, cycle %d)", call.op, call.arn, call.requestID, call.cycle))
			}
			continue
		}
		if r.EventName != call.op || r.ErrorCode != "" || !slices.ContainsFunc(r.Resources, func(res audit.Resource) bool { return res.ARN == call.arn }) {
			t.Errorf("audit record of acknowledged %s of %s (request %s): event %q, error %q, resources %+v",
				call.op, call.arn, call.requestID, r.EventName, r.ErrorCode, r.Resources)
		}
	}
	if len(missing) == 0 {
		t.Logf("all %d acknowledged requests have their audit record", len(m.calls))
		return
	}
	total := 0
	var byCycle []string
	for _, cycle := range slices.Sorted(maps.Keys(missing)) {
		total += missing[cycle]
		byCycle = append(byCycle, fmt.Sprintf("cycle %d: %d", cycle, missing[cycle]))
	}
	t.Errorf("AUDIT: %d of %d acknowledged requests have no audit record after kill -9 — a record must reach the kernel before its request is answered.\n"+
		"missing by cycle: %s\nfor example: %s", total, len(m.calls), strings.Join(byCycle, ", "), strings.Join(examples, "; "))
}
