package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

// options are the command line flags.
type options struct {
	trent    string
	endpoint string
	region   string
	c        int
	d        time.Duration
	warmup   time.Duration
	ops      string
	size     int
	rate     float64
	jsonFile string

	databaseURL string
	compare     bool
	floor       bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&o.trent, "trent", "bin/trent", "trent binary to start as the server under test")
	fs.StringVar(&o.endpoint, "endpoint", "", "URL of an already-running server to use instead of starting one; credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	fs.StringVar(&o.region, "region", "us-east-1", "region to sign requests for (the server's --region)")
	fs.IntVar(&o.c, "c", 16, "concurrency: workers calling the server at once")
	fs.DurationVar(&o.d, "d", 10*time.Second, "measured duration per scenario")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured run before each scenario's measured one")
	fs.StringVar(&o.ops, "ops", defaultOps(), "comma-separated scenarios to run")
	fs.IntVar(&o.size, "size", 32, "plaintext bytes for encrypt and decrypt (1 to 4096)")
	fs.Float64Var(&o.rate, "rate", 0, "calls per second across all workers; 0 = as fast as they go")
	fs.StringVar(&o.jsonFile, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&o.databaseURL, "database-url", "", "start the server on this PostgreSQL database (--database-url) instead of the embedded store; give it an empty database")
	fs.BoolVar(&o.compare, "compare", false, "with -database-url: run the scenarios on the embedded store first, then on PostgreSQL, and print one against the other")
	fs.BoolVar(&o.floor, "floor", true, "also measure Encrypt on the floor (trent bench-floor: the same decoding and ciphertext, nothing else), alternating with the server, and print encrypt's server CPU as a multiple of it")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	case o.c < 1:
		return o, errors.New("-c must be at least 1")
	case o.d <= 0:
		return o, errors.New("-d must be positive")
	case o.warmup < 0:
		return o, errors.New("-warmup must not be negative")
	case o.size < 1 || o.size > 4096:
		return o, errors.New("-size must be 1 to 4096 bytes, the plaintext sizes KMS Encrypt accepts")
	case o.rate < 0:
		return o, errors.New("-rate must not be negative")
	case o.databaseURL != "" && o.endpoint != "":
		return o, errors.New("-database-url configures the server bench starts; it cannot be used with -endpoint")
	case o.compare && o.databaseURL == "":
		return o, errors.New("-compare needs -database-url")
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run runs the scenarios on one server or, with -compare, on the
// embedded store and then on PostgreSQL, and writes -json.
func run(ctx context.Context, o options) error {
	scs, err := lookupScenarios(o.ops)
	if err != nil {
		return err
	}
	if !o.compare {
		h, results, err := runOn(ctx, o, scs, o.databaseURL)
		if err != nil {
			return err
		}
		if o.jsonFile != "" {
			return writeJSON(o.jsonFile, runJSON{h, results})
		}
		return nil
	}
	he, embedded, err := runOn(ctx, o, scs, "")
	if err != nil {
		return err
	}
	fmt.Println()
	hp, pg, err := runOn(ctx, o, scs, o.databaseURL)
	if err != nil {
		return err
	}
	fmt.Println()
	fmt.Print(comparison(embedded, pg))
	if o.jsonFile != "" {
		return writeJSON(o.jsonFile, []runJSON{{he, embedded}, {hp, pg}})
	}
	return nil
}

// runOn starts the server (unless -endpoint) on the embedded store or the
// database databaseURL, runs the scenarios one after the other, printing a
// line for each, and stops the server.
func runOn(ctx context.Context, o options, scs []scenario, databaseURL string) (h header, results []result, err error) {
	h = header{
		GoVersion:   runtime.Version(),
		GOMAXPROCS:  runtime.GOMAXPROCS(0),
		NumCPU:      runtime.NumCPU(),
		Concurrency: o.c,
		Duration:    o.d.String(),
		Warmup:      o.warmup.String(),
		Size:        o.size,
		Rate:        o.rate,
		Endpoint:    o.endpoint,
	}
	var (
		accessKey, secretKey, token string
		serverCPU                   func() (time.Duration, error) // nil: unknown
	)
	if o.endpoint == "" {
		h.Store = "embedded"
		if databaseURL != "" {
			h.Store = "postgres"
		}
		srv, err := startServer(o.trent, databaseURL, os.Stderr)
		if err != nil {
			if srv != nil {
				srv.stop()
			}
			return h, nil, err
		}
		defer func() {
			if stopErr := srv.stop(); stopErr != nil && err == nil {
				err = stopErr
			}
		}()
		h.Endpoint, h.Server = srv.Endpoint, o.trent
		accessKey, secretKey = srv.AccessKey, srv.SecretKey
		serverCPU = srv.CPU
	} else if accessKey, secretKey, token, err = envCredentials(); err != nil {
		return h, nil, err
	}
	client := newClient(h.Endpoint, o.region, accessKey, secretKey, token, o.c)

	fmt.Println(h)
	waitIdle(ctx, serverCPU, 90*time.Second)
	for _, sc := range scs {
		f := &fixture{Client: client, Size: o.size}
		r, err := measure(ctx, sc, f, o, serverCPU)
		if ctx.Err() != nil {
			return h, results, fmt.Errorf("%s: interrupted", sc.name)
		}
		if err != nil {
			return h, results, fmt.Errorf("%s: %w", sc.name, err)
		}
		fmt.Println(r)
		results = append(results, r)
	}
	if o.floor && serverCPU != nil && databaseURL == "" {
		fr, err := measureFloor(ctx, o, client, serverCPU)
		results = append(results, fr...)
		if err != nil {
			return h, results, err
		}
	}
	return h, results, nil
}

// measure sets up one scenario, warms it up and measures it.
func measure(ctx context.Context, sc scenario, f *fixture, o options, serverCPU func() (time.Duration, error)) (result, error) {
	if sc.setup != nil {
		if err := sc.setup(ctx, f); err != nil {
			return result{}, fmt.Errorf("setup: %w", err)
		}
	}
	op := func(ctx context.Context) error { return sc.op(ctx, f) }
	// A scenario with its own pace (the import calls, which AWS limits to
	// a few per second) runs with one worker at that rate unless -rate is set.
	rate, workers := o.rate, o.c
	if sc.rate > 0 && o.rate == 0 {
		rate, workers = sc.rate, 1
	}
	phase := func(d time.Duration) ([]time.Duration, time.Duration, error) {
		lim := newLimiter(rate)
		defer lim.Stop()
		return runPhase(ctx, workers, d, lim, op)
	}
	// Paced scenarios skip the warm-up: it would only drain the pool.
	if o.warmup > 0 && !(sc.rate > 0 && o.rate == 0) {
		if _, _, err := phase(o.warmup); err != nil {
			return result{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	clientCPU := func() (time.Duration, error) { return processCPU("/proc/self/stat") }
	server0, client0 := readCPU(serverCPU), readCPU(clientCPU)
	d := o.d
	if sc.rate > 0 && o.rate == 0 {
		// Paced import calls: a handful of samples, within what the
		// server's warm pool holds (see the README's figures).
		d = min(d, importWindow)
	}
	lat, elapsed, err := phase(d)
	if err != nil {
		return result{}, err
	}
	serverUsed := cpuDelta(server0, readCPU(serverCPU))
	clientUsed := cpuDelta(client0, readCPU(clientCPU))
	return newResult(sc.name, workers, rate, lat, elapsed, serverUsed, clientUsed), nil
}

// readCPU returns the CPU time read, or -1 if it cannot be read.
func readCPU(read func() (time.Duration, error)) time.Duration {
	if read == nil {
		return -1
	}
	d, err := read()
	if err != nil {
		return -1
	}
	return d
}

// cpuDelta is after-before, or -1 if either is unknown.
func cpuDelta(before, after time.Duration) time.Duration {
	if before < 0 || after < 0 {
		return -1
	}
	return after - before
}
