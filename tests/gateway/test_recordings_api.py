"""The recordings API on a loopback socket: upload (raw, multipart, idempotent, limits), roles,
agency scope, audio with a reason and Range, legal hold, the retention lock on DELETE, and the
access log entries each of these leaves."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.gateway.console.world import key_id
from tests.gateway.helpers import hdr
from tests.gateway.test_api import assert_error_shape
from tests.gateway.vault_world import VaultWorld, make_vault_world
from tests.storage.vault_helpers import write_master_key

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 1200  # ~300 KB, 5 segments


async def log_rows(vw: VaultWorld, **filters: str) -> list[dict[str, Any]]:
    r = await vw.client.get(
        "/v1/audit/access-log", params={"limit": "1000", **filters}, headers=hdr(vw.security)
    )
    assert r.status == 200
    # Leave out the reads of the log this helper itself makes.
    return [e for e in (await r.json())["entries"] if (e["action"], e["result"]) != ("audit.read", "ok")]


def edit_db(vw: VaultWorld, sql: str, params: dict[str, Any] | None = None) -> None:
    conn = sqlite3.connect(vw.data_dir / "callwarden.db", isolation_level=None)
    conn.execute(sql, params or {})
    conn.close()


# --- upload -------------------------------------------------------------------------------------------


async def test_upload_is_201_then_200_for_the_same_bytes(vw: VaultWorld) -> None:
    att = await vw.attempt()
    status, rec = await vw.upload(att, AUDIO)
    assert status == 201
    assert rec["sha256"] == hashlib.sha256(AUDIO).hexdigest()
    assert rec["bytes"] == len(AUDIO)
    assert rec["retain_until"]
    assert rec["attempt_id"] == att
    assert rec["recording_id"].startswith("rec_")
    assert rec["replica"]["status"] == "ok"
    assert rec["number"] == "+12125550123"
    status, again = await vw.upload(att, AUDIO)
    assert status == 200
    assert again["recording_id"] == rec["recording_id"]
    status, other = await vw.upload(att, AUDIO + b"!")
    assert status == 201
    assert other["recording_id"] != rec["recording_id"]
    stored = list((vw.data_dir / "recordings" / "store").rglob("*.cwb"))
    assert len(stored) == 2
    assert all(AUDIO[:1000] not in p.read_bytes() for p in stored)
    rows = await log_rows(vw, object=rec["recording_id"])
    assert [(r["action"], r["result"]) for r in rows] == [
        ("recording.upload", "ok"),
        ("recording.upload", "duplicate"),
    ]
    assert rows[0]["actor_key_id"] == vw.w.dialer.split("_")[1]
    assert rows[0]["source"] == "127.0.0.1"


async def test_multipart_upload_keeps_the_part_type_and_filename(vw: VaultWorld) -> None:
    att = await vw.attempt()
    form = aiohttp.FormData()
    form.add_field("note", "ignored")
    form.add_field("file", AUDIO, filename="call-1.ogg", content_type="audio/ogg")
    r = await vw.client.post(f"/v1/recordings?attempt_id={att}", data=form, headers=hdr(vw.w.dialer))
    assert r.status == 201, await r.text()
    rec = await r.json()
    assert rec["content_type"] == "audio/ogg"
    assert rec["filename"] == "call-1.ogg"
    assert rec["bytes"] == len(AUDIO)
    form = aiohttp.FormData()
    form.add_field("other", b"x", filename="x.wav")
    r = await vw.client.post(f"/v1/recordings?attempt_id={att}", data=form, headers=hdr(vw.w.dialer))
    assert r.status == 400
    assert_error_shape(await r.json(), "missing_field")


async def test_any_bytes_are_accepted_as_evidence(vw: VaultWorld) -> None:
    status, rec = await vw.upload(await vw.attempt(), os.urandom(5000), ctype="application/octet-stream")
    assert status == 201
    assert rec["content_type"] == "application/octet-stream"


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        pytest.param("unknown-attempt", 404, "not_found", id="unknown-attempt"),
        pytest.param("other-agency-attempt", 404, "not_found", id="other-agency-attempt"),
        pytest.param("empty", 400, "empty_body", id="empty"),
        pytest.param("json", 415, "unsupported_media_type", id="json-body"),
        pytest.param("no-attempt-id", 400, "missing_field", id="no-attempt-id"),
    ],
)
async def test_refused_uploads(vw: VaultWorld, case: str, status: int, code: str) -> None:
    att = await vw.attempt()
    url, data, ctype, key = f"/v1/recordings?attempt_id={att}", AUDIO, "audio/wav", vw.w.dialer
    if case == "unknown-attempt":
        url = "/v1/recordings?attempt_id=att_nope"
    elif case == "other-agency-attempt":
        key = vw.w.other_dialer
    elif case == "empty":
        data = b""
    elif case == "json":
        ctype = "application/json"
    elif case == "no-attempt-id":
        url = "/v1/recordings"
    r = await vw.client.post(url, data=data, headers={**hdr(key), "Content-Type": ctype})
    assert r.status == status
    assert_error_shape(await r.json(), code)
    assert not list((vw.data_dir / "recordings" / "store").rglob("*.cwb"))
    results = [row["result"] for row in await log_rows(vw)]
    assert results
    assert results[-1] in ("not_found", "invalid")


async def test_body_over_the_limit_is_413_declared_or_streamed(
    aiohttp_client: Any, data_dir: Path, make_key: Any
) -> None:
    vw = await make_vault_world(aiohttp_client, data_dir, make_key, **{"recordings.max_bytes": 100_000})
    att = await vw.attempt()
    status, body = await vw.upload(att, b"x" * 100_001)
    assert status == 413
    assert body["error"] == "too_large"

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while streaming
        for _ in range(30):
            yield b"y" * 10_000

    r = await vw.client.post(
        f"/v1/recordings?attempt_id={att}",
        data=chunked(),
        headers={**hdr(vw.w.dialer), "Content-Type": "audio/wav"},
    )
    assert r.status == 413
    assert_error_shape(await r.json(), "too_large")
    assert not list((data_dir / "recordings" / "store").rglob("*.cwb"))
    assert not [
        p for p in (data_dir / "recordings" / "tmp").rglob("*") if p.is_file() and p.suffix != ".lock"
    ]
    status, _ = await vw.upload(att, b"z" * 100_000)
    assert status == 201


# --- roles, scope, error shape ----------------------------------------------------------------------

# Every endpoint needing a key: tests/gateway/test_api.py (built from the router).


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        pytest.param("inspector", "POST", "/v1/recordings?attempt_id=att_x", id="inspector-cannot-upload"),
        pytest.param("admin", "POST", "/v1/recordings?attempt_id=att_x", id="admin-cannot-upload"),
        pytest.param("dialer", "GET", "/v1/recordings/REC/audio?reason=audit", id="dialer-cannot-listen"),
        pytest.param("admin", "GET", "/v1/recordings/REC/audio?reason=audit", id="admin-cannot-listen"),
        pytest.param("inspector", "DELETE", "/v1/recordings/REC", id="inspector-cannot-delete"),
        pytest.param("dialer", "POST", "/v1/recordings/REC/legal-hold", id="dialer-cannot-hold"),
        pytest.param("inspector", "POST", "/v1/recordings/REC/legal-hold", id="inspector-cannot-hold"),
        pytest.param("admin", "GET", "/v1/audit/access-log", id="admin-cannot-read-log"),
        pytest.param("inspector", "GET", "/v1/audit/verify", id="inspector-cannot-verify"),
        pytest.param("dialer", "GET", "/v1/retention/report", id="dialer-cannot-report"),
    ],
)
async def test_roles_are_enforced_and_denials_logged(
    vw: VaultWorld, role: str, method: str, path: str
) -> None:
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    key = {"dialer": vw.w.dialer, "inspector": vw.w.inspector, "admin": vw.w.admin}[role]
    r = await vw.client.request(
        method, path.replace("REC", rec["recording_id"]), json={"reason": "audit"}, headers=hdr(key)
    )
    assert r.status == 403
    assert_error_shape(await r.json(), "forbidden")
    last = (await log_rows(vw))[-1]
    assert (last["result"], last["role"], last["details"]) == ("denied", role, {"why": "role"})


async def test_other_agencies_recordings_are_404_and_the_attempt_is_logged(vw: VaultWorld) -> None:
    _, rec = await vw.upload(await vw.attempt("c9", vw.w.other_dialer), AUDIO, key=vw.w.other_dialer)
    rid = rec["recording_id"]
    for key, path in (
        (vw.a1_inspector, f"/v1/recordings/{rid}/audio?reason=curious"),
        (vw.a1_inspector, f"/v1/recordings/{rid}"),
        (vw.w.dialer, f"/v1/recordings/{rid}"),
    ):
        r = await vw.client.get(path, headers=hdr(key))
        assert r.status == 404
        assert_error_shape(await r.json(), "not_found")
    r = await vw.client.get("/v1/recordings/rec_missing", headers=hdr(vw.a1_inspector))
    assert r.status == 404
    rows = await log_rows(vw)
    tried = [r for r in rows if r["object_id"] == rid][1:]  # after the upload
    # Each try is one row saying what the key was answered, as for a missing id (one row: a second
    # one only lender-wide keys see left a gap the agency could read).
    assert [(r["action"], r["result"], r["actor_key_id"], r["details"]) for r in tried] == [
        ("recording.audio", "not_found", key_id(vw.a1_inspector), {}),
        ("recording.metadata", "not_found", key_id(vw.a1_inspector), {}),
        ("recording.metadata", "not_found", key_id(vw.w.dialer), {}),
    ]
    assert rows[-1]["result"] == "not_found"
    assert rows[-1]["details"] == {}
    r = await vw.client.get("/v1/recordings", headers=hdr(vw.a1_inspector))
    assert (await r.json())["recordings"] == []


# --- audio --------------------------------------------------------------------------------------------


async def test_audio_needs_a_reason_and_is_logged_with_it(vw: VaultWorld) -> None:
    _, rec = await vw.upload(await vw.attempt(), AUDIO, ctype="audio/ogg; codecs=opus")
    rid = rec["recording_id"]
    for query in ("", "?reason=", "?reason=%20%20"):
        r = await vw.client.get(f"/v1/recordings/{rid}/audio{query}", headers=hdr(vw.w.inspector))
        assert r.status == 400
        body = await r.json()
        assert_error_shape(body, "missing_field")
        assert body["details"] == {"field": "reason"}
    r = await vw.client.get(f"/v1/recordings/{rid}/audio?reason=dispute%20%2342", headers=hdr(vw.w.inspector))
    assert r.status == 200
    assert await r.read() == AUDIO
    assert r.headers["Content-Type"] == "audio/ogg; codecs=opus"
    assert r.headers["Accept-Ranges"] == "bytes"
    assert r.headers["Cache-Control"] == "no-store"
    rows = [row for row in await log_rows(vw, object=rid) if row["action"] == "recording.audio"]
    assert [(row["result"], row["reason"]) for row in rows] == [("denied", None)] * 3 + [
        ("ok", "dispute #42")
    ]
    assert rows[-1]["details"]["bytes"] == len(AUDIO)


@pytest.mark.parametrize(
    ("header", "status", "first", "last"),
    [
        pytest.param("bytes=0-99", 206, 0, 99, id="first-100"),
        pytest.param("bytes=65530-131100", 206, 65530, 131100, id="across-segments"),
        pytest.param("bytes=300000-", 206, 300000, len(AUDIO) - 1, id="open-ended"),
        pytest.param("bytes=-50", 206, len(AUDIO) - 50, len(AUDIO) - 1, id="suffix"),
        pytest.param(f"bytes=10-{10**9}", 206, 10, len(AUDIO) - 1, id="end-clamped"),
        pytest.param("bytes=0-0,5-9", 200, 0, len(AUDIO) - 1, id="multi-range-ignored"),
        pytest.param("items=0-9", 200, 0, len(AUDIO) - 1, id="other-unit-ignored"),
    ],
)
async def test_range_requests(vw: VaultWorld, header: str, status: int, first: int, last: int) -> None:
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    r = await vw.client.get(
        f"/v1/recordings/{rec['recording_id']}/audio?reason=seek",
        headers={**hdr(vw.w.inspector), "Range": header},
    )
    assert r.status == status
    body = await r.read()
    assert body == AUDIO[first : last + 1]
    assert int(r.headers["Content-Length"]) == last - first + 1
    if status == 206:
        assert r.headers["Content-Range"] == f"bytes {first}-{last}/{len(AUDIO)}"


async def test_a_range_for_another_version_gets_the_whole_recording(vw: VaultWorld) -> None:
    """Found by a probe: `If-Range` naming another ETag still answered 206, a piece the client
    would splice into a copy of something else (RFC 9110 13.1.5)."""
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    url = f"/v1/recordings/{rec['recording_id']}/audio?reason=seek"
    whole = await vw.client.get(url, headers=hdr(vw.security))
    etag = whole.headers["ETag"]
    for validator, status in ((etag, 206), ('"0000"', 200), ("Mon, 07 Dec 2026 10:00:00 GMT", 200)):
        asked = {**hdr(vw.security), "Range": "bytes=0-99", "If-Range": validator}
        r = await vw.client.get(url, headers=asked)
        assert r.status == status, validator
        assert await r.read() == (AUDIO[:100] if status == 206 else AUDIO)


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=10-5", "bytes=-0", "bytes=abc", "bytes=5"])
async def test_unsatisfiable_ranges_are_416(vw: VaultWorld, header: str) -> None:
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    r = await vw.client.get(
        f"/v1/recordings/{rec['recording_id']}/audio?reason=seek",
        headers={**hdr(vw.security), "Range": header},
    )
    assert r.status == 416
    assert r.headers["Content-Range"] == f"bytes */{len(AUDIO)}"
    assert_error_shape(await r.json(), "range_not_satisfiable")


async def test_a_wrong_master_key_fails_cleanly_and_is_logged(vw: VaultWorld) -> None:
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    write_master_key(vw.data_dir / "master.key")
    r = await vw.client.get(
        f"/v1/recordings/{rec['recording_id']}/audio?reason=audit", headers=hdr(vw.w.inspector)
    )
    assert r.status == 500
    body = await r.json()
    assert_error_shape(body, "decryption_failed")
    assert "wrong master key" in body["message"]
    assert (await log_rows(vw))[-1]["result"] == "error"


# --- search and metadata --------------------------------------------------------------------------


async def test_search_filters_and_pages(vw: VaultWorld) -> None:
    ids = []
    for case in ("c1", "c2", "c2"):
        _, rec = await vw.upload(await vw.attempt(case), os.urandom(100))
        ids.append(rec["recording_id"])
    _, a2 = await vw.upload(await vw.attempt("c9", vw.w.other_dialer), b"a2", key=vw.w.other_dialer)

    async def search(key: str, **params: str) -> list[str]:
        r = await vw.client.get("/v1/recordings", params=params, headers=hdr(key))
        assert r.status == 200, await r.text()
        return [x["recording_id"] for x in (await r.json())["recordings"]]

    assert set(await search(vw.w.inspector)) == {*ids, a2["recording_id"]}
    assert set(await search(vw.w.inspector, case_id="c2")) == set(ids[1:])
    assert set(await search(vw.w.inspector, agency_id="a2")) == {a2["recording_id"]}
    assert set(await search(vw.w.dialer)) == set(ids)  # a dialer sees its own agency only
    assert len(await search(vw.w.inspector, number="(212) 555-0123")) == 4
    assert await search(vw.w.inspector, number="+12125550199") == []
    assert await search(vw.w.inspector, flagged="true") == []
    assert await search(vw.w.inspector, **{"from": "2999-01-01T00:00:00Z"}) == []
    assert len(await search(vw.w.inspector, to="2999-01-01T00:00:00Z")) == 4
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
        r = await vw.client.get("/v1/recordings", params=params, headers=hdr(vw.security))
        page = await r.json()
        seen += [x["recording_id"] for x in page["recordings"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted([*ids, a2["recording_id"]])
    r = await vw.client.get("/v1/recordings", params={"number": "12"}, headers=hdr(vw.security))
    assert r.status == 400
    for bad_cursor in ("%%%", "bm9wZQ", "ZnJvbXx0bw"):  # garbage, "nope", "from|to"
        r = await vw.client.get("/v1/recordings", params={"cursor": bad_cursor}, headers=hdr(vw.security))
        assert r.status == 400, bad_cursor
        assert (await r.json())["details"] == {"field": "cursor"}
    searches = [row for row in await log_rows(vw) if row["action"] == "recording.search"]
    assert {"number": "+1212***0123"} in [row["details"]["filters"] for row in searches]


async def test_metadata_has_hold_history_and_transcription_status(vw: VaultWorld) -> None:
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    rid = rec["recording_id"]
    r = await vw.client.post(
        f"/v1/recordings/{rid}/legal-hold", json={"reason": "complaint 7"}, headers=hdr(vw.w.admin)
    )
    assert r.status == 200
    assert (await r.json())["legal_hold"] is True
    r = await vw.client.get(f"/v1/recordings/{rid}", headers=hdr(vw.w.dialer))
    meta = await r.json()
    assert meta["legal_hold"] is True
    assert meta["transcript"]["status"] == "queued"
    assert "flags" not in meta  # the quality team's (tests/gateway/test_probe_isolation.py)
    # The holds' reasons name complaints and the lender's investigations: not the agency's dialer's
    # to read (found by a probe).
    assert "legal_holds" not in meta
    meta = await (await vw.client.get(f"/v1/recordings/{rid}", headers=hdr(vw.security))).json()
    assert [(h["action"], h["reason"]) for h in meta["legal_holds"]] == [("on", "complaint 7")]


# --- retention lock, hold, purge ---------------------------------------------------------------------


async def test_delete_is_locked_until_retain_until_and_under_hold(vw: VaultWorld) -> None:
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    rid = rec["recording_id"]
    r = await vw.client.delete(f"/v1/recordings/{rid}?reason=cleanup", headers=hdr(vw.w.admin))
    assert r.status == 403
    body = await r.json()
    assert_error_shape(body, "retention_locked")
    assert body["details"] == {"retain_until": rec["retain_until"], "legal_hold": False}
    # A year later (the row's lock moved into the past), but a security officer holds it first.
    edit_db(vw, "UPDATE recordings SET retain_until = '2020-01-01T00:00:00.000000Z'")
    r = await vw.client.post(f"/v1/recordings/{rid}/legal-hold", json={}, headers=hdr(vw.security))
    assert r.status == 400
    assert (await r.json())["details"] == {"field": "reason"}
    r = await vw.client.post(f"/v1/recordings/{rid}/legal-hold?reason=litigation", headers=hdr(vw.security))
    assert r.status == 200
    r = await vw.client.delete(f"/v1/recordings/{rid}", headers=hdr(vw.security))
    assert r.status == 403
    assert (await r.json())["details"]["legal_hold"] is True
    r = await vw.client.delete(
        f"/v1/recordings/{rid}/legal-hold", json={"reason": "settled"}, headers=hdr(vw.w.admin)
    )
    assert r.status == 200
    assert (await r.json())["legal_hold"] is False
    r = await vw.client.delete(f"/v1/recordings/{rid}", json={"reason": "expired"}, headers=hdr(vw.w.admin))
    assert r.status == 200
    tomb = (await r.json())["tombstone"]
    assert tomb["sha256"] == rec["sha256"]
    assert tomb["bytes"] == len(AUDIO)
    assert not list((vw.data_dir / "recordings" / "store").rglob("*.cwb"))
    assert not list((vw.data_dir.parent / "replica" / "store").rglob("*.cwb"))
    r = await vw.client.get(f"/v1/recordings/{rid}", headers=hdr(vw.w.inspector))
    assert (await r.json())["status"] == "purged"
    r = await vw.client.get(f"/v1/recordings/{rid}/audio?reason=audit", headers=hdr(vw.w.inspector))
    assert r.status == 404
    actions = [(row["action"], row["result"]) for row in await log_rows(vw, object=rid)]
    assert actions[:7] == [
        ("recording.upload", "ok"),
        ("recording.delete", "denied"),
        ("recording.hold", "invalid"),
        ("recording.hold", "ok"),
        ("recording.delete", "denied"),
        ("recording.release", "ok"),
        ("recording.delete", "ok"),
    ]
    assert ("recording.purge", "ok") in actions


# --- audit and report ------------------------------------------------------------------------------


async def test_verify_reports_an_edited_row(vw: VaultWorld) -> None:
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    await vw.client.get(
        f"/v1/recordings/{rec['recording_id']}/audio?reason=audit", headers=hdr(vw.w.inspector)
    )
    r = await vw.client.get("/v1/audit/verify", headers=hdr(vw.security))
    result = await r.json()
    assert result["ok"] is True
    assert result["rows"] == 2
    edit_db(vw, "DROP TRIGGER access_log_no_update")
    edit_db(vw, "UPDATE access_log SET reason = 'routine' WHERE seq = 2")
    r = await vw.client.get("/v1/audit/verify", headers=hdr(vw.security))
    result = await r.json()
    assert result["ok"] is False
    assert result["first_bad_row"]["seq"] == 2
    assert result["first_bad_row"]["problem"] == "hash_mismatch"


async def test_retention_report_json_and_csv(vw: VaultWorld) -> None:
    await vw.upload(await vw.attempt(), AUDIO)
    await vw.upload(await vw.attempt("c9", vw.w.other_dialer), b"x" * 10, key=vw.w.other_dialer)
    r = await vw.client.get("/v1/retention/report", headers=hdr(vw.security))
    rows = (await r.json())["rows"]
    assert [(x["agency_id"], x["recordings"], x["bytes"]) for x in rows] == [
        ("a1", 1, len(AUDIO)),
        ("a2", 1, 10),
    ]
    r = await vw.client.get(
        "/v1/retention/report", params={"agency_id": "a2"}, headers={**hdr(vw.security), "Accept": "text/csv"}
    )
    assert r.headers["Content-Type"].startswith("text/csv")
    lines = (await r.text()).splitlines()
    assert lines[0].startswith("agency_id,month,recordings,bytes,")
    assert len(lines) == 2
    assert lines[1].startswith("a2,")
    r = await vw.client.get("/v1/retention/report", params={"month": "2026/11"}, headers=hdr(vw.security))
    assert r.status == 400


async def test_a_client_that_disconnects_mid_upload_leaves_nothing(vw: VaultWorld) -> None:
    att = await vw.attempt()
    host, port = vw.client.server.host, vw.client.server.port
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        (
            f"POST /v1/recordings?attempt_id={att} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {vw.w.dialer}\r\nContent-Type: audio/wav\r\n"
            f"Content-Length: {10 * 1024 * 1024}\r\n\r\n"
        ).encode()
        + os.urandom(3 * 1024 * 1024)
    )
    await writer.drain()
    tmp = vw.data_dir / "recordings" / "tmp"
    for _ in range(100):  # the upload is being written ...
        if [p for p in tmp.rglob("*.part") if p.stat().st_size > 0]:
            break
        await asyncio.sleep(0.02)
    writer.close()  # ... when the client goes away
    await writer.wait_closed()
    for _ in range(200):
        if not list(tmp.rglob("*.part")):
            break
        await asyncio.sleep(0.02)
    assert not list(tmp.rglob("*.part"))
    assert not list((vw.data_dir.parent / "replica" / "tmp").rglob("*.part"))
    assert not list((vw.data_dir / "recordings" / "store").rglob("*.cwb"))
    r = await vw.client.get("/v1/recordings", headers=hdr(vw.w.inspector))
    assert (await r.json())["recordings"] == []
    del reader


async def test_metrics_show_the_transcription_queue(vw: VaultWorld) -> None:
    await vw.upload(await vw.attempt("c1"), os.urandom(64))
    await vw.upload(await vw.attempt("c1"), os.urandom(64))
    text = await (await vw.client.get("/metrics")).text()
    assert 'callwarden_transcription_jobs{status="queued"} 2.0' in text
    assert 'callwarden_transcription_jobs{status="failed"} 0.0' in text
