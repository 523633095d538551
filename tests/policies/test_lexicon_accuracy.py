"""Accuracy of the bundled lexicons on the labelled set in tests/data/flagging/.

Each line: {"text", "audience", "speaker", "facts", "labels": [violation categories], "info": [...]
optional, "split": "dev" | "holdout"}. A line is predicted violating in category C when `screen`
returns any violation (severity other than info) of C. Precision and recall are micro-averaged over
(line, category) pairs; per-category figures are printed (`pytest -s` shows them).

Splits: `dev` lines were used to tune the lexicons; `holdout` lines (~30 %) were written before the
lexicons and scored blind once; `fresh` lines were written after that, with freer phrasing, and
scored blind once. docs/lexicons.md records the blind first-run figures; once a split's errors
have been looked at and fixed it is no longer blind, so the figures here are not estimates of
accuracy on unseen speech.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from policies.screening import LEXICON_CATEGORIES, screen

DATA = Path(__file__).resolve().parents[1] / "data" / "flagging"
LANGUAGES = ("en", "zh")
MIN_PRECISION = 0.90
MIN_RECALL = 0.85


def load(lang: str) -> list[dict[str, Any]]:
    with (DATA / f"{lang}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class Score:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    info_expected: int = 0
    info_found: int = 0
    errors: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(num: int, den: int) -> float:
        return num / den if den else 1.0

    def precision(self, cat: str | None = None) -> float:
        tp = self.tp[cat] if cat else sum(self.tp.values())
        fp = self.fp[cat] if cat else sum(self.fp.values())
        return self.ratio(tp, tp + fp)

    def recall(self, cat: str | None = None) -> float:
        tp = self.tp[cat] if cat else sum(self.tp.values())
        fn = self.fn[cat] if cat else sum(self.fn.values())
        return self.ratio(tp, tp + fn)

    def table(self, title: str) -> str:
        rows = [f"{title}", f"  {'category':24} {'P':>6} {'R':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
        for cat in LEXICON_CATEGORIES:
            if self.tp[cat] + self.fp[cat] + self.fn[cat]:
                rows.append(
                    f"  {cat:24} {self.precision(cat):6.3f} {self.recall(cat):6.3f}"
                    f" {self.tp[cat]:4} {self.fp[cat]:4} {self.fn[cat]:4}"
                )
        rows.append(
            f"  {'overall':24} {self.precision():6.3f} {self.recall():6.3f} {sum(self.tp.values()):4}"
            f" {sum(self.fp.values()):4} {sum(self.fn.values()):4}"
        )
        rows.append(f"  info expectations met: {self.info_found}/{self.info_expected}")
        return "\n".join(rows)


def evaluate(lang: str, lines: Iterable[dict[str, Any]]) -> Score:
    score = Score()
    for line in lines:
        matches = screen(
            line["text"], [lang], audience=line["audience"], speaker=line["speaker"], facts=line["facts"]
        )
        predicted = {m.category for m in matches if m.is_violation}
        expected = set(line["labels"])
        for cat in predicted & expected:
            score.tp[cat] += 1
        for cat in predicted - expected:
            score.fp[cat] += 1
        for cat in expected - predicted:
            score.fn[cat] += 1
        infos = {m.category for m in matches if not m.is_violation}
        for cat in line.get("info", []):
            score.info_expected += 1
            score.info_found += cat in infos
        if predicted != expected:
            found = [(m.category, m.severity, m.match) for m in matches]
            score.errors.append(f"{line['split']}: {line['text']!r} expected {sorted(expected)} got {found}")
    return score


@pytest.mark.parametrize("lang", LANGUAGES)
def test_labelled_set_shape(lang: str) -> None:
    lines = load(lang)
    assert len(lines) >= 300
    violating = sum(1 for ln in lines if ln["labels"])
    assert 0.4 <= violating / len(lines) <= 0.6, "about half compliant, half violating"
    cats = {c for ln in lines for c in ln["labels"]}
    assert cats == set(LEXICON_CATEGORIES), f"categories without lines: {set(LEXICON_CATEGORIES) - cats}"
    holdout = sum(1 for ln in lines if ln["split"] == "holdout")
    assert 0.25 <= holdout / len(lines) <= 0.35
    assert {ln["split"] for ln in lines} == {"dev", "holdout", "fresh"}
    for ln in lines:
        assert set(ln) <= {"text", "audience", "speaker", "facts", "labels", "info", "split"}
        assert ln["audience"] in ("debtor", "third_party")
        assert ln["speaker"] in ("agent", "debtor")
        assert set(ln["labels"]) <= set(LEXICON_CATEGORIES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_precision_and_recall_floor(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    lines = load(lang)
    overall = evaluate(lang, lines)
    with capsys.disabled():
        for split in ("dev", "holdout", "fresh"):
            part = evaluate(lang, [ln for ln in lines if ln["split"] == split])
            print("\n" + part.table(f"[{lang} {split}]"))
        print("\n" + overall.table(f"[{lang} all]"))
    detail = "\n".join(overall.errors)
    assert overall.precision() >= MIN_PRECISION, detail
    assert overall.recall() >= MIN_RECALL, detail


if __name__ == "__main__":  # python -m tests.policies.test_lexicon_accuracy [lang] [split]: list errors
    import sys

    langs = sys.argv[1:2] or list(LANGUAGES)
    split = sys.argv[2] if len(sys.argv) > 2 else None
    for lang in langs:
        sel = [ln for ln in load(lang) if split is None or ln["split"] == split]
        result = evaluate(lang, sel)
        print("\n".join(result.errors))
        print(result.table(f"[{lang} {split or 'all'}]"))
