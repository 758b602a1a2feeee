package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go/middleware"
)

// The crash test: a trent server process is killed with SIGKILL at a random
// moment of a burst of mixed writes, again and again, on the embedded store
// and on PostgreSQL. After every restart each write the server acknowledged
// must be there (crash_verify_test.go), and at the end each acknowledged
// request must have its audit record.
//
// TRENT_CRASH_CYCLES sets the number of kill -9 cycles per store (default
// defaultCrashCycles; `make crash` runs 100).
const defaultCrashCycles = 20

const (
	crashWorkers  = 4
	crashBurstMin = 200 * time.Millisecond // a burst lasts 200–800 ms
	crashBurstMax = 800 * time.Millisecond
)

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts servers for a minute")
	}
	cycles := defaultCrashCycles
	if v := os.Getenv("TRENT_CRASH_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("TRENT_CRASH_CYCLES=%q: want a positive number", v)
		}
		cycles = n
	}
	t.Run("sqlite", func(t *testing.T) { crashCycles(t, cycles) })
	t.Run("postgres", func(t *testing.T) {
		dsn, _ := postgresServer(t)
		crashCycles(t, cycles, "--database-url", newDatabase(t, dsn))
	})
}

// crashCycles runs the kill -9 cycles on one data dir (and store args).
func crashCycles(t *testing.T, cycles int, args ...string) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	args = append([]string{"--wrapping-key-pool", "0"}, args...)
	m := newCrashModel()
	workers := make([]*crashWorker, crashWorkers)
	for i := range workers {
		workers[i] = &crashWorker{id: i, m: m, rng: rand.New(rand.NewPCG(seed, uint64(i+1)))}
	}
	cut := 0
	p := startProcessWith(t, dir, nil, args...)
	start := time.Now()
	for cycle := range cycles {
		burst := crashBurstMin + time.Duration(rng.Int64N(int64(crashBurstMax-crashBurstMin)))
		cut += crashBurst(t, p, workers, cycle, burst)
		p = startProcessWith(t, dir, nil, args...)
		m.verifyCycle(t, p.client(), workers) // reads: SDK retries are fine
		if t.Failed() {
			t.Fatalf("cycle %d: acknowledged writes lost (see above); log of the restarted server:\n%s", cycle, p.log)
		}
	}
	m.verifyAll(t, p.client())
	t.Logf("%d kill -9 cycles in %v: %d keys, %d aliases, %d acknowledged requests, %d calls cut by the kill",
		cycles, time.Since(start).Round(time.Millisecond), len(m.keys), len(m.aliases), len(m.calls), cut)
	m.verifyAudit(t, dir, cycles)
}

// crashBurst runs the workers against p for burst, then kills p while
// their calls are in flight. It returns how many calls the kill cut.
func crashBurst(t *testing.T, p *process, workers []*crashWorker, cycle int, burst time.Duration) int {
	t.Helper()
	var (
		stop  atomic.Bool
		wg    sync.WaitGroup
		cut   atomic.Int64
		mu    sync.Mutex
		early []error
	)
	for _, w := range workers {
		c := (&node{process: p}).client()
		wg.Go(func() {
			w.begin(cycle)
			for !stop.Load() {
				if err := w.step(c); err != nil {
					if !stop.Load() && !clientConnRace(err) {
						mu.Lock()
						early = append(early, fmt.Errorf("worker %d: %w", w.id, err))
						mu.Unlock()
					}
					cut.Add(1)
					return // the server is gone, or broken: nothing more to learn
				}
			}
		})
	}
	time.Sleep(burst)
	stop.Store(true) // before the kill: what fails from now on was cut by it
	p.kill()
	wg.Wait()
	for _, err := range early {
		t.Errorf("cycle %d: a call failed before the kill: %v", cycle, err)
	}
	return int(cut.Load())
}

// clientConnRace reports whether err is the SDK client's own race on a
// keep-alive connection (aws-sdk-go-v2 issue 1825: the transport closes the
// connection it is reading an answer from), not an answer of the server.
// The call's outcome is then unknown, as for a call cut by the kill.
func clientConnRace(err error) bool {
	return strings.Contains(err.Error(), "use of closed network connection")
}

