"""The v1 HTTP API on a loopback socket: every endpoint, its error codes and roles."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from gateway.web.app import create_app
from gateway.web.auth import PUBLIC_PATHS
from gateway.web.keys import DB
from tests.gateway.helpers import (
    DEBTOR_NUMBER,
    HELD_LOCK_DEADLINE,
    OTHER_NUMBER,
    TEST_PACK,
    World,
    app_settings,
    case_body,
    hdr,
    setup_world,
)

AUTHORIZE = {"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "call"}
TEST_PACK_SHA256 = hashlib.sha256(TEST_PACK.encode("utf-8")).hexdigest()


def assert_error_shape(body: dict[str, Any], code: str) -> None:
    assert set(body) >= {"error", "message", "details"}, body
    assert body["error"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["details"], dict)


# --- auth, roles, error shape ------------------------------------------------------------------


def router_endpoints() -> list[tuple[str, str]]:
    """Every v1 route of the app's own router (a new route is covered without editing this test),
    with each `{param}` filled in."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(app_settings(Path(tmp)))
        routes = {
            (route.method, route.resource.canonical)
            for route in app.router.routes()
            if route.method not in ("HEAD", "*", "OPTIONS") and route.resource is not None
        }
    return sorted((m, re.sub(r"\{[^}]+\}", "x1", path)) for m, path in routes if path.startswith("/v1/"))


ENDPOINTS = [(m, p) for m, p in router_endpoints() if p not in PUBLIC_PATHS]


def test_the_route_list_is_the_routers() -> None:
    assert len(ENDPOINTS) >= 40
    assert ("POST", "/v1/authorize") in ENDPOINTS
    assert ("DELETE", "/v1/keys/x1") in ENDPOINTS


@pytest.mark.parametrize(("method", "path"), ENDPOINTS, ids=[f"{m} {p}" for m, p in ENDPOINTS])
async def test_every_v1_endpoint_requires_a_key_and_answers_the_error_shape(
    world: World, method: str, path: str
) -> None:
    for headers in ({}, {"Authorization": "Bearer cw_nope_" + "A" * 43}, {"Authorization": "Basic x"}):
        r = await world.client.request(method, path, json={}, headers=headers)
        assert r.status == 401
        assert_error_shape(await r.json(), "unauthenticated")


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        pytest.param("dialer", "PUT", "/v1/agencies/a9", id="dialer-cannot-manage-agencies"),
        pytest.param("dialer", "PUT", "/v1/cases/c9", id="dialer-cannot-manage-cases"),
        pytest.param("inspector", "POST", "/v1/authorize", id="inspector-cannot-dial"),
        pytest.param("admin", "POST", "/v1/authorize", id="admin-is-not-a-dialer"),
        pytest.param("inspector", "POST", "/v1/cases/c1/cease", id="inspector-cannot-cease"),
        pytest.param("admin", "POST", "/v1/attempts/att_x/outcome", id="admin-cannot-report-outcomes"),
    ],
)
async def test_roles_are_enforced_with_403(world: World, role: str, method: str, path: str) -> None:
    key = {"dialer": world.dialer, "inspector": world.inspector, "admin": world.admin}[role]
    r = await world.client.request(method, path, json={"name": "x"}, headers=hdr(key))
    assert r.status == 403
    assert_error_shape(await r.json(), "forbidden")


async def test_unknown_route_and_method_use_the_error_shape(world: World) -> None:
    r = await world.client.get("/v1/nothing-here", headers=hdr(world.admin))
    assert r.status == 404
    assert_error_shape(await r.json(), "not_found")
    r = await world.client.delete("/v1/authorize", headers=hdr(world.dialer))
    assert r.status == 405
    assert_error_shape(await r.json(), "method_not_allowed")


