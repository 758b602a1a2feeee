#!/usr/bin/env bash
# Importing your own key material ("bring your own key") into Trent with the
# stock AWS CLI and openssl, exactly as AWS documents it for AWS KMS:
# create a key with no material, download a wrapping public key and an
# import token, wrap 32 random bytes with openssl, import them, use the key.
#
# Start a server, then:
#
#   export TRENT_ENDPOINT=http://127.0.0.1:8700
#   export AWS_SHARED_CREDENTIALS_FILE=./trent-data/root-credentials
#   export AWS_DEFAULT_REGION=us-east-1
#   ./scripts/cli-import.sh
#
# Each step prints "ok: <step>". The first failure stops the script with a
# non-zero status and names the step. The openssl commands are AWS's own
# (developer guide, "Encrypt key material"); they run in a scratch directory
# so that the file names are the documented ones. Binary values go in
# through fileb:// (raw bytes), which AWS CLI v1 and v2 read the same way;
# the CLI prints binary values base64-encoded.
set -euo pipefail

# shellcheck source=scripts/walkthrough-lib.sh
. "$(dirname "$0")/walkthrough-lib.sh"


# --- a key with no key material ---------------------------------------------

step "create-key --origin EXTERNAL"
OUT=$(kms create-key --origin EXTERNAL --description "imported key" \
	--query 'KeyMetadata.[KeyId,Arn,KeyState,Origin]' --output text)
read -r KEY ARN STATE ORIGIN <<<"$OUT"
expect_eq KeyState "$STATE" PendingImport
expect_eq Origin "$ORIGIN" EXTERNAL
ok

step "encrypt before the import fails (KMSInvalidStateException)"
printf 'attack at dawn\n\000\377 with raw bytes' >"$WORK/secret.bin"
expect_error KMSInvalidStateException \
	kms encrypt --key-id "$KEY" --plaintext "fileb://$WORK/secret.bin"
ok

# --- wrapping public key and import token -----------------------------------

# One call: the public key and the token are one set, and a second call
# would replace the first set.
step "get-parameters-for-import (RSAES_OAEP_SHA_256, RSA_3072)"
OUT=$(kms get-parameters-for-import --key-id "$KEY" \
	--wrapping-algorithm RSAES_OAEP_SHA_256 --wrapping-key-spec RSA_3072 \
	--query '[KeyId,PublicKey,ImportToken]' --output text)
read -r PKEY PUBLIC_KEY IMPORT_TOKEN <<<"$OUT"
expect_eq KeyId "$PKEY" "$ARN"
printf '%s' "$PUBLIC_KEY" >"$WORK/PublicKey.b64"
printf '%s' "$IMPORT_TOKEN" >"$WORK/importtoken.b64"
ok

step "decode the public key and the import token"
in_work openssl enc -d -base64 -A -in PublicKey.b64 -out WrappingPublicKey.bin
in_work openssl enc -d -base64 -A -in importtoken.b64 -out ImportToken.bin
BITS=$(in_work openssl pkey -pubin -inform DER -in WrappingPublicKey.bin -noout -text | head -n 1)
expect_eq "wrapping public key" "$BITS" "Public-Key: (3072 bit)"
[ -s "$WORK/ImportToken.bin" ] || fail "empty import token"
ok

# --- key material -----------------------------------------------------------

step "openssl rand: 32 bytes of key material"
in_work openssl rand -out PlaintextKeyMaterial.bin 32
expect_eq "key material length" "$(wc -c <"$WORK/PlaintextKeyMaterial.bin" | tr -d ' ')" 32
ok

step "wrap the key material with openssl pkeyutl (RSAES_OAEP_SHA_256)"
in_work openssl pkeyutl -encrypt -in PlaintextKeyMaterial.bin -out EncryptedKeyMaterial.bin \
	-inkey WrappingPublicKey.bin -keyform DER -pubin \
	-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
expect_eq "wrapped length" "$(wc -c <"$WORK/EncryptedKeyMaterial.bin" | tr -d ' ')" 384
ok

# --- import -----------------------------------------------------------------

step "import-key-material"
OUT=$(kms import-key-material --key-id "$KEY" \
	--encrypted-key-material "fileb://$WORK/EncryptedKeyMaterial.bin" \
	--import-token "fileb://$WORK/ImportToken.bin" \
	--expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE \
	--query '[KeyId,KeyMaterialId]' --output text)
