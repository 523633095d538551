"""One verdict per category from the lexicon and the model. Pure.

    lex = lexicon_view(text, ["zh"], audience="debtor", speaker="agent", facts=None)
    found = combine(lex, scores, heads.thresholds("zh"), model="flagger@2026.06.0")

The lexicon keeps what it is good at: its matches explain themselves (rule, words, citation),
and it knows lawful look-alikes, negations and case facts. The model catches phrasing no list
foresaw. For each category:

* the lexicon raises a violation → flagged (`source` ``both`` when the model agrees, else
  ``lexicon``), with the lexicon's severity and rule;
* else the model's calibrated probability reaches the category's threshold (chosen on the
  validation split) → flagged, `source` ``model``, severity ``medium`` — unless the lexicon
  recognised the same category as lawful in this text (in a text read in windows, in the window
  that gave the score: `window_view`): a lawful statement (an ``info`` match such
  as 依法起诉 or "we may file a lawsuit"), a negated phrase, an allow-listed look-alike or a
  statement the case facts make true (`lexicon_view` finds these by screening again with a copy
  of the lexicons that has no negation, allow lists or facts). Whether that suppression applies
  is read from the head file (`combine.lawful_suppresses_model`), and so is the category's
  `lawful_override`, both chosen on the validation split: a model score at or above it stands
  anyway (the bare lexicon's reading is broad — "nobody's saying we'll hurt anyone", with its
  negation, reads as lawful — and a confident model is right more often there; where the case
  facts make the statement true, only when the text without it still reaches the threshold:
  `rests_on_settled`), but never
  against an `info` match whose entry says ``model_override = false`` (`LexiconView.firm`: talk
  about a wrong rather than the wrong, such as an anti-scam warning); and unless a
  rival category outscores it (`outscored`): the categories with a `rival_margin` in the head
  file (threat, harassment, privacy exposure, which the model confuses with one another) are
  rivals, and a model-only finding is dropped when another rival scores at least its margin
  higher on the same text — the model is sure the line is of the other kind;
* a lexicon violation the model scores below the category's `veto` (chosen on the validation
  split: idioms, news and other look-alikes the lexicon cannot tell apart) is downgraded to
  ``info``, `source` ``lexicon``: an inspector still sees it, it no longer denies an SMS —
  unless an entry that refuses the veto (``model_veto = false``: an agent's strong profanity or
  slurs, which no context makes acceptable from a collector) raised it, or an entry whose
  statement the case facts make false (a suit threat on a time-barred debt: the model cannot
  read the case file);
* a lexicon ``info`` match stays ``info`` (an inspector verifies it).

Languages without a bundled lexicon are scored by the model alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

from policies.lexicon import BUNDLED_LANGUAGES, base_language
from policies.screening import (
    Match,
    Matcher,
    holds_for_text,
    matcher_for,
    model_may_outrank,
    model_may_veto,
    settled_by_facts,
    states_fact,
)

__all__ = [
    "FACTS_OVERRIDE",
    "MODEL_SEVERITY",
    "Finding",
    "LexiconView",
    "best_windows",
    "combine",
    "fact_statements_removed",
    "highest",
    "lexicon_languages",
    "lexicon_view",
    "outscored",
    "rests_on_settled",
    "suppressed_by_lawful",
    "warm",
    "window_view",
]

MODEL_SEVERITY = "medium"


@dataclass(frozen=True)
class LexiconView:
    """What the lexicon said about one text: its matches (info included), the categories it
    judged lawful here and, among them, those no model score outranks (see the module doc)."""

    matches: tuple[Match, ...] = ()
    lawful: frozenset[str] = frozenset()
    firm: frozenset[str] = frozenset()
    settled: frozenset[str] = frozenset()  # lawful because the case facts make the statement true

    def violations(self, category: str) -> list[Match]:
        return [m for m in self.matches if m.category == category and m.is_violation]

    def with_readings(self, other: LexiconView) -> LexiconView:
        """This view with `other`'s lawful and firm readings (a long text's, from `window_view`),
        and the readings of this view's matches that hold for the whole text."""
        mine = self.whole_text()
        return replace(self, lawful=other.lawful, firm=other.firm, settled=other.settled).holding(mine)

    def holding(self, categories: frozenset[str]) -> LexiconView:
        """This view with `categories` read lawful and firm (a reading said earlier in the text)."""
        return replace(self, lawful=self.lawful | categories, firm=self.firm | categories)

    def whole_text(self) -> frozenset[str]:
        """Categories a firm text context read lawful here, wherever in the text the model scored
        them (`policies.screening.holds_for_text`)."""
        return frozenset(m.category for m in self.matches if not m.is_violation and holds_for_text(m.rule))


