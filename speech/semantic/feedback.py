"""Inspectors' reviews as labelled lines for the next training run.

    lines = reviews_to_lines(await reviewed_flags(db, since))    # corpus-format dicts

Each reviewed sentence becomes one line in the corpus format (docs/labelling.md): the labels
are the categories an inspector confirmed on it; a sentence whose flags were all dismissed is a
labelled compliant line (`labels: []`) — the hard negatives the model most needs. A category
both confirmed and dismissed on the same sentence counts as confirmed (the later review of one
flag does not undo another's). The text is the masked transcript's (`[bank_card]` stays);
`writer` is ``review``, `tags` say ``review`` plus the dispositions. Languages the trainer does
not know and `missing_disclosure` (not a sentence-level category) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from policies.lexicon import LEXICON_CATEGORIES
from speech.semantic.corpus import LANGUAGES, CorpusError, parse_line

__all__ = ["reviews_to_lines"]


def _speaker(speaker: str, category: str) -> str:
    if speaker in ("agent", "debtor"):
        return speaker
    # A mixed mono channel: who spoke follows from what was flagged.
    return "debtor" if category == "abuse_by_debtor" else "agent"


def reviews_to_lines(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Group reviewed flags by (language, speaker, audience, sentence) into labelled lines."""
    grouped: dict[tuple[str, str, str, str], dict[str, set[str]]] = {}
    for r in rows:
        lang = str(r["language"]).replace("_", "-").split("-")[0].lower()
        category = str(r["category"])
        if lang not in LANGUAGES or category not in LEXICON_CATEGORIES:
            continue
        text = str(r["sentence"]).strip()
        if not text:
            continue
        speaker = _speaker(str(r["speaker"]), category)
        audience = str(r.get("audience") or "debtor") if speaker == "agent" else "debtor"
        key = (lang, speaker, audience, text)
        slot = grouped.setdefault(key, {"confirmed": set(), "dismissed": set()})
        slot[str(r["status"])].add(category)
    out = []
    for (lang, speaker, audience, text), d in grouped.items():
        labels = sorted(d["confirmed"])
        tags = [
            "review",
            *(["confirmed"] if d["confirmed"] else []),
            *(["dismissed"] if d["dismissed"] else []),
        ]
        line = {
            "text": text,
            "lang": lang,
            "speaker": speaker,
            "audience": audience,
            "facts": None,
            "labels": labels,
            "tags": tags,
            "writer": "review",
        }
        try:
            parse_line(line, "review")  # only what the trainer accepts
        except CorpusError:
            continue  # e.g. a disclosure confirmed on a call the transcript says was to the debtor
        out.append(line)
    return out
