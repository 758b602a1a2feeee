# Trent's build, test and benchmark entry points. See the README.

GO ?= go

.PHONY: build run test bench bench-postgres fuzz

build:
	$(GO) build -o bin/trent ./cmd/trent

# Runs the service with the embedded store in ./trent-data.
run: build
	./bin/trent server

# Every test, with the set-up a fresh machine needs.
test:
	./scripts/test.sh

# Throughput and latency figures against a real server (see tools/bench).
bench: build
	$(GO) run ./tools/bench -trent bin/trent $(BENCHFLAGS)

# make bench on PostgreSQL: starts a throwaway cluster with scripts/pg.sh,
# runs Encrypt and CreateKey on the embedded store and then on PostgreSQL,
# and prints the two side by side. BENCHFLAGS apply (e.g. -d 20s).
BENCHPGFLAGS ?= -ops encrypt,create-key
bench-postgres: build
	@set -e; dir=$$(mktemp -d /tmp/trent-bench-pg.XXXXXX); \
	trap './scripts/pg.sh stop "$$dir" >/dev/null 2>&1 || true; rm -rf "$$dir"' EXIT; \
	dsn=$$(PG_SH_WATCH_PID=$$$$ ./scripts/pg.sh start "$$dir"); \
	$(GO) run ./tools/bench -trent bin/trent -database-url "$$dsn" -compare $(BENCHPGFLAGS) $(BENCHFLAGS)
