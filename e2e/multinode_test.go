package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/trent-kms/trent/internal/store/postgres/pgtest"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/jackc/pgx/v5"

	"github.com/trent-kms/trent/internal/server"
)

// PostgreSQL for the multi-node and restore tests: the server named by
// TRENT_TEST_POSTGRES_DSN, or a throwaway cluster that scripts/pg.sh starts
// once per test run (its watchdog stops and deletes it when this process
// exits). Each test gets a database of its own. Without PostgreSQL the
// tests are skipped, unless CI=true.
var (
	pgOnce sync.Once
	pgDSN  string // the server's DSN
	pgDir  string // the cluster started here, or "" for TRENT_TEST_POSTGRES_DSN
	pgErr  error  // why there is none: errNoPostgres, or starting it failed
)

var errNoPostgres = pgtest.ErrNoBinaries

// startCluster starts a new cluster in a new directory, watched by pg.sh's
// watchdog, and returns the directory and DSN.
func startCluster() (dir, dsn string, err error) {
	if dir, err = os.MkdirTemp("", "trent-e2e-pg-"); err != nil {
		return "", "", err
	}
	dsn, err = pgtest.Start(dir)
	if err != nil {
		os.RemoveAll(dir)
	}
	return dir, dsn, err
}

func skipWithoutPostgres(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, errNoPostgres) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// postgresServer returns the test server's DSN and, if this process
// started it, its cluster directory.
func postgresServer(t *testing.T) (dsn, dir string) {
	t.Helper()
	pgOnce.Do(func() {
		if pgDSN = os.Getenv("TRENT_TEST_POSTGRES_DSN"); pgDSN != "" {
			return
		}
		pgDir, pgDSN, pgErr = startCluster()
	})
	skipWithoutPostgres(t, pgErr)
	return pgDSN, pgDir
}

// restartablePostgres returns a cluster the test may stop and start: the
// shared one, or a private one when the shared server is not ours.
func restartablePostgres(t *testing.T) (dsn, dir string) {
	t.Helper()
	if dsn, dir = postgresServer(t); dir != "" {
		return dsn, dir
	}
	dir, dsn, err := startCluster()
	skipWithoutPostgres(t, err)
	t.Cleanup(func() {
		pgtest.Run("stop", dir)
		os.RemoveAll(dir)
	})
	return dsn, dir
}

var dbSeq atomic.Int64

