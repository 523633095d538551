"""Regression tests for what a fourth adversarial probe of the running server found (2026-12-07):
an agency lifting the lender's legal hold, one agency learning of another's objects through its
own access-log rows, a reassigned case showing the agency before's decisions and payments, a
dialer reading the quality team's flags and notes, and lenient amounts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.gateway.helpers import case_body, hdr
from tests.gateway.vault_world import VaultWorld, make_vault_world

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + os.urandom(4000)


@pytest.fixture
async def vw(aiohttp_client: Any, data_dir: Path, make_key: Any) -> VaultWorld:
    return await make_vault_world(aiohttp_client, data_dir, make_key)


async def test_an_agency_bound_key_cannot_lift_the_lenders_legal_hold(vw: VaultWorld, make_key: Any) -> None:
    status, rec = await vw.upload(await vw.attempt(), AUDIO)
    assert status == 201
    hold = f"/v1/recordings/{rec['recording_id']}/legal-hold"
    a1_security = await make_key("security", "a1", "sec-a1")
    r = await vw.client.post(hold, json={"reason": "lender litigation hold L-17"}, headers=hdr(vw.security))
    assert r.status == 200
    r = await vw.client.delete(hold, json={"reason": "agency lifts it"}, headers=hdr(a1_security))
    body = await r.json()
    assert r.status == 403, body
    assert "lender" in body["message"]
    r = await vw.client.get(f"/v1/recordings/{rec['recording_id']}", headers=hdr(vw.security))
    meta = await r.json()
    assert meta["legal_hold"] is True
    assert [h["action"] for h in meta["legal_holds"]] == ["on"]
    log = await (await vw.client.get("/v1/audit/access-log", headers=hdr(vw.security))).json()
    refused = [e for e in log["entries"] if e["action"] == "recording.release"]
    assert [e["result"] for e in refused] == ["denied"], refused
    # The agency's own hold is its own to lift; the lender's key lifts either.
    r = await vw.client.delete(hold, json={"reason": "litigation over"}, headers=hdr(vw.security))
    assert r.status == 200
    r = await vw.client.post(hold, json={"reason": "agency's own dispute"}, headers=hdr(a1_security))
    assert r.status == 200
    r = await vw.client.delete(hold, json={"reason": "dispute settled"}, headers=hdr(a1_security))
    assert r.status == 200, await r.text()
    assert (await r.json())["legal_hold"] is False


async def test_an_agencys_own_log_rows_do_not_tell_another_agencys_id_from_a_missing_one(
    vw: VaultWorld, make_key: Any
) -> None:
    """Found by a probe: the answers were both 404, but the key's own log row said `denied,
    other_agency` for the other agency's recording and `not_found` for a made-up id, and the
    agency's security key reads its keys' rows."""
    _, rec = await vw.upload(await vw.attempt("c9", vw.w.other_dialer), AUDIO, key=vw.w.other_dialer)
    for rid in (rec["recording_id"], "rec_made_up_0000"):
        for path in (f"/v1/recordings/{rid}", f"/v1/recordings/{rid}/audio?reason=abc+def"):
            r = await vw.client.get(path, headers=hdr(vw.a1_inspector))
            assert r.status == 404
    a1_security = await make_key("security", "a1", "sec-a1")
    seen = await (await vw.client.get("/v1/audit/access-log", headers=hdr(a1_security))).json()
    rows = [e for e in seen["entries"] if e["action"].startswith("recording.")]
    shapes = {(e["action"], e["result"], e["reason"], json.dumps(e["details"])) for e in rows}
    assert shapes == {
        ("recording.metadata", "not_found", None, "{}"),
        ("recording.audio", "not_found", "abc def", "{}"),
    }
    assert len(rows) == 4
    # Found by a second probe: a lender-only row written beside the key's left a gap in `seq` (and
    # in the chain) that the agency read as "this id exists elsewhere". The rows it sees are
    # consecutive: the log has no row it cannot see.
    seqs = [e["seq"] for e in seen["entries"]]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
    everything = await (await vw.client.get("/v1/audit/access-log", headers=hdr(vw.security))).json()
    assert not [e for e in everything["entries"] if e["result"] == "denied"]


async def test_a_reassigned_case_shows_the_new_agency_nothing_of_the_agency_before(
    vw: VaultWorld, make_key: Any
) -> None:
    """Found by a probe: after c9 moved from a2 to a1, a1's keys read a2's decisions (its dialer's
    key id, its attempt ids), a2's payments, and learnt from a complaint that a2 had a recording
    and which of a2's attempt ids exist."""
    a2_attempt = await vw.attempt("c9", vw.w.other_dialer)
    status, a2_rec = await vw.upload(a2_attempt, AUDIO, key=vw.w.other_dialer)
    assert status == 201
    r = await vw.client.post(
        "/v1/cases/c9/payments",
        json={"amount": "10.00", "currency": "USD", "paid_on": "2026-01-05"},
        headers=hdr(vw.w.admin),
    )
    assert r.status == 201, await r.text()
    r = await vw.client.put("/v1/cases/c9", json=case_body(agency_id="a1"), headers=hdr(vw.w.admin))
    assert r.status == 200, await r.text()

    for path, field in (("/v1/cases/c9/decisions", "decisions"), ("/v1/cases/c9/payments", "payments")):
        mine = await (await vw.client.get(path, headers=hdr(vw.a1_inspector))).json()
        assert mine[field] == [], (path, mine)
        everything = await (await vw.client.get(path, headers=hdr(vw.w.admin))).json()
        assert len(everything[field]) == 1, (path, everything)  # the lender still reads them

    complaint = {"case_id": "c9", "received_at": "2026-01-02T03:04:05Z", "channel": "call", "summary": "x"}
    answers = []
    for attempt_id in (a2_attempt, "att_made_up_00000000"):
        r = await vw.client.post(
            "/v1/complaints", json={**complaint, "attempt_id": attempt_id}, headers=hdr(vw.a1_inspector)
        )
        body = await r.json()
        answers.append((r.status, body["error"], body["details"].get("kind")))
    assert answers == [(404, "not_found", "attempt")] * 2
    r = await vw.client.post("/v1/complaints", json=complaint, headers=hdr(vw.a1_inspector))
    filed = await r.json()
    assert r.status == 201, filed
    assert filed["holding_recordings"] == 0  # a2's recording is not a1's to count ...
    listed = await (await vw.client.get("/v1/recordings?case_id=c9", headers=hdr(vw.security))).json()
    assert [rec["legal_hold"] for rec in listed["recordings"]] == [True]  # ... but it is held
    # ... and not in a1's own trail, which named a2's recording (a later probe): the lender's log
    # has the hold, by the complaint.
    a1_security = await make_key("security", "a1", "sec-a1-trail")
    trail = await (await vw.client.get("/v1/audit/access-log", headers=hdr(a1_security))).json()
    assert a2_rec["recording_id"] not in json.dumps(trail)
    lender = await (await vw.client.get("/v1/audit/access-log", headers=hdr(vw.security))).json()
    (held,) = [e for e in lender["entries"] if e["action"] == "recording.hold"]
    assert (held["object_id"], held["actor_key_id"]) == (a2_rec["recording_id"], None)
    assert held["details"]["complaint_id"] == filed["complaint_id"]


async def test_a_dialer_reads_its_recordings_without_the_quality_teams_flags(vw: VaultWorld) -> None:
    """Found by a probe: /v1/flags is 403 to dialers, yet a recording's metadata carried its flags
    with the reviewers' notes, and `?flagged=true` listed exactly the flagged calls."""
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    path = f"/v1/recordings/{rec['recording_id']}"
    as_dialer = await (await vw.client.get(path, headers=hdr(vw.w.dialer))).json()
    as_inspector = await (await vw.client.get(path, headers=hdr(vw.w.inspector))).json()
    assert "flags" not in as_dialer
    assert as_inspector["flags"] == []
    for flagged in ("true", "false"):
        r = await vw.client.get("/v1/recordings", params={"flagged": flagged}, headers=hdr(vw.w.dialer))
        assert r.status == 403, await r.text()
        r = await vw.client.get("/v1/recordings", params={"flagged": flagged}, headers=hdr(vw.w.inspector))
        assert r.status == 200
    r = await vw.client.get("/v1/recordings", headers=hdr(vw.w.dialer))
    assert [x["recording_id"] for x in (await r.json())["recordings"]] == [rec["recording_id"]]


async def test_reviewers_see_a_recordings_and_an_attempts_number_masked(vw: VaultWorld) -> None:
    """A speech probe: the case was masked for inspectors and security staff (api.md), its
    recording's metadata, the recordings listing and the attempt named the number in full."""
    attempt = await vw.attempt()
    _, rec = await vw.upload(attempt, AUDIO)
    full = rec["number"]
    assert "*" not in full
    masked = full[:5] + "***" + full[-4:]
    for key, expected in ((vw.w.admin, full), (vw.w.inspector, masked), (vw.security, masked)):
        one = await (await vw.client.get(f"/v1/recordings/{rec['recording_id']}", headers=hdr(key))).json()
        listed = await (await vw.client.get("/v1/recordings", headers=hdr(key))).json()
        att = await (await vw.client.get(f"/v1/attempts/{attempt}", headers=hdr(key))).json()
        assert (one["number"], listed["recordings"][0]["number"], att["to"]) == (expected,) * 3, key


@pytest.mark.parametrize("amount", ["1e5", "1E+9", "1_000", "\u0663", "12.5.0", "-5", "0x10", "NaN"])
async def test_a_payment_amount_is_plain_decimal(vw: VaultWorld, amount: str) -> None:
    """Found by a probe: "1e5" was stored as 100000.00, "1_000" as 1000.00 and an Arabic-Indic
    digit as 3.00: amounts feed the recovery rate and the commission."""
    r = await vw.client.post(
        "/v1/cases/c1/payments",
        json={"amount": amount, "currency": "USD", "paid_on": "2026-01-05"},
        headers=hdr(vw.w.admin),
    )
    assert r.status == 400, await r.text()
    assert (await (await vw.client.get("/v1/cases/c1/payments", headers=hdr(vw.w.admin))).json())[
        "payments"
    ] == []


async def test_plain_amounts_and_days_are_still_read(vw: VaultWorld) -> None:
    for amount, stored in (("12.50", "12.50"), (" 7 ", "7.00"), (3, "3.00")):
        r = await vw.client.post(
            "/v1/cases/c1/payments",
            json={"amount": amount, "currency": "USD", "paid_on": "2026-01-05"},
            headers=hdr(vw.w.admin),
        )
        assert r.status == 201, await r.text()
        assert (await r.json())["amount"] == stored
    r = await vw.client.post(
        "/v1/cases/c1/payments",
        json={"amount": "1", "currency": "USD", "paid_on": "\u0662\u0660\u0662\u0666-01-05"},
        headers=hdr(vw.w.admin),
    )
    assert r.status == 400


# --- a fifth probe (2026-12-07, evening) ---------------------------------------------------------------


async def _metadata(vw: VaultWorld, rid: str) -> Any:
    return await (await vw.client.get(f"/v1/recordings/{rid}", headers=hdr(vw.security))).json()


async def test_lifting_a_hold_that_is_not_there_records_no_change(vw: VaultWorld) -> None:
    """Found by a probe: lifting the hold of a recording never held answered 200 and wrote an `off`
    row into its hold history, a record of a change that never happened."""
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    hold = f"/v1/recordings/{rec['recording_id']}/legal-hold"
    r = await vw.client.delete(hold, json={"reason": "nothing to lift"}, headers=hdr(vw.security))
    assert r.status == 200, await r.text()
    assert (await r.json())["legal_hold"] is False
    meta = await _metadata(vw, rec["recording_id"])
    assert meta["legal_holds"] == []
    log = await (await vw.client.get("/v1/audit/access-log", headers=hdr(vw.security))).json()
    lifts = [e for e in log["entries"] if e["action"] == "recording.release"]
    assert [(e["result"], e["details"]["changed"]) for e in lifts] == [("ok", False)], lifts
    # A real lift is still recorded.
    r = await vw.client.post(hold, json={"reason": "dispute 9"}, headers=hdr(vw.security))
    assert r.status == 200
    r = await vw.client.delete(hold, json={"reason": "dispute 9 closed"}, headers=hdr(vw.security))
    assert r.status == 200
    meta = await _metadata(vw, rec["recording_id"])
    assert [h["action"] for h in meta["legal_holds"]] == ["on", "off"]


async def test_a_reason_in_both_query_and_body_is_refused(vw: VaultWorld) -> None:
    """Found by a probe: the query's reason was kept and the body's dropped, silently."""
    _, rec = await vw.upload(await vw.attempt(), AUDIO)
    r = await vw.client.post(
        f"/v1/recordings/{rec['recording_id']}/legal-hold",
        params={"reason": "query reason"},
        json={"reason": "body reason"},
        headers=hdr(vw.security),
    )
    body = await r.json()
    assert r.status == 400, body
    assert body["details"] == {"field": "reason"}
    meta = await _metadata(vw, rec["recording_id"])
    assert meta["legal_hold"] is False
    assert meta["legal_holds"] == []


@pytest.mark.parametrize("kind", ["cases", "payments"])
async def test_an_import_with_a_field_over_the_csv_limit_is_a_400_that_stores_nothing(
    vw: VaultWorld, kind: str
) -> None:
    """Found by a probe: a CSV field over the csv module's 131,072-character limit was a 500."""
    if kind == "cases":
        head = "case_id,agency_id,region,packs,overdue_days,debtor_name,phones\n"
        ok = "imp-ok,a1,US,test-3-per-day,40,Ann,(212) 555-0782\n"
        big = f"imp-big,a1,US,test-3-per-day,40,{'N' * 140_000},(212) 555-0781\n"
    else:
        head = "case_id,amount,currency,paid_on,reference\n"
        ok = "c1,10.00,USD,2026-11-01,ok-1\n"
        big = f"c1,10.00,USD,2026-11-01,{'R' * 140_000}\n"
    r = await vw.client.post(
        f"/v1/{kind}/import",
        params={"format": "csv"},
        data=(head + ok + big).encode(),
        headers={**hdr(vw.w.admin), "Content-Type": "text/csv"},
    )
    body = await r.json()
    assert r.status == 400, body
    assert "line 3" in body["message"], body
    if kind == "cases":
        assert (await vw.client.get("/v1/cases/imp-ok", headers=hdr(vw.w.admin))).status == 404
    else:
        paid = await (await vw.client.get("/v1/cases/c1/payments", headers=hdr(vw.w.admin))).json()
        assert paid["payments"] == [], paid


@pytest.mark.parametrize("currency", ["XYZ", "BTC", "NAN", "ZZZ", "XTS", "XAU", "usd1"])
async def test_a_payment_or_balance_in_no_real_currency_is_refused(vw: VaultWorld, currency: str) -> None:
    """Found by a probe: "XYZ", "BTC" and "NAN" were stored as currencies and fed the scorecard's
    money figures; the docs say ISO 4217 codes."""
    r = await vw.client.post(
        "/v1/cases/c1/payments",
        json={"amount": "1.00", "currency": currency, "paid_on": "2026-01-05"},
        headers=hdr(vw.w.admin),
    )
    assert r.status == 400, await r.text()
    assert (await r.json())["details"] == {"field": "currency"}
    paid = await (await vw.client.get("/v1/cases/c1/payments", headers=hdr(vw.w.admin))).json()
    assert paid["payments"] == []
    r = await vw.client.put(
        "/v1/cases/c1",
        json={**case_body(), "balance": {"amount": "10", "currency": currency}},
        headers=hdr(vw.w.admin),
    )
    assert r.status == 400, await r.text()


async def test_currencies_keep_their_own_decimals(vw: VaultWorld) -> None:
    for amount, currency, stored in (
        ("12.50", "eur", "12.50"),
        ("5000", "KRW", "5000"),
        ("1.250", "KWD", "1.250"),
    ):
        r = await vw.client.post(
            "/v1/cases/c1/payments",
            json={"amount": amount, "currency": currency, "paid_on": "2026-01-05"},
            headers=hdr(vw.w.admin),
        )
        assert r.status == 201, await r.text()
        assert ((await r.json())["amount"], (await r.json())["currency"]) == (stored, currency.upper())
    r = await vw.client.post(
        "/v1/cases/c1/payments",
        json={"amount": "1.5", "currency": "KRW", "paid_on": "2026-01-05"},
        headers=hdr(vw.w.admin),
    )
    assert r.status == 400
