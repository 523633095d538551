"""Toneless pinyin as one character per syllable, for matching Mandarin ASR homophone errors.

Speech recognisers mostly get Mandarin wrong by picking a character that sounds the same
(打断 → 打段, 坐牢 → 做牢, 公安 → 公按). The matcher tolerates that by also scanning a *sound*
copy of the text: every Han character is replaced by one private-use character standing for its
toneless pinyin syllable (from pypinyin's character table), so 断 and 段 (both ``duan``) become
the same character. The copy has the same length as the text, so offsets need no mapping, and
a second Aho-Corasick automaton scans it as fast as the first.

The text side uses a character's first (most common) reading; the pattern side expands up to
`_MAX_READINGS` readings of each heteronym (还 hai / huan), so a homophone of either reading
matches. Which hits count (length, number of substituted characters, entries that opt out) is
the matcher's business (policies.screening).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import product

__all__ = [
    "SPELLED_CONTEXT",
    "SpelledReading",
    "is_code",
    "is_han",
    "sound_table",
    "sound_variants",
    "spelled_readings",
    "syllable",
]

_PUA = 0xE000  # syllables are numbered from here (about 420 of them)
_PUA_END = 0xF8FF
_MAX_READINGS = 2  # per heteronym character of a pattern
_MAX_SOUND_VARIANTS = 16  # per pattern variant


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def is_code(ch: str) -> bool:
    """Whether `ch` is a syllable's private-use character (as `spelled_reading` writes them)."""
    return _PUA <= ord(ch) < _PUA + len(_codes())


