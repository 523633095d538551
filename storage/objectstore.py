"""The recording store on S3-compatible object storage with Object Lock in COMPLIANCE mode.

    recordings.store = "s3://BUCKET/PREFIX"          (and optionally recordings.replica_store)

Each recording is one object `PREFIX/ab/<content address>.cwb` holding exactly the bytes the local
store would keep (storage/crypto.py): the object store sees ciphertext, never plaintext or a data
key. The object is uploaded with `x-amz-object-lock-mode: COMPLIANCE` and a retain-until date from
the case's retention (rounded up to the second), so the server itself refuses to delete or
shorten it before then, whoever asks; a legal hold is an S3 legal hold on every version of the
key. The replica is the same object in a second bucket (another region or another server).

Writing: the body is encrypted while it streams into a staging file in this process's own tmp dir
(`recordings.dir/tmp`, never plaintext, not fsynced: durability is the object store's), the vault
looks for a duplicate, then the file is uploaded to both buckets at once (multipart, a CRC32
checksum per part that the server verifies) and each object is read back by HEAD: its length, lock
mode, retain-until date and legal hold must be what was asked, or the upload counts as failed.
A replica that fails leaves the recording `replica_pending` for the retry job; a primary that fails
fails the upload (503 `store_unavailable`, or `store_misconfigured` with the fix).

Deleting (the purge, after retain-until): every version and delete marker of the key, in both
buckets; the wrapped data key is then deleted from the database (crypto-shredding), as on disk.

The client is boto3 (botocore + s3transfer) used from worker threads: the store interface is
synchronous and already runs off the event loop (the disk store does the same with `os` calls),
boto3's clients are thread-safe, and s3transfer brings multipart uploads with per-part checksums.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from s3transfer.manager import TransferConfig, TransferManager

from policies.errors import CallwardenError
from policies.timefmt import rfc3339
from storage.blobs import BlobIntegrityError, verify_copy
from storage.crypto import (
    HEADER_BYTES,
    SEGMENT_BYTES,
    TAG_BYTES,
    DecryptionError,
    SegmentOpener,
    SegmentSealer,
    scan_sealed,
    seal_address,
)
from storage.s3client import (
    MiB,
    S3Location,
    S3Options,
    error_code,
    http_status,
    is_missing,
    make_client,
    object_key_address,
    object_retain_until,
    store_error,
)
from storage.store import (
    COPIES,
    Copy,
    CopyProblem,
    ObjectLock,
    RecoveryReport,
    SealedBlob,
    StoreLocked,
    StoreMisconfigured,
    Throttle,
)
from storage.workdir import WorkDir, dead_workdirs

__all__ = ["S3BlobReader", "S3BlobStore", "S3BlobWriter"]

log = logging.getLogger("callwarden.vault")

# --- the store -----------------------------------------------------------------------------------


class S3BlobStore:
    """Recordings in a bucket (and a replica bucket), each object locked in COMPLIANCE mode."""

    kind = "s3"
    keeps_versions = True

    def __init__(
        self,
        work_root: Path,
        primary: S3Location,
        options: S3Options,
        replica: S3Location | None = None,
        replica_options: S3Options | None = None,
    ) -> None:
        self.root = work_root  # this host's staging files: tmp/<pid>-<rand>/
        self.locations: dict[Copy, S3Location] = {"primary": primary}
        self.options: dict[Copy, S3Options] = {"primary": options}
        if replica is not None:
            self.locations["replica"] = replica
            self.options["replica"] = replica_options or options
        self._work = WorkDir(work_root / "tmp")
        self._clients: dict[Copy, Any] = {}
        self._transfers: dict[Copy, TransferManager] = {}
        self._guard = threading.Lock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._ready: tuple[float, dict[str, Any]] | None = None

    # --- plumbing ------------------------------------------------------------------------------
    @property
    def replica_configured(self) -> bool:
        return "replica" in self.locations

    @property
    def replica(self) -> S3Location | None:
        return self.locations.get("replica")

    def client(self, copy: Copy) -> Any:
        with self._guard:
            c = self._clients.get(copy)
            if c is None:
                c = self._clients[copy] = make_client(self.options[copy])
            return c

    def _transfer(self, copy: Copy) -> TransferManager:
        client = self.client(copy)
        with self._guard:
            t = self._transfers.get(copy)
            if t is None:
                o = self.options[copy]
                config = TransferConfig(
                    multipart_threshold=o.part_bytes,
                    multipart_chunksize=o.part_bytes,
                    max_request_concurrency=o.concurrency,
                )
                t = self._transfers[copy] = TransferManager(client, config)
            return t

    def key(self, blob_sha: str) -> str:
        return self.locations["primary"].key(blob_sha)

    def describe(self, copy: Copy, blob_sha: str) -> str:
        loc = self.locations.get(copy)
        return f"s3://{loc.bucket}/{loc.key(blob_sha)}" if loc is not None else f"no {copy} configured"

    def open(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._work.open()
        with self._guard:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="s3-copy")

    def close(self) -> None:
        with self._guard:
            transfers, self._transfers = list(self._transfers.values()), {}
            pool, self._pool = self._pool, None
        for t in transfers:
            t.shutdown()
        if pool is not None:
            pool.shutdown(wait=True)
        self._work.close()

    def abandon(self) -> None:
        self._work.abandon()

    def _bucket_ok(self, copy: Copy) -> str:
        """ "" if the bucket answers HeadBucket, else why not."""
        loc = self.locations[copy]
        try:
            self.client(copy).head_bucket(Bucket=loc.bucket)
            return ""
        except Exception as exc:
            if isinstance(exc, ClientError) and http_status(exc) == 404:
                exc = ClientError({"Error": {"Code": "NoSuchBucket", "Message": "Not Found"}}, "HeadBucket")
            return str(store_error(exc, f"{copy} bucket", loc.bucket))

    def status(self, max_age_s: float = 5.0) -> dict[str, Any]:
        """Readiness: the staging dir is writable and the primary bucket answers (the replica's
        state is reported, but a replica outage only makes new recordings `pending`). Cached for
        `max_age_s` so a busy /readyz does not hammer the object store."""
        now = time.monotonic()
        if self._ready is not None and now - self._ready[0] < max_age_s:
            return self._ready[1]
        local_ok = self._local_writable()
        primary = self._bucket_ok("primary")
        replica = self._bucket_ok("replica") if self.replica_configured else ""
        details = [
            d
            for d in (
                primary,
                "" if local_ok else f"{self.root}/tmp is not writable",  # noqa: S108 - a message
            )
            if d
        ]
        if replica:
            details.append(f"replica (new recordings stay pending): {replica}")
        out = {
            "kind": self.kind,
            "ok": local_ok and not primary,
            "primary": self.locations["primary"].url,
            "replica": self.replica.url if self.replica is not None else None,
            "detail": "; ".join(details),
        }
        self._ready = (now, out)
        return out

    def _local_writable(self) -> bool:
        try:
            probe = self._work.new_path(".probe")
            probe.write_bytes(b"")
            probe.unlink()
            return True
        except OSError:
            return False

    def writable(self) -> bool:
        return bool(self.status()["ok"])

    # --- writing -------------------------------------------------------------------------------
    def writer(self, data_key: bytes) -> S3BlobWriter:
        return S3BlobWriter(self, data_key)

    def upload(self, copy: Copy, path: Path, blob_sha: str, lock: ObjectLock) -> str:
        """Upload a sealed file as `copy` under its address with `lock`, then HEAD it: the length,
        COMPLIANCE mode, retain-until date and legal hold must be as asked. Returns the version id."""
        loc = self.locations[copy]
        key = loc.key(blob_sha)
        until = object_retain_until(lock, datetime.now(UTC))
        extra: dict[str, Any] = {"ContentType": "application/octet-stream"}
        if until is not None:
            extra.update(ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)
        if lock.legal_hold:
            extra["ObjectLockLegalHoldStatus"] = "ON"
        size = path.stat().st_size
        try:
            self._transfer(copy).upload(str(path), loc.bucket, key, extra_args=extra).result()
            head = self.client(copy).head_object(Bucket=loc.bucket, Key=key)
        except Exception as exc:
            raise self._diagnose(copy, exc, f"upload of {key} to the {copy} bucket") from exc
        problems = []
        if int(head.get("ContentLength", -1)) != size:
            problems.append(f"{head.get('ContentLength')} bytes stored, {size} sent")
        if until is not None:
            got = head.get("ObjectLockRetainUntilDate")
            if head.get("ObjectLockMode") != "COMPLIANCE" or got is None or got < until:
                problems.append(
                    f"lock {head.get('ObjectLockMode')} until {got}, asked COMPLIANCE until {until}"
                )
        if lock.legal_hold and head.get("ObjectLockLegalHoldStatus") != "ON":
            problems.append("legal hold not set")
        if problems:
            raise StoreMisconfigured(
                f"the {copy} bucket {loc.bucket!r} stored {key} but not as asked ({'; '.join(problems)});"
                " is Object Lock enabled on it?",
                {"bucket": loc.bucket, "key": key},
            )
        return str(head.get("VersionId") or "")

    def _diagnose(self, copy: Copy, exc: BaseException, what: str) -> CallwardenError:
        """The error for a failed upload. Some servers answer a locked PUT to a missing bucket, or
        to one without Object Lock, with a bare `InvalidRequest`: ask the bucket which it is."""
        bucket = self.locations[copy].bucket
        if isinstance(exc, ClientError) and error_code(exc) == "InvalidRequest":
            missing = self._bucket_ok(copy)
            if missing:
                return StoreMisconfigured(f"{what}: {missing}", {"bucket": bucket})
            try:
                cfg = self.client(copy).get_object_lock_configuration(Bucket=bucket)
                enabled = cfg.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"
            except ClientError:
                enabled = False
            if not enabled:
                return StoreMisconfigured(
                    f"{what}: bucket {bucket!r} has no Object Lock; recordings need a bucket created with"
                    " --object-lock-enabled-for-bucket (docs/recordings.md)",
                    {"bucket": bucket, "s3_error": "InvalidRequest"},
                )
        return store_error(exc, what, bucket)

    def upload_both(self, path: Path, blob_sha: str, lock: ObjectLock) -> tuple[bool, str | None]:
        """Upload to the primary and (at the same time) the replica bucket. Raises if the primary
        fails; returns (replica ok, replica error)."""
        if not self.replica_configured:
            self.upload("primary", path, blob_sha, lock)
            return False, None
        if self._pool is None:
            self.open()
        assert self._pool is not None
        replica = self._pool.submit(self.upload, "replica", path, blob_sha, lock)
        try:
            self.upload("primary", path, blob_sha, lock)
        except BaseException:
            concurrent.futures.wait([replica])
            raise
        try:
            replica.result()
            return True, None
        except CallwardenError as exc:
            return False, f"{type(exc).__name__}: {exc}"

    # --- deleting and holds --------------------------------------------------------------------
    def _versions(self, copy: Copy, key: str) -> list[dict[str, Any]]:
        """Every version and delete marker of exactly `key`."""
        loc = self.locations[copy]
        out: list[dict[str, Any]] = []
        pages = (
            self.client(copy).get_paginator("list_object_versions").paginate(Bucket=loc.bucket, Prefix=key)
        )
        for page in pages:
            for v in page.get("Versions", []):
                if v.get("Key") == key:
                    out.append({**v, "marker": False})
            for v in page.get("DeleteMarkers", []):
                if v.get("Key") == key:
                    out.append({**v, "marker": True})
        return out

    def _stored_versions(self, copy: Copy, key: str) -> list[dict[str, Any]]:
        """The versions of `key` that hold bytes (its delete markers left out)."""
        return [v for v in self._versions(copy, key) if not v["marker"]]

    def _lock_state(self, copy: Copy, key: str, version: str) -> tuple[datetime | None, bool]:
        """(retain-until or None, legal hold) of one version, as the server sees it."""
        client, bucket = self.client(copy), self.locations[copy].bucket
        until: datetime | None = None
        hold = False
        with contextlib.suppress(ClientError):
            r = client.get_object_retention(Bucket=bucket, Key=key, VersionId=version)
            d = r.get("Retention", {}).get("RetainUntilDate")
            until = d.astimezone(UTC) if d is not None else None
        with contextlib.suppress(ClientError):
            r = client.get_object_legal_hold(Bucket=bucket, Key=key, VersionId=version)
            hold = r.get("LegalHold", {}).get("Status") == "ON"
        return until, hold

    def delete_copy(self, copy: Copy, blob_sha: str) -> None:
        loc = self.locations[copy]
        key = loc.key(blob_sha)
        client = self.client(copy)
        try:
            versions = self._versions(copy, key)
        except Exception as exc:
            raise store_error(exc, f"listing the versions of {key}", loc.bucket) from exc
        for v in versions:
            vid = str(v.get("VersionId") or "null")
            try:
                client.delete_object(Bucket=loc.bucket, Key=key, VersionId=vid)
            except ClientError as exc:
                if is_missing(exc):
                    continue
                if error_code(exc) == "AccessDenied":
                    until, hold = self._lock_state(copy, key, vid)
                    if hold or (until is not None and until > datetime.now(UTC)):
                        text = rfc3339(until) if until is not None else None
                        raise StoreLocked(f"s3://{loc.bucket}/{key} version {vid}", text, hold) from exc
                raise store_error(exc, f"deleting {key} version {vid}", loc.bucket) from exc
            except Exception as exc:
                raise store_error(exc, f"deleting {key} version {vid}", loc.bucket) from exc

    def delete(self, blob_sha: str) -> None:
        """Remove every version (and delete marker) of the object in both buckets: StoreLocked if
        the server refuses because of its lock or hold."""
        for copy in self.locations:
            self.delete_copy(copy, blob_sha)

    def set_legal_hold(self, blob_sha: str, on: bool) -> None:
        """Place or lift the S3 legal hold on every version of the object in both buckets (a
        missing replica is skipped: the retry job uploads it with the hold)."""
        status = "ON" if on else "OFF"
        for copy, loc in self.locations.items():
            key = loc.key(blob_sha)
            client = self.client(copy)
            try:
                for v in self._stored_versions(copy, key):
                    client.put_object_legal_hold(
                        Bucket=loc.bucket, Key=key, VersionId=v["VersionId"], LegalHold={"Status": status}
                    )
            except Exception as exc:
                raise store_error(exc, f"legal hold {status} on {key}", loc.bucket) from exc

    def lock_until(self, blob_sha: str) -> datetime | None:
        loc = self.locations["primary"]
        try:
            head = self.client("primary").head_object(Bucket=loc.bucket, Key=loc.key(blob_sha))
        except Exception:
            return None  # missing or unreadable: the copy checks report it
        until = head.get("ObjectLockRetainUntilDate")
        return until.astimezone(UTC) if isinstance(until, datetime) else None

    def hold_again(self, blob_sha: str) -> list[Copy]:
        out: list[Copy] = []
        for copy, loc in self.locations.items():
            key, client = loc.key(blob_sha), self.client(copy)
            try:
                for v in self._stored_versions(copy, key):
                    ask = {"Bucket": loc.bucket, "Key": key, "VersionId": v["VersionId"]}
                    if client.get_object_legal_hold(**ask)["LegalHold"]["Status"] == "ON":
                        continue
                    client.put_object_legal_hold(**ask, LegalHold={"Status": "ON"})
                    if copy not in out:
                        out.append(copy)
            except Exception as exc:
                raise store_error(exc, f"legal hold ON on {key}", loc.bucket) from exc
        return out

    # --- reading and checking ------------------------------------------------------------------
    def reader(self, blob_sha: str, data_key: bytes) -> S3BlobReader:
        return S3BlobReader(self, blob_sha, data_key)

    def older_versions(self, copy: Copy, blob_sha: str) -> list[str]:
        """The object's stored versions other than the current one, newest first: the locked
        originals a delete marker or an overwrite hides (found by a probe: a plain DELETE in both
        buckets, which Object Lock allows, made a recording unreadable while its versions stood)."""
        if copy not in self.locations:
            return []
        try:
            found = self._stored_versions(copy, self.locations[copy].key(blob_sha))
        except Exception:
            return []
        found.sort(key=lambda v: v.get("LastModified") or datetime.min.replace(tzinfo=UTC), reverse=True)
        return [str(v["VersionId"]) for v in found if not v.get("IsLatest")]

    def _describe_version(self, copy: Copy, blob_sha: str, version: str | None) -> str:
        where = self.describe(copy, blob_sha)
        return where if version is None else f"{where} (version {version})"

    def get_range(
        self, copy: Copy, blob_sha: str, start: int, end: int, version: str | None = None
    ) -> tuple[bytes, int]:
        """Bytes start..end-1 of the object (its current version, or `version`) and its total
        length."""
        loc = self.locations[copy]
        r = self.client(copy).get_object(
            Bucket=loc.bucket,
            Key=loc.key(blob_sha),
            Range=f"bytes={start}-{end - 1}",
            **({"VersionId": version} if version else {}),
        )
        body = r["Body"]
        try:
            data = body.read()
        finally:
            body.close()
        total = int(str(r.get("ContentRange", "")).rpartition("/")[2] or r.get("ContentLength", len(data)))
        return bytes(data), total

    def check(
        self,
        copy: Copy,
        blob_sha: str,
        data_key: bytes | None,
        throttle: Throttle | None = None,
        plaintext_hash: Any = None,
    ) -> CopyProblem | None:
        """Read the whole object front to back: every segment authenticated (or, without the key,
        the header and tags hashed) and the address compared."""
        where = self.describe(copy, blob_sha)
        if copy not in self.locations:
            return "missing", where
        loc = self.locations[copy]
        try:
            r = self.client(copy).get_object(Bucket=loc.bucket, Key=loc.key(blob_sha))
        except ClientError as exc:
            if is_missing(exc):
                return "missing", f"{where} is missing"
            return "unreadable", f"{where}: {store_error(exc, 'read', loc.bucket)}"
        except Exception as exc:
            return "unreadable", f"{where}: {store_error(exc, 'read', loc.bucket)}"
        body = r["Body"]
        try:
            got = scan_sealed(
                body.iter_chunks(MiB), int(r["ContentLength"]), data_key, throttle, plaintext_hash
            )
        except DecryptionError as exc:
            return "corrupt", f"{where}: {exc}"
        except (BotoCoreError, ClientError, OSError) as exc:
            return "unreadable", f"{where}: {exc}"
        finally:
            body.close()
        if got != blob_sha:
            return "corrupt", f"{where} has address {got[:16]}…"
        return None

    def download_verified(
        self,
        copy: Copy,
        blob_sha: str,
        data_key: bytes,
        dest: Path,
        throttle: Throttle | None = None,
        version: str | None = None,
    ) -> None:
        """Download `copy` (its current version, or `version`) into `dest` and authenticate every
        segment of the file against the address (BlobIntegrityError if it does not)."""
        loc = self.locations[copy]
        try:
            r = self.client(copy).get_object(
                Bucket=loc.bucket, Key=loc.key(blob_sha), **({"VersionId": version} if version else {})
            )
            body = r["Body"]
            try:
                fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                try:
                    for chunk in body.iter_chunks(MiB):
                        os.write(fd, chunk)
                        if throttle is not None:
                            throttle(len(chunk))
                finally:
                    os.close(fd)
            finally:
                body.close()
        except ClientError as exc:
            if is_missing(exc):
                raise BlobIntegrityError(f"{self.describe(copy, blob_sha)} is missing") from None
            raise store_error(exc, f"reading {loc.key(blob_sha)}", loc.bucket) from exc
        except (BotoCoreError, OSError) as exc:
            raise store_error(exc, f"reading {loc.key(blob_sha)}", loc.bucket) from exc
        verify_copy(dest, blob_sha, data_key)

    def heal(
        self, copy: Copy, blob_sha: str, data_key: bytes, lock: ObjectLock, throttle: Throttle | None = None
    ) -> str:
        """Upload `copy` again from the other bucket (downloaded and verified first) with the same
        lock and hold, or else from the newest older version of either bucket that verifies (the
        locked original behind a delete marker or an overwrite). A bad version stays in the bucket
        (it is locked); the new one is the latest."""
        other: Copy = "replica" if copy == "primary" else "primary"
        candidates: list[tuple[Copy, str | None]] = [(other, None)] if other in self.locations else []
        candidates += [(c, v) for c in (copy, other) for v in self.older_versions(c, blob_sha)]
        problems = []
        for source, version in candidates:
            tmp = self._work.new_path(".heal")
            try:
                try:
                    self.download_verified(source, blob_sha, data_key, tmp, throttle, version)
                except BlobIntegrityError as exc:
                    problems.append(str(exc))
                    continue
                self.upload(copy, tmp, blob_sha, lock)
                return self._describe_version(source, blob_sha, version)
            finally:
                tmp.unlink(missing_ok=True)
        raise BlobIntegrityError(
            f"no good copy or stored version to heal {copy} from"
            + (f" ({'; '.join(problems)})" if problems else "")
        )

    def list_blobs(self, copy: Copy) -> Iterator[tuple[str, float]]:
        loc = self.locations.get(copy)
        if loc is None:
            return
        pages = (
            self.client(copy).get_paginator("list_objects_v2").paginate(Bucket=loc.bucket, Prefix=loc.prefix)
        )
        for page in pages:
            for obj in page.get("Contents", []):
                sha = object_key_address(str(obj["Key"]))
                if sha is not None and obj["Key"] == loc.key(sha):
                    yield sha, obj["LastModified"].timestamp()

    # --- recovery ------------------------------------------------------------------------------
    def recover(self, known: Callable[[str], bool]) -> RecoveryReport:
        """Empty the staging dirs of processes that died. A complete staged file whose object was
        uploaded but never recorded is deleted from the buckets; if the lock forbids that, it is
        reported (its data key was never stored: nobody can read it)."""
        report = RecoveryReport()
        for work, remove in dead_workdirs(self.root / "tmp"):
            for f in sorted(work.iterdir()) if work.is_dir() else []:
                with contextlib.suppress(FileNotFoundError):
                    self._recover_file(f, known, report)
                    f.unlink()
                    report.removed_tmp_files += 1
            remove()
        return report

    def _recover_file(self, f: Path, known: Callable[[str], bool], report: RecoveryReport) -> None:
        if not f.name.endswith(".part"):
            return
        fd = os.open(f, os.O_RDONLY)
        try:
            blob_sha = seal_address(fd)
        except DecryptionError:
            return  # not complete: never uploaded
        finally:
            os.close(fd)
        if known(blob_sha):
            return
        try:
            stored = [c for c in self.locations if self._versions(c, self.locations[c].key(blob_sha))]
            if not stored:
                return
            self.delete(blob_sha)
            report.removed_unrecorded_blobs.append(blob_sha)
        except StoreLocked:
            report.locked_orphans.append(blob_sha)
        except CallwardenError as exc:
            log.warning("cannot check staged upload %s against the store: %s", f, exc)


class S3BlobWriter:
    """One recording being encrypted into a staging file, then uploaded. Thread-safe."""

    def __init__(self, store: S3BlobStore, data_key: bytes) -> None:
        self.store = store
        self._key = data_key
        self._lock = threading.Lock()
        self._sealer = SegmentSealer(data_key)
        self._plain = hashlib.sha256()
        self._address = hashlib.sha256()
        self.plain_bytes = 0
        self.blob_bytes = 0
        self.tmp = store._work.new_path(".part")
        self._fd: int | None = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._sealed: SealedBlob | None = None
        self.published: str | None = None
        header = self._sealer.header
        self._address.update(header)
        self._write([header])

    def _write(self, bufs: Sequence[bytes]) -> None:
        assert self._fd is not None
        n = os.writev(self._fd, bufs)
        total = sum(len(b) for b in bufs)
        if n < total:
            rest = memoryview(b"".join(bufs))[n:]
            while rest:
                rest = rest[os.write(self._fd, rest) :]
        self.blob_bytes += total

    def write(self, data: bytes) -> None:
        self.write_chunks([data])

    def write_chunks(self, chunks: Sequence[bytes]) -> None:
        with self._lock:
            if self._fd is None:
                return  # discarded while this batch waited for the thread
            segments: list[bytes] = []
            for data in chunks:
                self._plain.update(data)
                self.plain_bytes += len(data)
                segments += self._sealer.update_segments(data)
            if segments:
                for s in segments:
                    self._address.update(s[-TAG_BYTES:])
                self._write(segments)

    def seal(self) -> SealedBlob:
        """Seal the last segment (no fsync: the staging file only has to outlive the upload)."""
        with self._lock:
            if self._sealed is None:
                last = self._sealer.finish()
                self._address.update(last[-TAG_BYTES:])
                self._write([last])
                assert self._fd is not None
                os.close(self._fd)
                self._fd = None
                self._sealed = SealedBlob(
                    blob_sha256=self._address.hexdigest(),
                    blob_bytes=self.blob_bytes,
                    sha256=self._plain.hexdigest(),
                    bytes=self.plain_bytes,
                    replica_ok=False,
                    replica_error=None,
                )
            return self._sealed

    def publish(self, lock: ObjectLock) -> SealedBlob:
        """Upload to both buckets with `lock`; raises StoreUnavailable / StoreMisconfigured when
        the primary fails (the recording is then not stored)."""
        sealed = self.seal()
        with self._lock:
            self.published = sealed.blob_sha256
            try:
                replica_ok, error = self.store.upload_both(self.tmp, sealed.blob_sha256, lock)
            except BaseException:
                self._drop_published()
                raise
            if self.store.replica_configured and error is None and not replica_ok:
                error = "replica not written"
            return SealedBlob(
                blob_sha256=sealed.blob_sha256,
                blob_bytes=sealed.blob_bytes,
                sha256=sealed.sha256,
                bytes=sealed.bytes,
                replica_ok=replica_ok,
                replica_error=error,
            )

    def finish(self, lock: ObjectLock | None = None) -> SealedBlob:
        return self.publish(lock or ObjectLock(None))

    def _drop_published(self) -> None:
        """The row was not written: delete what was uploaded. The server keeps a locked object
        until its retain-until date; its data key is gone with this writer, so it is unreadable."""
        blob_sha, self.published = self.published, None
        if blob_sha is None:
            return
        try:
            self.store.delete(blob_sha)
        except StoreLocked:
            log.warning(
                "an upload that was not recorded stays locked in the bucket (unreadable: its key was"
                " never stored); the scrub lists it as an orphan",
                extra={"fields": {"event": "locked_orphan", "blob_sha256": blob_sha}},
            )
        except CallwardenError as exc:
            log.warning("cannot delete an unrecorded upload %s: %s", blob_sha, exc)

    def discard(self) -> None:
        with self._lock:
            self._drop_published()
            self._close_files()

    def close(self) -> None:
        with self._lock:
            self.published = None
            self._close_files()

    def _close_files(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        with contextlib.suppress(OSError):
            self.tmp.unlink()


class S3BlobReader:
    """Decrypts byte ranges of one recording with ranged GETs (one per `read`), segment by
    segment; a range that fails in the primary is read from the replica (`fell_back`)."""

    def __init__(self, store: S3BlobStore, blob_sha: str, data_key: bytes) -> None:
        self.store = store
        self.blob_sha = blob_sha
        self._key = data_key
        self.fell_back: list[str] = []
        # (copy, version): the current versions first, then older stored versions of each copy.
        self._copies: list[tuple[Copy, str | None]] = [(c, None) for c in COPIES if c in store.locations]
        self.opener = self._open_any()

    def _try_open(self, copy: Copy, version: str | None, errors: list[str]) -> SegmentOpener | None:
        first = HEADER_BYTES + SEGMENT_BYTES + TAG_BYTES
        try:
            data, total = self.store.get_range(copy, self.blob_sha, 0, first, version)
            opener = SegmentOpener(self._key, data[:HEADER_BYTES], total)
            offset, length = opener.span(0)
            opener.open(0, data[offset : offset + length])
            return opener
        except (DecryptionError, BotoCoreError, ClientError, OSError) as exc:
            where = self.store._describe_version(copy, self.blob_sha, version)
            errors.append(f"{where}: {exc}")
            self.fell_back.append(where)
            return None

    def _open_any(self) -> SegmentOpener:
        errors: list[str] = []
        for source in list(self._copies):
            opener = self._try_open(*source, errors)
            if opener is not None:
                self._copies.remove(source)
                self._copies.insert(0, source)  # read from the copy that opened
                return opener
        # Neither current version opens: the locked versions a delete marker or an overwrite hides.
        for copy in [c for c, _ in self._copies]:
            for version in self.store.older_versions(copy, self.blob_sha):
                opener = self._try_open(copy, version, errors)
                if opener is not None:
                    self._copies.insert(0, (copy, version))
                    return opener
        raise DecryptionError("; ".join(errors) or "no copy to read")

    @property
    def size(self) -> int:
        return self.opener.plain_bytes

    def _decrypt(self, copy: Copy, version: str | None, indexes: list[int]) -> list[bytes]:
        lo = self.opener.span(indexes[0])[0]
        last_off, last_len = self.opener.span(indexes[-1])
        data, _ = self.store.get_range(copy, self.blob_sha, lo, last_off + last_len, version)
        out = []
        for i in indexes:
            off, length = self.opener.span(i)
            out.append(self.opener.open(i, data[off - lo : off - lo + length]))
        return out

    def read(self, start: int, end: int) -> bytes:
        """Plaintext bytes start..end-1 (end exclusive)."""
        if start >= end:
            return b""
        indexes = list(self.opener.segments_for(start, end - 1))
        errors = []
        for copy, version in self._copies:
            try:
                plains = self._decrypt(copy, version, indexes)
                break
            except (DecryptionError, BotoCoreError, ClientError, OSError) as exc:
                where = self.store._describe_version(copy, self.blob_sha, version)
                errors.append(f"{where}: {exc}")
                self.fell_back.append(where)
        else:
            raise DecryptionError("; ".join(errors))
        seg = self.opener.segment
        parts = []
        for i, plain in zip(indexes, plains, strict=True):
            lo = max(start - i * seg, 0)
            hi = min(end - i * seg, len(plain))
            parts.append(plain[lo:hi])
        return b"".join(parts)

    def close(self) -> None:
        """Nothing held open between reads."""
