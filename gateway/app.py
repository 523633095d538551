"""The aiohttp application factory. No module globals: everything hangs off typed app keys and is
opened and closed in `cleanup_ctx`."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from gateway.auth import Authenticator, auth_middleware_factory
from gateway.channels import Carrier, create_carrier
from gateway.errors import error_middleware
from gateway.metrics import Metrics
from gateway.packs import PackRegistry
from gateway.settings import Settings
from storage.db import Database
from storage.decisions import DecisionWriter

__all__ = ["AUTH", "CARRIER", "DB", "METRICS", "PACKS", "SETTINGS", "WRITER", "create_app"]

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
WRITER = web.AppKey("writer", DecisionWriter)
CARRIER = web.AppKey("carrier", Carrier)
METRICS = web.AppKey("metrics", Metrics)
AUTH = web.AppKey("auth", Authenticator)
PACKS = web.AppKey("packs", PackRegistry)


def carrier_options(settings: Settings) -> dict[str, object]:
    """The `[carrier]` settings the configured adapter kind accepts."""
    if settings["carrier.kind"] != "http-json":
        return {}
    names = ("url", "secret", "connect_timeout", "read_timeout")
    return {name: settings[f"carrier.{name}"] for name in names}


def create_app(settings: Settings, carrier: Carrier | None = None) -> web.Application:
    """Build the gateway for `settings`; `carrier` overrides the configured adapter."""
    from gateway.routes import admin, contacts, ops

    db = Database(settings.db_path)
    auth = Authenticator(
        db,
        max_failures=settings["auth.max_failures"],
        window_s=settings["auth.failure_window_s"],
        cache_s=settings["auth.key_cache_s"],
    )
    app = web.Application(
        middlewares=[error_middleware, auth_middleware_factory(auth)],
        client_max_size=settings["server.max_json_bytes"],
    )
    app[SETTINGS] = settings
    app[DB] = db
    app[AUTH] = auth
    app[METRICS] = Metrics.create()
    app[PACKS] = PackRegistry.from_settings(settings)
    app[WRITER] = DecisionWriter(db, app[PACKS].resolve)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await db.open()
        writer = app[WRITER]
        await writer.start()
        app[CARRIER] = carrier or create_carrier(settings["carrier.kind"], carrier_options(settings))
        try:
            yield
        finally:
            await app[CARRIER].close()
            await writer.stop()
            await db.close()

    app.cleanup_ctx.append(lifecycle)
    app.add_routes(ops.routes)
    app.add_routes(admin.routes)
    app.add_routes(contacts.routes)
    from gateway.vault import setup_vault  # the recording vault: store, jobs, recordings + audit routes

    setup_vault(app, settings, db, app[PACKS])
    from gateway.routes import review, supervision  # flags, transcripts, reviews; complaints, scorecards

    app.add_routes(review.routes)
    app.add_routes(supervision.routes)
    from gateway.routes import inbound  # conversations the debtor started

    app.add_routes(inbound.routes)
    return app
