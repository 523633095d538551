"""A second reading of a text with common keyword-filter dodges undone, for the lexicon matcher.

    >>> reveal("I will k.i.l.l you", fold("I will k.i.l.l you"))[0]
    'i will kill you'
    >>> reveal("pay up, you st\\u200bupid b!tch", fold("pay up, you st\\u200bupid b!tch"))[0]
    'pay up, you stupid bitch'

Senders who know a filter exists write around it: invisible characters inside a word
(``st<U+200B>upid``, a soft hyphen), look-alike letters from other scripts (Cyrillic ``і`` in
``kіll``), accents and stacked combining marks (``kíll``, ``k̷i̷l̷l̷``), digits and symbols for
letters (``k1ll``, ``$tupid``, ``b!tch``), letters spaced or dotted apart (``k i l l``,
``弄.死.你``, ``죽.여.버.린.다``), letters masked by asterisks (``f***ing``, ``sh*t``) and
Korean typed as loose letters (``ㅈㅜㄱ여``: jamo that a keyboard would have joined into the
syllable ``죽``) or with a digit inside (``병1신``).
`reveal` undoes them and keeps, for every character it returns, the span of the original text it
came from, so a lexicon hit in the revealed text points at the original words. It returns None
for the usual text with none of them (a cheap check), so ordinary screening does no extra work.

The revealed text is only ever read *beside* the text as written (`policies.screening`): it can
add a hit the dodge hid, never remove one. Look-alike letters come from Unicode's confusables
data (TR39, the `confusable-homoglyphs` package), limited to letters that look like a Latin one.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib import resources

from policies.lexicon import CJK, SPACE_RE, space_replacement

__all__ = ["reveal", "warm_reveal"]

# Digits and symbols written for letters, inside a word that has letters too ("k1ll", "$hit").
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s", "@": "a", "!": "i", "|": "l"}
_LEET_CHARS = re.escape("".join(LEET))
# A word mixing letters and stand-ins: at least one letter, at least one stand-in, and a
# stand-in not only at the end ("pay!" and "pay 500" are not dodges).
_LEET_WORD = re.compile(
    rf"(?<![0-9a-z{_LEET_CHARS}])"
    rf"(?=[0-9a-z{_LEET_CHARS}]*[a-z])(?=[0-9a-z{_LEET_CHARS}]*[{_LEET_CHARS}][0-9a-z{_LEET_CHARS}]*[a-z])"
    rf"[0-9a-z{_LEET_CHARS}]+"
)
_LEET_TABLE = str.maketrans(LEET)
# Letters hidden behind asterisks ("f***ing", "sh*t", "a**hole"): writers mask profanity this
# way and little else, so a masked word is read as the first of these it fits letter for letter
# (strong words first: "d**k" is dick, "d**n" damn). A word that fits none is left as written.
MASKED_WORDS = (
    "fuck", "fucks", "fucked", "fucker", "fuckers", "fucking", "fuckin", "motherfucker", "motherfuckers",
    "motherfucking", "shit", "shits", "shitty", "bullshit", "bitch", "bitches", "asshole", "assholes",
    "bastard", "bastards", "cunt", "cunts", "dickhead", "dick", "prick", "twat", "wanker", "whore",
    "slut", "pussy", "piss", "pissed", "goddamn", "damn", "crap", "hell", "ass",
    # Threats masked the same way ("br*ak your l*gs", a re-probe): after the profanity.
    "break", "legs", "kill", "hurt", "burn",
)  # fmt: skip
# A word of letters and asterisks that starts with a letter: "f***", "sh*t" (not "*note*").
_MASKED = re.compile(r"(?<![a-z*])[a-z]+\*[a-z*]*(?![a-z*])")
# The same with dashes ("f---", "sh-t", "f--king"): a dangling single dash ("as-") is not a mask.
# Hyphenated words fit no masked word letter for letter, so only a fit counts as a dodge.
_DASHED = re.compile(r"(?<![a-z*\-])[a-z]+(?:-{2,}[a-z]*|-[a-z\-]*[a-z])(?![a-z*\-])")
# Three or more single letters kept apart by the same one separator:
# "k i l l", "k.i.l.l". The separators are dropped.
_SEP = r"[ .*_~+/|:,\-]"
# CJK is left out: the matcher already joins CJK characters kept apart by spaces (ASR output).
_LETTER = rf"[^\W_{CJK}]"
# An apostrophe before the first letter makes it a clitic ("that's J-E-N-N-A"), not a dodge.
_SPACED = re.compile(rf"(?<!{_LETTER})(?<!')(?<!’){_LETTER}(?:({_SEP}){_LETTER}(?!{_LETTER})){{2,}}")
# Symbols between two CJK characters, which Chinese never has inside a word: "弄.死.你", "죽.여".
_HAN_SEP = re.compile(rf"(?<=[{CJK}])[.*_~+/|·•\-]+(?=[{CJK}])")
# Emoji and other pictographs inside a word ("br🦵eak", "打😀断"): no language writes one between
# two letters of a word (a re-probe). Dropped where a letter stands on both sides.
_PICTOGRAPHS = "\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
_PICTOGRAPH_IN_WORD = re.compile(rf"(?<=[^\W\d_])[{_PICTOGRAPHS}]+(?=[^\W\d_])")
# Korean letters typed loose where a keyboard joins them into a syllable: a consonant, a vowel
# and, unless a vowel follows it, a consonant that can end one. `fold` has made them conjoining
# jamo (NFKC: ㅈ → U+110C, ㅜ → U+116E), which a screen shows as a syllable but no pattern
# matches. Consonants alone (ㅋㅋ, ㅅㅂ) are abbreviations, not a dodge, and are left as they are.
_LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"  # in the order of U+1100-U+1112
_TAILS = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"  # U+11A8-U+11C2
_FINAL_LEADS = "".join(chr(0x1100 + i) for i, c in enumerate(_LEADS) if c in _TAILS)
_JAMO_SYLLABLE = re.compile(
    f"([\u1100-\u1112])([\u1161-\u1175])([{_FINAL_LEADS}\u11a8-\u11c2](?![\u1161-\u1175]))?"
)
_JAMO_HINT = re.compile("[\u1100-\u1112][\u1161-\u1175]")
# One digit inside a Korean word, where no number belongs: "병1신", "씨1발".
_HANGUL_DIGIT = re.compile("(?<=[\uac00-\ud7a3])[0-9](?=[\uac00-\ud7a3])")
# The CJK dodges in one pass, for the first look (an ASCII line skips it).
_CJK_DODGE = re.compile("|".join(rx.pattern for rx in (_HAN_SEP, _JAMO_HINT, _HANGUL_DIGIT)))
# Scripts whose letters are never mapped to Latin ones: CJK, kana, Hangul jamo.
_CJK_OR_JAMO = re.compile(rf"[{CJK}\u3040-\u30ff\u3130-\u318f\u1100-\u11ff]")


def _hidden(ch: str) -> bool:
    """Characters that render as nothing (format characters, the invisible characters below
    whatever their category: Hangul fillers are letters) or stack on the one before (combining
    marks): dropped from the revealed text."""
    return ch in _INVISIBLE or unicodedata.category(ch) in ("Cf", "Mn", "Me")


_NAMED_LETTER = re.compile(
    r"^(?:PARENTHESIZED |SQUARED |NEGATIVE SQUARED |NEGATIVE CIRCLED |CIRCLED )?"
    r"(?:LATIN (?:CAPITAL |SMALL )?LETTER (?:SMALL CAPITAL )?|REGIONAL INDICATOR SYMBOL LETTER )([A-Z])$"
)
_NAMED_LETTER_BLOCKS = (
    (0x250, 0x2B0),
    (0x1D00, 0x1D80),
    (0x2460, 0x2500),
    (0xA720, 0xA800),
    (0x1F100, 0x1F200),
)
# Greek and Cyrillic letters that pass for Latin ones in a line but are not in the confusables
# data as such (a re-probe: "breaк", "brεακ").
_MORE_LOOK_ALIKES = {"к": "k", "κ": "k", "ε": "e", "τ": "t", "χ": "x", "ω": "w", "η": "n", "ғ": "f"}


@cache
def _look_alikes() -> dict[str, str]:
    """Non-ASCII letters that look like a Latin letter → that letter (lower case), and Latin
    letters with accents → the bare letter. CJK and Hangul are never mapped."""
    # The package's data file, read directly: its modules import urllib (for their updater).
    data = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    table: dict[str, str] = {}
    for src, targets in json.loads(data).items():
        if len(src) != 1 or src.isascii() or not src.isalpha() or _CJK_OR_JAMO.match(src):
            continue
        for target in targets:
            letter = target["c"]
            if len(letter) == 1 and letter.isascii() and letter.isalpha():
                table[src] = letter.lower()
                break
    # Letters drawn as other letters' variants, which the confusables data leaves out: small
    # capitals (ʙʀᴇᴀᴋ), parenthesized, squared and negative-circled letters (⒝, 🄱, 🅑) and the
    # regional indicators that render as letters between flags (🇧🇷🇪🇦🇰), found by a re-probe.
    for lo, hi in _NAMED_LETTER_BLOCKS:
        for cp in range(lo, hi):
            m = _NAMED_LETTER.search(unicodedata.name(chr(cp), ""))
            if m and chr(cp) not in table:
                table[chr(cp)] = m.group(1).lower()
    for src, letter in _MORE_LOOK_ALIKES.items():
        table.setdefault(src, letter)
    for cp in range(0xC0, 0x250):  # Latin-1 Supplement and Latin Extended-A/B
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if ch.isalpha() and base.isascii() and base.isalpha() and ch not in table:
            table[ch] = base.lower()
    return table


_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u3164\uffa0\u17b4\u17b5\u180e\ufeff\u2800"
    + "".join(chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070)))
)
# Cheap first looks (plain searches, no look-around) before the exact patterns run.
_LEET_HINT = re.compile(rf"[a-z][{_LEET_CHARS}]|[$@][a-z]")
_SPACED_HINT = re.compile(rf"\b\w{_SEP}\w{_SEP}\w\b")


@cache
def _suspects() -> frozenset[str]:
    """Characters that alone show a dodge: look-alike letters, invisible characters and
    combining marks."""
    marks = (*range(0x300, 0x370), *range(0x1AB0, 0x1B00), *range(0x1DC0, 0x1E00), *range(0x20D0, 0x2100))
    # Every format character (tags, bidi controls, ...) and the variation selectors, which render
    # as nothing after a letter: found by a probe, "l\ufe0fegs" and a tag character passed.
    hidden = (
        *range(0x180B, 0x1810),
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
        *(c for c in (*range(0x10000), *range(0xE0000, 0xE0080)) if unicodedata.category(chr(c)) == "Cf"),
    )
    return (
        frozenset(_look_alikes())
        | _INVISIBLE
        | frozenset(chr(c) for c in marks if _hidden(chr(c)))
        | frozenset(map(chr, hidden))
    )


def warm_reveal() -> None:
    """Read the look-alike table now (at a matcher's construction) rather than on first use."""
    _suspects()


def _suspect(text: str, folded: str) -> bool:
    """Whether `text` may hold a dodge (a few microseconds for a line without one)."""
    suspects = _suspects()
    return (
        not suspects.isdisjoint(text)
        or bool(_LEET_HINT.search(folded) and _LEET_WORD.search(folded))
        or bool(_SPACED_HINT.search(folded) and _SPACED.search(folded))
        or ("*" in folded and bool(_MASKED.search(folded)))
        or ("-" in text and any(_unmask(m) != m.group(0) for m in _DASHED.finditer(text.lower())))
        or (not folded.isascii() and bool(_CJK_DODGE.search(folded)))
        or (not text.isascii() and bool(_PICTOGRAPH_IN_WORD.search(text)))
    )


def reveal(text: str, folded: str) -> tuple[str, list[tuple[int, int]]] | None:
    """`text` (and its `policies.lexicon.fold`, the same length) with the dodges undone, spaces
    squeezed as the matcher squeezes them, and the (start, end) in `text` of every character
    returned (a joined syllable spans its letters); None when `text` shows no dodge."""
    if not _suspect(text, folded):
        return None
    look = _look_alikes()
    chars: list[str] = []
    index: list[tuple[int, int]] = []
    for i in _display_order(text):
        ch, fch = text[i], folded[i]
        if _hidden(ch):
            continue
        # fold reads a dash as a space; it is kept until masked words are read (`_DASHED`).
        chars.append("-" if ch == "-" else look.get(fch, fch))
        index.append((i, i + 1))
    out = "".join(chars)
    out = _LEET_WORD.sub(_unleet, out)
    out = _MASKED.sub(_unmask, out)  # one letter for each asterisk: the index still holds
    out = _DASHED.sub(_unmask, out).replace("-", " ")
    out, index = _join_jamo(out, index)
    out, index = _drop(out, index, [(m.start(), m.end()) for m in _PICTOGRAPH_IN_WORD.finditer(out)])
    out, index = _drop(out, index, _spaced_separators(out))
    out, index = _drop(out, index, [(m.start(), m.end()) for m in _HAN_SEP.finditer(out)])
    out, index = _drop(out, index, [(m.start(), m.end()) for m in _HANGUL_DIGIT.finditer(out)])
    # Spaces squeezed as the matcher squeezes them (`policies.lexicon.SPACE_RE`).
    squeezed = [(m.start() + len(space_replacement(m)), m.end()) for m in SPACE_RE.finditer(out)]
    out, index = _drop(out, index, squeezed)
    stripped = out.strip()
    lead = len(out) - len(out.lstrip())
    return stripped, index[lead : lead + len(stripped)]


def _display_order(text: str) -> list[int]:
    """The positions of `text` in the order a screen shows them: a right-to-left override
    (U+202E) shows what follows it reversed, up to its pop (U+202C) or the end, so "\u202ekaerb"
    reads "break" (a re-probe). Other text keeps its order."""
    if "\u202e" not in text:
        return list(range(len(text)))
    order: list[int] = []
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch == "\u202e":
            opened.append(len(order))
        elif ch == "\u202c" and opened:
            start = opened.pop()
            order[start:] = order[start:][::-1]
        order.append(i)
    for start in reversed(opened):
        order[start:] = order[start:][::-1]
    return order


def _unleet(m: re.Match[str]) -> str:
    """A word's stand-ins as letters, up to its last letter ("b!tch!" → "bitch!")."""
    word = m.group(0)
    last = max(i for i, c in enumerate(word) if "a" <= c <= "z") + 1
    return word[:last].translate(_LEET_TABLE) + word[last:]


def _unmask(m: re.Match[str]) -> str:
    """A masked word (asterisks or dashes) as the first of `MASKED_WORDS` it fits, else as
    written."""
    word = m.group(0)
    for cand in MASKED_WORDS:
        if len(cand) == len(word) and all(w in ("*", "-", c) for w, c in zip(word, cand, strict=True)):
            return cand
    return word


def _join_jamo(text: str, index: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Loose Korean letters joined into syllables (``ㅈㅜㄱ`` → ``죽``), each spanning its letters."""
    if not _JAMO_HINT.search(text):
        return text, index
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    pos = 0
    for m in _JAMO_SYLLABLE.finditer(text):
        chars.append(text[pos : m.start()])
        where.extend(index[pos : m.start()])
        code = (ord(m.group(1)) - 0x1100) * 21 + ord(m.group(2)) - 0x1161
        chars.append(chr(0xAC00 + code * 28 + _tail(m.group(3))))
        where.append((index[m.start()][0], index[m.end() - 1][1]))
        pos = m.end()
    chars.append(text[pos:])
    where.extend(index[pos:])
    return "".join(chars), where


def _tail(jamo: str | None) -> int:
    """A syllable's final consonant index (0: none) for a leading or trailing conjoining jamo."""
    if jamo is None:
        return 0
    if "\u11a8" <= jamo <= "\u11c2":
        return ord(jamo) - 0x11A7
    return _TAILS.index(_LEADS[ord(jamo) - 0x1100]) + 1


def _spaced_separators(text: str) -> list[tuple[int, int]]:
    """The separators of every run of spaced-apart single letters."""
    spans: list[tuple[int, int]] = []
    for m in _SPACED.finditer(text):
        sep = m.group(1)
        run = m.group(0)
        if any(run[j] != sep for j in range(1, len(run), 2)):
            continue  # mixed separators ("a. b-c"): a list, not a word
        spans.extend((m.start() + j, m.start() + j + 1) for j in range(1, len(run), 2))
    return spans


def _drop(
    text: str, index: list[tuple[int, int]], spans: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """`text` without the characters in `spans` (sorted, not overlapping), and its index."""
    if not spans:
        return text, index
    keep = [True] * len(text)
    for start, end in spans:
        for j in range(start, end):
            keep[j] = False
    return (
        "".join(c for c, k in zip(text, keep, strict=True) if k),
        [p for p, k in zip(index, keep, strict=True) if k],
    )
