"""SMS content rules: length, the opt-out text a pack demands, and content screening.

Content is screened by the lexicon matcher shared with transcript flagging
(`policies.screening`) and by the semantic model's scores, which the gateway computes before the
decision and passes in the request (`ContactRequest.content_scores`); both are combined as for
transcripts (`policies.semantic.combine`). Lexicon matches of severity ``info`` only ask a human
to verify and do not deny; any other finding — the lexicon's, or the model's probability reaching
its category's threshold — is a `content_violation` of ``<pack>/sms.content`` whose `findings`
say who raised each category, with the score, the model version and the citation. Messages to
third parties are screened with ``audience="third_party"``, so mentioning the debt to them is a
violation too. A pack's languages without a bundled lexicon (``ko`` today) are screened by the
model alone. A request without a body (e.g. `/v1/authorize` before the text is written) is not
screened; without `content_scores` (a caller that did not run the model) only the lexicons are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from policies import reasons as rc
from policies.context import Context
from policies.lexicon import base_language
from policies.pack import Pack
from policies.screening import rule_citation, warm_citations
from policies.semantic.combine import Finding, combine, lexicon_view, warm, window_view
from policies.semantic.text import scripts_present
from policies.types import ContentFinding, ContentScores, Reason

__all__ = ["content_reasons", "normalise", "warm_content"]

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Case-folded with runs of white space collapsed (for opt-out phrase matching)."""
    return _SPACES.sub(" ", text).casefold().strip()


def warm_content(languages: Sequence[str] | None) -> None:
    """Load what screening `languages` needs (matchers, citations) ahead of the first SMS, and
    every bundled language: a body is also screened in its scripts' (`_with_body_scripts`), and a
    matcher for any combination joins the languages compiled here."""
    warm(languages)
    warm(None)
    warm_citations()


def _screen_content(
    ctx: Context, languages: tuple[str, ...] | None, scores: ContentScores | None, citation: str
) -> list[ContentFinding]:
    req = ctx.request
    body = req.body or ""
    audience = "third_party" if req.party == "third_party" else "debtor"
    facts = dict(ctx.case.facts)
    model_scores: dict[str, float] | None = None
    thresholds: dict[str, float] | None = None
    suppress = True
    overrides: dict[str, float] = {}
    rivals: dict[str, float] = {}
    if scores is not None and (languages is None or scores.language in {base_language(x) for x in languages}):
        model_scores, thresholds = scores.as_mappings()
        suppress = scores.lawful_suppresses_model
        overrides = dict(scores.lawful_overrides)
        rivals = dict(scores.rival_margins)
    model_hit = model_scores is not None and any(
        v >= (thresholds or {}).get(c, 2.0) for c, v in model_scores.items()
    )
    windowed = scores is not None and bool(scores.windows)
    view = lexicon_view(
        body,
        languages,
        audience=audience,
        speaker="agent",
        facts=facts,
        need_lawful=model_hit and suppress and not windowed,
    )
    if scores is not None and windowed and model_hit and suppress:
        # A long body: the lawful reading counts in the window that raised the category.
        view = view.with_readings(
            window_view(dict(scores.windows), languages, audience=audience, speaker="agent", facts=facts)
        )
    found: list[Finding] = combine(
        view,
        model_scores,
        thresholds,
        model=scores.model if scores is not None and model_scores is not None else None,
        lawful_suppresses_model=suppress,
        lawful_overrides=overrides,
        rival_margins=rivals,
        residual=dict(scores.residual) if scores is not None and scores.residual else None,
    )
    return [
        ContentFinding(
            category=f.category,
            severity=f.severity,
            source=f.source,
            rule=f.rule,
            citation=(rule_citation(f.rule) or citation) if f.match is not None else citation,
            match=f.match.match if f.match is not None else None,
            score=f.score,
            threshold=f.threshold,
            model=f.model,
        )
        for f in found
        if f.is_violation
    ]


def _with_body_scripts(languages: tuple[str, ...] | None, body: str) -> tuple[str, ...] | None:
    """The pack's screened languages and those of every script in the body: a threat written in
    Mandarin to a debtor whose pack lists only English is screened in Mandarin, not let through
    because nobody expected that language."""
    if languages is None:
        return None
    listed = {base_language(x) for x in languages}
    extra = tuple(x for x in scripts_present(body) if x not in listed)
    return (*languages, *extra) if extra else languages


def _describe(f: ContentFinding) -> str:
    if f.source == "model":
        return f"{f.category} (model {f.score:.2f} >= {f.threshold:.2f}, {f.model})"
    told = f"{f.category} {f.match!r} ({_cited(f.rule)})"
    return told + (f" [model {f.score:.2f}]" if f.source == "both" and f.score is not None else "")


def _cited(rule: str) -> str:
    """The rule id with the citation of its lexicon entry (the statute the match breaks)."""
    citation = rule_citation(rule)
    return f"{rule}: {citation}" if citation else rule


def content_reasons(ctx: Context, packs: Sequence[Pack]) -> list[Reason]:
    req = ctx.request
    body = req.body
    if req.channel != "sms" or body is None:
        return []
    out: list[Reason] = []
    screened: dict[tuple[str, ...] | None, list[ContentFinding]] = {}
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
            langs = _with_body_scripts(pack.sms_content.languages, body)
            if langs not in screened:
                screened[langs] = _screen_content(
                    ctx, langs, req.content_scores, pack.sms_content.source.citation
                )
            found = screened[langs]
            if found:
                listed = "; ".join(_describe(f) for f in found[:5])
                more = f" and {len(found) - 5} more" if len(found) > 5 else ""
                out.append(
                    Reason(
                        rc.CONTENT_VIOLATION,
                        f"{pack.name}/sms.content",
                        f"SMS content not allowed: {listed}{more}",
                        citation=pack.sms_content.source.citation,
                        findings=tuple(found),
                    )
                )
    return out
