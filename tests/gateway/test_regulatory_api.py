"""Issue 11 over HTTP on a loopback socket: POST /v1/cases/{id}/inbound, the pinned pack digest and
notes on decisions (answer and stored row), relations on attempts, and the operator-override guard."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import policies
from gateway.web.app import create_app
from gateway.web.keys import DB
from tests.gateway.helpers import DEBTOR_NUMBER, World, app_settings, case_body, hdr, setup_world
from tests.gateway.test_api import assert_error_shape
from tests.pg_database import both_backends

# The regulatory scenarios run the real app on each engine.
pytestmark = both_backends

# Around the clock (the served app decides with the real clock): a 7-day wait after a conversation
# that a conversation the debtor started does (INBOUND_WAITS) or does not (INBOUND_FREE) start,
# three calls a rolling day, third parties by call, and a note for time-barred debts.
PACK = """
name = "{name}"
version = "1"
jurisdiction = "test"
[[caps]]
id = "three-a-day"
scope = "debtor_case"
channel = "call"
party = "debtor"
max = 3
window = "24h"
citation = "test fixture"
[[caps]]
id = "location-once"
scope = "contact"
channel = "any"
party = "third_party"
counts = "conversations"
max = 1
window = "ever"
citation = "test fixture: a location contact once"
[after_conversation]
days = 7
inbound = {inbound}
citation = "test fixture: the wait after a conversation"
[third_party]
citation = "test fixture: third parties by call"
[notes.time_barred]
citation = "12 CFR 1006.26(b)"
"""


def _write_packs(data_dir: Path) -> Path:
    packs = data_dir / "packs"
    packs.mkdir(exist_ok=True)
    for name, inbound in (("inbound-waits", "true"), ("inbound-free", "false")):
        (packs / f"{name}.toml").write_text(PACK.format(name=name, inbound=inbound), encoding="utf-8")
    return packs


@pytest.fixture
async def world(aiohttp_client: Any, data_dir: Path, make_key: Any) -> World:
    _write_packs(data_dir)
    client = await aiohttp_client(create_app(app_settings(data_dir)))
    w = await setup_world(client, make_key, cases=0)
    for case_id, pack in (("c1", "inbound-waits"), ("c2", "inbound-free")):
        r = await client.put(f"/v1/cases/{case_id}", json=case_body(packs=[pack]), headers=hdr(w.admin))
        assert r.status == 201, await r.text()
    return w


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def inbound_body(**extra: Any) -> dict[str, Any]:
    start = datetime.now(UTC) - timedelta(minutes=10)
    body = {"channel": "call", "number": "(212) 555-0123", "started_at": _iso(start)}
    body.update(extra)
    return body


async def _count(world: World, table: str) -> int:
    app = world.client.app
    assert app is not None
    row = await app[DB].fetchone(f"SELECT count(*) AS n FROM {table}")
    assert row is not None
    return int(row["n"])


async def test_inbound_is_recorded_and_starts_the_wait_only_where_the_pack_says(world: World) -> None:
    c, dialer = world.client, hdr(world.dialer)
    r = await c.post("/v1/cases/c1/inbound", json=inbound_body(), headers=dialer)
    assert r.status == 201, await r.text()
    stored = await r.json()
    assert stored["inbound_id"].startswith("inb_")
    assert stored["case_id"] == "c1"
    assert (stored["channel"], stored["number"], stored["agency_id"]) == ("call", DEBTOR_NUMBER, "a1")
    assert stored["ended_at"] is None
    assert stored["recorded_at"].endswith("Z")
    out = await (
        await c.post(
            "/v1/authorize", json={"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "call"}, headers=dialer
        )
    ).json()
    assert out["allowed"] is False
    assert [x["rule"] for x in out["reasons"]] == ["inbound-waits/after_conversation"]
    assert out["reasons"][0]["citation"] == "test fixture: the wait after a conversation"

    # The other pack: the debtor's conversation neither starts its wait nor counts toward its cap.
    r = await c.post("/v1/cases/c2/inbound", json=inbound_body(), headers=hdr(world.admin))
    assert r.status == 201
    for _ in range(3):
        out = await (
            await c.post(
                "/v1/authorize",
                json={"case_id": "c2", "to": DEBTOR_NUMBER, "channel": "call"},
                headers=dialer,
            )
        ).json()
        assert out["allowed"] is True, out
    out = await (
        await c.post(
            "/v1/authorize", json={"case_id": "c2", "to": DEBTOR_NUMBER, "channel": "call"}, headers=dialer
        )
    ).json()
    assert [(x["code"], x["used"]) for x in out["reasons"]] == [("cap_exceeded", 3)]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        pytest.param({"channel": "fax"}, "invalid_field", "channel", id="channel"),
        pytest.param({"channel": None}, "missing_field", "channel", id="no-channel"),
        pytest.param({"number": "12"}, "invalid_phone", "number", id="number"),
        pytest.param({"started_at": "yesterday"}, "invalid_field", "started_at", id="started-at"),
        pytest.param({"started_at": None}, "missing_field", "started_at", id="no-started-at"),
        pytest.param(
            {"started_at": _iso(datetime.now(UTC) + timedelta(hours=1))},
            "invalid_field",
            "started_at",
            id="future",
        ),
        pytest.param(
            {"ended_at": "2001-01-01T00:00:00Z"}, "invalid_field", "ended_at", id="ends-before-start"
        ),
    ],
)
async def test_bad_inbound_is_a_400_and_changes_nothing(
    world: World, body: dict[str, Any], code: str, field: str
) -> None:
    r = await world.client.post("/v1/cases/c1/inbound", json=inbound_body(**body), headers=hdr(world.dialer))
    assert r.status == 400
    err = await r.json()
    assert_error_shape(err, code)
    assert err["details"]["field"] == field
    assert await _count(world, "inbound_contacts") == 0


async def test_inbound_roles_and_agency_scope(world: World) -> None:
    c = world.client
    r = await c.post("/v1/cases/c1/inbound", json=inbound_body())
    assert r.status == 401
    r = await c.post("/v1/cases/c1/inbound", json=inbound_body(), headers=hdr(world.inspector))
    assert r.status == 403
    assert_error_shape(await r.json(), "forbidden")
    for key, case_id in ((world.other_dialer, "c1"), (world.dialer, "nope")):
        r = await c.post(f"/v1/cases/{case_id}/inbound", json=inbound_body(), headers=hdr(key))
        assert r.status == 404
        assert_error_shape(await r.json(), "not_found")
    assert await _count(world, "inbound_contacts") == 0


async def test_decisions_pin_the_pack_text_and_carry_notes(world: World, data_dir: Path) -> None:
    c = world.client
    body = case_body(packs=["inbound-waits"], facts={"time_barred": True})
    assert (await c.put("/v1/cases/c3", json=body, headers=hdr(world.admin))).status == 201
    out = await (
        await c.post(
            "/v1/authorize",
            json={"case_id": "c3", "to": DEBTOR_NUMBER, "channel": "call"},
            headers=hdr(world.dialer),
        )
    ).json()
    text = (data_dir / "packs" / "inbound-waits.toml").read_bytes()
    pinned = f"inbound-waits@1#sha256:{hashlib.sha256(text).hexdigest()}"
    assert out["allowed"] is True
    assert out["packs"] == [pinned]
    assert [n["code"] for n in out["notes"]] == ["time_barred"]
    assert "1006.26(b)" in out["notes"][0]["message"]
    assert out["local_times"][0]["why"]
    app = c.app
    assert app is not None
    row = await app[DB].fetchone(
        "SELECT packs, notes FROM decisions WHERE decision_id = :id", {"id": out["decision_id"]}
    )
    assert row is not None
    assert json.loads(row["packs"]) == [pinned]
    assert json.loads(row["notes"]) == out["notes"]


# The case's contact k1 (case_body: a spouse), called as a third party.
SPOUSE_CALL = {
    "case_id": "c1",
    "to": "+12125550177",
    "channel": "call",
    "party": "third_party",
    "contact_id": "k1",
}


async def test_third_party_attempts_record_the_contact_relation(world: World) -> None:
    c = world.client
    out = await (await c.post("/v1/authorize", json=SPOUSE_CALL, headers=hdr(world.dialer))).json()
    assert out["allowed"] is True, out
    attempt = await (await c.get(f"/v1/attempts/{out['attempt_id']}", headers=hdr(world.dialer))).json()
    assert (attempt["party"], attempt["contact_id"], attempt["relation"]) == ("third_party", "k1", "spouse")


def _override_pack(data_dir: Path) -> bytes:
    # An operator file named like the bundled us-regf that drops every rule but a cap.
    text = PACK.format(name="us-regf", inbound="true").encode("utf-8")
    (_write_packs(data_dir) / "us-regf.toml").write_bytes(text)
    return text


@pytest.mark.parametrize("allow", [False, True], ids=["refused", "allowed"])
async def test_an_operator_pack_with_a_bundled_name(
    aiohttp_client: Any, data_dir: Path, make_key: Any, caplog: pytest.LogCaptureFixture, allow: bool
) -> None:
    text = _override_pack(data_dir)
    with caplog.at_level(logging.WARNING, logger="callwarden.packs"):
        client = await aiohttp_client(create_app(app_settings(data_dir, **{"policy.allow_override": allow})))
    logged = [r for r in caplog.records if r.name == "callwarden.packs"]
    assert len(logged) == 1
    assert "us-regf.toml" in logged[0].getMessage()
    assert logged[0].levelno == (logging.WARNING if allow else logging.ERROR)
    w = await setup_world(client, make_key, cases=0)
    assert (
        await client.put("/v1/cases/c1", json=case_body(packs=["us-regf"]), headers=hdr(w.admin))
    ).status == 201
    out = await (
        await client.post(
            "/v1/authorize",
            json={"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "call"},
            headers=hdr(w.dialer),
        )
    ).json()
    bundled = policies.load_packs(["us-regf"])[0]
    expected = hashlib.sha256(text).hexdigest() if allow else bundled.digest
    assert out["packs"] == [f"us-regf@{'1' if allow else '2'}#sha256:{expected}"]


async def test_a_third_partys_refusal_follows_their_number_to_every_case(world: World) -> None:
    """Found by a regulatory probe: a parent's refusal recorded by one agency (GB/T 45251: stop when
    a contact refuses) did not stop another agency calling the same parent on the debtor's other
    case, nor the same agency once the contact was re-keyed on the case."""
    c = world.client
    r = await c.put(
        "/v1/cases/c9", json=case_body(agency_id="a2", packs=["inbound-waits"]), headers=hdr(world.admin)
    )
    assert r.status == 201, await r.text()
    r = await c.post(
        "/v1/cases/c1/cease",
        json={"channels": ["call"], "contact_id": "k1", "reason": "the parent refuses further calls"},
        headers=hdr(world.dialer),
    )
    assert r.status == 201, await r.text()
    parent = {"to": "+12125550177", "channel": "call", "party": "third_party", "contact_id": "k1"}
    out = await (
        await c.post("/v1/authorize", json={**parent, "case_id": "c9"}, headers=hdr(world.other_dialer))
    ).json()
    assert out["allowed"] is False, out
    (reason,) = [x for x in out["reasons"] if x["code"] == "ceased"]
    assert reason["rule"] == "callwarden/cease.contact"
    assert "c1" not in reason["message"]  # nothing of the other agency's case
    assert "the person at this number" in reason["message"]
    rekeyed = case_body(
        packs=["inbound-waits"],
        contacts=[{"contact_id": "p-1", "relation": "parent", "number": "+1 212 555 0177"}],
    )
    assert (await c.put("/v1/cases/c1", json=rekeyed, headers=hdr(world.admin))).status == 200
    out = await (
        await c.post(
            "/v1/authorize", json={**parent, "case_id": "c1", "contact_id": "p-1"}, headers=hdr(world.dialer)
        )
    ).json()
    assert [x["code"] for x in out["reasons"]] == ["ceased"], out
    # Another person on the same cases is still a contact.
    other = case_body(
        agency_id="a2",
        packs=["inbound-waits"],
        contacts=[{"contact_id": "k1", "relation": "parent", "number": "+1 212 555 0188"}],
    )
    assert (await c.put("/v1/cases/c9", json=other, headers=hdr(world.admin))).status == 200
    out = await (
        await c.post(
            "/v1/authorize",
            json={**parent, "case_id": "c9", "to": "+12125550188"},
            headers=hdr(world.other_dialer),
        )
    ).json()
    assert out["allowed"] is True, out


async def test_a_location_contact_once_ever_is_the_person_not_the_contact_id(world: World) -> None:
    """Found by a regulatory probe: once the first conversation was older than the history the
    caps read (8 days), re-keying the contact made the same person a first contact again."""
    c = world.client
    out = await (await c.post("/v1/authorize", json=SPOUSE_CALL, headers=hdr(world.dialer))).json()
    assert out["allowed"] is True, out
    now = datetime.now(UTC)
    outcome = {
        "result": "connected",
        "spoke_with": "third_party",
        "started_at": _iso(now),
        "ended_at": _iso(now + timedelta(minutes=2)),
    }
    r = await c.post(f"/v1/attempts/{out['attempt_id']}/outcome", json=outcome, headers=hdr(world.dialer))
    assert r.status == 200, await r.text()
    app = c.app
    assert app is not None
    twelve_days = (now - timedelta(days=12)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    await app[DB].write(
        lambda conn: conn.execute(
            "UPDATE attempts SET at = :t, started_at = :t, ended_at = :t WHERE attempt_id = :id",
            {"t": twelve_days, "id": out["attempt_id"]},
        )
    )
    rekeyed = case_body(
        packs=["inbound-waits"],
        contacts=[{"contact_id": "spouse-1", "relation": "spouse", "number": "+1 212 555 0177"}],
    )
    assert (await c.put("/v1/cases/c1", json=rekeyed, headers=hdr(world.admin))).status == 200
    out = await (
        await c.post(
            "/v1/authorize", json={**SPOUSE_CALL, "contact_id": "spouse-1"}, headers=hdr(world.dialer)
        )
    ).json()
    assert out["allowed"] is False, out
    assert [x["rule"] for x in out["reasons"]] == ["inbound-waits/caps.location-once"]
