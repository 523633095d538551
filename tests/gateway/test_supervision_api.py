"""Supervision on a loopback socket: complaints (validation, agency scope) and the agency
scorecard built from real decisions, attempts, outcomes, recordings, flags, reviews and complaints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.web.keys import DB
from storage.audit import Access, Actor
from storage.transcription_jobs import claim, complete, release
from storage.transcripts import NewTranscript, store_transcript_sync
from tests.gateway.helpers import DEBTOR_NUMBER, hdr
from tests.gateway.test_api import assert_error_shape
from tests.gateway.vault_world import VaultWorld


def flag(category: str, severity: str, start: float) -> dict[str, Any]:
    return {
        "category": category,
        "severity": severity,
        "match": category,
        "sentence": category,
        "start": start,
        "end": start + 1,
        "channel": "left",
        "speaker": "agent",
        "rule": f"en/{category}/x",
        "lexicon_version": "en@1",
        "confidence": 0.9,
        "source": "lexicon",
    }


async def store_flags(vw: VaultWorld, rid: str, flags: list[dict[str, Any]]) -> None:
    """Store a transcript with `flags` for recording `rid` the way a worker does."""
    app = vw.client.app
    assert app is not None
    db = app[DB]
    now = datetime.now(UTC) + timedelta(seconds=1)
    others = []
    while (job := await claim(db, "test:1", now, 60)) is not None and job.recording_id != rid:
        others.append(job)
    assert job is not None
    for other in others:
        await release(db, other, now)
    t = NewTranscript(rid, job.job_id, "en", "whisper", "m", 20.0, [], [], [], ["en@1"], [], flags)
    access = Access(
        Actor(None, "system", None, "worker:test"), "recording.transcribe", "recording", rid, "ok"
    )
    await complete(db, job, now, {}, lambda c: store_transcript_sync(c, t, now), access)


async def card(vw: VaultWorld, key: str, **params: str) -> Any:
    r = await vw.client.get("/v1/reports/scorecard", params=params, headers=hdr(key))
    assert r.status == 200, await r.text()
    return await r.json()


async def test_scorecard_counts_what_happened_this_month(vw: VaultWorld) -> None:
    attempts = [await vw.attempt() for _ in range(3)]
    r = await vw.client.post(
        "/v1/authorize",
        json={"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "call"},
        headers=hdr(vw.w.dialer),
    )
    assert (await r.json())["allowed"] is False  # the test pack's cap: 3 a day
    now = datetime.now(UTC)
    for attempt, result, spoke in ((attempts[0], "connected", "debtor"), (attempts[1], "no_answer", "none")):
        r = await vw.client.post(
            f"/v1/attempts/{attempt}/outcome",
            json={
                "result": result,
                "spoke_with": spoke,
                "started_at": (now - timedelta(minutes=5)).isoformat(),
                "ended_at": now.isoformat(),
            },
            headers=hdr(vw.w.dialer),
        )
        assert r.status == 200, await r.text()
    _, rec1 = await vw.upload(attempts[0], b"RIFF one")
    _, rec2 = await vw.upload(attempts[1], b"RIFF two")
    await store_flags(
        vw,
        rec1["recording_id"],
        [
            flag("threat_violence", "high", 3),
            flag("missing_disclosure", "medium", 0),
            flag("false_legal_threat", "info", 7),
        ],
    )
    await store_flags(vw, rec2["recording_id"], [flag("insult_profanity", "medium", 4)])
    r = await vw.client.get("/v1/flags", headers=hdr(vw.w.inspector))
    by_category = {f["category"]: f["flag_id"] for f in (await r.json())["flags"]}
    for category, disposition in (("threat_violence", "confirmed"), ("insult_profanity", "dismissed")):
        r = await vw.client.post(
            f"/v1/flags/{by_category[category]}/review",
            json={"disposition": disposition},
            headers=hdr(vw.w.inspector),
        )
        assert r.status == 200
    r = await vw.client.post(
        "/v1/complaints",
        json={
            "case_id": "c1",
            "attempt_id": attempts[0],
            "received_at": now.isoformat(),
            "channel": "regulator",
            "summary": "Debtor reports a threat during the call.",
        },
        headers=hdr(vw.a1_inspector),
    )
    assert r.status == 201, await r.text()
    complaint = await r.json()
    assert complaint["agency_id"] == "a1"
    assert complaint["complaint_id"].startswith("cmp_")

    month = now.strftime("%Y-%m")
    (sc,) = (await card(vw, vw.w.inspector, agency_id="a1", month=month))["scorecards"]
    assert sc["contact_requests"] == {
        "total": 4,
        "allowed": 3,
        "denied": 1,
        "denials_by_reason": {"cap_exceeded": 1},
    }
    assert sc["attempts"] == {"made": 3, "released": 0, "connected_calls": 1, "right_party_contacts": 1}
    assert sc["recordings"] == {"stored": 2, "transcribed": 2}
    assert sc["flags"]["violations"] == 3
    assert sc["flags"]["per_100_connected_calls"] == 300.0
    assert sc["flags"]["by_category"] == {
        "insult_profanity": 1,
        "missing_disclosure": 1,
        "threat_violence": 1,
    }
    assert (sc["flags"]["info"], sc["flags"]["open"], sc["flags"]["dismissed"]) == (1, 1, 1)
    assert sc["confirmed_violations"] == {"total": 1, "by_category": {"threat_violence": 1}}
    assert sc["complaints"] == 1
    latency = sc["review_latency_hours"]
    assert latency["reviewed"] == 2
    assert 0 <= latency["median"] <= latency["max"] < 1
    assert latency["oldest_open"] is not None
    assert latency["oldest_open"] < 1

    # Another agency's month is empty; unbound keys get every agency; bound keys their own only.
    cards = {c["agency_id"]: c for c in (await card(vw, vw.security, month=month))["scorecards"]}
    assert set(cards) == {"a1", "a2"}
    assert cards["a2"]["attempts"]["made"] == 0
    assert cards["a2"]["flags"]["per_100_connected_calls"] is None
    assert [c["agency_id"] for c in (await card(vw, vw.a1_inspector))["scorecards"]] == ["a1"]
    last_year = (now - timedelta(days=366)).strftime("%Y-%m")
    (old,) = (await card(vw, vw.w.admin, agency_id="a1", month=last_year))["scorecards"]
    assert old["contact_requests"]["total"] == 0
    assert old["complaints"] == 0


@pytest.mark.parametrize(
    ("params", "key", "status", "code"),
    [
        pytest.param({"month": "2026-13"}, "inspector", 400, "invalid_field", id="bad-month"),
        pytest.param({"agency_id": "a2"}, "a1_inspector", 404, "not_found", id="other-agency"),
        pytest.param({"agency_id": "nope"}, "inspector", 404, "not_found", id="unknown-agency"),
        pytest.param({}, "dialer", 403, "forbidden", id="dialer"),
    ],
)
async def test_scorecard_errors(
    vw: VaultWorld, params: dict[str, str], key: str, status: int, code: str
) -> None:
    keys = {"inspector": vw.w.inspector, "a1_inspector": vw.a1_inspector, "dialer": vw.w.dialer}
    r = await vw.client.get("/v1/reports/scorecard", params=params, headers=hdr(keys[key]))
    assert r.status == status
    assert_error_shape(await r.json(), code)


async def test_complaint_validation_and_scope(vw: VaultWorld) -> None:
    received = datetime.now(UTC) - timedelta(days=400)
    good = {
        "case_id": "c1",
        "received_at": received.isoformat(),
        "channel": "call",
        "summary": "rude agent",
    }
    other_attempt = await vw.attempt("c2")
    cases = [
        ({**good, "channel": "fax"}, vw.w.admin, 400, "invalid_field"),
        ({k: v for k, v in good.items() if k != "summary"}, vw.w.admin, 400, "missing_field"),
        ({**good, "summary": "x" * 4001}, vw.w.admin, 400, "invalid_field"),
        ({**good, "received_at": "2099-01-01T00:00:00Z"}, vw.w.admin, 400, "invalid_field"),
        ({**good, "received_at": "yesterday"}, vw.w.admin, 400, "invalid_field"),
        ({**good, "case_id": "nope"}, vw.w.admin, 404, "not_found"),
        ({**good, "attempt_id": other_attempt}, vw.w.admin, 404, "not_found"),
        ({**good, "case_id": "c9"}, vw.a1_inspector, 404, "not_found"),
        (good, vw.w.dialer, 403, "forbidden"),
        (good, vw.security, 403, "forbidden"),
    ]
    for body, key, status, code in cases:
        r = await vw.client.post("/v1/complaints", json=body, headers=hdr(key))
        assert r.status == status, (body, await r.text())
        assert_error_shape(await r.json(), code)
    r = await vw.client.post("/v1/complaints", json=good, headers=hdr(vw.w.admin))
    assert r.status == 201
    (sc,) = (await card(vw, vw.w.admin, agency_id="a1", month=received.strftime("%Y-%m")))["scorecards"]
    assert sc["complaints"] == 1
