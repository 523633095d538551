"""speech.semantic.metrics: how every accuracy figure is counted."""

from __future__ import annotations

import pytest

from speech.semantic.metrics import Counts


def test_micro_precision_recall_and_false_alarms() -> None:
    c = Counts()
    c.add(["insult_profanity"], ["insult_profanity"], "you idiot")
    c.add(["threat_violence"], [], "veiled threat")  # missed
    c.add([], ["insult_profanity"], "you're such a sweetheart")  # a compliment flagged
    c.add([], [], "thanks, see you Friday")
    c.add(["harassment"], ["harassment", "threat_violence"], "we'll wait outside your door")
    o = c.overall
    assert (o.tp, o.fp, o.fn) == (2, 2, 1)
    assert o.precision == pytest.approx(0.5)
    assert o.recall == pytest.approx(2 / 3)
    assert (c.compliant, c.compliant_flagged) == (2, 1)
    assert c.false_alarm_rate == pytest.approx(0.5)
    assert "compliant lines flagged: 1 of 2" in c.table("t")
    assert ("FP", "insult_profanity", "you're such a sweetheart") in c.errors


def test_no_compliant_lines_means_no_false_alarms() -> None:
    c = Counts()
    c.add(["insult_profanity"], [])
    assert c.false_alarm_rate == 0.0
    assert c.overall.precision == 1.0
