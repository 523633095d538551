"""The gateway on PostgreSQL when the database misbehaves: a debtor's ledger row held elsewhere,
and the server refusing connections (what a failover looks like to an instance). Fail closed with
a reason code, never a 500 and never an allow; then recovery on its own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from gateway.web.app import create_app
from gateway.web.keys import DB
from tests.gateway.helpers import HELD_LOCK_DEADLINE, World, app_settings, hdr, setup_world
from tests.gateway.test_api import AUTHORIZE, assert_error_shape
from tests.pg_database import ADMIN_URL, run_as_superuser

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
async def world(aiohttp_client: Any, data_dir: Path, make_key: Any) -> World:
    client = await aiohttp_client(create_app(app_settings(data_dir, **HELD_LOCK_DEADLINE)))
    return await setup_world(client, make_key)


@contextmanager
def ledger_row_held(url: str, key: str) -> Iterator[None]:
    """Another session holds `key`'s ledger row (as a long check-and-reserve elsewhere would)."""
    locked, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    async def hold() -> None:
        conn = await asyncpg.connect(url, timeout=5)
        try:
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO contact_ledger (ledger_key, created_at, decided_at) VALUES ($1, 'x', 'x')"
                    " ON CONFLICT (ledger_key) DO UPDATE SET decided_at = 'x'",
                    key,
                )
                locked.set()
                await asyncio.to_thread(release.wait, 30)
        finally:
            await conn.close()

    def run() -> None:
        try:
            asyncio.run(hold())
        except BaseException as exc:
            errors.append(exc)
            locked.set()

    thread = threading.Thread(target=run)
    thread.start()
    locked.wait(10)
    try:
        assert not errors
        yield
    finally:
        release.set()
        thread.join(10)


async def _debtor(world: World) -> str:
    app = world.client.app
    assert app is not None
    row = await app[DB].fetchone("SELECT debtor_id FROM cases WHERE case_id = 'c1'")
    assert row is not None
    return str(row["debtor_id"])


async def _reserved(world: World) -> int:
    app = world.client.app
    assert app is not None
    row = await app[DB].fetchone("SELECT count(*) AS n FROM attempts WHERE status = 'reserved'")
    assert row is not None
    return int(row["n"])


async def test_a_debtor_held_elsewhere_past_the_deadline_is_denied_then_decided(
    world: World, db_target: str
) -> None:
    c, dialer = world.client, hdr(world.dialer)
    with ledger_row_held(db_target, "debtor:" + await _debtor(world)):
        r = await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)
        assert r.status == 200
        out = await r.json()
        assert out["allowed"] is False
        assert out["attempt_id"] is None
        assert [x["code"] for x in out["reasons"]] == ["policy_unavailable"]
        r = await c.post("/v1/calls", json={**AUTHORIZE, "from": "+12125550100"}, headers=dialer)
        assert r.status == 503
    r = await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)
    assert (await r.json())["allowed"] is True
    assert await _reserved(world) == 1  # nothing was reserved for the denied ones


async def test_a_database_outage_is_a_503_with_a_reason_then_decisions_resume(
    world: World, db_target: str
) -> None:
    c, dialer = world.client, hdr(world.dialer)
    r = await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)
    assert (await r.json())["allowed"] is True
    name = db_target.rsplit("/", 1)[1]
    # The server stops accepting this database and drops every connection the gateway had: what
    # an instance sees between a primary's loss and its replacement.
    run_as_superuser(
        ADMIN_URL,
        f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
    )
    try:
        for _ in range(3):
            r = await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)
            assert r.status == 503, await r.text()
            body = await r.json()
            assert_error_shape(body, "database_unavailable")
            assert "allowed" not in body
        r = await c.get("/readyz")
        assert r.status == 503
        ready = await r.json()
        assert ready["database"] == {"engine": "postgresql", "where": ready["database"]["where"]}
        assert ready["checks"]["database"].startswith("error:")
    finally:
        run_as_superuser(ADMIN_URL, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    # Recovery needs no restart: the pool reconnects on the next request.
    for _ in range(50):
        r = await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)
        if r.status == 200:
            break
        assert r.status == 503
        await asyncio.sleep(0.1)
    out = await r.json()
    assert out["allowed"] is True
    assert await _reserved(world) == 2
