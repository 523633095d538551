"""The encrypted, content-addressed file store and its replica.

Layout under the recordings dir (and the same under the replica dir):

    store/ab/<content address>.cwb   -- published recordings (storage/crypto.py: the address)
    tmp/<pid>-<rand>.lock             -- held (flock) by a live process for its life
    tmp/<pid>-<rand>/                 -- that process's unfinished uploads (storage/workdir.py)

Writing a recording (`BlobWriter`): encrypt while streaming into a file in the process's own tmp
dir (and, tee'd, into the replica's tmp dir), hashing the plaintext (SHA-256) and the segment tags
(the address) on the way, starting writeback every 8 MiB; fsync, hard-link the file to its
address in `store/` and fsync that directory, then move the replica copy into place and verify it
by reading it back (every segment authenticated). The caller then commits the DB row and only
after that drops the tmp name (`close`). A crash at any point leaves either nothing in `store/`,
or a store file whose tmp name is still there (link count 2): `recover()` (run at start) deletes
such a file unless the database knows it, and empties the tmp dirs of dead processes. Plaintext
never touches the disk.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from policies.errors import CallwardenError
from storage.crypto import (
    HEADER_BYTES,
    TAG_BYTES,
    DecryptionError,
    SegmentOpener,
    SegmentSealer,
    seal_address,
    verify_sealed,
)
from storage.store import Copy, CopyProblem, ObjectLock, RecoveryReport, SealedBlob
from storage.workdir import WorkDir, dead_workdirs

__all__ = [
    "BlobIntegrityError",
    "BlobReader",
    "BlobStore",
    "BlobWriter",
    "RecoveryReport",
    "SealedBlob",
    "verify_copy",
]

COPY_CHUNK = 1 << 20
SUFFIX = ".cwb"
# Start writeback of a file being written every this many bytes (sync_file_range), so the final
# fsync finds little left to flush and the disk works while the upload is still streaming.
WRITEBACK_EVERY = 8 << 20

Throttle = Callable[[int], None]


class BlobIntegrityError(CallwardenError):
    """A stored copy is missing, fails authentication, or does not match its address."""


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _makedirs_durable(path: Path) -> None:
    """mkdir -p, fsyncing each parent whose entry was created."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir(mode=0o700)
        fsync_dir(d.parent)


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _writev_all(fd: int, bufs: Sequence[bytes]) -> None:
    n = os.writev(fd, bufs)
    if n < sum(len(b) for b in bufs):  # a short write: finish the rest plainly
        _write_all(fd, b"".join(bufs)[n:])


def _load_sync_file_range() -> Callable[[int, int, int], None]:
    try:
        fn = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return lambda fd, offset, nbytes: None
    fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]

    def start_writeback(fd: int, offset: int, nbytes: int) -> None:
        fn(fd, offset, nbytes, 2)  # SYNC_FILE_RANGE_WRITE: start writeback, do not wait

    return start_writeback


start_writeback = _load_sync_file_range()


