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

import unicodedata
from functools import cache
from itertools import product

__all__ = ["is_han", "sound_table", "sound_variants", "syllable"]

_PUA = 0xE000  # syllables are numbered from here (about 420 of them)
_PUA_END = 0xF8FF
_MAX_READINGS = 2  # per heteronym character of a pattern
_MAX_SOUND_VARIANTS = 16  # per pattern variant


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


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
def sound_table() -> dict[int, str]:
    """`str.translate` table: each Han character → the character of its first reading.

    Private-use characters in the text are mapped to U+FFFD so that they can never pose as a
    syllable.
    """
    codes = _codes()
    table: dict[int, str] = {cp: "\ufffd" for cp in range(_PUA, _PUA_END + 1)}
    for ch, readings in _readings().items():
        table[ord(ch)] = codes[readings[0]]
    return table


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