// newDatabase creates an empty database on the server of dsn, dropped at
// the end of the test, and returns its DSN.
func newDatabase(t *testing.T, dsn string) string {
	t.Helper()
	name := fmt.Sprintf("trent_e2e_%d_%d", os.Getpid(), dbSeq.Add(1))
	adminSQL(t, dsn, "CREATE DATABASE "+name)
	t.Cleanup(func() { adminSQL(t, dsn, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	return withDatabase(t, dsn, name)
}

// adminSQL runs one statement on the server of dsn, retrying while the
// server is (re)starting.
func adminSQL(t *testing.T, dsn, sql string) {
	t.Helper()
	var err error
	for range 50 {
		var conn *pgx.Conn
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if conn, err = pgx.Connect(ctx, dsn); err == nil {
			_, err = conn.Exec(ctx, sql)
			conn.Close(ctx)
		}
		cancel()
		if err == nil || !strings.Contains(err.Error(), "connect") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// withDatabase returns dsn naming database name instead.
func withDatabase(t *testing.T, dsn, name string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + name
		return u.String()
	}
	return dsn + " dbname=" + name
}

// node is one trent server process of a fleet.
type node struct {
	*process
	name string
}

// fleet starts trent server processes on one database with one root key,
// and the root credentials given in the environment, as a deployment of
// several nodes should be configured.
type fleet struct {
	t       *testing.T
	dsn     string
	rootKey []byte
	env     []string
}

func newFleet(t *testing.T, dsn string) *fleet {
	key := make([]byte, 32)
	rand.Read(key)
	return &fleet{t: t, dsn: dsn, rootKey: key, env: []string{
		"TRENT_ROOT_ACCESS_KEY_ID=AKIAFLEETROOT0000000",
		"TRENT_ROOT_SECRET_ACCESS_KEY=" + rand.Text(),
	}}
}

// start runs a node with a fresh data dir holding the fleet's root key.
func (f *fleet) start(name string, args ...string) *node {
	f.t.Helper()
	dir := f.t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, server.RootKeyFile), f.rootKey, 0o600); err != nil {
		f.t.Fatal(err)
	}
	args = append([]string{"--database-url", f.dsn, "--sweep-interval", "1s", "--wrapping-key-pool", "0"}, args...)
	return &node{process: startProcessWith(f.t, dir, f.env, args...), name: name}
}

// refusesOtherRootKey runs a node with a root key of its own on the
// fleet's database and checks that it exits with an error naming the root
// key, instead of serving data it cannot unseal.
func (f *fleet) refusesOtherRootKey() {
	f.t.Helper()
	dir := f.t.TempDir()
	other := make([]byte, 32)
	rand.Read(other)
	if err := os.WriteFile(filepath.Join(dir, server.RootKeyFile), other, 0o600); err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, trentBinary(f.t), "server", "--listen", "127.0.0.1:0", "--data-dir", dir,
		"--database-url", f.dsn, "--wrapping-key-pool", "0")
	cmd.Env = append(os.Environ(), f.env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(strings.ToLower(string(out)), "root key") {
		f.t.Fatalf("a node with another root key: %v\n%s", err, out)
	}
}

// client returns a client of n without SDK retries, so that every failure
// is seen.
func (n *node) client() *kms.Client {
	return kms.New(kms.Options{
		Region: region, BaseEndpoint: aws.String(n.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(n.KeyID, n.Secret, ""),
		HTTPClient:  &http.Client{Timeout: 10 * time.Second},
	})
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestMultiNode runs two trent processes on one PostgreSQL database:
// changes made through either are seen by the other (within the default
// cache TTL, server.DefaultSharedCacheTTL), a node killed with SIGKILL under
// load loses no acknowledged write and leaves the other serving, and a
// restarted PostgreSQL is reconnected without restarting Trent.
func TestMultiNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and two servers")
	}
	ctx := context.Background()
	dsn, clusterDir := restartablePostgres(t)
	f := newFleet(t, newDatabase(t, dsn))
	a, b := f.start("A"), f.start("B")
	ca, cb := a.client(), b.client()

	// A key and an alias created on A are usable on B at once (B has no
	// cached copy), and ciphertexts travel both ways.
	key, err := ca.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("fleet key")})
	if err != nil {
		t.Fatal(err)
	}
	id := key.KeyMetadata.KeyId
	if _, err := ca.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/fleet"), TargetKeyId: id}); err != nil {
		t.Fatal(err)
	}
	remember(t, []byte("from B"))
	enc, err := cb.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/fleet"), Plaintext: []byte("from B")})
	if err != nil {
		t.Fatalf("Encrypt on B with a key created on A: %v", err)
	}
	dec, err := ca.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "from B" {
		t.Fatalf("Decrypt on A of B's ciphertext: %v, %v", dec, err)
	}

	// A node with another root key refuses to start on the fleet's data.
	f.refusesOtherRootKey()

	// DisableKey on B: A, which has the key cached as Enabled, refuses
	// within the documented staleness.
	if _, err := ca.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	// The bound is on when a call starts: every call that starts more than
	// the TTL after the change was acknowledged must see it.
	disabled := time.Now()
	for {
		start := time.Now()
		_, err := ca.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
		if errorCode(err) == "DisabledException" {
			break
		}
		if err != nil {
			t.Fatalf("Encrypt on A after DisableKey on B: %v", err)
		}
		if start.Sub(disabled) > server.DefaultSharedCacheTTL {
			t.Fatalf("A still encrypts with a call started %v after DisableKey on B; the documented staleness is %v",
				start.Sub(disabled), server.DefaultSharedCacheTTL)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("A refused the key disabled on B after %v (bound %v)", time.Since(disabled).Round(time.Millisecond), server.DefaultSharedCacheTTL)

	// Load on both nodes; kill -9 A in the middle.
	acked, bErrors, bAfterKill := loadAndKill(t, a, ca, cb)
	if bErrors != 0 {
		t.Errorf("B failed %d calls while A was killed", bErrors)
	}
	if bAfterKill == 0 {
		t.Error("B served nothing after A was killed")
	}
	for _, id := range acked {
		d, err := cb.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		if err != nil || d.KeyMetadata.KeyState != "Enabled" {
			t.Errorf("key %s acknowledged by A before kill -9: on B %v, %v", id, d, err)
		}
	}
	t.Logf("%d keys acknowledged by A before kill -9, all found on B; B served %d calls after the kill", len(acked), bAfterKill)

	// A new node joins (A restarted on a fresh data dir), then PostgreSQL
	// restarts under both: each serves again without a Trent restart.
	a2 := f.start("A2")
	nodes := []*node{a2, b}
	if _, err := pgtest.Run("stop", clusterDir); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if t.Failed() {
				pgtest.Run("start", clusterDir)
			}
		}()
		for _, n := range nodes {
			if status := readyz(t, n); status != http.StatusServiceUnavailable {
				t.Errorf("%s /readyz while PostgreSQL is down: %d", n.name, status)
			}
			if _, err := n.client().CreateKey(ctx, &kms.CreateKeyInput{}); err == nil {
				t.Errorf("%s: CreateKey succeeded while PostgreSQL was down", n.name)
			}
		}
	}()
	if _, err := pgtest.Run("start", clusterDir); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()
	for _, n := range nodes {
		c := n.client()
		failures := 0
		for {
			k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
			if err == nil {
				_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: []byte("again")})
			}
			if err == nil {
				break
			}
			failures++
			if time.Since(restarted) > 15*time.Second {
				t.Fatalf("%s still fails 15s after PostgreSQL restarted: %v\nlog:\n%s", n.name, err, n.log)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("%s serves again %v after the restart, after %d failed calls", n.name, time.Since(restarted).Round(time.Millisecond), failures)
		if status := readyz(t, n); status != http.StatusOK {
			t.Errorf("%s /readyz after PostgreSQL is back: %d", n.name, status)
		}
	}
}