def syllable(reading: str) -> str:
    """``'nǚ'`` → ``'nv'``, ``'dǎ'`` → ``'da'``: tone marks dropped, ü written v (as in pinyin input)."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _readings() -> dict[str, tuple[str, ...]]:
    """Han character → its distinct toneless readings, most common first (BMP characters)."""
    # pypinyin's package import also loads its phrase dictionary (~0.5 s): paid once, at the
    # first compile of a lexicon with `pinyin = true`.
    from pypinyin.pinyin_dict import pinyin_dict

    out: dict[str, tuple[str, ...]] = {}
    for cp, value in pinyin_dict.items():
        if cp > 0xFFFF:
            continue
        syllables = tuple(dict.fromkeys(syllable(r) for r in value.split(",")))
        out[chr(cp)] = syllables
    return out


@cache
def _codes() -> dict[str, str]:
    """Toneless syllable → its private-use character."""
    names = sorted({s for rs in _readings().values() for s in rs})
    if _PUA + len(names) > _PUA_END:
        raise RuntimeError("too many pinyin syllables for the private use area")
    return {name: chr(_PUA + i) for i, name in enumerate(names)}


@cache
def sound_table(keep_codes: bool = False) -> dict[int, str]:
    """`str.translate` table: each Han character → the character of its first reading.

    Private-use characters in the text are mapped to U+FFFD so that they can never pose as a
    syllable, except in a `spelled_reading` (`keep_codes`), which wrote them itself.
    """
    codes = _codes()
    table: dict[int, str] = {} if keep_codes else {cp: "\ufffd" for cp in range(_PUA, _PUA_END + 1)}
    for ch, readings in _readings().items():
        table[ord(ch)] = codes[readings[0]]
    return table


# Latin letters in a Chinese line may be pinyin written for the characters a filter would catch
# (sha了你, 你的yuqi, zuolao): a run of two or more letters that splits wholly into syllables.
_LATIN_RUN = re.compile(r"[a-z]{2,}")
_LONGEST_SYLLABLE = 6  # zhuang, shuang
_HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_TOUCHING = re.compile(f"[a-z]{{2}} ?{_HAN_CLASS}|{_HAN_CLASS} ?[a-z]{{2}}")  # a cheap first look


def _split(word: str) -> list[str] | None:
    """`word` as the fewest toneless syllables (``yuqi`` → yu, qi), or None if it is not pinyin."""
    codes = _codes()
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST_SYLLABLE), end):
            head = best[start]
            shorter = best[end] is None or len(head or ()) + 1 < len(best[end] or ())
            if head is not None and word[start:end] in codes and shorter:
                best[end] = [*head, word[start:end]]
    return best[-1]


@dataclass(frozen=True)
class SpelledReading:
    """A stretch of a line with its pinyin runs written as syllable characters."""

    text: str
    index: list[tuple[int, int]]  # (start, end) in the line of every character of `text`
    edges: frozenset[int]  # positions in `text` where a run starts or after which one ends


SPELLED_CONTEXT = 200  # characters read around a pinyin run (the matcher's clause and sentence reach)


def spelled_readings(norm: str) -> list[SpelledReading]:
    """The stretches of `norm` (folded, lower case) around its pinyin runs, each run written as
    its syllables' private-use characters and spaces between two such or Han characters dropped.

    A run counts when it splits wholly into syllables and touches a Han character (a space
    between them allowed) or such a run: "sha了你", "hong zha到", not the English of a mixed line
    ("我们的app", "call me back").
    """
    if norm.isascii() or not _LATIN_RUN.search(norm) or not _TOUCHING.search(norm):
        return []  # cheapest looks first: an English line, a Chinese line without letters
    chosen: list[tuple[int, int, list[str]]] = []
    for m in _PHRASE.finditer(norm):
        words = [(w.start() + m.start(), w.end() + m.start()) for w in _LATIN_RUN.finditer(m.group(0))]
        ends = []
        if _han_before(norm, m.start()):
            ends.append(words)
        if _han_after(norm, m.end()):
            ends.append(words[::-1])
        taken: dict[int, tuple[int, int, list[str]]] = {}
        for order in ends:  # from the Han side inwards, while the words are pinyin
            for start, end in order:
                parts = _split(norm[start:end])
                if parts is None:
                    break
                taken[start] = (start, end, parts)
        chosen.extend(taken[k] for k in sorted(taken))
    windows: list[list[int]] = []
    for start, end, _ in chosen:
        lo, hi = max(0, start - SPELLED_CONTEXT), min(len(norm), end + SPELLED_CONTEXT)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    return [_reading(norm, lo, hi, [r for r in chosen if lo <= r[0] < hi]) for lo, hi in windows]


_PHRASE = re.compile(r"[a-z]{2,}(?: [a-z]{2,})*")


def _han_before(norm: str, start: int) -> bool:
    k = start - 1 if start and norm[start - 1] != " " else start - 2
    return k >= 0 and is_han(norm[k])


def _han_after(norm: str, end: int) -> bool:
    k = end if end < len(norm) and norm[end] != " " else end + 1
    return k < len(norm) and is_han(norm[k])


def _reading(norm: str, lo: int, hi: int, runs: list[tuple[int, int, list[str]]]) -> SpelledReading:
    codes = _codes()
    out: list[str] = []
    index: list[tuple[int, int]] = []
    edges: set[int] = set()  # in `norm` here, mapped below
    pos = lo
    for start, end, parts in runs:
        out.extend(norm[pos:start])
        index.extend((i, i + 1) for i in range(pos, start))
        at = start
        for part in parts:
            out.append(codes[part])
            index.append((at, at + len(part)))
            at += len(part)
        edges.update((start, end))
        pos = end
    out.extend(norm[pos:hi])
    index.extend((i, i + 1) for i in range(pos, hi))
    keep = [
        not (ch == " " and 0 < i < len(out) - 1 and _sounded(out[i - 1]) and _sounded(out[i + 1]))
        for i, ch in enumerate(out)
    ]
    kept = [span for span, k in zip(index, keep, strict=True) if k]
    return SpelledReading(
        "".join(ch for ch, k in zip(out, keep, strict=True) if k),
        kept,
        frozenset(i for i, (start, _) in enumerate(kept) if start in edges)
        | frozenset(i + 1 for i, (_, end) in enumerate(kept) if end in edges),
    )


def _sounded(ch: str) -> bool:
    return is_han(ch) or is_code(ch)


@cache
def sound_variants(text: str) -> tuple[str, ...]:
    """The sound spellings of (folded) pattern text: heteronyms give several, at most 16."""
    readings = _readings()
    codes = _codes()
    choices: list[tuple[str, ...]] = []
    count = 1
    for ch in text:
        rs = readings.get(ch)
        if rs is None:
            choices.append((ch,))
            continue
        options = tuple(codes[r] for r in rs[:_MAX_READINGS])
        if count * len(options) > _MAX_SOUND_VARIANTS:
            options = options[:1]
        count *= len(options)
        choices.append(options)
    return tuple("".join(combo) for combo in product(*choices))
