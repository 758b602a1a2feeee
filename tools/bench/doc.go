// Command bench measures Trent's throughput, latency and CPU cost per
// operation, end to end, through the AWS SDK.
//
// Usage (normally through `make bench BENCHFLAGS='...'`):
//
//	go run ./tools/bench -trent bin/trent [-c 16] [-d 10s] [-warmup 2s]
//	    [-ops encrypt,decrypt,generate-data-key,create-key] [-size 32]
//	    [-rate 0] [-json FILE] [-database-url postgres://... [-compare]]
//	go run ./tools/bench -endpoint http://host:port ...   # credentials from AWS_ACCESS_KEY_ID etc.
//
// # What runs
//
// By default bench starts the trent binary as a subprocess on 127.0.0.1
// port 0 with a fresh data directory in a temporary directory, waits for
// the address it writes to --addr-file, and signs requests with the root
// credentials the server writes to <data-dir>/root-credentials on first
// start. At the end it stops the server with SIGTERM and removes the
// directory. With -endpoint it drives an already-running server instead;
// it cannot see that server's process, so it reports no server CPU.
// The server bench starts gets no TRENT_* variables from bench's
// environment: its flags alone configure it.
//
// With -database-url the server runs on that PostgreSQL database
// (--database-url) instead of the embedded store; the database must be
// empty (or hold only an earlier bench run's data sealed under the same
// root key, which a fresh data directory never has). With -compare as
// well, every scenario runs first on the embedded store, then on
// PostgreSQL, and a last block prints each scenario's PostgreSQL
// throughput as a percentage of the embedded store's. `make
// bench-postgres` does this on a throwaway cluster (scripts/pg.sh) for
// encrypt and create-key.
//
// Requests go through aws-sdk-go-v2's KMS client, exactly as an
// application's would: SigV4 signing, the JSON protocol, HTTP/1.1 with
// keep-alive connections (the transport keeps at least -c idle
// connections per host, so connections are not re-dialled). SDK retries
// are off, so every measured call is one HTTP request and any error stops
// the run with that error.
//
// # What is measured
//
// Each scenario (see scenarios.go) first creates what it needs - a key,
// and for decrypt one ciphertext - then runs -c workers that call its
// operation back to back (closed loop) for -warmup, which is discarded,
// and then for -d, which is measured. With -rate R the workers instead
// take turns on one shared ticker, so at most R calls per second start
// in total; -c 1 -rate 1 measures the latency of an idle server.
//
// For the measured window bench reports:
//
//   - ops and ops/s: calls completed, over the wall time from the start
//     until the last worker has finished its last call (calls started
//     before the deadline are allowed to finish and are counted).
//   - p50, p99: latency percentiles (nearest rank) of every call, timed
//     around the SDK call, so they include signing, marshalling and the
//     loopback round trip as well as the server's work.
//   - server_cpu: user+system CPU time of the server process (utime and
//     stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks of
//     `getconf CLK_TCK`, usually 10 ms) consumed during the window, per
//     1,000 calls. The tick granularity makes the figure imprecise when
//     the window holds few calls, as at -rate 1: it is for throughput runs.
//   - client_cpu: the same for the bench process itself (/proc/self/stat),
//     for context: on one machine client and server share the CPUs, so a
//     throughput figure is only meaningful next to both costs.
//
// The header line records GOMAXPROCS, the number of CPUs, the Go version
// and the concurrency, since the figures depend on all of them. -json
// FILE also writes the results, with more percentiles, as JSON.
package main
