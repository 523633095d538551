"""The text the semantic model sees: one normalisation for training and run time.

    >>> prepare("我 会 打断 你 的 腿！")
    '我会打断你的腿!'

NFKC (full-width forms become ASCII), runs of white space become one space, and the spaces a
vosk Chinese model puts between characters vanish, so spaced and unspaced ASR output embed
alike. Case and punctuation are kept (Whisper writes them, and the training lines are augmented
without them so the heads do not depend on them).
"""

from __future__ import annotations

import re
import unicodedata

from policies.lexicon import HAN

__all__ = [
    "MAX_CHARS",
    "MAX_WINDOWS",
    "MIN_SENTENCE",
    "WINDOW_CHARS",
    "prepare",
    "script_language",
    "scripts_present",
    "windows",
]

# An utterance or SMS longer than this is cut for the model (the e5 encoder reads 512 tokens;
# collection lines are far shorter). The lexicon still reads the whole text.
MAX_CHARS = 1000

_SPACES = re.compile(r"\s+")
# Han only: spaces between Korean words are real word breaks.
_HAN_GAP = re.compile(rf"(?<=[{HAN}]) (?=[{HAN}])")
_SCRIPTS = (
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
    ("en", re.compile(r"[A-Za-z]{2}")),
)


# The longest text the heads are shown whole, per language: about 1.5 times the 99th percentile
# of the training lines' length (zh 49, en 161, ko 66 characters). The heads only ever saw
# single collection lines: a threat after a paragraph of payment details embeds as the paragraph
# (scores fell from 0.99 to 0.02 when tried), so a longer text is scored in windows (`windows`).
WINDOW_CHARS = {"zh": 80, "en": 240, "ko": 100}
# A sentence at least this long is also scored alone (half a training line's median length: zh
# 28, en 87, ko 38 characters); a shorter one only with a neighbour, as short lines ("I'll call
# back at four.") alone read as more than they are.
MIN_SENTENCE = {"zh": 14, "en": 43, "ko": 19}
MAX_WINDOWS = 32  # per text, which bounds the cost; the lexicon still reads the whole text
# Where a sentence ends: CJK terminators anywhere, Latin ones before a space, and line breaks.
_SENTENCE_END = re.compile(r"(?<=[。！？；…!?;])|(?<=[.!?;:])(?= )|\n+")
# Within an overlong sentence: after a comma-like mark.
_CLAUSE_END = re.compile(r"(?<=[，、,：])")


def prepare(text: str) -> str:
    """Normalise one line for embedding (see the module doc)."""
    out = unicodedata.normalize("NFKC", text)
    out = _SPACES.sub(" ", out).strip()
    out = _HAN_GAP.sub("", out)
    return out[:MAX_CHARS]


def script_language(text: str) -> str:
    """``zh``, ``ko`` or ``en`` by the script most of the letters are in (an SMS has no language
    tag; code-switched lines go with their main script)."""
    han = hangul = latin = 0
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            han += 1
        elif "\uac00" <= ch <= "\ud7af" or "\u1100" <= ch <= "\u11ff":
            hangul += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    # A Han character carries about a word; Latin letters come ~5 to a word.
    best = max((han, "zh"), (hangul, "ko"), (latin / 5, "en"))
    return best[1] if best[0] > 0 else "en"


def scripts_present(text: str) -> tuple[str, ...]:
    """Every language whose script appears in `text` at all (Han → ``zh``, Hangul → ``ko``, two
    Latin letters in a row → ``en``): a short Mandarin threat inside a long English SMS counts."""
    return tuple(lang for lang, rx in _SCRIPTS if rx.search(text))


def _pieces(text: str, budget: int) -> list[str]:
    """`text` cut into sentences, each at most `budget` characters (an overlong sentence is cut
    after commas, then hard: `_hard_cut`)."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        if len(sentence) <= budget:
            out.append(sentence)
            continue
        part = ""
        for clause in _CLAUSE_END.split(sentence):
            if part and len(part) + len(clause) > budget:
                out.append(part.strip())
                part = ""
            part += clause
            if len(part) > budget:
                out.extend(_hard_cut(part, budget))
                part = ""
        if part.strip():
            out.append(part.strip())
    return out


def _hard_cut(run: str, budget: int) -> list[str]:
    """A run with no sentence or clause break, as pieces of at most `budget` characters that
    overlap by half (a phrase across one cut is whole in the next piece), cut at a space where
    there is one in the piece's second half."""
    out: list[str] = []
    start = 0
    while True:
        end = start + budget
        if end >= len(run):
            out.append(run[start:].strip())
            return [p for p in out if p]
        space = run.rfind(" ", start + budget // 2, end)
        end = space if space > 0 else end
        out.append(run[start:end].strip())
        half = start + max(1, (end - start) // 2)
        space = run.find(" ", half, end)
        start = space + 1 if space > 0 else half


def windows(text: str, language: str) -> list[str]:
    """The prepared pieces of `text` the model scores: the whole text when it is no longer than
    the language's `WINDOW_CHARS`, else every two neighbouring sentences (where the two fit in
    that length) and every sentence alone that is at least `MIN_SENTENCE` long or in no pair,
    in text order, at most `MAX_WINDOWS`. Training lines are one or two sentences: a threat
    split over two sentences stays in one window, and one sentence is not drowned by a long
    neighbour.

    >>> windows("Your balance is $120. Pay or else.", "en")
    ['Your balance is $120. Pay or else.']
    >>> windows("您的账单已出。" * 12 + "再不还钱,小心你哪天出门被车撞了。", "zh")[-2:]
    ['您的账单已出。再不还钱,小心你哪天出门被车撞了。', '再不还钱,小心你哪天出门被车撞了。']
    """
    lang = language.split("-")[0]
    budget = WINDOW_CHARS.get(lang, max(WINDOW_CHARS.values()))
    if len(_SPACES.sub(" ", text).strip()) <= budget:
        return [prepare(text)]
    pieces = [p for p in (prepare(s) for s in _pieces(unicodedata.normalize("NFKC", text), budget)) if p]
    shortest = MIN_SENTENCE.get(lang, 0)

    def fits(i: int) -> bool:  # sentences i and i + 1 together
        return i >= 0 and i + 1 < len(pieces) and len(pieces[i]) + 1 + len(pieces[i + 1]) <= budget

    out: list[str] = []
    for i, piece in enumerate(pieces):
        if len(piece) >= shortest or not (fits(i - 1) or fits(i)):
            out.append(piece)
        if fits(i):
            out.append(prepare(f"{piece} {pieces[i + 1]}"))
    return list(dict.fromkeys(out))[:MAX_WINDOWS] or [prepare(text)]
