"""Inspector pages: the flag queue, a recording (metadata, packs, audio, transcript with the
flagged phrases highlighted), and the review form.

The audio and the transcript need a reason, asked once per page: the recording page posts it,
the transcript is rendered with it (logged as `transcript.read`), and the audio element streams
from `/console/recordings/{id}/audio?reason=...` — the API's own Range handler, with the session's
key as the principal, so every range read is logged with the reason like an API read.

A recording page shows one page of its flags (`console.page_size`) and one page of its transcript
(`console.transcript_page` segments), never the whole call: "more" links page on
(`/console/recordings/{id}/transcript?reason=&after=`, each page view logged once with its
reason), a flag's link opens the page its phrase is on, and the script loads the next page in
place when it can (`part=rows`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, date, datetime
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web
from markupsafe import Markup

from gateway.logs import mask_number
from gateway.web import keys as appkeys
from gateway.web.access import actor_of, log_access
from gateway.web.auth import principal
from gateway.web.bodies import json_response
from gateway.web.console.i18n import Translator
from gateway.web.console.keys import LANG_KEY
from gateway.web.console.render import render
from gateway.web.console.views.common import field, need, redirect, required_reason, safe_next
from gateway.web.routes import recordings as api_recordings
from gateway.web.routes.review import CATEGORIES, MAX_NOTE, SEVERITIES
from policies.errors import CallwardenError, InputError
from policies.parse import parse_date
from storage.audit import Access
from storage.cases import case_packs
from storage.db import NotFound
from storage.keys import REVIEWERS
from storage.recordings import get_recording, recording_to_json
from storage.retention import hold_history
from storage.review_queue import QueueFilters, decode_cursor, queue_counts, queue_page
from storage.transcript_pages import (
    FlagsPage,
    TranscriptPage,
    decode_position,
    encode_position,
    flags_between,
    has_transcript,
    recording_flags_page,
    transcript_page,
)
from storage.transcription_jobs import get_job
from storage.transcripts import DISPOSITIONS, FLAG_STATUSES, get_flag, review_flag

__all__ = ["SOURCES", "routes", "transcript_rows"]

routes = web.RouteTableDef()

SOURCES = ("lexicon", "privacy", "disclosure")
READERS = REVIEWERS


def _choice(raw: str | None, allowed: tuple[str, ...]) -> str | None:
    return raw if raw in allowed else None


def _day(raw: str | None, name: str) -> date | None:
    # parse_date bounds the year: `to=9999-12-31` overflowed the day after it (a 500; a probe).
    return parse_date(raw, name) if raw else None


def _filters(request: web.Request) -> QueueFilters:
    q = request.query
    return QueueFilters(
        status=_choice(q.get("status"), FLAG_STATUSES) or "open",
        agency_id=q.get("agency_id") or None,
        category=_choice(q.get("category"), CATEGORIES),
        severity=_choice(q.get("severity"), SEVERITIES),
        source=_choice(q.get("source"), SOURCES),
        day_from=_day(q.get("from"), "from"),
        day_to=_day(q.get("to"), "to"),
    )


def _queue_rows(request: web.Request, flags: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The queue's rows as the text of their cells: labels, times and the link made here, once
    per row, so the template only places them (each template expression per cell of 50 rows
    was a measurable part of the page's time; bench/console.py)."""
    t = Translator(request.get(LANG_KEY, "en"))
    sev, cat, spk, st = (t.group(p) for p in ("severity", "category", "speaker", "status"))
    back = quote(request.path_qs, safe="")
    now = datetime.now(UTC)
    rows = []
    for f in flags:
        hours = round((now - datetime.fromisoformat(f["created_at"])).total_seconds() / 3600, 1)
        fid = quote(f["flag_id"])
        rows.append(
            {
                "flag_id": f["flag_id"],
                "severity": f["severity"],
                "severity_label": sev[f["severity"]],
                "category": cat[f["category"]],
                "agency_id": f["agency_id"],
                "case_id": f["case_id"],
                "speaker": spk[f["speaker"]],
                "at": f"{f['start']:.1f} s",
                "age": t("queue.hours", h=hours),
                "status": st[f["status"]],
                "href": f"/console/recordings/{quote(f['recording_id'])}?back={back}&flag={fid}#flag-{fid}",
            }
        )
    return rows


