"""ASR-like augmentation of training lines: deterministic, and homophones really sound the same."""

from __future__ import annotations

import random

from pypinyin import Style, lazy_pinyin

from speech.semantic.augment import homophone_swap, strip_punctuation, variants


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
