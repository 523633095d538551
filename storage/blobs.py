"""The encrypted, content-addressed file store and its replica.

Layout under the recordings dir (and the same under the replica dir):

    store/ab/<sha256 of the encrypted file>.cwb   -- published recordings, read-only
    tmp/<pid>-<rand>.lock                          -- held (flock) by a live process for its life
    tmp/<pid>-<rand>/                              -- that process's unfinished uploads

Writing a recording (`BlobWriter`): encrypt while streaming into a file in the process's own tmp
dir (and, tee'd, into the replica's tmp dir), hash the plaintext and the ciphertext on the way,
fsync, hard-link the file to its content address in `store/` and fsync that directory, then move
the replica copy into place and verify it by reading it back. The caller then commits the DB row
and only after that drops the tmp name (`close`). A crash at any point leaves either nothing in
`store/`, or a store file whose tmp name is still there (link count 2): `recover()` (run at start)
deletes such a file unless the database knows it, and empties the tmp dirs of dead processes.
Plaintext never touches the disk.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from storage.crypto import HEADER_BYTES, DecryptionError, SegmentOpener, SegmentSealer

__all__ = ["BlobIntegrityError", "BlobReader", "BlobStore", "BlobWriter", "RecoveryReport", "SealedBlob"]

COPY_CHUNK = 1 << 20
SUFFIX = ".cwb"

Throttle = Callable[[int], None]


class BlobIntegrityError(RuntimeError):
    """A stored copy is missing or does not hash to its content address."""


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


def hash_file(path: Path, throttle: Throttle | None = None) -> tuple[str, int]:
    """(SHA-256 hex, size) of a file, read in 1 MiB chunks; `throttle(n)` after each chunk."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as fh:
        while chunk := fh.read(COPY_CHUNK):
            h.update(chunk)
            size += len(chunk)
            if throttle is not None:
                throttle(len(chunk))
    return h.hexdigest(), size


