"""The lexicon matcher shared by SMS screening (`policies`) and transcript flagging (`speech`).

    >>> [m.rule for m in screen("If you don't pay we'll break your legs", ["en"])]
    ['en/threat_violence/break-legs']

Pure: no I/O at decision time. The bundled lexicons (`policies/lexicons/*.toml`, see
docs/lexicons.md) are read and compiled once, at first use, into one Aho-Corasick automaton per
language, so a scan is linear in the text whatever the number of patterns. Context rules are
data on each entry: word boundaries, negation scope, lawful look-alikes (`allow` / `unless`),
speaker, audience and case facts.
"""

from __future__ import annotations

import copy
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import Any

import ahocorasick

from policies import phonetic
from policies.lexicon import (
    BUNDLED_LANGUAGES,
    CJK,
    LEXICON_CATEGORIES,
    SEVERITIES,
    SPACE_RE,
    Entry,
    Lexicon,
    LexiconError,
    Negation,
    base_language,
    expand_pattern,
    fold,
    load_lexicon,
    space_replacement,
)
from policies.obfuscation import reveal, warm_reveal

__all__ = [
    "BUNDLED_LANGUAGES",
    "LEXICON_CATEGORIES",
    "SEVERITIES",
    "Lexicon",
    "LexiconError",
    "Match",
    "Matcher",
    "load_lexicon",
    "matcher_for",
    "model_may_outrank",
    "model_may_veto",
    "rule_citation",
    "screen",
    "settled_by_facts",
    "states_fact",
    "warm_citations",
    "without_context",
]

_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_SENTENCE_END = ".!?。\n"  # in folded text (full-width ！？ fold to !?)
_CLAUSE_END = _SENTENCE_END + ",;:、"
_SENTENCE_END_ORIG = frozenset(".!?。！？｡\n")
_CONTEXT = 200  # characters looked at around a hit for clauses and sentences
_MULTI_SPACE = re.compile(" {2,}")
_CJK_GAP = re.compile(rf"(?<=[{CJK}]) (?=[{CJK}])")
# Word characters after folding (lower case) for the right edge of gapped patterns; small on
# purpose (compiling the full Unicode class costs milliseconds per pattern).
_WORD = r"[0-9a-z\u00c0-\u02af\u0370-\u052f]"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_INFO = "info"
# What may stand between a clause and a revoker that follows it: "hurt you... yet", "hurt you, for now".
_REVOKE_LEAD = re.compile(r"(?:\.{2,}|…+|[,，]|-+|—+)\s*")
_WORDS = re.compile(r"[\w']+")

# Kinds of automaton values.
_ENTRY, _ENTRY_ALLOW, _ENTRY_UNLESS, _ALLOW = range(4)


@dataclass(frozen=True)
class Match:
    """One lexicon hit: `match` is the text as it appears, `start`/`end` its offsets in the text."""

    category: str
    severity: str
    match: str
    rule: str
    start: int
    end: int
    sentence: str
    lexicon_version: str

    @property
    def is_violation(self) -> bool:
        """Anything but `info` (info marks a statement for an inspector to verify)."""
        return self.severity != "info"

    def as_dict(self) -> dict[str, object]:
        return {
            "category": self.category,
            "severity": self.severity,
            "match": self.match,
            "rule": self.rule,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "lexicon_version": self.lexicon_version,
        }


def screen(
    text: str,
    languages: Sequence[str] | None = None,
    *,
    audience: str = "debtor",
    speaker: str = "agent",
    facts: Mapping[str, bool] | None = None,
) -> list[Match]:
    """Screen one text (an SMS, an utterance, a transcript) against bundled lexicons.

    `languages`: bundled language codes (``"en"``, ``"zh"``, region suffixes ignored); None = all.
    `audience`: ``"debtor"`` or ``"third_party"`` (who hears it; debt mentions are only a
    disclosure to a third party). `speaker`: ``"agent"`` (agent-conduct categories), ``"debtor"``
    (`abuse_by_debtor` only) or ``"any"`` for a mixed mono channel (both, without re-labelling).
    `facts`: case facts (`lawsuit_filed`, `judgment`, `time_barred`, `attorney_represented`)
    for fact-dependent statements; unknown facts turn those into `info` matches.
    Returns matches ordered by position, including `info` ones (see `Match.is_violation`).
    """
    if isinstance(languages, str):
        languages = (languages,)
    langs = BUNDLED_LANGUAGES if languages is None else tuple(_base_language(x) for x in languages)
    return matcher_for(langs).screen(text, audience=audience, speaker=speaker, facts=facts)


def rule_citation(rule: str) -> str:
    """The citation of a bundled entry by its rule id (``ko/threat_violence/kill``), "" if unknown."""
    lang = rule.split("/", 1)[0]
    if lang not in BUNDLED_LANGUAGES:
        return ""
    return _citations(lang).get(rule, "")


@cache
def _citations(lang: str) -> dict[str, str]:
    return {e.rule: e.citation for e in load_lexicon(lang).entries}


def warm_citations() -> None:
    """Read every bundled lexicon's citations now, not inside the first decision's deadline."""
    for lang in BUNDLED_LANGUAGES:
        _citations(lang)


def model_may_veto(category: str, rule: str, match: str = "") -> bool:
    """Whether the semantic model may downgrade a lexicon hit of `category` by entry `rule`: not
    a hit of an entry with ``model_veto = false``, nor a hit of an entry whose statement depends
    on the case facts: such a hit is a violation only when the facts make the statement false,
    which the model, reading words only, cannot judge. An agent entry's words said by the debtor
    (swearing re-labelled `abuse_by_debtor`) are judged in context, since plain anger is not
    abuse; a debtor entry that refuses the veto names words aimed at the agent ("fuck off",
    自行了断, 꺼져). A short `match` read across a space between Hangul syllables may be two words
    (the honorific in 민수 씨 발표 is not 씨발), so the model judges it whatever the entry says."""
    if states_fact(rule):
        return False
    relabelled = rule.split("/")[1:2] != [category]  # as `_vetoable`: not its entry's category
    if relabelled or _split_keyword(match):
        return True
    lang = rule.split("/", 1)[0]
    return lang not in BUNDLED_LANGUAGES or rule not in _unvetoed(lang)


