"""The spool watcher: recordings a PBX (Asterisk MixMonitor, FreeSWITCH record_session) drops
into `[recordings] spool_dir` as `<attempt_id>.<ext>` are ingested and moved to `done/`, or to
`rejected/` with a `<name>.reason.json` saying why.

A file is taken only when it is finished: its size and mtime have not changed for
`spool_settle_s` seconds across scans, and no process has it open for writing (a scan of
`/proc/*/fd`; processes of other users are visible there only to root, which is why the PBX should
also record into `.partial/` and rename, see docs/integrations.md). Dotfiles, `.partial/`,
`done/`, `rejected/` and sidecar `.json` files are never taken. Several processes may watch one
spool: a file is claimed with an exclusive flock before it is read. A file that fails for a
reason that may pass (disk full, database busy) stays in place and is tried again.

Whoever can write into the spool can plant symlinks, so nothing here follows one: files are
opened with `O_NOFOLLOW`, `done/` and `rejected/` are used through directory descriptors opened
with `O_NOFOLLOW` (a symlinked one stops the watcher at start with a clear error), reason files
are created with `O_EXCL` (never over an existing file or link), and expiry in `done/` unlinks
only regular files found there. One file the file system refuses (a name too long for its reason
file, say) is reported once and skipped; it never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import secrets
import stat
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.usecases.ingest import Ingested, Match, ingest_file, is_sidecar, match_file, shown
from policies.errors import SetupError
from policies.timefmt import rfc3339
from storage.audit import Actor
from storage.vault import Vault

__all__ = ["SpoolWatcher", "open_for_writing"]

log = logging.getLogger("callwarden.spool")

NAME_MAX = 255
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
MAX_TRIES = 5  # failed ingests of one file before it is set aside in rejected/


def open_for_writing(targets: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of the (st_dev, st_ino) files some visible process holds open for writing."""
    found: set[tuple[int, int]] = set()
    if not targets:
        return found
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return found
    for pid in pids:
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue  # gone, or another user's process
        for fd in fds:
            try:
                st = os.stat(f"{fd_dir}/{fd}")
            except OSError:
                continue
            key = (st.st_dev, st.st_ino)
            if key not in targets:
                continue
            flags = 0o1  # if fdinfo is unreadable, assume the worst: open for writing
            with (
                contextlib.suppress(OSError, ValueError, IndexError),
                open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as fh,
            ):
                flags = int(fh.read().split("flags:")[1].split()[0], 8)
            if flags & 0o3:  # O_WRONLY or O_RDWR
                found.add(key)
    return found


def _exists(name: str, dir_fd: int) -> bool:
    try:
        os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return False
    return True


def _fit(name: str, suffix: str = "") -> str:
    """`name + suffix`, shortened (with a hash of the full name) to what a file system takes."""
    if len((name + suffix).encode("utf-8", "surrogateescape")) <= NAME_MAX:
        return name + suffix
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    keep = name.encode("utf-8", "surrogateescape")[: NAME_MAX - len(suffix.encode()) - 13]
    return keep.decode("utf-8", "ignore") + "-" + digest + suffix