async def test_an_unknown_expectation_is_ignored_not_a_text_417(world: World) -> None:
    r = await world.client.post("/v1/calls", json={}, headers={"Expect": "h<WS:dztXGmb+Sv"})
    assert r.status == 401
    assert_error_shape(await r.json(), "unauthenticated")
    r = await world.client.get("/v1/nothing-here", headers={**hdr(world.admin), "Expect": "100-continue"})
    assert r.status == 404
    assert_error_shape(await r.json(), "not_found")


async def test_revoked_key_stops_working(aiohttp_client: Any, data_dir: Path, make_key: Any) -> None:
    settings = app_settings(data_dir, **{"auth.key_cache_s": 0.0})
    client = await aiohttp_client(create_app(settings))
    world = await setup_world(client, make_key)
    assert (await client.get("/v1/cases/c1", headers=hdr(world.dialer))).status == 200
    key_id = world.dialer.split("_")[1]
    from gateway.cli.main import main as cli_main

    assert await asyncio.to_thread(cli_main, ["keys", "revoke", key_id, "--data-dir", str(data_dir)]) == 0
    r = await client.get("/v1/cases/c1", headers=hdr(world.dialer))
    assert r.status == 401


async def test_failed_authentications_are_throttled_but_never_block_a_valid_key(
    aiohttp_client: Any, data_dir: Path, make_key: Any
) -> None:
    settings = app_settings(data_dir, **{"auth.max_failures": 3})
    client = await aiohttp_client(create_app(settings))
    admin = await make_key("admin")
    statuses = []
    for _ in range(5):
        r = await client.get("/v1/cases/c1", headers={"Authorization": "Bearer cw_bad_" + "x" * 43})
        statuses.append(r.status)
    assert statuses == [401, 401, 401, 429, 429]
    assert_error_shape(await r.json(), "too_many_requests")
    r = await client.get("/v1/cases/c1", headers=hdr(admin))
    assert r.status == 404  # a valid key from the same address is let in


# --- malformed input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "headers", "status", "code"),
    [
        pytest.param(b"{not json", {"Content-Type": "application/json"}, 400, "invalid_json", id="bad-json"),
        pytest.param(b"[1, 2]", {"Content-Type": "application/json"}, 400, "invalid_json", id="not-object"),
        pytest.param(b"", {"Content-Type": "application/json"}, 400, "invalid_json", id="empty"),
        pytest.param(b"\xff\xfe", {"Content-Type": "application/json"}, 400, "invalid_json", id="not-utf8"),
        pytest.param(b"<xml/>", {"Content-Type": "application/xml"}, 415, "unsupported_media_type", id="xml"),
        pytest.param(
            b'{"a": "' + b"x" * 70_000 + b'"}',
            {"Content-Type": "application/json"},
            413,
            "too_large",
            id="oversize",
        ),
    ],
)
async def test_malformed_bodies(
    world: World, data: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    r = await world.client.post("/v1/authorize", data=data, headers={**hdr(world.dialer), **headers})
    assert r.status == status
    assert_error_shape(await r.json(), code)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        pytest.param({"to": DEBTOR_NUMBER, "channel": "call"}, "missing_field", "case_id", id="no-case"),
        pytest.param({"case_id": "c1", "channel": "call"}, "missing_field", "to", id="no-number"),
        pytest.param(
            {"case_id": "c1", "to": "12", "channel": "call"}, "invalid_phone", "to", id="short-number"
        ),
        pytest.param({"case_id": "c1", "to": "call me", "channel": "call"}, "invalid_phone", "to", id="text"),
        pytest.param(
            {"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "fax"},
            "invalid_field",
            "channel",
            id="bad-channel",
        ),
        pytest.param({"case_id": "c1", "to": DEBTOR_NUMBER}, "missing_field", "channel", id="no-channel"),
    ],
)
async def test_authorize_input_errors(world: World, body: dict[str, Any], code: str, field: str) -> None:
    r = await world.client.post("/v1/authorize", json=body, headers=hdr(world.dialer))
    assert r.status == 400
    out = await r.json()
    assert_error_shape(out, code)
    assert out["details"].get("field") == field


# --- agencies and cases ------------------------------------------------------------------------


