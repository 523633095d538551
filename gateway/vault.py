"""Wiring of the recording vault into the app and the CLI: the Vault built from settings, the
retention rule from the case's packs, and the app's cleanup context (open the store, recover
after a crash, run the scheduled jobs)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence

from aiohttp import web

import policies
from gateway.jobs import VaultJobs, configured_dir
from gateway.packs import PackRegistry
from gateway.settings import MASTER_KEY_FILE, Settings
from storage.blobs import BlobStore
from storage.crypto import MasterKeyring
from storage.db import Database
from storage.vault import Vault

__all__ = ["JOBS", "VAULT", "build_vault", "retention_rule", "setup_vault"]

log = logging.getLogger("callwarden.vault")


def retention_rule(packs: PackRegistry) -> Callable[[Sequence[str]], int]:
    """Days the case's packs demand. A pack that no longer resolves (an operator file removed)
    counts as the longest bundled retention: evidence is never kept too short by accident."""

    def days(names: Sequence[str]) -> int:
        try:
            return policies.retention_days(packs.resolve(names))
        except Exception:
            log.error("cannot resolve packs %s for retention; using the longest bundled retention", names)
            return policies.retention_days(policies.load_packs(policies.available_packs()))

    return days


def build_vault(settings: Settings, db: Database, packs: PackRegistry | None = None) -> Vault:
    root = configured_dir(settings, "recordings.dir") or settings.data_dir / "recordings"
    registry = packs or PackRegistry.from_settings(settings)
    return Vault(
        db,
        BlobStore(root, configured_dir(settings, "recordings.replica_dir")),
        MasterKeyring(settings.data_dir / MASTER_KEY_FILE),
        default_retention_days=int(settings["recordings.retention_days"]),
        retention_days_for=retention_rule(registry),
        max_bytes=int(settings["recordings.max_bytes"]),
    )


VAULT = web.AppKey("vault", Vault)
JOBS = web.AppKey("vault_jobs", VaultJobs)


def setup_vault(app: web.Application, settings: Settings, db: Database, packs: PackRegistry) -> None:
    """Register the vault, its routes and its cleanup context (after the database's)."""
    from gateway.routes.audit import routes as audit_routes
    from gateway.routes.recordings import routes as recording_routes

    vault = build_vault(settings, db, packs)
    app[VAULT] = vault

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await vault.open()
        jobs = VaultJobs(settings, vault)
        app[JOBS] = jobs
        if settings["scheduler.enabled"]:
            jobs.start()
        try:
            yield
        finally:
            await jobs.stop()
            await vault.close()

    app.cleanup_ctx.append(lifecycle)
    app.add_routes(recording_routes)
    app.add_routes(audit_routes)
