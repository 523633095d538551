"""Builders for gateway tests: a ready app with an agency, a case and keys, on a loopback socket."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from gateway.settings import Settings, load_settings

# Open around the clock, 3 attempts per rolling 24 h per debtor: the served app decides with the
# real clock, so tests must not depend on the hour they run at.
TEST_PACK = """
name = "test-3-per-day"
version = "1"
jurisdiction = "test"
title = "Test pack: no window, three attempts a day"

[[caps]]
id = "three-a-day"
scope = "debtor"
channel = "any"
counts = "attempts"
max = 3
window = "24h"
citation = "test fixture"
"""

DEBTOR_NUMBER = "+12125550123"
OTHER_NUMBER = "+12125550199"


# The deadline for tests that hold the write lock on purpose and wait for it to pass.
HELD_LOCK_DEADLINE = {"policy.decision_timeout_ms": 1000}


def app_settings(data_dir: Path, **overrides: Any) -> Settings:
    packs = data_dir / "packs"
    packs.mkdir(exist_ok=True)
    (packs / "test-3-per-day.toml").write_text(TEST_PACK, encoding="utf-8")
    # A generous decision deadline: these tests check behaviour, not latency, and must not turn
    # into `policy_unavailable` on a busy machine (CI's slow runner once missed 1 s with an SMS
    # the model had just scored). The fail-closed tests hold the lock for good and pass
    # HELD_LOCK_DEADLINE, so their waits stay short.
    defaults = {"policy.packs_dir": str(packs), "policy.decision_timeout_ms": 5000}
    return load_settings(data_dir, env={}, overrides={**defaults, **overrides})


def case_body(agency_id: str = "a1", packs: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "agency_id": agency_id,
        "overdue_days": 30,
        "packs": packs or ["test-3-per-day"],
        "region": "US",
        "debtor": {
            "name": "Dana Debtor",
            "timezone": "America/New_York",
            "phones": [{"number": "(212) 555-0123", "kind": "mobile"}],
        },
        "contacts": [{"contact_id": "k1", "relation": "spouse", "number": "+1 212 555 0177"}],
        "status": "active",
    }
    body.update(extra)
    return body


@dataclass
class World:
    client: TestClient  # type: ignore[type-arg]
    admin: str
    dialer: str
    other_dialer: str
    inspector: str


def hdr(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def setup_world(client: TestClient, make_key: Any, cases: int = 1) -> World:  # type: ignore[type-arg]
    admin = await make_key("admin", name="test-admin")
    for agency in ("a1", "a2"):
        r = await client.put(
            f"/v1/agencies/{agency}", json={"name": agency.upper(), "status": "active"}, headers=hdr(admin)
        )
        assert r.status == 201, await r.text()
    for i in range(cases):
        r = await client.put(f"/v1/cases/c{i + 1}", json=case_body(), headers=hdr(admin))
        assert r.status == 201, await r.text()
    return World(
        client=client,
        admin=admin,
        dialer=await make_key("dialer", "a1", "dialer-a1"),
        other_dialer=await make_key("dialer", "a2", "dialer-a2"),
        inspector=await make_key("inspector", name="qa"),
    )