async def test_agency_create_update_and_validation(world: World) -> None:
    c, admin = world.client, hdr(world.admin)
    r = await c.put(
        "/v1/agencies/a3",
        json={"name": "A3", "status": "active", "contract_start": "2026-01-01", "contract_end": "2027-01-01"},
        headers=admin,
    )
    assert r.status == 201
    r = await c.put("/v1/agencies/a3", json={"name": "A3 Ltd", "status": "suspended"}, headers=admin)
    assert r.status == 200
    assert (await r.json())["status"] == "suspended"
    got = await (await c.get("/v1/agencies/a3", headers=admin)).json()
    assert got["name"] == "A3 Ltd"
    assert got["contract_end"] is None
    r = await c.put("/v1/agencies/a4", json={"name": "A4", "status": "dormant"}, headers=admin)
    assert r.status == 400
    assert (await r.json())["error"] == "invalid_field"
    r = await c.put("/v1/agencies/a4", json={"status": "active"}, headers=admin)
    assert r.status == 400
    assert (await r.json())["error"] == "missing_field"
    r = await c.put("/v1/agencies/a4", json={"name": "A4", "contract_start": "2026-13-01"}, headers=admin)
    assert r.status == 400
    assert (await r.json())["details"]["field"] == "contract_start"


async def test_case_is_stored_normalised_and_validated(world: World) -> None:
    c, admin = world.client, hdr(world.admin)
    got = await (await c.get("/v1/cases/c1", headers=admin)).json()
    assert got["debtor"]["phones"][0]["number"] == DEBTOR_NUMBER  # "(212) 555-0123" with region US
    assert got["contacts"][0]["number"] == "+12125550177"
    assert got["packs"] == ["test-3-per-day"]
    r = await c.put("/v1/cases/c2", json=case_body(packs=["cn-nifa-does-not-exist"]), headers=admin)
    assert r.status == 400
    assert_error_shape(await r.json(), "unknown_pack")
    bad = case_body()
    bad["debtor"]["phones"] = [{"number": "555", "kind": "mobile"}]
    r = await c.put("/v1/cases/c2", json=bad, headers=admin)
    out = await r.json()
    assert r.status == 400
    assert out["error"] == "invalid_phone"
    assert out["details"]["field"] == "debtor.phones[0].number"
    r = await c.put("/v1/cases/c2", json=case_body(agency_id="ghost"), headers=admin)
    assert r.status == 404
    r = await c.put("/v1/cases/c2", json={**case_body(), "debtor": None}, headers=admin)
    assert r.status == 400
    assert (await r.json())["error"] == "missing_field"
    assert (await c.get("/v1/cases/c2", headers=admin)).status == 404  # nothing half-stored


async def test_agency_isolation_is_404_not_403(world: World) -> None:
    c = world.client
    assert (await c.get("/v1/cases/c1", headers=hdr(world.dialer))).status == 200
    for path in ("/v1/cases/c1", "/v1/agencies/a1"):
        r = await c.get(path, headers=hdr(world.other_dialer))
        assert r.status == 404
        assert_error_shape(await r.json(), "not_found")
    r = await c.post("/v1/cases/c1/cease", json={"channels": ["call"]}, headers=hdr(world.other_dialer))
    assert r.status == 404
    allowed = await (await c.post("/v1/authorize", json=AUTHORIZE, headers=hdr(world.dialer))).json()
    attempt = allowed["attempt_id"]
    for method, path, body in (
        ("GET", f"/v1/attempts/{attempt}", None),
        ("POST", f"/v1/attempts/{attempt}/outcome", {"result": "no_answer"}),
    ):
        r = await c.request(method, path, json=body, headers=hdr(world.other_dialer))
        assert r.status == 404
    # The other agency's dialer asking to contact a case it does not hold is denied, and recorded.
    r = await c.post("/v1/authorize", json=AUTHORIZE, headers=hdr(world.other_dialer))
    out = await r.json()
    assert out["allowed"] is False
    assert "case_not_assigned" in [x["code"] for x in out["reasons"]]


