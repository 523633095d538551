"""Talking to S3: where a store's objects live (`s3://bucket/prefix`), how to reach the bucket
(a boto3 client), and which error an S3 answer becomes — StoreUnavailable (try again later),
StoreMisconfigured (an operator must act; the message says how) — for storage/objectstore.py and
storage/bucket_checks.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

from policies.errors import CallwardenError
from storage.store import ObjectLock, StoreMisconfigured, StoreUnavailable

__all__ = [
    "MiB",
    "S3Location",
    "S3Options",
    "error_code",
    "http_status",
    "is_missing",
    "make_client",
    "object_key_address",
    "object_retain_until",
    "store_error",
]

SUFFIX = ".cwb"
MiB = 1 << 20
_KEY = re.compile(r"(?:^|/)([0-9a-f]{2})/([0-9a-f]{64})\.cwb$")
# A bucket's name as S3 allows it (3-63 of lowercase letters, digits, dots and hyphens).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# Errors that say "try again later" rather than "fix the setup".
_UNAVAILABLE = {
    "InternalError",
    "ServiceUnavailable",
    "SlowDown",
    "RequestTimeout",
    "ServerSideEncryptionError",
}
_CREDENTIALS = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
    "AuthorizationHeaderMalformed",
    "InvalidClientTokenId",
}
_MISSING = {"NoSuchKey", "NoSuchVersion", "NotFound", "404"}


# --- where and how -------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Location:
    """`s3://bucket/prefix`: a bucket and a key prefix ("" or ending in "/")."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> S3Location:
        """ValueError (with what is wrong) unless `url` is `s3://bucket[/prefix]`."""
        m = re.fullmatch(r"s3://([^/]+)(?:/(.*))?", url.strip())
        if m is None:
            raise ValueError(f"{url!r} is not an S3 location: expected s3://BUCKET or s3://BUCKET/PREFIX")
        bucket, prefix = m.group(1), (m.group(2) or "").strip("/")
        if not _BUCKET.match(bucket) or ".." in bucket:
            raise ValueError(
                f"{bucket!r} is not a valid bucket name (3-63 lowercase letters, digits, '.', '-')"
            )
        return cls(bucket, prefix + "/" if prefix else "")

    def key(self, blob_sha: str) -> str:
        return f"{self.prefix}{blob_sha[:2]}/{blob_sha}{SUFFIX}"

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class S3Options:
    """How to reach one bucket. Credentials are never here: boto3's chain reads them from the
    environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN), a named
    `profile`, web identity or the instance role."""

    endpoint: str | None = None
    region: str = "us-east-1"
    profile: str | None = None
    addressing_style: str = "auto"  # auto: path-style with a custom endpoint, else virtual-hosted
    part_bytes: int = 8 * MiB
    concurrency: int = 4


def make_client(options: S3Options) -> Any:
    """A boto3 S3 client (thread-safe) for `options`."""
    style = options.addressing_style
    if style == "auto":
        style = "path" if options.endpoint else "virtual"
    session = boto3.session.Session(profile_name=options.profile or None)
    return session.client(
        "s3",
        endpoint_url=options.endpoint or None,
        region_name=options.region or None,
        config=Config(
            s3={"addressing_style": style},
            max_pool_connections=32,
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 4, "mode": "standard"},
        ),
    )


# --- errors --------------------------------------------------------------------------------------


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def http_status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def store_error(exc: BaseException, what: str, bucket: str) -> CallwardenError:
    """The error to raise for a failed S3 call: StoreUnavailable (try again later) or
    StoreMisconfigured (an operator must act; the message says what to do)."""
    if isinstance(exc, CallwardenError):
        return exc
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return StoreMisconfigured(
            f"{what}: no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or"
            " recordings.s3_profile) in the service's environment"
        )
    if isinstance(exc, ClientError):
        code, status = error_code(exc), http_status(exc)
        message = str(exc.response.get("Error", {}).get("Message", "")) or code
        if code == "NoSuchBucket":
            return StoreMisconfigured(
                f"{what}: bucket {bucket!r} does not exist; create it with Object Lock:"
                f" aws s3api create-bucket --bucket {bucket} --object-lock-enabled-for-bucket",
                {"s3_error": code, "bucket": bucket},
            )
        if code in _CREDENTIALS:
            return StoreMisconfigured(
                f"{what}: the object store refuses the credentials ({code}); check AWS_ACCESS_KEY_ID /"
                " AWS_SECRET_ACCESS_KEY (or the profile) of the service",
                {"s3_error": code, "bucket": bucket},
            )
        if (
            code == "InvalidRequest" and "lock" in message.lower()
        ) or code == "ObjectLockConfigurationNotFoundError":
            return StoreMisconfigured(
                f"{what}: bucket {bucket!r} has no Object Lock ({message}); recordings need a bucket created"
                " with --object-lock-enabled-for-bucket (docs/recordings.md)",
                {"s3_error": code, "bucket": bucket},
            )
        if code in ("AccessDenied", "AllAccessDisabled", "403"):
            return StoreMisconfigured(
                f"{what}: access denied on bucket {bucket!r}; the service's key needs s3:PutObject,"
                " s3:GetObject, s3:ListBucketVersions, s3:DeleteObjectVersion, s3:PutObjectRetention,"
                " s3:PutObjectLegalHold, s3:GetObjectRetention and s3:GetObjectLegalHold",
                {"s3_error": code, "bucket": bucket},
            )
        if status >= 500 or code in _UNAVAILABLE:
            return StoreUnavailable(
                f"{what}: the object store answered {code or status}: try again", {"s3_error": code}
            )
        return StoreMisconfigured(f"{what}: the object store refused: {code}: {message}", {"s3_error": code})
    if isinstance(exc, (BotoCoreError, OSError)):
        return StoreUnavailable(f"{what}: the object store cannot be reached: {exc}")
    return StoreUnavailable(f"{what}: {type(exc).__name__}: {exc}")


def is_missing(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and (error_code(exc) in _MISSING or http_status(exc) == 404)


def object_retain_until(lock: ObjectLock, now: datetime) -> datetime | None:
    """The object's retain-until date: the database's, rounded up to the second (S3 keeps
    seconds; never shorter than the database's); None if it has already passed."""
    until = lock.retain_until
    if until is None:
        return None
    if until.microsecond:
        until = until.replace(microsecond=0) + timedelta(seconds=1)
    return until if until > now + timedelta(seconds=1) else None


def object_key_address(key: str) -> str | None:
    """The content address an object key names (`.../ab/<address>.cwb`), or None."""
    m = _KEY.search(key)
    return m.group(2) if m is not None else None
