"""Per-process scratch directories that survive nothing: each process writes its unfinished files
into its own `tmp/<pid>-<rand>/`, marked live by an exclusive flock on `tmp/<pid>-<rand>.lock`
held for the life of the process. The kernel drops the lock when the process dies (even on
`kill -9`), so another process can tell a dead process's leftovers from a live one's uploads."""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["WorkDir", "dead_workdirs"]


class WorkDir:
    """A tmp dir private to this process."""

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

    def abandon(self) -> None:
        """Forget the dir without cleaning it up, releasing the lock: what a crash leaves (tests)."""
        if self._fd is not None:
            os.close(self._fd)
        self._fd = None
        self.dir = None


def dead_workdirs(tmp_root: Path) -> Iterator[tuple[Path, Callable[[], None]]]:
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