# --- contact decisions -------------------------------------------------------------------------


async def test_authorize_reserves_until_the_cap_then_explains_the_denial(world: World) -> None:
    c, dialer = world.client, hdr(world.dialer)
    attempts = []
    for _ in range(3):
        out = await (await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)).json()
        assert out["allowed"] is True, out
        # The pack reference pins the operator file's exact text (its SHA-256).
        assert out["reasons"] == []
        assert out["packs"] == [f"test-3-per-day@1#sha256:{TEST_PACK_SHA256}"]
        attempts.append(out["attempt_id"])
    assert len(set(attempts)) == 3
    r = await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)
    assert r.status == 200
    out = await r.json()
    assert out["allowed"] is False
    assert out["attempt_id"] is None
    (reason,) = out["reasons"]
    assert reason["code"] == "cap_exceeded"
    assert reason["rule"].startswith("test-3-per-day/")
    assert (reason["max"], reason["window"], reason["used"]) == (3, "24h", 3)
    assert out["next_allowed_at"] is not None
    assert out["next_allowed_at"].endswith("Z")
    assert out["local_time"] is not None
    assert out["local_time"].endswith(("-05:00", "-04:00"))


async def test_unknown_number_and_unknown_case(world: World) -> None:
    c, dialer = world.client, hdr(world.dialer)
    out = await (await c.post("/v1/authorize", json={**AUTHORIZE, "to": OTHER_NUMBER}, headers=dialer)).json()
    assert out["allowed"] is False
    assert out["next_allowed_at"] is None
    assert [r["code"] for r in out["reasons"]] == ["unknown_number"]
    # An unknown case is answered like another agency's case: the answer does not tell which.
    r = await c.post("/v1/authorize", json={**AUTHORIZE, "case_id": "nope"}, headers=dialer)
    assert r.status == 200
    out = await r.json()
    assert out["allowed"] is False
    assert [x["code"] for x in out["reasons"]] == ["case_not_assigned"]
    assert out["decision_id"] is not None  # recorded like any decision


async def test_cease_stops_the_channel_and_survives_a_case_update(world: World) -> None:
    c, dialer = world.client, hdr(world.dialer)
    r = await c.post(
        "/v1/cases/c1/cease",
        json={"channels": ["call"], "reason": "debtor asked on the phone"},
        headers=dialer,
    )
    assert r.status == 201
    out = await (await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)).json()
    assert out["allowed"] is False
    assert "ceased" in [x["code"] for x in out["reasons"]]
    assert out["next_allowed_at"] is None
    # Re-uploading the case (a nightly sync, say) must not wipe the debtor's stop request.
    assert (await c.put("/v1/cases/c1", json=case_body(), headers=hdr(world.admin))).status == 200
    out = await (await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)).json()
    assert "ceased" in [x["code"] for x in out["reasons"]]
    case = await (await c.get("/v1/cases/c1", headers=dialer)).json()
    assert case["ceases"][0]["channels"] == ["call"]
    r = await c.post("/v1/cases/c1/cease", json={"channels": ["fax"]}, headers=dialer)
    assert r.status == 400
    r = await c.post(
        "/v1/cases/c1/cease", json={"channels": ["call"], "contact_id": "nobody"}, headers=dialer
    )
    assert r.status == 404


