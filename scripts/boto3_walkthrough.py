#!/usr/bin/env python3
"""A walk-through of Trent with boto3: an ordinary KMS client pointed at
Trent with endpoint_url.

Start a server, then:

    export TRENT_ENDPOINT=http://127.0.0.1:8700
    export AWS_SHARED_CREDENTIALS_FILE=./trent-data/root-credentials
    export AWS_DEFAULT_REGION=us-east-1
    python3 scripts/boto3_walkthrough.py

Each step prints "ok: <step>". The first failure stops the script with a
non-zero status and names the step. Needs Python 3 and boto3; the
signature is also checked offline with the cryptography package, or with
openssl when that package is missing.
"""

import contextlib
import os
import sys

import boto3

REGION = "us-east-1"
ACCOUNT = "111122223333"


class CheckFailed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise CheckFailed(what)


def expect_eq(what, got, want):
    check(got == want, f"{what}: got {got!r}, want {want!r}")


@contextlib.contextmanager
def step(name):
    """Runs one step; on any failure, exits naming the step."""
    try:
        yield
    except Exception as e:  # noqa: BLE001 - report every failure the same way
        sys.exit(f"FAILED: step {name!r}: {type(e).__name__}: {e}")
    print(f"ok: {name}", flush=True)


@contextlib.contextmanager
def raises(exc, message=None):
    """The body must raise exc (a client.exceptions class), and, if message
    is given, carry exactly that message."""
    try:
        yield
    except exc as e:
        if message is not None:
            expect_eq("error message", e.response["Error"]["Message"], message)
        return
    raise CheckFailed(f"succeeded, want {exc.__name__}")


def key_arn(key_id):
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"


def verify_offline(public_der, message, signature):
    """Checks an ECDSA P-256 SHA-256 signature with the public key alone,
    outside KMS: with the cryptography package if it is installed, else
    with openssl."""
    try:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:
        import subprocess
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            paths = {n: os.path.join(d, n) for n in ("key.der", "msg", "sig")}
            for name, data in zip(paths, (public_der, message, signature)):
                with open(paths[name], "wb") as f:
                    f.write(data)
            subprocess.run(["openssl", "pkey", "-pubin", "-inform", "DER", "-in", paths["key.der"],
                            "-out", os.path.join(d, "key.pem")], check=True, capture_output=True)
            subprocess.run(["openssl", "dgst", "-sha256", "-verify", os.path.join(d, "key.pem"),
                            "-signature", paths["sig"], paths["msg"]], check=True, capture_output=True)
        return
    key = serialization.load_der_public_key(public_der)
    key.verify(signature, message, ec.ECDSA(hashes.SHA256()))  # raises InvalidSignature


def sign_and_mac(kms):
    """Sign/verify with an ECC key and HMAC with an HMAC key."""
    errors = kms.exceptions
    message = b"the message to sign\n"

    # --- sign and verify ----------------------------------------------------

    with step("create_key ECC_NIST_P256 for SIGN_VERIFY"):
        md = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        skey = md["KeyId"]
        expect_eq("SigningAlgorithms", md["SigningAlgorithms"], ["ECDSA_SHA_256"])

    with step("sign"):
        signed = kms.sign(KeyId=skey, Message=message, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256")
        signature = signed["Signature"]
        expect_eq("KeyId", signed["KeyId"], key_arn(skey))

    with step("verify"):
        verified = kms.verify(KeyId=skey, Message=message, MessageType="RAW", Signature=signature,
                              SigningAlgorithm="ECDSA_SHA_256")
        expect_eq("SignatureValid", verified["SignatureValid"], True)

    with step("verify a changed message fails (KMSInvalidSignatureException)"):
        with raises(errors.KMSInvalidSignatureException):
            kms.verify(KeyId=skey, Message=message + b"!", MessageType="RAW", Signature=signature,
                       SigningAlgorithm="ECDSA_SHA_256")

    with step("verify the signature offline with the key from get_public_key"):
        public = kms.get_public_key(KeyId=skey)
        expect_eq("KeySpec", public["KeySpec"], "ECC_NIST_P256")
        verify_offline(public["PublicKey"], message, signature)

    with step("get_key_last_usage names the last successful operation"):
        usage = kms.get_key_last_usage(KeyId=skey)
        expect_eq("KeyId", usage["KeyId"], skey)
        expect_eq("Operation", usage["KeyLastUsage"]["Operation"], "Verify")

    # --- HMAC ---------------------------------------------------------------

    with step("create_key HMAC_256 for GENERATE_VERIFY_MAC"):
        mkey = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]

    with step("generate_mac"):
        mac = kms.generate_mac(KeyId=mkey, Message=message, MacAlgorithm="HMAC_SHA_256")["Mac"]
        expect_eq("MAC length", len(mac), 32)

    with step("verify_mac"):
        out = kms.verify_mac(KeyId=mkey, Message=message, MacAlgorithm="HMAC_SHA_256", Mac=mac)
        expect_eq("MacValid", out["MacValid"], True)

    with step("verify_mac of a tampered MAC fails (KMSInvalidMacException)"):
        tampered = bytes([mac[0] ^ 0xFF]) + mac[1:]
        with raises(errors.KMSInvalidMacException):
            kms.verify_mac(KeyId=mkey, Message=message, MacAlgorithm="HMAC_SHA_256", Mac=tampered)