@dataclass(frozen=True)
class Finding:
    """One category raised for one text.

    `source`: ``lexicon``, ``model`` or ``both``; `match` the strongest lexicon match (None for
    a model-only finding); `score`/`threshold` the model's (None when the model did not score
    the text); `model` the head file's tag (``flagger@<version>``)."""

    category: str
    severity: str
    source: str
    match: Match | None
    score: float | None
    threshold: float | None
    model: str | None

    @property
    def is_violation(self) -> bool:
        return self.severity != "info"

    @property
    def rule(self) -> str:
        return self.match.rule if self.match is not None else f"model/{self.category}"

    def as_dict(self) -> dict[str, object]:
        return {
            "category": self.category,
            "severity": self.severity,
            "source": self.source,
            "rule": self.rule,
            "match": self.match.match if self.match else None,
            "score": None if self.score is None else round(self.score, 4),
            "threshold": self.threshold,
            "model": self.model,
        }


_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3}


def lexicon_languages(languages: Sequence[str] | None) -> tuple[str, ...]:
    """The bundled lexicon languages among `languages` (None: all bundled); others are skipped,
    so a language whose lexicon is not bundled yet (ko) is screened by the model only."""
    if languages is None:
        return BUNDLED_LANGUAGES
    bases = (base_language(x) for x in languages)
    return tuple(dict.fromkeys(b for b in bases if b in BUNDLED_LANGUAGES))


@cache
def _bare_matcher(languages: tuple[str, ...]) -> Matcher:
    """The bundled lexicons without negation, allow lists, `unless` or facts: what they would
    raise if nothing made it lawful."""
    return Matcher.joined(_bare_language(lang) for lang in languages)


@cache
def _bare_language(language: str) -> Matcher:
    return matcher_for((language,)).context_free()


def warm(languages: Sequence[str] | None) -> None:
    """Compile the matchers `lexicon_view` uses for `languages` now (a pack load), so the first
    screening inside a decision's deadline does no compiling."""
    langs = lexicon_languages(languages)
    if langs:
        matcher_for(langs).build_spelled()  # the context-free twins share these indices
        _bare_matcher(langs)


def lexicon_view(
    text: str,
    languages: Sequence[str] | None,
    *,
    audience: str,
    speaker: str,
    facts: Mapping[str, bool] | None,
    matches: Sequence[Match] | None = None,
    need_lawful: bool = True,
) -> LexiconView:
    """Screen `text` with the bundled lexicons of `languages` (`matches`: already screened).

    `need_lawful` False skips the second screening (callers that know the model raised
    nothing)."""
    langs = lexicon_languages(languages)
    if not langs:
        return LexiconView()
    if matches is None:
        matches = matcher_for(langs).screen(text, audience=audience, speaker=speaker, facts=facts)
    lawful = {m.category for m in matches if not m.is_violation}
    firm = {m.category for m in matches if _firm(m)}
    settled: set[str] = set()
    if need_lawful:
        raised = {m.category for m in matches if m.is_violation}
        bare = _bare_matcher(langs).screen(text, audience=audience, speaker=speaker, facts=None)
        unraised = [m for m in bare if m.category not in raised]
        lawful |= {m.category for m in unraised}
        # A firm entry's match that an allow list took (사칭 in a scam warning) is firm still. A
        # statement the case facts make true raises the bar a score must reach (FACTS_OVERRIDE).
        firm |= {m.category for m in unraised if _firm(m)}
        settled = {m.category for m in unraised if settled_by_facts(m.rule, facts)}
    return LexiconView(tuple(matches), frozenset(lawful), frozenset(firm), frozenset(settled))


def fact_statements_removed(
    text: str, languages: Sequence[str] | None, *, audience: str, speaker: str
) -> str | None:
    """`text` without the words of every statement whose truth the case facts decide (a suit
    filed, a judgment entered: entries with ``requires_fact``), or None when it makes none.

    The model reads words, not the case file: it scores 法院已经立案了 as a false claim whatever
    the facts say. Read again without those words, what is left shows whether anything else in
    the text raised the score (`rests_on_settled`)."""
    langs = lexicon_languages(languages)
    if not langs:
        return None
    bare = _bare_matcher(langs).screen(text, audience=audience, speaker=speaker, facts=None)
    spans = sorted((m.start, m.end) for m in bare if states_fact(m.rule))
    if not spans:
        return None
    kept, at = [], 0
    for start, end in spans:
        if start > at:
            kept.append(text[at:start])
        at = max(at, end)
    kept.append(text[at:])
    return " ".join(" ".join(kept).split())


def rests_on_settled(
    category: str,
    lex: LexiconView,
    residual: Mapping[str, float] | None,
    thresholds: Mapping[str, float],
) -> bool:
    """Whether a model hit of `category` rests on a statement the case facts make true and on
    nothing else: the text without the fact-decided statements (`residual`, its scores) scores
    below the threshold."""
    score = (residual or {}).get(category)
    return category in lex.settled and score is not None and score < thresholds.get(category, 2.0)


def _firm(m: Match) -> bool:
    """An `info` match whose entry lets no model score outrank it (``model_override = false``)."""
    return not m.is_violation and not model_may_outrank(m.rule)


def highest(windowed: Sequence[tuple[str, Mapping[str, float]]]) -> dict[str, float]:
    """Each category's score at its highest window ({} for a text the model did not score)."""
    return {c: max(s[c] for _, s in windowed) for c in windowed[0][1]} if windowed else {}


