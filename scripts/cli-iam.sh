#!/usr/bin/env bash
# A walk-through of Trent's users with the stock AWS CLI: the account root
# creates a user, gives it an access key and policies, the user works with
# its own key, and everything is taken down again. Every call is an ordinary
# `aws iam`, `aws sts` or `aws kms` command pointed at Trent with
# --endpoint-url.
#
# Start a server, then:
#
#   export TRENT_ENDPOINT=http://127.0.0.1:8700
#   export AWS_SHARED_CREDENTIALS_FILE=./trent-data/root-credentials
#   export AWS_DEFAULT_REGION=us-east-1
#   ./scripts/cli-iam.sh
#
# Each step prints "ok: <step>". The first failure stops the script with a
# non-zero status and names the step.
set -euo pipefail

# shellcheck source=scripts/walkthrough-lib.sh
. "$(dirname "$0")/walkthrough-lib.sh"

iam() { aws --endpoint-url "$TRENT_ENDPOINT" iam "$@"; }
sts() { aws --endpoint-url "$TRENT_ENDPOINT" sts "$@"; }

# as_user COMMAND...: run a command with the new user's access key, which
# the environment gives precedence over the root's credentials file.
as_user() { AWS_ACCESS_KEY_ID=$USER_KEY AWS_SECRET_ACCESS_KEY=$USER_SECRET "$@"; }

# retry COMMAND...: KMS may serve a user's previous policies for a second.
retry() {
	local tries=10
	until "$@" 2>/dev/null; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || { "$@"; return; }
		sleep 0.3
	done
}

ROOT_ARN=$(sts get-caller-identity --query Arn --output text)
ACCOUNT=${ROOT_ARN#arn:aws:iam::}
ACCOUNT=${ACCOUNT%%:*}

# --- users ------------------------------------------------------------------

step "sts get-caller-identity as the account root"
expect_eq Arn "$ROOT_ARN" "arn:aws:iam::$ACCOUNT:root"
ok

step "create-user"
OUT=$(iam create-user --user-name kms-admin --query 'User.[UserName,Arn,UserId]' --output text)
read -r NAME ARN USER_ID <<<"$OUT"
expect_eq UserName "$NAME" kms-admin
expect_eq Arn "$ARN" "arn:aws:iam::$ACCOUNT:user/kms-admin"
case $USER_ID in AIDA*) ;; *) fail "UserId $USER_ID" ;; esac
ok

step "create-user again fails (EntityAlreadyExists), whatever the case"
expect_error EntityAlreadyExists iam create-user --user-name KMS-Admin
ok

step "get-user and list-users"
expect_eq UserId "$(iam get-user --user-name kms-admin --query User.UserId --output text)" "$USER_ID"
expect_eq listed "$(iam list-users --query "Users[?UserName=='kms-admin'].Arn" --output text)" "$ARN"
ok

# --- access keys ------------------------------------------------------------

step "create-access-key"
OUT=$(iam create-access-key --user-name kms-admin \
	--query 'AccessKey.[AccessKeyId,SecretAccessKey,Status]' --output text)
read -r USER_KEY USER_SECRET STATUS <<<"$OUT"
expect_eq Status "$STATUS" Active
[ ${#USER_SECRET} -eq 40 ] || fail "secret of ${#USER_SECRET} characters"
ok

step "list-access-keys shows no secret"
OUT=$(iam list-access-keys --user-name kms-admin --output json)
case $OUT in *"$USER_KEY"*) ;; *) fail "key not listed: $OUT" ;; esac
case $OUT in *"$USER_SECRET"*) fail "the secret is listed" ;; esac
ok

step "sts get-caller-identity with the user's key"
expect_eq Arn "$(as_user sts get-caller-identity --query Arn --output text)" "$ARN"
expect_eq UserId "$(as_user sts get-caller-identity --query UserId --output text)" "$USER_ID"
ok

step "the user may not list users yet (AccessDenied)"
expect_error AccessDenied as_user iam list-users
ok

# --- policies ---------------------------------------------------------------

step "attach-user-policy AWSKeyManagementServicePowerUser"
iam attach-user-policy --user-name kms-admin \
	--policy-arn arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser
expect_eq attached "$(iam list-attached-user-policies --user-name kms-admin \
	--query 'AttachedPolicies[].PolicyName' --output text)" AWSKeyManagementServicePowerUser
ok

step "the user creates a KMS key"
KEY=$(retry as_user kms create-key --description "kms-admin's key" --query KeyMetadata.KeyId --output text)
[ -n "$KEY" ] || fail "no KeyId"
ok

step "put-user-policy"
cat >"$WORK/encrypt.json" <<'EOF'
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}
  ]
}
EOF
iam put-user-policy --user-name kms-admin --policy-name encrypt \
	--policy-document "file://$WORK/encrypt.json"
expect_eq policies "$(iam list-user-policies --user-name kms-admin \
	--query 'PolicyNames' --output text)" encrypt
ok

step "get-user-policy returns the document"
expect_eq Action "$(iam get-user-policy --user-name kms-admin --policy-name encrypt \
	--query 'PolicyDocument.Statement[0].Action[1]' --output text)" kms:Decrypt
ok

step "the user encrypts and decrypts"
printf 'attack at dawn' >"$WORK/plain.txt"
retry as_user kms encrypt --key-id "$KEY" --plaintext "fileb://$WORK/plain.txt" \
	--query CiphertextBlob --output text | base64 -d >"$WORK/secret.enc"
expect_eq Plaintext "$(as_user kms decrypt --ciphertext-blob "fileb://$WORK/secret.enc" \
	--query Plaintext --output text | base64 -d)" "attack at dawn"
ok

step "put-user-policy with a principal fails (MalformedPolicyDocument)"
expect_error MalformedPolicyDocument iam put-user-policy --user-name kms-admin --policy-name bad \
	--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}'
ok

# --- deactivation and clean-up ----------------------------------------------

step "update-access-key Inactive: the key stops working"
iam update-access-key --user-name kms-admin --access-key-id "$USER_KEY" --status Inactive
expect_error InvalidClientTokenId as_user sts get-caller-identity
expect_error UnrecognizedClientException as_user kms list-keys
ok

step "delete-user with a key fails (DeleteConflict)"
expect_error DeleteConflict iam delete-user --user-name kms-admin
ok

step "delete-access-key, delete-user-policy, detach-user-policy"
kms schedule-key-deletion --key-id "$KEY" --pending-window-in-days 7 >/dev/null
iam delete-access-key --user-name kms-admin --access-key-id "$USER_KEY"
expect_error NoSuchEntity iam delete-access-key --user-name kms-admin --access-key-id "$USER_KEY"
iam delete-user-policy --user-name kms-admin --policy-name encrypt
iam detach-user-policy --user-name kms-admin \
	--policy-arn arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser
ok

step "delete-user"
iam delete-user --user-name kms-admin
expect_error NoSuchEntity iam get-user --user-name kms-admin
ok

echo "walk-through complete"
