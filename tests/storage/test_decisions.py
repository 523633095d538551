"""The decision writer on a real SQLite file, without HTTP: caps hold under concurrency within a
batch and across writers, every decision is recorded with its pinned packs, a caller that gave
up never leaves an attempt that counts, and shutdown fails waiting callers closed."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest

from gateway.settings import Settings
from policies.types import Agency, ContactRequest
from storage.agencies import put_agency
from storage.cases import put_case
from storage.db import Database
from storage.decisions import DecisionTimeout, DecisionWriter
from tests.gateway.helpers import DEBTOR_NUMBER, TEST_PACK, case_body
from tests.policies.builders import pack_from_toml

PACK = pack_from_toml(TEST_PACK, "test-3-per-day.toml")


def resolve(names: object) -> tuple[object, ...]:
    return (PACK,)


def request(case_id: str = "c1", agency_id: str = "a1") -> ContactRequest:
    return ContactRequest(case_id=case_id, agency_id=agency_id, to=DEBTOR_NUMBER, channel="call")


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    async with Database(settings.db_path) as database:
        await put_agency(database, Agency("a1"), "A1")
        await put_agency(database, Agency("a2"), "A2")
        for case_id in ("c1", "c2"):
            await put_case(database, case_id, case_body(), resolve)
        yield database


@pytest.fixture
async def writer(db: Database) -> AsyncIterator[DecisionWriter]:
    w = DecisionWriter(db, resolve)
    await w.start()
    yield w
    await w.stop()


async def reserved_attempts(db: Database, case_id: str = "c1") -> int:
    row = await db.fetchone(
        "SELECT count(*) AS n FROM attempts WHERE case_id = :c AND status = 'reserved'", {"c": case_id}
    )
    assert row is not None
    return int(row["n"])


async def test_a_burst_for_one_debtor_allows_exactly_the_cap(writer: DecisionWriter, db: Database) -> None:
    results = await asyncio.gather(
        *(writer.decide(request(), endpoint="authorize", key_id="k1", timeout=10) for _ in range(60))
    )
    allowed = [r for r in results if r.decision.allowed]
    assert len(allowed) == 3
    assert len({r.attempt_id for r in allowed}) == 3
    assert all(r.attempt_id is None for r in results if not r.decision.allowed)
    assert {r.decision.reasons[0].code for r in results if not r.decision.allowed} == {"cap_exceeded"}
    assert await reserved_attempts(db) == 3
    # Another debtor is not affected by c1's count.
    other = await writer.decide(request("c2"), endpoint="authorize", key_id="k1", timeout=10)
    assert other.decision.allowed


async def test_two_writers_on_one_file_share_the_cap(db: Database, settings: Settings) -> None:
    """Two writers (as two `serve` processes would have) on the same database file."""
    async with Database(settings.db_path) as db2:
        w1, w2 = DecisionWriter(db, resolve), DecisionWriter(db2, resolve)
        await w1.start()
        await w2.start()
        try:
            results = await asyncio.gather(
                *(
                    (w1 if i % 2 else w2).decide(request(), endpoint="authorize", key_id=None, timeout=20)
                    for i in range(40)
                )
            )
        finally:
            await w1.stop()
            await w2.stop()
    assert sum(r.decision.allowed for r in results) == 3
    assert await reserved_attempts(db) == 3


async def test_every_decision_is_recorded_with_its_pinned_pack(writer: DecisionWriter, db: Database) -> None:
    results = [
        await writer.decide(request(), endpoint="calls", key_id="k9", from_number="+12125550100", timeout=10)
        for _ in range(4)
    ]
    rows = await db.fetchall("SELECT * FROM decisions WHERE case_id = 'c1' ORDER BY at")
    assert [r["decision_id"] for r in rows] == [r.decision_id for r in results]
    assert [bool(r["allowed"]) for r in rows] == [True, True, True, False]
    assert {r["endpoint"] for r in rows} == {"calls"}
    assert {r["key_id"] for r in rows} == {"k9"}
    packs = json.loads(rows[0]["packs"])
    assert packs == [f"test-3-per-day@1#sha256:{PACK.digest}"]
    assert json.loads(rows[3]["reasons"])[0]["code"] == "cap_exceeded"
    assert rows[3]["attempt_id"] is None
    assert rows[3]["next_allowed_at"] is not None


async def test_an_unknown_case_is_a_recorded_denial_like_another_agencys(
    writer: DecisionWriter, db: Database
) -> None:
    out = await writer.decide(request("nope"), endpoint="authorize", key_id=None, timeout=10)
    assert [r.code for r in out.decision.reasons] == ["case_not_assigned"]
    row = await db.fetchone("SELECT allowed FROM decisions WHERE decision_id = :d", {"d": out.decision_id})
    assert row is not None
    assert row["allowed"] == 0


async def test_another_agencys_case_is_a_recorded_denial(writer: DecisionWriter, db: Database) -> None:
    out = await writer.decide(request("c1", agency_id="a2"), endpoint="authorize", key_id=None, timeout=10)
    assert not out.decision.allowed
    assert [r.code for r in out.decision.reasons] == ["case_not_assigned"]
    assert out.attempt_id is None
    assert await reserved_attempts(db) == 0


async def test_a_caller_that_gave_up_leaves_no_counting_attempt(writer: DecisionWriter, db: Database) -> None:
    """The writer thread is busy past the caller's deadline: the caller gets DecisionTimeout (and
    answers `policy_unavailable`); whatever the writer did afterwards does not count."""
    busy = asyncio.create_task(db.run_on_writer(lambda conn: time.sleep(0.5)))
    await asyncio.sleep(0.05)
    with pytest.raises(DecisionTimeout):
        await writer.decide(request(), endpoint="authorize", key_id=None, timeout=0.1)
    await busy
    # Let the batcher finish the abandoned job (skip it, or release it if it had been allowed).
    for _ in range(50):
        await asyncio.sleep(0.05)
        if writer._queue.empty():
            break
    await asyncio.sleep(0.2)
    assert await reserved_attempts(db) == 0
    # The cap still has all three slots.
    results = [
        await writer.decide(request(), endpoint="authorize", key_id=None, timeout=10) for _ in range(4)
    ]
    assert [r.decision.allowed for r in results] == [True, True, True, False]


async def test_stopping_fails_queued_callers_closed(db: Database) -> None:
    w = DecisionWriter(db, resolve)  # never started: jobs stay queued
    job = asyncio.create_task(w.decide(request(), endpoint="authorize", key_id=None, timeout=10))
    await asyncio.sleep(0.05)
    await w.stop()
    with pytest.raises(DecisionTimeout):
        await job
    assert await reserved_attempts(db) == 0
