# shellcheck shell=bash
# Shared by the walk-through scripts: the kms function, step bookkeeping and
# the checks. Source it; it sets STEP and WORK (a scratch directory removed
# on exit) and reports the failing step.

: "${TRENT_ENDPOINT:?set TRENT_ENDPOINT to the server URL, e.g. http://127.0.0.1:8700}"
export AWS_PAGER="" # AWS CLI v2: print, do not page

kms() { aws --endpoint-url "$TRENT_ENDPOINT" kms "$@"; }

# --- step bookkeeping -------------------------------------------------------

STEP="start-up"
WORK=$(mktemp -d)
finish() {
	local rc=$?
	rm -rf "$WORK"
	if [ "$rc" -ne 0 ]; then
		echo "FAILED: step '$STEP' (exit status $rc)" >&2
	fi
}
trap finish EXIT

step() { STEP=$1; }
ok() { echo "ok: $STEP"; }
fail() {
	echo "FAILED: step '$STEP': $*" >&2
	trap - EXIT
	rm -rf "$WORK"
	exit 1
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# expect_error CODE COMMAND...: the command must fail, and the CLI's error
# output must name the AWS error code.
expect_error() {
	local code=$1 err
	shift
	if err=$("$@" 2>&1 >/dev/null); then
		fail "succeeded, want $code"
	fi
	case $err in
	*"($code)"*) ;;
	*) fail "want $code, got: $err" ;;
	esac
}

# in_work COMMAND...: run a command in the scratch directory.
in_work() { (cd "$WORK" && "$@"); }
