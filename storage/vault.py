"""The recording vault: one object that ties the database, the blob store and the master keys
together for the three ingest paths (HTTP, CLI, spool), retrieval and the replica retry.

Ingest order, so that an answered upload is durable and a crash leaves nothing half-visible:
stream → encrypt + hash (plaintext and ciphertext) into a tmp file and the replica's tmp file →
fsync → (the same bytes already stored for this attempt? then publish nothing) → publish under
the content address with the retention lock (local: link + fsync dir + replica verified; S3: an
upload to both buckets in COMPLIANCE mode until `retain_until`) → DB row + wrapped key +
access-log row in one transaction → drop the tmp name → answer.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from policies.errors import InputError, PayloadTooLarge
from storage.attempts import get_attempt
from storage.audit import Access, Actor
from storage.blobs import BlobIntegrityError
from storage.crypto import DecryptionError, KeyringError, MasterKeyring
from storage.db import Database, from_ts
from storage.recordings import (
    NewRecording,
    blob_known_sync,
    get_recording_key,
    insert_recording_sync,
    mark_replica,
    pending_replicas,
    plan_retention,
    recording_exists,
)
from storage.scheduled_runs import finish_job, start_job
from storage.store import (
    ObjectLock,
    RecordingReader,
    RecordingStore,
    RecordingWriter,
    RecoveryReport,
    StoreMisconfigured,
    StoreUnavailable,
)
from storage.store_holds import sync_store_holds

__all__ = ["EmptyRecording", "IncompleteUpload", "TooLarge", "Vault"]

log = logging.getLogger("callwarden.vault")

# Plaintext is handed to the encrypting thread in batches of this size: large enough that the
# thread hop is cheap, small enough that memory stays flat (two batches in flight at most).
BATCH_BYTES = 1 << 20


class TooLarge(PayloadTooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(f"recordings are limited to {limit} bytes", {"limit": limit})
        self.limit = limit


class EmptyRecording(InputError):
    def __init__(self) -> None:
        super().__init__(None, "the recording is empty: send the audio bytes", code="empty_body")


class IncompleteUpload(InputError):
    def __init__(self, got: int, expected: int) -> None:
        super().__init__(None, f"the upload ended after {got} of {expected} bytes", code="incomplete_body")


class Vault:
    def __init__(
        self,
        db: Database,
        store: RecordingStore,
        keyring: MasterKeyring,
        *,
        default_retention_days: int,
        retention_days_for: Callable[[Sequence[str]], int],
        max_bytes: int,
    ) -> None:
        self.db = db
        self.store = store
        self.keyring = keyring
        self.default_retention_days = default_retention_days
        self.retention_days_for = retention_days_for
        self.max_bytes = max_bytes

    async def open(self) -> RecoveryReport:
        """Create the store and clean up after processes that died mid-upload."""
        await asyncio.to_thread(self.keyring.key_ids)  # a bad key file fails here, not at an upload
        await asyncio.to_thread(self.store.open)
        report = await asyncio.to_thread(self._recover)
        if report.removed_tmp_files or report.removed_unrecorded_blobs or report.locked_orphans:
            log.warning(
                "removed unfinished uploads of a process that stopped",
                extra={
                    "fields": {
                        "event": "vault_recovered",
                        "tmp_files": report.removed_tmp_files,
                        "unrecorded_blobs": report.removed_unrecorded_blobs,
                        "locked_orphans": report.locked_orphans,
                    }
                },
            )
        return report

    def _recover(self) -> RecoveryReport:
        with self.db.reader_sync() as conn:
            return self.store.recover(lambda sha: blob_known_sync(conn, sha))

    async def close(self) -> None:
        await asyncio.to_thread(self.store.close)

    @property
    def replica_configured(self) -> bool:
        return self.store.replica_configured

    async def ingest(
        self,
        attempt_id: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str,
        actor: Actor,
        source: str,
        filename: str | None = None,
        agency_scope: str | None = None,
        expected_bytes: int | None = None,
        received_at: datetime | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Stream one recording in; returns (recording JSON, created). The same bytes for the same
        attempt return the existing recording and False. Raises NotFound (attempt), TooLarge,
        EmptyRecording, IncompleteUpload; nothing is left behind when it raises."""
        await get_attempt(self.db, attempt_id, agency_scope)
        if expected_bytes is not None and expected_bytes > self.max_bytes:
            raise TooLarge(self.max_bytes)
        # Known before the bytes are stored: the object store locks each object until then.
        arrived = received_at or datetime.now(UTC)
        retention = await plan_retention(
            self.db, attempt_id, self.retention_days_for, self.default_retention_days, arrived
        )
        recording_id = "rec_" + secrets.token_hex(10)
        data_key = secrets.token_bytes(32)
        loop = asyncio.get_running_loop()
        # The keyring re-reads the master key file when it changed (a stat per call): off the loop.
        master_key_id, wrapped = await loop.run_in_executor(None, self.keyring.wrap, data_key, recording_id)
        writer: RecordingWriter = await loop.run_in_executor(None, self.store.writer, data_key)
        try:
            total = await self._stream(writer, chunks, loop)
            if total == 0:
                raise EmptyRecording()
            if expected_bytes is not None and total != expected_bytes:
                raise IncompleteUpload(total, expected_bytes)
            sealed = await loop.run_in_executor(None, writer.seal)
            # A retried upload stores nothing twice (a locked object could not be taken back);
            # the transaction below still answers with the first recording.
            if not await recording_exists(self.db, attempt_id, sealed.sha256):
                lock = ObjectLock(retention.retain_until)
                sealed = await loop.run_in_executor(None, writer.publish, lock)
        except BaseException:
            # Waits for a batch still being encrypted (the writer's lock), so on a thread; shielded
            # so a second cancellation cannot leave the partial file behind.
            await asyncio.shield(loop.run_in_executor(None, writer.discard))
            raise
        new = NewRecording(
            recording_id=recording_id,
            attempt_id=attempt_id,
            blob=sealed,
            master_key_id=master_key_id,
            wrapped_key=wrapped,
            content_type=content_type,
            filename=filename,
            source=source,
            received_at=arrived,
            replica_configured=self.replica_configured,
            retention=retention,
        )
        access = Access(
            actor,
            "recording.upload",
            "recording",
            recording_id,
            "ok",
            details={"source": source, "content_type": content_type},
        )
        commit = asyncio.ensure_future(
            self.db.write(
                lambda conn: insert_recording_sync(
                    conn, new, self.retention_days_for, self.default_retention_days, access, agency_scope
                )
            )
        )
        try:
            rec, created = await asyncio.shield(commit)
        except asyncio.CancelledError:
            # The transaction runs on; keep the blob if it commits (the row must never point at
            # nothing), drop it if it does not.
            try:
                rec, created = await commit
            except Exception:
                writer.discard()
                raise
            (writer.close if created else writer.discard)()
            raise
        except BaseException:
            writer.discard()
            raise
        await loop.run_in_executor(None, writer.close if created else writer.discard)
        if created and rec["legal_hold"]:  # an open complaint holds it: the copies too
            await sync_store_holds(self.db, self.store, recording_ids=[recording_id])
        if created and not sealed.replica_ok and self.replica_configured:
            log.warning(
                "replica not written; the retry job will copy it",
                extra={
                    "fields": {
                        "event": "replica_pending",
                        "recording_id": recording_id,
                        "error": sealed.replica_error,
                    }
                },
            )
        return rec, created

    async def _stream(
        self, writer: RecordingWriter, chunks: AsyncIterable[bytes], loop: asyncio.AbstractEventLoop
    ) -> int:
        """Feed chunks to the writer in batches, encrypting one batch while the next is read."""
        total = 0
        batch: list[bytes] = []
        size = 0
        pending: asyncio.Future[None] | None = None
        try:
            async for chunk in chunks:
                if not chunk:
                    continue
                total += len(chunk)
                if total > self.max_bytes:
                    raise TooLarge(self.max_bytes)
                batch.append(chunk)
                size += len(chunk)
                if size >= BATCH_BYTES:
                    if pending is not None:
                        await pending
                    pending = loop.run_in_executor(None, writer.write_chunks, batch)
                    batch, size = [], 0
            if pending is not None:
                await pending
                pending = None
            if batch:
                await loop.run_in_executor(None, writer.write_chunks, batch)
        finally:
            if pending is not None and not pending.done():
                pending.cancel()  # the thread finishes its batch; discard() then waits for it
        return total

    async def reader(self, recording_id: str, blob_sha256: str) -> RecordingReader:
        """A decrypting reader (KeyringError / DecryptionError if the key or file is wrong)."""
        master_key_id, wrapped = await get_recording_key(self.db, recording_id)
        data_key = await asyncio.to_thread(self.keyring.unwrap, master_key_id, wrapped, recording_id)
        return await asyncio.to_thread(self.store.reader, blob_sha256, data_key)

    async def retry_replicas(self, now: datetime, limit: int = 100) -> dict[str, Any]:
        """Copy recordings whose replica is pending (verified); the retry job calls this."""
        if not self.replica_configured:
            return {"retried": 0, "ok": 0, "failed": 0}
        rows = await pending_replicas(self.db, limit)
        if not rows:
            return {"retried": 0, "ok": 0, "failed": 0}
        job_id = await start_job(self.db, "replica", now)
        await asyncio.to_thread(self.store.open)  # the replica may have come back
        ok = failed = 0
        errors: list[str] = []
        for r in rows:
            sha = r["blob_sha256"]
            lock = ObjectLock(from_ts(r["retain_until"]), bool(r["legal_hold"]))
            try:
                master_key_id, wrapped = await get_recording_key(self.db, r["recording_id"])
                data_key = await asyncio.to_thread(
                    self.keyring.unwrap, master_key_id, wrapped, r["recording_id"]
                )
                await asyncio.to_thread(self.store.heal, "replica", sha, data_key, lock)
            except (
                OSError,
                BlobIntegrityError,
                KeyringError,
                DecryptionError,
                StoreUnavailable,
                StoreMisconfigured,
            ) as exc:
                failed += 1
                errors.append(f"{r['recording_id']}: {exc}")
                await mark_replica(self.db, r["recording_id"], False, f"{type(exc).__name__}: {exc}", now)
                continue
            ok += 1
            await mark_replica(self.db, r["recording_id"], True, None, now)
        summary = {"job_id": job_id, "retried": len(rows), "ok": ok, "failed": failed, "errors": errors[:20]}
        await finish_job(self.db, job_id, now, summary)
        return summary

    def writable(self) -> bool:
        return self.store.writable()

    def store_status(self) -> dict[str, Any]:
        """For /readyz: which store, where, and whether it can take a recording now."""
        return self.store.status()