@routes.get("/console/queue")
async def queue(request: web.Request) -> web.Response:
    session = need(request, "inspector")
    filters = _filters(request)
    raw_cursor = request.query.get("cursor")
    cursor = decode_cursor(raw_cursor) if raw_cursor else None
    if raw_cursor and cursor is None:
        raise InputError("cursor", "cursor: not a cursor from a previous page")
    db = request.app[appkeys.DB]
    size = int(request.app[appkeys.SETTINGS]["console.page_size"])
    # Both reads queued at once on the reader's thread, the page first: its rows are made ready
    # here while SQLite counts (without the GIL) on that thread.
    counting = asyncio.ensure_future(queue_counts(db, filters, CATEGORIES, session.agency_id))
    try:
        page = await queue_page(db, filters, session.agency_id, cursor, size)
        rows = _queue_rows(request, page.flags)
    finally:
        counts = await counting
    base = {k: v for k, v in request.query.items() if k not in ("cursor", "lang", "done")}
    return await render(
        request,
        "queue.html",
        {
            "filters": filters,
            "query": base,
            "rows": rows,
            "next_cursor": page.next_cursor,
            "counts": counts,
            "total": sum(counts.values()),
            "categories": CATEGORIES,
            "severities": SEVERITIES,
            "sources": SOURCES,
            "statuses": FLAG_STATUSES,
            "done": request.query.get("done"),
        },
    )


@routes.get("/console/queue/counts")
async def queue_counts_json(request: web.Request) -> web.Response:
    """The queue's counts per category (the page refreshes them without reloading)."""
    session = need(request, "inspector")
    counts = await queue_counts(request.app[appkeys.DB], _filters(request), CATEGORIES, session.agency_id)
    return json_response({"counts": counts, "total": sum(counts.values())})


def _words(words: list[tuple[str, float]]) -> str:
    return "".join([f'<span class="w" data-t="{start}">{escape(w)}</span> ' for w, start in words])


def _row(idx: int, seg: dict[str, Any], flags: list[str], html: str) -> dict[str, Any]:
    return {
        "idx": idx,
        "speaker": seg.get("speaker", ""),
        "channel": seg["channel"],
        "start": round(float(seg["start"]), 2),
        "end": round(float(seg["end"]), 2),
        "flags": flags,
        "html": Markup(html),  # noqa: S704 - built from escaped values only
    }