def _z(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_outcomes_are_recorded_once(world: World) -> None:
    c, dialer = world.client, hdr(world.dialer)
    attempt = (await (await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)).json())["attempt_id"]
    now = datetime.now(UTC)
    start, end = now - timedelta(minutes=1), now + timedelta(seconds=30)
    body = {"result": "connected", "spoke_with": "debtor", "started_at": _z(start), "ended_at": _z(end)}
    r = await c.post(f"/v1/attempts/{attempt}/outcome", json=body, headers=dialer)
    assert r.status == 200
    out = await r.json()
    assert out["outcome"]["result"] == "connected"
    assert out["outcome"]["spoke_with"] == "debtor"
    assert (await c.post(f"/v1/attempts/{attempt}/outcome", json=body, headers=dialer)).status == 200
    r = await c.post(f"/v1/attempts/{attempt}/outcome", json={"result": "no_answer"}, headers=dialer)
    assert r.status == 409
    assert_error_shape(await r.json(), "conflict")
    for bad, field in (
        ({"result": "maybe"}, "result"),
        ({"result": "no_answer", "spoke_with": "debtor"}, "spoke_with"),
        (
            {"result": "connected", "started_at": _z(start), "ended_at": _z(start - timedelta(seconds=1))},
            "ended_at",
        ),
        ({"result": "connected", "started_at": "yesterday"}, "started_at"),
    ):
        r = await c.post(f"/v1/attempts/{attempt}/outcome", json=bad, headers=dialer)
        assert r.status == 400
        assert (await r.json())["details"]["field"] == field
    r = await c.post("/v1/attempts/att_missing/outcome", json={"result": "busy"}, headers=dialer)
    assert r.status == 404
    got = await (await c.get(f"/v1/attempts/{attempt}", headers=dialer)).json()
    assert got["status"] == "reserved"
    assert got["outcome"]["ended_at"].startswith(_z(end)[:-1])


async def test_not_connected_outcome_frees_the_cap(world: World) -> None:
    # test-3-per-day counts attempts; a busy signal (never connected) does not count.
    c, dialer = world.client, hdr(world.dialer)
    ids = [
        (await (await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)).json())["attempt_id"]
        for _ in range(3)
    ]
    assert all(ids)
    assert not (await (await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)).json())["allowed"]
    await c.post(f"/v1/attempts/{ids[0]}/outcome", json={"result": "busy"}, headers=dialer)
    assert (await (await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)).json())["allowed"]


# --- calls and messages through the carrier ----------------------------------------------------


async def test_call_through_dry_run_carrier(world: World) -> None:
    c, dialer = world.client, hdr(world.dialer)
    r = await c.post("/v1/calls", json={**AUTHORIZE, "from": "+12125550100"}, headers=dialer)
    assert r.status == 201
    out = await r.json()
    assert out["carrier_ref"].startswith("dryrun-")
    assert out["decision"]["allowed"] is True
    got = await (await c.get(f"/v1/attempts/{out['attempt_id']}", headers=dialer)).json()
    assert got["carrier_ref"] == out["carrier_ref"]
    assert got["from"] == "+12125550100"
    r = await c.post("/v1/calls", json=AUTHORIZE, headers=dialer)
    assert r.status == 400
    assert (await r.json())["details"]["field"] == "from"
    r = await c.post(
        "/v1/calls",
        json={**AUTHORIZE, "channel": "sms", "from": "+12125550100", "body": "hi"},
        headers=dialer,
    )
    assert r.status == 400
    assert (await r.json())["details"]["field"] == "channel"


async def test_denied_call_is_403_with_the_decision(world: World) -> None:
    c, dialer = world.client, hdr(world.dialer)
    body = {**AUTHORIZE, "to": OTHER_NUMBER, "from": "+12125550100"}
    r = await c.post("/v1/calls", json=body, headers=dialer)
    assert r.status == 403
    out = await r.json()
    assert_error_shape(out, "contact_denied")
    assert out["decision"]["allowed"] is False
    assert out["decision"]["reasons"][0]["code"] == "unknown_number"


