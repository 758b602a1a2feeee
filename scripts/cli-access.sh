#!/usr/bin/env bash
# The BYOK procedure's access control, replayed with the stock AWS CLI: the
# account root creates a key administrator (who may delete the key) and a
# key user, creates an EXTERNAL key with the policy the console would
# generate, imports material, and then each identity can do exactly what the
# policy says — and every step, denials included, is in the audit trail.
#
# Start a server, then:
#
#   export TRENT_ENDPOINT=http://127.0.0.1:8700
#   export AWS_SHARED_CREDENTIALS_FILE=./trent-data/root-credentials
#   export AWS_DEFAULT_REGION=us-east-1
#   export TRENT_BIN=./bin/trent TRENT_DATA_DIR=./trent-data
#   ./scripts/cli-access.sh
set -euo pipefail

# shellcheck source=scripts/walkthrough-lib.sh
. "$(dirname "$0")/walkthrough-lib.sh"
: "${TRENT_BIN:?set TRENT_BIN to the trent binary}"
: "${TRENT_DATA_DIR:?set TRENT_DATA_DIR to the server data directory}"

iam() { aws --endpoint-url "$TRENT_ENDPOINT" iam "$@"; }

# as NAME COMMAND...: run a command with user NAME's access key.
as() {
	local name=$1 id secret
	shift
	id=$(cat "$WORK/$name.id")
	secret=$(cat "$WORK/$name.secret")
	AWS_ACCESS_KEY_ID=$id AWS_SECRET_ACCESS_KEY=$secret "$@"
}

# --- identities -------------------------------------------------------------

for user in kms-admin app auditor; do
	step "root creates user $user and its access key"
	iam create-user --user-name "$user" >/dev/null
	iam create-access-key --user-name "$user" \
		--query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text >"$WORK/$user.keys"
	cut -f1 "$WORK/$user.keys" >"$WORK/$user.id"
	cut -f2 "$WORK/$user.keys" >"$WORK/$user.secret"
	ok
done

# --- the key and its policy -------------------------------------------------

step "trent admin key-policy generates the console's policy for review"
"$TRENT_BIN" admin key-policy --admin kms-admin --admin-can-delete --user app >"$WORK/policy.json"
grep -q '"Sid": "Allow use of the key"' "$WORK/policy.json" || fail "no key-user statement"
ok

step "root creates an EXTERNAL key with that policy"
KEY=$(kms create-key --origin EXTERNAL --policy "file://$WORK/policy.json" --query KeyMetadata.KeyId --output text)
ok

step "root imports key material (openssl, RSAES_OAEP_SHA_256)"
kms get-parameters-for-import --key-id "$KEY" --wrapping-algorithm RSAES_OAEP_SHA_256 \
	--wrapping-key-spec RSA_2048 --query '[PublicKey,ImportToken]' --output text >"$WORK/params"
cut -f1 "$WORK/params" | tr -d '\n' >"$WORK/PublicKey.b64"
cut -f2 "$WORK/params" | tr -d '\n' >"$WORK/token.b64"
in_work openssl enc -d -base64 -A -in PublicKey.b64 -out WrappingPublicKey.bin
in_work openssl enc -d -base64 -A -in token.b64 -out ImportToken.bin
in_work openssl rand -out PlaintextKeyMaterial.bin 32
in_work openssl pkeyutl -encrypt -in PlaintextKeyMaterial.bin -out EncryptedKeyMaterial.bin \
	-inkey WrappingPublicKey.bin -keyform DER -pubin \
	-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
kms import-key-material --key-id "$KEY" --encrypted-key-material "fileb://$WORK/EncryptedKeyMaterial.bin" \
	--import-token "fileb://$WORK/ImportToken.bin" --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE
ok

# --- each identity does what the policy says ---------------------------------

step "app cannot schedule the key's deletion"
expect_error AccessDeniedException as app kms schedule-key-deletion --key-id "$KEY"
ok

step "app cannot change the key policy"
expect_error AccessDeniedException as app kms put-key-policy --key-id "$KEY" --policy-name default --policy "file://$WORK/policy.json"
ok

