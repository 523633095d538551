"""Lexicon data: the TOML format, its validation, pattern syntax and text folding.

A lexicon is one TOML file per language (`policies/lexicons/<lang>.toml`) parsed once into frozen
dataclasses. Matching lives in `policies.screening`; this module only turns a file into validated
data and defines how text and patterns are folded so that both are compared the same way.

Every problem found on load raises `LexiconError` naming the file, the key and the problem, e.g.
``en.toml: entry[12] 'break-legs'.severity: must be one of info, low, medium, high (got 'hi')``.
The format is documented key by key in docs/lexicons.md.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import product
from pathlib import Path
from typing import Any

from policies.errors import DefinitionError

__all__ = [
    "BUNDLED_LANGUAGES",
    "CJK",
    "FACTS",
    "HAN",
    "LEXICON_CATEGORIES",
    "SEVERITIES",
    "AllowRule",
    "Entry",
    "Lexicon",
    "LexiconError",
    "Negation",
    "expand_pattern",
    "fold",
    "load_lexicon",
    "parse_lexicon",
    "traditional_to_simplified",
]

LEXICON_CATEGORIES: tuple[str, ...] = (
    "threat_violence",
    "false_legal_threat",
    "insult_profanity",
    "third_party_disclosure",
    "harassment",
    "privacy_exposure",
    "abuse_by_debtor",
)
SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high")
FACTS: tuple[str, ...] = ("lawsuit_filed", "judgment", "time_barred", "attorney_represented")
BUNDLED_LANGUAGES: tuple[str, ...] = ("en", "zh", "ko")
SPEAKERS: tuple[str, ...] = ("agent", "debtor")
AUDIENCES: tuple[str, ...] = ("any", "debtor", "third_party")
ALLOW_SCOPES: tuple[str, ...] = ("overlap", "sentence", "text")
ALLOW_SPEAKERS: tuple[str, ...] = ("any", *SPEAKERS)

_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_MAX_VARIANTS = 4096
# Categories about the agent's conduct; `abuse_by_debtor` is the debtor's conduct.
_AGENT_CATEGORIES = tuple(c for c in LEXICON_CATEGORIES if c != "abuse_by_debtor")


class LexiconError(DefinitionError):
    """A lexicon file that cannot be used: names the file, the key and the problem."""

    code = "invalid_lexicon"


def base_language(code: str) -> str:
    """The base language of a tag: ``zh-CN``, ``zh_cn`` and ``ZH`` are ``zh``."""
    return code.replace("_", "-").split("-")[0].lower()


# --- folding ---------------------------------------------------------------------------------

_EXTRA_FOLDS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u02bc": "'",
    "\u00b4": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "-": " ",
    "\u2010": " ",
    "\u2011": " ",
    "\u2012": " ",
    "\u2013": " ",
    "\u2014": " ",
    "\u2015": " ",
    "\u2212": " ",
    "\ufe63": " ",
    "\uff0d": " ",
    "\t": " ",
    "\r": " ",
    "\f": " ",
    "\v": " ",
    "\u200b": " ",
    "\u200c": " ",
    "\u200d": " ",
    "\u2060": " ",
    "\ufeff": " ",
    "\u3000": " ",
    "\u00a0": " ",
    "\u2028": "\n",
    "\u2029": "\n",
    "\uff61": "。",
    "\u3002": "。",
    # OpenCC's t2s keeps 著 (a Simplified character too: 著名, 显著), but Whisper writes the
    # particle 着 as 著 (Taiwan usage): 等著瞧 passed where 等着瞧 is a threat (found by a probe).
    # Both sides of a match fold, so 显著 still matches 显著.
    "著": "着",
}


# Han blocks folded from Traditional to Simplified (BMP: the fold table is built for U+0080-U+FFFF).
_HAN_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


def traditional_to_simplified() -> dict[str, str]:
    """Traditional → Simplified for single characters, from OpenCC's ``t2s`` conversion.

    Each character is converted on its own (one per line), so OpenCC's phrase table cannot
    rewrite a character differently in context; a conversion that is not one character for one
    character is left out. That keeps folding one-to-one, so offsets survive (docs/lexicons.md
    says what this costs: phrase-dependent readings such as 乾隆 vs 乾燥 fold by the character).
    """
    import opencc  # imported here: only text folding needs it, once per process

    chars = [chr(cp) for lo, hi in _HAN_BLOCKS for cp in range(lo, hi)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError("OpenCC t2s changed the number of lines of a one-character-per-line text")
    return {src: dst for src, dst in zip(chars, converted, strict=True) if len(dst) == 1 and dst != src}


@cache
def _fold_table() -> dict[int, str]:
    """One-to-one character folds: NFKC where it yields one character, the extras above, and
    Traditional → Simplified Chinese (OpenCC t2s, character by character).

    Built once (about 0.1 s). One-to-one keeps offsets into the original text unchanged.
    """
    table: dict[int, str] = {}
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) == 1 and folded != ch:
            table[cp] = folded
    for src, dst in _EXTRA_FOLDS.items():
        table[ord(src)] = dst
    t2s = traditional_to_simplified()
    for src, dst in t2s.items():
        table.setdefault(ord(src), dst)
    for cp, dst in list(table.items()):  # e.g. U+FF0D → "-" → " ", 豈 (U+F900) → 豈 → 岂: resolve chains
        if len(dst) == 1:
            dst = table.get(ord(dst), dst)
            table[cp] = t2s.get(dst, dst)
    return table


def fold(text: str) -> str:
    """Fold width, case, quotes, dashes, odd spaces and Traditional Chinese; the result has the
    same length as `text`.

    Full-width ASCII becomes ASCII, compatibility ideographs become unified ones, Traditional
    Chinese characters become Simplified ones (OpenCC t2s, character by character), curly quotes
    become ``'``, dashes become spaces (so "low-life" = "low life"), every space-like character
    except newline becomes a plain space, letters are lower-cased, and the full stop of a title
    before a name becomes a space ("Mr. Fenwick's wife" is one clause, not two sentences).
    """
    out = text.translate(_fold_table())
    lowered = out.lower()
    if len(lowered) != len(out):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in out)  # e.g. "İ"
    if "." not in out:
        return lowered
    stops = [m.end() - 1 for m in _TITLE_STOP.finditer(out)]
    if not stops:
        return lowered
    chars = list(lowered)
    for i in stops:
        chars[i] = " "
    return "".join(chars)


# A title's full stop before a capitalised name ("Mr. Fenwick"), read in the text's own case, so
# that "call the dr. Then pay" keeps its sentence end.
_TITLE_STOP = re.compile(r"\b(?:[Mm][Rr][Ss]?|[Mm][SsXx]|[Dd][Rr])\.(?= ?[A-Z])")


# Han and kana are written without spaces between words; Korean puts spaces between words, but the
# matcher ignores them too so that one pattern matches however an engine spaced the syllables.
HAN = "\u2e80-\u9fff\uf900-\ufaff"
CJK = HAN + "\uac00-\ud7af"
# The only length-changing step of normalisation: spaces between two CJK characters vanish
# (ASR output such as vosk's Chinese models puts spaces between words), other runs become one.
SPACE_RE = re.compile(rf"(?<=[{CJK}])( +)(?=[{CJK}])| {{2,}}")


def space_replacement(m: re.Match[str]) -> str:
    """Replacement for a `SPACE_RE` match: nothing between CJK characters, else one space."""
    return "" if m.group(1) is not None else " "


def normalise(text: str) -> str:
    """What patterns and text are compared as: `fold`, then spaces squeezed."""
    return _squeeze(fold(text))


def _squeeze(folded: str) -> str:
    """The spaces of folded text squeezed (`SPACE_RE`) and stripped; most CJK text has none."""
    return SPACE_RE.sub(space_replacement, folded).strip() if " " in folded else folded.strip()


# --- patterns --------------------------------------------------------------------------------

_GROUP_RE = re.compile(r"\(([^()\[\]]*)\)|\[([^()\[\]]*)\]")


def expand_pattern(pattern: str) -> list[tuple[str, ...]]:
    """Expand a pattern into its literal variants, each a tuple of parts split at ``*`` gaps.

    Cached (a pattern is expanded to validate it and again to compile it, twice with pinyin).

    ``(a|b|)`` is an alternation (an empty branch makes it optional), ``[s]`` is shorthand for
    ``(|s)``, ``*`` is a gap of up to `max_gap` words (or characters for lexicons without word
    boundaries). Groups do not nest. Parts are normalised like text. A variant containing an
    apostrophe also yields the variant without it ("won't" → "wont").
    Raises ValueError with the problem; the loader adds file and key.
    """
    return list(_expand(pattern))


@lru_cache(maxsize=8192)
def _expand(pattern: str) -> tuple[tuple[str, ...], ...]:
    if not pattern.strip():
        raise ValueError("empty pattern")
    bad = next((c for c in "?+\\{}^$" if c in pattern), None)
    if bad is not None:
        raise ValueError(f"{bad!r} in pattern {pattern!r}: not a regular expression; use (a|b|) or [a]")
    if re.search(r"\[[^\]]?-[^\]]?\]", pattern):
        raise ValueError(f"character ranges are not supported in pattern {pattern!r}")
    pieces: list[list[str]] = []
    pos = 0
    for m in _GROUP_RE.finditer(pattern):
        pieces.append([pattern[pos : m.start()]])
        if m.group(1) is not None:
            pieces.append(m.group(1).split("|"))
        else:
            pieces.append(["", m.group(2)])
        pos = m.end()
    pieces.append([pattern[pos:]])
    for piece in pieces:
        for alt in piece:
            bad = next((c for c in "()[]|" if c in alt), None) if len(piece) == 1 else None
            if bad is not None:
                raise ValueError(f"unbalanced or nested {bad!r} in pattern {pattern!r}")
    count = 1
    for piece in pieces:
        count *= len(piece)
    if count > _MAX_VARIANTS:
        raise ValueError(f"pattern {pattern!r} expands to {count} variants (limit {_MAX_VARIANTS})")
    variants: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    # `fold` works character by character but for a title's full stop, so without one each
    # alternative is folded once, not once in every variant it is part of (a server's start
    # expanded about a million variants).
    folded = [[fold(alt) for alt in piece] for piece in pieces]
    local = not any("." in f for piece in folded for f in piece)
    # Without the fast path each part is normalised whole; with it, only squeezed.
    finish = _squeeze if local else normalise
    for combo, fcombo in zip(product(*pieces), product(*folded), strict=True):
        raw = "".join(combo)
        if local:
            done = "".join(fcombo)
            texts = (done, _drop_apostrophes(raw, done)) if "'" in raw else (done,)
        else:
            texts = (raw, raw.replace("'", "")) if "'" in raw else (raw,)
        for text in texts:
            variant = tuple(finish(p) for p in text.split("*"))
            if any(not p for p in variant):
                raise ValueError(f"pattern {pattern!r} has an empty part (a gap at an end, or '**')")
            if variant not in seen:
                seen.add(variant)
                variants.append(variant)
    return tuple(variants)


def _drop_apostrophes(raw: str, folded: str) -> str:
    """`fold(raw.replace("'", ""))` from `fold(raw)`: the characters that were ASCII apostrophes
    in `raw` dropped (a curly quote folds to one too, but stays)."""
    return "".join(f for r, f in zip(raw, folded, strict=True) if r != "'")


# --- data model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Negation:
    """Negation scope: a cue within `scope` words (or characters) before a match, in the same
    clause and after the last break, suppresses it; a cue inside a pseudo-negation ("don't make
    me") or after a conditional ("if you don't pay") does not count. Near cues (zh "不") count only
    within `near_scope` characters. Post cues follow the match (ko "찾아가지 않겠습니다": the
    negator comes after the verb) and count within `post_scope` characters (or words) after it,
    in the same clause, unless a pseudo phrase covers them ("찾아가지 않으려면"). A revoker ("yet",
    "for now", 暂时, 아직은) in the match's clause or just after it takes the negation back: "nobody
    is going to hurt you... yet" promises the harm for later."""

    cues: tuple[str, ...] = ()
    near_cues: tuple[str, ...] = ()
    near_scope: int = 1
    pseudo: tuple[str, ...] = ()
    breaks: tuple[str, ...] = ()
    conditionals: tuple[str, ...] = ()
    scope: int = 6
    post_cues: tuple[str, ...] = ()
    post_scope: int = 3
    revokers: tuple[str, ...] = ()


@dataclass(frozen=True)
class AllowRule:
    """A lawful look-alike: its match suppresses overlapping matches of `categories` (all if empty).

    With `scope = "sentence"` it is a context (reported speech, news, a statute being cited):
    found anywhere in the sentence, it turns matches of `categories` into `info` (an inspector
    verifies) instead of suppressing them — unless one of its `breaks` ("but", 但是) stands between
    the two: "the manual says never call customers worthless, but you are" is the speaker's own.
    With `scope = "text"` the context reaches every later hit in the text, past sentence ends,
    unless a break stands between (a listener who says she is the spouse, then the balance);
    with `whole_sentence = true` also the hits before it in its own sentence (a listener's role
    stated as a fact, "我们对借款人和您这位担保人的起诉", not asked after the balance).
    A text context with `firm = true` is also itself a lawful reading of its one category, which
    no model score outranks: the loader adds an `info` entry for it (same id, patterns and
    `citation`; its breaks are the entry's `unless`), so the model cannot read the later talk as
    a disclosure either.
    With `speaker = "agent"` or `"debtor"` it reads only that speaker's words: a debtor swearing at
    a phone (씨발 폰이 또 꺼지네) is no abuse, while an agent's profanity is one whatever it is aimed
    at, so the same look-alike must not excuse both.
    """

    id: str
    patterns: tuple[str, ...]
    categories: tuple[str, ...] = ()
    note: str = ""
    scope: str = "overlap"
    breaks: tuple[str, ...] = ()
    firm: bool = False
    citation: str = ""
    whole_sentence: bool = False
    speaker: str = "any"


def known_fact(facts: Mapping[str, bool], name: str) -> bool | None:
    """Case fact `name` as given, or as the others imply it: no suit filed means no judgment
    (a court enters one only in a case), so "the judgment is in" is false when no suit was."""
    value = facts.get(name)
    if value is None and name == "judgment" and facts.get("lawsuit_filed") is False:
        return False
    return value


@dataclass(frozen=True)
class Entry:
    """One lexicon entry; `rule` is its stable id ``<language>/<category>/<id>``."""

    id: str
    rule: str
    category: str
    severity: str
    patterns: tuple[str, ...]
    speaker: str
    audience: str
    negatable: bool = True
    allow: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    requires_fact: str | None = None
    fact_value: bool = True
    debtor_abuse: bool = False
    max_gap: int | None = None
    note: str = ""
    citation: str = ""
    pinyin: bool = True
    # False: the semantic model may not downgrade this entry's hits on an agent's words (words no
    # context makes acceptable from a collector: strong profanity, slurs).
    model_veto: bool = True
    # False (info entries only): no model score outranks the lawful reading this entry gives its
    # category, whatever the head file's `lawful_override` (talk about a wrong, not the wrong:
    # an anti-scam warning that names the authority scammers impersonate).
    model_override: bool = True
    # True for the entry a firm text context gives (see `AllowRule`): its reading holds for the
    # rest of the text, so the model is not to outrank it in any later window or utterance.
    whole_text: bool = False

    def made_true_by(self, facts: Mapping[str, bool] | None) -> bool | None:
        """Whether the case `facts` make this entry's statement true (``requires_fact`` equal to
        ``fact_value``); None when the entry needs no fact or the facts do not say."""
        value = None if self.requires_fact is None or facts is None else known_fact(facts, self.requires_fact)
        return None if value is None else bool(value) == self.fact_value


@dataclass(frozen=True)
class Address:
    """Cues that aim a debtor's words at the listener (``[address]``). An agent entry's words said
    by the debtor (re-labelled `abuse_by_debtor`, which the model may veto: a debtor swearing at a
    broken phone is not abuse) are aimed at the agent when `before` ends right before them
    (你个瘪犊子, "you lying scumbag"), `after` starts right after them (멍청한 새끼야) or `within`
    is found in the words themselves (我整死你, "I'll break your legs"), in the same clause, with no
    `reported` cue before them there (骂我是, "called me a", 저보고), no `reported_after` cue right
    after them (…'라고 했어요) and no quotation still open at them in their sentence: those are
    reports and quotes. Such a hit is reported as `entry`, which the model may not veto. The cues
    are regular expressions over the folded text, read within `reach` characters each way, with
    the spaces between CJK characters removed as the patterns read it unless `keep_spaces` (Korean
    needs them to tell 너, "you", from the end of 트레이너)."""

    entry: Entry
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    within: re.Pattern[str] | None
    reported: re.Pattern[str] | None
    reported_after: re.Pattern[str] | None
    reach: int
    keep_spaces: bool

    def reported_in(self, clause: str, tail: str) -> bool:
        """Whether a report cue comes before the words in their clause, or right after them
        (`reported_after`: …'라고 했어요)."""
        return bool(
            (self.reported is not None and self.reported.search(clause))
            or (self.reported_after is not None and self.reported_after.search(tail))
        )


@dataclass(frozen=True)
class Lexicon:
    language: str
    version: str
    description: str
    word_boundaries: bool
    max_gap: int
    negation: Negation
    allows: tuple[AllowRule, ...]
    entries: tuple[Entry, ...]
    source: str = ""
    pinyin: bool = False
    pinyin_min_chars: int = 3
    address: Address | None = None

    @property
    def tag(self) -> str:
        """The version stamped on every match: ``<language>@<version>``."""
        return f"{self.language}@{self.version}"


# --- loading ---------------------------------------------------------------------------------


def load_lexicon(path_or_lang: str | Path) -> Lexicon:
    """Load a lexicon: a bundled language code (``"en"``, ``"zh"``) or a path to a TOML file.

    Bundled lexicons are read once and cached; paths are read on every call.
    """
    if isinstance(path_or_lang, str) and path_or_lang in BUNDLED_LANGUAGES:
        return _bundled(path_or_lang)
    path = Path(path_or_lang)
    if not path.suffix and not path.exists():
        bundled = ", ".join(BUNDLED_LANGUAGES)
        raise LexiconError(str(path_or_lang), "", f"no such file and no bundled lexicon (bundled: {bundled})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(str(path), "", f"cannot read: {exc}") from exc
    return parse_lexicon(text, path.name)


@cache
def _bundled(lang: str) -> Lexicon:
    res = resources.files("policies").joinpath("lexicons", f"{lang}.toml")
    return parse_lexicon(res.read_text(encoding="utf-8"), f"{lang}.toml")


_HEADER_KEYS = {
    "language",
    "version",
    "description",
    "word_boundaries",
    "max_gap",
    "debtor_abuse_categories",
    "pinyin",
    "pinyin_min_chars",
}
_NEGATION_KEYS = {
    "cues",
    "near_cues",
    "near_scope",
    "pseudo",
    "breaks",
    "conditionals",
    "scope",
    "post_cues",
    "post_scope",
    "revokers",
}
_ALLOW_KEYS = {
    "id",
    "patterns",
    "categories",
    "note",
    "scope",
    "breaks",
    "firm",
    "citation",
    "whole_sentence",
    "speaker",
}
_ENTRY_KEYS = {
    "id",
    "category",
    "severity",
    "patterns",
    "negatable",
    "allow",
    "unless",
    "requires_fact",
    "fact_value",
    "speaker",
    "audience",
    "debtor_abuse",
    "max_gap",
    "note",
    "citation",
    "pinyin",
    "model_veto",
    "model_override",
}


class _Reader:
    """Typed access to one TOML table with errors naming file and key."""

    def __init__(self, file: str, where: str, table: object) -> None:
        self.file = file
        self.where = where
        if not isinstance(table, Mapping):
            raise LexiconError(file, where, "must be a table")
        self.table: Mapping[str, Any] = table

    def fail(self, key: str, problem: str) -> LexiconError:
        return LexiconError(self.file, f"{self.where}.{key}" if key else self.where, problem)

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.fail(key, f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def str_(self, key: str, default: str | None = None, *, choices: tuple[str, ...] = ()) -> str:
        value = self.table.get(key, default)
        if value is None:
            raise self.fail(key, "required")
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string (got {value!r})")
        if choices and value not in choices:
            raise self.fail(key, f"must be one of {', '.join(choices)} (got {value!r})")
        return value

    def opt_str(self, key: str, *, choices: tuple[str, ...] = ()) -> str | None:
        return None if key not in self.table else self.str_(key, choices=choices)

    def bool_(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false (got {value!r})")
        return value

    def int_(self, key: str, default: int, lo: int, hi: int) -> int:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise self.fail(key, f"must be an integer from {lo} to {hi} (got {value!r})")
        return value

    def strs(self, key: str, *, required: bool = False, choices: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "required")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of strings")
        if required and not value:
            raise self.fail(key, "must not be empty")
        for v in value:
            if choices and v not in choices:
                raise self.fail(key, f"{v!r} is not one of {', '.join(choices)}")
        return tuple(value)

    def patterns(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        pats = self.strs(key, required=required)
        for p in pats:
            try:
                expand_pattern(p)
            except ValueError as exc:
                raise self.fail(key, str(exc)) from None
        return pats


def parse_lexicon(text: str, file: str = "<lexicon>") -> Lexicon:
    """Parse and validate lexicon TOML text; `file` names it in errors."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(file, "", f"invalid TOML: {exc}") from exc
    for key in doc:
        if key not in ("lexicon", "negation", "allow", "entry", "address"):
            raise LexiconError(file, key, "unknown key (allowed: lexicon, negation, allow, entry, address)")
    if "lexicon" not in doc:
        raise LexiconError(file, "lexicon", "required table [lexicon] is missing")
    head = _Reader(file, "lexicon", doc["lexicon"])
    head.check_keys(_HEADER_KEYS)
    language = head.str_("language")
    if not re.fullmatch(r"[a-z]{2,3}", language):
        raise head.fail("language", f"must be a 2-3 letter language code (got {language!r})")
    version = head.str_("version")
    if not version.strip():
        raise head.fail("version", "must not be empty")
    wb = head.bool_("word_boundaries", True)
    max_gap = head.int_("max_gap", 3 if wb else 6, 1, 40)
    abuse_from = head.strs("debtor_abuse_categories", choices=_AGENT_CATEGORIES)
    pinyin = head.bool_("pinyin", False)
    pinyin_min_chars = head.int_("pinyin_min_chars", 3, 2, 40)

    neg = _Reader(file, "negation", doc.get("negation", {}))
    neg.check_keys(_NEGATION_KEYS)
    negation = Negation(
        cues=_norm_all(neg, "cues"),
        near_cues=_norm_all(neg, "near_cues"),
        near_scope=neg.int_("near_scope", 1, 0, 10),
        pseudo=_norm_all(neg, "pseudo"),
        breaks=_norm_all(neg, "breaks"),
        conditionals=_norm_all(neg, "conditionals"),
        scope=neg.int_("scope", 6 if wb else 10, 1, 60),
        post_cues=_norm_all(neg, "post_cues"),
        post_scope=neg.int_("post_scope", 3, 0, 20),
        revokers=_norm_all(neg, "revokers"),
    )

    allows_raw = doc.get("allow", [])
    if not isinstance(allows_raw, list):
        raise LexiconError(file, "allow", "must be an array of tables ([[allow]])")
    allows: list[AllowRule] = []
    allow_ids: set[str] = set()
    firm: list[Entry] = []
    for i, raw in enumerate(allows_raw):
        r = _Reader(file, f"allow[{i}]", raw)
        aid = _id(r, allow_ids)
        r.where = f"allow[{i}] {aid!r}"
        rule = _allow_rule(r, aid)
        if rule.firm:
            firm.append(_firm_reading(r, rule, language))
        allows.append(rule)

    entries_raw = doc.get("entry", [])
    if not isinstance(entries_raw, list):
        raise LexiconError(file, "entry", "must be an array of tables ([[entry]])")
    entries: list[Entry] = []
    ids: set[str] = set()
    for i, raw in enumerate(entries_raw):
        r = _Reader(file, f"entry[{i}]", raw)
        eid = _id(r, ids)
        r.where = f"entry[{i}] {eid!r}"
        r.check_keys(_ENTRY_KEYS)
        entries.append(_entry(r, eid, language, abuse_from))
    for entry in firm:
        if entry.id in ids:
            raise LexiconError(file, "entry", f"duplicate id {entry.id!r}: a firm [[allow]] already gives it")
        ids.add(entry.id)
        entries.append(entry)
    if not entries:
        raise LexiconError(file, "entry", "a lexicon needs at least one [[entry]]")
    address = None
    if "address" in doc:
        address = _address(_Reader(file, "address", doc["address"]), language)
        if address.entry.id in ids:
            raise LexiconError(file, "address", f"duplicate id {address.entry.id!r}: an [[entry]] has it")
        entries.append(address.entry)
    return Lexicon(
        language=language,
        version=version,
        description=head.str_("description", ""),
        word_boundaries=wb,
        max_gap=max_gap,
        negation=negation,
        allows=tuple(allows),
        entries=tuple(entries),
        source=file,
        pinyin=pinyin,
        pinyin_min_chars=pinyin_min_chars,
        address=address,
    )


def _norm_all(r: _Reader, key: str) -> tuple[str, ...]:
    """Normalised phrases, plus apostrophe-free variants ("won't" → "wont"), as for patterns."""
    out: dict[str, None] = {}
    for raw in r.strs(key):
        phrase = normalise(raw)
        if not phrase:
            raise r.fail(key, f"{raw!r} is empty once normalised")
        out[phrase] = None
        if "'" in phrase:
            out[normalise(phrase.replace("'", ""))] = None
    return tuple(out)


def _id(r: _Reader, seen: set[str]) -> str:
    eid = r.str_("id")
    if not _ID_RE.match(eid):
        raise r.fail("id", f"must be lower-case letters, digits, '-' or '_' (got {eid!r})")
    if eid in seen:
        raise r.fail("id", f"duplicate id {eid!r}")
    seen.add(eid)
    return eid


def _entry(r: _Reader, eid: str, language: str, abuse_from: tuple[str, ...]) -> Entry:
    category = r.str_("category", choices=LEXICON_CATEGORIES)
    default_speaker = _speaker_of(category)
    speaker = r.str_("speaker", default_speaker, choices=SPEAKERS)
    if speaker != default_speaker:
        raise r.fail("speaker", f"category {category} is raised for speaker {default_speaker!r} only")
    default_audience = _default_audience(category)
    requires_fact = r.opt_str("requires_fact", choices=FACTS)
    if "fact_value" in r.table and requires_fact is None:
        raise r.fail("fact_value", "only meaningful with requires_fact")
    debtor_abuse = r.bool_("debtor_abuse", category in abuse_from)
    if debtor_abuse and category == "abuse_by_debtor":
        raise r.fail("debtor_abuse", "already an abuse_by_debtor entry")
    return Entry(
        id=eid,
        rule=f"{language}/{category}/{eid}",
        category=category,
        severity=r.str_("severity", choices=SEVERITIES),
        patterns=r.patterns("patterns", required=True),
        speaker=speaker,
        audience=r.str_("audience", default_audience, choices=AUDIENCES),
        negatable=r.bool_("negatable", True),
        allow=r.patterns("allow"),
        unless=r.patterns("unless"),
        requires_fact=requires_fact,
        fact_value=r.bool_("fact_value", True),
        debtor_abuse=debtor_abuse,
        max_gap=r.int_("max_gap", 0, 0, 40) or None,
        note=r.str_("note", ""),
        citation=r.str_("citation", ""),
        pinyin=r.bool_("pinyin", True),
        model_veto=r.bool_("model_veto", True),
        model_override=_model_override(r),
    )


def _speaker_of(category: str) -> str:
    """Who a category's entries are raised for: the debtor for `abuse_by_debtor`, else the agent."""
    return "debtor" if category == "abuse_by_debtor" else "agent"


def _default_audience(category: str) -> str:
    """A disclosure is one only to a third party; every other category to anyone."""
    return "third_party" if category == "third_party_disclosure" else "any"


def _allow_rule(r: _Reader, aid: str) -> AllowRule:
    """One ``[[allow]]`` table, its keys checked against each other."""
    r.check_keys(_ALLOW_KEYS)
    rule = AllowRule(
        id=aid,
        patterns=r.patterns("patterns", required=True),
        categories=r.strs("categories", choices=LEXICON_CATEGORIES),
        note=r.str_("note", ""),
        scope=r.str_("scope", "overlap", choices=ALLOW_SCOPES),
        breaks=_norm_all(r, "breaks"),
        firm=r.bool_("firm", False),
        citation=r.str_("citation", ""),
        whole_sentence=r.bool_("whole_sentence", False),
        speaker=r.str_("speaker", "any", choices=ALLOW_SPEAKERS),
    )
    if rule.firm and rule.speaker != "any":
        raise r.fail("speaker", "a firm context is a lawful reading for every speaker")
    if rule.whole_sentence and rule.scope != "text":
        raise r.fail("whole_sentence", 'only a text context (scope = "text") reaches back in its sentence')
    if rule.breaks and rule.scope == "overlap":
        raise r.fail("breaks", 'only a context (scope = "sentence" or "text") has breaks')
    if rule.citation and not rule.firm:
        raise r.fail("citation", "only a firm context (firm = true) cites a rule")
    return rule


_ADDRESS_KEYS = {
    "id",
    "before",
    "after",
    "within",
    "reported",
    "reported_after",
    "reach",
    "keep_spaces",
    "citation",
    "note",
}


def _address(r: _Reader, language: str) -> Address:
    """The ``[address]`` table: its cues compiled, and the entry its hits are reported as (no
    patterns of its own; it refuses the model's veto)."""
    r.check_keys(_ADDRESS_KEYS)
    aid = r.str_("id")
    if not _ID_RE.fullmatch(aid):
        raise r.fail("id", f"must match {_ID_RE.pattern} (got {aid!r})")
    citation = r.str_("citation", "")
    if not citation:
        raise r.fail("citation", "the address cues cite the rule their hits break")

    def compiled(key: str, template: str) -> re.Pattern[str] | None:
        cues = r.strs(key)
        if not cues:
            return None
        try:
            return re.compile(template.format("|".join(f"(?:{c})" for c in cues)))
        except re.error as exc:
            raise r.fail(key, f"invalid regular expression: {exc}") from None

    address = Address(
        entry=Entry(
            id=aid,
            rule=f"{language}/abuse_by_debtor/{aid}",
            category="abuse_by_debtor",
            severity="medium",  # never stamped on a hit: an aimed hit keeps its own entry's
            patterns=(),
            speaker="debtor",
            audience="debtor",
            note=r.str_("note", ""),
            citation=citation,
            pinyin=False,
            model_veto=False,
        ),
        before=compiled("before", r"(?:{})\s*$"),
        after=compiled("after", "^(?:{})"),
        within=compiled("within", "(?:{})"),
        reported=compiled("reported", "(?:{})"),
        reported_after=compiled("reported_after", "^(?:{})"),
        reach=r.int_("reach", 30, 4, 120),
        keep_spaces=r.bool_("keep_spaces", False),
    )
    if address.before is None and address.after is None and address.within is None:
        raise r.fail("before", "an [address] table needs `before`, `after` or `within` cues")
    return address


def _firm_reading(r: _Reader, rule: AllowRule, language: str) -> Entry:
    """The `info` entry a firm text context gives its category (see `AllowRule`)."""
    if rule.scope != "text":
        raise r.fail("firm", 'only a text context (scope = "text") is a firm lawful reading')
    if len(rule.categories) != 1:
        raise r.fail("categories", "a firm context names exactly one category")
    if not rule.citation:
        raise r.fail("citation", "a firm context cites the rule that makes its reading lawful")
    category = rule.categories[0]
    return Entry(
        id=rule.id,
        rule=f"{language}/{category}/{rule.id}",
        category=category,
        severity="info",
        patterns=rule.patterns,
        speaker=_speaker_of(category),
        audience=_default_audience(category),
        unless=r.patterns("breaks"),
        note=rule.note,
        citation=rule.citation,
        pinyin=False,
        model_override=False,
        whole_text=True,
    )


def _model_override(r: _Reader) -> bool:
    override = r.bool_("model_override", True)
    if not override and r.table.get("severity") != "info":
        raise r.fail("model_override", "only an info entry gives a lawful reading the model may not outrank")
    return override