class _WorkDir:
    """A tmp dir private to this process, marked live by an exclusive flock on its lock file."""

    def __init__(self, tmp_root: Path) -> None:
        self.tmp_root = tmp_root
        self.dir: Path | None = None
        self._fd: int | None = None

    def open(self) -> Path:
        if self.dir is not None:
            return self.dir
        self.tmp_root.mkdir(parents=True, exist_ok=True, mode=0o700)
        while True:
            name = f"{os.getpid()}-{secrets.token_hex(4)}"
            lock = self.tmp_root / f"{name}.lock"
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(lock).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False  # another process's recovery removed it before we locked it
            if same:
                break
            os.close(fd)
        self._fd = fd
        self.dir = self.tmp_root / name
        self.dir.mkdir(mode=0o700)
        return self.dir

    def new_path(self, suffix: str) -> Path:
        return self.open() / f"{secrets.token_hex(8)}{suffix}"

    def close(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            (self.tmp_root / f"{self.dir.name}.lock").unlink(missing_ok=True)
            self.dir = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _dead_workdirs(tmp_root: Path) -> Iterator[tuple[Path, Callable[[], None]]]:
    """Each work dir whose owner is gone (its lock can be taken), with a function that removes
    the dir and its lock file. Dirs without a lock file are dead too."""
    if not tmp_root.is_dir():
        return
    for lock in sorted(tmp_root.glob("*.lock")):
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live process owns it
            try:
                if os.stat(lock).st_ino != os.fstat(fd).st_ino:
                    continue
            except FileNotFoundError:
                continue
            work = tmp_root / lock.name[: -len(".lock")]

            def remove(work: Path = work, lock: Path = lock) -> None:
                shutil.rmtree(work, ignore_errors=True)
                lock.unlink(missing_ok=True)

            yield work, remove
        finally:
            os.close(fd)
    for d in sorted(tmp_root.iterdir()):
        if d.is_dir() and not (tmp_root / f"{d.name}.lock").exists():

            def remove_dir(d: Path = d) -> None:
                shutil.rmtree(d, ignore_errors=True)

            yield d, remove_dir


@dataclass(frozen=True)
class SealedBlob:
    """What `BlobWriter.finish` made: the published file and the replica's fate."""

    blob_sha256: str
    blob_bytes: int
    sha256: str
    bytes: int
    replica_ok: bool
    replica_error: str | None


@dataclass
class RecoveryReport:
    removed_tmp_files: int = 0
    removed_unrecorded_blobs: list[str] = field(default_factory=list)


class BlobStore:
    """The primary store (and optional replica) of encrypted recordings."""

    def __init__(self, root: Path, replica: Path | None = None) -> None:
        self.root = root
        self.replica = replica
        self._work = _WorkDir(root / "tmp")
        self._rwork = _WorkDir(replica / "tmp") if replica is not None else None

    # --- paths ---------------------------------------------------------------------------------
    @staticmethod
    def _rel(blob_sha: str) -> Path:
        return Path("store") / blob_sha[:2] / f"{blob_sha}{SUFFIX}"

    def path(self, blob_sha: str) -> Path:
        return self.root / self._rel(blob_sha)

    def replica_path(self, blob_sha: str) -> Path | None:
        return None if self.replica is None else self.replica / self._rel(blob_sha)

    def open(self) -> None:
        """Create the directories and this process's work dirs."""
        _makedirs_durable(self.root / "store")
        self._work.open()
        if self.replica is not None and self._rwork is not None:
            try:
                _makedirs_durable(self.replica / "store")
                self._rwork.open()
            except OSError:
                pass  # an unavailable replica is retried per recording, never fatal

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
        return self._rwork.new_path(".part")

    def publish_replica(self, tmp: Path, blob_sha: str) -> None:
        """Move a complete, fsynced replica tmp file into place and verify it by reading it back."""
        dest = self.replica_path(blob_sha)
        assert dest is not None
        _makedirs_durable(dest.parent)
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
        got, _ = hash_file(dest)
        if got != blob_sha:
            raise BlobIntegrityError(f"replica {dest} reads back as {got[:12]}…, expected {blob_sha[:12]}…")

    def copy_verified(
        self, src: Path, blob_sha: str, to_replica: bool, throttle: Throttle | None = None
    ) -> None:
        """Copy `src` (which must hash to `blob_sha`) to the primary or replica address, through a
        tmp file: fsync, verify, rename, fsync dir. Raises BlobIntegrityError if `src` is bad."""
        tmp = self._replica_tmp() if to_replica else self._work.new_path(".heal")
        h = hashlib.sha256()
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with open(src, "rb", buffering=0) as fh:
                    while chunk := fh.read(COPY_CHUNK):
                        h.update(chunk)
                        _write_all(fd, chunk)
                        if throttle is not None:
                            throttle(len(chunk))
                os.fsync(fd)
            finally:
                os.close(fd)
            if h.hexdigest() != blob_sha:
                raise BlobIntegrityError(f"{src} does not hash to its address {blob_sha[:12]}…")
            if to_replica:
                self.publish_replica(tmp, blob_sha)
            else:
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

    def iter_blobs(self, replica: bool = False) -> Iterator[str]:
        """Content addresses present in the primary (or replica) store."""
        root = self.replica if replica else self.root
        if root is None or not (root / "store").is_dir():
            return
        for sub in sorted((root / "store").iterdir()):
            if sub.is_dir():
                for f in sorted(sub.iterdir()):
                    if f.name.endswith(SUFFIX):
                        yield f.name[: -len(SUFFIX)]

    # --- reading -------------------------------------------------------------------------------
    def reader(self, blob_sha: str, data_key: bytes) -> BlobReader:
        return BlobReader(self, blob_sha, data_key)

    # --- recovery ------------------------------------------------------------------------------
    def recover(self, known: Callable[[str], bool]) -> RecoveryReport:
        """Clean up after processes that died mid-write: a store file still linked from a dead
        tmp dir is removed (with its replica) unless `known(blob_sha)` says a DB row has it."""
        report = RecoveryReport()
        for work, remove in _dead_workdirs(self.root / "tmp"):
            for f in sorted(work.iterdir()) if work.is_dir() else []:
                with contextlib.suppress(FileNotFoundError):
                    if f.stat().st_nlink > 1:
                        blob_sha, _ = hash_file(f)
                        if not known(blob_sha):
                            published = self.path(blob_sha)
                            if published.exists() and published.stat().st_ino == f.stat().st_ino:
                                self.delete(blob_sha)
                                report.removed_unrecorded_blobs.append(blob_sha)
                    f.unlink()
                    report.removed_tmp_files += 1
            remove()
        if self.replica is not None:
            for work, remove in _dead_workdirs(self.replica / "tmp"):
                report.removed_tmp_files += sum(1 for _ in work.iterdir()) if work.is_dir() else 0
                remove()
        return report


class BlobWriter:
    """One recording being written. Thread-safe: chunks may be written from executor threads."""

    def __init__(self, store: BlobStore, data_key: bytes) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._sealer = SegmentSealer(data_key)
        self._plain = hashlib.sha256()
        self._blob = hashlib.sha256()
        self.plain_bytes = 0
        self.blob_bytes = 0
        self.tmp = store._work.new_path(".part")
        self._fd: int | None = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._rtmp: Path | None = None
        self._rfd: int | None = None
        self.replica_error: str | None = None
        if store.replica is None:
            self.replica_error = None
        else:
            try:
                self._rtmp = store._replica_tmp()
                self._rfd = os.open(self._rtmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except OSError as exc:
                self._replica_failed(exc)
        self.published: str | None = None
        self._out(self._sealer.header)

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

    def _out(self, data: bytes) -> None:
        if not data:
            return
        assert self._fd is not None
        self._blob.update(data)
        self.blob_bytes += len(data)
        _write_all(self._fd, data)
        if self._rfd is not None:
            try:
                _write_all(self._rfd, data)
            except OSError as exc:
                self._replica_failed(exc)

    def write(self, data: bytes) -> None:
        with self._lock:
            if self._fd is None:
                return  # discarded while this batch waited for the thread
            self._plain.update(data)
            self.plain_bytes += len(data)
            self._out(self._sealer.update(data))

    def finish(self) -> SealedBlob:
        """Seal, fsync, publish under the content address, write and verify the replica."""
        with self._lock:
            self._out(self._sealer.finish())
            assert self._fd is not None
            os.fsync(self._fd)
            blob_sha = self._blob.hexdigest()
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
                    self.store.publish_replica(self._rtmp, blob_sha)
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
                blob_bytes=self.blob_bytes,
                sha256=self._plain.hexdigest(),
                bytes=self.plain_bytes,
                replica_ok=replica_ok,
                replica_error=None if replica_ok else self.replica_error,
            )

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
