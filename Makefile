# Trent's build, test and benchmark entry points. See the README.

GO ?= go

.PHONY: build run test bench bench-postgres fuzz crash

build:
	$(GO) build -o bin/trent ./cmd/trent

# Runs the service with the embedded store in ./trent-data.
run: build
	./bin/trent server

# Every test, with the set-up a fresh machine needs.
test:
	./scripts/test.sh

# Throughput and latency figures against a real server (see tools/bench),
# then the XKS proxy's encrypt latency on SoftHSM2 (p50-ms, p99-ms), KMS
# Encrypt through an external key store on that proxy (c=16, p50/p99) and
# on an in-memory proxy (BenchmarkEncryptXKS: Trent's own cost), and the
# console's key list with 10,000 keys.
bench: build
	$(GO) run ./tools/bench -trent bin/trent $(BENCHFLAGS)
	$(GO) test -run '^$$' -bench BenchmarkKeyList10k -benchtime 10x ./internal/console/
	$(GO) test -run '^$$' -bench 'BenchmarkProxyEncrypt|BenchmarkKMSEncryptThroughProxy' -benchtime 2000x ./internal/xks/
	$(GO) test -run '^$$' -bench BenchmarkEncryptXKS -benchtime 2000x ./internal/kms/

# make bench on PostgreSQL: starts a throwaway cluster with scripts/pg.sh,
# runs Encrypt and CreateKey on the embedded store and then on PostgreSQL,
# and prints the two side by side. BENCHFLAGS apply (e.g. -d 20s).
BENCHPGFLAGS ?= -ops encrypt,create-key
bench-postgres: build
	@set -e; dir=$$(mktemp -d /tmp/trent-bench-pg.XXXXXX); \
	trap './scripts/pg.sh stop "$$dir" >/dev/null 2>&1 || true; rm -rf "$$dir"' EXIT; \
	dsn=$$(PG_SH_WATCH_PID=$$$$ ./scripts/pg.sh start "$$dir"); \
	$(GO) run ./tools/bench -trent bin/trent -database-url "$$dsn" -compare $(BENCHPGFLAGS) $(BENCHFLAGS)

# Every fuzz target, one after the other, FUZZTIME each (default 30s; 10m
# before a release). Stops at the first crasher and says where it was written.
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) ./scripts/fuzz.sh

# The crash test at release strength: 100 kill -9 cycles under load on each
# store (the normal suite runs 20), on SQLite and on PostgreSQL.
CRASH_CYCLES ?= 100
crash:
	TRENT_CRASH_CYCLES=$(CRASH_CYCLES) $(GO) test -race -count=1 -timeout 30m -run '^TestCrash$$' -v ./e2e
