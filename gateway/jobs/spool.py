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
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.usecases.ingest import file_chunks, is_sidecar, match_file
from storage.audit import Access, Actor, append
from storage.db import NotFound
from storage.vault import EmptyRecording, IncompleteUpload, TooLarge, Vault

__all__ = ["SpoolWatcher", "open_for_writing"]

log = logging.getLogger("callwarden.spool")


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


def _unique(dest_dir: Path, name: str) -> Path:
    dest = dest_dir / name
    while dest.exists():
        stem, dot, ext = name.partition(".")
        dest = dest_dir / f"{stem}-{secrets.token_hex(3)}{dot}{ext}"
    return dest


class SpoolWatcher:
    def __init__(self, vault: Vault, spool_dir: Path, settle_s: float = 5.0, keep_done_days: int = 1) -> None:
        self.vault = vault
        self.dir = spool_dir
        self.done = spool_dir / "done"
        self.rejected = spool_dir / "rejected"
        self.settle_s = settle_s
        self.keep_done_days = keep_done_days
        self._seen: dict[str, tuple[int, int, float]] = {}

    async def scan(self, now: float | None = None) -> list[dict[str, Any]]:
        """One pass: take every finished file. `now` is a monotonic clock reading (seconds)."""
        at = time.monotonic() if now is None else now
        ready = await asyncio.to_thread(self._ready, at)
        results = []
        for path in ready:
            result = await self._take(path)
            if result is not None:
                results.append(result)
                self._seen.pop(path.name, None)
        await asyncio.to_thread(self._expire_done)
        return results

    def _ready(self, now: float) -> list[Path]:
        if not self.dir.is_dir():
            return []
        entries: dict[str, tuple[int, int, int, int]] = {}
        with os.scandir(self.dir) as it:
            for entry in it:
                if entry.name.startswith(".") or is_sidecar(Path(entry.name)):
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
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

    async def _take(self, path: Path) -> dict[str, Any] | None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.stat(path).st_ino != os.fstat(fd).st_ino:
                    return None
            except (BlockingIOError, FileNotFoundError):
                return None  # another watcher has it, or already moved it
            size = os.fstat(fd).st_size
            match = match_file(path)
            actor = Actor(None, "system", None, f"spool:{self.dir}")
            if match.attempt_id is None:
                return await self._reject(path, match.sidecar, "no_attempt", match.problem or "", actor)
            try:
                rec, created = await self.vault.ingest(
                    match.attempt_id,
                    file_chunks(fd),
                    content_type=match.content_type,
                    actor=actor,
                    source="spool",
                    filename=path.name,
                    expected_bytes=size,
                )
            except NotFound:
                detail = f"no attempt {match.attempt_id!r}"
                return await self._reject(
                    path, match.sidecar, "unknown_attempt", detail, actor, match.attempt_id
                )
            except EmptyRecording:
                return await self._reject(
                    path, match.sidecar, "empty", "the file is empty", actor, match.attempt_id
                )
            except TooLarge as exc:
                return await self._reject(path, match.sidecar, "too_large", str(exc), actor, match.attempt_id)
            except IncompleteUpload:
                return None  # it changed while being read: not finished after all
            except Exception:
                log.exception("spool file %s could not be ingested; will retry", path.name)
                return None
            await asyncio.to_thread(self._move, path, match.sidecar, self.done)
            outcome = "ingested" if created else "duplicate"
            log.info(
                "spool file %s %s as %s",
                path.name,
                outcome,
                rec["recording_id"],
                extra={"fields": {"event": "spool_ingested", "file": path.name, "result": outcome}},
            )
            return {"file": path.name, "result": outcome, "recording_id": rec["recording_id"]}
        finally:
            os.close(fd)

    def _move(self, path: Path, sidecar: Path | None, dest_dir: Path) -> Path:
        dest_dir.mkdir(mode=0o770, exist_ok=True)
        dest = _unique(dest_dir, path.name)
        os.rename(path, dest)
        os.utime(dest)  # age in done/ counts from now
        if sidecar is not None and sidecar.exists():
            os.rename(sidecar, _unique(dest_dir, sidecar.name))
        return dest

    async def _reject(
        self,
        path: Path,
        sidecar: Path | None,
        code: str,
        detail: str,
        actor: Actor,
        attempt_id: str | None = None,
    ) -> dict[str, Any]:
        dest = await asyncio.to_thread(self._move, path, sidecar, self.rejected)
        reason = {
            "file": path.name,
            "reason": code,
            "detail": detail,
            "attempt_id": attempt_id,
            "at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        dest.with_name(dest.name + ".reason.json").write_text(
            json.dumps(reason, indent=2) + "\n", encoding="utf-8"
        )
        await append(
            self.vault.db,
            Access(
                actor,
                "recording.upload",
                "spool_file",
                path.name,
                "rejected",
                details={"reason": code, "detail": detail},
            ),
        )
        log.warning(
            "spool file %s rejected: %s",
            path.name,
            detail,
            extra={"fields": {"event": "spool_rejected", "file": path.name, "reason": code}},
        )
        return {"file": path.name, "result": "rejected", "reason": code, "detail": detail}

    def _expire_done(self) -> None:
        if self.keep_done_days <= 0 or not self.done.is_dir():
            return
        cutoff = time.time() - self.keep_done_days * 86400
        for f in self.done.iterdir():
            with contextlib.suppress(OSError):
                if f.is_file() and f.stat().st_mtime < cutoff:
                    f.unlink()
