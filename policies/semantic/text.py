"""The text the semantic model sees: one normalisation for training and run time.

    >>> prepare("我 会 打断 你 的 腿 ！")
    '我会打断你的腿!'

NFKC (full-width forms become ASCII), runs of white space become one space, and the spaces a
vosk Chinese model puts between characters vanish, so spaced and unspaced ASR output embed
alike. Case and punctuation are kept (Whisper writes them, and the training lines are augmented
without them so the heads do not depend on them).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_CHARS", "prepare", "script_language", "scripts_present"]

# An utterance or SMS longer than this is cut for the model (the e5 encoder reads 512 tokens;
# collection lines are far shorter). The lexicon still reads the whole text.
MAX_CHARS = 1000

_SPACES = re.compile(r"\s+")
# Han only: spaces between Korean words are real word breaks.
_HAN = "\u2e80-\u9fff\uf900-\ufaff"
_HAN_GAP = re.compile(rf"(?<=[{_HAN}]) (?=[{_HAN}])")
_SCRIPTS = (
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
    ("en", re.compile(r"[A-Za-z]{2}")),
)


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