def main():
    if not os.environ.get("TRENT_ENDPOINT"):
        sys.exit("set TRENT_ENDPOINT to the server URL, e.g. http://127.0.0.1:8700")
    kms = boto3.client("kms", endpoint_url=os.environ["TRENT_ENDPOINT"], region_name=REGION)
    errors = kms.exceptions
    secret = b"attack at dawn\n\x00\xff with raw bytes"
    context = {"purpose": "walkthrough", "team": "docs"}

    # --- keys ---------------------------------------------------------------

    with step("create_key with a description and tags"):
        md = kms.create_key(
            Description="walk-through key",
            Tags=[{"TagKey": "team", "TagValue": "docs"}, {"TagKey": "env", "TagValue": "test"}],
        )["KeyMetadata"]
        key, arn = md["KeyId"], md["Arn"]
        expect_eq("Arn", arn, key_arn(key))

    with step("describe_key"):
        md = kms.describe_key(KeyId=key)["KeyMetadata"]
        expect_eq("KeyState", md["KeyState"], "Enabled")
        expect_eq("Enabled", md["Enabled"], True)
        expect_eq("KeySpec", md["KeySpec"], "SYMMETRIC_DEFAULT")
        expect_eq("KeyUsage", md["KeyUsage"], "ENCRYPT_DECRYPT")
        expect_eq("Description", md["Description"], "walk-through key")

    with step("create_alias"):
        kms.create_alias(AliasName="alias/walkthrough", TargetKeyId=key)

    with step("list_aliases with KeyId"):
        aliases = kms.list_aliases(KeyId=key)["Aliases"]
        expect_eq("aliases", [(a["AliasName"], a["TargetKeyId"]) for a in aliases], [("alias/walkthrough", key)])

    with step("describe_key by alias"):
        expect_eq("KeyId", kms.describe_key(KeyId="alias/walkthrough")["KeyMetadata"]["KeyId"], key)

    with step("create more keys"):
        key2 = kms.create_key(Description="walk-through key 2")["KeyMetadata"]["KeyId"]
        key3 = kms.create_key(Description="walk-through key 3")["KeyMetadata"]["KeyId"]

    with step("list_keys paginator, 2 keys a page"):
        pages = list(kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 2}))
        listed = [k["KeyId"] for p in pages for k in p["Keys"]]
        check(all(len(p["Keys"]) <= 2 for p in pages), f"page sizes {[len(p['Keys']) for p in pages]}")
        check(len(pages) >= 2, f"{len(pages)} page(s) for {len(listed)} keys")
        expect_eq("listed keys", len(listed), len(set(listed)))
        check({key, key2, key3} <= set(listed), f"not all keys listed: {listed}")
        for p in pages:
            for k in p["Keys"]:
                expect_eq("KeyArn", k["KeyArn"], key_arn(k["KeyId"]))

    with step("list_aliases paginator"):
        kms.create_alias(AliasName="alias/walkthrough-2", TargetKeyId=key2)
        kms.create_alias(AliasName="alias/walkthrough-3", TargetKeyId=key3)
        pages = list(kms.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 2}))
        check(all(len(p["Aliases"]) <= 2 for p in pages), f"page sizes {[len(p['Aliases']) for p in pages]}")
        check(len(pages) >= 2, f"{len(pages)} page(s) for 3 or more aliases")
        targets = {a["AliasName"]: a.get("TargetKeyId") for p in pages for a in p["Aliases"]}
        for name, target in [("alias/walkthrough", key), ("alias/walkthrough-2", key2), ("alias/walkthrough-3", key3)]:
            expect_eq(f"{name} target", targets.get(name), target)

    # --- encrypt, decrypt, re-encrypt ---------------------------------------

    with step("encrypt with an encryption context"):
        enc = kms.encrypt(KeyId="alias/walkthrough", Plaintext=secret, EncryptionContext=context)
        blob = enc["CiphertextBlob"]
        expect_eq("KeyId", enc["KeyId"], arn)
        expect_eq("EncryptionAlgorithm", enc["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT")

    with step("decrypt round-trips byte-exact"):
        dec = kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)
        expect_eq("Plaintext", dec["Plaintext"], secret)
        expect_eq("KeyId", dec["KeyId"], arn)

    with step("decrypt with a wrong encryption context fails (InvalidCiphertextException)"):
        with raises(errors.InvalidCiphertextException):
            kms.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "walkthrough", "team": "other"})

    with step("re_encrypt to the second key"):
        re = kms.re_encrypt(
            CiphertextBlob=blob,
            SourceEncryptionContext=context,
            DestinationKeyId=key2,
            DestinationEncryptionContext={"purpose": "moved"},
        )
        expect_eq("SourceKeyId", re["SourceKeyId"], arn)
        expect_eq("KeyId", re["KeyId"], key_arn(key2))

    with step("decrypt the re-encrypted ciphertext"):
        dec = kms.decrypt(CiphertextBlob=re["CiphertextBlob"], EncryptionContext={"purpose": "moved"})
        expect_eq("Plaintext", dec["Plaintext"], secret)
        expect_eq("KeyId", dec["KeyId"], key_arn(key2))

    # --- data keys and random bytes -----------------------------------------

    with step("generate_data_key"):
        dk = kms.generate_data_key(KeyId=key, KeySpec="AES_256")
        expect_eq("data key length", len(dk["Plaintext"]), 32)
        expect_eq("KeyId", dk["KeyId"], arn)

    with step("decrypt the data key"):
        expect_eq("Plaintext", kms.decrypt(CiphertextBlob=dk["CiphertextBlob"])["Plaintext"], dk["Plaintext"])

    with step("generate_data_key_without_plaintext"):
        dkw = kms.generate_data_key_without_plaintext(KeyId=key, KeySpec="AES_256")
        check("Plaintext" not in dkw, "response has a Plaintext")
        expect_eq("data key length", len(kms.decrypt(CiphertextBlob=dkw["CiphertextBlob"])["Plaintext"]), 32)

    with step("generate_random"):
        expect_eq("random length", len(kms.generate_random(NumberOfBytes=64)["Plaintext"]), 64)

    # --- tags and description -----------------------------------------------

    with step("tag_resource"):
        kms.tag_resource(KeyId=key, Tags=[{"TagKey": "project", "TagValue": "trent"}, {"TagKey": "env", "TagValue": "prod"}])

    with step("untag_resource"):
        kms.untag_resource(KeyId=key, TagKeys=["team"])

    with step("list_resource_tags"):
        tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key)["Tags"]}
        expect_eq("Tags", tags, {"env": "prod", "project": "trent"})

    with step("update_key_description"):
        kms.update_key_description(KeyId=key, Description="walk-through key, renamed")
        expect_eq("Description", kms.describe_key(KeyId=key)["KeyMetadata"]["Description"], "walk-through key, renamed")

    # --- enable and disable -------------------------------------------------

    with step("disable_key"):
        kms.disable_key(KeyId=key)
        expect_eq("KeyState", kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"], "Disabled")

    with step("encrypt with a disabled key fails (DisabledException)"):
        with raises(errors.DisabledException, f"{arn} is disabled."):
            kms.encrypt(KeyId=key, Plaintext=secret)

    with step("enable_key"):
        kms.enable_key(KeyId=key)
        expect_eq("KeyState", kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"], "Enabled")
        kms.encrypt(KeyId=key, Plaintext=secret)

    # --- aliases ------------------------------------------------------------

    with step("update_alias"):
        kms.update_alias(AliasName="alias/walkthrough", TargetKeyId=key2)
        names = sorted(a["AliasName"] for a in kms.list_aliases(KeyId=key2)["Aliases"])
        expect_eq("aliases of key 2", names, ["alias/walkthrough", "alias/walkthrough-2"])

    with step("delete_alias"):
        kms.delete_alias(AliasName="alias/walkthrough")
        names = [a["AliasName"] for a in kms.list_aliases(KeyId=key2)["Aliases"]]
        expect_eq("aliases of key 2", names, ["alias/walkthrough-2"])

    with step("describe_key of a missing alias fails (NotFoundException)"):
        with raises(errors.NotFoundException, f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/does-not-exist is not found."):
            kms.describe_key(KeyId="alias/does-not-exist")

    with step("create_alias under alias/aws/ fails (NotAuthorizedException)"):
        # Not a modeled KMS error either: match the ClientError by its code.
        try:
            kms.create_alias(AliasName="alias/aws/x", TargetKeyId=key)
        except errors.ClientError as e:
            expect_eq("error code", e.response["Error"]["Code"], "NotAuthorizedException")
        else:
            raise CheckFailed("succeeded, want NotAuthorizedException")

    # --- rotation -----------------------------------------------------------

    with step("get_key_rotation_status of a new key"):
        status = kms.get_key_rotation_status(KeyId=key)
        expect_eq("KeyRotationEnabled", status["KeyRotationEnabled"], False)
        expect_eq("KeyId", status["KeyId"], arn)
        check("NextRotationDate" not in status, "NextRotationDate while rotation is off")

    with step("enable_key_rotation with 2561 days fails (ValidationException)"):
        # botocore checks only the lower bound client-side; the server the upper.
        try:
            kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=2561)
        except errors.ClientError as e:
            expect_eq("error code", e.response["Error"]["Code"], "ValidationException")
        else:
            raise CheckFailed("succeeded, want ValidationException")

    with step("enable_key_rotation every 90 days"):
        kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
        status = kms.get_key_rotation_status(KeyId=key)
        expect_eq("KeyRotationEnabled", status["KeyRotationEnabled"], True)
        expect_eq("RotationPeriodInDays", status["RotationPeriodInDays"], 90)
        next_rotation = status["NextRotationDate"]

    with step("rotate_key_on_demand"):
        old_material = kms.describe_key(KeyId=key)["KeyMetadata"]["CurrentKeyMaterialId"]
        expect_eq("KeyId", kms.rotate_key_on_demand(KeyId=key)["KeyId"], arn)
        new_material = kms.describe_key(KeyId=key)["KeyMetadata"]["CurrentKeyMaterialId"]
        check(new_material != old_material, "CurrentKeyMaterialId did not change")
        expect_eq("NextRotationDate", kms.get_key_rotation_status(KeyId=key)["NextRotationDate"], next_rotation)

    with step("list_key_rotations paginator"):
        kms.rotate_key_on_demand(KeyId=key)
        pages = list(kms.get_paginator("list_key_rotations").paginate(KeyId=key, PaginationConfig={"PageSize": 1}))
        rotations = [r for p in pages for r in p["Rotations"]]
        expect_eq("pages", len(pages), 2)
        expect_eq("first rotation", rotations[0]["KeyMaterialId"], new_material)
        expect_eq("states", [r["KeyMaterialState"] for r in rotations], ["NON_CURRENT", "CURRENT"])
        expect_eq("types", {r["RotationType"] for r in rotations}, {"ON_DEMAND"})
        everything = kms.list_key_rotations(KeyId=key, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        expect_eq("original material", everything[0]["KeyMaterialId"], old_material)
        check("RotationDate" not in everything[0], "RotationDate on the original material")

    with step("decrypt a ciphertext made before the rotations"):
        dec = kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)
        expect_eq("Plaintext", dec["Plaintext"], secret)
        expect_eq("KeyMaterialId", dec["KeyMaterialId"], old_material)

    with step("disable_key_rotation"):
        kms.disable_key_rotation(KeyId=key)
        status = kms.get_key_rotation_status(KeyId=key)
        expect_eq("KeyRotationEnabled", status["KeyRotationEnabled"], False)
        check("RotationPeriodInDays" not in status, "RotationPeriodInDays while rotation is off")

    sign_and_mac(kms)

    # --- deletion -----------------------------------------------------------

    with step("schedule_key_deletion with 6 days fails (ValidationException)"):
        # ValidationException is not a modeled KMS error, so botocore has no
        # class for it: match the generic ClientError by its code.
        try:
            kms.schedule_key_deletion(KeyId=key2, PendingWindowInDays=6)
        except errors.ClientError as e:
            expect_eq("error code", e.response["Error"]["Code"], "ValidationException")
        else:
            raise CheckFailed("succeeded, want ValidationException")

    with step("schedule_key_deletion"):
        sched = kms.schedule_key_deletion(KeyId=key2, PendingWindowInDays=7)
        expect_eq("KeyId", sched["KeyId"], key_arn(key2))
        expect_eq("KeyState", sched["KeyState"], "PendingDeletion")
        expect_eq("PendingWindowInDays", sched["PendingWindowInDays"], 7)
        check("DeletionDate" in sched, "no DeletionDate")

    with step("describe_key shows PendingDeletion"):
        md = kms.describe_key(KeyId=key2)["KeyMetadata"]
        expect_eq("KeyState", md["KeyState"], "PendingDeletion")
        expect_eq("Enabled", md["Enabled"], False)
        expect_eq("PendingDeletionWindowInDays", md.get("PendingDeletionWindowInDays"), 7)
        check("DeletionDate" in md, "no DeletionDate")

    with step("cancel_key_deletion"):
        expect_eq("KeyId", kms.cancel_key_deletion(KeyId=key2)["KeyId"], key_arn(key2))
        md = kms.describe_key(KeyId=key2)["KeyMetadata"]
        expect_eq("KeyState", md["KeyState"], "Disabled")
        check("DeletionDate" not in md, "DeletionDate still set")
        kms.enable_key(KeyId=key2)

    print("walk-through complete")


if __name__ == "__main__":
    main()
