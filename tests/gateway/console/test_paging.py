"""The console reads long lists one page at a time, over HTTP on loopback with a page of 10 rows:
the queue walked by its "next" links; a long transcript walked forwards and backwards (each page
bounded, every segment once, each page view logged once with its reason); a flag whose phrase is
on a later page links to that page; a recording's flags paged, and a queue link opening the page
its flag is on; foreign cursors refused with a 400 page."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from gateway.web.app import create_app
from gateway.web.keys import DB
from storage.audit import AccessFilters, list_access
from storage.db import connect_sync
from storage.transcript_pages import encode_position
from storage.transcripts import merge_flags_sync
from tests.gateway.console.world import (
    Keys,
    lexicon_flag,
    long_transcript,
    populate,
    sign_in,
    silent_wav,
    store_transcript,
    upload_recording,
)
from tests.gateway.helpers import hdr
from tests.gateway.vault_world import vault_settings

PAGE = 10
SEGMENTS = 47  # four full pages and a short one
REASON = "QA paging review"
RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@pytest.fixture
async def world(aiohttp_client: Any, data_dir: Path, make_key: Any) -> tuple[TestClient, Keys]:  # type: ignore[type-arg]
    client = await aiohttp_client(
        create_app(vault_settings(data_dir, **{"console.page_size": PAGE, "console.transcript_page": PAGE}))
    )
    return client, await populate(client, make_key)


def segments_of(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<p class="seg [^"]*" data-idx="(\d+)"', page)]


def link(page: str, rel: str, cls: str = "tmore") -> str | None:
    m = re.search(rf'<a rel="{rel}" class="{cls}" href="([^"]+)"', page)
    return html.unescape(m.group(1)) if m else None


def flags_link(page: str) -> str | None:
    """The flags list's "more" link (the transcript's carry class="tmore")."""
    m = re.search(r'<p class="pager"><a[^>]*>[^<]*</a> · <a rel="next" href="([^"]+)"', page) or re.search(
        r'<p class="pager"><a rel="next" href="([^"]+)"', page
    )
    return html.unescape(m.group(1)) if m else None


def queue_rows(page: str) -> list[str]:
    return re.findall(r'<tr class="sev-[a-z]+" data-flag="([^"]+)"', page)


def queue_next(page: str) -> str | None:
    m = re.search(r'<p class="pager"><a rel="next" href="([^"]+)"', page)
    return html.unescape(m.group(1)) if m else None


def flag_rows(page: str) -> list[str]:
    return re.findall(r'<tr id="flag-([^"]+)"', page)


async def reads(client: TestClient, rid: str) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    app = client.app
    assert app is not None
    return await list_access(app[DB], AccessFilters(action="transcript.read", object_id=rid), limit=1000)


async def flag_ids(client: TestClient, keys: Keys, rid: str) -> dict[int, str]:  # type: ignore[type-arg]
    """The recording's flags by the segment they are on (from the API)."""
    r = await client.get("/v1/flags", params={"recording_id": rid}, headers=hdr(keys.inspector))
    return {int(f["start"] // 2): f["flag_id"] for f in (await r.json())["flags"]}


async def open_with_reason(client: TestClient, csrf: str, rid: str, query: str = "") -> str:  # type: ignore[type-arg]
    r = await client.post(f"/console/recordings/{rid}{query}", data={"csrf": csrf, "reason": REASON})
    assert r.status == 200, await r.text()
    return await r.text()


async def test_a_long_transcript_is_read_a_page_at_a_time_each_view_logged_once(
    world: tuple[TestClient, Keys],  # type: ignore[type-arg]
) -> None:
    client, keys = world
    rid = await upload_recording(client, keys, silent_wav(1))
    await store_transcript(client, long_transcript(rid, SEGMENTS, flagged=(4, 36)))
    csrf = await sign_in(client, keys.inspector)

    # Forwards, by the "more" links: bounded pages, in order, every segment once.
    page = await open_with_reason(client, csrf, rid)
    second = link(page, "next")
    assert second is not None
    pages = [segments_of(page)]
    views = 1
    while (more := link(page, "next")) is not None:
        assert "reason=QA+paging+review" in more
        r = await client.get(more)
        assert r.status == 200
        page = await r.text()
        views += 1
        pages.append(segments_of(page))
    assert all(0 < len(p) <= PAGE for p in pages), [len(p) for p in pages]
    assert [i for p in pages for i in p] == list(range(SEGMENTS))
    assert len(pages) == 5

    # Backwards from the last page, by the "earlier" links: the same pages, nothing lost or doubled.
    back_pages = [segments_of(page)]
    while (earlier := link(page, "prev")) is not None:
        r = await client.get(earlier)
        assert r.status == 200
        page = await r.text()
        views += 1
        back_pages.append(segments_of(page))
    assert all(0 < len(p) <= PAGE for p in back_pages)
    assert [i for p in reversed(back_pages) for i in p] == list(range(SEGMENTS))

    # The script's request for a page answers only the transcript's part, and is a view too.
    r = await client.get(f"{second}&part=rows")
    assert r.status == 200
    part = await r.text()
    views += 1
    assert "<html" not in part
    assert "<audio" not in part
    assert segments_of(part) == list(range(PAGE, 2 * PAGE))

    # One `transcript.read` per page view, each with the reason and the segments it showed.
    logged = await reads(client, rid)
    assert len(logged) == views
    assert {e["reason"] for e in logged} == {REASON}
    assert {e["result"] for e in logged} == {"ok"}
    assert logged[0]["details"]["page"] == {}
    assert logged[1]["details"]["page"] == {"after": PAGE - 1}
    assert logged[-1]["details"]["page"] == {"after": PAGE - 1}


async def test_a_flag_whose_phrase_is_on_a_later_page_links_to_that_page(
    world: tuple[TestClient, Keys],  # type: ignore[type-arg]
) -> None:
    client, keys = world
    rid = await upload_recording(client, keys, silent_wav(1))
    await store_transcript(client, long_transcript(rid, SEGMENTS, flagged=(4, 36)))
    ids = await flag_ids(client, keys, rid)
    early, late = ids[4], ids[36]
    csrf = await sign_in(client, keys.inspector)

    first = await open_with_reason(client, csrf, rid)
    # The early flag's phrase is on this page: its link jumps to it.
    assert f'href="#w-{early}"' in first
    assert f'<mark id="w-{early}"' in first
    # The late one's is not: its link opens the page it is on, at the phrase.
    assert f'<mark id="w-{late}"' not in first
    m = re.search(rf'<a class="seek" href="([^"#]+)#w-{late}"', first)
    assert m is not None
    r = await client.get(html.unescape(m.group(1)))
    assert r.status == 200
    at_flag = await r.text()
    assert segments_of(at_flag)[0] == 36
    mark = re.search(rf'<mark id="w-{late}"[^>]*data-t="([\d.]+)"[^>]*>(.*?)</mark>', at_flag)
    assert mark is not None
    assert float(mark.group(1)) == pytest.approx(72.4)
    assert re.findall(r">(s\d+w\d+)<", mark.group(2)) == ["s36w1", "s36w2"]
    # Without a script, the audio starts at the flag when played.
    assert re.search(r'<audio id="audio"[^>]*src="[^"]*#t=72\.4"', at_flag)
    # The flags list starts at the flag too; from its first flag (the transcript stays where it
    # is), the early flag's link now opens the page its phrase is on.
    assert flag_rows(at_flag) == [late]
    m = re.search(r'<p class="pager"><a href="([^"]+)">From the first flag</a>', at_flag)
    assert m is not None
    listed = await (await client.get(html.unescape(m.group(1)))).text()
    assert flag_rows(listed) == [early, late]
    assert segments_of(listed)[0] == 36
    early_link = rf'<a class="seek" href="/console/recordings/{rid}/transcript\?[^"]*flag={early}#w-{early}"'
    assert re.search(early_link, listed)
    assert f'href="#w-{late}"' in listed

    # Opened from the queue (`?flag=`), the reason form keeps the flag: the transcript opens there.
    r = await client.get(f"/console/recordings/{rid}?flag={late}")
    assert f"flag={late}" in await r.text()
    opened = await open_with_reason(client, csrf, rid, f"?flag={late}")
    assert segments_of(opened)[0] == 36
    assert f'<mark id="w-{late}"' in opened
    assert (await reads(client, rid))[-1]["details"]["page"] == {"flag": late}


async def test_a_recording_without_transcript_logs_the_read_as_not_ready(
    world: tuple[TestClient, Keys],  # type: ignore[type-arg]
) -> None:
    client, keys = world
    rid = await upload_recording(client, keys, silent_wav(1))
    csrf = await sign_in(client, keys.inspector)
    page = await open_with_reason(client, csrf, rid)
    assert "This recording has no transcript yet." in page
    assert segments_of(page) == []
    r = await client.get(f"/console/recordings/{rid}/transcript?reason=again&part=rows")
    assert "This recording has no transcript yet." in await r.text()
    assert [(e["result"], e["reason"]) for e in await reads(client, rid)] == [
        ("not_ready", REASON),
        ("not_ready", "again"),
    ]


async def test_a_recordings_flags_are_paged_and_a_queue_link_opens_its_flags_page(
    world: tuple[TestClient, Keys],  # type: ignore[type-arg]
) -> None:
    client, keys = world
    rid = await upload_recording(client, keys, silent_wav(1))
    app = client.app
    assert app is not None
    flags = [
        lexicon_flag(i, "insult_profanity", "critical" if i >= 20 else "low", float(i), i + 0.5)
        for i in range(25)
    ]
    now = datetime.now(UTC)
    await app[DB].write(lambda c: merge_flags_sync(c, rid, flags, now, ["en@1"]))
    r = await client.get("/v1/flags", params={"recording_id": rid, "limit": 100}, headers=hdr(keys.inspector))
    listed = sorted((await r.json())["flags"], key=lambda f: (f["start"], f["flag_id"]))
    in_time_order = [f["flag_id"] for f in listed]
    assert len(in_time_order) == 25
    await sign_in(client, keys.inspector)

    r = await client.get(f"/console/recordings/{rid}")
    page = await r.text()
    seen = [flag_rows(page)]
    while (more := flags_link(page)) is not None:
        page = await (await client.get(more)).text()
        seen.append(flag_rows(page))
    assert all(0 < len(p) <= PAGE for p in seen), [len(p) for p in seen]
    assert [f for p in seen for f in p] == in_time_order

    # The queue lists the critical flags first; the first one's link opens the recording's flags
    # page that holds it (it is the 21st in time order, beyond the first page).
    queue = await (await client.get("/console/queue")).text()
    m = re.search(r'<a class="open" href="([^"]+)"', queue)
    assert m is not None
    target = html.unescape(m.group(1))
    flag_id = target.rsplit("#flag-", 1)[1]
    assert flag_id == in_time_order[20]
    page = await (await client.get(target.split("#")[0])).text()
    assert flag_id in flag_rows(page)
    assert len(flag_rows(page)) <= PAGE
    assert "From the first flag" in page


async def test_the_queue_pages_cover_every_flag_once_in_order_under_filters(
    world: tuple[TestClient, Keys],  # type: ignore[type-arg]
) -> None:
    client, keys = world
    app = client.app
    assert app is not None
    severities = ("critical", "high", "medium", "low", "info")
    categories = ("threat_violence", "harassment", "insult_profanity")
    rids = [await upload_recording(client, keys, silent_wav(1) + bytes([n])) for n in range(2)]
    base = datetime.now(UTC)
    for n, rid in enumerate(rids):
        flags = [
            lexicon_flag(i, categories[(i + n) % 3], severities[(i * 7 + n) % 5], float(i), i + 0.5)
            for i in range(23)
        ]
        at = base + timedelta(seconds=n)
        await app[DB].write(
            lambda c, rid=rid, flags=flags, at=at: merge_flags_sync(c, rid, flags, at, ["en@1"])
        )
    r = await client.get("/v1/flags", params={"status": "open", "limit": 500}, headers=hdr(keys.inspector))
    every = (await r.json())["flags"]
    assert len(every) == 46
    await sign_in(client, keys.inspector)

    for query in ("", "?category=harassment", "?severity=high", "?agency_id=a1&category=threat_violence"):
        wanted = [
            f
            for f in every
            if ("category=" not in query or f"category={f['category']}" in query)
            and ("severity=" not in query or f"severity={f['severity']}" in query)
        ]
        in_order = sorted(wanted, key=lambda f: (RANK[f["severity"]], f["created_at"], f["flag_id"]))
        expected = [f["flag_id"] for f in in_order]
        page = await (await client.get(f"/console/queue{query}")).text()
        pages = [queue_rows(page)]
        while (more := queue_next(page)) is not None:
            page = await (await client.get(more)).text()
            pages.append(queue_rows(page))
        assert all(len(p) <= PAGE for p in pages), (query, [len(p) for p in pages])
        assert [f for p in pages for f in p] == expected, query
        # The counts per category are those of the filter (the category filter aside).
        counts = await (await client.get(f"/console/queue/counts{query}")).json()
        without_category = [
            f for f in every if "severity=" not in query or f"severity={f['severity']}" in query
        ]
        assert counts["total"] == len(without_category), query
        for c in categories:
            assert counts["counts"].get(c, 0) == sum(f["category"] == c for f in without_category), (query, c)


async def test_foreign_cursors_and_a_missing_reason_are_refused(
    world: tuple[TestClient, Keys],  # type: ignore[type-arg]
) -> None:
    client, keys = world
    rid = await upload_recording(client, keys, silent_wav(1))
    await store_transcript(client, long_transcript(rid, 12))
    await sign_in(client, keys.inspector)
    for path in (
        f"/console/recordings/{rid}/transcript?reason=audit&after=not-a-cursor",
        f"/console/recordings/{rid}/transcript?reason=audit&before=%25%25",
        f"/console/recordings/{rid}?flags_after=bm9wZQ",
        "/console/queue?cursor=bm9wZQ",
        "/console/queue?cursor=" + encode_position(10**30, "2026-01-01T00:00:00.000000Z", "flg_x"),
        f"/console/recordings/{rid}/transcript?reason=audit&after={encode_position(10**30)}",
        f"/console/recordings/{rid}/transcript?reason=audit&before={encode_position(-1)}",
        f"/console/recordings/{rid}/transcript",  # no reason
        f"/console/recordings/{rid}/transcript?reason=" + "x" * 501,
    ):
        r = await client.get(path)
        assert r.status == 400, path
        assert "<html" in await r.text()
    assert await reads(client, rid) == []


async def test_no_transcript_page_is_sent_unless_its_read_was_logged(
    world: tuple[TestClient, Keys],  # type: ignore[type-arg]
) -> None:
    # Another process holds the database's write lock past the busy timeout: the access-log row
    # cannot be written, so the page (read and rendered meanwhile) is not sent.
    client, keys = world
    rid = await upload_recording(client, keys, silent_wav(1))
    await store_transcript(client, long_transcript(rid, 12))
    csrf = await sign_in(client, keys.inspector)
    app = client.app
    assert app is not None
    other = connect_sync(app[DB].path)
    other.execute("BEGIN IMMEDIATE")
    try:
        r = await client.post(f"/console/recordings/{rid}", data={"csrf": csrf, "reason": REASON})
        text = await r.text()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert r.status == 503
    assert segments_of(text) == []
    assert "s0w1" not in text
    assert await reads(client, rid) == []
    # Once the lock is gone the same request reads, logs and shows.
    page = await open_with_reason(client, csrf, rid)
    assert segments_of(page) == list(range(PAGE))
    assert len(await reads(client, rid)) == 1


async def test_a_flag_carries_the_citation_of_its_lexicon_rule(
    world: tuple[TestClient, Keys],  # type: ignore[type-arg]
) -> None:
    """A flag raised by a bundled lexicon entry names the provision the entry cites, in the API
    and on the recording's page; a rule no bundled entry has (a model-only flag, an older id)
    has none."""
    client, keys = world
    rid = await upload_recording(client, keys, silent_wav(1))
    app = client.app
    assert app is not None
    cited = {**lexicon_flag(0, "threat_violence", "high", 1.0, 2.0), "rule": "en/threat_violence/break-bones"}
    model = {**lexicon_flag(1, "harassment", "medium", 3.0, 4.0), "rule": "model/harassment"}
    now = datetime.now(UTC)
    await app[DB].write(lambda c: merge_flags_sync(c, rid, [cited, model], now, ["en@1"]))
    r = await client.get("/v1/flags", params={"recording_id": rid}, headers=hdr(keys.inspector))
    by_rule = {f["rule"]: f["citation"] for f in (await r.json())["flags"]}
    assert by_rule == {
        "en/threat_violence/break-bones": "15 U.S.C. 1692d(1); 12 CFR 1006.14(c)",
        "model/harassment": None,
    }
    await sign_in(client, keys.inspector)
    page = await (await client.get(f"/console/recordings/{rid}")).text()
    assert "15 U.S.C. 1692d(1); 12 CFR 1006.14(c)" in html.unescape(page)
