"""Unit tests of the S3 store's parsing and error mapping: which S3 answer becomes which error
(StoreUnavailable: try again; StoreMisconfigured: an operator must act, told how; StoreLocked: the
server's own lock). moto stands in for S3 here only to produce the errors; the store itself is
tested against a real server (test_s3_store.py)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
from moto import mock_aws

from storage.objectstore import S3BlobStore
from storage.s3client import S3Location, S3Options, object_retain_until, store_error
from storage.store import ObjectLock, StoreLocked, StoreMisconfigured, StoreUnavailable


def client_error(code: str, status: int, message: str = "") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "PutObject",
    )


def test_s3_locations_parse_and_name_objects_by_address() -> None:
    loc = S3Location.parse("s3://callwarden-recordings/eu/prod/")
    assert loc == S3Location("callwarden-recordings", "eu/prod/")
    assert loc.key("ab" + "0" * 62) == "eu/prod/ab/ab" + "0" * 62 + ".cwb"
    assert S3Location.parse("s3://bucket").key("cd" + "1" * 62) == "cd/cd" + "1" * 62 + ".cwb"
    for bad in ("bucket/prefix", "s3://", "s3://Upper_Case", "http://bucket/x", "s3://a"):
        with pytest.raises(ValueError, match=r"S3 location|bucket"):
            S3Location.parse(bad)


def test_the_objects_lock_is_never_shorter_than_the_rows() -> None:
    now = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    until = datetime(2027, 3, 1, 10, 0, 0, 250_000, tzinfo=UTC)
    assert object_retain_until(ObjectLock(until), now) == datetime(2027, 3, 1, 10, 0, 1, tzinfo=UTC)
    assert object_retain_until(ObjectLock(until.replace(microsecond=0)), now) == until.replace(microsecond=0)
    # Already past (a very late upload): no lock to set; the next purge takes it.
    assert object_retain_until(ObjectLock(now - timedelta(days=1)), now) is None
    assert object_retain_until(ObjectLock(None), now) is None


@pytest.mark.parametrize(
    ("error", "kind", "says"),
    [
        (client_error("NoSuchBucket", 404), StoreMisconfigured, "--object-lock-enabled-for-bucket"),
        (client_error("InvalidAccessKeyId", 403), StoreMisconfigured, "AWS_ACCESS_KEY_ID"),
        (client_error("SignatureDoesNotMatch", 403), StoreMisconfigured, "refuses the credentials"),
        (client_error("AccessDenied", 403), StoreMisconfigured, "s3:PutObjectRetention"),
        (
            client_error("InvalidRequest", 400, "Bucket is missing Object Lock Configuration"),
            StoreMisconfigured,
            "has no Object Lock",
        ),
        (client_error("SlowDown", 503), StoreUnavailable, "try again"),
        (client_error("InternalError", 500), StoreUnavailable, "try again"),
        (NoCredentialsError(), StoreMisconfigured, "no S3 credentials"),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), StoreUnavailable, "cannot be reached"),
    ],
)
def test_s3_errors_map_to_a_stable_code_and_a_fix(error: Exception, kind: type, says: str) -> None:
    mapped = store_error(error, "upload", "recordings")
    assert type(mapped) is kind
    assert says in str(mapped)
    assert mapped.code in ("store_unavailable", "store_misconfigured")
    assert mapped.status in (500, 503)


@pytest.fixture
def moto_s3(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


def sealed_file(tmp_path: Path) -> Path:
    path = tmp_path / "sealed.part"
    path.write_bytes(b"CWREC1\0\0" + b"x" * 100)
    return path


def test_upload_to_a_bucket_without_object_lock_says_so(tmp_path: Path, moto_s3: Any) -> None:
    moto_s3.create_bucket(Bucket="plain")
    store = S3BlobStore(tmp_path / "rec", S3Location("plain"), S3Options(region="us-east-1"))
    store.open()
    until = datetime.now(UTC) + timedelta(days=30)
    with pytest.raises(StoreMisconfigured, match="Object Lock"):
        store.upload("primary", sealed_file(tmp_path), "ab" + "0" * 62, ObjectLock(until))
    store.close()


def test_upload_to_a_missing_bucket_names_the_command_that_creates_it(tmp_path: Path, moto_s3: Any) -> None:
    store = S3BlobStore(tmp_path / "rec", S3Location("absent"), S3Options(region="us-east-1"))
    store.open()
    with pytest.raises(StoreMisconfigured, match="create-bucket --bucket absent --object-lock-enabled"):
        store.upload("primary", sealed_file(tmp_path), "ab" + "0" * 62, ObjectLock(None))
    status = store.status()
    assert status["ok"] is False
    assert "does not exist" in status["detail"]
    store.close()


def test_a_delete_refused_for_a_lock_is_explained_from_the_servers_lock(tmp_path: Path, moto_s3: Any) -> None:
    moto_s3.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    store = S3BlobStore(tmp_path / "rec", S3Location("locked"), S3Options(region="us-east-1"))
    store.open()
    sha = "ab" + "0" * 62
    until = datetime.now(UTC) + timedelta(days=30)
    store.upload("primary", sealed_file(tmp_path), sha, ObjectLock(until, legal_hold=True))
    with pytest.raises(StoreLocked) as info:
        store.delete(sha)
    assert info.value.legal_hold is True
    assert info.value.code == "store_locked"
    assert info.value.status == 403
    store.close()


def test_an_unreachable_store_is_unavailable_not_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    store = S3BlobStore(
        tmp_path / "rec", S3Location("recordings"), S3Options(endpoint=f"http://127.0.0.1:{port}")
    )
    store.open()
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        store.upload("primary", sealed_file(tmp_path), "ab" + "0" * 62, ObjectLock(None))
    status = store.status()
    assert status["ok"] is False
    assert "cannot be reached" in status["detail"]
    store.close()
