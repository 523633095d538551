"""Operations: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.web import keys as appkeys
from gateway.web.bodies import json_response
from storage.transcription_jobs import job_counts

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return json_response({"ok": True})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database accepts a write transaction (PostgreSQL: this is the primary) and
    the recording store a recording now (local: its folder is writable; S3: the bucket answers);
    `database` and `store` say which and where."""
    db = request.app[appkeys.DB]
    checks: dict[str, str] = {}
    try:
        await db.check_writable()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc}"
    store = await asyncio.to_thread(request.app[appkeys.VAULT].store_status)
    checks["recordings"] = "ok" if store["ok"] else f"error: {store['detail'] or 'the store is not writable'}"
    ok = all(v == "ok" for v in checks.values())
    database = {"engine": db.dialect, "where": db.describe()}
    body = {"ok": ok, "checks": checks, "database": database, "store": store}
    return json_response(body, status=200 if ok else 503)


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    registry = request.app[appkeys.METRICS]
    # The queue is shared by every process and worker: its depth comes from the database.
    for status, count in (await job_counts(request.app[appkeys.DB])).items():
        registry.transcription_jobs.labels(status).set(count)
    body = generate_latest(registry.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
