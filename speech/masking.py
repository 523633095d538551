"""Find spoken national ID, bank card and full phone numbers in transcript text.

    >>> [(s.kind, s.digits) for s in find_numbers("card 4111 1111 1111 1111 thanks")]
    [('bank_card', '4111111111111111')]
    >>> [s.digits for s in find_numbers("it's one three eight zero zero one three eight zero zero zero")]
    ['13800138000']

ASR writes digits as figures ("4111 1111"), as words ("four one one one", "一 三 八", Sino-Korean
"공일공 일이삼사", as vosk's Korean model does) or mixed,
in groups split by spaces, dashes, dots, brackets or ", ". A run of at least 9 digits is
masked; shorter runs (amounts, dates, the last four digits) are kept. The kind is a best guess
from the length (the stored transcript is masked whatever the kind):

=======  ==========================================================================
9        ``national_id`` (US Social Security number)
10-12    ``phone`` (US 10 digits, +1 / CN mobile 11, with a country code 12)
13       ``national_id`` (KR resident registration) unless a valid card number (Luhn)
15       ``bank_card`` when Luhn-valid (Amex), else ``national_id`` (old CN ID)
17 + X   ``national_id`` (CN resident ID ending in X); 18 digits: ``national_id``
14-19    ``bank_card`` (other lengths; ASR errors break Luhn, so it is not required)
20+      ``number`` (masked all the same)
=======  ==========================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MIN_DIGITS", "VERSION", "NumberSpan", "find_numbers", "placeholder"]

VERSION = "2026.12.0"  # stamped on privacy flags as ``mask@VERSION``
MIN_DIGITS = 9

_EN_DIGITS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_ZH_DIGITS = {
    "零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "二": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}  # fmt: skip
# Sino-Korean digit syllables, the way phone and ID numbers are read out. Several are also common
# syllables (이, 사, 오), but nine of them in a row with only separators between is a number.
_KO_DIGITS = {
    "공": "0", "영": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5", "육": "6",
    "륙": "6", "칠": "7", "팔": "8", "구": "9",
}  # fmt: skip
_WORDS = "|".join(sorted(_EN_DIGITS, key=len, reverse=True))
_TOKEN = re.compile(
    rf"(?P<d>[0-9０-９])|(?<![A-Za-z'])(?P<w>{_WORDS})(?![A-Za-z'])|(?P<z>[{''.join(_ZH_DIGITS)}])|(?P<k>[{''.join(_KO_DIGITS)}])",
    re.IGNORECASE,
)
# What may stand between two digits of one number: spaces, dashes, dots, brackets, a slash,
# a comma beside a space ("4111, 1111", "4 ,111"), never a bare comma ("1,234" is an amount).
_SEPARATOR = re.compile(r"[\s\-‐–—.()/+]*(?:(?:\s,|,\s)[\s\-‐–—.()/]*)?\Z")
_MAX_SEP = 4
_DECIMALS = re.compile(r"[0-9０-９]{1,2}(?![0-9０-９])")


@dataclass(frozen=True)
class NumberSpan:
    start: int  # character offsets in the text
    end: int
    kind: str  # national_id | bank_card | phone | number
    digits: str


def placeholder(kind: str) -> str:
    """What replaces a masked number in a stored transcript: ``[bank_card]``."""
    return f"[{kind}]"


def find_numbers(text: str) -> list[NumberSpan]:
    """Runs of at least `MIN_DIGITS` spoken or written digits, with their guessed kind."""
    spans: list[NumberSpan] = []
    run: list[tuple[int, int, str, bool]] = []  # (start, end, digit, is_word)

    def flush() -> None:
        # A lone spelled "o"/"oh" is not a digit: trim word-only zeros at the ends of a run.
        while run and run[0][3] and text[run[0][0] : run[0][1]].lower() in ("o", "oh"):
            run.pop(0)
        while run and run[-1][3] and text[run[-1][0] : run[-1][1]].lower() in ("o", "oh"):
            run.pop()
        digits = "".join(d for _, _, d, _ in run)
        if len(digits) >= MIN_DIGITS:
            start, end = run[0][0], run[-1][1]
            while start > 0 and text[start - 1] in "(+":
                start -= 1
            if len(digits) == 17 and end < len(text) and text[end] in "Xx":
                digits += "X"
                end += 1
            spans.append(NumberSpan(start, end, _kind(digits), digits))
        run.clear()

    for m in _TOKEN.finditer(text):
        if m.group("d"):
            digit, is_word = str(int(m.group("d"))), False
        elif m.group("w"):
            digit, is_word = _EN_DIGITS[m.group("w").lower()], True
        elif m.group("z"):
            digit, is_word = _ZH_DIGITS[m.group("z")], False
        else:
            if run and m.start() == run[-1][1] and text[m.start() - 1].isdigit():
                continue  # a particle on a figure: "7890이" is 7890 and 이 ("is")
            digit, is_word = _KO_DIGITS[m.group("k")], False
        if run:
            gap = text[run[-1][1] : m.start()]
            if len(gap) > _MAX_SEP or not _SEPARATOR.match(gap) or _joined_figures(run, m, gap):
                flush()
        run.append((m.start(), m.end(), digit, is_word))
    flush()
    return spans


def _joined_figures(run: list[tuple[int, int, str, bool]], m: re.Match[str], gap: str) -> bool:
    """A decimal point before one or two final figures ends a number: "1234.56" is an amount
    ("555.123.4567" is a phone number)."""
    if gap != "." or not m.group("d") or run[-1][3]:
        return False
    return _DECIMALS.match(m.string, m.start()) is not None


def _kind(digits: str) -> str:
    n = len(digits)
    if digits.endswith("X") or n == 18:
        return "national_id"
    if n == 9:
        return "national_id"
    if 10 <= n <= 12:
        return "phone"
    if n == 13:
        return "bank_card" if _luhn(digits) else "national_id"
    if n == 15:
        return "bank_card" if _luhn(digits) else "national_id"
    if 14 <= n <= 19:
        return "bank_card"
    return "number"


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