read -r IKEY MATERIAL_ID <<<"$OUT"
expect_eq KeyId "$IKEY" "$ARN"
expect_eq "KeyMaterialId length" "${#MATERIAL_ID}" 64
ok

step "describe-key shows Enabled"
OUT=$(kms describe-key --key-id "$KEY" \
	--query 'KeyMetadata.[KeyState,Origin,ExpirationModel,CurrentKeyMaterialId]' --output text)
read -r STATE ORIGIN MODEL CURRENT <<<"$OUT"
expect_eq KeyState "$STATE" Enabled
expect_eq Origin "$ORIGIN" EXTERNAL
expect_eq ExpirationModel "$MODEL" KEY_MATERIAL_DOES_NOT_EXPIRE
expect_eq CurrentKeyMaterialId "$CURRENT" "$MATERIAL_ID"
ok

step "encrypt with the imported key"
kms encrypt --key-id "$KEY" --plaintext "fileb://$WORK/secret.bin" \
	--encryption-context purpose=byok \
	--query CiphertextBlob --output text | base64 -d >"$WORK/secret.enc"
[ -s "$WORK/secret.enc" ] || fail "empty CiphertextBlob"
ok

step "decrypt round-trips byte-exact"
kms decrypt --ciphertext-blob "fileb://$WORK/secret.enc" --encryption-context purpose=byok \
	--query Plaintext --output text | base64 -d >"$WORK/secret.out"
cmp -s "$WORK/secret.bin" "$WORK/secret.out" || fail "decrypted bytes differ from the original"
ok

step "an import token is single-use (InvalidImportTokenException)"
expect_error InvalidImportTokenException \
	kms import-key-material --key-id "$KEY" \
	--encrypted-key-material "fileb://$WORK/EncryptedKeyMaterial.bin" \
	--import-token "fileb://$WORK/ImportToken.bin" \
	--expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE
ok

# --- delete and reimport ----------------------------------------------------

step "delete-imported-key-material"
expect_eq KeyMaterialId "$(kms delete-imported-key-material --key-id "$KEY" \
	--query KeyMaterialId --output text)" "$MATERIAL_ID"
expect_eq KeyState "$(kms describe-key --key-id "$KEY" --query KeyMetadata.KeyState --output text)" PendingImport
expect_error KMSInvalidStateException \
	kms decrypt --ciphertext-blob "fileb://$WORK/secret.enc" --encryption-context purpose=byok
ok

step "reimport the same key material under new parameters"
OUT=$(kms get-parameters-for-import --key-id "$KEY" \
	--wrapping-algorithm RSAES_OAEP_SHA_1 --wrapping-key-spec RSA_2048 \
	--query '[PublicKey,ImportToken]' --output text)
read -r PUBLIC_KEY IMPORT_TOKEN <<<"$OUT"
printf '%s' "$PUBLIC_KEY" >"$WORK/PublicKey.b64"
printf '%s' "$IMPORT_TOKEN" >"$WORK/importtoken.b64"
in_work openssl enc -d -base64 -A -in PublicKey.b64 -out WrappingPublicKey.bin
in_work openssl enc -d -base64 -A -in importtoken.b64 -out ImportToken.bin
in_work openssl pkeyutl -encrypt -in PlaintextKeyMaterial.bin -out EncryptedKeyMaterial.bin \
	-inkey WrappingPublicKey.bin -keyform DER -pubin \
	-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1
expect_eq KeyMaterialId "$(kms import-key-material --key-id "$KEY" \
	--encrypted-key-material "fileb://$WORK/EncryptedKeyMaterial.bin" \
	--import-token "fileb://$WORK/ImportToken.bin" \
	--expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE \
	--query KeyMaterialId --output text)" "$MATERIAL_ID"
expect_eq KeyState "$(kms describe-key --key-id "$KEY" --query KeyMetadata.KeyState --output text)" Enabled
ok

step "a ciphertext made before the deletion decrypts again"
kms decrypt --ciphertext-blob "fileb://$WORK/secret.enc" --encryption-context purpose=byok \
	--query Plaintext --output text | base64 -d >"$WORK/secret.out"
cmp -s "$WORK/secret.bin" "$WORK/secret.out" || fail "decrypted bytes differ from the original"
ok

echo "walk-through complete"