class SpoolWatcher:
    def __init__(self, vault: Vault, spool_dir: Path, settle_s: float = 5.0, keep_done_days: int = 1) -> None:
        self.vault = vault
        self.dir = spool_dir
        self.settle_s = settle_s
        self.keep_done_days = keep_done_days
        self._seen: dict[str, tuple[int, int, float]] = {}
        self._reported: set[str] = set()
        self._failures: dict[str, int] = {}  # failed ingests per file name
        for sub in ("done", "rejected"):
            path = spool_dir / sub
            if path.is_symlink():
                raise SetupError(
                    f"spool folder {path} is a symbolic link; callwarden never writes through one "
                    "(replace it with a real folder)"
                )

    def _subdir(self, name: str) -> int:
        """A descriptor of `done/` or `rejected/`, created if missing, never through a symlink."""
        with contextlib.suppress(FileExistsError):
            os.mkdir(self.dir / name, 0o770)
        return os.open(self.dir / name, _DIR_FLAGS)

    async def scan(self, now: float | None = None) -> list[dict[str, Any]]:
        """One pass: take every finished file. `now` is a monotonic clock reading (seconds)."""
        at = time.monotonic() if now is None else now
        ready = await asyncio.to_thread(self._ready, at)
        results = []
        for path in ready:
            try:
                result = await self._take(path)
            except Exception as exc:  # one file never stops the others (nor done/'s expiry)
                self._report_once(path.name, f"spool file {shown(path.name)[:80]!r} skipped: {exc!r}")
                continue
            if result is not None:
                results.append(result)
                self._seen.pop(path.name, None)
        await asyncio.to_thread(self._expire_done)
        return results

    def _report_once(self, name: str, message: str) -> None:
        if name not in self._reported:
            self._reported.add(name)
            log.error(message, extra={"fields": {"event": "spool_skipped", "file": name[:80]}})

    def _ready(self, now: float) -> list[Path]:
        if not self.dir.is_dir():
            return []
        entries: dict[str, tuple[int, int, int, int]] = {}
        with os.scandir(self.dir) as it:
            for entry in it:
                if entry.name.startswith(".") or is_sidecar(Path(entry.name)):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                entries[entry.name] = (st.st_size, st.st_mtime_ns, st.st_dev, st.st_ino)
        for gone in set(self._seen) - set(entries):
            del self._seen[gone]
        stable = []
        for name, (size, mtime, dev, ino) in sorted(entries.items()):
            seen = self._seen.get(name)
            if seen is None or seen[:2] != (size, mtime):
                self._seen[name] = (size, mtime, now)
            elif now - seen[2] >= self.settle_s:
                stable.append((name, (dev, ino)))
        if not stable:
            return []
        busy = open_for_writing({key for _, key in stable})
        return [self.dir / name for name, key in stable if key not in busy]

    @staticmethod
    def _claim(path: Path) -> tuple[int, Match] | None:
        """Open and lock the file (never through a symlink) and match it to its attempt; None when
        another watcher has it or it is gone. On a thread: every step touches the disk."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode) and os.lstat(path).st_ino == st.st_ino:
                return fd, match_file(path)
        except (BlockingIOError, FileNotFoundError):
            pass  # another watcher has it, or already moved it
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        return None

    async def _take(self, path: Path) -> dict[str, Any] | None:
        claimed = await asyncio.to_thread(self._claim, path)
        if claimed is None:
            return None
        fd, match = claimed
        name = shown(path.name)  # the name as logs and answers can carry it
        try:
            actor = Actor(None, "system", None, f"spool:{self.dir}")
            try:
                done = await ingest_file(self.vault, fd, path, match, actor, "spool")
            except Exception as exc:
                tries = self._failures[path.name] = self._failures.get(path.name, 0) + 1
                if tries < MAX_TRIES:
                    log.exception("spool file %s could not be ingested; will retry", name[:80])
                    return None
                # Not a passing fault: set aside with its reason rather than tried every scan.
                log.exception("spool file %s could not be ingested %d times; rejected", name[:80], tries)
                done = Ingested(
                    "rejected", match.attempt_id, "ingest_error", f"{type(exc).__name__}: {exc}"[:500]
                )
            self._failures.pop(path.name, None)
            if done.retryable:
                return None  # it changed while being read: not finished after all
            if done.result == "rejected":
                await asyncio.to_thread(
                    self._move,
                    path,
                    match.sidecar,
                    "rejected",
                    self._reason_doc(path, done.reason, done.detail, match.attempt_id),
                )
                log.warning(
                    "spool file %s rejected: %s",
                    name[:80],
                    done.detail,
                    extra={
                        "fields": {
                            "event": "spool_rejected",
                            "file": name[:80],
                            "reason": done.reason,
                        }
                    },
                )
                return {
                    "file": name,
                    "result": "rejected",
                    "reason": done.reason,
                    "detail": done.detail,
                }
            await asyncio.to_thread(self._move, path, match.sidecar, "done", None)
            log.info(
                "spool file %s %s as %s",
                name[:80],
                done.result,
                done.recording["recording_id"],
                extra={
                    "fields": {
                        "event": "spool_ingested",
                        "file": name[:80],
                        "result": done.result,
                    }
                },
            )
            return {
                "file": name,
                "result": done.result,
                "recording_id": done.recording["recording_id"],
            }
        finally:
            os.close(fd)

    @staticmethod
    def _reason_doc(path: Path, code: str | None, detail: str, attempt_id: str | None) -> dict[str, Any]:
        return {
            "file": shown(path.name),
            "reason": code,
            "detail": detail,
            "attempt_id": attempt_id,
            "at": rfc3339(datetime.now(UTC)),
        }

    def _move(self, path: Path, sidecar: Path | None, sub: str, reason: dict[str, Any] | None) -> None:
        """Move the file (and its sidecar) into `sub`; with `reason`, write `<name>.reason.json`."""
        src_fd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        dst_fd = self._subdir(sub)
        try:
            dest = self._rename(src_fd, path.name, dst_fd, ".reason.json" if reason is not None else None)
            with contextlib.suppress(OSError):
                os.utime(dest, dir_fd=dst_fd, follow_symlinks=False)  # age in done/ counts from now
            if sidecar is not None:
                with contextlib.suppress(FileNotFoundError):
                    self._rename(src_fd, sidecar.name, dst_fd)
            if reason is not None:
                fd = os.open(
                    _fit(dest, ".reason.json"),
                    os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                    0o640,
                    dir_fd=dst_fd,
                )
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(reason, indent=2) + "\n")
        finally:
            os.close(dst_fd)
            os.close(src_fd)

    @staticmethod
    def _rename(src_fd: int, name: str, dst_fd: int, companion: str | None = None) -> str:
        """Rename `name` into the destination folder under a name free there (and, with
        `companion`, whose `<name><companion>` is free too: a planted reason file, even a
        symlink, must not keep a rejected file in the spool for ever); returns it."""
        dest = _fit(name)
        while _exists(dest, dst_fd) or (companion is not None and _exists(_fit(dest, companion), dst_fd)):
            stem, dot, ext = name.partition(".")
            dest = _fit(f"{stem}-{secrets.token_hex(3)}", dot + ext)
        os.rename(name, dest, src_dir_fd=src_fd, dst_dir_fd=dst_fd)
        return dest

    def _expire_done(self) -> None:
        if self.keep_done_days <= 0 or not (self.dir / "done").is_dir():
            return
        cutoff = time.time() - self.keep_done_days * 86400
        try:
            fd = os.open(self.dir / "done", _DIR_FLAGS)
        except OSError as exc:
            self._report_once("done/", f"spool folder done/ not expired: {exc}")
            return
        try:
            with os.scandir(fd) as it:
                for entry in it:
                    with contextlib.suppress(OSError):
                        st = entry.stat(follow_symlinks=False)
                        if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                            os.unlink(entry.name, dir_fd=fd)
        finally:
            os.close(fd)