def best_windows(windowed: Sequence[tuple[str, Mapping[str, float]]]) -> dict[str, str]:
    """{category: the window that scored it highest} for a text the model read in windows
    (`policies.semantic.text.windows`); {} for a text it read whole."""
    if len(windowed) < 2:
        return {}
    return {c: max(windowed, key=lambda ws: ws[1][c])[0] for c in windowed[0][1]}


def window_view(
    best: Mapping[str, str],
    languages: Sequence[str] | None,
    *,
    audience: str,
    speaker: str,
    facts: Mapping[str, bool] | None,
) -> LexiconView:
    """The lawful (and firm) readings of each category in the window that gave it its model score
    (no matches: the whole text's stand).

    For a long text the lawful reading that silences the model is looked for there, not in the
    whole text: "We will never break your legs." at the top of a long message is no reason to
    doubt a veiled threat three sentences on (it silenced one that the model alone flags)."""
    views = {  # categories often share a window: screen each once
        window: lexicon_view(window, languages, audience=audience, speaker=speaker, facts=facts)
        for window in set(best.values())
    }
    return LexiconView(
        lawful=frozenset(c for c, window in best.items() if c in views[window].lawful),
        firm=frozenset(c for c, window in best.items() if c in views[window].firm),
        settled=frozenset(c for c, window in best.items() if c in views[window].settled),
    )


def combine(
    lex: LexiconView,
    scores: Mapping[str, float] | None,
    thresholds: Mapping[str, float] | None,
    *,
    model: str | None,
    vetoes: Mapping[str, float] | None = None,
    lawful_suppresses_model: bool = True,
    lawful_overrides: Mapping[str, float] | None = None,
    rival_margins: Mapping[str, float] | None = None,
    residual: Mapping[str, float] | None = None,
) -> list[Finding]:
    """Findings for one text, one per category raised (violations and `info`), ordered by
    category. `scores`: the model's probability per category it scored (None: not scored);
    `residual`: its scores without the statements the case facts decide (`rests_on_settled`)."""
    scores = scores or {}
    thresholds = thresholds or {}
    overrides = lawful_overrides or {}
    rivals = rival_margins or {}
    out: list[Finding] = []
    cats = dict.fromkeys([*(m.category for m in lex.matches), *scores])
    for cat in sorted(cats):
        score = scores.get(cat)
        threshold = thresholds.get(cat)
        model_hit = score is not None and threshold is not None and score >= threshold
        violations = lex.violations(cat)
        if violations:
            standing = [m for m in violations if not model_may_veto(m.category, m.rule, m.match)]
            best = max(standing or violations, key=lambda m: (_RANK[m.severity], m.end - m.start))
            veto = 0.0 if standing else (vetoes or {}).get(cat, 0.0)
            severity = "info" if score is not None and score < veto else best.severity
            out.append(
                Finding(cat, severity, "both" if model_hit else "lexicon", best, score, threshold, model)
            )
            continue
        if (
            model_hit
            and not suppressed_by_lawful(
                cat,
                score,
                lex,
                lawful_suppresses_model=lawful_suppresses_model,
                lawful_overrides=overrides,
            )
            and not outscored(cat, scores, rivals)
            and not rests_on_settled(cat, lex, residual, thresholds)
        ):
            out.append(Finding(cat, MODEL_SEVERITY, "model", None, score, threshold, model))
            continue
        infos = [m for m in lex.matches if m.category == cat]
        if infos:
            out.append(Finding(cat, "info", "lexicon", infos[0], score, threshold, model))
    return out


# The model reads words, not the case file: where the case facts make the lexicon's statement
# true (a lawsuit filed, a judgment entered) only a near-certain score outranks that reading.
# Chosen on val, whose two such lines scored 0.94 (a true lawsuit, compliant) and 0.998 (a true
# judgment and a seizure the collector may not make).
FACTS_OVERRIDE = 0.99


def suppressed_by_lawful(
    category: str,
    score: float | None,
    lex: LexiconView,
    *,
    lawful_suppresses_model: bool,
    lawful_overrides: Mapping[str, float],
) -> bool:
    """Whether the lexicon's lawful reading of `category` (in `lex`) silences a model hit scoring
    `score`: it does unless the score reaches the category's `lawful_override` (when it has one)
    and the reading is not firm; a reading the case facts settle raises the bar to
    `FACTS_OVERRIDE`."""
    if not lawful_suppresses_model or category not in lex.lawful:
        return False
    override = lawful_overrides.get(category)
    if override is not None and category in lex.settled:
        override = max(override, FACTS_OVERRIDE)
    return category in lex.firm or override is None or score is None or score < override


def outscored(category: str, scores: Mapping[str, float], rival_margins: Mapping[str, float]) -> bool:
    """Whether another rival category (one with a margin in `rival_margins`) scores at least
    `category`'s margin above it: a model-only finding of `category` is then dropped."""
    margin = rival_margins.get(category)
    score = scores.get(category)
    if margin is None or score is None:
        return False
    return any(s >= score + margin for c, s in scores.items() if c != category and c in rival_margins)
