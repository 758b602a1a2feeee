#!/usr/bin/env bash
# Runs every fuzz target of Trent, one at a time, each for FUZZTIME (default
# 30s; any `go test -fuzztime` value, e.g. 10m or 5000x). This is `make fuzz`.
#
#   FUZZTIME=10m scripts/fuzz.sh            every target, 10 minutes each
#   scripts/fuzz.sh ./internal/sigv4        only the targets under that path
#
# Targets are found, not listed: every `func FuzzXxx(f *testing.F)` in a
# _test.go file of the tree. Fuzzing one target at a time keeps the machine's
# cores for that target's workers (go test -fuzz accepts one target per run).
#
# On the first failure it stops, exits 1 and prints where go test wrote the
# failing input (PKG/testdata/fuzz/FuzzXxx/HASH). That file is already a
# regression case: `go test ./PKG` replays it. Commit it once the bug is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-30s}
GO=${GO:-go}
roots=("$@")
[ ${#roots[@]} -gt 0 ] || roots=(.)

# "dir name" pairs, sorted, for every fuzz target under the roots.
targets=$(grep -rE --include='*_test.go' --exclude-dir=testdata --exclude-dir=.git -o '^func Fuzz[A-Za-z0-9_]*\(' "${roots[@]}" |
	sed -E 's|^(\./)?(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\2 \3|' | sort -u)
if [ -z "$targets" ]; then
	echo "fuzz.sh: no fuzz targets under ${roots[*]}" >&2
	exit 1
fi

count=$(wc -l <<<"$targets")
echo "== $count fuzz targets, $FUZZTIME each"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while read -r dir name; do
	echo "== ./$dir $name"
	if ! "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "./$dir" 2>&1 | tee "$log"; then
		# go test prints "Failing input written to testdata/fuzz/Name/HASH",
		# relative to the package directory.
		crasher=$(grep -oE 'testdata/fuzz/[^ ]+' "$log" | head -n1 || true)
		echo
		if [ -n "$crasher" ]; then
			echo "FAIL: $name in ./$dir crashed; the input is in $dir/$crasher"
			echo "replay it with: $GO test -run '^${name}\$/$(basename "$crasher")\$' ./$dir"
		else
			echo "FAIL: $name in ./$dir (no failing input was written; see the output above)"
		fi
		exit 1
	fi
done <<<"$targets"
echo "== all $count fuzz targets passed ($FUZZTIME each)"