// crashWorker issues writes on keys of its own, so that the expected
// state of each key is that of one sequence of calls.
type crashWorker struct {
	id    int
	m     *crashModel
	rng   *rand.Rand
	cycle int
	seq   int
	mine  []*crashKey // keys this worker created (acknowledged)
	// What this burst acknowledged, for the model after the restart.
	touched map[*crashKey]bool
	aliases map[string]string // alias name -> key ID
	calls   []ackedCall
}

func (w *crashWorker) begin(cycle int) {
	w.cycle, w.touched, w.aliases, w.calls = cycle, map[*crashKey]bool{}, map[string]string{}, nil
}

// step issues one write chosen by the state of one of the worker's keys.
// An error leaves that key's state unknown until the next restart.
func (w *crashWorker) step(c *kms.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var live []*crashKey
	for _, k := range w.mine {
		if !k.unknown {
			live = append(live, k)
		}
	}
	if len(live) < 2 || w.rng.IntN(100) < 15 {
		out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(fmt.Sprintf("crash %d/%d", w.id, w.cycle))})
		if err != nil {
			return err
		}
		k := &crashKey{id: aws.ToString(out.KeyMetadata.KeyId), arn: aws.ToString(out.KeyMetadata.Arn), state: types.KeyStateEnabled, tags: map[string]string{}}
		w.mine = append(w.mine, k)
		w.ack(k, "CreateKey", out.ResultMetadata)
		return nil
	}
	k := live[w.rng.IntN(len(live))]
	fail := func(err error) error { k.unknown = true; return err }
	r := w.rng.IntN(100)
	switch {
	case k.state == types.KeyStatePendingDeletion:
		out, e := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: &k.id})
		if e != nil {
			return fail(e)
		}
		k.state = types.KeyStateDisabled
		w.ack(k, "CancelKeyDeletion", out.ResultMetadata)
	case k.state == types.KeyStateEnabled && r < 30:
		pt := make([]byte, 24)
		for i := range pt {
			pt[i] = byte(w.rng.Uint32())
		}
		rememberAs("TestCrash", pt) // the secret scanner checks these never reach disk or logs
		out, e := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &k.id, Plaintext: pt})
		if e != nil {
			return fail(e)
		}
		k.plaintext, k.ciphertext, k.newCiphertext = pt, out.CiphertextBlob, true
		w.ack(k, "Encrypt", out.ResultMetadata)
	case k.state == types.KeyStateEnabled && r < 45:
		w.seq++
		name := fmt.Sprintf("alias/crash-%d-%d", w.id, w.seq)
		out, e := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &name, TargetKeyId: &k.id})
		if e != nil {
			return fail(e)
		}
		w.aliases[name] = k.id
		w.ack(k, "CreateAlias", out.ResultMetadata)
	case r < 65:
		tk, tv := fmt.Sprintf("t%d", w.rng.IntN(8)), strconv.FormatUint(w.rng.Uint64(), 36)
		out, e := c.TagResource(ctx, &kms.TagResourceInput{KeyId: &k.id, Tags: []types.Tag{{TagKey: &tk, TagValue: &tv}}})
		if e != nil {
			return fail(e)
		}
		k.tags[tk], k.newTags = tv, true
		w.ack(k, "TagResource", out.ResultMetadata)
	case r < 92 && k.state == types.KeyStateEnabled:
		out, e := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &k.id})
		if e != nil {
			return fail(e)
		}
		k.state = types.KeyStateDisabled
		w.ack(k, "DisableKey", out.ResultMetadata)
	case r < 92:
		out, e := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &k.id})
		if e != nil {
			return fail(e)
		}
		k.state = types.KeyStateEnabled
		w.ack(k, "EnableKey", out.ResultMetadata)
	default:
		out, e := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &k.id, PendingWindowInDays: aws.Int32(7)})
		if e != nil {
			return fail(e)
		}
		k.state = types.KeyStatePendingDeletion
		w.ack(k, "ScheduleKeyDeletion", out.ResultMetadata)
	}
	return nil
}

// ack notes an acknowledged call on k, with the request ID its audit
// record must carry.
func (w *crashWorker) ack(k *crashKey, op string, md middleware.Metadata) {
	w.touched[k] = true
	id, _ := awsmiddleware.GetRequestIDMetadata(md)
	w.calls = append(w.calls, ackedCall{cycle: w.cycle, op: op, requestID: id, arn: k.arn})
}
