# Trent's build, test and benchmark entry points. See the README.

GO ?= go

.PHONY: build run test bench fuzz

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
