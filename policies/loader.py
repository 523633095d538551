"""Load policy packs from TOML and validate them into frozen `Pack`s.

Every problem names the file, the key (``caps[1].window``) and what is wrong; unknown keys are
errors, so a typo never silently drops a rule. Bundled packs live in `policies/packs/*.toml` and
are loaded once per process (`load_packs` caches them).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfoNotFoundError

from policies.pack import (
    ALL_CHANNELS,
    AssignmentRule,
    AttorneyHold,
    BankruptcyHold,
    CapRule,
    CoolOffRule,
    DeceasedHold,
    DisputeHold,
    Holds,
    HolidayRule,
    Notes,
    OptOutRule,
    Pack,
    Range,
    RetentionRule,
    SmsContentRule,
    SmsLengthRule,
    SmsRepliesRule,
    SuspensionHold,
    ThirdPartyRule,
    TimezoneRule,
    UnreachableRule,
    WindowRule,
)
from policies.spans import Span
from policies.types import ESTATE_RELATIONS, OUTCOME_RESULTS, RELATIONS, PolicyInputError
from policies.validation import PackError, Table, clock, days
from policies.zones import checked_zone

__all__ = [
    "PackError",
    "UnknownPack",
    "available_packs",
    "expand_requires",
    "load_pack",
    "load_pack_file",
    "load_packs",
    "parse_pack",
]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Number kinds as the API spells them; packs may also say "home" for a landline.
_KIND_ALIASES = {"mobile": "mobile", "landline": "landline", "home": "landline", "work": "work"}


class UnknownPack(PolicyInputError):
    """A pack name that is not bundled (API error code ``unknown_pack``)."""

    def __init__(self, name: str) -> None:
        super().__init__("unknown_pack", "packs", f"unknown policy pack {name!r}")
        self.name = name


def _zone_name(t: Table, name: str) -> str | None:
    value = t.string(name)
    if value is None:
        return None
    try:
        checked_zone(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise t.error(name, f"unknown time zone {value!r}") from None
    return value


def _window(t: Table) -> WindowRule:
    source = t.source()
    ranges = []
    for r in t.tables("ranges"):
        start, end = clock(r, "start"), clock(r, "end")
        if not start < end:
            raise r.error("end", "must be later than start (end is exclusive; use 24:00 for midnight)")
        ranges.append(
            Range(
                days=days(r, "days"),
                start=start,
                end=end,
                kinds=r.subset("kinds", _KIND_ALIASES, _KIND_ALIASES),
                channels=r.subset("channels", ALL_CHANNELS) or ALL_CHANNELS,
            )
        )
        r.done()
    if not ranges:
        raise t.error("ranges", "at least one [[window.ranges]] entry is required")
    t.done()
    return WindowRule(tuple(sorted(ranges, key=lambda r: (r.start, r.end))), source)


def _holidays(t: Table) -> HolidayRule:
    import holidays  # heavy import, only for packs that use it

    source = t.source()
    country = t.string("country", required=True)
    assert country is not None
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise t.error("country", f"{country!r} is not a country the holidays package knows")
    subdiv = t.string("subdiv")
    if subdiv is not None and subdiv not in supported[country]:
        raise t.error("subdiv", f"{subdiv!r} is not a subdivision of {country}")
    channels = t.subset("channels", ALL_CHANNELS) or ALL_CHANNELS
    t.done()
    return HolidayRule(country, subdiv, channels, source)


def _cap(t: Table, ids: set[str]) -> CapRule:
    source = t.source()
    cap_id = t.string("id", required=True)
    assert cap_id is not None
    if not _ID.match(cap_id):
        raise t.error("id", f"{cap_id!r}: use lowercase letters, digits, '-' and '_'")
    if cap_id in ids:
        raise t.error("id", f"duplicate cap id {cap_id!r}")
    ids.add(cap_id)
    scope = t.choice("scope", ("debtor", "debtor_case", "number", "contact"))
    party = t.choice("party", ("debtor", "third_party", "any"), "any")
    if scope == "contact" and party == "debtor":
        raise t.error("party", "a contact-scoped cap counts third-party attempts (party third_party)")
    relations = t.subset("relations", RELATIONS)
    if relations is not None and party == "debtor":
        raise t.error("relations", "limits third-party attempts: the cap's party must be third_party or any")
    cap = CapRule(
        id=cap_id,
        scope=cast(Any, scope),
        channel=cast(Any, t.choice("channel", ("call", "sms", "any"), "any")),
        party=cast(Any, party),
        counts=cast(Any, t.choice("counts", ("attempts", "all", "conversations", "unanswered"), "attempts")),
        max=t.integer("max", minimum=0, required=True),
        window=t.span("window"),
        kinds=t.subset("kinds", _KIND_ALIASES, _KIND_ALIASES),
        source=source,
        relations=relations,
        consent_days=_consent_days(t),
    )
    t.done()
    return cap


def _consent_days(t: Table) -> int | None:
    return t.integer("consent_days", minimum=1) if t.has("consent_days") else None


def _cooloff(t: Table) -> CoolOffRule:
    source = t.source()
    rule = CoolOffRule(
        days=t.integer("days", minimum=1, required=True),
        channels=t.subset("channels", ALL_CHANNELS) or frozenset({"call"}),
        scope=cast(Any, t.choice("scope", ("debtor_case", "debtor"), "debtor_case")),
        source=source,
        inbound=t.boolean("inbound", True),
        consent_days=_consent_days(t),
    )
    t.done()
    return rule


def _third_party(t: Table) -> ThirdPartyRule:
    source = t.source()
    unreachable = None
    u = t.table("unreachable")
    if u is not None:
        unreachable = UnreachableRule(
            min_unanswered=u.integer("min_unanswered", minimum=1, required=True),
            window=u.span("window", allow_ever=False),
            source=u.source(),
            channels=u.subset("channels", ALL_CHANNELS) or frozenset({"call"}),
            results=u.subset("results", [r for r in OUTCOME_RESULTS if r != "connected"])
            or frozenset({"no_answer"}),
        )
        u.done()
    rule = ThirdPartyRule(
        allowed=t.boolean("allowed", True),
        relations=t.subset("relations", RELATIONS) or frozenset(RELATIONS),
        sms=t.boolean("sms", False),
        unreachable=unreachable,
        source=source,
    )
    t.done()
    return rule


def _sms(
    t: Table,
) -> tuple[SmsLengthRule | None, OptOutRule | None, SmsContentRule | None, SmsRepliesRule | None]:
    length = opt_out = content = replies = None
    if (lt := t.table("length")) is not None:
        length = SmsLengthRule(lt.integer("max_chars", minimum=1, required=True), lt.source())
        lt.done()
    if (ot := t.table("opt_out")) is not None:
        phrases = ot.strings("phrases")
        if not phrases:
            raise ot.error("phrases", "is required: a non-empty list of accepted opt-out texts")
        opt_out = OptOutRule(tuple(phrases), ot.source())
        ot.done()
    if (ct := t.table("content")) is not None:
        languages = ct.strings("languages")
        content = SmsContentRule(tuple(languages) if languages else None, ct.source())
        ct.done()
    if (rt := t.table("replies")) is not None:
        replies = SmsRepliesRule(
            tuple(rt.strings("stop") or ()),
            tuple(rt.strings("start") or ()),
            rt.boolean("start_lifts", False),
            rt.source(),
        )
        rt.done()
    t.done()
    return length, opt_out, content, replies


def _holds(t: Table) -> Holds:
    holds: dict[str, Any] = {}
    if (a := t.table("attorney_represented")) is not None:
        holds["attorney_represented"] = AttorneyHold(a.source())
        a.done()
    if (b := t.table("bankruptcy_stay")) is not None:
        holds["bankruptcy_stay"] = BankruptcyHold(b.source(), b.boolean("discharged_only", False))
        b.done()
    if (d := t.table("debtor_deceased")) is not None:
        holds["debtor_deceased"] = DeceasedHold(
            relations=d.subset("relations", RELATIONS) or frozenset(ESTATE_RELATIONS),
            location_contacts=d.boolean("location_contacts", False),
            source=d.source(),
        )
        d.done()
    if (p := t.table("dispute_pending")) is not None:
        calendar = p.string("business_calendar")
        if calendar is not None and calendar != "US":  # "US": 5 U.S.C. 6103(a), built in
            import holidays  # heavy import, only for packs that use another country's calendar

            if calendar not in holidays.list_supported_countries():
                raise p.error(
                    "business_calendar", f"{calendar!r} is not a country the holidays package knows"
                )
        holds["dispute_pending"] = DisputeHold(
            validation_days=p.integer("validation_days", minimum=1, default=30),
            receipt_days=p.integer("receipt_business_days", minimum=0, default=5),
            calendar=calendar,
            late_disputes=p.boolean("late_disputes", True),
            source=p.source(),
        )
        p.done()
    if (c := t.table("collection_suspended")) is not None:
        holds["collection_suspended"] = SuspensionHold(c.source())
        c.done()
    t.done()
    return Holds(**holds)


def _notes(t: Table) -> Notes:
    time_barred = None
    if (tb := t.table("time_barred")) is not None:
        time_barred = tb.source()
        tb.done()
    t.done()
    return Notes(time_barred=time_barred)


def _requires(t: Table, name: str) -> tuple[str, ...]:
    names = t.strings("requires") or []
    for n in names:
        if not _NAME.match(n) or n == name:
            raise t.error("requires", f"{n!r} is not another pack's name")
    return tuple(dict.fromkeys(names))


def _lookbackdays(pack: Pack) -> float:
    reaches = [c.window.reach for c in pack.caps]
    if pack.after_conversation:
        reaches.append(Span("", "local_days", days=pack.after_conversation.days).reach)
    if pack.third_party and pack.third_party.unreachable:
        reaches.append(pack.third_party.unreachable.window.reach)
    return max((r.total_seconds() / 86400 for r in reaches if r is not None), default=0.0)


def parse_pack(doc: Mapping[str, Any], file: str, digest: str = "") -> Pack:
    """Validate a TOML document (already parsed) into a Pack; PackError on any problem.

    `digest` is the SHA-256 of the file's bytes; without it, of the document's canonical JSON.
    """
    if not digest:
        canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    t = Table(file, "", doc)
    name = t.string("name", required=True)
    assert name is not None
    if not _NAME.match(name):
        raise t.error("name", f"{name!r}: use lowercase letters, digits and '-'")
    version = t.get("version")
    if isinstance(version, bool) or not isinstance(version, str | int) or not str(version).strip():
        raise t.error("version", 'is required: a string or integer such as "1" or "2026.1"')
    jurisdiction = t.string("jurisdiction", required=True)
    assert jurisdiction is not None
    timezone = None
    if (tz := t.table("timezone")) is not None:
        timezone = TimezoneRule(
            _zone_name(tz, "fallback"),
            tz.source(),
            cast(Any, tz.choice("candidates", ("number", "case"), "number")),
        )
        tz.done()
    retention = None
    if (rt := t.table("retention")) is not None:
        retention = RetentionRule(rt.integer("days", minimum=0, required=True), rt.source())
        rt.done()
    window = _window(w) if (w := t.table("window")) is not None else None
    hol = _holidays(h) if (h := t.table("holidays")) is not None else None
    ids: set[str] = set()
    caps = tuple(_cap(c, ids) for c in t.tables("caps"))
    cooloff = _cooloff(c) if (c := t.table("after_conversation")) is not None else None
    third = _third_party(tp) if (tp := t.table("third_party")) is not None else None
    sms = _sms(s) if (s := t.table("sms")) is not None else (None, None, None, None)
    assignment = None
    if (a := t.table("assignment")) is not None:
        assignment = AssignmentRule(a.integer("min_overdue_days", minimum=0, required=True), a.source())
        a.done()
    holds = _holds(h) if (h := t.table("holds")) is not None else Holds()
    notes = _notes(n) if (n := t.table("notes")) is not None else Notes()
    requires = _requires(t, name)
    pack = Pack(
        name=name,
        version=str(version).strip(),
        jurisdiction=jurisdiction,
        title=t.string("title", default="") or "",
        description=t.string("description", default="") or "",
        file=file,
        timezone=timezone,
        retention=retention,
        window=window,
        holidays=hol,
        caps=caps,
        after_conversation=cooloff,
        third_party=third,
        sms_length=sms[0],
        sms_opt_out=sms[1],
        sms_content=sms[2],
        sms_replies=sms[3],
        assignment=assignment,
        holds=holds,
        notes=notes,
        requires=requires,
        digest=digest,
    )
    from policies.examples import parse_examples  # examples build cases: parse, not pack, imports

    pack = replace(pack, examples=parse_examples(pack, t.tables("examples")))
    t.done()
    return replace(pack, lookback_days=_lookbackdays(pack))


def load_pack_file(path: str | Path) -> Pack:
    """Read and validate one pack file (PackError names the file, key and problem)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PackError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    return _warm(_parse_bytes(data, str(path)))


