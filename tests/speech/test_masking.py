"""speech.masking: spoken national ID, bank card and phone numbers are found in ASR text."""

from __future__ import annotations

import pytest

from speech.masking import find_numbers

CASES = [
    pytest.param("card 4111 1111 1111 1111 thanks", [("bank_card", "4111 1111 1111 1111")], id="card-groups"),
    pytest.param("it's 4111, 1111, 1111, 1111.", [("bank_card", "4111, 1111, 1111, 1111")], id="card-commas"),
    pytest.param("SSN 123-45-6789.", [("national_id", "123-45-6789")], id="ssn"),
    pytest.param("call (208) 555-0100 now", [("phone", "(208) 555-0100")], id="us-phone"),
    pytest.param("+1 208 555 0100", [("phone", "+1 208 555 0100")], id="us-phone-cc"),
    pytest.param("pay 1234.56 or 555.123.4567", [("phone", "555.123.4567")], id="amount-vs-dotted-phone"),
    pytest.param(
        "my number is one three eight zero zero one three eight zero zero zero",
        [("phone", "one three eight zero zero one three eight zero zero zero")],
        id="spelled-cn-mobile",
    ),
    pytest.param(
        "it is four one one one one one one one one one one one one one one one ok",
        [("bank_card", "four one one one one one one one one one one one one one one one")],
        id="spelled-card",
    ),
    pytest.param("身份证号 11010519491231002X 对吧", [("national_id", "11010519491231002X")], id="cn-id-x"),
    pytest.param(
        "一 三 八 零 零 一 三 八 零 零 零",
        [("phone", "一 三 八 零 零 一 三 八 零 零 零")],
        id="zh-spaced-mobile",
    ),
    pytest.param("卡号是6222021234567890123", [("bank_card", "6222021234567890123")], id="zh-card"),
    pytest.param(
        "제 번호는 공일공 일이삼사 오육칠팔 입니다",
        [("phone", "공일공 일이삼사 오육칠팔")],
        id="ko-spoken-mobile",
    ),
    pytest.param(
        "주민번호 구공공일공일 일이삼사오육칠",
        [("national_id", "구공공일공일 일이삼사오육칠")],
        id="ko-spoken-rrn",
    ),
    pytest.param("공일공-일이삼사-오육칠팔", [("phone", "공일공-일이삼사-오육칠팔")], id="ko-dashed"),
    pytest.param(
        "직통 번호는 02-3456-7890이고 평일만 받아요", [("phone", "02-3456-7890")], id="ko-particle-on-figure"
    ),
    pytest.param("오늘 이사 일정이 있어요 사이 좋게 일이 많아요", [], id="ko-syllables-not-a-number"),
    pytest.param("일이삼사 오육칠팔", [], id="ko-eight-digits"),
    pytest.param("the balance is $1,234,567.89 today", [], id="amount-with-commas"),
    pytest.param("the last four are 1 2 3 4", [], id="last-four"),
    pytest.param("on 12/05/2026 at 10:30", [], id="date-time"),
    pytest.param("oh no, one two three", [], id="short-spelled"),
    pytest.param("I owe for one month", [], id="for-is-not-four"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_find_numbers(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(s.kind, text[s.start : s.end]) for s in find_numbers(text)] == expected


@pytest.mark.parametrize(
    ("digits", "kind"),
    [
        ("123456789", "national_id"),
        ("2085550100", "phone"),
        ("12085550100", "phone"),
        ("378282246310005", "bank_card"),  # Amex, Luhn-valid
        ("110105194912310", "national_id"),  # old 15-digit CN ID
        ("9001011234567", "national_id"),  # KR resident registration number
        ("110105194912310021", "national_id"),
        ("62220212345678901", "bank_card"),
        ("123456789012345678901", "number"),
    ],
)
def test_kind_by_length(digits: str, kind: str) -> None:
    (span,) = find_numbers(f"number {digits} end")
    assert (span.kind, span.digits) == (kind, digits)
