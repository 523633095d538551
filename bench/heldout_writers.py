"""Writers held out of training: how the flagger's recipe does on phrasing it never read.

    .venv/bin/python bench/heldout_writers.py [--held zh=G,en=H,ko=L] [--opt KEY=JSON ...]
        [--baseline] [--b-only] [--out FILE]

Every line the held-out writers wrote (train and val) leaves the corpus; `callwarden lexicon
train`'s recipe (its defaults, changed by `--opt`, e.g. `--opt c=8 --opt stack=true`) is trained
on the rest, and the held-out lines are scored two ways:

* (a) through the head file as trained, at its own thresholds: precision / recall over (line,
  category) pairs as the floors count them, and compliant lines flagged — what an operator
  would see on a new hand's phrasing;
* (b) recall at precision >= the recipe's target with each category's calibration, threshold
  and veto re-chosen on the held-out lines themselves (the same recipe trained with `folds=0` and
  the held-out lines as val): how well the recipe separates them, apart from where its
  thresholds landed. (b) is optimistic by construction; compare it between recipes only.

`--baseline` trains the defaults too, in the same run, and prints both side by side (twice the
time; the `--opt`s that say how to run, such as threads, apply to it too). `--b-only` reads (b)
alone: one training a recipe without cross-fitting, about a third of the time. A corpus round not
yet added is tried with `--opt 'extra=["round.jsonl"]'`, and the recipe without its teach lines with
`--opt 'teach=[]'`. Vectors come
from the training cache (`callwarden lexicon train` fills it). About 10 minutes a recipe on two
cores with a warm cache. Nothing in the repo is written unless `--out` names a file.

The writers are the corpus's `writer` field; the defaults (zh G, en H, ko L) are the hands of
corpus round 3 whose lines the documented comparisons (docs/flagger-log.md) hold out; zh D, en E, ko F
are the second set.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policies.semantic.heads import parse_heads
from speech.semantic.corpus import CORPUS_DIR, Line, read_lines
from speech.semantic.embedder import Embedder
from speech.semantic.metrics import Counts
from speech.semantic.train import (
    CachedVectors,
    TrainingError,
    TrainOptions,
    scored_counts,
    train,
    write_head_file,
)

DEFAULT_HELD = {"zh": "G", "en": "H", "ko": "L"}
# `--opt` keys that say how to run rather than what to train: `--baseline` takes them too.
SHARED = ("threads", "cache_dir", "languages")


def parse_held(spec: str) -> dict[str, str]:
    """`zh=G,en=H` → {"zh": "G", "en": "H"}."""
    held: dict[str, str] = {}
    for part in spec.split(","):
        lang, sep, writer = part.partition("=")
        if not sep or not lang.strip() or not writer.strip():
            raise argparse.ArgumentTypeError(f"--held: LANG=WRITER[,LANG=WRITER...], not {spec!r}")
        held[lang.strip()] = writer.strip()
    return held


def with_overrides(base: TrainOptions, pairs: Sequence[str]) -> TrainOptions:
    """`base` with `KEY=JSON` overrides, each value checked against the option's type."""
    known = {f.name: f for f in dataclasses.fields(TrainOptions)}
    changes: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or key not in known:
            raise SystemExit(f"--opt {pair!r}: KEY=JSON with KEY one of {', '.join(sorted(known))}")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise SystemExit(f"--opt {pair!r}: the value is not JSON") from None
        current = getattr(base, key)
        if isinstance(current, tuple):
            if not isinstance(value, list):
                raise SystemExit(f"--opt {key}: a JSON list")
            value = tuple(Path(v) if key in ("extra", "teach") else v for v in value)
        elif isinstance(current, Path):
            value = Path(value)
        elif isinstance(current, bool) or isinstance(value, bool):
            if not isinstance(value, bool) or not isinstance(current, bool):
                raise SystemExit(f"--opt {key}: {type(current).__name__}, not {raw}")
        elif isinstance(current, float) and isinstance(value, int):
            value = float(value)
        elif current is not None and not isinstance(value, type(current)):
            raise SystemExit(f"--opt {key}: {type(current).__name__}, not {raw}")
        changes[key] = value
    return dataclasses.replace(base, **changes)


