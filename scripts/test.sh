#!/usr/bin/env bash
# Runs every test of Trent on a fresh Debian machine: installs what the
# tests need, checks formatting and static analysis, then runs the whole
# suite with the race detector. This is the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

"$(dirname "$0")/setup-test-deps.sh"

echo "== gofmt"
unformatted=$(gofmt -l cmd internal e2e tools)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
echo "== go vet"
go vet ./...
echo "== staticcheck"
go tool staticcheck ./...
echo "== go test -race"
go test -race -count=1 -timeout 12m "$@" ./...
