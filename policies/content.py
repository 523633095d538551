"""SMS content rules: length, the opt-out text a pack demands, and lexicon screening.

Screening uses the shared matcher `policies.screening.screen` (also used for transcript
flagging). Matches of severity ``info`` only ask a human to verify and do not deny; any other
severity is a `content_violation`. Messages to third parties are screened with
``audience="third_party"``, so mentioning the debt to them is a violation too.
A request without a body (e.g. `/v1/authorize` before the text is written) is not screened.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from policies import reasons as rc
from policies.context import Context
from policies.pack import Pack
from policies.types import Reason

__all__ = ["content_reasons", "normalise"]

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Case-folded with runs of white space collapsed (for opt-out phrase matching)."""
    return _SPACES.sub(" ", text).casefold().strip()


def _screen() -> Callable[..., Sequence[Any]]:
    # Imported on first SMS screening: the lexicons are data loaded by that module.
    from policies.screening import screen

    return screen


def _cited(rule: str) -> str:
    """The rule id with the citation of its lexicon entry (the statute the match breaks)."""
    from policies.screening import rule_citation

    citation = rule_citation(rule)
    return f"{rule}: {citation}" if citation else rule


def content_reasons(ctx: Context, packs: Sequence[Pack]) -> list[Reason]:
    req = ctx.request
    body = req.body
    if req.channel != "sms" or body is None:
        return []
    out: list[Reason] = []
    screened: dict[tuple[str, ...] | None, list[Any]] = {}
    folded: str | None = None
    for pack in packs:
        if pack.sms_length is not None and len(body) > pack.sms_length.max_chars:
            out.append(
                Reason(
                    rc.CONTENT_VIOLATION,
                    f"{pack.name}/sms.length",
                    f"SMS is {len(body)} characters; {pack.name} allows at most {pack.sms_length.max_chars}",
                    citation=pack.sms_length.source.citation,
                )
            )
        if pack.sms_opt_out is not None:
            folded = folded if folded is not None else normalise(body)
            phrases = pack.sms_opt_out.phrases
            if not any(normalise(p) in folded for p in phrases):
                out.append(
                    Reason(
                        rc.CONTENT_VIOLATION,
                        f"{pack.name}/sms.opt_out",
                        f"{pack.name} requires opt-out instructions in every SMS (e.g. "
                        + " / ".join(repr(p) for p in phrases[:3])
                        + ")",
                        citation=pack.sms_opt_out.source.citation,
                    )
                )
        if pack.sms_content is not None:
            langs = pack.sms_content.languages
            if langs not in screened:
                matches = _screen()(
                    body,
                    langs,
                    audience="third_party" if req.party == "third_party" else "debtor",
                    speaker="agent",
                    facts=dict(ctx.case.facts),
                )
                screened[langs] = [m for m in matches if m.severity != "info"]
            found = screened[langs]
            if found:
                listed = "; ".join(f"{m.category} {m.match!r} ({_cited(m.rule)})" for m in found[:5])
                more = f" and {len(found) - 5} more" if len(found) > 5 else ""
                out.append(
                    Reason(
                        rc.CONTENT_VIOLATION,
                        f"{pack.name}/sms.content",
                        f"SMS content not allowed: {listed}{more}",
                        citation=pack.sms_content.source.citation,
                    )
                )
    return out
