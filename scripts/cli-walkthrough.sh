#!/usr/bin/env bash
# A walk-through of Trent with the stock AWS CLI: every call below is an
# ordinary `aws kms` command, pointed at Trent with --endpoint-url.
#
# Start a server, then:
#
#   export TRENT_ENDPOINT=http://127.0.0.1:8700
#   export AWS_SHARED_CREDENTIALS_FILE=./trent-data/root-credentials
#   export AWS_DEFAULT_REGION=us-east-1
#   ./scripts/cli-walkthrough.sh
#
# Each step prints "ok: <step>". The first failure stops the script with a
# non-zero status and names the step. Binary values go in through fileb://
# (raw bytes), which AWS CLI v1 and v2 read the same way; the CLI prints
# binary values base64-encoded.
set -euo pipefail

# shellcheck source=scripts/walkthrough-lib.sh
. "$(dirname "$0")/walkthrough-lib.sh"

# b64len: the number of bytes a base64 string on stdin decodes to.
b64len() { base64 -d | wc -c | tr -d ' '; }

# --- keys -------------------------------------------------------------------

step "create-key with a description and tags"
KEY=$(kms create-key --description "walk-through key" \
	--tags TagKey=team,TagValue=docs TagKey=env,TagValue=test \
	--query KeyMetadata.KeyId --output text)
[ -n "$KEY" ] || fail "no KeyId"
ok

step "describe-key"
OUT=$(kms describe-key --key-id "$KEY" \
	--query 'KeyMetadata.[KeyState,KeySpec,KeyUsage,Arn]' --output text)
read -r STATE SPEC USAGE ARN <<<"$OUT"
expect_eq KeyState "$STATE" Enabled
expect_eq KeySpec "$SPEC" SYMMETRIC_DEFAULT
expect_eq KeyUsage "$USAGE" ENCRYPT_DECRYPT
expect_eq Arn "$ARN" "arn:aws:kms:us-east-1:111122223333:key/$KEY"
ok

step "list-keys"
FOUND=$(kms list-keys --query "Keys[?KeyId=='$KEY'].KeyId" --output text)
expect_eq "listed key" "$FOUND" "$KEY"
ok

step "create-alias"
kms create-alias --alias-name alias/walkthrough --target-key-id "$KEY"
ok

step "list-aliases"
TARGET=$(kms list-aliases \
	--query "Aliases[?AliasName=='alias/walkthrough'].TargetKeyId" --output text)
expect_eq "alias/walkthrough target" "$TARGET" "$KEY"
ok

step "list-aliases --key-id"
NAMES=$(kms list-aliases --key-id "$KEY" --query 'Aliases[].AliasName' --output text)
expect_eq "aliases of $KEY" "$NAMES" alias/walkthrough
ok

step "describe-key by alias"
expect_eq KeyId "$(kms describe-key --key-id alias/walkthrough \
	--query KeyMetadata.KeyId --output text)" "$KEY"
ok

# --- encrypt, decrypt, re-encrypt -------------------------------------------

printf 'attack at dawn\n\000\377 with raw bytes' >"$WORK/secret.bin"

step "encrypt with an encryption context"
kms encrypt --key-id alias/walkthrough --plaintext "fileb://$WORK/secret.bin" \
	--encryption-context purpose=walkthrough,team=docs \
	--query CiphertextBlob --output text | base64 -d >"$WORK/secret.enc"
[ -s "$WORK/secret.enc" ] || fail "empty CiphertextBlob"
ok

step "decrypt round-trips byte-exact"
kms decrypt --ciphertext-blob "fileb://$WORK/secret.enc" \
	--encryption-context purpose=walkthrough,team=docs \
	--query Plaintext --output text | base64 -d >"$WORK/secret.out"
cmp -s "$WORK/secret.bin" "$WORK/secret.out" || fail "decrypted bytes differ from the original"
ok

step "decrypt with a wrong encryption context fails (InvalidCiphertextException)"
expect_error InvalidCiphertextException \
	kms decrypt --ciphertext-blob "fileb://$WORK/secret.enc" \
	--encryption-context purpose=walkthrough,team=other
ok

step "create a second key"
KEY2=$(kms create-key --description "walk-through key 2" --query KeyMetadata.KeyId --output text)
ok

step "re-encrypt to the second key"
OUT=$(kms re-encrypt --ciphertext-blob "fileb://$WORK/secret.enc" \
	--source-encryption-context purpose=walkthrough,team=docs \
	--destination-key-id "$KEY2" --destination-encryption-context purpose=moved \
	--query '[SourceKeyId,KeyId,CiphertextBlob]' --output text)
