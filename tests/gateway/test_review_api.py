"""The review API on a loopback socket: the flag queue (filters, paging, agency scope), flag
reviews (validation, history, access log), transcripts (reason, not ready, agency scope), roles
and the error shape. Transcripts are stored through the storage layer as a worker stores them
(the engine itself is exercised in tests/speech/test_worker.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.web.keys import DB
from storage.audit import Access, Actor
from storage.transcription_jobs import claim, complete, release
from storage.transcripts import NewTranscript, store_transcript_sync
from tests.gateway.console.world import key_id
from tests.gateway.helpers import hdr
from tests.gateway.test_api import assert_error_shape
from tests.gateway.vault_world import VaultWorld

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 40


def _flag(category: str, start: float, severity: str = "high", channel: str = "left") -> dict[str, Any]:
    return {
        "category": category,
        "severity": severity,
        "match": f"match {category}",
        "sentence": f"sentence with {category}",
        "start": start,
        "end": start + 1.0,
        "channel": channel,
        "speaker": "agent",
        "rule": f"en/{category}/r{int(start)}",
        "lexicon_version": "en@1",
        "confidence": 0.8,
        "source": "lexicon",
    }


async def transcribed(
    vw: VaultWorld, flags: list[dict[str, Any]], case_id: str = "c1", dialer: str = ""
) -> str:
    """Upload a recording and store a transcript with `flags` through a claimed job."""
    status, rec = await vw.upload(
        await vw.attempt(case_id, dialer or None), AUDIO + str(flags).encode(), key=dialer or None
    )
    assert status == 201
    rid = str(rec["recording_id"])
    app = vw.client.app
    assert app is not None
    db = app[DB]
    now = datetime.now(UTC) + timedelta(seconds=1)
    others = []
    while (job := await claim(db, "test:1", now, 60)) is not None and job.recording_id != rid:
        others.append(job)  # another recording's job: given back below
    assert job is not None
    for other in others:
        await release(db, other, now)
    t = NewTranscript(
        recording_id=rid,
        job_id=job.job_id,
        language="en",
        engine="whisper",
        model="tiny.en",
        duration=30.0,
        channels=[{"channel": "left", "role": "agent", "audience": "debtor", "words": 1}],
        segments=[
            {
                "channel": "left",
                "speaker": "agent",
                "start": 1.0,
                "end": 2.0,
                "text": "hello [phone]",
                "confidence": 0.9,
                "words": [{"w": "hello", "start": 1.0, "end": 1.4, "conf": 0.9}],
            }
        ],
        masked=[{"channel": "left", "kind": "phone", "start": 1.5, "end": 2.0}],
        lexicon_versions=["en@1"],
        warnings=[],
        flags=flags,
    )
    access = Access(
        Actor(None, "system", None, "worker:test"), "recording.transcribe", "recording", rid, "ok"
    )
    await complete(db, job, now, {"engine": "whisper"}, lambda c: store_transcript_sync(c, t, now), access)
    return rid


async def queue(vw: VaultWorld, key: str, **params: str) -> list[dict[str, Any]]:
    r = await vw.client.get("/v1/flags", params=params, headers=hdr(key))
    assert r.status == 200, await r.text()
    return list((await r.json())["flags"])


async def test_queue_filters_pages_and_scopes_by_agency(vw: VaultWorld) -> None:
    a1 = await transcribed(vw, [_flag("threat_violence", 3), _flag("insult_profanity", 9, "medium")])
    a2 = await transcribed(vw, [_flag("threat_violence", 5)], "c9", vw.w.other_dialer)
    everything = await queue(vw, vw.w.inspector)
    assert [(f["recording_id"], f["category"]) for f in everything] == [
        (a1, "threat_violence"),
        (a1, "insult_profanity"),
        (a2, "threat_violence"),
    ]
    assert {f["agency_id"] for f in await queue(vw, vw.w.inspector, category="threat_violence")} == {
        "a1",
        "a2",
    }
    assert [f["category"] for f in await queue(vw, vw.w.inspector, severity="medium")] == ["insult_profanity"]
    assert [f["recording_id"] for f in await queue(vw, vw.w.inspector, agency_id="a2")] == [a2]
    # An agency-bound inspector sees its agency only, whatever it asks for.
    assert {f["agency_id"] for f in await queue(vw, vw.a1_inspector)} == {"a1"}
    assert await queue(vw, vw.a1_inspector, agency_id="a2") == []
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert await queue(vw, vw.w.inspector, since=future) == []
    # Paging: one at a time, in the queue's order, every flag once.
    seen, cursor = [], None
    for _ in range(5):
        r = await vw.client.get(
            "/v1/flags",
            params={"limit": "1", **({"cursor": cursor} if cursor else {})},
            headers=hdr(vw.w.inspector),
        )
        body = await r.json()
        seen += [f["flag_id"] for f in body["flags"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f["flag_id"] for f in everything]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"status": "pending"}, "status", id="status"),
        pytest.param({"category": "rudeness"}, "category", id="category"),
        pytest.param({"severity": "extreme"}, "severity", id="severity"),
        pytest.param({"since": "yesterday"}, "since", id="since"),
        pytest.param({"limit": "0"}, "limit", id="limit"),
        pytest.param({"cursor": "zz"}, "cursor", id="cursor"),
    ],
)
async def test_queue_rejects_bad_filters(vw: VaultWorld, params: dict[str, str], field: str) -> None:
    r = await vw.client.get("/v1/flags", params=params, headers=hdr(vw.w.inspector))
    assert r.status == 400
    body = await r.json()
    assert_error_shape(body, "invalid_field")
    assert body["details"]["field"] == field


async def test_review_confirms_or_dismisses_and_keeps_the_history(vw: VaultWorld) -> None:
    await transcribed(vw, [_flag("threat_violence", 3)])
    (flag,) = await queue(vw, vw.w.inspector)
    url = f"/v1/flags/{flag['flag_id']}/review"
    for body, code in (
        ({}, "missing_field"),
        ({"disposition": "maybe"}, "invalid_field"),
        ({"disposition": "confirmed", "note": 7}, "invalid_field"),
        ({"disposition": "confirmed", "note": "x" * 2001}, "invalid_field"),
    ):
        r = await vw.client.post(url, json=body, headers=hdr(vw.w.inspector))
        assert r.status == 400
        assert_error_shape(await r.json(), code)
    r = await vw.client.post(
        url, json={"disposition": "dismissed", "note": "lawful"}, headers=hdr(vw.w.inspector)
    )
    assert r.status == 200
    assert (await r.json())["status"] == "dismissed"
    r = await vw.client.post(
        url, json={"disposition": "confirmed", "note": "on re-listening"}, headers=hdr(vw.a1_inspector)
    )
    out = await r.json()
    assert out["status"] == "confirmed"
    assert out["review"]["note"] == "on re-listening"
    assert [(x["disposition"], x["note"]) for x in out["reviews"]] == [
        ("dismissed", "lawful"),
        ("confirmed", "on re-listening"),
    ]
    assert [f["flag_id"] for f in await queue(vw, vw.w.inspector, status="confirmed")] == [flag["flag_id"]]
    assert await queue(vw, vw.w.inspector, status="open") == []
    r = await vw.client.get(f"/v1/flags/{flag['flag_id']}", headers=hdr(vw.w.inspector))
    assert (await r.json())["status"] == "confirmed"
    r = await vw.client.get(
        "/v1/audit/access-log", params={"object": flag["flag_id"]}, headers=hdr(vw.security)
    )
    reviews = [e for e in (await r.json())["entries"] if e["action"] == "flag.review"]
    assert [(e["result"], e["details"]["disposition"], e["details"]["previous"]) for e in reviews] == [
        ("ok", "dismissed", "open"),
        ("ok", "confirmed", "dismissed"),
    ]
    r = await vw.client.get("/v1/audit/verify", headers=hdr(vw.security))
    assert (await r.json())["ok"] is True


async def test_other_agencies_flags_and_transcripts_are_404_and_logged(vw: VaultWorld, make_key: Any) -> None:
    rid = await transcribed(vw, [_flag("threat_violence", 3)], "c9", vw.w.other_dialer)
    (flag,) = await queue(vw, vw.w.inspector)
    fid = flag["flag_id"]
    for method, path, body in (
        ("GET", f"/v1/flags/{fid}", None),
        ("POST", f"/v1/flags/{fid}/review", {"disposition": "dismissed"}),
        ("GET", f"/v1/recordings/{rid}/transcript?reason=quality", None),
    ):
        r = await vw.client.request(method, path, json=body, headers=hdr(vw.a1_inspector))
        assert r.status == 404, path
        assert_error_shape(await r.json(), "not_found")
        r = await vw.client.request(method, path.replace(fid, "flg_nope").replace(rid, "rec_nope"), json=body,
                                    headers=hdr(vw.a1_inspector))  # fmt: skip
        assert r.status == 404
    r = await vw.client.get("/v1/audit/access-log", params={"object": fid}, headers=hdr(vw.security))
    tried = [
        (e["action"], e["result"])
        for e in (await r.json())["entries"]
        if e["actor_key_id"] == key_id(vw.a1_inspector)
    ]
    # Logged as what the key was answered, like a missing id (recordings.md, the access log).
    assert tried == [("flag.read", "not_found"), ("flag.review", "not_found")]
    (flag,) = await queue(vw, vw.w.inspector)
    assert flag["status"] == "open"


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        pytest.param("dialer", "GET", "/v1/flags", id="dialer-cannot-list-flags"),
        pytest.param("admin", "GET", "/v1/flags", id="admin-cannot-list-flags"),
        pytest.param("security", "POST", "/v1/flags/flg_x/review", id="security-cannot-review"),
        pytest.param(
            "dialer", "GET", "/v1/recordings/rec_x/transcript?reason=audit", id="dialer-no-transcript"
        ),
        pytest.param(
            "admin", "GET", "/v1/recordings/rec_x/transcript?reason=audit", id="admin-no-transcript"
        ),
    ],
)
async def test_roles(vw: VaultWorld, role: str, method: str, path: str) -> None:
    key = {"dialer": vw.w.dialer, "admin": vw.w.admin, "security": vw.security}[role]
    r = await vw.client.request(method, path, json={"disposition": "confirmed"}, headers=hdr(key))
    assert r.status == 403
    assert_error_shape(await r.json(), "forbidden")
    r = await vw.client.request(method, path, json={})
    assert r.status == 401


async def test_transcript_needs_a_reason_and_a_finished_job(vw: VaultWorld) -> None:
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    rid = rec["recording_id"]
    r = await vw.client.get(
        f"/v1/recordings/{rid}/transcript", params={"reason": " "}, headers=hdr(vw.security)
    )
    assert r.status == 400
    assert (await r.json())["details"] == {"field": "reason"}
    r = await vw.client.get(
        f"/v1/recordings/{rid}/transcript", params={"reason": "audit"}, headers=hdr(vw.security)
    )
    body = await r.json()
    assert r.status == 409
    assert body["error"] == "transcript_not_ready"
    assert body["details"]["status"] == "queued"
    done = await transcribed(vw, [])
    r = await vw.client.get(
        f"/v1/recordings/{done}/transcript", params={"reason": "audit"}, headers=hdr(vw.security)
    )
    doc = await r.json()
    assert r.status == 200
    assert doc["segments"][0]["text"] == "hello [phone]"
    assert doc["masked"][0]["kind"] == "phone"
    r = await vw.client.get("/v1/audit/access-log", params={"object": rid}, headers=hdr(vw.security))
    reads = [
        (e["result"], e["reason"]) for e in (await r.json())["entries"] if e["action"] == "transcript.read"
    ]
    assert reads == [("denied", None), ("not_ready", "audit")]
