"""`callwarden lexicon train` and `callwarden flags export`: the semantic flagger's training loop.

    callwarden lexicon train [--seed N] [--extra FILE ...] [--teach FILE ... [--onto HEAD_FILE]]
                             [--head-version V] [--out FILE] [--cache DIR] [--lang zh ...]
                             [--tune-layers N] [--e5-only] [--layer-mean N] [--rivals]
                             [--folds N] [--fold-by line|writer] [--stack | --no-stack]
    callwarden flags export --reviewed [--since DATE] [--out FILE] [--data-dir DIR]

`lexicon train` trains the per-category heads on the corpus's train and val splits, chooses
thresholds on their out-of-fold scores (`--folds 0`: trains on train, chooses on val; never the
test or blind splits) and writes the head file (default: the bundled
`speech/semantic/flagger.json`), printing the out-of-fold (or val) results. It needs scikit-learn
(`pip install -e '.[train]'`). `flags export --reviewed` writes inspectors' confirmed and
dismissed flags as labelled lines (JSONL, the corpus format; the transcript's masking kept), for
`lexicon train --extra`. Steps: docs/speech.md, "Retraining with reviewed flags".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from gateway.cli.common import data_dir_arg, initialised_settings, operator_actor
from policies.errors import SetupError
from policies.parse import parse_instant
from policies.semantic.heads import MAX_LAYERS
from policies.semantic.network import MAX_HIDDEN
from policies.types import PolicyInputError
from speech.semantic.corpus import LANGUAGES, CorpusError
from speech.semantic.feedback import reviews_to_lines
from speech.semantic.train import HEAD_FILE, RIVALS, TrainingError, TrainOptions, train, write_head_file
from speech.semantic.vectors import default_cache_dir
from storage.audit import Access, append
from storage.backends import open_db
from storage.flag_export import reviewed_flags

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    p = subparsers.add_parser("lexicon", help="the semantic flagger beside the lexicons: train its heads")
    sub = p.add_subparsers(dest="lexicon_command", required=True, metavar="COMMAND")
    t = sub.add_parser(
        "train", help="train the model heads on the corpus (train/val splits only) and write the head file"
    )
    t.add_argument("--seed", type=int, default=TrainOptions().seed, help="random seed (default: %(default)s)")
    t.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="FILE",
        help="more labelled lines (JSONL, corpus format, e.g. `flags export`) added to train (repeatable)",
    )
    t.add_argument(
        "--teach",
        action="append",
        default=[],
        metavar="FILE",
        help="labelled lines (JSONL, corpus format) the heads are fitted on and never scored, each read "
        "by its own language's heads only, e.g. tests/data/adversarial/make_teach.py's (repeatable)",
    )
    t.add_argument(
        "--teach-keeps-settings",
        action="store_true",
        help="choose the calibrations, thresholds, vetoes and overrides on heads fitted without the "
        "--teach lines, so they move only their own heads' weights (default: off)",
    )
    t.add_argument(
        "--onto",
        metavar="HEAD_FILE",
        help="refit only the categories the --teach lines carry onto this head file, trained on the "
        "same corpus: its network, n-grams, vote, other heads and every threshold, veto and override "
        "are kept, and the teach lines join its vote (needs --head-version)",
    )
    t.add_argument(
        "--head-version",
        default=TrainOptions().version,
        metavar="VERSION",
        help="the version the head file records, and flags with it (default: %(default)s)",
    )
    t.add_argument("--out", help="head file to write (default: the bundled speech/semantic/flagger.json)")
    t.add_argument("--cache", help="embedding cache folder (default: ~/.cache/callwarden/flagger-embeddings)")
    t.add_argument(
        "--lang", action="append", choices=LANGUAGES, help="train only these languages (default: all)"
    )
    t.add_argument(
        "--tune-layers",
        type=int,
        choices=range(12),
        default=TrainOptions().tune_layers,
        metavar="N",
        help="fine-tune e5's top N layers first (torch; written beside the head file; default: %(default)s)",
    )
    t.add_argument(
        "--e5-only",
        action="store_true",
        help="read e5's embedding alone, without the Universal Sentence Encoder's beside it "
        "(about 110 MB less memory at run time; less recall on val)",
    )
    t.add_argument(
        "--layer-mean",
        type=int,
        choices=range(MAX_LAYERS + 1),
        default=TrainOptions().tap_layer or 0,
        metavar="N",
        help="read the mean of e5's hidden states after layer N too, from the same forward pass "
        "(0: not at all; default: %(default)s)",
    )
    t.add_argument(
        "--rivals",
        action="store_true",
        help="drop a model finding in threat, harassment or privacy exposure when another of the "
        "three outscores it by a margin chosen on val (default: off; little gain on held-out writers)",
    )
    t.add_argument(
        "--folds",
        type=int,
        default=TrainOptions().folds,
        metavar="N",
        help="train on train and val, and choose thresholds on N-fold out-of-fold scores "
        "(0: train on train, choose on val; default: %(default)s)",
    )
    t.add_argument(
        "--fold-by",
        choices=("line", "writer"),
        default="writer" if TrainOptions().fold_by_writer else "line",
        help="deal the folds by near-duplicate group of lines, or by writer so every line is scored "
        "by heads that never read its writer (default: %(default)s; writer lost on held-out writers)",
    )
    t.add_argument(
        "--stack",
        action=argparse.BooleanOptionalAction,
        default=TrainOptions().stack,
        help="weigh each head's voices (embeddings, n-grams, vote) by a regression over their "
        "logits where the thresholds are chosen, instead of their fixed mean (default: off; no "
        "gain on held-out writers)",
    )
    t.add_argument(
        "--network-hidden",
        type=_units,
        default=TrainOptions().network_hidden,
        metavar="N",
        help="train a shared network of N hidden units over every language's embeddings, its logit "
        "averaged into each category's embedding voice (0: none; default: %(default)s)",
    )
    t.add_argument(
        "--network-members",
        type=int,
        choices=range(1, 17),
        default=TrainOptions().network_members,
        metavar="K",
        help="train K shared networks from different seeds and average them, stored as one "
        "network of K × N units (default: %(default)s)",
    )
    t.set_defaults(func=cmd_train)

    p = subparsers.add_parser("flags", help="inspectors' flags: export reviews as training lines")
    sub = p.add_subparsers(dest="flags_command", required=True, metavar="COMMAND")
    e = sub.add_parser("export", help="write confirmed and dismissed flags as labelled lines (JSONL)")
    data_dir_arg(e)
    e.add_argument("--reviewed", action="store_true", required=True, help="export reviewed flags (required)")
    e.add_argument("--since", help="reviewed at or after (RFC 3339 or YYYY-MM-DD; default: all)")
    e.add_argument("--out", help="file to write (default: stdout)")
    e.set_defaults(func=cmd_export)


def cmd_train(args: argparse.Namespace) -> int:
    options = TrainOptions(
        seed=args.seed,
        languages=tuple(args.lang) if args.lang else LANGUAGES,
        extra=tuple(Path(x) for x in args.extra),
        teach=tuple(Path(x) for x in args.teach),
        teach_keeps_settings=args.teach_keeps_settings,
        onto=Path(args.onto) if args.onto else None,
        version=args.head_version,
        cache_dir=Path(args.cache) if args.cache else default_cache_dir(),
        tune_layers=args.tune_layers,
        use_encoder=not args.e5_only,
        tap_layer=args.layer_mean or None,
        rivals=RIVALS if args.rivals else (),
        folds=args.folds,
        stack=args.stack,
        fold_by_writer=args.fold_by == "writer",
        network_hidden=args.network_hidden,
        network_members=args.network_members,
    )
    try:
        doc, report, layers = train(options)
    except (TrainingError, CorpusError, SetupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else HEAD_FILE
    write_head_file(doc, out, layers)
    print(report)
    print(f"wrote {out} (flagger@{doc['version']}, seed {doc['seed']}, {len(doc['files'])} files read)")
    return 0


def _units(raw: str) -> int:
    try:
        n = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number of units, not {raw!r}") from None
    if not 0 <= n <= MAX_HIDDEN:
        raise argparse.ArgumentTypeError(f"0 (none) to {MAX_HIDDEN} units, not {n}")
    return n


def _instant(raw: str, name: str) -> datetime:
    text = raw.strip()
    return parse_instant(text + "T00:00:00Z" if len(text) == 10 else text, name)


def cmd_export(args: argparse.Namespace) -> int:
    settings = initialised_settings(args)
    if settings is None:
        return 2
    try:
        since = _instant(args.since, "since") if args.since else None
    except PolicyInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    lines = asyncio.run(_export(settings.db_target, since))
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {len(lines)} labelled line(s) to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


async def _export(db_path: str | Path, since: datetime | None) -> list[dict[str, Any]]:
    async with open_db(db_path) as db:
        rows = await reviewed_flags(db, since)
        lines = reviews_to_lines(rows)
        # Transcript words leave the database: one access-log row for the export.
        await append(
            db,
            Access(
                operator_actor(),
                "flags.export",
                "flags",
                "-",
                "ok",
                details={
                    "since": since.isoformat() if since else None,
                    "flags": len(rows),
                    "lines": len(lines),
                },
            ),
        )
    return lines