async def test_message_needs_a_body(world: World) -> None:
    c, dialer = world.client, hdr(world.dialer)
    r = await c.post("/v1/authorize", json={**AUTHORIZE, "channel": "sms"}, headers=dialer)
    assert r.status == 400
    assert (await r.json())["details"]["field"] == "body"
    sms = {**AUTHORIZE, "channel": "sms", "from": "+12125550100"}
    r = await c.post("/v1/messages", json=sms, headers=dialer)
    assert r.status == 400
    assert (await r.json())["error"] == "missing_field"
    r = await c.post(
        "/v1/messages", json={**sms, "body": "Please call us back about your account."}, headers=dialer
    )
    assert r.status == 201, await r.text()
    # The path names the channel: a body without one is that channel (it was 400 "channel is
    # required", where the README said "the same body plus from").
    no_channel = {k: v for k, v in sms.items() if k != "channel"}
    r = await c.post("/v1/messages", json={**no_channel, "body": "Please call us back."}, headers=dialer)
    assert r.status == 201, await r.text()
    r = await c.get(f"/v1/attempts/{(await r.json())['attempt_id']}", headers=dialer)
    assert (await r.json())["channel"] == "sms"
    r = await c.post("/v1/messages", json={**sms, "channel": None, "body": "Please call."}, headers=dialer)
    assert r.status == 201, await r.text()


