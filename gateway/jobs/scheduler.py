"""The vault's scheduled jobs: daily purge, scrub, replica retry, daily audit anchor, spool scan.

Each job is a plain coroutine method taking `now` (tests and the CLI call them directly); `start()`
puts them on an apscheduler `AsyncIOScheduler`. With several serving processes on one data dir
(`serve --workers`), a job runs in one process at a time: each run takes a non-blocking flock on
`DATA/jobs/<job>.lock` and is skipped where that lock is held. On PostgreSQL the instances may be
on several hosts: purge, scrub, replica retry and anchor also take the job's advisory lock in the
database (`Database.cluster_lock`), so each runs once per cluster; the spool scan stays per host
(the spool is a local folder).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from gateway.jobs.spool import SpoolWatcher
from gateway.settings import Settings, anchor_path, configured_dir
from storage.audit import write_anchor
from storage.retention import purge_expired
from storage.scrub import scrub
from storage.vault import Vault

__all__ = ["VaultJobs"]

log = logging.getLogger("callwarden.jobs")

T = TypeVar("T")


class VaultJobs:
    def __init__(self, settings: Settings, vault: Vault) -> None:
        self.settings = settings
        self.vault = vault
        self.lock_dir = settings.data_dir / "jobs"
        spool_dir = configured_dir(settings, "recordings.spool_dir")
        self.spool = (
            SpoolWatcher(
                vault,
                spool_dir,
                settle_s=float(settings["recordings.spool_settle_s"]),
                keep_done_days=int(settings["recordings.spool_done_keep_days"]),
            )
            if spool_dir is not None
            else None
        )
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[Any]] = set()

    # --- the jobs (each callable directly with `now`) -----------------------------------------
    async def purge(self, now: datetime | None = None) -> dict[str, Any] | None:
        at = now or datetime.now(UTC)
        return await self._exclusive("purge", lambda: purge_expired(self.vault.db, self.vault.store, at))

    async def scrub(
        self,
        now: datetime | None = None,
        deep: bool = False,
        limit: int | None = None,
        rate_mb_s: float | None = None,
    ) -> dict[str, Any] | None:
        at = now or datetime.now(UTC)
        rate = float(self.settings["recordings.scrub_rate_mb_s"] if rate_mb_s is None else rate_mb_s) * 1e6
        return await self._exclusive(
            "scrub",
            lambda: scrub(
                self.vault.db, self.vault.store, self.vault.keyring, at, rate, deep=deep, limit=limit
            ),
        )

    async def retry_replicas(self, now: datetime | None = None) -> dict[str, Any] | None:
        at = now or datetime.now(UTC)
        return await self._exclusive("replica", lambda: self.vault.retry_replicas(at))

    async def anchor(self, now: datetime | None = None) -> dict[str, Any] | None:
        at = now or datetime.now(UTC)
        line = await self._exclusive(
            "anchor", lambda: write_anchor(self.vault.db, anchor_path(self.settings), at)
        )
        if line is not None:
            # Also into the service log (journald / syslog): a second copy outside the data dir.
            log.info("audit chain anchored", extra={"fields": {"event": "audit_anchor", **line}})
        return line

    async def scan_spool(self, now: float | None = None) -> list[dict[str, Any]] | None:
        if self.spool is None:
            return None
        spool = self.spool
        return await self._exclusive("spool", lambda: spool.scan(now))

    def _lock(self, name: str) -> int | None:
        """The job's lock file, locked; None when another process holds it."""
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_dir / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    async def _exclusive(self, name: str, fn: Callable[[], Awaitable[T]]) -> T | None:
        fd = await asyncio.to_thread(self._lock, name)
        if fd is None:
            log.debug("job %s is running in another process; skipped", name)
            return None
        try:
            if name == "spool":
                return await fn()
            async with self.vault.db.cluster_lock(name) as mine:
                if not mine:
                    log.debug("job %s is running in another instance; skipped", name)
                    return None
                return await fn()
        finally:
            os.close(fd)

    # --- scheduling ----------------------------------------------------------------------------
    def _job(self, name: str, fn: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                result = await fn()
                if result and name != "spool":
                    summary = (
                        {k: v for k, v in result.items() if k != "findings"}
                        if isinstance(result, dict)
                        else {}
                    )
                    log.info("job %s done", name, extra={"fields": {"event": f"job_{name}", **summary}})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job %s failed", name)
            finally:
                if task is not None:
                    self._running.discard(task)

        return run

    def start(self) -> None:
        s = self.settings
        sched = AsyncIOScheduler(timezone=UTC)
        common: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600}
        sched.add_job(
            self._job("purge", self.purge),
            CronTrigger(hour=int(s["recordings.purge_hour_utc"]), minute=17, timezone=UTC),
            **common,
        )
        sched.add_job(
            self._job("anchor", self.anchor),
            IntervalTrigger(seconds=int(s["audit.anchor_interval_s"]), timezone=UTC),
            **common,
        )
        sched.add_job(
            self._job("scrub", self.scrub),
            IntervalTrigger(hours=float(s["recordings.scrub_interval_h"]), timezone=UTC),
            next_run_time=datetime.now(UTC) + timedelta(minutes=10),
            **common,
        )
        if self.vault.replica_configured:
            sched.add_job(
                self._job("replica", self.retry_replicas),
                IntervalTrigger(seconds=float(s["recordings.replica_retry_s"]), timezone=UTC),
                **common,
            )
        if self.spool is not None:
            sched.add_job(
                self._job("spool", self.scan_spool),
                IntervalTrigger(seconds=float(s["recordings.spool_scan_s"]), timezone=UTC),
                next_run_time=datetime.now(UTC),
                **common,
            )
        sched.start()
        self._scheduler = sched

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        for task in list(self._running):
            task.cancel()
        for task in list(self._running):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