def transcript_rows(
    segments: list[tuple[int, dict[str, Any]]], flags: list[dict[str, Any]], category: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Segments as rows, each word a clickable span; the words inside a flag's span on its channel
    are grouped into one highlighted phrase (`mark#w-<flag id>`) that carries the flag's start.

    The words' markup is built here, escaped, rather than by a template loop: a page has hundreds
    of words, and Jinja's cost per loop iteration was most of the page's time (bench/console.py).
    `category`: the category labels in the reader's language (the phrase's tooltip)."""
    marked = [f for f in flags if f["source"] != "disclosure"]
    rows = []
    for idx, seg in segments:
        words = seg.get("words") or [{"w": seg.get("text", ""), "start": seg["start"], "end": seg["end"]}]
        on_channel = [f for f in marked if f["channel"] in (seg["channel"], "mono")]
        tokens: list[tuple[dict[str, Any] | None, list[tuple[str, float]]]] = []
        if not on_channel:  # most segments: no flag to look for, the words straight to markup
            rows.append(
                _row(
                    idx, seg, [], _words([(str(w["w"]).strip(), round(float(w["start"]), 2)) for w in words])
                )
            )
            continue
        for w in words:
            w_start, w_end = float(w["start"]), float(w["end"])
            hit = next(
                (f for f in on_channel if w_start < float(f["end"]) and w_end > float(f["start"])), None
            )
            word = (str(w["w"]).strip(), round(w_start, 2))
            if tokens and hit is not None and tokens[-1][0] is hit:
                tokens[-1][1].append(word)
            else:
                tokens.append((hit, [word]))
        html = []
        for flag, group in tokens:
            if flag is None:
                html.append(_words(group))
            else:
                html.append(
                    f'<mark id="w-{escape(flag["flag_id"])}" class="flagged sev-{escape(flag["severity"])}"'
                    f' data-t="{float(flag["start"])}" title="{escape(category[flag["category"]])}">'
                    f"{_words(group)}</mark> "
                )
        rows.append(_row(idx, seg, [f["flag_id"] for f, _ in tokens if f is not None], "".join(html)))
    return rows


def _position(raw: str | None, kinds: tuple[type, ...], name: str) -> tuple[Any, ...] | None:
    if not raw:
        return None
    position = decode_position(raw, kinds)
    if position is None:
        raise InputError(name, f"{name}: not a cursor from a previous page")
    return position


def _reason_of_query(request: web.Request) -> str:
    return required_reason(request.query.get("reason"), "to listen or read")


class _Links:
    """The recording page's links: each keeps the reason (a transcript page needs it), the way
    back to the queue, and the other list's position."""

    def __init__(self, rid: str, reason: str | None, back: str) -> None:
        self.rid, self.reason, self.back = rid, reason, back

    def page(self, **query: str | None) -> str:
        base = {"reason": self.reason, "back": self.back} if self.reason is not None else {"back": self.back}
        clean = {k: v for k, v in {**base, **query}.items() if v is not None}
        path = f"/console/recordings/{self.rid}" + ("/transcript" if self.reason is not None else "")
        return f"{path}?{urlencode(clean)}"


async def _anchor(request: web.Request, rid: str, scope: str | None) -> dict[str, Any] | None:
    """The flag a link opened the page at (`?flag=`): a current flag of this recording, else None
    (a link to a superseded flag opens the page at its start)."""
    flag_id = request.query.get("flag")
    if not flag_id:
        return None
    try:
        flag = await get_flag(request.app[appkeys.DB], flag_id, scope)
    except NotFound:
        return None
    return flag if flag["recording_id"] == rid and flag["active"] else None


async def _packs(request: web.Request, case_id: str) -> list[dict[str, Any]]:
    packs = []
    for name in await case_packs(request.app[appkeys.DB], case_id):
        try:
            # The named pack comes after those it requires.
            pack = (await request.app[appkeys.PACKS].resolve_off_loop([name]))[-1]
            packs.append({"name": name, "version": pack.version, "title": pack.title})
        except CallwardenError:
            packs.append({"name": name, "version": "?", "title": ""})
    return packs


async def _flags(
    request: web.Request, rid: str, anchor: dict[str, Any] | None, with_text: bool, size: int
) -> FlagsPage:
    after = _position(request.query.get("flags_after"), (float, str), "flags_after")
    return await recording_flags_page(
        request.app[appkeys.DB],
        rid,
        after=(float(after[0]), str(after[1])) if after else None,
        at=(float(anchor["start"]), str(anchor["flag_id"])) if anchor and after is None else None,
        with_text=with_text,
        limit=size,
    )


async def _none() -> None:
    return None


def _flag_rows(
    request: web.Request, flags: list[dict[str, Any]], transcript: dict[str, Any] | None, links: _Links
) -> list[dict[str, Any]]:
    """The recording's flags as the text of their cells, made once per row (as the queue's). With
    a transcript, each flag's time links to its phrase: on this page, or the page it is on."""
    t = Translator(request.get(LANG_KEY, "en"))
    sev, cat, spk, st = (t.group(p) for p in ("severity", "category", "speaker", "status"))
    base = links.page() if transcript else ""
    rows = []
    for f in flags:
        fid = f["flag_id"]
        href = None
        if transcript is not None:
            href = f"#w-{fid}" if fid in transcript["on_page"] else f"{base}&flag={quote(fid)}#w-{quote(fid)}"
        rows.append(
            {
                "id": fid,
                "start": f["start"],
                "span": f"{f['start']:.1f}–{f['end']:.1f} s",
                "href": href,
                "severity": f["severity"],
                "severity_label": sev[f["severity"]],
                "category": cat[f["category"]],
                "rule": f["rule"],
                "citation": f.get("citation"),
                "speaker": spk[f["speaker"]],
                "match": f.get("match"),  # absent without a reason
                "status": st[f["status"]],
                "note": f["review"]["note"] if f["review"] else None,
            }
        )
    return rows


