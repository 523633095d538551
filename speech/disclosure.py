"""Required-disclosure phrase sets (`speech/disclosures.toml`) and the check on a transcript.

    >>> rules = disclosure_rules("en")
    >>> [r.id for r in rules.requirements]
    ['mini-miranda']
    >>> rules.missing("Hi this is Jo. This is a communication from a debt collector.")
    []

Patterns use the lexicon syntax (`policies.lexicon.expand_pattern`) and are compared on text
folded and normalised the same way as the lexicons, so "Debt-Collector" matches "debt collector"
and vosk's spaced Chinese matches unspaced patterns.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from policies.lexicon import BUNDLED_LANGUAGES, expand_pattern, normalise

__all__ = ["DisclosureRules", "Requirement", "disclosure_rules"]

_WORD = r"[0-9a-z\u00c0-\u02af\u0370-\u052f]"


@dataclass(frozen=True)
class Requirement:
    id: str
    what: str
    patterns: tuple[str, ...]
    regex: re.Pattern[str]

    def met_by(self, normalised_text: str) -> bool:
        return self.regex.search(normalised_text) is not None


@dataclass(frozen=True)
class DisclosureRules:
    language: str
    version: str
    window_s: float
    requirements: tuple[Requirement, ...]

    def missing(self, text: str) -> list[Requirement]:
        """The requirements that `text` (what the agent said within the window) does not meet."""
        norm = normalise(text)
        return [r for r in self.requirements if not r.met_by(norm)]


@cache
def disclosure_rules(language: str) -> DisclosureRules | None:
    """The bundled phrase set for `language` (``en``, ``zh``), None when it has none."""
    lang = language.replace("_", "-").split("-")[0].lower()
    doc = tomllib.loads(resources.files("speech").joinpath("disclosures.toml").read_text(encoding="utf-8"))
    table = doc.get(lang)
    if not isinstance(table, dict):
        return None
    word_boundaries = lang not in ("zh", "ja", "ko") and lang in BUNDLED_LANGUAGES
    max_gap = int(table.get("max_gap", 3))
    reqs = tuple(
        Requirement(
            id=str(r["id"]),
            what=str(r.get("what", "")),
            patterns=tuple(r["patterns"]),
            regex=_compile(tuple(r["patterns"]), word_boundaries, max_gap),
        )
        for r in table.get("require", ())
    )
    return DisclosureRules(lang, str(doc.get("version", "")), float(table.get("window_s", 60)), reqs)


def _compile(patterns: tuple[str, ...], word_boundaries: bool, max_gap: int) -> re.Pattern[str]:
    if word_boundaries:
        gap = rf"(?: [^\s.,;:!?。、]+){{0,{max_gap}}}? "
        left, right = rf"(?<!{_WORD})", rf"(?!{_WORD})"
    else:
        gap = rf"[^\n。.,;:!?、]{{0,{max_gap}}}?"
        left = right = ""
    alternatives = [
        left + gap.join(re.escape(part) for part in parts) + right
        for pattern in patterns
        for parts in expand_pattern(pattern)
    ]
    return re.compile("|".join(alternatives))
