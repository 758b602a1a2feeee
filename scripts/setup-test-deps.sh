#!/usr/bin/env bash
# Installs, from Debian packages, the programs Trent's tests drive: the AWS
# CLI, boto3, openssl, the PKCS#11 tokens and tools of the trent hsm
# tests (SoftHSM2, NSS softokn with certutil, OpenSC's pkcs11-tool), and
# Chromium for the console's browser tests (e2e/browser), with axe-core from
# npm for their accessibility checks. Does nothing for what is already there.
set -euo pipefail

need=()
command -v aws >/dev/null 2>&1 || need+=(awscli)
python3 -c 'import boto3' >/dev/null 2>&1 || need+=(python3-boto3)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
{ command -v softhsm2-util && [ -e /usr/lib/softhsm/libsofthsm2.so ]; } >/dev/null 2>&1 || need+=(softhsm2)
{ command -v certutil && [ -e "/usr/lib/$(uname -m)-linux-gnu/libsoftokn3.so" ]; } >/dev/null 2>&1 || need+=(libnss3-tools)
command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
	echo "== installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${need[@]}" >/dev/null
fi

# PostgreSQL, for the tests of internal/store/postgres (scripts/pg.sh runs a
# throwaway cluster from these binaries). Debian keeps them off PATH, in
# /usr/lib/postgresql/VERSION/bin.
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
	echo "== installing postgresql"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# The package's own cluster is not needed: keep it from creating and
	# starting one (as the official postgres Docker image does).
	apt-get install -y -qq postgresql-common >/dev/null
	sed -ri 's/^#?\s*(create_main_cluster)\s*=.*$/\1 = false/' /etc/postgresql-common/createcluster.conf
	apt-get install -y -qq postgresql >/dev/null
fi

# axe-core, the accessibility engine e2e/browser injects into every console
# page. Pinned: the version and the sha512 of its npm tarball (npm's
# "integrity"), checked before anything is unpacked. It lives in a cache
# outside the repository (never committed); the tests read it from
# $TRENT_AXE_JS, else from this path.
AXE_VERSION=4.14.1
AXE_SHA512=FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE_DIR=/var/cache/trent-test/axe-core
if ! head -c 64 "$AXE_DIR/axe.min.js" 2>/dev/null | grep -q "axe v$AXE_VERSION\b"; then
	echo "== installing axe-core $AXE_VERSION into $AXE_DIR"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null)
	tgz="$tmp/axe-core-$AXE_VERSION.tgz"
	got=$(openssl dgst -sha512 -binary "$tgz" | openssl base64 -A)
	if [ "$got" != "$AXE_SHA512" ]; then
		echo "axe-core $AXE_VERSION: the tarball's sha512 is $got, not the pinned $AXE_SHA512" >&2
		exit 1
	fi
	tar -xzf "$tgz" -C "$tmp" package/axe.min.js
	mkdir -p "$AXE_DIR"
	install -m 0644 "$tmp/package/axe.min.js" "$AXE_DIR/axe.min.js"
	rm -rf "$tmp"
	trap - EXIT
fi