async def _recording_page(request: web.Request, reason: str | None, part: bool = False) -> web.Response:
    """The recording page (or, `part`, only its transcript page, for the script that loads the
    next one in place): one page of flags and, with a reason, one page of the transcript.

    The reads a page needs are issued together (they queue on the reader's thread instead of
    waiting for each other's round trip) while its access-log row is written; the page is sent
    only once the row is written: no transcript is shown unless its read was logged."""
    session = need(request, *READERS)
    rid = request.match_info["recording_id"]
    db = request.app[appkeys.DB]
    settings = request.app[appkeys.SETTINGS]
    size = int(settings["console.page_size"])
    who = principal(request)
    after = _position(request.query.get("after"), (int,), "after")
    before = _position(request.query.get("before"), (int,), "before")

    async def read_transcript(anchor: dict[str, Any] | None) -> TranscriptPage | None:
        if reason is None:
            return None
        return await transcript_page(
            db,
            rid,
            after=after[0] if after else None,
            before=before[0] if before else None,
            flag=anchor if after is None and before is None else None,
            limit=int(settings["console.transcript_page"]),
        )

    try:
        row, anchor, stored = await asyncio.gather(
            get_recording(db, rid, session.agency_id),
            _anchor(request, rid, session.agency_id),
            has_transcript(db, rid) if reason is not None else _none(),
        )
    except NotFound:
        await log_access(request, who, "recording.metadata", rid, "not_found", reason)
        raise
    # The access-log row names the page asked for (not what is on it), so it can be written while
    # the page is read and rendered: its fsync was most of the page's time.
    if reason is None:
        logged = log_access(request, who, "recording.metadata", rid, "ok", via="console")
    elif not stored:
        logged = log_access(
            request, who, "transcript.read", rid, "not_ready", reason, object_type="transcript"
        )
    else:
        asked = {"after": after[0] if after else None, "before": before[0] if before else None}
        asked["flag"] = anchor["flag_id"] if anchor and after is None and before is None else None
        logged = log_access(
            request,
            who,
            "transcript.read",
            rid,
            "ok",
            reason,
            object_type="transcript",
            via="console",
            page={k: v for k, v in asked.items() if v is not None},
        )

    async def read() -> tuple[TranscriptPage | None, list[dict[str, Any]]]:
        page = await read_transcript(anchor) if stored else None
        if page is None or not page.segments:
            return page, []
        lo = min(float(seg["start"]) for _, seg in page.segments)
        hi = max(float(seg["end"]) for _, seg in page.segments)
        return page, await flags_between(db, rid, lo, hi)

    rec = recording_to_json(row)

    async def compose(
        page: TranscriptPage | None, flags_on_page: list[dict[str, Any]], meta: list[Any]
    ) -> web.Response:
        holds, job, packs, flags = meta
        back = safe_next(request.query.get("back"), "/console/queue")
        links = _Links(rid, reason, back)
        transcript = None
        if page is not None:
            lang = request.get(LANG_KEY, "en")
            rows = transcript_rows(page.segments, flags_on_page or [], Translator(lang).group("category"))
            transcript = {
                "duration": page.duration,
                "language": page.language,
                "rows": rows,
                "on_page": {fid for r in rows for fid in r["flags"]},
                "at": rows[0]["start"] if rows and page.before is not None else None,
                # Opened at a flag: the audio starts there too (a media fragment: also without script).
                "audio_at": anchor["start"] if anchor and after is None and before is None else None,
                "more": None if page.after is None else encode_position(page.after),
                "earlier": None if page.before is None else encode_position(page.before),
            }
        common = {"rec": rec, "reason": reason, "transcript": transcript, "links": links}
        if part:
            return await render(request, "_transcript.html", common)
        rec["number"] = mask_number(rec["number"])
        # The flags list's links keep the reader on this transcript page.
        here = (
            encode_position(page.segments[0][0] - 1) if page is not None and page.before is not None else None
        )
        return await render(
            request,
            "recording.html",
            {
                **common,
                "holds": holds,
                "job": job,
                "packs": packs,
                "flags": _flag_rows(request, flags.flags, transcript, links),
                "flags_more": None
                if flags.after is None
                else links.page(after=here, flags_after=encode_position(*flags.after)),
                "flags_start": None if flags.first else links.page(after=here),
                "open_action": f"/console/recordings/{rid}?"
                + urlencode({"back": back, **({"flag": anchor["flag_id"]} if anchor else {})}),
                "dispositions": DISPOSITIONS,
                "can_review": session.role == "inspector",
                "back": back,
            },
        )

    # The page is read and rendered while its access-log row is written (the fsync is I/O, the
    # rendering CPU), and sent only once the row is written: no row, no page (fail closed).
    written = asyncio.ensure_future(logged)
    try:
        if part:
            page, flags_on_page = await read()
            response = await compose(page, flags_on_page, [None] * 4)
        else:
            (page, flags_on_page), *meta = await asyncio.gather(
                read(),
                hold_history(db, rid),
                get_job(db, rid),
                _packs(request, rec["case_id"]),
                _flags(request, rid, anchor, reason is not None, size),
            )
            response = await compose(page, flags_on_page, meta)
    except BaseException:
        await asyncio.gather(written, return_exceptions=True)  # the attempt is logged all the same
        raise
    await written
    return response


