"""Lexicon precision and recall on the flagging corpus (speech/semantic/corpus/<lang>/<split>.jsonl).

    .venv/bin/python bench/lexicon_corpus.py [--split val] [--lang zh --lang en --lang ko]
    .venv/bin/python bench/lexicon_corpus.py --split train --misses zh     # lines to learn from

A line is predicted violating in category C when `screen` returns any non-`info` match of C (the
line's own audience, speaker and facts); precision and recall are micro-averaged over
(line, category) pairs, as in tests/policies/test_lexicon_accuracy.py.

Only the corpus splits are read (`train` to find misses, `val` as a check). The frozen evaluation
splits under tests/data/flagging/test and blind are never read here: the script refuses any other
split name.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policies.screening import BUNDLED_LANGUAGES, LEXICON_CATEGORIES, screen

CORPUS = Path(__file__).resolve().parents[1] / "speech" / "semantic" / "corpus"
SPLITS = ("train", "val")


def load(lang: str, split: str) -> list[dict[str, Any]]:
    if split not in SPLITS:
        raise SystemExit(f"split must be one of {SPLITS} (the test splits are never read here)")
    with (CORPUS / lang / f"{split}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def predict(lang: str, row: dict[str, Any]) -> set[str]:
    if lang not in BUNDLED_LANGUAGES:
        return set()  # no lexicon: nothing flagged
    matches = screen(
        row["text"], [lang], audience=row["audience"], speaker=row["speaker"], facts=row["facts"]
    )
    return {m.category for m in matches if m.is_violation}


def score(
    lang: str, rows: list[dict[str, Any]]
) -> tuple[Counter[str], Counter[str], Counter[str], list[str]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors: list[str] = []
    for row in rows:
        pred, gold = predict(lang, row), set(row["labels"])
        for c in pred & gold:
            tp[c] += 1
        for c in pred - gold:
            fp[c] += 1
        for c in gold - pred:
            fn[c] += 1
        if pred != gold:
            errors.append(
                f"{sorted(gold - pred)!s:>28} missed {sorted(pred - gold)!s:>28} extra | "
                f"{row['speaker']}/{row['audience']} {row['text']}"
            )
    return tp, fp, fn, errors


def ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="val", choices=SPLITS)
    ap.add_argument("--lang", action="append", choices=("zh", "en", "ko"))
    ap.add_argument("--misses", metavar="LANG", help="print the lines LANG gets wrong")
    args = ap.parse_args(argv)
    if args.misses:
        *_, errors = score(args.misses, load(args.misses, args.split))
        print("\n".join(sorted(errors)))
        return 0
    for lang in args.lang or ("zh", "en", "ko"):
        rows = load(lang, args.split)
        tp, fp, fn, _ = score(lang, rows)
        print(f"[{lang} {args.split}: {len(rows)} lines]")
        print(f"  {'category':24} {'P':>6} {'R':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
        for c in LEXICON_CATEGORIES:
            print(
                f"  {c:24} {ratio(tp[c], tp[c] + fp[c]):6.3f} {ratio(tp[c], tp[c] + fn[c]):6.3f}"
                f" {tp[c]:4} {fp[c]:4} {fn[c]:4}"
            )
        t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
        print(f"  {'overall (micro)':24} {ratio(t, t + f):6.3f} {ratio(t, t + n):6.3f} {t:4} {f:4} {n:4}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
