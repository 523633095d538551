"""Keyword-filter dodges: `policies.obfuscation.reveal` and the matcher reading the revealed text
beside the text as written."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.lexicon import fold
from policies.obfuscation import reveal
from policies.screening import screen

ZW = "\u200b"


def _reveal(text: str) -> str | None:
    out = reveal(text, fold(text))
    return None if out is None else out[0]


@pytest.mark.parametrize(
    ("text", "revealed"),
    [
        (f"I will k{ZW}i{ZW}l{ZW}l you", "i will kill you"),  # invisible characters
        (f"you st{ZW}upid b\u00aditch", "you stupid bitch"),  # ... and a soft hyphen
        ("I will k\u3164ill you", "i will kill you"),  # ... and a Hangul filler (a letter)
        ("we will break your l\ufe0fegs", "we will break your legs"),  # a variation selector
        ("we will break your l\U000e0020egs", "we will break your legs"),  # a tag character
        ("we will break your l\U000e0100egs", "we will break your legs"),  # a supplementary selector
        ("你这个\u180b废物", "你这个废物"),  # a Mongolian variation selector
        # A re-probe (2026-12-07): pictographs inside a word, the Braille blank, text shown
        # reversed by a right-to-left override, more look-alike letters, masked threats.
        ("we will br\U0001f9b5eak your legs", "we will break your legs"),
        ("we will b\u2800reak your legs", "we will break your legs"),
        ("we will \u202ekaerb\u202c your legs", "we will break your legs"),
        ("\u202esgel ruoy kaerb lliw ew\u202c", "we will break your legs"),
        ("we will brea\u043a your legs", "we will break your legs"),  # Cyrillic к
        ("br\u03b5\u03b1\u03ba your legs", "break your legs"),  # Greek
        ("\u249d\u24ad\u24a0\u249c\u24a6 your legs", "break your legs"),  # parenthesized
        ("\U0001f131\U0001f141\U0001f134\U0001f130\U0001f13a your legs", "break your legs"),  # squared
        ("\U0001f1e7\U0001f1f7\U0001f1ea\U0001f1e6\U0001f1f0 your legs", "break your legs"),  # regional
        ("\u0299\u0280\u1d07\u1d00\u1d0b your legs", "break your legs"),  # small capitals
        ("we will br*ak your l*gs", "we will break your legs"),
        ("我们会打\U0001f600断你的腿", "我们会打断你的腿"),
        ("\u202e腿的你断打\u202c", "打断你的腿"),
        ("I will k.i.l.l you", "i will kill you"),  # letters dotted apart
        ("I will k i l l you", "i will kill you"),  # ... spaced apart
        ("I will k1ll you", "i will kill you"),  # digits for letters
        ("you $tupid b!tch!", "you stupid bitch!"),  # symbols for letters; the closing ! stays
        ("I will k\u0456ll you", "i will kill you"),  # Cyrillic і
        ("I will k\u00edll you", "i will kill you"),  # an accent
        ("k\u0337i\u0337l\u0337l\u0337 you", "kill you"),  # stacked combining marks
        ("再不还钱我弄.死.你", "再不还钱我弄死你"),  # symbols between Han characters
        ("죽.여.버.린.다", "죽여버린다"),
        ("ㅈㅜㄱ.여.버.린.다", "죽여버린다"),  # Korean typed as loose letters
        ("ㅆㅣㅂㅏㄹ", "씨발"),
        ("ㄷㅏㄺㅇㅏ", "닭아"),  # a final that a vowel follows starts the next syllable
        ("병1신", "병신"),  # a digit inside a Korean word
        ("the f***ing portal crashed", "the fucking portal crashed"),  # letters masked by asterisks
        ("sh*t happens, you a**hole", "shit happens, you asshole"),
        ("F*** off", "fuck off"),
        ("d**n it, and d**k", "damn it, and dick"),  # the first word of the list that fits
    ],
)
def test_reveal_undoes_each_dodge(text: str, revealed: str) -> None:
    assert _reveal(text) == revealed


@pytest.mark.parametrize(
    "text",
    [
        "Hi, this is Anna from Acme about your account; the balance is 420 dollars.",
        "Can you pay $500 by 4 pm on Friday?",
        "我 会 帮 您 申请 分期 还款",  # vosk-spaced Mandarin: the matcher joins it already
        "您好，这里是某某银行的催收专员。",
        "안녕하세요, 카드 대금 관련해서 연락드렸습니다.",
        "Options a, b or c.",
        "ㅋㅋㅋ ㅎㅎ 네 알겠습니다 ㅅㅂ",  # consonants alone are abbreviations: the lexicon has them
        "*Note* the fee is 5*3 = 15 dollars, see clause 4*",  # asterisks that mask no word
        "Thanks for paying today \U0001f44d see you next month \u2764",  # emoji between words
    ],
)
def test_ordinary_text_is_not_read_twice(text: str) -> None:
    assert _reveal(text) is None


def test_positions_point_at_the_original_characters() -> None:
    text = f"Pay now or I will k{ZW}.i{ZW}.l.l you"
    out = reveal(text, fold(text))
    assert out is not None
    clean, index = out
    start = clean.index("kill")
    assert text[index[start][0] : index[start + 3][1]] == f"k{ZW}.i{ZW}.l.l"


def test_a_digit_in_a_korean_word_is_dropped_only_to_read_beside() -> None:
    # 제1조, 주2회: read a second time as 제조, 주회, which match nothing
    text = "제1조 2항에 따라 주2회 연락드립니다"
    assert _reveal(text) is not None
    assert [m.rule for m in screen(text, ["ko"]) if m.is_violation] == []


def test_a_joined_syllable_spans_its_letters() -> None:
    text = "안 넣으면 ㅈㅜㄱ여버린다"
    hits = [m for m in screen(text, ["ko"]) if m.category == "threat_violence"]
    assert hits
    assert hits[0].match.startswith("ㅈㅜㄱ여")


@pytest.mark.parametrize(
    ("text", "lang", "rule_part"),
    [
        (f"If you don't pay I will k{ZW}i{ZW}l{ZW}l you", "en", "threat_violence"),
        ("We will break your l\ufe0fegs. Reply STOP to opt out", "en", "threat_violence"),
        ("We will br\U0001f9b5eak your legs. Reply STOP to opt out", "en", "threat_violence"),
        ("我们会打\U0001f600断你的腿。回复TD退订", "zh", "threat_violence"),
        ("We will break your l\U000e0020egs. Reply STOP to opt out", "en", "threat_violence"),
        ("If you don't pay I will k.i.l.l you", "en", "threat_violence"),
        ("If you don't pay I will k\u0456ll you", "en", "threat_violence"),
        ("you st\u200bupid b!tch, pay up", "en", "insult_profanity"),
        ("再不还钱我弄.死.你", "zh", "threat_violence"),
        ("내일까지 안 넣으면 ㅈㅜㄱ.여.버.린.다", "ko", "threat_violence"),
        ("ugh sorry the f***ing portal crashed again", "en", "insult_profanity"),
    ],
)
def test_the_matcher_sees_through_a_dodge(text: str, lang: str, rule_part: str) -> None:
    assert _reveal(text) is not None
    hits = [m for m in screen(text, [lang]) if m.is_violation and m.category == rule_part]
    assert hits, screen(text, [lang])
    hit = hits[0]
    assert text[hit.start : hit.end] == hit.match  # spans point into the text as written
    assert hit.match.strip()


def test_negation_still_reads_the_revealed_text() -> None:
    assert not [m for m in screen("We would never k.i.l.l anyone over a debt.", ["en"]) if m.is_violation]


def test_the_revealed_reading_only_adds() -> None:
    text = "We will break your legs, you st\u200bupid b!tch"
    cats = {m.category for m in screen(text, ["en"]) if m.is_violation}
    assert {"threat_violence", "insult_profanity"} <= cats


ALPHABET = "ab k1l!$*.-_ \u200b\ufe0f\U000e0020\u00ad\u0456\u00ed\u0337弄死你죽여ㅈㅜㄱㅇㅕㅏ"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=40))
def test_reveal_keeps_a_position_for_every_character(text: str) -> None:
    out = reveal(text, fold(text))
    if out is None:
        return
    clean, index = out
    assert len(index) == len(clean)
    assert all(0 <= start < end <= len(text) for start, end in index)
    # in order and not overlapping: characters are only dropped or joined, never moved
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(index))
    screen(text, ["en", "zh", "ko"])  # and the matcher maps every hit back without error


@pytest.mark.parametrize(
    ("text", "revealed"),
    [
        ("i don't give a f--- about it", "i don't give a fuck about it"),
        ("this sh-t system", "this shit system"),
        ("the f--king balance", "the fucking balance"),
        ("you stupid b-tch", "you stupid bitch"),
    ],
)
def test_a_word_masked_with_dashes_is_read_as_the_word_it_fits(text: str, revealed: str) -> None:
    out = reveal(text, fold(text))
    assert out is not None
    assert out[0] == revealed
    assert len(out[1]) == len(out[0])  # every character still points into the text as written


@pytest.mark.parametrize(
    "text", ["a self-serve co-op x-ray", "such as- um well", "an e-mail re-sent", "twenty-one"]
)
def test_hyphenated_words_are_no_dodge(text: str) -> None:
    assert reveal(text, fold(text)) is None  # no masked word fits: not even read again