// readyz returns the status of GET /readyz on n, waiting out the second
// for which a result is reused.
func readyz(t *testing.T, n *node) int {
	t.Helper()
	time.Sleep(1100 * time.Millisecond)
	resp, err := http.Get(n.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// loadAndKill runs CreateKey+Encrypt loops against both nodes for about
// three seconds and kills A with SIGKILL halfway. It returns the IDs of
// the keys A acknowledged, how many of B's calls failed, and how many B
// served after the kill.
func loadAndKill(t *testing.T, a *node, ca, cb *kms.Client) (acked []string, bErrors, bAfterKill int64) {
	t.Helper()
	const (
		duration = 3 * time.Second
		workers  = 3 // per node
	)
	var (
		mu       sync.Mutex
		killed   atomic.Bool
		bErrs    atomic.Int64
		bServed  atomic.Int64
		firstErr = map[string]error{}
	)
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for i := range 2 * workers {
		onA := i%2 == 0
		c := cb
		if onA {
			c = ca
		}
		wg.Go(func() {
			for time.Now().Before(deadline) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
				if err == nil {
					if onA {
						mu.Lock()
						acked = append(acked, aws.ToString(k.KeyMetadata.KeyId))
						mu.Unlock()
					}
					_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: []byte("load")})
				}
				cancel()
				switch {
				case err != nil && onA:
					if !killed.Load() {
						mu.Lock()
						firstErr["A before the kill"] = err
						mu.Unlock()
					}
					time.Sleep(20 * time.Millisecond) // A is gone: do not spin
				case err != nil:
					bErrs.Add(1)
					mu.Lock()
					firstErr["B"] = err
					mu.Unlock()
				case !onA && killed.Load():
					bServed.Add(1)
				}
			}
		})
	}
	time.Sleep(duration / 2)
	killed.Store(true) // before: calls in flight fail as A dies
	a.kill()
	wg.Wait()
	for who, err := range firstErr {
		t.Logf("a call on %s failed: %v", who, err)
		if who == "A before the kill" {
			t.Errorf("A failed before it was killed: %v", err)
		}
	}
	if len(acked) == 0 {
		t.Error("A acknowledged no CreateKey before the kill")
	}
	sort.Strings(acked)
	return acked, bErrs.Load(), bServed.Load()
}