read -r SOURCE DEST BLOB <<<"$OUT"
expect_eq SourceKeyId "$SOURCE" "$ARN"
expect_eq KeyId "$DEST" "arn:aws:kms:us-east-1:111122223333:key/$KEY2"
base64 -d <<<"$BLOB" >"$WORK/secret.re"
ok

step "decrypt the re-encrypted ciphertext"
OUT=$(kms decrypt --ciphertext-blob "fileb://$WORK/secret.re" \
	--encryption-context purpose=moved --query '[KeyId,Plaintext]' --output text)
read -r DKEY PLAIN <<<"$OUT"
expect_eq KeyId "$DKEY" "arn:aws:kms:us-east-1:111122223333:key/$KEY2"
base64 -d <<<"$PLAIN" >"$WORK/secret.out"
cmp -s "$WORK/secret.bin" "$WORK/secret.out" || fail "decrypted bytes differ from the original"
ok

# --- data keys and random bytes ---------------------------------------------

step "generate-data-key"
OUT=$(kms generate-data-key --key-id "$KEY" --key-spec AES_256 \
	--query '[CiphertextBlob,Plaintext]' --output text)
read -r DK_BLOB DK_PLAIN <<<"$OUT"
expect_eq "data key length" "$(b64len <<<"$DK_PLAIN")" 32
base64 -d <<<"$DK_BLOB" >"$WORK/datakey.enc"
ok

step "decrypt the data key"
expect_eq Plaintext "$(kms decrypt --ciphertext-blob "fileb://$WORK/datakey.enc" \
	--query Plaintext --output text)" "$DK_PLAIN"
ok

step "generate-data-key-without-plaintext"
OUT=$(kms generate-data-key-without-plaintext --key-id "$KEY" --key-spec AES_256 \
	--query '[CiphertextBlob,Plaintext]' --output text)
read -r DK_BLOB DK_PLAIN <<<"$OUT"
expect_eq Plaintext "$DK_PLAIN" None
base64 -d <<<"$DK_BLOB" >"$WORK/datakey2.enc"
expect_eq "data key length" "$(kms decrypt --ciphertext-blob "fileb://$WORK/datakey2.enc" \
	--query Plaintext --output text | b64len)" 32
ok

step "generate-random"
expect_eq "random length" "$(kms generate-random --number-of-bytes 64 \
	--query Plaintext --output text | b64len)" 64
ok

# --- tags and description ---------------------------------------------------

step "tag-resource"
kms tag-resource --key-id "$KEY" --tags TagKey=project,TagValue=trent TagKey=env,TagValue=prod
ok

step "untag-resource"
kms untag-resource --key-id "$KEY" --tag-keys team
ok

step "list-resource-tags"
TAGS=$(kms list-resource-tags --key-id "$KEY" \
	--query 'sort_by(Tags,&TagKey)[].[TagKey,TagValue]' --output text)
expect_eq Tags "$TAGS" $'env\tprod\nproject\ttrent'
ok

step "update-key-description"
kms update-key-description --key-id "$KEY" --description "walk-through key, renamed"
expect_eq Description "$(kms describe-key --key-id "$KEY" \
	--query KeyMetadata.Description --output text)" "walk-through key, renamed"
ok

# --- enable and disable -----------------------------------------------------

step "disable-key"
kms disable-key --key-id "$KEY"
expect_eq KeyState "$(kms describe-key --key-id "$KEY" --query KeyMetadata.KeyState --output text)" Disabled
ok

step "encrypt with a disabled key fails (DisabledException)"
expect_error DisabledException \
	kms encrypt --key-id "$KEY" --plaintext "fileb://$WORK/secret.bin"
ok

step "enable-key"
kms enable-key --key-id "$KEY"
expect_eq KeyState "$(kms describe-key --key-id "$KEY" --query KeyMetadata.KeyState --output text)" Enabled
kms encrypt --key-id "$KEY" --plaintext "fileb://$WORK/secret.bin" >/dev/null
ok

# --- aliases ----------------------------------------------------------------

step "update-alias"
kms update-alias --alias-name alias/walkthrough --target-key-id "$KEY2"
expect_eq "aliases of $KEY2" "$(kms list-aliases --key-id "$KEY2" \
	--query 'Aliases[].AliasName' --output text)" alias/walkthrough
ok

step "delete-alias"
kms delete-alias --alias-name alias/walkthrough
expect_eq "aliases of $KEY2" "$(kms list-aliases --key-id "$KEY2" \
	--query 'length(Aliases)' --output text)" 0