def _write(path: Path, lines: Sequence[Line]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for ln in lines:
            fh.write(json.dumps(ln.as_json(), ensure_ascii=False) + "\n")


def split_corpus(
    corpus: Path, held: Mapping[str, str], languages: Sequence[str], into: Path
) -> dict[str, list[Line]]:
    """Two corpora under `into`: `kept/` (train and val without the held-out writers, for the
    recipe as it trains) and `chosen/` (the same lines all in train, the held-out lines as val,
    for (b)). Returns the held-out lines per language."""
    out: dict[str, list[Line]] = {}
    for lang in languages:
        train_lines = read_lines(corpus / lang / "train.jsonl")
        val_lines = read_lines(corpus / lang / "val.jsonl")
        writer = held.get(lang)
        mine = [ln for ln in [*train_lines, *val_lines] if ln.writer == writer]
        if writer is not None and not mine:
            raise SystemExit(f"--held: no {lang} line in {corpus} was written by {writer!r}")
        keep_train = [ln for ln in train_lines if ln.writer != writer]
        keep_val = [ln for ln in val_lines if ln.writer != writer]
        _write(into / "kept" / lang / "train.jsonl", keep_train)
        _write(into / "kept" / lang / "val.jsonl", keep_val)
        # A language with no writer held out keeps its val to be chosen on.
        _write(into / "chosen" / lang / "train.jsonl", [*keep_train, *keep_val] if mine else train_lines)
        _write(into / "chosen" / lang / "val.jsonl", mine or val_lines)
        out[lang] = mine
    return out


def run_recipe(
    options: TrainOptions,
    where: Path,
    held: Mapping[str, list[Line]],
    out: Path | None,
    quiet: bool,
    b_only: bool = False,
) -> dict[str, dict[str, Any]]:
    """(a) and (b) for one recipe: per language {"n": lines, "a": Counts, "lexicon": Counts (the
    lexicon's findings alone), "b": {"precision", "recall", "support"}}; with `b_only`, "n" and
    "b" alone (one training instead of two, and no cross-fitting)."""
    say = (lambda _msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    if b_only:
        results: dict[str, dict[str, Any]] = {lang: {"n": len(ls)} for lang, ls in held.items() if ls}
    else:
        results = _read_a(options, where, held, out, say)
    # (b): the trainer's own figures on its val, which is the held-out lines here.
    chosen = train(dataclasses.replace(options, corpus=where / "chosen", folds=0), say)
    for lang, r in results.items():
        r["b"] = chosen.doc["languages"][lang]["val"]
    return results


def _read_a(
    options: TrainOptions,
    where: Path,
    held: Mapping[str, list[Line]],
    out: Path | None,
    say: Callable[[str], None],
) -> dict[str, dict[str, Any]]:
    """(a): the recipe trained without the held-out writers, scored on their lines."""
    trained = train(dataclasses.replace(options, corpus=where / "kept"), say)
    if out is not None:
        write_head_file(trained.doc, out, trained.layers)
    heads = parse_heads(trained.doc, "(held-out run)")
    emb = Embedder(threads=options.threads, tap=options.tap_layer)
    vectors_of = CachedVectors.open(options, emb, say)
    results: dict[str, dict[str, Any]] = {}
    for lang, lines in held.items():
        if not lines:
            continue
        vectors = vectors_of.embed([ln.text for ln in lines])
        a, lexicon = scored_counts(lang, heads, lines, vectors, options.lawful_suppresses_model)
        results[lang] = {"n": len(lines), "a": a, "lexicon": lexicon}
    return results


def _cell(c: Counts) -> str:
    o = c.overall
    return f"{o.precision:.3f} / {o.recall:.3f}"


def report(
    held: Mapping[str, str], runs: Mapping[str, Mapping[str, Mapping[str, Any]]], target: float
) -> str:
    rows = [
        f"{'recipe':<10} {'lang':<5} {'writer':<7} {'lines':>6} {'(a) P / R':>14} {'flagged':>9} "
        f"{f'(b) R@P>={target:.2f}':>15} {'(b) P':>6} {'lexicon P / R':>14}"
    ]
    for name, per_lang in runs.items():
        for lang, r in per_lang.items():
            b = r["b"]
            a_cell, flagged, lex_cell = "—", "—", "—"
            if "a" in r:
                a_cell, lex_cell = _cell(r["a"]), _cell(r["lexicon"])
                flagged = f"{r['a'].compliant_flagged}/{r['a'].compliant}"
            rows.append(
                f"{name:<10} {lang:<5} {held[lang]:<7} {r['n']:>6} {a_cell:>14} {flagged:>9} "
                f"{b['recall']:>15.3f} {b['precision']:>6.3f} {lex_cell:>14}"
            )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--held",
        type=parse_held,
        default=dict(DEFAULT_HELD),
        help="LANG=WRITER,... (default: zh=G,en=H,ko=L)",
    )
    ap.add_argument(
        "--opt", action="append", default=[], metavar="KEY=JSON", help="a TrainOptions field for the recipe"
    )
    ap.add_argument("--baseline", action="store_true", help="also train the defaults in the same run")
    ap.add_argument(
        "--b-only",
        action="store_true",
        help="read (b) only: one training a recipe, no cross-fitting (about a third of the time)",
    )
    ap.add_argument(
        "--corpus", type=Path, default=CORPUS_DIR, help="the corpus folder (default: the shipped one)"
    )
    ap.add_argument("--out", type=Path, help="write the recipe's head file here")
    ap.add_argument("--categories", action="store_true", help="print (a) per category too")
    ap.add_argument("--quiet", action="store_true", help="no training progress on stderr")
    args = ap.parse_args(argv)

    # The baseline shares the run's execution settings, so that only the recipe differs.
    base = with_overrides(TrainOptions(), [o for o in args.opt if o.partition("=")[0] in SHARED])
    recipe = with_overrides(base, args.opt)
    if args.b_only and args.out is not None:
        raise SystemExit("--out writes the head file (a) scores; --b-only trains none")
    if recipe.tune_layers:
        raise SystemExit("--opt tune_layers: tuning needs the heads chosen on val; not a held-out recipe")
    unknown = sorted(set(args.held) - set(recipe.languages))
    if unknown:
        raise SystemExit(
            f"--held: {', '.join(unknown)} not among the languages trained ({', '.join(recipe.languages)})"
        )
    runs: dict[str, dict[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="callwarden-heldout-") as tmp:
        held_lines = split_corpus(args.corpus, args.held, recipe.languages, Path(tmp))
        held_lines = {lang: held_lines[lang] for lang in args.held}
        try:
            recipes = [("baseline", base, None)] if args.baseline else []
            recipes.append(("recipe" if args.opt else "defaults", recipe, args.out))
            for name, options, out in recipes:
                runs[name] = run_recipe(options, Path(tmp), held_lines, out, args.quiet, args.b_only)
        except TrainingError as exc:
            raise SystemExit(f"training failed: {exc}") from None
    writers = ", ".join(f"{k} {v}" for k, v in args.held.items())
    print(f"held-out writers: {writers}; recipe: {' '.join(args.opt) or 'defaults'}")
    print(report(args.held, runs, recipe.precision_target))
    if args.categories:
        for name, per_lang in runs.items():
            for lang, r in per_lang.items():
                print(r["a"].table(f"{name} {lang} (a), writer {args.held[lang]}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
