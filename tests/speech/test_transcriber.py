"""Transcription jobs end to end through the HTTP API and a real worker: upload a call recording,
the worker decrypts it through the vault and transcribes it with Whisper base (from PyPI), the
inspector finds the flag in the queue, reads the transcript with a reason and confirms the flag;
the access log holds every step and its chain verifies. Corrupt audio is retried with backoff and
fails with ffmpeg's message, the recording still retrievable. Reprocessing after a lexicon update
re-flags the stored transcript and keeps the review.

The worker runs in the test's process (the session's Whisper model, loaded once); the worker as
separate processes, killed mid-job, is tests/gateway/test_cli_workers.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.cli.main import main as cli_main
from gateway.jobs.transcriber import JobOptions, Worker
from gateway.web.keys import DB, VAULT
from speech.config import SpeechConfig
from speech.engines import Engine
from tests.gateway.helpers import TEST_PACK, case_body, hdr
from tests.gateway.vault_world import VaultWorld
from tests.speech.conftest import Call, make_call

THREAT = "If you do not pay today, we will break your legs."


@pytest.fixture(scope="module")
def call(speech_dir: Path) -> Call:
    return make_call(
        speech_dir,
        "worker-threat-call",
        left=[
            (0.3, "Hello, this is Jordan calling from Redline Recovery about your account."),
            (11.0, THREAT),
        ],
        right=[(6.5, "I cannot pay anything this month. I lost my job.")],
        total=16.0,
    )


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


def worker_for(
    vw: VaultWorld, whisper: Engine, clock: Callable[[], datetime] | None = None, **opts: Any
) -> Worker:
    app = vw.client.app
    assert app is not None
    return Worker(
        app[DB],
        app[VAULT],
        SpeechConfig(),
        JobOptions(**{"lease_s": 60.0, "backoff_s": 5.0, **opts}),
        vw.data_dir / "speech-work",
        name="test-worker",
        engines={"en": whisper},
        **({"clock": clock} if clock else {}),
    )


async def log_rows(vw: VaultWorld, **filters: str) -> list[dict[str, Any]]:
    r = await vw.client.get(
        "/v1/audit/access-log", params={"limit": "1000", **filters}, headers=hdr(vw.security)
    )
    assert r.status == 200
    return [e for e in (await r.json())["entries"] if e["action"] != "audit.read"]


async def test_uploaded_call_is_transcribed_flagged_reviewed_and_logged(
    vw: VaultWorld, call: Call, whisper: Engine
) -> None:
    status, rec = await vw.upload(await vw.attempt(), call.path.read_bytes(), "audio/wav")
    assert status == 201
    rid = rec["recording_id"]
    r = await vw.client.get(f"/v1/recordings/{rid}", headers=hdr(vw.w.dialer))
    assert (await r.json())["transcript"]["status"] == "queued"

    worker = worker_for(vw, whisper)
    try:
        outcome = await worker.run_once()
        assert outcome is not None, outcome
        assert outcome["status"] == "done", outcome
        assert await worker.run_once() is None  # nothing else queued
    finally:
        worker.close()
    assert outcome["engine"] == "whisper"
    assert outcome["language"] == "en"
    assert outcome["duration"] == pytest.approx(16.0, abs=0.05)
    assert outcome["rtf"] > 0
    assert not list((vw.data_dir / "speech-work").rglob("*.audio")), "decrypted audio is removed"

    # The inspector's queue: the threat on the agent's (left) channel, at the time it was said.
    r = await vw.client.get(
        "/v1/flags", params={"status": "open", "category": "threat_violence"}, headers=hdr(vw.w.inspector)
    )
    assert r.status == 200
    (flag,) = (await r.json())["flags"]
    channel, start, end = call.span("break your legs")
    assert (flag["recording_id"], flag["channel"], flag["speaker"], channel) == (rid, "left", "agent", "left")
    assert start + 1.0 <= flag["start"] < flag["end"] <= end + 0.3, (flag, start, end)
    assert flag["severity"] == "high"
    assert flag["violation"]
    assert "leg" in flag["match"].lower()
    assert flag["rule"].startswith("en/threat_violence/")
    assert flag["lexicon_version"].startswith("en@")
    assert 0 < flag["confidence"] <= 1
    assert flag["status"] == "open"
    assert flag["agency_id"] == "a1"
    r = await vw.client.get(
        "/v1/flags", params={"category": "missing_disclosure"}, headers=hdr(vw.w.inspector)
    )
    assert [f["rule"] for f in (await r.json())["flags"]] == ["en/missing_disclosure/mini-miranda"]

    # Metadata: the transcription record for the dialer; flags (without the words) for inspectors.
    r = await vw.client.get(f"/v1/recordings/{rid}", headers=hdr(vw.w.dialer))
    meta = await r.json()
    t = meta["transcript"]
    assert (t["status"], t["attempts"], t["engine"], t["language"], t["transcript_available"]) == (
        "done",
        1,
        "whisper",
        "en",
        True,
    )
    assert t["model"].endswith("whisper-base")
    assert t["rtf"] > 0
    assert set(t["timings"]) >= {"decode", "transcribe"}
    assert "flags" not in meta  # the quality team's, not the dialer's
    r = await vw.client.get(f"/v1/recordings/{rid}", headers=hdr(vw.w.inspector))
    meta = await r.json()
    assert flag["flag_id"] in [f["flag_id"] for f in meta["flags"]]
    assert all("sentence" not in f and "match" not in f for f in meta["flags"])
    r = await vw.client.get("/v1/recordings", params={"flagged": "true"}, headers=hdr(vw.w.inspector))
    assert [x["recording_id"] for x in (await r.json())["recordings"]] == [rid]

    # The transcript: a reason is mandatory; segments per channel with timed words.
    r = await vw.client.get(f"/v1/recordings/{rid}/transcript", headers=hdr(vw.w.inspector))
    assert r.status == 400
    assert (await r.json())["details"] == {"field": "reason"}
    r = await vw.client.get(
        f"/v1/recordings/{rid}/transcript", params={"reason": "QA review 42"}, headers=hdr(vw.w.inspector)
    )
    assert r.status == 200
    doc = await r.json()
    assert {s["channel"] for s in doc["segments"]} == {"left", "right"}
    seg = next(s for s in doc["segments"] if "leg" in s["text"].lower())
    assert (seg["channel"], seg["speaker"]) == ("left", "agent")
    assert set(seg) >= {"channel", "speaker", "start", "end", "text", "words"}
    assert all(set(w) == {"w", "start", "end", "conf"} for w in seg["words"])
    assert [s["start"] for s in doc["segments"]] == sorted(s["start"] for s in doc["segments"])
    r = await vw.client.get(f"/v1/recordings/{rid}/transcript?reason=audit", headers=hdr(vw.w.dialer))
    assert r.status == 403

    # Review: confirmed with a note.
    r = await vw.client.post(
        f"/v1/flags/{flag['flag_id']}/review",
        json={"disposition": "confirmed", "note": "clear threat, agent J."},
        headers=hdr(vw.w.inspector),
    )
    assert r.status == 200, await r.text()
    reviewed = await r.json()
    assert reviewed["status"] == "confirmed"
    assert reviewed["review"]["note"] == "clear threat, agent J."
    r = await vw.client.get("/v1/flags", params={"status": "confirmed"}, headers=hdr(vw.w.inspector))
    assert [f["flag_id"] for f in (await r.json())["flags"]] == [flag["flag_id"]]

    # The access log: the worker's read, the transcript read with its reason, the review.
    rows = await log_rows(vw, object=rid)
    actions = [(e["action"], e["result"], e["reason"]) for e in rows]
    assert ("recording.transcribe", "ok", None) in actions
    assert ("transcript.read", "denied", None) in actions  # the read without a reason
    assert ("transcript.read", "ok", "QA review 42") in actions
    assert ("transcript.read", "denied", "x") not in actions  # a dialer is refused before the reason
    worker_row = next(e for e in rows if e["action"] == "recording.transcribe")
    assert worker_row["role"] == "system"
    assert worker_row["source"] == "worker:test-worker"
    (review_row,) = [e for e in await log_rows(vw, object=flag["flag_id"]) if e["action"] == "flag.review"]
    assert review_row["details"]["disposition"] == "confirmed"
    assert review_row["details"]["recording_id"] == rid
    r = await vw.client.get("/v1/audit/verify", headers=hdr(vw.security))
    assert (await r.json())["ok"] is True


async def test_corrupt_audio_is_retried_with_backoff_then_fails_with_the_decoders_message(
    vw: VaultWorld, whisper: Engine
) -> None:
    corrupt = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\xde\xad\xbe\xef" * 5000
    status, rec = await vw.upload(await vw.attempt(), corrupt, "audio/wav")
    assert status == 201
    rid = rec["recording_id"]
    clock = Clock()
    worker = worker_for(vw, whisper, clock, backoff_s=30.0, max_attempts=3)
    try:
        first = await worker.run_once()
        assert first is not None
        assert first["status"] == "queued"
        assert first["error_kind"] == "decode"
        assert await worker.run_once() is None  # backing off: 30 s
        clock.at += timedelta(seconds=31)
        second = await worker.run_once()
        assert second is not None
        assert second["status"] == "queued"
        clock.at += timedelta(seconds=31)
        assert await worker.run_once() is None  # the second wait is 60 s
        clock.at += timedelta(seconds=30)
        third = await worker.run_once()
        assert third is not None
        assert third["status"] == "failed"
        clock.at += timedelta(days=1)
        assert await worker.run_once() is None
    finally:
        worker.close()
    r = await vw.client.get(f"/v1/recordings/{rid}", headers=hdr(vw.w.inspector))
    t = (await r.json())["transcript"]
    assert (t["status"], t["attempts"], t["error_kind"], t["transcript_available"]) == (
        "failed",
        3,
        "decode",
        False,
    )
    # ffmpeg's own words, not a generic failure.
    assert t["error"].startswith("cannot decode the recording: "), t["error"]
    assert "Invalid data" in t["error"], t["error"]
    assert [e["attempt"] for e in t["errors"]] == [1, 2, 3]
    # The recording stays stored and retrievable as uploaded.
    r = await vw.client.get(
        f"/v1/recordings/{rid}/audio", params={"reason": "dispute"}, headers=hdr(vw.security)
    )
    assert r.status == 200
    assert await r.read() == corrupt
    r = await vw.client.get(
        f"/v1/recordings/{rid}/transcript", params={"reason": "audit"}, headers=hdr(vw.w.inspector)
    )
    body = await r.json()
    assert r.status == 409
    assert body["error"] == "transcript_not_ready"
    assert body["details"]["status"] == "failed"
    assert "Invalid data" in body["details"]["error"]
    errors = [e for e in await log_rows(vw, object=rid) if e["action"] == "recording.transcribe"]
    assert [(e["result"], e["details"]["attempt"]) for e in errors] == [
        ("error", 1),
        ("error", 2),
        ("error", 3),
    ]


async def test_language_facts_and_audience_come_from_the_case_and_attempt(
    vw: VaultWorld, call: Call, whisper: Engine
) -> None:
    # A third party answered (the spouse): the agent's speech is heard by a third party, so no
    # mini-Miranda check, and a debt mention would be a disclosure. Facts say no suit was filed.
    pack = TEST_PACK.replace('name = "test-3-per-day"', 'name = "test-third-party"')
    (vw.data_dir / "packs" / "test-third-party.toml").write_text(
        pack + '\n[third_party]\nallowed = true\nsms = false\ncitation = "test"\n', encoding="utf-8"
    )
    r = await vw.client.put(
        "/v1/cases/c2",
        json=case_body(packs=["test-third-party"], language="en", facts={"lawsuit_filed": False}),
        headers=hdr(vw.w.admin),
    )
    assert r.status == 200, await r.text()
    r = await vw.client.post(
        "/v1/authorize",
        json={
            "case_id": "c2",
            "to": "+1 212 555 0177",
            "channel": "call",
            "party": "third_party",
            "contact_id": "k1",
        },
        headers=hdr(vw.w.dialer),
    )
    body = await r.json()
    assert body["allowed"], body
    status, rec = await vw.upload(body["attempt_id"], call.path.read_bytes())
    assert status == 201
    worker = worker_for(vw, whisper)
    try:
        outcome = await worker.run_once()
    finally:
        worker.close()
    assert outcome is not None
    assert outcome["status"] == "done"
    r = await vw.client.get(
        "/v1/flags", params={"recording_id": rec["recording_id"]}, headers=hdr(vw.w.inspector)
    )
    categories = {f["category"] for f in (await r.json())["flags"]}
    assert "threat_violence" in categories
    assert "missing_disclosure" not in categories
    r = await vw.client.get(
        f"/v1/recordings/{rec['recording_id']}/transcript",
        params={"reason": "quality review"},
        headers=hdr(vw.w.inspector),
    )
    doc = await r.json()
    assert {(c["channel"], c["role"], c["audience"]) for c in doc["channels"]} == {
        ("left", "agent", "third_party"),
        ("right", "debtor", "debtor"),
    }


async def test_reprocess_reflags_with_a_new_lexicon_and_keeps_reviews(
    vw: VaultWorld, call: Call, whisper: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, rec = await vw.upload(await vw.attempt(), call.path.read_bytes())
    rid = rec["recording_id"]
    worker = worker_for(vw, whisper)
    try:
        assert (await worker.run_once() or {}).get("status") == "done"
    finally:
        worker.close()
    r = await vw.client.get("/v1/flags", params={"recording_id": rid}, headers=hdr(vw.w.inspector))
    before = {f["category"]: f for f in (await r.json())["flags"]}
    threat = before["threat_violence"]
    r = await vw.client.post(
        f"/v1/flags/{threat['flag_id']}/review",
        json={"disposition": "confirmed"},
        headers=hdr(vw.w.inspector),
    )
    assert r.status == 200

    # A lexicon update: a new version with one more entry (the agency's name as "harassment",
    # only to have a new flag to look for).
    import policies

    bundled = (Path(policies.__file__).parent / "lexicons" / "en.toml").read_text(encoding="utf-8")
    old_version = threat["lexicon_version"].split("@", 1)[1]
    updated = bundled.replace(f'version = "{old_version}"', 'version = "2099.01.0"', 1) + (
        '\n[[entry]]\nid = "test-agency-name"\ncategory = "harassment"\nseverity = "low"\n'
        'patterns = ["(redline|red line) recovery"]\n'
    )
    lexicon = tmp_path / "en.toml"
    lexicon.write_text(updated, encoding="utf-8")
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    argv = [
        "reprocess",
        "--data-dir",
        str(vw.data_dir),
        "--since",
        since,
        "--lexicon",
        str(lexicon),
        "--json",
    ]
    assert await asyncio.to_thread(cli_main, argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["transcripts"] == 1
    assert summary["added"] == 1
    assert summary["superseded"] == 0
    assert "en@2099.01.0" in summary["lexicon_versions"]

    r = await vw.client.get("/v1/flags", params={"recording_id": rid}, headers=hdr(vw.w.inspector))
    after = {f["category"]: f for f in (await r.json())["flags"]}
    assert after["threat_violence"]["flag_id"] == threat["flag_id"]
    assert after["threat_violence"]["status"] == "confirmed"  # the review survives
    assert after["threat_violence"]["lexicon_version"] == "en@2099.01.0"
    assert after["harassment"]["rule"] == "en/harassment/test-agency-name"
    assert after["harassment"]["channel"] == "left"
    assert after["harassment"]["start"] < 5
    r = await vw.client.get(f"/v1/recordings/{rid}", headers=hdr(vw.w.inspector))
    assert "en@2099.01.0" in (await r.json())["transcript"]["lexicon_versions"]

    # Back to the bundled lexicon: the test entry's flag is superseded (kept, not deleted).
    argv = ["reprocess", "--data-dir", str(vw.data_dir), "--since", since, "--json"]
    assert await asyncio.to_thread(cli_main, argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["superseded"] == 1
    assert summary["added"] == 0
    r = await vw.client.get("/v1/flags", params={"recording_id": rid}, headers=hdr(vw.w.inspector))
    assert "harassment" not in {f["category"] for f in (await r.json())["flags"]}
    rows = await log_rows(vw, object="-")
    assert [e["details"]["transcripts"] for e in rows if e["action"] == "transcripts.reprocess"] == [1, 1]

    # A trial lexicon that lacks the threat entry supersedes the confirmed flag; back on the
    # bundled lexicon the same flag is current again with its review (a probe found a second,
    # unreviewed flag raised instead, and the scorecard counting one utterance twice).
    trial = tmp_path / "trial" / "en.toml"
    trial.parent.mkdir()
    trial.write_text(
        '[lexicon]\nlanguage = "en"\nversion = "2099.02.0"\nword_boundaries = true\n\n'
        '[[entry]]\nid = "trial-only"\ncategory = "harassment"\nseverity = "low"\npatterns = ["zzqx"]\n',
        encoding="utf-8",
    )
    argv = ["reprocess", "--data-dir", str(vw.data_dir), "--since", since, "--lexicon", str(trial), "--json"]
    assert await asyncio.to_thread(cli_main, argv) == 0
    capsys.readouterr()
    r = await vw.client.get("/v1/flags", params={"recording_id": rid}, headers=hdr(vw.w.inspector))
    assert threat["flag_id"] not in {f["flag_id"] for f in (await r.json())["flags"]}
    argv = ["reprocess", "--data-dir", str(vw.data_dir), "--since", since, "--json"]
    assert await asyncio.to_thread(cli_main, argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["added"] == 0
    r = await vw.client.get("/v1/flags", params={"recording_id": rid}, headers=hdr(vw.w.inspector))
    threats = [f for f in (await r.json())["flags"] if f["category"] == "threat_violence"]
    assert [(f["flag_id"], f["status"]) for f in threats] == [(threat["flag_id"], "confirmed")]
