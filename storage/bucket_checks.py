"""`callwarden doctor`'s checks of one recording bucket: credentials, existence, versioning,
Object Lock (and a default retention rule), and a write probe — each with the fix."""

from __future__ import annotations

import secrets

from botocore.exceptions import ClientError

from storage.s3client import S3Location, S3Options, error_code, http_status, make_client, store_error
from storage.store import Copy, StoreMisconfigured

__all__ = ["bucket_checks"]

_GRANT = (
    "set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or recordings.s3_profile) for the"
    " service; its key needs s3:ListBucket, s3:ListBucketVersions, s3:GetObject, s3:PutObject,"
    " s3:DeleteObjectVersion, s3:PutObjectRetention, s3:GetObjectRetention, s3:PutObjectLegalHold,"
    " s3:GetObjectLegalHold, s3:GetBucketVersioning and s3:GetBucketObjectLockConfiguration"
)


def bucket_checks(copy: Copy, location: S3Location, options: S3Options) -> list[tuple[bool | None, str, str]]:
    """`callwarden doctor`'s checks of one bucket: credentials, existence, versioning, Object Lock
    (and its default retention), and a write probe. Each is (ok, what, fix)."""
    out: list[tuple[bool | None, str, str]] = []
    where, bucket = location.url, location.bucket
    endpoint = f" --endpoint-url {options.endpoint}" if options.endpoint else ""
    create = (
        f"aws s3api create-bucket --bucket {location.bucket} --object-lock-enabled-for-bucket{endpoint}"
        + (
            f" --create-bucket-configuration LocationConstraint={options.region}"
            if options.region and options.region != "us-east-1" and not options.endpoint
            else ""
        )
    )
    try:
        client = make_client(options)
        client.head_bucket(Bucket=location.bucket)
    except Exception as exc:
        if isinstance(exc, ClientError) and http_status(exc) == 404:
            out.append((False, f"{copy} bucket {where}: does not exist", create))
        elif isinstance(exc, ClientError) and http_status(exc) in (400, 401, 403):
            why = error_code(exc) or http_status(exc)
            out.append(
                (False, f"{copy} bucket {where}: the credentials are refused or lack access ({why})", _GRANT)
            )
        else:
            err = store_error(exc, f"{copy} bucket", location.bucket)
            fix = "check recordings.s3_endpoint / s3_region and that the object store is up"
            if isinstance(err, StoreMisconfigured):
                fix = "see the message"
            out.append((False, f"{copy} bucket {where}: {err}", fix))
        return out
    out.append((True, f"{copy} bucket {where} (reachable, credentials accepted)", ""))
    try:
        versioning = client.get_bucket_versioning(Bucket=location.bucket).get("Status")
    except Exception as exc:
        versioning = f"unknown ({store_error(exc, 'versioning', location.bucket)})"
    out.append(
        (
            versioning == "Enabled",
            f"{copy} bucket {where}: versioning {versioning or 'never enabled'}",
            f"aws s3api put-bucket-versioning --bucket {location.bucket} --versioning-configuration"
            f" Status=Enabled{endpoint} (Object Lock needs it; a bucket created with Object Lock has it)",
        )
    )
    default_retention = None
    try:
        cfg = client.get_object_lock_configuration(Bucket=location.bucket).get("ObjectLockConfiguration", {})
        lock_ok = cfg.get("ObjectLockEnabled") == "Enabled"
        default_retention = cfg.get("Rule", {}).get("DefaultRetention")
        what = "Object Lock enabled" if lock_ok else "Object Lock not enabled"
    except ClientError as exc:
        lock_ok, what = False, f"Object Lock not enabled ({error_code(exc)})"
    except Exception as exc:
        lock_ok, what = False, f"Object Lock unknown ({store_error(exc, 'object lock', location.bucket)})"
    out.append(
        (
            lock_ok,
            f"{copy} bucket {where}: {what}",
            f"recordings need a bucket with Object Lock: create one with `{create}` (or, on AWS, enable it on"
            f" this versioned bucket: aws s3api put-object-lock-configuration --bucket {location.bucket}"
            " --object-lock-configuration ObjectLockEnabled=Enabled)",
        )
    )
    if default_retention:
        out.append(
            (
                None,
                f"{copy} bucket {where}: a default retention {default_retention} applies to every object",
                "callwarden sets each recording's own retain-until date; a default rule also locks uploads"
                " that were never recorded (unreadable, but kept and billed until it ends)",
            )
        )
    if lock_ok and not default_retention:
        probe_key = f"{location.prefix}.doctor/{secrets.token_hex(8)}"
        try:
            put = client.put_object(Bucket=location.bucket, Key=probe_key, Body=b"callwarden doctor probe")
            client.delete_object(
                Bucket=location.bucket, Key=probe_key, VersionId=put.get("VersionId") or "null"
            )
            out.append((True, f"{copy} bucket {where}: write and delete of an unlocked probe object", ""))
        except Exception as exc:
            out.append(
                (
                    False,
                    f"{copy} bucket {where}: write probe failed: {store_error(exc, 'probe', bucket)}",
                    "grant the service's key s3:PutObject and s3:DeleteObjectVersion on the prefix",
                )
            )
    return out
