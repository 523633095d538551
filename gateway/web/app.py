"""The aiohttp application factory. No module globals: everything hangs off typed app keys
(`gateway.web.keys`) and is opened and closed in `cleanup_ctx`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.web_routedef import RouteDef
from aiohttp.web_urldispatcher import _default_expect_handler

from gateway.carriers import Carrier
from gateway.components import build_carrier, build_vault, pack_registry
from gateway.jobs.scheduler import VaultJobs
from gateway.metrics import Metrics
from gateway.settings import Settings
from gateway.usecases.content_scores import ContentScorer
from gateway.web.auth import Authenticator, TrustedProxies, auth_middleware_factory
from gateway.web.bodies import path_ids_middleware
from gateway.web.console import setup_console
from gateway.web.errors import error_middleware
from gateway.web.keys import AUTH, CARRIER, CONTENT, DB, JOBS, METRICS, PACKS, SETTINGS, VAULT, WRITER
from gateway.web.routes import ROUTES
from gateway.web.routes.twilio_api import relay_ctx
from policies.replies import preload as preload_replies
from speech.semantic.model import semantic_flagger
from storage.backends import open_db
from storage.decisions import DecisionWriter

__all__ = ["create_app"]


def create_app(settings: Settings, carrier: Carrier | None = None) -> web.Application:
    """Build the gateway for `settings`; `carrier` overrides the configured adapter."""
    db = open_db(settings.db_target)
    auth = Authenticator(
        db,
        max_failures=settings["auth.max_failures"],
        window_s=settings["auth.failure_window_s"],
        cache_s=settings["auth.key_cache_s"],
        trusted_proxies=TrustedProxies(settings["auth.trusted_proxies"]),
    )
    app = web.Application(
        middlewares=[error_middleware, path_ids_middleware, auth_middleware_factory(auth)],
        client_max_size=settings["server.max_json_bytes"],
    )
    app[SETTINGS] = settings
    app[DB] = db
    app[AUTH] = auth
    app[METRICS] = Metrics.create()
    app[PACKS] = pack_registry(settings)
    preload_replies()  # bundled data read here, not on the first inbound SMS
    app[WRITER] = DecisionWriter(db, app[PACKS].resolve)
    app[VAULT] = build_vault(settings, db, app[PACKS])

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        # The SMS content model loads before serving: a missing or corrupt head file stops here.
        flagger = await asyncio.get_running_loop().run_in_executor(None, semantic_flagger)
        app[CONTENT] = ContentScorer(flagger)
        # ... and the packs and the model warm up first too: the first decisions after a start
        # were denied `policy_unavailable` while the lexicons compiled under their deadline.
        await asyncio.to_thread(app[PACKS].warm)
        await asyncio.to_thread(app[CONTENT].warm)
        await db.open()
        writer = app[WRITER]
        await writer.start()
        app[CARRIER] = carrier or build_carrier(settings)
        vault = app[VAULT]
        await vault.open()  # recovers after a crash before the first upload
        jobs = await asyncio.to_thread(VaultJobs, settings, vault)  # checks the spool folders
        app[JOBS] = jobs
        if settings["scheduler.enabled"]:
            jobs.start()
        try:
            yield
        finally:
            await jobs.stop()
            await vault.close()
            await app[CARRIER].close()
            await writer.stop()
            await db.close()
            app[CONTENT].close()

    app.cleanup_ctx.append(lifecycle)
    app.cleanup_ctx.append(relay_ctx)  # the Twilio facade's callback relay, closed before the vault
    for routes in ROUTES:
        app.add_routes(
            [
                web.route(
                    r.method, r.path, r.handler, **{**r.kwargs, "expect_handler": _expect_continue_only}
                )
                if isinstance(r, RouteDef)
                else r
                for r in routes
            ]
        )
    setup_console(app)
    return app


async def _expect_continue_only(request: web.Request) -> None:
    """`Expect: 100-continue` answered as aiohttp answers it; any other expectation is ignored
    (RFC 9110 lets a server ignore it), so the request gets its documented JSON answer instead of
    aiohttp's text/plain 417 before authentication (found by the API fuzz test)."""
    if request.headers.get("Expect", "").strip().lower() == "100-continue":
        await _default_expect_handler(request)
