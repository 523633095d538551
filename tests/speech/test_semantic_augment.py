"""Augmentation of training lines: ASR-like variants (deterministic, homophones really sound the
same) and the lexicon's stock phrases cut out of violating lines."""

from __future__ import annotations

import random

from pypinyin import Style, lazy_pinyin

from speech.semantic.augment import homophone_swap, lexicon_clauses, strip_punctuation, variants
from speech.semantic.corpus import Line, parse_line


def test_variants_are_deterministic_per_seed() -> None:
    line = "你再不还钱，我们就去你单位找你领导谈谈！"
    assert variants(line, "zh", 13) == variants(line, "zh", 13)
    assert variants(line, "zh", 13) != variants(line, "zh", 14)


def test_zh_variants_are_asr_like() -> None:
    line = "你再不还钱，我们就去你单位找你领导谈谈！"
    spaced, noisy = variants(line, "zh", 13)
    assert "，" not in spaced
    assert "！" not in noisy
    assert " " in spaced  # vosk puts spaces between Chinese words
    assert len(noisy) == len(strip_punctuation(line))


def test_homophones_keep_the_toneless_pinyin() -> None:
    text = "我们明天去你单位找你领导谈谈这笔欠款的事情"
    swapped = homophone_swap(text, random.Random(1), rate=0.5)
    assert swapped != text
    assert lazy_pinyin(swapped, style=Style.NORMAL) == lazy_pinyin(text, style=Style.NORMAL)


def test_en_and_ko_variants() -> None:
    en = variants("Pay TODAY, you deadbeat!", "en", 13)
    assert en[0] == "pay today you deadbeat"
    assert strip_punctuation("don't stop.") == "don't stop"
    ko = variants("오늘까지 입금하세요. 안 그러면 곤란해집니다!", "ko", 13)
    assert ko[0] == "오늘까지 입금하세요 안 그러면 곤란해집니다"
    assert ko[1].replace(" ", "") == ko[0].replace(" ", "")


def _line(text: str, labels: list[str], lang: str = "en") -> Line:
    return parse_line(
        {"text": text, "lang": lang, "speaker": "agent", "audience": "debtor", "labels": labels}, "t:1"
    )


def test_lexicon_clauses_cut_the_stock_phrase_out_of_a_violating_line() -> None:
    line = _line(
        "Listen carefully. If you don't pay by Friday, we will break your legs, understood?",
        ["threat_violence"],
    )
    assert lexicon_clauses(line) == [("we will break your legs", frozenset({"threat_violence"}))]
    zh = _line("你听好了，今天不还钱，我就打断你的腿，自己看着办。", ["threat_violence"], "zh")
    assert [labels for _, labels in lexicon_clauses(zh)] == [frozenset({"threat_violence"})]
    assert all(clause in zh.text and clause != zh.text for clause, _ in lexicon_clauses(zh))


def test_lexicon_clauses_only_for_the_lines_own_categories() -> None:
    # A quotation labelled lawful gives nothing, and neither does a category the line lacks.
    assert lexicon_clauses(_line("He said, we will break your legs. That is not acceptable.", [])) == []
    assert lexicon_clauses(_line("Pay today, we will break your legs.", ["harassment"])) == []
