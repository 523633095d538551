"""Precision and recall of flags over (line, category) pairs, as every accuracy figure is counted.

A line is predicted violating in category C when a finding of C with a severity other than
``info`` is raised for it; precision and recall are micro-averaged over (line, category) pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from policies.lexicon import LEXICON_CATEGORIES

__all__ = ["Counts", "Score"]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class Counts:
    """Per-category and overall counts; `add` one line's gold labels and predicted categories."""

    per_category: dict[str, Score] = field(default_factory=lambda: {c: Score() for c in LEXICON_CATEGORIES})
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, category, text)
    compliant: int = 0  # lines labelled compliant ...
    compliant_flagged: int = 0  # ... and those with any violation predicted (false alarms)

    def add(self, gold: Iterable[str], predicted: Iterable[str], text: str = "") -> None:
        g, p = set(gold), set(predicted)
        if not g:
            self.compliant += 1
            self.compliant_flagged += bool(p)
        for c in g & p:
            self.per_category[c].tp += 1
        for c in p - g:
            self.per_category[c].fp += 1
            self.errors.append(("FP", c, text))
        for c in g - p:
            self.per_category[c].fn += 1
            self.errors.append(("FN", c, text))

    @property
    def overall(self) -> Score:
        s = Score()
        for v in self.per_category.values():
            s.tp += v.tp
            s.fp += v.fp
            s.fn += v.fn
        return s

    @property
    def false_alarm_rate(self) -> float:
        """The share of compliant lines raised as violating."""
        return self.compliant_flagged / self.compliant if self.compliant else 0.0

    def table(self, title: str) -> str:
        rows = [f"{title}", f"  {'category':<24} {'P':>6} {'R':>6} {'TP':>4} {'FP':>4} {'FN':>4}"]
        for c, s in self.per_category.items():
            if s.tp or s.fp or s.fn:
                rows.append(f"  {c:<24} {s.precision:6.3f} {s.recall:6.3f} {s.tp:4d} {s.fp:4d} {s.fn:4d}")
        o = self.overall
        rows.append(
            f"  {'overall (micro)':<24} {o.precision:6.3f} {o.recall:6.3f} {o.tp:4d} {o.fp:4d} {o.fn:4d}"
        )
        rows.append(f"  compliant lines flagged: {self.compliant_flagged} of {self.compliant}")
        return "\n".join(rows)