ok

step "describe-key of a missing alias fails (NotFoundException)"
expect_error NotFoundException kms describe-key --key-id alias/does-not-exist
ok

step "create-alias under alias/aws/ fails (NotAuthorizedException)"
expect_error NotAuthorizedException \
	kms create-alias --alias-name alias/aws/x --target-key-id "$KEY"
ok

# --- rotation ---------------------------------------------------------------

step "get-key-rotation-status of a new key"
expect_eq KeyRotationEnabled "$(kms get-key-rotation-status --key-id "$KEY" \
	--query KeyRotationEnabled --output text)" False
ok

step "enable-key-rotation with 2561 days fails (ValidationException)"
expect_error ValidationException \
	kms enable-key-rotation --key-id "$KEY" --rotation-period-in-days 2561
ok

step "enable-key-rotation every 180 days"
kms enable-key-rotation --key-id "$KEY" --rotation-period-in-days 180
OUT=$(kms get-key-rotation-status --key-id "$KEY" \
	--query '[KeyRotationEnabled,RotationPeriodInDays,NextRotationDate]' --output text)
read -r ENABLED PERIOD NEXT <<<"$OUT"
expect_eq KeyRotationEnabled "$ENABLED" True
expect_eq RotationPeriodInDays "$PERIOD" 180
[ "$NEXT" != None ] || fail "no NextRotationDate"
ok

step "rotate-key-on-demand"
OLD_MATERIAL=$(kms describe-key --key-id "$KEY" --query KeyMetadata.CurrentKeyMaterialId --output text)
expect_eq KeyId "$(kms rotate-key-on-demand --key-id "$KEY" --query KeyId --output text)" "$ARN"
NEW_MATERIAL=$(kms describe-key --key-id "$KEY" --query KeyMetadata.CurrentKeyMaterialId --output text)
[ "$NEW_MATERIAL" != "$OLD_MATERIAL" ] || fail "CurrentKeyMaterialId did not change"
expect_eq NextRotationDate "$(kms get-key-rotation-status --key-id "$KEY" \
	--query NextRotationDate --output text)" "$NEXT"
ok

step "list-key-rotations"
OUT=$(kms list-key-rotations --key-id "$KEY" \
	--query 'Rotations[].[KeyMaterialId,KeyMaterialState,RotationType]' --output text)
read -r MATERIAL MSTATE RTYPE <<<"$OUT"
expect_eq KeyMaterialId "$MATERIAL" "$NEW_MATERIAL"
expect_eq KeyMaterialState "$MSTATE" CURRENT
expect_eq RotationType "$RTYPE" ON_DEMAND
expect_eq "materials" "$(kms list-key-rotations --key-id "$KEY" --include-key-material ALL_KEY_MATERIAL \
	--query 'length(Rotations)' --output text)" 2
ok

step "decrypt a ciphertext made before the rotation"
OUT=$(kms decrypt --ciphertext-blob "fileb://$WORK/secret.enc" \
	--encryption-context purpose=walkthrough,team=docs --query '[KeyMaterialId,Plaintext]' --output text)
read -r MATERIAL PLAIN <<<"$OUT"
expect_eq KeyMaterialId "$MATERIAL" "$OLD_MATERIAL"
base64 -d <<<"$PLAIN" >"$WORK/secret.out"
cmp -s "$WORK/secret.bin" "$WORK/secret.out" || fail "decrypted bytes differ from the original"
ok

step "disable-key-rotation"
kms disable-key-rotation --key-id "$KEY"
expect_eq RotationPeriodInDays "$(kms get-key-rotation-status --key-id "$KEY" \
	--query '[KeyRotationEnabled,RotationPeriodInDays]' --output text)" "False	None"
ok

# --- sign and verify --------------------------------------------------------

printf 'the message to sign\n' >"$WORK/message.txt"

step "create-key ECC_NIST_P256 for SIGN_VERIFY"
SKEY=$(kms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY \
	--query KeyMetadata.KeyId --output text)
expect_eq SigningAlgorithms "$(kms describe-key --key-id "$SKEY" \
	--query 'KeyMetadata.SigningAlgorithms' --output text)" ECDSA_SHA_256
ok

step "sign"
kms sign --key-id "$SKEY" --message "fileb://$WORK/message.txt" --message-type RAW \
	--signing-algorithm ECDSA_SHA_256 --query Signature --output text | base64 -d >"$WORK/message.sig"
[ -s "$WORK/message.sig" ] || fail "empty Signature"
ok