@routes.get("/console/recordings/{recording_id}")
async def recording(request: web.Request) -> web.Response:
    return await _recording_page(request, None)


@routes.post("/console/recordings/{recording_id}")
async def recording_with_reason(request: web.Request) -> web.Response:
    reason = required_reason(await field(request, "reason"), "to listen or read")
    return await _recording_page(request, reason)


@routes.get("/console/recordings/{recording_id}/transcript")
async def transcript_page_view(request: web.Request) -> web.Response:
    """A page of the transcript with the reason given on the recording page (`?reason=`, as the
    audio's): `after`/`before` page on, `flag` opens at a flag's phrase; `part=rows` answers only
    the transcript's part of the page (for the script that appends it in place)."""
    return await _recording_page(request, _reason_of_query(request), part=request.query.get("part") == "rows")


@routes.get("/console/recordings/{recording_id}/audio")
async def audio(request: web.Request) -> web.StreamResponse:
    need(request, *READERS)
    return await api_recordings.get_audio(request)


@routes.post("/console/flags/{flag_id}/review")
async def review(request: web.Request) -> web.Response:
    session = need(request, "inspector")
    flag_id = request.match_info["flag_id"]
    disposition = await field(request, "disposition")
    note = await field(request, "note")
    if disposition not in DISPOSITIONS:
        raise InputError("disposition", f"disposition: one of {', '.join(DISPOSITIONS)}")
    if len(note) > MAX_NOTE:
        raise InputError("note", f"note: at most {MAX_NOTE} characters")
    db = request.app[appkeys.DB]
    who = principal(request)
    try:
        await get_flag(db, flag_id, session.agency_id)
    except NotFound:
        await log_access(request, who, "flag.review", flag_id, "not_found", object_type="flag")
        raise
    await review_flag(
        db,
        flag_id,
        disposition,
        note,
        Access(actor_of(request, who), "flag.review", "flag", flag_id, "ok", details={"via": "console"}),
        session.agency_id,
        datetime.now(UTC),
    )
    return redirect(safe_next(await field(request, "next"), "/console/queue"), done=flag_id)
