"""The transcription worker: claim a job, decrypt the recording, run the pipeline, store the result.

    worker = Worker(db, vault, SpeechConfig(), JobOptions(), work_root=data_dir / "speech-work")
    await worker.run(stop_event)          # until stopped; or `await worker.run_once()` for one job

A worker runs in a process of its own (`callwarden workers`, or started by `callwarden serve`):
decoding and transcription are CPU-bound and ffmpeg or an engine may crash, which must never take
the gateway down. Inside the process the pipeline runs on a thread while the event loop renews
the job's lease, so a job that takes long is not taken over, and a worker that dies (`kill -9`,
out of memory, a native crash) simply stops renewing: another worker claims the job once the
lease expires.

Per recording: the language is the case's `language`, else its region's (CN → zh, US → en,
KR → ko), else `speech.language`; the case's facts go to the flagging; the agent's channel is
`speech.agent_channel`, and the agent's speech is heard by the party of the attempt (the debtor,
or a third party).

The decrypted audio goes to a file in a private work dir (`DATA/speech-work/<pid>-<rand>/`,
mode 0700) and is deleted when the job ends; a dead worker's leftovers are removed by the next
`callwarden workers` start (`clean_work_root`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from policies.errors import SetupError
from speech.audio import AudioDecodeError, FfmpegNotFound
from speech.config import SpeechConfig, recording_language
from speech.engines import Engine, EngineError
from speech.pipeline import engine_for, process
from speech.transcript import TranscriptResult
from storage.audit import Access, Actor
from storage.db import Database
from storage.store import RecordingReader as StoredReader
from storage.transcription_jobs import (
    ClaimedJob,
    JobContext,
    LeaseLost,
    claim,
    complete,
    fail,
    job_context,
    release,
    renew,
    worker_name,
)
from storage.transcripts import NewTranscript, store_transcript_sync
from storage.workdir import WorkDir, dead_workdirs

__all__ = ["JobOptions", "Worker", "clean_work_root", "error_kind"]

log = logging.getLogger("callwarden.speech.worker")

READ_BYTES = 1 << 20


class RecordingReader(Protocol):
    """What the worker needs of the vault: a decrypting reader for a stored recording."""

    async def reader(self, recording_id: str, blob_sha256: str) -> StoredReader: ...


@dataclass(frozen=True)
class JobOptions:
    lease_s: float = 120.0  # a job not renewed for this long is claimed again
    max_attempts: int = 3
    backoff_s: float = 30.0  # after failed attempt n: backoff_s * 2**(n-1), at most backoff_max_s
    backoff_max_s: float = 3600.0
    poll_s: float = 1.0  # idle workers look for jobs this often

    def __post_init__(self) -> None:
        if self.lease_s <= 0 or self.poll_s <= 0 or self.backoff_s < 0:
            raise ValueError("lease_s and poll_s must be positive, backoff_s not negative")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    @classmethod
    def from_settings(cls, section: Mapping[str, Any]) -> JobOptions:
        """From the ``speech`` settings section (keys without the ``speech.`` prefix)."""
        return cls(
            lease_s=float(section.get("job_lease_s") or cls.lease_s),
            max_attempts=int(section.get("job_max_attempts") or cls.max_attempts),
            backoff_s=float(section.get("job_backoff_s", cls.backoff_s)),
            backoff_max_s=float(section.get("job_backoff_max_s") or cls.backoff_max_s),
            poll_s=float(section.get("job_poll_s") or cls.poll_s),
        )


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, AudioDecodeError):
        return "decode"
    if isinstance(exc, EngineError | FfmpegNotFound | SetupError):
        return "engine"  # also the semantic flagger's head file or embedder (a setup problem)
    if type(exc).__name__ in ("DecryptionError", "KeyringError", "BlobIntegrityError"):
        return "decrypt"
    return "internal"


def clean_work_root(work_root: Path) -> int:
    """Remove the work dirs of workers that are gone (decrypted audio they left); returns how many."""
    removed = 0
    for _, remove in dead_workdirs(work_root):
        remove()
        removed += 1
    return removed


class Worker:
    def __init__(
        self,
        db: Database,
        vault: RecordingReader,
        config: SpeechConfig,
        options: JobOptions,
        work_root: Path,
        *,
        name: str | None = None,
        engines: Mapping[str, Engine] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.vault = vault
        self.config = config
        self.options = options
        self.work = WorkDir(work_root)
        self.name = name or worker_name()
        self.engines = dict(engines or {})  # language → engine (tests pass a loaded one)
        self.clock = clock
        self.current: ClaimedJob | None = None
        # The pipeline's own threads: never the loop's default executor, so a stopping worker
        # does not wait for a transcription it abandons.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cw-transcribe")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.work.close()

    # --- the loop --------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set. A job in progress when it is set is given back (released,
        its attempt not counted) for another worker to do."""
        while not stop.is_set():
            job_task = asyncio.ensure_future(self.run_once())
            stopper = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({job_task, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if job_task not in done:
                job_task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await job_task
                break
            stopper.cancel()
            try:
                outcome = job_task.result()
            except Exception:
                # The database was busy or unreadable for a moment: the job (if one was claimed)
                # is claimed again after its lease; look again after a pause.
                log.exception("transcription worker %s: cannot work a job now", self.name)
                outcome = None
            if outcome is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.options.poll_s)

    async def run_once(self) -> dict[str, Any] | None:
        """Claim and do one job; None when no job is due. Returns {job_id, recording_id, status, ...}."""
        job = await claim(self.db, self.name, self.clock(), self.options.lease_s, self.options.max_attempts)
        if job is None:
            return None
        self.current = job
        heartbeat = asyncio.ensure_future(self._heartbeat(job))
        try:
            return await self._do(job)
        except LeaseLost as exc:
            log.warning("%s; its result is dropped", exc)
            return {"job_id": job.job_id, "recording_id": job.recording_id, "status": "lease_lost"}
        except asyncio.CancelledError:
            # Stopping: give the job back unless it already ended.
            with contextlib.suppress(Exception):
                await asyncio.shield(release(self.db, job, self.clock()))
            raise
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            self.current = None

    async def _heartbeat(self, job: ClaimedJob) -> None:
        interval = max(self.options.lease_s / 3, 0.05)
        while True:
            await asyncio.sleep(interval)
            try:
                if not await renew(self.db, job, self.clock(), self.options.lease_s):
                    log.warning("lost the lease of job %s (attempt %d)", job.job_id, job.attempt)
                    return
            except Exception:
                log.exception("cannot renew the lease of job %s", job.job_id)

    def _actor(self, job: ClaimedJob) -> Actor:
        return Actor(None, "system", None, f"worker:{self.name}")

    async def _do(self, job: ClaimedJob) -> dict[str, Any]:
        ctx = await job_context(self.db, job.recording_id)
        if ctx is None:  # purged meanwhile: the job row went with it
            return {"job_id": job.job_id, "recording_id": job.recording_id, "status": "gone"}
        language = recording_language(ctx.case_language, ctx.region, self.config.default_language)
        record: dict[str, Any] = {"language": language}
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        path: Path | None = None
        try:
            reader = await self.vault.reader(ctx.recording_id, ctx.blob_sha256)
            path = await loop.run_in_executor(self._pool, self.work.new_path, ".audio")
            await loop.run_in_executor(self._pool, _decrypt_to, reader, path)
            t_decrypt = time.perf_counter() - started
            engine = await loop.run_in_executor(self._pool, self._engine, language)
            record |= {"engine": engine.name, "model": engine.model}
            result = await loop.run_in_executor(self._pool, self._process, path, language, ctx, engine)
        except (LeaseLost, asyncio.CancelledError):
            raise
        except Exception as exc:
            return await self._failed(job, ctx, exc, record)
        finally:
            if path is not None:
                await loop.run_in_executor(self._pool, _remove, path)
        return await self._store(job, ctx, result, t_decrypt, started)

    def _engine(self, language: str) -> Engine:
        base = language.split("-")[0]
        return self.engines.get(base) or engine_for(language, self.config)

    def _process(self, path: Path, language: str, ctx: JobContext, engine: Engine) -> TranscriptResult:
        agent = self.config.agent_channel
        audience = "third_party" if ctx.party == "third_party" else "debtor"
        return process(
            path,
            language,
            agent,
            ctx.facts,
            {agent: audience, "mono": audience},
            config=self.config,
            engine=engine,
        )

    async def _store(
        self, job: ClaimedJob, ctx: JobContext, result: TranscriptResult, t_decrypt: float, started: float
    ) -> dict[str, Any]:
        data = result.as_dict()
        segments = [
            {
                "channel": u["channel"],
                "speaker": u["role"],
                "start": u["start"],
                "end": u["end"],
                "text": u["text"],
                "confidence": u["confidence"],
                "words": u["words"],
            }
            for u in data["utterances"]  # type: ignore[attr-defined]
        ]
        channels = [
            {"channel": c.name, "role": c.role, "audience": c.audience, "words": c.words}
            for c in result.channels
        ]
        transcript = NewTranscript(
            recording_id=ctx.recording_id,
            job_id=job.job_id,
            language=result.language,
            engine=result.engine,
            model=result.model,
            duration=result.duration,
            channels=channels,
            segments=segments,
            masked=[m.as_dict() for m in result.masked],
            lexicon_versions=list(result.lexicon_versions),
            warnings=list(result.warnings),
            flags=[f.as_dict() for f in result.flags],
        )
        timings = {"decrypt": round(t_decrypt, 4), **{k: round(v, 4) for k, v in result.timings.items()}}
        now = self.clock()
        total = time.perf_counter() - started
        record = {
            "language": result.language,
            "engine": result.engine,
            "model": result.model,
            "duration": round(result.duration, 3),
            "rtf": round(total / result.duration, 4) if result.duration else None,
            "timings": {**timings, "total": round(total, 4)},
            "warnings": list(result.warnings),
        }
        access = Access(
            self._actor(job),
            "recording.transcribe",
            "recording",
            ctx.recording_id,
            "ok",
            details={
                "job_id": job.job_id,
                "attempt": job.attempt,
                "engine": result.engine,
                "language": result.language,
                "flags": len(result.flags),
            },
        )
        counts = await complete(
            self.db, job, now, record, lambda conn: store_transcript_sync(conn, transcript, now), access
        )
        log.info(
            "transcribed %s",
            ctx.recording_id,
            extra={
                "fields": {
                    "event": "transcribed",
                    "job_id": job.job_id,
                    "recording_id": ctx.recording_id,
                    "attempt": job.attempt,
                    "language": result.language,
                    "engine": result.engine,
                    "duration": record["duration"],
                    "rtf": record["rtf"],
                    "flags": len(result.flags),
                    "violations": len(result.violations),
                }
            },
        )
        return {
            "job_id": job.job_id,
            "recording_id": ctx.recording_id,
            "status": "done",
            "flags": counts.as_dict(),
            **record,
        }

    async def _failed(
        self, job: ClaimedJob, ctx: JobContext, exc: Exception, record: dict[str, Any]
    ) -> dict[str, Any]:
        kind = error_kind(exc)
        message = str(exc) or type(exc).__name__
        if kind == "internal":
            log.exception("job %s failed unexpectedly", job.job_id)
            message = f"{type(exc).__name__}: {message}"
        access = Access(
            self._actor(job),
            "recording.transcribe",
            "recording",
            ctx.recording_id,
            "error",
            details={"job_id": job.job_id, "attempt": job.attempt, "kind": kind, "error": message[:500]},
        )
        state = await fail(
            self.db,
            job,
            self.clock(),
            message,
            kind,
            backoff_s=self.options.backoff_s,
            backoff_max_s=self.options.backoff_max_s,
            access=access,
            record=record,
        )
        log.warning(
            "transcription of %s failed (attempt %d of %d): %s",
            ctx.recording_id,
            job.attempt,
            job.max_attempts,
            message,
            extra={
                "fields": {
                    "event": "transcription_failed",
                    "job_id": job.job_id,
                    "recording_id": ctx.recording_id,
                    "attempt": job.attempt,
                    "kind": kind,
                    "next": state["status"],
                }
            },
        )
        return {
            "job_id": job.job_id,
            "recording_id": ctx.recording_id,
            "status": state["status"],
            "error": message,
            "error_kind": kind,
            "next_attempt_at": state["not_before"],
        }


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _decrypt_to(reader: StoredReader, path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        pos, size = 0, reader.size
        while pos < size:
            data = memoryview(reader.read(pos, min(pos + READ_BYTES, size)))
            if not data:
                raise OSError(f"the recording ended after {pos} of {size} bytes")
            pos += len(data)
            while data:
                data = data[os.write(fd, data) :]
    finally:
        os.close(fd)
        reader.close()