_SPLIT_HANGUL = re.compile("[\uac00-\ud7a3]\\s+[\uac00-\ud7a3]")


def _split_keyword(match: str) -> bool:
    """A short keyword (three characters at most) read across a space between Hangul syllables.
    A longer match spanning spaces is a phrase the entry meant (초등학생도 계산할 수 있)."""
    return bool(_SPLIT_HANGUL.search(match)) and len("".join(match.split())) <= 3


def model_may_outrank(rule: str) -> bool:
    """Whether a confident model score may outrank the lawful reading an `info` match of entry
    `rule` gives its category: not for an entry with ``model_override = false``."""
    lang = rule.split("/", 1)[0]
    return lang not in BUNDLED_LANGUAGES or rule not in _firm(lang)


def holds_for_text(rule: str) -> bool:
    """Whether an `info` match of entry `rule` is a lawful reading for the rest of its text (a
    firm text context: the listener said she is the spouse), not only where it matched."""
    lang = rule.split("/", 1)[0]
    return lang in BUNDLED_LANGUAGES and rule in _whole_text(lang)


def settled_by_facts(rule: str, facts: Mapping[str, bool] | None) -> bool:
    """Whether the case `facts` make the statement entry `rule` names true (``requires_fact``
    with its ``fact_value``): the model, which reads words only, may not outrank that."""
    lang = rule.split("/", 1)[0]
    entry = _fact_entries(lang).get(rule) if lang in BUNDLED_LANGUAGES else None
    return entry is not None and entry.made_true_by(facts) is True


def states_fact(rule: str) -> bool:
    """Whether entry `rule` makes a statement whose truth the case facts decide (``requires_fact``)."""
    lang = rule.split("/", 1)[0]
    return lang in BUNDLED_LANGUAGES and rule in _fact_entries(lang)


@cache
def _fact_entries(lang: str) -> dict[str, Entry]:
    return {e.rule: e for e in load_lexicon(lang).entries if e.requires_fact}


@cache
def _firm(lang: str) -> frozenset[str]:
    return frozenset(e.rule for e in load_lexicon(lang).entries if not e.model_override)


@cache
def _whole_text(lang: str) -> frozenset[str]:
    return frozenset(e.rule for e in load_lexicon(lang).entries if e.whole_text)


@cache
def _unvetoed(lang: str) -> frozenset[str]:
    return frozenset(e.rule for e in load_lexicon(lang).entries if not e.model_veto)


def _base_language(code: str) -> str:
    base = base_language(code)
    if base not in BUNDLED_LANGUAGES:
        bundled = ", ".join(BUNDLED_LANGUAGES)
        raise ValueError(f"no bundled lexicon for language {code!r} (bundled: {bundled})")
    return base


@cache
def matcher_for(languages: tuple[str, ...]) -> Matcher:
    """The cached matcher for bundled languages (each language compiled once, at first use, and
    shared by every combination it is part of)."""
    return Matcher.joined(_bundled_matcher(lang) for lang in dict.fromkeys(languages))


@cache
def _bundled_matcher(language: str) -> Matcher:
    return Matcher([load_lexicon(language)])


