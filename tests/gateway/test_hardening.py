"""Regression tests for the faults issue 8 found, each over a real socket, file or database:
evidence destroyed early, one client locking out every dialer, the spool following symlinks,
500s on hostile input, and answers that leak another agency's case."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.jobs.spool import SpoolWatcher
from gateway.settings import anchor_path
from gateway.web.keys import DB, JOBS
from policies.errors import SetupError
from storage.audit import write_anchor
from tests.gateway.helpers import DEBTOR_NUMBER, OTHER_NUMBER, hdr
from tests.gateway.vault_world import VaultWorld, make_spool_world

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + os.urandom(4000)
HOSTILE_TS = "9999-12-31T23:59:59-23:59"  # UTC would be in year 10000


def ts(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def assert_error(body: dict[str, Any], code: str, field: str | None = None) -> None:
    assert body["error"] == code, body
    assert body["message"]
    if field is not None:
        assert body["details"].get("field") == field, body


@pytest.fixture
async def vw(aiohttp_client: Any, data_dir: Path, make_key: Any) -> VaultWorld:
    return await make_spool_world(aiohttp_client, data_dir, make_key, **{"auth.max_failures": 3})


# --- 1. evidence cannot be destroyed early ------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "ended", "field"),
    [
        pytest.param(
            timedelta(days=-3 * 365), timedelta(days=-3 * 365, minutes=2), "started_at", id="backdated"
        ),
        pytest.param(timedelta(days=5 * 365), timedelta(days=5 * 365, minutes=2), "started_at", id="future"),
        pytest.param(timedelta(minutes=-1), timedelta(days=365), "ended_at", id="ends-next-year"),
    ],
)
async def test_unbelievable_outcome_times_are_refused_and_change_nothing(
    vw: VaultWorld, started: timedelta, ended: timedelta, field: str
) -> None:
    att = await vw.attempt()
    now = datetime.now(UTC)
    body = {"result": "connected", "started_at": ts(now + started), "ended_at": ts(now + ended)}
    r = await vw.client.post(f"/v1/attempts/{att}/outcome", json=body, headers=hdr(vw.w.dialer))
    assert r.status == 400
    assert_error(await r.json(), "invalid_field", field)
    r = await vw.client.get(f"/v1/attempts/{att}", headers=hdr(vw.w.dialer))
    assert (await r.json())["outcome"] is None
    # The dialer can still report the real outcome afterwards (nothing was half-stored).
    good = {"result": "connected", "started_at": ts(now - timedelta(seconds=30)), "ended_at": ts(now)}
    r = await vw.client.post(f"/v1/attempts/{att}/outcome", json=good, headers=hdr(vw.w.dialer))
    assert r.status == 200, await r.text()


async def test_a_recording_after_a_backdated_start_keeps_its_full_retention(vw: VaultWorld) -> None:
    """The old attack: outcome started years ago, then upload → retain_until in the past → purged."""
    att = await vw.attempt()
    now = datetime.now(UTC)
    backdated = {
        "result": "connected",
        "started_at": "2019-01-01T00:00:00Z",
        "ended_at": "2019-01-01T00:05:00Z",
    }
    r = await vw.client.post(f"/v1/attempts/{att}/outcome", json=backdated, headers=hdr(vw.w.dialer))
    assert r.status == 400
    status, rec = await vw.upload(att, AUDIO)
    assert status == 201, rec
    recorded = datetime.fromisoformat(rec["recorded_at"])
    assert recorded >= now - timedelta(minutes=5)
    assert datetime.fromisoformat(rec["retain_until"]) >= now + timedelta(days=365)
    r = await vw.client.delete(
        f"/v1/recordings/{rec['recording_id']}?reason=cleanup", headers=hdr(vw.w.admin)
    )
    assert r.status == 403
    assert_error(await r.json(), "retention_locked")
    # The daily purge job, run "now", leaves it too.
    purged = await vw.client.server.app[JOBS].purge(now + timedelta(minutes=1))
    assert rec["recording_id"] not in json.dumps(purged, default=str)
    r = await vw.client.get(f"/v1/recordings/{rec['recording_id']}", headers=hdr(vw.security))
    assert (await r.json())["status"] != "purged"


async def test_an_admin_corrects_a_wrong_outcome_and_the_old_value_is_kept(vw: VaultWorld) -> None:
    att = await vw.attempt()
    r = await vw.client.post(
        f"/v1/attempts/{att}/outcome", json={"result": "connected"}, headers=hdr(vw.w.dialer)
    )
    assert r.status == 200
    r = await vw.client.post(
        f"/v1/attempts/{att}/outcome", json={"result": "no_answer"}, headers=hdr(vw.w.dialer)
    )
    assert r.status == 409
    fix = {"result": "no_answer", "spoke_with": "none", "reason": "dialer misreported a ring-out"}
    r = await vw.client.put(f"/v1/attempts/{att}/outcome", json=fix, headers=hdr(vw.w.dialer))
    assert r.status == 403
    r = await vw.client.put(f"/v1/attempts/{att}/outcome", json=fix, headers=hdr(vw.w.admin))
    assert r.status == 200, await r.text()
    out = await r.json()
    assert out["outcome"]["result"] == "no_answer"
    assert out["corrections"][0]["old_result"] == "connected"
    assert out["corrections"][0]["reason"] == fix["reason"]
    r = await vw.client.get("/v1/audit/access-log?action=attempt.outcome.correct", headers=hdr(vw.security))
    rows = (await r.json())["entries"]
    assert [e["reason"] for e in rows] == ["dialer misreported a ring-out"]


# --- 2. one bad client never blocks the others --------------------------------------------------


async def test_throttle_behind_a_proxy_is_per_client_and_never_blocks_valid_keys(vw: VaultWorld) -> None:
    bad = {"Authorization": "Bearer cw_bad_" + "x" * 43}
    mallory = {**bad, "X-Forwarded-For": "203.0.113.66"}
    statuses = [(await vw.client.get("/v1/cases/c1", headers=mallory)).status for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    # Another client behind the same proxy (same peer address) is not throttled ...
    r = await vw.client.get("/v1/cases/c1", headers={**bad, "X-Forwarded-For": "198.51.100.7"})
    assert r.status == 401
    # ... and a valid key from the throttled address itself still works.
    r = await vw.client.get("/v1/cases/c1", headers={**hdr(vw.w.dialer), "X-Forwarded-For": "203.0.113.66"})
    assert r.status == 200
    r = await vw.client.post(
        "/v1/authorize",
        json={"case_id": "c1", "to": DEBTOR_NUMBER, "channel": "call"},
        headers={**hdr(vw.w.dialer), "X-Forwarded-For": "203.0.113.66"},
    )
    assert r.status == 200


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param("ünïcödé-sëcret", id="non-ascii"),
        pytest.param("x" * 5000, id="huge"),
        pytest.param("", id="empty"),
    ],
)
async def test_a_real_key_id_with_a_malformed_secret_is_401(vw: VaultWorld, secret: str) -> None:
    key_id = vw.w.dialer.split("_")[1]
    header = f"Bearer cw_{key_id}_{secret}".encode()
    r = await vw.client.get("/v1/cases/c1", headers={"Authorization": header.decode("latin-1")})
    assert r.status == 401
    assert_error(await r.json(), "unauthenticated")


# --- 3. the spool never follows a symlink ---------------------------------------------------------


def watcher(vw: VaultWorld) -> SpoolWatcher:
    spool = vw.client.server.app[JOBS].spool
    assert spool is not None
    return spool


async def test_a_symlinked_reason_file_does_not_overwrite_its_target(vw: VaultWorld, tmp_path: Path) -> None:
    victim = tmp_path / "master.key.copy"
    victim.write_bytes(b"precious")
    spool = watcher(vw).dir
    (spool / "rejected").mkdir(exist_ok=True)
    name = "not an attempt.wav"
    os.symlink(victim, spool / "rejected" / f"{name}.reason.json")
    (spool / name).write_bytes(b"RIFF")
    w = watcher(vw)
    await w.scan(0.0)
    results = await w.scan(10.0)
    assert [r["result"] for r in results] == ["rejected"]
    assert victim.read_bytes() == b"precious"
    written = [
        p for p in (spool / "rejected").iterdir() if p.name.endswith(".reason.json") and not p.is_symlink()
    ]
    assert len(written) == 1
    assert json.loads(written[0].read_text())["reason"] == "no_attempt"


async def test_a_symlinked_done_folder_is_refused_at_start(vw: VaultWorld, tmp_path: Path) -> None:
    target = tmp_path / "recordings-elsewhere"
    target.mkdir()
    old = target / "2020-evidence.wav"
    old.write_bytes(b"RIFF")
    then = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    os.utime(old, (then, then))
    spool = tmp_path / "spool2"
    spool.mkdir()
    os.symlink(target, spool / "done")
    with pytest.raises(SetupError, match="symbolic link"):
        SpoolWatcher(vw.client.server.app[JOBS].vault, spool)
    assert old.exists()


async def test_a_name_the_filesystem_refuses_does_not_stop_the_spool(vw: VaultWorld) -> None:
    att = await vw.attempt()
    spool = watcher(vw).dir
    long_name = "x" * 250 + ".wav"  # 254 bytes: fits the folder, not "<name>.reason.json"
    (spool / long_name).write_bytes(b"RIFF")
    (spool / f"{att}.wav").write_bytes(AUDIO)
    w = watcher(vw)
    await w.scan(0.0)
    results = await w.scan(10.0)
    by_file = {r["file"]: r["result"] for r in results}
    assert by_file[f"{att}.wav"] == "ingested"
    assert by_file.get(long_name) == "rejected"
    assert (spool / "done" / f"{att}.wav").exists()


# --- 4. hostile input is a 4xx, never a 500 -------------------------------------------------------


async def test_json_nested_thirty_thousand_deep_is_400(vw: VaultWorld) -> None:
    deep = b"[" * 30_000 + b"]" * 30_000
    body = b'{"case_id": "c1", "to": ' + deep + b"}"
    r = await vw.client.post(
        "/v1/authorize", data=body, headers={**hdr(vw.w.dialer), "Content-Type": "application/json"}
    )
    assert r.status == 400
    assert_error(await r.json(), "invalid_json")


async def test_a_timestamp_past_year_9999_in_utc_is_400_everywhere(vw: VaultWorld) -> None:
    att = await vw.attempt()
    r = await vw.client.post(
        f"/v1/attempts/{att}/outcome",
        json={"result": "connected", "started_at": HOSTILE_TS},
        headers=hdr(vw.w.dialer),
    )
    assert r.status == 400
    assert_error(await r.json(), "invalid_field", "started_at")
    for query in (f"from={HOSTILE_TS}", f"to={HOSTILE_TS}"):
        r = await vw.client.get(
            "/v1/recordings", params=dict([query.split("=", 1)]), headers=hdr(vw.security)
        )
        assert r.status == 400, query
    r = await vw.client.get(
        "/v1/recordings", params={"cursor": HOSTILE_TS + "|rec_x"}, headers=hdr(vw.security)
    )
    assert r.status == 400
    r = await vw.client.post(
        "/v1/complaints",
        json={"case_id": "c1", "received_at": HOSTILE_TS, "channel": "call", "summary": "rude agent"},
        headers=hdr(vw.w.admin),
    )
    assert r.status == 400
    assert_error(await r.json(), "invalid_field", "received_at")
    r = await vw.client.get("/v1/audit/access-log", params={"from": HOSTILE_TS}, headers=hdr(vw.security))
    assert r.status == 400


@pytest.mark.parametrize(
    ("path", "params"),
    [
        pytest.param("/v1/audit/access-log", {"after": "9" * 40}, id="after-huge"),
        pytest.param("/v1/audit/access-log", {"after": "-1"}, id="after-negative"),
        pytest.param("/v1/audit/access-log", {"limit": "1e9"}, id="limit-float"),
        pytest.param("/v1/retention/report", {"month": "9999-13"}, id="month-13"),
        pytest.param("/v1/retention/report", {"month": "0000-00"}, id="month-zero"),
        pytest.param("/v1/recordings", {"limit": "99999999999999999999"}, id="limit-huge"),
    ],
)
async def test_hostile_query_values_are_400(vw: VaultWorld, path: str, params: dict[str, str]) -> None:
    r = await vw.client.get(path, params=params, headers=hdr(vw.security))
    assert r.status == 400, await r.text()
    body = await r.json()
    assert body["error"] in {"invalid_field", "invalid_query"}


async def test_the_last_representable_month_is_a_report_not_a_500(vw: VaultWorld) -> None:
    r = await vw.client.get("/v1/retention/report", params={"month": "9999-12"}, headers=hdr(vw.security))
    assert r.status in {200, 400}, await r.text()


@pytest.mark.parametrize(
    "agency",
    [pytest.param(["a1"], id="list"), pytest.param({"id": "a1"}, id="object"), pytest.param(7, id="number")],
)
async def test_a_case_with_a_non_string_agency_is_400_and_not_stored(vw: VaultWorld, agency: Any) -> None:
    body = {"agency_id": agency, "packs": ["test-3-per-day"], "region": "US", "debtor": {"phones": []}}
    r = await vw.client.put("/v1/cases/c77", json=body, headers=hdr(vw.w.admin))
    assert r.status == 400
    assert_error(await r.json(), "invalid_field", "agency_id")
    assert (await vw.client.get("/v1/cases/c77", headers=hdr(vw.w.admin))).status == 404


@pytest.mark.parametrize(
    "case_id",
    [
        pytest.param("c%00x", id="nul"),
        pytest.param("..%2F..%2Fetc", id="dotdot-encoded"),
        pytest.param("a..b", id="dotdot"),
        pytest.param("x" * 5000, id="5kb"),
        pytest.param("c%20d", id="space"),
    ],
)
async def test_hostile_ids_are_refused_and_never_stored(vw: VaultWorld, case_id: str) -> None:
    body = {"agency_id": "a1", "packs": ["test-3-per-day"], "region": "US", "debtor": {"phones": []}}
    r = await vw.client.put(f"/v1/cases/{case_id}", json=body, headers=hdr(vw.w.admin))
    assert 400 <= r.status < 500
    assert r.status != 201
    count = await vw.client.server.app[DB].fetchone("SELECT count(*) AS n FROM cases")
    assert count is not None
    assert count["n"] == 4  # c1..c3 and c9 from the world


async def test_a_busy_database_is_503_not_500(vw: VaultWorld, settings_path: Path) -> None:
    """Another process holds the write lock: an outcome report and an audio read (which must log
    the access) answer 503 `unavailable` rather than failing with a 500 after the busy timeout."""
    att = await vw.attempt()
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    holder = sqlite3.connect(settings_path, isolation_level=None, timeout=1)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = await vw.client.post(
            f"/v1/attempts/{att}/outcome", json={"result": "busy"}, headers=hdr(vw.w.dialer)
        )
        assert r.status == 503
        assert_error(await r.json(), "unavailable")
        r = await vw.client.get(
            f"/v1/recordings/{rec['recording_id']}/audio?reason=audit", headers=hdr(vw.w.inspector)
        )
        assert r.status == 503
        assert_error(await r.json(), "unavailable")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    r = await vw.client.post(f"/v1/attempts/{att}/outcome", json={"result": "busy"}, headers=hdr(vw.w.dialer))
    assert r.status == 200


@pytest.fixture
def settings_path(vw: VaultWorld) -> Path:
    return vw.client.server.app[DB].path  # type: ignore[no-any-return]


# --- 5. no leaks across agencies, reasons and content types checked ------------------------------


async def test_another_agencys_case_answers_exactly_like_a_missing_one(vw: VaultWorld) -> None:
    """a2's dialer asks about a1's case c1 (with the debtor's real number, after a cease) and about a
    case that does not exist: both answers carry only `case_not_assigned`, nothing else differs."""
    r = await vw.client.post(
        "/v1/cases/c1/cease", json={"channel": "call", "number": DEBTOR_NUMBER}, headers=hdr(vw.w.admin)
    )
    assert r.status in {200, 201}, await r.text()
    answers = []
    for case_id, to in (("c1", DEBTOR_NUMBER), ("c1", OTHER_NUMBER), ("nope", DEBTOR_NUMBER)):
        r = await vw.client.post(
            "/v1/authorize",
            json={"case_id": case_id, "to": to, "channel": "call"},
            headers=hdr(vw.w.other_dialer),
        )
        assert r.status == 200
        answers.append(await r.json())
    for out in answers:
        assert out["allowed"] is False
        assert [x["code"] for x in out["reasons"]] == ["case_not_assigned"]
        assert out["attempt_id"] is None

    def shape(out: dict[str, Any], case_id: str) -> str:
        trimmed = {k: v for k, v in out.items() if k not in {"decision_id", "evaluated_at", "local_time"}}
        return json.dumps(trimmed, sort_keys=True).replace(f"case {case_id} ", "case <id> ")

    assert shape(answers[0], "c1") == shape(answers[1], "c1") == shape(answers[2], "nope")
    text = json.dumps(answers[0])
    for leak in ("America/", "ceased", "test-3-per-day", DEBTOR_NUMBER[2:]):
        assert leak not in text


@pytest.mark.parametrize(
    "reason",
    [
        pytest.param("%00", id="nul"),
        pytest.param("%00%00%00%00", id="nuls"),
        pytest.param("ab", id="short"),
        pytest.param("x" * 501, id="long"),
        pytest.param("%0A%0A%0A", id="newlines"),
    ],
)
async def test_unprintable_or_odd_length_reasons_are_refused_and_logged(vw: VaultWorld, reason: str) -> None:
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    rid = rec["recording_id"]
    r = await vw.client.get(f"/v1/recordings/{rid}/audio?reason={reason}", headers=hdr(vw.w.inspector))
    assert r.status == 400
    body = await r.json()
    assert body["error"] in {"invalid_field", "missing_field"}  # blank after trimming = not given
    assert body["details"]["field"] == "reason"
    r = await vw.client.get(
        f"/v1/audit/access-log?object={rid}&action=recording.audio", headers=hdr(vw.security)
    )
    rows = (await r.json())["entries"]
    assert len(rows) == 1  # the refusal is in the access log ...
    assert rows[0]["result"] in {"invalid", "denied"}  # ... and not as a read


async def test_an_upload_declared_html_is_never_served_as_html(vw: VaultWorld) -> None:
    page = b"<html><script>alert(document.cookie)</script></html>"
    status, rec = await vw.upload(await vw.attempt(), page, ctype="text/html")
    assert status in {201, 415}, rec
    if status == 415:
        return  # refused outright is also safe; nothing stored to serve
    r = await vw.client.get(
        f"/v1/recordings/{rec['recording_id']}/audio?reason=audit", headers=hdr(vw.w.inspector)
    )
    assert r.status == 200
    assert r.headers["Content-Type"].split(";")[0] == "application/octet-stream"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].startswith("attachment")


async def test_truncating_the_newest_access_log_rows_is_caught_by_the_anchor(vw: VaultWorld) -> None:
    for _ in range(3):
        await vw.client.get("/v1/audit/access-log", headers=hdr(vw.security))
    app = vw.client.server.app
    line = await write_anchor(app[DB], anchor_path(app[JOBS].settings), datetime.now(UTC))
    assert line is not None
    conn = sqlite3.connect(app[DB].path, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER IF EXISTS access_log_no_delete")
        conn.execute("DELETE FROM access_log WHERE seq > ?", (line["seq"] - 2,))
        conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'access_log'", (line["seq"] - 2,))
    finally:
        conn.close()
    r = await vw.client.get("/v1/audit/verify", headers=hdr(vw.security))
    result = await r.json()
    assert result["ok"] is False
    assert result["anchors"]["first_bad"]["problem"] == "anchor_missing_row"


async def test_cases_import_is_not_a_case_and_search_text_is_bounded(vw: VaultWorld) -> None:
    """Found by the contract fuzz: /v1/cases/import answered 405 advertising GET and PUT (taken
    for a case id), and an over-long `q` was cut silently instead of refused."""
    r = await vw.client.delete("/v1/cases/import", headers=hdr(vw.w.admin))
    assert r.status == 405
    assert r.headers["Allow"] == "POST"
    r = await vw.client.get("/v1/cases", params={"q": "0" * 101}, headers=hdr(vw.w.admin))
    assert r.status == 400
    assert_error(await r.json(), "invalid_field", "q")
    r = await vw.client.get("/v1/cases", params={"q": "0" * 100}, headers=hdr(vw.w.admin))
    assert r.status == 200