step "kms-admin cannot encrypt"
expect_error AccessDeniedException as kms-admin kms encrypt --key-id "$KEY" --plaintext "secret"
ok

step "app encrypts and decrypts"
printf 'for the app' >"$WORK/pt"
as app kms encrypt --key-id "$KEY" --plaintext "fileb://$WORK/pt" --encryption-context tenant=ok \
	--query CiphertextBlob --output text | base64 -d >"$WORK/ct"
as app kms decrypt --ciphertext-blob "fileb://$WORK/ct" --encryption-context tenant=ok \
	--query Plaintext --output text | base64 -d >"$WORK/pt2"
cmp -s "$WORK/pt" "$WORK/pt2" || fail "decrypted plaintext differs"
ok

step "kms-admin adds a Deny on an encryption context to the policy"
python3 - "$WORK/policy.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["Statement"].append({"Sid": "Deny forbidden tenant", "Effect": "Deny", "Principal": {"AWS": "*"},
    "Action": "kms:Encrypt", "Resource": "*",
    "Condition": {"StringEquals": {"kms:EncryptionContext:tenant": "forbidden"}}})
json.dump(p, open(sys.argv[1], "w"))
PY
as kms-admin kms put-key-policy --key-id "$KEY" --policy-name default --policy "file://$WORK/policy.json"
ok

step "the Deny blocks app for that context only"
expect_error AccessDeniedException as app kms encrypt --key-id "$KEY" --plaintext "x" --encryption-context tenant=forbidden
as app kms encrypt --key-id "$KEY" --plaintext "x" --encryption-context tenant=ok >/dev/null
ok

step "a grant lets auditor decrypt until it is revoked"
expect_error AccessDeniedException as auditor kms decrypt --ciphertext-blob "fileb://$WORK/ct" --encryption-context tenant=ok
AUDITOR_ARN=$(iam get-user --user-name auditor --query User.Arn --output text)
GRANT=$(as kms-admin kms create-grant --key-id "$KEY" --grantee-principal "$AUDITOR_ARN" \
	--operations Decrypt --constraints 'EncryptionContextSubset={tenant=ok}' --query GrantId --output text)
as auditor kms decrypt --ciphertext-blob "fileb://$WORK/ct" --encryption-context tenant=ok >/dev/null
expect_eq "grants listed" "$(as kms-admin kms list-grants --key-id "$KEY" --query 'length(Grants)' --output text)" 1
as kms-admin kms revoke-grant --key-id "$KEY" --grant-id "$GRANT"
expect_error AccessDeniedException as auditor kms decrypt --ciphertext-blob "fileb://$WORK/ct" --encryption-context tenant=ok
ok

step "kms-admin may schedule the deletion it is allowed"
as kms-admin kms schedule-key-deletion --key-id "$KEY" --pending-window-in-days 7 >/dev/null
as kms-admin kms cancel-key-deletion --key-id "$KEY" >/dev/null
ok

# --- the audit trail ------------------------------------------------------

step "every step is in the audit trail, denials included"
sleep 0.5 # records reach the file within 100 ms
"$TRENT_BIN" audit --data-dir "$TRENT_DATA_DIR" --errors --json >"$WORK/denials.json"
denials=$(grep -c '"errorCode":"AccessDeniedException"' "$WORK/denials.json")
expect_eq "AccessDenied records" "$denials" 6
for who in app kms-admin auditor; do
	grep -q "\"userName\":\"$who\"" "$WORK/denials.json" || fail "no denial recorded for $who"
done
# (Into files first: grep -q would close the pipe early, and pipefail would
# then report trent audit's broken pipe as a failure.)
"$TRENT_BIN" audit --data-dir "$TRENT_DATA_DIR" --event CreateGrant --json >"$WORK/grants.json"
grep -q '"userName":"kms-admin"' "$WORK/grants.json" || fail "CreateGrant by kms-admin not recorded"
"$TRENT_BIN" audit --data-dir "$TRENT_DATA_DIR" --event CreateUser --json >"$WORK/users.json"
expect_eq "CreateUser records from IAM" "$(grep -c '"eventSource":"iam.amazonaws.com"' "$WORK/users.json")" 3
ok

echo "walk-through complete"
