"""Accuracy of the combined flags (lexicon + semantic model) on splits no training run read.

The frozen test split (tests/data/flagging/test/), the blind split written by a different hand
(tests/data/flagging/blind/) and the praise, everyday, chat, blunt, veiled, authority and
breadth splits by further hands are read here and by nothing that trains or chooses thresholds
(see test_semantic_model.py for the hash check). A line counts as predicted violating in category C
when a finding of C with a severity other than `info` is raised; precision and recall are
micro-averaged over (line, category) pairs. Run with `-s` to see the tables (docs/speech.md).

    .venv/bin/python -m pytest -s tests/speech/test_semantic_accuracy.py
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import pytest

from speech.semantic.corpus import read_lines
from speech.semantic.metrics import Counts
from speech.semantic.model import semantic_flagger

# These read thousands of lines through code other tests cover; coverage's tracer made them half
# as slow again.
pytestmark = pytest.mark.no_cover

DATA = Path(__file__).resolve().parents[1] / "data" / "flagging"
FROZEN_SPLITS = ("test", "blind", "praise", "everyday", "chat", "blunt", "veiled", "authority", "breadth")
REPO = Path(__file__).resolve().parents[2]

# (precision, recall) floors on the frozen test split: issue 10.
TEST_FLOORS = {"zh": (0.90, 0.90), "en": (0.90, 0.90), "ko": (0.85, 0.80)}
# Loose floors: just under what was measured on the weaker of the two splits, so a regression
# fails while the issue's floors are out of reach for zh and en. flagger@2026.12.17: test zh
# P 0.891 R 0.900, en P 0.925 R 0.890, ko P 0.861 R 0.840; blind zh P 0.921 R 0.932, en P 0.917
# R 0.920, ko P 0.909 R 0.970. flagger@2026.12.16: test zh
# P 0.902 R 0.880, en P 0.929 R 0.876, ko P 0.864 R 0.864; blind zh P 0.932 R 0.935, en P 0.900
# (233 of 259) R 0.886, ko P 0.915 R 0.970 (docs/flagger-log.md; 2026.12.15: test zh 0.883 / 0.866,
# en 0.923 / 0.856, ko 0.863 / 0.852, blind en 0.915 / 0.897). The lexicon alone: recall 0.48
# zh / 0.45 en / 0.35 ko on the test split.
LOOSE_FLOORS = {"zh": (0.84, 0.84), "en": (0.89, 0.83), "ko": (0.84, 0.83)}
# Strict: a model that meets the issue's floors makes this test fail until the mark is removed.
# Korean meets them since flagger@2026.12.2.
SHORT_OF_FLOORS = pytest.mark.xfail(strict=True, reason="issue 10 floors not reached: see docs/speech.md")


@cache
def _scored(split: str, lang: str) -> Counts:
    path = DATA / split / f"{lang}.jsonl"
    lines = read_lines(path)
    flagger = semantic_flagger()
    flagger.embedder.embed([ln.text for ln in lines])  # batched once; findings() hits the cache
    counts = Counts()
    lexicon_only = Counts()
    for ln in lines:
        found = flagger.findings([ln.text], lang, speaker=ln.speaker, audience=ln.audience, facts=ln.facts)[0]
        counts.add(ln.labels, {f.category for f in found if f.is_violation}, ln.text)
        lexicon_only.add(ln.labels, {f.category for f in found if f.is_violation and f.source != "model"})
    print()
    print(counts.table(f"{split}/{lang}: lexicon + model ({flagger.tag}), {len(lines)} lines"))
    o = lexicon_only.overall
    print(f"  (lexicon findings alone: P {o.precision:.3f} R {o.recall:.3f})")
    return counts


def test_test_and_blind_splits_are_the_frozen_ones() -> None:
    manifest = json.loads((DATA / "SPLITS.json").read_text(encoding="utf-8"))
    on_disk = {str(p.relative_to(REPO)) for p in DATA.glob("*/*.jsonl")}
    # Every split file is in the manifest (a split is frozen when it is added), and none is missing.
    assert on_disk == {rel for rel in manifest if rel.startswith("tests/data/flagging/")}
    splits = {Path(rel).parent.name for rel in on_disk}
    assert splits >= set(FROZEN_SPLITS)
    for rel in sorted(on_disk):
        digest = hashlib.sha256((REPO / rel).read_bytes()).hexdigest()
        assert digest == manifest[rel]["sha256"], f"{rel} changed since it was frozen"


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize(
    "lang", [pytest.param("zh", marks=SHORT_OF_FLOORS), pytest.param("en", marks=SHORT_OF_FLOORS), "ko"]
)
def test_frozen_test_split_meets_the_issue_floors(lang: str) -> None:
    counts = _scored("test", lang)
    floor_p, floor_r = TEST_FLOORS[lang]
    o = counts.overall
    short = [m for m, v, floor in (("P", o.precision, floor_p), ("R", o.recall, floor_r)) if v < floor]
    assert not short, f"{lang} test: P {o.precision:.3f} R {o.recall:.3f} (floors P {floor_p} R {floor_r})"


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("split", ["test", "blind"])
@pytest.mark.parametrize("lang", ["zh", "en", "ko"])
def test_split_is_scored_and_clearly_above_the_lexicon(lang: str, split: str) -> None:
    counts = _scored(split, lang)
    floor_p, floor_r = LOOSE_FLOORS[lang]
    o = counts.overall
    short = [m for m, v, floor in (("P", o.precision, floor_p), ("R", o.recall, floor_r)) if v < floor]
    assert not short, (
        f"{lang} {split}: P {o.precision:.3f} R {o.recall:.3f} (loose floors P {floor_p} R {floor_r})"
    )


# The breadth split (tests/data/flagging/breadth/, four more hands — zh AY and BA, en AZ and BB —
# from the labelling guide alone; written as corpus round 17, not adopted, frozen instead, less
# the lines near a train or val line): the whole breadth of collection calls in every register,
# about 55 % violations over the six agent categories and debtor abuse. flagger@2026.12.16: zh
# P 0.944 R 0.917 (822 lines), en P 0.932 R 0.891 (794); the lexicons alone R 0.552 / 0.476.
# flagger@2026.12.17: zh P 0.941 R 0.932, en P 0.930 R 0.914 (the floors kept).
# (precision, recall) floors, a line or two looser.
BREADTH_FLOORS = {"zh": (0.93, 0.90), "en": (0.92, 0.875)}


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_new_hands_across_every_register_are_flagged(lang: str) -> None:
    counts = _scored("breadth", lang)
    floor_p, floor_r = BREADTH_FLOORS[lang]
    o = counts.overall
    assert o.precision >= floor_p, f"{lang} breadth: P {o.precision:.3f}"
    assert o.recall >= floor_r, f"{lang} breadth: R {o.recall:.3f}"


# The praise split (tests/data/flagging/praise/, a third hand): compliments, thanks and
# reassurance aimed at the listener beside insults and sarcastic praise in the same frames.
# Ceilings on the share of its compliant lines flagged, floors on recall of its violations, a
# line or two looser than measured. flagger@2026.12.6 flagged 2 of 54 zh, 3 of 54 en and 3 of 42
# ko compliant lines (recall 1.000 / 0.972 / 0.786); 2026.12.7: 0, 1 and 2 (1.000 / 0.972 / 0.786);
# 2026.12.8: 0, 1 and 2 (1.000 / 0.972 / 0.750); 2026.12.9: 0, 1 and 2 (1.000 / 0.944 / 0.750);
# 2026.12.10: 0, 2 and 2 (1.000 / 0.944 / 0.750); 2026.12.11 and 2026.12.12: 0, 2 and 2 (1.000 /
# 0.972 / 0.750); 2026.12.13 to 2026.12.15: 0, 1 and 2 (1.000 / 0.972 / 0.750).
PRAISE_LIMITS = {"zh": (0.05, 0.94), "en": (0.06, 0.94), "ko": (0.08, 0.71)}


# The everyday split (tests/data/flagging/everyday/, three more hands; written as corpus round 9,
# not adopted, frozen instead): self-deprecation, opinions about things, crime news, neutral talk
# about groups, teasing and violent words in hobbies, beside identity-based and comment-style abuse
# aimed at the listener. flagger@2026.12.8 flags 29 of 180 zh, 25 of 182 en and 13 of 144 ko
# compliant lines (recall 0.946 / 0.885 / 0.800); 2026.12.9 29, 27 and 12 (0.938 / 0.876 / 0.853);
# 2026.12.10, trained with corpus round 10 (zh and en lines on this weakness by other hands),
# 21, 17 and 11 (0.946 / 0.876 / 0.853); 2026.12.11 (corpus round 13, blunt threats, zh and en)
# 19, 17 and 15 (0.955 / 0.885 / 0.832; ko 0.853 with ko's slurs entry); 2026.12.12 (corpus
# round 14, veiled threats, zh and en) 19, 21 and 13 (0.946 / 0.885 / 0.874); 2026.12.13 20, 20
# and 11 (0.955 / 0.885 / 0.874); 2026.12.14 19, 19 and 10 (0.955 / 0.885 / 0.853);
# 2026.12.15 19, 20 and 10 (0.955 / 0.903 / 0.842). The limits
# are a line or three looser.
EVERYDAY_LIMITS = {"zh": (0.13, 0.92), "en": (0.125, 0.85), "ko": (0.115, 0.80)}


# The chat split (tests/data/flagging/chat/, three more hands; written as corpus round 11, not
# adopted, frozen instead): online comments, tweets and casual chat — fair talk about groups and
# against discrimination, family with no menace, banter, harsh opinions about things — beside an
# agent's group slurs, casual profanity and abuse in those registers. flagger@2026.12.10 with
# lexicons en 2026.12.4 / zh 2026.12.3 / ko 2026.12.2 flags 36 of 228 zh, 16 of 234 en and 41 of
# 253 ko compliant lines (recall 0.897 / 0.882 / 0.864): Korean banter is its weakest spot.
# 2026.12.11 with lexicons en 2026.12.5 / zh 2026.12.4 / ko 2026.12.3: 34, 19 and 39 (0.903 /
# 0.882 / 0.871; zh's slurs entry flagged 3 of the 34 and found 2 more); 2026.12.12: 35, 18 and 41
# (0.897 / 0.888 / 0.878). 2026.12.13 (the same recipe on the ONNX Runtime engine's vectors; its
# Korean threshold fell from 0.62 to 0.56): 36, 15 and 48 (0.903 / 0.882 / 0.878), Korean banter
# read as abuse again, 7 lines more than 2026.12.12. 2026.12.14 (e5's layer 8 read too): 36, 17
# and 44 (0.903 / 0.888 / 0.871); 2026.12.15 (corpus round 15, zh): 37, 13 and 39 (0.927 /
# 0.888 / 0.871). The limits are a line or three looser.
CHAT_LIMITS = {"zh": (0.17, 0.87), "en": (0.09, 0.86), "ko": (0.185, 0.84)}


# The veiled split (tests/data/flagging/veiled/, one more hand that saw only the labelling guide,
# frozen before anything was chosen on it): per language about 62 indirect violations — implied
# harm without stock violent words, harassment by presence and pressure, a few indirect privacy,
# legal and insult lines — and 38-40 compliant look-alikes (safety advice, sympathy, lawful
# escalation, reported threats). flagger@2026.12.11 with lexicons en 2026.12.6 / zh 2026.12.5 /
# ko 2026.12.4 (and with the lexicons before them: the same lines) flags 1 of 38 zh, 6 of 38 en
# and 1 of 40 ko compliant lines, recall 0.812 / 0.783 / 0.681; 2026.12.12 (corpus round 14:
# indirect violations by other hands, zh and en) 1, 3 and 1, recall 0.812 / 0.797 / 0.710;
# 2026.12.13 2, 3 and 1, recall 0.812 / 0.783 / 0.739; 2026.12.14 1, 5 and 2, recall 0.826 /
# 0.783 / 0.754 (English and Korean flag two and one more look-alikes: their ceilings were raised
# from 0.135 and 0.06 to keep a line's margin); 2026.12.15 1, 4 and 2, recall 0.812 / 0.783 /
# 0.739. The limits are a line or two looser.
VEILED_LIMITS = {"zh": (0.06, 0.79), "en": (0.16, 0.77), "ko": (0.08, 0.69)}


# The authority split (tests/data/flagging/authority/, one more hand that saw only the labelling
# guide, frozen before corpus round 16 was written): police, courts, prosecutors, crime and fraud
# in collection talk. Per language about 55 compliant lines (anti-scam warnings, the right to
# report the agency, calm statements of civil process, debtors' own police stories) and 45-50
# violations (false arrest and prosecution threats, impersonating authorities, "you are a
# fraudster"). flagger@2026.12.15 with lexicons en 2026.12.8 / zh 2026.12.6 / ko 2026.12.6 flags
# 3 of 59 zh, 5 of 55 en and 3 of 55 ko compliant lines, recall 0.773 / 0.691 / 0.764 (the lexicons
# alone 0.591 / 0.441 / 0.600); with en 2026.12.9 / zh 2026.12.7 / ko 2026.12.7 (scam warnings)
# 3, 4 and 3; flagger@2026.12.16 (cross-fitted) 2, 5 and 5, recall 0.788 / 0.691 / 0.764;
# flagger@2026.12.17 (the shared network) 2, 5 and 6, recall 0.788 / 0.735 / 0.836. The
# limits are a line or two looser.
AUTHORITY_LIMITS = {"zh": (0.07, 0.75), "en": (0.11, 0.67), "ko": (0.11, 0.74)}


# Ceilings on the share of compliant lines flagged and floors on recall, per split and language.
SPLIT_LIMITS = {
    "praise": PRAISE_LIMITS,
    "everyday": EVERYDAY_LIMITS,
    "chat": CHAT_LIMITS,
    "veiled": VEILED_LIMITS,
    "authority": AUTHORITY_LIMITS,
}


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("lang", ["zh", "en", "ko"])
@pytest.mark.parametrize("split", ["praise", "everyday", "chat", "veiled", "authority"])
def test_compliant_lines_near_abuse_are_told_apart_from_it(split: str, lang: str) -> None:
    counts = _scored(split, lang)
    ceiling, floor = SPLIT_LIMITS[split][lang]
    assert counts.false_alarm_rate <= ceiling, (
        f"{lang} {split}: {counts.compliant_flagged} of {counts.compliant} compliant lines flagged"
    )
    assert counts.overall.recall >= floor, f"{lang} {split}: recall {counts.overall.recall:.3f}"


# The blunt split (tests/data/flagging/blunt/, one more hand, frozen before any change it
# measures): per language 60 direct threats of physical harm and 34-38 compliant lines with the
# same violent words (40 written, those near a corpus line dropped when it was frozen). Its writer
# labelled only threat_violence (and insult_profanity), so what is held to account is the share
# of threats found as threat_violence and of compliant lines flagged. flagger@2026.12.10 with
# lexicons en 2026.12.4 / zh 2026.12.3 / ko 2026.12.2 found 43 of 60 zh, 43 of 60 en and 51 of
# 60 ko threats; lexicons en 2026.12.5 / zh 2026.12.4 / ko 2026.12.3: en 52 and zh 44 of 60.
# Compliant lines flagged: 1 of 38 zh, 3 of 34 en, 4 of 38 ko. flagger@2026.12.11 (corpus round 13: blunt
# threats and their look-alikes by another hand, zh and en): 56 of 60 zh, 60 of 60 en, 51 of 60
# ko; compliant 1, 4 and 4. 2026.12.12 (corpus round 14): 55, 60 and 52 of 60; compliant 1, 4
# and 4. 2026.12.13: 54, 60 and 53; compliant 1, 4 and 5. 2026.12.14 and 2026.12.15: 55, 60
# and 53; compliant 1, 4 and 5. (threat recall floor, compliant ceiling), a line looser.
BLUNT_LIMITS = {"zh": (0.89, 0.06), "en": (0.96, 0.15), "ko": (0.83, 0.14)}


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("lang", ["zh", "en", "ko"])
def test_blunt_threats_are_found_and_their_look_alikes_pass(lang: str) -> None:
    counts = _scored("blunt", lang)
    floor, ceiling = BLUNT_LIMITS[lang]
    threats = counts.per_category["threat_violence"]
    assert threats.recall >= floor, f"{lang} blunt: {threats.tp} of {threats.support} threats found"
    assert counts.false_alarm_rate <= ceiling, (
        f"{lang} blunt: {counts.compliant_flagged} of {counts.compliant} compliant lines flagged"
    )
