"""ASR-like variants of training lines, so the heads tolerate what a speech recogniser writes.

    >>> variants("我会打断你的腿！", "zh", seed=7)   # doctest: +SKIP
    ['我会打段你的腿', '我 会 打 断 你 的 腿']

Every variant drops punctuation and lower-cases Latin letters (vosk writes neither). Chinese
variants also put vosk-style spaces between characters and swap characters for homophones —
another character with the same toneless pinyin (pypinyin), drawn from the 3,755 common
characters of GB 2312 level 1, as Mandarin ASR errors mostly are (担当 → 单单, 滨海 → 冰海).
English variants drop a short word now and then; Korean ones lose some word spaces.
Deterministic: the random stream is seeded by `seed` and the line itself.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from speech.semantic.corpus import Line

__all__ = ["HOMOPHONE_RATE", "homophone_swap", "lexicon_clauses", "strip_punctuation", "variants"]

HOMOPHONE_RATE = 0.12  # share of Chinese characters swapped in a noisy variant
_WORD_DROP_RATE = 0.08
_SPACE_DROP_RATE = 0.3


def _rng(text: str, seed: int, salt: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}\0{salt}\0{text}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def strip_punctuation(text: str) -> str:
    """Punctuation and symbols become spaces (apostrophes inside words stay: "don't")."""
    out = []
    for i, ch in enumerate(text):
        cat = unicodedata.category(ch)
        inner_apostrophe = (
            ch in "'’" and 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()
        )
        if (cat[0] in "PS" and not inner_apostrophe) or ch in "《》「」【】":
            out.append(" ")
        else:
            out.append(ch)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@cache
def _homophones() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Toneless pinyin → common characters, and each common character's toneless pinyin."""
    from pypinyin import Style, lazy_pinyin

    by_sound: dict[str, list[str]] = {}
    sound_of: dict[str, str] = {}
    for hi in range(0xB0, 0xD8):  # GB 2312 level 1: rows 16-55
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes((hi, lo)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            sound = lazy_pinyin(ch, style=Style.NORMAL)[0]
            if not sound.isalpha():
                continue
            sound_of[ch] = sound
            by_sound.setdefault(sound, []).append(ch)
    return {k: tuple(v) for k, v in by_sound.items()}, sound_of


def homophone_swap(text: str, rng: random.Random, rate: float = HOMOPHONE_RATE) -> str:
    """Swap about `rate` of the Chinese characters for a common character that sounds the same
    (ignoring tone), reading each character in its context with pypinyin."""
    from pypinyin import Style, lazy_pinyin

    by_sound, sound_of = _homophones()
    chars = list(text)
    # One syllable per Han character, in order, read in context (多音字); other text is dropped.
    sounds = lazy_pinyin(text, style=Style.NORMAL, errors="ignore")
    han_positions = [i for i, ch in enumerate(chars) if _is_han(ch)]
    han_sounds = [s for s in sounds if s and s.isalpha()]
    if len(han_sounds) != len(han_positions):
        han_sounds = [sound_of.get(chars[i], "") for i in han_positions]
    for i, sound in zip(han_positions, han_sounds, strict=True):
        if rng.random() >= rate:
            continue
        pool = [c for c in by_sound.get(sound, ()) if c != chars[i]]
        if pool:
            chars[i] = rng.choice(pool)
    return "".join(chars)


def _drop_words(text: str, rng: random.Random) -> str:
    words = text.split()
    kept = [w for w in words if len(w) > 3 or rng.random() >= _WORD_DROP_RATE]
    return " ".join(kept) if kept else text


def _drop_spaces(text: str, rng: random.Random) -> str:
    parts = text.split(" ")
    out = parts[0]
    for p in parts[1:]:
        out += p if rng.random() < _SPACE_DROP_RATE else " " + p
    return out


def _vosk_spaces(text: str) -> str:
    """vosk's Chinese output: words (here: characters) separated by spaces."""
    return re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", " ", text)


def variants(text: str, lang: str, seed: int) -> list[str]:
    """Two ASR-like variants of one training line (see the module doc); never the line itself."""
    plain = strip_punctuation(text).lower()
    if lang == "zh":
        rng = _rng(text, seed, "zh")
        return [_vosk_spaces(homophone_swap(plain, rng)), homophone_swap(plain, rng, 2 * HOMOPHONE_RATE)]
    if lang == "ko":
        return [plain, _drop_spaces(plain, _rng(text, seed, "ko"))]
    return [plain, _drop_words(plain, _rng(text, seed, "en"))]


# Where a clause ends: sentence and clause punctuation, Latin and full-width.
_CLAUSE_BREAK = re.compile(r"[,.!?;:，。！？；：\n]")


def lexicon_clauses(line: Line) -> list[tuple[str, frozenset[str]]]:
    """The clauses of a violating training line in which the bundled lexicon finds one of the
    line's own categories, each with those categories: ("I'll break your legs", {threat_violence}).

    The corpus was written to be hard for the lexicon, so a stock threat appears in it mostly
    inside a quotation or a negation (hard negatives), rarely bare. Training on these clauses
    (`TrainOptions.lexicon_clauses`, off by default: no better on val) lifts the heads' scores of
    bare stock threats a little. A clause is the line cut at the punctuation around the match;
    the whole line is not repeated. Lines with facts or without labels give none."""
    from policies.screening import matcher_for
    from policies.semantic.combine import lexicon_languages

    langs = lexicon_languages([line.lang])
    if not langs or not line.labels or line.facts:
        return []
    found: dict[str, set[str]] = {}
    for m in matcher_for(langs).screen(line.text, audience=line.audience, speaker=line.speaker, facts=None):
        if not m.is_violation or m.category not in line.labels:
            continue
        breaks = [b.end() for b in _CLAUSE_BREAK.finditer(line.text, 0, m.start)]
        after = _CLAUSE_BREAK.search(line.text, m.end)
        clause = line.text[breaks[-1] if breaks else 0 : after.start() if after else len(line.text)].strip()
        if clause and clause != strip_punctuation(line.text) and clause != line.text.strip():
            found.setdefault(clause, set()).add(m.category)
    return [(c, frozenset(cats)) for c, cats in found.items()]