class LoopbackCarrier:
    """A carrier on a loopback port speaking the http-json protocol: ok, failing, or slow."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.received: list[dict[str, Any]] = []
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        if self.mode == "fail":
            return web.json_response({"error": "upstream down"}, status=500)
        if self.mode == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), 5)
        return web.json_response({"carrier_ref": f"CA{len(self.received)}"})


@pytest.fixture
async def carrier_world(
    aiohttp_client: Any, aiohttp_server: Any, data_dir: Path, make_key: Any
) -> AsyncIterator[tuple[World, LoopbackCarrier]]:
    fake = LoopbackCarrier()
    capp = web.Application()
    capp.router.add_post("/carrier", fake.handle)
    server = await aiohttp_server(capp)
    settings = app_settings(
        data_dir,
        **{
            "carrier.kind": "http-json",
            "carrier.url": str(server.make_url("/carrier")),
            "carrier.secret": "s3cret",
            "carrier.read_timeout": 0.3,
        },
    )
    client = await aiohttp_client(create_app(settings))
    yield await setup_world(client, make_key), fake
    fake.release.set()


@pytest.mark.parametrize("mode", ["ok", "fail", "slow"])
async def test_http_json_carrier_outcomes(carrier_world: tuple[World, LoopbackCarrier], mode: str) -> None:
    world, fake = carrier_world
    fake.mode = mode
    c, dialer = world.client, hdr(world.dialer)
    r = await c.post("/v1/calls", json={**AUTHORIZE, "from": "+12125550100"}, headers=dialer)
    assert len(fake.received) == 1
    assert fake.received[0]["to"] == DEBTOR_NUMBER
    out = await r.json()
    if mode == "ok":
        assert r.status == 201
        assert out["carrier_ref"] == "CA1"
        return
    assert r.status == 502
    assert_error_shape(out, "carrier_error")
    attempt = out["details"]["attempt_id"]
    got = await (await c.get(f"/v1/attempts/{attempt}", headers=dialer)).json()
    fake.mode = "ok"
    if mode == "fail":
        # Refused by the carrier: not placed, released, and no longer counted (three more allowed).
        assert out["details"]["released"] is True
        assert got["status"] == "released"
        assert got["released_reason"] == "carrier_error"
        more = 3
    else:
        # Timed out: the carrier may be dialling, so the attempt keeps counting (fail closed).
        assert out["details"] == {"attempt_id": attempt, "released": False, "outcome_unknown": True}
        assert got["status"] == "reserved"
        more = 2
    for _ in range(more):
        assert (await (await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)).json())["allowed"]
    assert not (await (await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)).json())["allowed"]


# --- concurrency, durability, fail closed ------------------------------------------------------


async def test_200_simultaneous_requests_get_exactly_the_cap(world: World) -> None:
    c, dialer = world.client, hdr(world.dialer)
    answers = await asyncio.gather(
        *(c.post("/v1/authorize", json=AUTHORIZE, headers=dialer) for _ in range(200))
    )
    bodies = [await r.json() for r in answers]
    assert all(r.status == 200 for r in answers)
    allowed = [b for b in bodies if b["allowed"]]
    assert len(allowed) == 3, [b["reasons"] for b in bodies if not b["allowed"]][:3]
    denied_codes = {r["code"] for b in bodies if not b["allowed"] for r in b["reasons"]}
    assert denied_codes == {"cap_exceeded"}
    db = c.app[DB]
    rows = await db.fetchall("SELECT allowed, count(*) AS n FROM decisions GROUP BY allowed")
    assert {r["allowed"]: r["n"] for r in rows} == {1: 3, 0: 197}


async def test_decisions_survive_a_restart(aiohttp_client: Any, data_dir: Path, make_key: Any) -> None:
    settings = app_settings(data_dir)
    client = await aiohttp_client(create_app(settings))
    world = await setup_world(client, make_key)
    for _ in range(3):
        assert (await (await client.post("/v1/authorize", json=AUTHORIZE, headers=hdr(world.dialer))).json())[
            "allowed"
        ]
    await client.close()
    client2: TestClient = await aiohttp_client(create_app(app_settings(data_dir)))  # type: ignore[type-arg]
    out = await (await client2.post("/v1/authorize", json=AUTHORIZE, headers=hdr(world.dialer))).json()
    assert out["allowed"] is False
    assert out["reasons"][0]["used"] == 3


async def test_fails_closed_while_another_process_holds_the_write_lock(
    aiohttp_client: Any, data_dir: Path, make_key: Any, settings: Any
) -> None:
    world = await setup_world(
        await aiohttp_client(create_app(app_settings(data_dir, **HELD_LOCK_DEADLINE))), make_key
    )
    c, dialer = world.client, hdr(world.dialer)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.readline()\n"
            "c.execute('ROLLBACK')\n",
            str(settings.db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        r = await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)
        assert r.status == 200
        out = await r.json()
        assert out["allowed"] is False
        assert out["attempt_id"] is None
        assert [x["code"] for x in out["reasons"]] == ["policy_unavailable"]
        r = await c.post("/v1/calls", json={**AUTHORIZE, "from": "+12125550100"}, headers=dialer)
        assert r.status == 503
        body = await r.json()
        assert_error_shape(body, "unavailable")
        assert body["decision"]["reasons"][0]["code"] == "policy_unavailable"
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(10)
        holder.stdin.close()
        assert holder.stdout is not None
        holder.stdout.close()
    # Once the lock is gone, decisions flow again, and nothing was reserved for the denied ones.
    for _ in range(20):
        out = await (await c.post("/v1/authorize", json=AUTHORIZE, headers=dialer)).json()
        if out["allowed"]:
            break
        await asyncio.sleep(0.2)
    assert out["allowed"] is True
    conn = sqlite3.connect(settings.db_path)
    assert conn.execute("SELECT count(*) FROM attempts WHERE status = 'reserved'").fetchone()[0] == 1
    conn.close()


# --- operations --------------------------------------------------------------------------------


async def test_health_readiness_and_metrics(world: World) -> None:
    c = world.client
    assert (await (await c.get("/healthz")).json()) == {"ok": True}
    ready = await c.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["checks"]["database"] == "ok"
    await c.post("/v1/authorize", json=AUTHORIZE, headers=hdr(world.dialer))
    await c.post("/v1/authorize", json={**AUTHORIZE, "to": OTHER_NUMBER}, headers=hdr(world.dialer))
    text = await (await c.get("/metrics")).text()
    assert 'callwarden_decisions_total{channel="call",result="allowed"} 1.0' in text
    assert 'callwarden_denial_reasons_total{reason="unknown_number"} 1.0' in text
    assert "callwarden_decision_seconds_bucket" in text
    assert 'callwarden_transcription_jobs{status="queued"} 0.0' in text


def test_settings_repr_hides_secrets(data_dir: Path) -> None:
    settings = app_settings(data_dir, **{"carrier.secret": "hunter2"})
    assert "hunter2" not in repr(settings)
    assert json.dumps(settings.section("carrier"))  # still usable