def _warm(pack: Pack) -> Pack:
    """Compile the lexicons the pack screens SMS with now (and the lawful-reading matchers and
    citations of `policies.content`), so `evaluate` never reads files.

    A broken lexicon is not the pack's fault: it surfaces when an SMS is evaluated (and the
    caller fails closed), not as a pack error.
    """
    if pack.sms_content is not None:
        with contextlib.suppress(Exception):
            from policies.content import warm_content

            warm_content(pack.sms_content.languages)
    return pack


def _parse_bytes(data: bytes, file: str) -> Pack:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PackError(file, "", "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(file, "", f"not valid TOML: {exc}") from None
    return parse_pack(doc, file, hashlib.sha256(data).hexdigest())


def available_packs() -> list[str]:
    """Names of the bundled packs, sorted."""
    root = resources.files("policies") / "packs"
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


@cache
def load_pack(name: str) -> Pack:
    """One bundled pack by name (cached); UnknownPack when there is none."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise UnknownPack(str(name))
    res = resources.files("policies") / "packs" / f"{name}.toml"
    if not res.is_file():
        raise UnknownPack(name)
    pack = _parse_bytes(res.read_bytes(), f"policies/packs/{name}.toml")
    if pack.name != name:
        raise PackError(pack.file, "name", f"{pack.name!r} does not match the file name {name!r}")
    return _warm(pack)


def load_packs(names: Iterable[str]) -> tuple[Pack, ...]:
    """Bundled packs by name, in the given order without duplicates (cached per name), each
    preceded by the packs it `requires` (us-nyc brings us-regf)."""
    return expand_requires(names, load_pack)


def expand_requires(names: Iterable[str], load: Callable[[str], Pack]) -> tuple[Pack, ...]:
    """`load` each name, with the packs it requires first; a requirement cycle is a PackError."""
    out: list[Pack] = []
    seen: set[str] = set()

    def add(name: str, chain: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in chain:
            raise PackError(f"{name}.toml", "requires", "cycle: " + " → ".join((*chain, name)))
        pack = load(name)
        for required in pack.requires:
            add(required, (*chain, name))
        seen.add(name)
        out.append(pack)

    for name in names:
        add(name, ())
    return tuple(out)
