"""The labelled flagging corpus: reading and checking lines (format: docs/labelling.md).

    lines = read_lines(Path("speech/semantic/corpus/zh/train.jsonl"))

A line is ``{"text", "lang", "speaker", "audience", "facts", "labels", "tags", "writer"}``;
`tags` and `writer` are optional (exported inspector reviews carry their own). A malformed line
is a `CorpusError` naming the file and line number, never silently skipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies.errors import InputError
from policies.lexicon import FACTS, LEXICON_CATEGORIES
from policies.semantic.categories import AGENT_CATEGORIES

__all__ = [
    "AGENT_CATEGORIES",
    "CORPUS_DIR",
    "LANGUAGES",
    "CorpusError",
    "Line",
    "file_sha256",
    "parse_line",
    "read_lines",
    "trigrams",
]

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
LANGUAGES = ("zh", "en", "ko")


class CorpusError(InputError):
    """A labelled line that cannot be used (the message names the file and line)."""

    code = "invalid_corpus_line"

    def __init__(self, where: str, problem: str) -> None:
        super().__init__("corpus", f"{where}: {problem}")


@dataclass(frozen=True)
class Line:
    text: str
    lang: str
    speaker: str
    audience: str
    labels: frozenset[str]
    facts: Mapping[str, bool] | None = None
    tags: tuple[str, ...] = ()
    writer: str = ""
    source: str = field(default="", compare=False)  # file:line, for messages

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "lang": self.lang,
            "speaker": self.speaker,
            "audience": self.audience,
            "facts": dict(self.facts) if self.facts else None,
            "labels": sorted(self.labels),
            "tags": list(self.tags),
            "writer": self.writer,
        }


def parse_line(obj: Any, where: str) -> Line:
    """Validate one decoded JSON object as a labelled line."""
    if not isinstance(obj, dict):
        raise CorpusError(where, "not a JSON object")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(where, "text: a non-empty string is required")
    lang = obj.get("lang")
    if lang not in LANGUAGES:
        raise CorpusError(where, f"lang: one of {', '.join(LANGUAGES)} (got {lang!r})")
    speaker = obj.get("speaker")
    if speaker not in ("agent", "debtor"):
        raise CorpusError(where, f"speaker: agent or debtor (got {speaker!r})")
    audience = obj.get("audience", "debtor")
    if audience not in ("debtor", "third_party"):
        raise CorpusError(where, f"audience: debtor or third_party (got {audience!r})")
    labels = obj.get("labels")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise CorpusError(where, "labels: a list of category names is required")
    unknown = sorted(set(labels) - set(LEXICON_CATEGORIES))
    if unknown:
        raise CorpusError(where, f"labels: unknown categories {unknown}")
    allowed = {"abuse_by_debtor"} if speaker == "debtor" else set(AGENT_CATEGORIES)
    if not set(labels) <= allowed:
        raise CorpusError(where, f"labels: {sorted(set(labels) - allowed)} cannot be said by the {speaker}")
    facts = obj.get("facts")
    if facts is not None and (
        not isinstance(facts, dict) or not all(k in FACTS and isinstance(v, bool) for k, v in facts.items())
    ):
        raise CorpusError(where, f"facts: null or an object of {', '.join(FACTS)} → true/false")
    tags = obj.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise CorpusError(where, "tags: a list of strings")
    writer = obj.get("writer") or ""
    return Line(
        text=text,
        lang=lang,
        speaker=speaker,
        audience=audience,
        labels=frozenset(labels),
        facts=dict(facts) if facts else None,
        tags=tuple(tags),
        writer=str(writer),
        source=where,
    )


def read_lines(path: Path) -> list[Line]:
    """Every line of a JSONL file (blank lines skipped)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{path}:{n}"
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise CorpusError(where, f"not JSON: {exc.msg}") from None
            out.append(parse_line(obj, where))
    return out


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def trigrams(text: str) -> set[str]:
    """A text's character trigrams, lower-cased, letters and digits only: near-duplicates
    (Jaccard >= 0.5) are counted on them when the corpus is split and when folds are dealt."""
    t = "".join(ch.lower() for ch in text if ch.isalnum())
    return {t[i : i + 3] for i in range(max(1, len(t) - 2))}
