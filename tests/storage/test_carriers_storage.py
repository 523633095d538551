"""Migration 0008: the number → case index kept by triggers, number-scoped SMS ceases made and
lifted by replies, and the facade's records."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from policies.types import Agency
from storage.agencies import put_agency
from storage.backends import open_db
from storage.cases import get_case, load_case_sync, put_case
from storage.db import migrate
from storage.replies import ReplyCase, Verdict, reply_cases, start_by_reply, stop_by_reply
from storage.twilio import cases_for_number
from tests.pg_database import both_backends

DEBTOR = "+12125550123"
SPOUSE = "+12125550177"


def _case(number: str = DEBTOR, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "agency_id": "a1",
        "overdue_days": 30,
        "packs": ["us-regf"],
        "region": "US",
        "debtor": {
            "name": "D",
            "timezone": "America/New_York",
            "phones": [{"number": number, "kind": "mobile"}],
        },
        "contacts": [{"contact_id": "k1", "relation": "spouse", "number": SPOUSE}],
    }
    body.update(extra)
    return body


def test_0008_indexes_the_numbers_of_cases_stored_before_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    migrate(conn, upto=4)
    now = "2026-01-01T00:00:00.000000Z"
    conn.execute(
        "INSERT INTO agencies (agency_id, name, status, created_at, updated_at)"
        " VALUES ('a1', 'A', 'active', :now, :now)",
        {"now": now},
    )
    doc = {
        "packs": ["us-regf"],
        "debtor": {"phones": [{"number": DEBTOR}]},
        "contacts": [{"contact_id": "k1", "number": SPOUSE}],
    }
    conn.execute(
        "INSERT INTO cases (case_id, agency_id, debtor_id, status, region, doc, created_at, updated_at)"
        " VALUES ('c1', 'a1', 'd1', 'active', 'US', :doc, :now, :now)",
        {"doc": json.dumps(doc), "now": now},
    )
    conn.execute(
        "INSERT INTO ceases (case_id, channels, reason, at) VALUES ('c1', '[\"call\"]', 'letter', :now)",
        {"now": now},
    )
    assert "0008_carriers.sql" in migrate(conn)
    rows = conn.execute("SELECT number, party, contact_id FROM case_numbers ORDER BY party").fetchall()
    assert [tuple(r) for r in rows] == [(DEBTOR, "debtor", None), (SPOUSE, "third_party", "k1")]
    cease = conn.execute("SELECT source, number, lifted_at FROM ceases").fetchone()
    assert tuple(cease) == ("api", None, None)
    conn.close()


@both_backends
async def test_case_numbers_follow_case_updates(tmp_path: Path, db_target: str | Path) -> None:
    async with open_db(db_target) as db:
        await put_agency(db, Agency("a1"), "A")
        await put_case(db, "c1", _case())
        await put_case(db, "c2", _case(status="closed"))
        assert [c.case_id for c in await cases_for_number(db, "a1", DEBTOR)] == ["c1"]
        assert [(c.party, c.contact_id) for c in await cases_for_number(db, "a1", SPOUSE)] == [
            ("third_party", "k1")
        ]
        assert await cases_for_number(db, "a2", DEBTOR) == []
        await put_case(db, "c1", _case(number="+12125550100"))
        assert await cases_for_number(db, "a1", DEBTOR) == []
        assert [c.case_id for c in await cases_for_number(db, "a1", "+12125550100")] == ["c1"]


@both_backends
async def test_stop_ceases_sms_to_that_number_and_start_lifts_only_reply_ceases(
    tmp_path: Path, db_target: str | Path
) -> None:
    async with open_db(db_target) as db:
        await put_agency(db, Agency("a1"), "A")
        await put_case(db, "c1", _case())
        cases, how = await reply_cases(db, DEBTOR, "+12125559999")
        assert (cases, how) == ([ReplyCase("c1", "a1", ("us-regf",))], "numbers")

        args = {
            "number": DEBTOR,
            "to_number": "+12125559999",
            "keyword": "STOP",
            "rule": "callwarden/replies",
            "message_sid": "SM1",
        }
        first = await stop_by_reply(db, cases, **args)
        again = await stop_by_reply(db, cases, **args)
        assert (first["result"], first["ceased"]) == ("ceased", ["c1"])
        assert (again["result"], again["ceased"]) == ("already_ceased", [])

        loaded = await db.write(lambda conn: load_case_sync(conn, "c1"))
        assert loaded is not None
        (cease,) = loaded[0].ceases
        assert (cease.number, sorted(cease.channels)) == (DEBTOR, ["sms"])
        # A written cease on calls is never lifted by a text.
        await db.write(
            lambda conn: conn.execute(
                "INSERT INTO ceases (case_id, channels, reason, at)"
                " VALUES ('c1', '[\"call\"]', 'letter', '2026-01-01T00:00:00.000000Z')"
            )
        )

        kept = await start_by_reply(
            db, [Verdict("c1", False, "cn-gbt45251/sms.replies", "no")], **{**args, "keyword": "START"}
        )
        assert kept["result"] == "kept"
        lifted = await start_by_reply(
            db, [Verdict("c1", True, "us-regf/sms.replies", "ok")], **{**args, "keyword": "START"}
        )
        assert (lifted["result"], lifted["lifted"]) == ("lifted", ["c1"])
        loaded = await db.write(lambda conn: load_case_sync(conn, "c1"))
        assert loaded is not None
        assert [(c.number, sorted(c.channels)) for c in loaded[0].ceases] == [(None, ["call"])]

        stored = await get_case(db, "c1")
        assert [c.get("number") for c in stored["ceases"]] == [None]
        log = await db.fetchall("SELECT action, result FROM sms_replies ORDER BY reply_id")
        assert [tuple(r) for r in log] == [
            ("stop", "ceased"),
            ("stop", "already_ceased"),
            ("start", "kept"),
            ("start", "lifted"),
        ]
        audit = await db.fetchall("SELECT action FROM access_log ORDER BY seq")
        assert [r["action"] for r in audit] == ["case.cease", "case.cease_lifted"]
