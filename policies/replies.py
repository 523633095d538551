"""What an inbound SMS reply means: a stop request, a request to start again, or neither.

Pure: the words are data (`policies/replies.toml` plus each pack's `[sms.replies]`), read once.
A reply is compared after NFKC normalisation, case folding and trimming of spaces and
punctuation. It *is* a keyword when it equals one; it *starts with* a stop keyword when its first
word is one (Latin words of three or more letters) or it begins with one (Chinese words): a
reply such as "STOP texting me" or "退订谢谢" stops, which errs on the side of the debtor. Short
codes (`T`, `TD`) count only as the whole reply. Start words count only as the whole reply.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from policies.pack import Pack

__all__ = ["BASE_RULE", "ReplyIntent", "StartLift", "classify_reply", "preload", "start_lift"]

BASE_RULE = "callwarden/replies"
_PUNCTUATION = " \t\r\n.,;:!?'\"()[]{}-_~*。，、；：！？「」『』（）…～"


@dataclass(frozen=True)
class ReplyIntent:
    """A recognised reply: `action` stop or start, the `keyword` matched and the `rule` it came
    from (``callwarden/replies`` or ``<pack>/sms.replies``)."""

    action: Literal["stop", "start"]
    keyword: str
    rule: str


@dataclass(frozen=True)
class StartLift:
    """Whether a start reply lifts a stop made by reply, and which rule says so."""

    allowed: bool
    rule: str
    why: str


@dataclass(frozen=True)
class _Base:
    version: str
    stop: tuple[str, ...]
    start: tuple[str, ...]
    citation: str


@cache
def _base() -> _Base:
    doc = tomllib.loads(resources.files("policies").joinpath("replies.toml").read_text(encoding="utf-8"))
    return _Base(str(doc["version"]), tuple(doc["stop"]), tuple(doc["start"]), str(doc["citation"]))


def preload() -> None:
    """Read callwarden's own reply words now (a server calls this at start, not on a request)."""
    _base()


def _norm(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split()).strip(_PUNCTUATION)


def _is_cjk(word: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in word)


def _starts_with(reply: str, keyword: str) -> bool:
    if _is_cjk(keyword):
        return reply.startswith(keyword)
    if len(keyword) < 3:
        return False
    return reply.startswith(keyword + " ") or reply.split(" ", 1)[0].strip(_PUNCTUATION) == keyword


def _words(packs: Sequence[Pack], which: Literal["stop", "start"]) -> Iterable[tuple[str, str]]:
    base = _base()
    for word in base.stop if which == "stop" else base.start:
        yield word, BASE_RULE
    for pack in packs:
        if pack.sms_replies is not None:
            for word in pack.sms_replies.stop if which == "stop" else pack.sms_replies.start:
                yield word, f"{pack.name}/sms.replies"


def classify_reply(text: str, packs: Sequence[Pack] = ()) -> ReplyIntent | None:
    """The reply's intent under callwarden's words and the `packs`' own; None for anything else.
    A reply that is both (``STOP START``) is a stop."""
    reply = _norm(text)
    if not reply:
        return None
    stops = [(_norm(w), w, rule) for w, rule in _words(packs, "stop")]
    for norm, word, rule in stops:
        if reply == norm:
            return ReplyIntent("stop", word, rule)
    for norm, word, rule in stops:
        if _starts_with(reply, norm):
            return ReplyIntent("stop", word, rule)
    for word, rule in _words(packs, "start"):
        if reply == _norm(word):
            return ReplyIntent("start", word, rule)
    return None


def start_lift(packs: Sequence[Pack]) -> StartLift:
    """A start reply lifts a stop made by reply only when at least one of the case's packs allows
    it (`start_lifts = true`) and none forbids it; packs without `[sms.replies]` have no say.
    Without any pack that allows it the stop stays (fail closed)."""
    saying = [p for p in packs if p.sms_replies is not None]
    against = [p for p in saying if p.sms_replies is not None and not p.sms_replies.start_lifts]
    if against:
        pack = against[0]
        assert pack.sms_replies is not None
        return StartLift(
            False,
            f"{pack.name}/sms.replies",
            f"{pack.name} does not let a reply lift a stop ({pack.sms_replies.source.citation})",
        )
    if not saying:
        return StartLift(False, BASE_RULE, "no pack of the case lets a reply lift a stop")
    pack = saying[0]
    assert pack.sms_replies is not None
    return StartLift(
        True,
        f"{pack.name}/sms.replies",
        f"{pack.name} lets the debtor opt in again ({pack.sms_replies.source.citation})",
    )