class Matcher:
    """Compiled lexicons: one Aho-Corasick automaton each. Immutable after construction."""

    def __init__(self, lexicons: Iterable[Lexicon]) -> None:
        self._compiled = tuple(_Compiled(lex) for lex in lexicons)
        warm_reveal()  # its look-alike table is read here, not inside a decision

    def context_free(self) -> Matcher:
        """These lexicons read with no context: no negation, allow lists, `unless` or facts (what
        they would raise if nothing made it lawful). It shares this matcher's compiled automata: a
        second compile of the same patterns took about a fifth of a server's start."""
        out = type(self)(())
        out._compiled = tuple(c.context_free() for c in self._compiled)
        return out

    def build_spelled(self) -> None:
        """Build now the indices a line with pinyin spelled out reads, which are otherwise built at
        the first such line: about 2 s for zh, which a decision's deadline cannot hold."""
        for compiled in self._compiled:
            if compiled.lexicon.pinyin:
                compiled.spelled_index()
        if self._pinyin:
            phonetic.spelled_readings("你好ni hao")  # its syllable tables load at the first reading

    @classmethod
    def joined(cls, matchers: Iterable[Matcher]) -> Matcher:
        """One matcher running the lexicons of `matchers` (their compiled automata shared)."""
        out = cls(())
        out._compiled = tuple(c for m in matchers for c in m._compiled)
        return out

    @property
    def lexicons(self) -> tuple[Lexicon, ...]:
        return tuple(c.lexicon for c in self._compiled)

    def verifiers_compiled(self) -> int:
        """How many of the lexicons' gapped patterns have been compiled so far (each at its first
        hit: compiling all of them would take a minute and a half at a start)."""
        return sum(c.verifiers_compiled() for c in self._compiled)

    @cached_property
    def _by_version(self) -> dict[str, _Compiled]:
        """Each compiled lexicon by the version its hits carry (`_Hit.version`)."""
        return {c.version: c for c in self._compiled}

    @cached_property
    def _pinyin(self) -> bool:
        """Whether a lexicon matches Mandarin by sound (then pinyin spelled out is read too)."""
        return any(lex.pinyin for lex in self.lexicons)

    def screen(
        self,
        text: str,
        *,
        audience: str = "debtor",
        speaker: str = "agent",
        facts: Mapping[str, bool] | None = None,
    ) -> list[Match]:
        """See `screen`; this runs every lexicon of the matcher."""
        if audience not in ("debtor", "third_party"):
            raise ValueError(f"audience must be 'debtor' or 'third_party' (got {audience!r})")
        if speaker not in ("agent", "debtor", "any"):
            raise ValueError(f"speaker must be 'agent', 'debtor' or 'any' (got {speaker!r})")
        folded = fold(text)
        norm = _CJK_GAP.sub("", _MULTI_SPACE.sub(" ", folded))
        found: list[_Hit] = []
        for compiled in self._compiled:
            found.extend(compiled.scan(norm, audience, speaker, facts))
        if found and len(norm) != len(folded):
            offsets = _OffsetMap(folded)
            found = [replace(h, start=offsets.orig(h.start), end=offsets.orig(h.end - 1) + 1) for h in found]
        revealed = reveal(text, folded)
        if revealed is not None and revealed[0] != norm:
            # The text with keyword-filter dodges undone is read beside it: hits there that the
            # text as written hid are added (`policies.obfuscation`).
            clean, index = revealed
            for compiled in self._compiled:
                found.extend(
                    # min and max: text shown reversed (a right-to-left override) runs backwards.
                    replace(
                        h,
                        start=min(index[k][0] for k in range(h.start, h.end)),
                        end=max(index[k][1] for k in range(h.start, h.end)),
                    )
                    for h in compiled.scan(clean, audience, speaker, facts)
                )
        if self._pinyin:
            # Pinyin spelled out in a Chinese line (sha了你, 你的yuqi): read as the characters it
            # sounds like, beside the text as written. Only hits that take in a spelled syllable
            # are new; they map back through `norm`.
            readings = phonetic.spelled_readings(norm)
            to_text = _OffsetMap(folded) if readings and len(norm) != len(folded) else None
            for spelled in readings:
                for compiled in self._compiled:
                    if not compiled.may_spell_a_hit(spelled.text):
                        continue  # nothing it could find takes in a spelled syllable
                    for h in compiled.scan(spelled.text, audience, speaker, facts, spelled.edges):
                        if not any(phonetic.is_code(ch) for ch in spelled.text[h.start : h.end]):
                            continue
                        start, end = spelled.index[h.start][0], spelled.index[h.end - 1][1]
                        if to_text is not None:
                            start, end = to_text.orig(start), to_text.orig(end - 1) + 1
                        found.append(replace(h, start=start, end=end))
        if not found:
            return []
        if speaker == "debtor":
            found = [self._by_version[h.version].aimed(h, folded) for h in found]
        out: list[Match] = []
        for hit in _strongest(found):
            start, end = hit.start, hit.end
            out.append(
                Match(
                    category=hit.category,
                    severity=hit.severity,
                    match=text[start:end],
                    rule=hit.entry.rule,
                    start=start,
                    end=end,
                    sentence=_sentence(text, start, end),
                    lexicon_version=hit.version,
                )
            )
        out.sort(key=lambda m: (m.start, m.end, m.category))
        return out


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    category: str
    severity: str
    entry: Entry
    version: str


def _strongest(hits: list[_Hit]) -> list[_Hit]:
    """Per category, overlapping hits collapse into the most severe, then longest, one; between
    equals, the one the model may not veto (a debtor's "fuck off" read by `debtor-dismissals`,
    not by the agent entry `rude-words` re-labelled). A hit the model may not veto is never
    absorbed by one it may: "go to hell" (`debtor-dismissals`) inside "to hell with your fees"
    (`rude-words`, longer) stays, so the veto cannot take the pair."""
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (-_RANK[h.severity], h.start - h.end, _vetoable(h), h.start)):
        if not any(
            k.category == hit.category
            and k.start < hit.end
            and hit.start < k.end
            and (_vetoable(hit) or not _vetoable(k))
            for k in kept
        ):
            kept.append(hit)
    return kept


def _vetoable(hit: _Hit) -> bool:
    """Whether the model may veto `hit` by its entry (an agent entry re-labelled for the debtor
    always may: see `model_may_veto`)."""
    return hit.entry.model_veto or hit.category != hit.entry.category


class _OffsetMap:
    """Maps positions in normalised text back to the original (folding is one-to-one; only
    squeezed spaces shift positions)."""

    def __init__(self, folded: str) -> None:
        self._norm_at: list[int] = [0]
        self._delta: list[int] = [0]
        removed = 0
        for m in SPACE_RE.finditer(folded):
            removed += len(m.group(0)) - len(space_replacement(m))
            self._norm_at.append(m.end() - removed)
            self._delta.append(removed)

    def orig(self, pos: int) -> int:
        return pos + self._delta[bisect_right(self._norm_at, pos) - 1]


def _sentence(text: str, start: int, end: int) -> str:
    lo = start
    floor = max(0, start - _CONTEXT)
    while lo > floor and text[lo - 1] not in _SENTENCE_END_ORIG:
        lo -= 1
    hi = end
    ceil = min(len(text), end + _CONTEXT)
    while hi < ceil and text[hi] not in _SENTENCE_END_ORIG:
        hi += 1
    if hi < len(text) and text[hi] in _SENTENCE_END_ORIG and text[hi] != "\n":
        hi += 1
    return text[lo:hi].strip()


_SPELLED_TAIL = 12  # characters a gapped pattern's later parts take, at most, after its gap