step "verify"
expect_eq SignatureValid "$(kms verify --key-id "$SKEY" --message "fileb://$WORK/message.txt" \
	--message-type RAW --signature "fileb://$WORK/message.sig" --signing-algorithm ECDSA_SHA_256 \
	--query SignatureValid --output text)" True
ok

step "verify a changed message fails (KMSInvalidSignatureException)"
printf 'the message to sign!\n' >"$WORK/other.txt"
expect_error KMSInvalidSignatureException \
	kms verify --key-id "$SKEY" --message "fileb://$WORK/other.txt" --message-type RAW \
	--signature "fileb://$WORK/message.sig" --signing-algorithm ECDSA_SHA_256
ok

step "verify the signature with openssl and the key from get-public-key"
kms get-public-key --key-id "$SKEY" --query PublicKey --output text | base64 -d >"$WORK/public.der"
openssl pkey -pubin -inform DER -in "$WORK/public.der" -out "$WORK/public.pem" 2>/dev/null ||
	fail "openssl cannot read the public key"
openssl dgst -sha256 -verify "$WORK/public.pem" -signature "$WORK/message.sig" \
	"$WORK/message.txt" >/dev/null || fail "openssl refused the signature"
ok

step "get-key-last-usage names the last successful operation"
expect_eq Operation "$(kms get-key-last-usage --key-id "$SKEY" \
	--query KeyLastUsage.Operation --output text)" Verify
ok

# --- HMAC -------------------------------------------------------------------

step "create-key HMAC_256 for GENERATE_VERIFY_MAC"
MKEY=$(kms create-key --key-spec HMAC_256 --key-usage GENERATE_VERIFY_MAC \
	--query KeyMetadata.KeyId --output text)
ok

step "generate-mac"
kms generate-mac --key-id "$MKEY" --message "fileb://$WORK/message.txt" --mac-algorithm HMAC_SHA_256 \
	--query Mac --output text | base64 -d >"$WORK/message.mac"
expect_eq "MAC length" "$(wc -c <"$WORK/message.mac" | tr -d ' ')" 32
ok

step "verify-mac"
expect_eq MacValid "$(kms verify-mac --key-id "$MKEY" --message "fileb://$WORK/message.txt" \
	--mac-algorithm HMAC_SHA_256 --mac "fileb://$WORK/message.mac" --query MacValid --output text)" True
ok

step "verify-mac of a tampered MAC fails (KMSInvalidMacException)"
# Change the first base64 digit, which changes the first byte of the MAC.
MAC_B64=$(base64 -w0 <"$WORK/message.mac")
case $MAC_B64 in A*) FIRST=B ;; *) FIRST=A ;; esac
base64 -d <<<"$FIRST${MAC_B64:1}" >"$WORK/tampered.mac"
cmp -s "$WORK/message.mac" "$WORK/tampered.mac" && fail "the tampered MAC is unchanged"
expect_error KMSInvalidMacException \
	kms verify-mac --key-id "$MKEY" --message "fileb://$WORK/message.txt" \
	--mac-algorithm HMAC_SHA_256 --mac "fileb://$WORK/tampered.mac"
ok

# --- deletion ---------------------------------------------------------------

step "schedule-key-deletion with 6 days fails (ValidationException)"
expect_error ValidationException \
	kms schedule-key-deletion --key-id "$KEY2" --pending-window-in-days 6
ok

step "schedule-key-deletion"
OUT=$(kms schedule-key-deletion --key-id "$KEY2" --pending-window-in-days 7 \
	--query '[KeyState,PendingWindowInDays]' --output text)
read -r STATE WINDOW <<<"$OUT"
expect_eq KeyState "$STATE" PendingDeletion
expect_eq PendingWindowInDays "$WINDOW" 7
ok

step "describe-key shows PendingDeletion"
OUT=$(kms describe-key --key-id "$KEY2" \
	--query 'KeyMetadata.[KeyState,Enabled,DeletionDate]' --output text)
read -r STATE ENABLED DATE <<<"$OUT"
expect_eq KeyState "$STATE" PendingDeletion
expect_eq Enabled "$ENABLED" False
[ "$DATE" != None ] || fail "no DeletionDate"
ok

step "cancel-key-deletion"
kms cancel-key-deletion --key-id "$KEY2" >/dev/null
OUT=$(kms describe-key --key-id "$KEY2" \
	--query 'KeyMetadata.[KeyState,DeletionDate]' --output text)
read -r STATE DATE <<<"$OUT"
expect_eq KeyState "$STATE" Disabled
expect_eq DeletionDate "$DATE" None
kms enable-key --key-id "$KEY2"
ok

echo "walk-through complete"