def verify_copy(path: Path, blob_sha: str, data_key: bytes, throttle: Throttle | None = None) -> None:
    """Raise BlobIntegrityError unless every segment of `path` authenticates and the file's
    address is `blob_sha`."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise BlobIntegrityError(f"{path} is missing") from None
    except OSError as exc:
        raise BlobIntegrityError(f"{path}: {exc}") from None
    try:
        got = verify_sealed(fd, data_key, throttle)
    except DecryptionError as exc:
        raise BlobIntegrityError(f"{path}: {exc}") from None
    except OSError as exc:
        raise BlobIntegrityError(f"{path}: {exc}") from None
    finally:
        os.close(fd)
    if got != blob_sha:
        raise BlobIntegrityError(f"{path} has address {got[:12]}…, expected {blob_sha[:12]}…")


class BlobStore:
    """The primary store (and optional replica) of encrypted recordings on local disks."""

    kind = "local"
    keeps_versions = False

    def __init__(self, root: Path, replica: Path | None = None) -> None:
        self.root = root
        self.replica = replica
        self._work = WorkDir(root / "tmp")
        self._rwork = WorkDir(replica / "tmp") if replica is not None else None

    # --- paths ---------------------------------------------------------------------------------
    @staticmethod
    def _rel(blob_sha: str) -> Path:
        return Path("store") / blob_sha[:2] / f"{blob_sha}{SUFFIX}"

    def path(self, blob_sha: str) -> Path:
        return self.root / self._rel(blob_sha)

    def replica_path(self, blob_sha: str) -> Path | None:
        return None if self.replica is None else self.replica / self._rel(blob_sha)

    def copy_path(self, copy: Copy, blob_sha: str) -> Path | None:
        return self.path(blob_sha) if copy == "primary" else self.replica_path(blob_sha)

    def describe(self, copy: Copy, blob_sha: str) -> str:
        return str(self.copy_path(copy, blob_sha))

    @property
    def replica_configured(self) -> bool:
        return self.replica is not None

    def status(self) -> dict[str, Any]:
        ok = self.writable()
        return {
            "kind": self.kind,
            "ok": ok,
            "primary": str(self.root),
            "replica": None if self.replica is None else str(self.replica),
            "detail": "" if ok else f"{self.root} is not writable",
        }

    def open(self) -> None:
        """Create the directories and this process's work dirs. The replica folder itself is
        never created: if it is missing (a disk not mounted), writing there would silently put
        the "backup" on the primary's disk; the replica is then unavailable instead."""
        _makedirs_durable(self.root / "store")
        self._work.open()
        if self.replica is not None and self._rwork is not None:
            try:
                self._check_replica()
                _makedirs_durable(self.replica / "store")
                self._rwork.open()
            except OSError:
                pass  # an unavailable replica is retried per recording, never fatal

    def _check_replica(self) -> None:
        if self.replica is None or not self.replica.is_dir():
            raise OSError(errno.ENOENT, f"replica folder {self.replica} is missing (not mounted?)")

    def close(self) -> None:
        self._work.close()
        if self._rwork is not None:
            self._rwork.close()

    def writable(self) -> bool:
        try:
            probe = self._work.new_path(".probe")
            probe.write_bytes(b"")
            probe.unlink()
            return True
        except OSError:
            return False

    # --- writing -------------------------------------------------------------------------------
    def writer(self, data_key: bytes) -> BlobWriter:
        return BlobWriter(self, data_key)

    def _replica_tmp(self) -> Path:
        if self._rwork is None:
            raise OSError(errno.ENOENT, "no replica configured")
        self._check_replica()
        return self._rwork.new_path(".part")

    def publish_replica(self, tmp: Path, blob_sha: str, data_key: bytes) -> None:
        """Verify a complete, fsynced replica tmp file by reading it back, then move it into place."""
        verify_copy(tmp, blob_sha, data_key)
        dest = self.replica_path(blob_sha)
        assert dest is not None
        _makedirs_durable(dest.parent)
        os.replace(tmp, dest)
        fsync_dir(dest.parent)

    def copy_verified(
        self, src: Path, blob_sha: str, to_replica: bool, data_key: bytes, throttle: Throttle | None = None
    ) -> None:
        """Copy `src` to the primary or replica address through a tmp file: fsync, verify (every
        segment authenticated, the address matching), rename, fsync dir. BlobIntegrityError if
        the copy is bad (then nothing is replaced)."""
        tmp = self._replica_tmp() if to_replica else self._work.new_path(".heal")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with open(src, "rb", buffering=0) as fh:
                    while chunk := fh.read(COPY_CHUNK):
                        _write_all(fd, chunk)
                        if throttle is not None:
                            throttle(len(chunk))
                os.fsync(fd)
            finally:
                os.close(fd)
            if to_replica:
                self.publish_replica(tmp, blob_sha, data_key)
            else:
                verify_copy(tmp, blob_sha, data_key)
                dest = self.path(blob_sha)
                _makedirs_durable(dest.parent)
                os.replace(tmp, dest)
                fsync_dir(dest.parent)
        finally:
            tmp.unlink(missing_ok=True)

    def delete(self, blob_sha: str) -> None:
        """Remove the primary and replica copies (missing ones are fine)."""
        for p in (self.path(blob_sha), self.replica_path(blob_sha)):
            if p is None:
                continue
            try:
                p.unlink()
            except FileNotFoundError:
                continue
            with contextlib.suppress(OSError):
                fsync_dir(p.parent)

    def set_legal_hold(self, blob_sha: str, on: bool) -> None:
        """Nothing to do on a local disk: the hold lives in the database (the purge obeys it)."""

    def lock_until(self, blob_sha: str) -> datetime | None:
        return None

    def hold_again(self, blob_sha: str) -> list[Copy]:
        return []

    # --- scrub ---------------------------------------------------------------------------------
    def check(
        self,
        copy: Copy,
        blob_sha: str,
        data_key: bytes | None,
        throttle: Throttle | None = None,
        plaintext_hash: Any = None,
    ) -> CopyProblem | None:
        """None if the copy is good, else (problem, detail). With the data key every segment is
        authenticated; without it only the header and tags are checked against the address."""
        path = self.copy_path(copy, blob_sha)
        if path is None or not path.exists():
            return "missing", f"{path} is missing"
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            return "unreadable", f"{path}: {exc}"
        try:
            if data_key is not None:
                got = verify_sealed(fd, data_key, throttle, plaintext_hash)
            else:
                got = seal_address(fd)
        except DecryptionError as exc:
            return "corrupt", f"{path}: {exc}"
        except OSError as exc:
            return "unreadable", f"{path}: {exc}"
        finally:
            os.close(fd)
        if got != blob_sha:
            return "corrupt", f"{path} has address {got[:16]}…"
        return None

    def heal(
        self, copy: Copy, blob_sha: str, data_key: bytes, lock: ObjectLock, throttle: Throttle | None = None
    ) -> str:
        """Rewrite `copy` from the other copy (verified before it replaces anything)."""
        source = self.replica_path(blob_sha) if copy == "primary" else self.path(blob_sha)
        if source is None:
            raise OSError(errno.ENOENT, "no replica configured")
        self.copy_verified(source, blob_sha, copy == "replica", data_key, throttle)
        return str(source)

    def list_blobs(self, copy: Copy) -> Iterator[tuple[str, float]]:
        root = self.root if copy == "primary" else self.replica
        if root is None or not (root / "store").is_dir():
            return
        for sub in sorted((root / "store").iterdir()):
            if not sub.is_dir():
                continue
            for f in sorted(sub.iterdir()):
                try:
                    mtime = f.stat().st_mtime
                except FileNotFoundError:
                    continue
                yield f.name.split(".", 1)[0], mtime

    # --- reading -------------------------------------------------------------------------------
    def reader(self, blob_sha: str, data_key: bytes) -> BlobReader:
        return BlobReader(self, blob_sha, data_key)

    # --- recovery ------------------------------------------------------------------------------
    def abandon(self) -> None:
        """Drop the work dirs without cleaning them, as a crash would (tests)."""
        self._work.abandon()
        if self._rwork is not None:
            self._rwork.abandon()

    def recover(self, known: Callable[[str], bool]) -> RecoveryReport:
        """Clean up after processes that died mid-write: a store file still linked from a dead
        tmp dir is removed (with its replica) unless `known(blob_sha)` says a DB row has it."""
        report = RecoveryReport()
        for work, remove in dead_workdirs(self.root / "tmp"):
            for f in sorted(work.iterdir()) if work.is_dir() else []:
                with contextlib.suppress(FileNotFoundError):
                    if f.stat().st_nlink > 1:
                        self._recover_published(f, known, report)
                    f.unlink()
                    report.removed_tmp_files += 1
            remove()
        if self.replica is not None:
            for work, remove in dead_workdirs(self.replica / "tmp"):
                report.removed_tmp_files += sum(1 for _ in work.iterdir()) if work.is_dir() else 0
                remove()
        return report

    def _recover_published(self, tmp: Path, known: Callable[[str], bool], report: RecoveryReport) -> None:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            blob_sha = seal_address(fd)
        except DecryptionError:
            return  # cannot be a published file: those are complete
        finally:
            os.close(fd)
        published = self.path(blob_sha)
        if not known(blob_sha) and published.exists() and published.stat().st_ino == tmp.stat().st_ino:
            self.delete(blob_sha)
            report.removed_unrecorded_blobs.append(blob_sha)