class _SoundIndex:
    """A lexicon's patterns as sounds (policies.phonetic), for one of two readings.

    ASR homophones (``spelled=False``): variants of at least `pinyin_min_chars` Han characters
    whose first part has two or more, of entries that do not opt out (`pinyin = false`: insults
    and debt words, whose short homophones are common words). Spelled pinyin (``spelled=True``):
    every entry's variants of two or more Han characters, since a writer who spells 逾期 as yuqi
    means the word, whatever a recogniser would make of its sound.
    """

    def __init__(self, lex: Lexicon, *, spelled: bool) -> None:
        self.spelled = spelled
        table: dict[str, list[tuple[int, int, int, int, tuple[str, ...]]]] = {}
        grouped: dict[tuple[int, int, str, int], list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        least, least_first = (2, 1) if spelled else (lex.pinyin_min_chars, 2)

        def add(kind: int, owner: int, patterns: Iterable[str], max_gap: int) -> None:
            for pattern in patterns:
                for parts in expand_pattern(pattern):
                    han = sum(1 for p in parts for ch in p if phonetic.is_han(ch))
                    if han < least or sum(1 for ch in parts[0] if phonetic.is_han(ch)) < least_first:
                        continue
                    sounds = [phonetic.sound_variants(p) for p in parts]
                    for combo in _products(sounds):
                        if len(parts) > 1:
                            grouped.setdefault((kind, owner, combo[0], max_gap), []).append(
                                (combo[1:], parts)
                            )
                        else:
                            table.setdefault(combo[0], []).append((kind, owner, len(combo[0]), -1, parts))

        for kind, owner, patterns, gap in _pattern_lists(lex, lambda e: e.pinyin or spelled):
            add(kind, owner, patterns, gap)
        # Gapped variants grouped like `_Compiled._gapped`: (sound of the first part, first
        # characters as written, tails as (sound parts, written parts), max_gap); each group's
        # regex is compiled at its first hit.
        self.gapped: list[
            tuple[str, frozenset[str], tuple[tuple[tuple[str, ...], tuple[str, ...]], ...], int]
        ] = []
        self._rx: list[tuple[re.Pattern[str], tuple[int, ...]] | None] = []
        for (kind, owner, first, max_gap), tails in grouped.items():
            vkey = len(self.gapped)
            firsts = frozenset(parts[0][0] for _, parts in tails)
            # Longer tails first: the alternation takes the first one that matches.
            ordered = sorted(dict.fromkeys(tails), key=lambda t: -sum(len(p) for p in t[0]))
            self.gapped.append((first, firsts, tuple(ordered), max_gap))
            self._rx.append(None)
            table.setdefault(first, []).append((kind, owner, len(first), vkey, ()))
        self.automaton: Any = _automaton(table) if table else _automaton({"\ufffe": ()})

    def verifiers_compiled(self) -> int:
        return sum(rx is not None for rx in self._rx)

    def verifier(self, vkey: int) -> tuple[re.Pattern[str], tuple[int, ...]]:
        """The group's regex (one alternative per tail, a capture group per part) and the number
        of each alternative's first capture group."""
        compiled = self._rx[vkey]
        if compiled is None:
            first, _, tails, max_gap = self.gapped[vkey]
            gap = rf"[^\n。.,;:!?、]{{0,{max_gap}}}?"
            alternatives: list[str] = []
            starts: list[int] = []
            group = 1
            for rest, _parts in tails:
                starts.append(group)
                alternatives.append("".join(f"{gap}({re.escape(r)})" for r in rest))
                group += len(rest)
            rx = re.compile(re.escape(first) + "(?:" + "|".join(alternatives) + ")")
            compiled = (rx, tuple(starts))
            self._rx[vkey] = compiled  # benign race, as for `_Compiled._verifier`
        return compiled


class _Compiled:
    """One lexicon compiled for scanning."""

    def __init__(self, lex: Lexicon) -> None:
        self.lexicon = lex
        self.version = lex.tag
        self.wb = lex.word_boundaries
        self.entries_only = False  # True in a `context_free` twin: allow and unless hits are skipped
        table: dict[str, list[tuple[int, int, int, int, bool, bool]]] = {}
        # Gapped variants are verified by a regex at each hit, compiled at its first hit. The
        # variants of one owner that share a first part share one regex (an alternation of their
        # tails), so a frequent first part costs one regex check per owner, not one per variant.
        self._gapped: list[tuple[str, tuple[tuple[tuple[str, ...], bool], ...], int]] = []
        self._rx: list[re.Pattern[str] | None] = []
        grouped: dict[tuple[int, int, str, int], list[tuple[tuple[str, ...], bool]]] = {}

        def add(kind: int, owner: int, patterns: Iterable[str], max_gap: int) -> None:
            for pattern in patterns:
                for parts in expand_pattern(pattern):
                    # Word boundaries apply only where the pattern itself ends in a word character.
                    left = self.wb and _is_word(parts[0][0])
                    right = self.wb and _is_word(parts[-1][-1])
                    if len(parts) > 1:
                        grouped.setdefault((kind, owner, parts[0], max_gap), []).append((parts[1:], right))
                    else:
                        table.setdefault(parts[0], []).append((kind, owner, len(parts[0]), -1, left, right))

        for kind, owner, patterns, gap in _pattern_lists(lex, lambda e: True):
            add(kind, owner, patterns, gap)
        for (kind, owner, first, max_gap), tails in grouped.items():
            vkey = len(self._gapped)
            self._gapped.append((first, tuple(dict.fromkeys(tails)), max_gap))
            self._rx.append(None)
            left = self.wb and _is_word(first[0])
            # The right edge is checked inside each alternative of the verifier.
            table.setdefault(first, []).append((kind, owner, len(first), vkey, left, False))
        self.automaton = _automaton(table)
        self._active: dict[tuple[str, str], tuple[str | None, ...]] = {}
        # ASR homophones (an automaton over sounds; see _SoundIndex), and pinyin spelled out in a
        # Chinese line, whose index is built at the first such line.
        self._sound = _SoundIndex(lex, spelled=False) if lex.pinyin else None
        # One slot, shared with a `context_free` twin (copied by reference), so that the index
        # (about 2 s for zh) is built once, from the full lexicon, whichever reads a spelling first.
        self._spelled: list[_SoundIndex | None] = [None]
        self._full = lex

    def context_free(self) -> _Compiled:
        """A twin reading `without_context(self.lexicon)` on the same automata. The entries keep
        their indices, so the shared tables' owners still point at the right ones; hits of allow
        and unless patterns are skipped instead of compiled out."""
        twin = copy.copy(self)
        twin.lexicon = without_context(self.lexicon)
        twin.entries_only = True
        twin._active = {}
        return twin

    def spelled_index(self) -> _SoundIndex:
        """The spelled-pinyin index, built at the first line that needs it. A twin skips the
        allow and unless hits in it, as in its automata."""
        index = self._spelled[0]
        if index is None:
            index = self._spelled[0] = _SoundIndex(self._full, spelled=True)  # benign race
        return index

    def may_spell_a_hit(self, text: str) -> bool:
        """Whether a spelled reading's text could hold a hit that takes in a spelled syllable: a
        pattern's sound starts there with one in its first part, or a gapped pattern's does with
        one close enough after it. Most stretches around an agent's Latin name hold none, and
        skip the full scan. A lexicon without sound matching finds no such hit."""
        if not self.lexicon.pinyin:
            return False
        index = self.spelled_index()
        sound = text.translate(phonetic.sound_table(keep_codes=True))
        for end_idx, refs in index.automaton.iter(sound):
            for _kind, _owner, klen, vkey, _written in refs:
                reach = end_idx + 1 + (index.gapped[vkey][3] + _SPELLED_TAIL if vkey >= 0 else 0)
                if any(phonetic.is_code(ch) for ch in text[end_idx - klen + 1 : reach]):
                    return True
        return False

    def verifiers_compiled(self) -> int:
        sound = self._sound.verifiers_compiled() if self._sound is not None else 0
        return sum(rx is not None for rx in self._rx) + sound

    def _verifier(self, vkey: int) -> re.Pattern[str]:
        rx = self._rx[vkey]
        if rx is not None:
            return rx
        first, tails, max_gap = self._gapped[vkey]
        if self.wb:
            gap = rf"(?: [^\s.,;:!?。、]+){{0,{max_gap}}}? "
            edge = rf"(?!{_WORD})"
        else:
            gap = rf"[^\n。.,;:!?、]{{0,{max_gap}}}?"
            edge = ""
        # Longer tails first: the alternation takes the first one that matches.
        ordered = sorted(tails, key=lambda t: -sum(len(p) for p in t[0]))
        alternatives = (
            "".join(gap + re.escape(p) for p in rest) + (edge if right else "") for rest, right in ordered
        )
        rx = re.compile(re.escape(first) + "(?:" + "|".join(alternatives) + ")")
        self._rx[vkey] = rx  # benign race: any thread compiles the same pattern
        return rx

    def active(self, speaker: str, audience: str) -> tuple[str | None, ...]:
        """Per entry: the category it raises for this speaker and audience, or None."""
        key = (speaker, audience)
        cached = self._active.get(key)
        if cached is None:
            cached = tuple(_raised_as(e, speaker, audience) for e in self.lexicon.entries)
            self._active[key] = cached
        return cached

    def scan(
        self,
        norm: str,
        audience: str,
        speaker: str,
        facts: Mapping[str, bool] | None,
        edges: frozenset[int] | None = None,
    ) -> list[_Hit]:
        """The lexicon's hits in `norm`; with `edges`, `norm` is a spelled reading's text and
        `edges` where its pinyin runs start and end (`phonetic.SpelledReading`)."""
        active = self.active(speaker, audience)
        cands: list[tuple[int, int, int, str]] = []
        spans: list[tuple[int, int, int, int]] = []  # (kind, owner, start, end) of allow/unless
        for end_idx, refs in self.automaton.iter(norm):
            for kind, owner, klen, vkey, left, right in refs:
                if (active[owner] is None) if kind == _ENTRY else self.entries_only:
                    continue
                start = end_idx - klen + 1
                if left and start > 0 and _is_word(norm[start - 1]):
                    continue
                if vkey < 0:
                    end = end_idx + 1
                    if right and end < len(norm) and _is_word(norm[end]):
                        continue
                else:
                    m = self._verifier(vkey).match(norm, start)
                    if m is None:
                        continue
                    end = m.end()
                if kind == _ENTRY:
                    category = active[owner]
                    assert category is not None
                    cands.append((start, end, owner, category))
                else:
                    spans.append((kind, owner, start, end))
        if edges is not None:
            if self.lexicon.pinyin:
                self._scan_sound(self.spelled_index(), norm, active, cands, spans, edges)
        elif self._sound is not None and _HAN.search(norm):
            self._scan_sound(self._sound, norm, active, cands, spans, frozenset())
        if not cands:
            return []
        entries = self.lexicon.entries
        allows = self.lexicon.allows
        hits: list[_Hit] = []
        for start, end, owner, category in cands:
            entry = entries[owner]
            suppressed = self._suppressed(norm, start, end, owner, entry, spans, allows, speaker)
            if suppressed is True:
                continue
            if entry.negatable and self._negated(norm, start, end) and not self._revoked(norm, start, end):
                continue
            severity = _INFO if suppressed is _INFO else entry.severity
            if entry.requires_fact is not None:
                true = entry.made_true_by(facts)
                if true is None:
                    severity = _INFO
                elif true:
                    continue  # the statement is true: lawful
            hits.append(_Hit(start, end, category, severity, entry, self.version))
        return hits

    def aimed(self, hit: _Hit, folded: str) -> _Hit:
        """`hit` reported as the lexicon's `Address` entry when it is a debtor's words read by an
        agent entry and aimed at the listener (`folded`: the text folded, positions as `hit`'s)."""
        address = self.lexicon.address
        if address is None or hit.category == hit.entry.category:
            return hit
        before = folded[max(0, hit.start - address.reach) : hit.start]
        after = folded[hit.end : hit.end + address.reach]
        words = folded[hit.start : hit.end]
        if not address.keep_spaces:  # as the patterns read it: no spaces between CJK characters
            squeezed = (_CJK_GAP.sub("", _MULTI_SPACE.sub(" ", x)) for x in (before, after, words))
            before, after, words = squeezed
        clause = _CLAUSE_BREAK.split(before)[-1]
        tail = _CLAUSE_BREAK.split(after, maxsplit=1)[0]
        if _quoted(before) or address.reported_in(clause, tail):
            return hit  # a report or a quotation of someone's words
        if (
            (address.before is not None and address.before.search(clause))
            or (address.after is not None and address.after.match(tail))
            or (address.within is not None and address.within.search(words))
        ):
            return replace(hit, entry=address.entry)
        return hit

    def _scan_sound(
        self,
        index: _SoundIndex,
        norm: str,
        active: tuple[str | None, ...],
        cands: list[tuple[int, int, int, str]],
        spans: list[tuple[int, int, int, int]],
        edges: frozenset[int],
    ) -> None:
        """Add pinyin hits: same sound, one Han character in three (at most) written differently,
        the first and last Han characters as written in the pattern (a homophone at the edge of
        a span is usually a different word: 消费了你 is not 废了你), and no character hit of the
        same entry (or allow) overlapping. In a spelled reading, a spelled syllable counts as
        written, at least one must be in the hit, a run is never cut (``ce`` of police is not 册) and
        every Han character is as written. Look-alike patterns are verified only when a hit they
        could suppress exists."""
        sound = norm.translate(phonetic.sound_table(keep_codes=index.spelled))
        exact = _exact_spans(cands, spans)
        found: set[tuple[int, int, int, int]] = set()
        deferred: list[tuple[int, int, int, int, int, tuple[str, ...]]] = []

        def hit(end_idx: int, kind: int, owner: int, klen: int, vkey: int, written: tuple[str, ...]) -> None:
            self._sound_hit(
                index,
                edges,
                norm,
                sound,
                end_idx,
                kind,
                owner,
                klen,
                vkey,
                written,
                active,
                exact,
                found,
                cands,
                spans,
            )

        for end_idx, refs in index.automaton.iter(sound):
            for kind, owner, klen, vkey, written in refs:
                if kind != _ENTRY:
                    if not self.entries_only:
                        deferred.append((end_idx, kind, owner, klen, vkey, written))
                elif active[owner] is not None:
                    hit(end_idx, kind, owner, klen, vkey, written)
        if not deferred or not cands:
            return
        owners = {owner for _, _, owner, _ in cands}
        categories = {category for _, _, _, category in cands}
        allows = self.lexicon.allows
        for end_idx, kind, owner, klen, vkey, written in deferred:
            if kind == _ALLOW:
                wanted = not allows[owner].categories or not categories.isdisjoint(allows[owner].categories)
            else:
                wanted = owner in owners
            if wanted:
                hit(end_idx, kind, owner, klen, vkey, written)

    def _sound_hit(
        self,
        index: _SoundIndex,
        edges: frozenset[int],
        norm: str,
        sound: str,
        end_idx: int,
        kind: int,
        owner: int,
        klen: int,
        vkey: int,
        written: tuple[str, ...],
        active: tuple[str | None, ...],
        exact: list[tuple[tuple[int, int], int, int]],
        found: set[tuple[int, int, int, int]],
        cands: list[tuple[int, int, int, str]],
        spans: list[tuple[int, int, int, int]],
    ) -> None:
        """Verify one sound-automaton hit (see `_scan_sound`) and record it."""
        start = end_idx - klen + 1
        spelled = index.spelled
        code = phonetic.is_code
        if vkey < 0:
            parts = written
            if norm[start] != parts[0][0] and not (spelled and code(norm[start])):
                return  # the first character differs
            pieces = [(start, end_idx + 1)]
        else:
            if norm[start] not in index.gapped[vkey][1] and not (spelled and code(norm[start])):
                return  # the first character must be written as in the pattern
            rx, starts = index.verifier(vkey)
            m = rx.match(sound, start)
            if m is None:
                return
            j = next(k for k, g in enumerate(starts) if m.start(g) >= 0)
            rest, parts = index.gapped[vkey][2][j]
            pieces = [(start, start + klen)] + [m.span(g) for g in range(starts[j], starts[j] + len(rest))]
        pairs = [
            (got, want)
            for (s, e), part in zip(pieces, parts, strict=True)
            for got, want in zip(norm[s:e], part, strict=True)
            if phonetic.is_han(want)
        ]
        end = pieces[-1][1]
        if spelled:
            # A spelled syllable stands for the character; every Han character is as written.
            if not all(got == want or code(got) for got, want in pairs) or not any(code(g) for g, _ in pairs):
                return
            if any(
                (code(norm[s]) and s not in edges) or (code(norm[e - 1]) and e not in edges)
                for s, e in pieces
            ):
                return  # a pinyin run cut in two
        else:
            subs = sum(1 for got, want in pairs if got != want)
            if (
                subs == 0
                or subs * 3 > len(pairs)
                or pairs[0][0] != pairs[0][1]
                or pairs[-1][0] != pairs[-1][1]
            ):
                return  # no homophone (the character scan has it), too many, or one at an edge
        if (kind, owner, start, end) in found:
            return
        if any(k == (kind, owner) and s < end and start < e for k, s, e in exact):
            return  # the character match did not fail
        found.add((kind, owner, start, end))
        if kind == _ENTRY:
            category = active[owner]
            assert category is not None
            cands.append((start, end, owner, category))
        else:
            spans.append((kind, owner, start, end))

    def _suppressed(
        self,
        norm: str,
        start: int,
        end: int,
        owner: int,
        entry: Entry,
        spans: list[tuple[int, int, int, int]],
        allows: Sequence[Any],
        speaker: str,
    ) -> bool | str:
        """True: a look-alike suppresses the hit; "info": a sentence context makes it info. A
        look-alike scoped to one speaker reads only that speaker's words."""
        bounds: tuple[int, int] | None = None
        verdict: bool | str = False
        for kind, who, s, e in spans:
            if kind == _ALLOW:
                rule = allows[who]
                if rule.categories and entry.category not in rule.categories:
                    continue
                if rule.speaker != "any" and rule.speaker != speaker:
                    continue
                if rule.scope == "overlap":
                    if s < end and start < e:
                        return True
                elif rule.scope == "text" and e <= start:  # before the hit, anywhere in the text
                    if not self._broken(norm, e, start, rule.breaks):
                        verdict = _INFO
                elif rule.scope == "sentence" or rule.whole_sentence:  # in the hit's sentence
                    # (a text context reaches back only with whole_sentence: 您这位担保人, said as a fact)
                    if bounds is None:
                        bounds = _bounds(norm, start, end, _SENTENCE_END)
                    inside = bounds[0] <= s and e <= bounds[1]
                    if inside and not self._broken(norm, e, start, rule.breaks):
                        verdict = _INFO
            elif who != owner:
                continue
            elif kind == _ENTRY_ALLOW:
                if s < end and start < e:
                    return True
            else:  # _ENTRY_UNLESS: anywhere in the same sentence
                if bounds is None:
                    bounds = _bounds(norm, start, end, _SENTENCE_END)
                if bounds[0] <= s and e <= bounds[1]:
                    return True
        return verdict

    def _broken(self, norm: str, e: int, start: int, breaks: Sequence[str]) -> bool:
        """Does one of a context's `breaks` stand between the context (ending at `e`) and a later hit? (A
        context after the hit refers back to it: "he said you'd be arrested, but that's not true".)"""
        if not breaks or e > start:
            return False
        return self._says_any(norm[e:start], breaks)

    def _says_any(self, text: str, phrases: Sequence[str]) -> bool:
        """Does `text` hold one of `phrases` (as whole words in a word-boundary lexicon)?"""
        if self.wb:
            padded = " " + " ".join(_WORDS.findall(text)) + " "
            return any(f" {p} " in padded for p in phrases)
        return any(p in text for p in phrases)

    def _negated(self, norm: str, start: int, end: int) -> bool:
        """Is there a negation cue in scope before `start`, or a post cue after `end` (see `Negation`)?"""
        neg = self.lexicon.negation
        if neg.post_cues and self._post_negated(norm, end):
            return True
        if not neg.cues and not neg.near_cues:
            return False
        clause = norm[_bounds(norm, start, start, _CLAUSE_END)[0] : start]
        if self.wb:
            # "nobody's coming" / "there's no": a trailing 's (is/has) does not change the word.
            words = [w[:-2] if w.endswith("'s") else w for w in clause.split()]
            if not words:
                return False
            k = max(0, len(words) - neg.scope)
            window_from = 1 + len(" ".join(words[:k])) if k else 0
            return _has_cue(" " + " ".join(words) + " ", window_from, neg, " ")
        return _has_cue(clause, max(0, len(clause) - neg.scope), neg, "")

    def _revoked(self, norm: str, start: int, end: int) -> bool:
        """A revoker in the match's clause ("暂时不会上门"), or among the first words after it past
        an ellipsis, comma or dash ("hurt you... yet"), takes a negation back (see `Negation`)."""
        revokers = self.lexicon.negation.revokers
        if not revokers:
            return False
        lo, hi = _bounds(norm, start, end, _CLAUSE_END)
        lead = _REVOKE_LEAD.match(norm, hi)
        tail = norm[lead.end() : lead.end() + _CONTEXT] if lead else ""
        # After the clause only its first words count: three words, or six characters.
        first = " ".join(_WORDS.findall(tail)[:3]) if self.wb else tail[:6]
        return self._says_any(norm[lo:hi], revokers) or self._says_any(first, revokers)

    def _post_negated(self, norm: str, end: int) -> bool:
        """A post cue starting at most `post_scope` characters (words) after the match, in its
        clause, not inside a pseudo phrase ("찾아가지 않으려면" is a threat, not a negation), in a
        clause that is not a question: a negative question asserts ("창피하지도 않으세요?")."""
        neg = self.lexicon.negation
        clause_end = _bounds(norm, end, end, _CLAUSE_END)[1]
        if clause_end < len(norm) and norm[clause_end] == "?":
            return False
        after = norm[end:clause_end]
        if self.wb:
            words = after.split()
            lead = " ".join(words[: neg.post_scope])
            after = " " + " ".join(words) + " "
            limit = len(lead) + 1
            pad = " "
        else:
            limit = neg.post_scope
            pad = ""
        pseudo = [
            (i, i + len(p) + 2 * len(pad)) for p in neg.pseudo if (i := after.find(f"{pad}{p}{pad}")) >= 0
        ]
        for cue in neg.post_cues:
            i = after.find(f"{pad}{cue}{pad}")
            while 0 <= i <= limit:
                j = i + len(cue) + 2 * len(pad)
                if not any(ps <= i and j <= pe for ps, pe in pseudo):
                    return True
                i = after.find(f"{pad}{cue}{pad}", i + 1)
        return False


def _pattern_lists(
    lex: Lexicon, keep: Callable[[Entry], bool]
) -> Iterator[tuple[int, int, Sequence[str], int]]:
    """(kind, owner, patterns, max_gap) of every pattern list in `lex`: the patterns, allow and
    unless lists of the entries `keep` takes, then the lexicon-wide allows."""
    for i, e in enumerate(lex.entries):
        if keep(e):
            gap = e.max_gap or lex.max_gap
            yield _ENTRY, i, e.patterns, gap
            yield _ENTRY_ALLOW, i, e.allow, gap
            yield _ENTRY_UNLESS, i, e.unless, gap
    for i, a in enumerate(lex.allows):
        yield _ALLOW, i, a.patterns, lex.max_gap


def without_context(lex: Lexicon) -> Lexicon:
    """`lex` with every entry made plain: no negation, allow lists, `unless` or facts."""
    entries = tuple(replace(e, negatable=False, allow=(), unless=(), requires_fact=None) for e in lex.entries)
    return replace(lex, negation=Negation(), allows=(), entries=entries)


def _automaton(table: Mapping[str, Sequence[object]]) -> Any:
    automaton: Any = ahocorasick.Automaton()
    for key, refs in table.items():
        automaton.add_word(key, tuple(refs))
    automaton.make_automaton()
    return automaton


def _products(choices: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for options in choices:
        out = [(*prefix, o) for prefix in out for o in options]
    return out


def _exact_spans(
    cands: list[tuple[int, int, int, str]], spans: list[tuple[int, int, int, int]]
) -> list[tuple[tuple[int, int], int, int]]:
    """(kind, owner), start, end of the character hits found so far."""
    out = [((_ENTRY, owner), s, e) for s, e, owner, _ in cands]
    out += [((kind, owner), s, e) for kind, owner, s, e in spans]
    return out


def _has_cue(clause: str, window_from: int, neg: Negation, pad: str) -> bool:
    """Cue search in `clause` (which ends where the match starts).

    Positions are those of a needle ``pad + word + pad``; only cues at or after `window_from`
    and after the clause's last break count; a cue inside a pseudo-negation or after a
    conditional does not.
    """
    after = 0
    inside = _breaks_inside_cues(neg, pad)
    for b in neg.breaks:
        # The last occurrence of the break that is not part of a cue ("not gonna" is a cue,
        # "gonna" a break; 不是去 starts with the cue 不是, so its 是去 is no break).
        i = clause.rfind(f"{pad}{b}{pad}")
        while i >= 0 and any(
            clause.startswith(f"{pad}{cue}{pad}", i - offset) for cue, offset in inside.get(b, ())
        ):
            i = clause.rfind(f"{pad}{b}{pad}", 0, i)
        if i >= 0:
            after = max(after, i + len(b) + len(pad))
    floor = max(after, window_from)
    conditional_at = min(
        (i for c in neg.conditionals if (i := clause.find(f"{pad}{c}{pad}", after)) >= 0), default=-1
    )
    pseudo: list[tuple[int, int]] = []
    for p in neg.pseudo:
        i = clause.find(f"{pad}{p}{pad}", after)
        while i >= 0:
            pseudo.append((i + len(pad), i + len(pad) + len(p)))
            i = clause.find(f"{pad}{p}{pad}", i + 1)
    near_end = len(clause) - len(pad)
    candidates = [(cue, floor) for cue in neg.cues]
    if not pad:
        candidates += [(cue, max(floor, near_end - neg.near_scope - len(cue))) for cue in neg.near_cues]
    for cue, lo in candidates:
        needle = f"{pad}{cue}{pad}"
        i = clause.find(needle, lo)
        while i >= 0:
            s, e = i + len(pad), i + len(pad) + len(cue)
            covered = any(ps <= s and e <= pe for ps, pe in pseudo)
            if not covered and not 0 <= conditional_at < i:
                return True
            i = clause.find(needle, i + 1)
    return False


@cache
def _breaks_inside_cues(neg: Negation, pad: str) -> dict[str, tuple[tuple[str, int], ...]]:
    """Per break, the cues that contain it or run into it, and where the cue starts before the
    break (as padded needles): a break that shares characters with a cue is part of it."""
    out: dict[str, tuple[tuple[str, int], ...]] = {}
    for b in neg.breaks:
        found = []
        for cue in neg.cues:
            needle, padded = f"{pad}{b}{pad}", f"{pad}{cue}{pad}"
            j = padded.find(needle) if pad else cue.find(b)
            if j >= 0 and cue != b:
                found.append((cue, j))
                continue
            # The cue's end is the break's start (不是 + 是去); sharing only the padding does not count.
            for k in range(len(pad) + 1, min(len(padded), len(needle))):
                if padded.endswith(needle[:k]):
                    found.append((cue, len(padded) - k))
        out[b] = tuple(found)
    return out


def _bounds(norm: str, start: int, end: int, stops: str) -> tuple[int, int]:
    lo = start
    floor = max(0, start - _CONTEXT)
    while lo > floor and norm[lo - 1] not in stops:
        lo -= 1
    hi = end
    ceil = min(len(norm), end + _CONTEXT)
    while hi < ceil and norm[hi] not in stops:
        hi += 1
    return lo, hi


# Where a clause or a sentence ends in folded text, for the address cues (`Address`): they do not
# reach across one. An ellipsis (which folding keeps) ends a clause too.
_CLAUSE_BREAK = re.compile(f"[{re.escape(_CLAUSE_END)}\u2026]")
_SENTENCE_BREAK = re.compile(f"[{re.escape(_SENTENCE_END)}]")
# Single quotation marks, told from apostrophes by what stands beside them (folding makes curly
# quotes plain: ' and ").
_OPEN_SINGLE = re.compile("(?:^|(?<=\\s))'")
_CLOSE_SINGLE = re.compile("'(?=\\s|$|[,;:])")


def _quoted(before: str) -> bool:
    """Whether a quotation opened in the sentence before some words is still open at them (the
    words are someone's, quoted: 'pay your bills or get out, you loser'). `before` is folded."""
    s = _SENTENCE_BREAK.split(before)[-1]
    return (
        s.count('"') % 2 == 1
        or s.count("\u300c") > s.count("\u300d")
        or s.count("\u300e") > s.count("\u300f")
        or len(_OPEN_SINGLE.findall(s)) > len(_CLOSE_SINGLE.findall(s))
    )


def _is_word(ch: str) -> bool:
    return ch.isalnum() and ord(ch) < 0x2E80


def _raised_as(entry: Entry, speaker: str, audience: str) -> str | None:
    if entry.audience != "any" and entry.audience != audience:
        return None
    if speaker == "any" or speaker == entry.speaker:
        return entry.category
    if speaker == "debtor" and entry.debtor_abuse:
        return "abuse_by_debtor"
    return None
