#!/usr/bin/env bash
# Installs, from Debian packages, the programs Trent's tests drive: the AWS
# CLI, boto3, openssl, and the PKCS#11 tokens and tools of the trent hsm
# tests (SoftHSM2, NSS softokn with certutil, OpenSC's pkcs11-tool). Does
# nothing for what is already there.
set -euo pipefail

need=()
command -v aws >/dev/null 2>&1 || need+=(awscli)
python3 -c 'import boto3' >/dev/null 2>&1 || need+=(python3-boto3)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
{ command -v softhsm2-util && [ -e /usr/lib/softhsm/libsofthsm2.so ]; } >/dev/null 2>&1 || need+=(softhsm2)
{ command -v certutil && [ -e "/usr/lib/$(uname -m)-linux-gnu/libsoftokn3.so" ]; } >/dev/null 2>&1 || need+=(libnss3-tools)
command -v pkcs11-tool >/dev/null 2>&1 || need+=(opensc)
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