class BlobWriter:
    """One recording being written. Thread-safe: batches may be written from executor threads."""

    def __init__(self, store: BlobStore, data_key: bytes) -> None:
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
        self._rtmp: Path | None = None
        self._rfd: int | None = None
        self.replica_error: str | None = None
        if store.replica is not None:
            try:
                self._rtmp = store._replica_tmp()
                self._rfd = os.open(self._rtmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except OSError as exc:
                self._replica_failed(exc)
        self.published: str | None = None
        self._sealed: SealedBlob | None = None
        header = self._sealer.header
        self._address.update(header)
        self._write([header])

    def _replica_failed(self, exc: BaseException) -> None:
        self.replica_error = f"{type(exc).__name__}: {exc}"
        if self._rfd is not None:
            with contextlib.suppress(OSError):
                os.close(self._rfd)
            self._rfd = None
        if self._rtmp is not None:
            with contextlib.suppress(OSError):
                self._rtmp.unlink()
            self._rtmp = None

    def _write(self, bufs: Sequence[bytes]) -> None:
        assert self._fd is not None
        _writev_all(self._fd, bufs)
        if self._rfd is not None:
            try:
                _writev_all(self._rfd, bufs)
            except OSError as exc:
                self._replica_failed(exc)
        before = self.blob_bytes
        self.blob_bytes += sum(len(b) for b in bufs)
        if self.blob_bytes // WRITEBACK_EVERY != before // WRITEBACK_EVERY:
            start = (before // WRITEBACK_EVERY) * WRITEBACK_EVERY
            for fd in (self._fd, self._rfd):
                if fd is not None:
                    start_writeback(fd, start, self.blob_bytes - start)

    def _segments(self, segments: Sequence[bytes]) -> None:
        if segments:
            for s in segments:
                self._address.update(s[-TAG_BYTES:])
            self._write(segments)

    def write(self, data: bytes) -> None:
        self.write_chunks([data])

    def write_chunks(self, chunks: Sequence[bytes]) -> None:
        """Hash and encrypt a batch of chunks as they came off the socket (no joining copy)."""
        with self._lock:
            if self._fd is None:
                return  # discarded while this batch waited for the thread
            segments: list[bytes] = []
            for data in chunks:
                self._plain.update(data)
                self.plain_bytes += len(data)
                segments += self._sealer.update_segments(data)
            self._segments(segments)

    def seal(self) -> SealedBlob:
        """Seal the last segment and fsync: the address and plaintext hash are known, nothing is
        published yet (the vault looks for a duplicate before it publishes)."""
        with self._lock:
            if self._sealed is None:
                self._segments([self._sealer.finish()])
                assert self._fd is not None
                os.fsync(self._fd)
                self._sealed = SealedBlob(
                    blob_sha256=self._address.hexdigest(),
                    blob_bytes=self.blob_bytes,
                    sha256=self._plain.hexdigest(),
                    bytes=self.plain_bytes,
                    replica_ok=False,
                    replica_error=None,
                )
            return self._sealed

    def publish(self, lock: ObjectLock | None = None) -> SealedBlob:
        """Publish under the content address, write and verify the replica. The lock is kept in
        the database: a local disk cannot enforce it."""
        sealed = self.seal()
        with self._lock:
            blob_sha = sealed.blob_sha256
            dest = self.store.path(blob_sha)
            _makedirs_durable(dest.parent)
            os.link(self.tmp, dest)
            self.published = blob_sha
            fsync_dir(dest.parent)
            replica_ok = False
            if self._rfd is not None and self._rtmp is not None:
                try:
                    os.fsync(self._rfd)
                    os.close(self._rfd)
                    self._rfd = None
                    self.store.publish_replica(self._rtmp, blob_sha, self._key)
                    replica_ok = True
                except (OSError, BlobIntegrityError) as exc:
                    self._replica_failed(exc)
                    rp = self.store.replica_path(blob_sha)
                    if rp is not None:
                        with contextlib.suppress(OSError):
                            rp.unlink()
            elif self.store.replica is not None and self.replica_error is None:
                self.replica_error = "replica not written"
            return SealedBlob(
                blob_sha256=blob_sha,
                blob_bytes=sealed.blob_bytes,
                sha256=sealed.sha256,
                bytes=sealed.bytes,
                replica_ok=replica_ok,
                replica_error=None if replica_ok else self.replica_error,
            )

    def finish(self) -> SealedBlob:
        """Seal and publish (no lock to set on a local disk)."""
        return self.publish(None)

    def discard(self) -> None:
        """Undo everything: the tmp files and, if already published, the store and replica copies
        (the DB row was not written, or the recording was a duplicate)."""
        with self._lock:
            if self.published is not None:
                self.store.delete(self.published)
                self.published = None
            self._close_files()

    def close(self) -> None:
        """After the DB row is committed: drop the tmp name (the store file stays)."""
        with self._lock:
            self.published = None
            self._close_files()

    def _close_files(self) -> None:
        for fd in (self._fd, self._rfd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._rfd = None
        for p in (self.tmp, self._rtmp):
            if p is not None:
                with contextlib.suppress(OSError):
                    p.unlink()


class BlobReader:
    """Decrypts byte ranges of one recording, segment by segment. A segment that fails in the
    primary copy is read from the replica instead (and `fell_back` records it for the scrub)."""

    def __init__(self, store: BlobStore, blob_sha: str, data_key: bytes) -> None:
        self.store = store
        self.blob_sha = blob_sha
        self._key = data_key
        self._files: dict[Path, int] = {}
        self.fell_back: list[str] = []
        self.opener = self._open_any()

    def _candidates(self) -> list[Path]:
        out = [self.store.path(self.blob_sha)]
        rp = self.store.replica_path(self.blob_sha)
        if rp is not None:
            out.append(rp)
        return out

    def _fd(self, path: Path) -> int:
        fd = self._files.get(path)
        if fd is None:
            fd = self._files[path] = os.open(path, os.O_RDONLY)
        return fd

    def _open_any(self) -> SegmentOpener:
        errors = []
        for path in self._candidates():
            try:
                fd = self._fd(path)
                opener = SegmentOpener(self._key, os.pread(fd, HEADER_BYTES, 0), os.fstat(fd).st_size)
                opener.open(0, os.pread(fd, *reversed(opener.span(0))))
                return opener
            except (OSError, DecryptionError) as exc:
                errors.append(f"{path}: {exc}")
                self.fell_back.append(str(path))
        raise DecryptionError("; ".join(errors))

    def _segment(self, index: int) -> bytes:
        offset, length = self.opener.span(index)
        errors = []
        for path in self._candidates():
            try:
                sealed = os.pread(self._fd(path), length, offset)
                return self.opener.open(index, sealed)
            except (OSError, DecryptionError) as exc:
                errors.append(f"{path}: {exc}")
                self.fell_back.append(str(path))
        raise DecryptionError("; ".join(errors))

    @property
    def size(self) -> int:
        return self.opener.plain_bytes

    def read(self, start: int, end: int) -> bytes:
        """Plaintext bytes start..end-1 (end exclusive)."""
        if start >= end:
            return b""
        seg = self.opener.segment
        parts = []
        for i in self.opener.segments_for(start, end - 1):
            plain = self._segment(i)
            lo = max(start - i * seg, 0)
            hi = min(end - i * seg, len(plain))
            parts.append(plain[lo:hi])
        return b"".join(parts)

    def close(self) -> None:
        for fd in self._files.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._files.clear()
