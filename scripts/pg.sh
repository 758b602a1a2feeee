#!/usr/bin/env bash
# Runs a throwaway PostgreSQL cluster for Trent's tests.
#
#   scripts/pg.sh start DIR   initialise a cluster in DIR (unless there is one),
#                             start it and print its DSN
#   scripts/pg.sh stop DIR    stop it (fast shutdown: a checkpoint, no data loss)
#   scripts/pg.sh env DIR     print "export TRENT_TEST_POSTGRES_DSN=..." for eval
#
# The server listens on 127.0.0.1 on a free port chosen on the first start
# and kept in DIR/port, so that a restart keeps the DSN, and on a unix socket
# in DIR. The superuser "postgres" has a random password, in the DSN and in
# DIR/password; connections over the socket need none. The cluster is
# durable (fsync and synchronous_commit on), and its default collation is
# linguistic (ICU en-US) where initdb supports it: the configuration Trent
# is tested against.
#
# PostgreSQL refuses to run as root: as root, the cluster belongs to the
# "postgres" system user (created if missing) and DIR is chowned to it, so
# DIR's parent must be searchable by that user (a directory under /tmp is).
#
# With PG_SH_WATCH_PID=PID in the environment, start also leaves a watchdog
# that stops the cluster and deletes DIR once process PID has exited: a test
# process killed before its cleanup does not leave a server running.
#
# Exit status 3 means the PostgreSQL binaries were not found; install the
# Debian "postgresql" package (scripts/setup-test-deps.sh does).
set -euo pipefail

usage() {
	echo "usage: $0 start|stop|env DIR" >&2
	exit 2
}
if ! { [ $# -eq 2 ] || { [ $# -eq 3 ] && [ "$1" = watch ]; }; }; then
	usage
fi
self=$(readlink -f "$0")
cmd=$1
dir=$2
case $dir in
/*) ;;
*) dir=$PWD/$dir ;;
esac

# find_bin sets PGBIN to the directory holding pg_ctl, initdb and postgres:
# from PATH (following symlinks) or the newest /usr/lib/postgresql/*/bin.
find_bin() {
	local p
	if p=$(command -v pg_ctl 2>/dev/null) && p=$(readlink -f "$p") && [ -x "$(dirname "$p")/initdb" ]; then
		PGBIN=$(dirname "$p")
		return
	fi
	p=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	if [ -n "$p" ] && [ -x "$p/pg_ctl" ] && [ -x "$p/initdb" ]; then
		PGBIN=$p
		return
	fi
	echo "pg.sh: PostgreSQL binaries (pg_ctl, initdb) not found" >&2
	exit 3
}

# as_owner runs a command as the cluster's owner: postgres when we are root.
as_owner() (
	cd / # the owner may not be able to enter the caller's directory
	if [ "$(id -u)" -eq 0 ]; then
		if command -v runuser >/dev/null 2>&1; then
			runuser -u postgres -- "$@"
		else
			su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
		fi
	else
		"$@"
	fi
)

# free_port prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	local port
	for _ in $(seq 1 50); do
		# Below Linux's ephemeral range (32768 up by default), so that the
		# loopback clients and port-0 listeners of tests running meanwhile
		# cannot take the port between this check and the server's start.
		port=$((15000 + RANDOM % 17000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	echo "pg.sh: no free port found" >&2
	exit 1
}

dsn() {
	printf 'postgres://postgres:%s@127.0.0.1:%s/postgres?sslmode=disable' "$(cat "$dir/password")" "$(cat "$dir/port")"
}

init() {
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		if ! id postgres >/dev/null 2>&1; then
			useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/sh postgres
		fi
		chown postgres: "$dir"
	fi
	chmod 0700 "$dir"
	if [ -f "$dir/data/PG_VERSION" ]; then
		return
	fi
	local pwfile
	pwfile=$(mktemp "$dir/pw.XXXXXX")
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$pwfile"
	[ "$(id -u)" -ne 0 ] || chown postgres: "$pwfile"
	# A linguistic default collation (ICU en-US, PostgreSQL 15 and later),
	# where "Bob" sorts after "alice": the byte order Trent relies on must
	# come from its own COLLATE "C" columns, and the tests check that it does.
	local collation=()
	if "$PGBIN/initdb" --help | grep -q -- --locale-provider; then
		collation=(--locale-provider=icu --icu-locale=en-US)
	fi
	as_owner "$PGBIN/initdb" --pgdata="$dir/data" --username=postgres --pwfile="$pwfile" \
		--auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 "${collation[@]}" \
		--no-instructions >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	mv "$pwfile" "$dir/password"
	free_port >"$dir/port"
}

start() {
	find_bin
	init
	if as_owner "$PGBIN/pg_ctl" --pgdata="$dir/data" status >/dev/null 2>&1; then
		dsn
		echo
		return
	fi
	local port try
	# Only TCP on loopback and the socket in DIR; enough connections for
	# the tests' pools; fsync and synchronous_commit keep their durable
	# defaults. A port taken since it was chosen is chosen again, on the
	# cluster's first start only (a restart must keep its DSN).
	for try in 1 2 3 4 5; do
		port=$(cat "$dir/port")
		if as_owner "$PGBIN/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
			-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c max_connections=200" \
			start >/dev/null; then
			touch "$dir/started"
			break
		fi
		if [ -e "$dir/started" ] || [ "$try" = 5 ] || ! grep -q "Address already in use" "$dir/server.log"; then
			tail -n 20 "$dir/server.log" >&2 || true
			exit 1
		fi
		free_port >"$dir/port"
	done
	if [ -n "${PG_SH_WATCH_PID:-}" ]; then
		# Detached, and with no descriptor of ours, so that whoever reads
		# our output sees it end now.
		setsid "$self" watch "$dir" "$PG_SH_WATCH_PID" </dev/null >/dev/null 2>&1 &
	fi
	dsn
	echo
}

# watch waits for process $1 to exit, then stops the cluster and deletes DIR.
watch() {
	while kill -0 "$1" 2>/dev/null; do
		sleep 1
	done
	stop || true
	rm -rf "$dir"
}

stop() {
	find_bin
	[ -d "$dir/data" ] || return 0
	if as_owner "$PGBIN/pg_ctl" --pgdata="$dir/data" status >/dev/null 2>&1; then
		as_owner "$PGBIN/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --timeout=60 stop >/dev/null
	fi
}

case $cmd in
start) start ;;
stop) stop ;;
env)
	printf "export TRENT_TEST_POSTGRES_DSN='%s'\n" "$(dsn)"
	;;
watch) watch "$3" ;;
*) usage ;;
esac
