"""Mandarin transcripts in Simplified Chinese, whatever the engine wrote.

Whisper writes about half of its Mandarin in Traditional characters (廣州市房地產), while the
lexicons, the disclosure phrases and the inspectors work in Simplified. Every engine's ``zh``
output goes through OpenCC's ``tw2s`` conversion (the PyPI package `opencc`: a maintained
dictionary with phrase-level rules, not a character table of our own) before masking and
flagging: ``t2s`` with Taiwan's variants read back too, since Whisper writes Taiwan's usage, the
particle 着 as 著 (躲著, 等著瞧: ``t2s`` keeps 著, a Simplified character in 著名; found by a probe).

A channel's words are converted together (so phrase rules see their context) and cut back into
the same words, keeping each word's timing; where the conversion changed the length (rare for
tw2s), each word is converted on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from speech.engines import EngineUnavailable, Segment

__all__ = ["is_simplified", "simplified_segments", "to_simplified"]

_LOCK = threading.Lock()


@cache
def _converter() -> Any:
    try:
        import opencc
    except ImportError as exc:  # a dependency of callwarden: only a broken install lacks it
        raise EngineUnavailable(
            f"the opencc package is not installed ({exc}): pip install 'opencc>=1.1.9'"
        ) from exc
    return opencc.OpenCC("tw2s")


def to_simplified(text: str) -> str:
    """`text` with Traditional characters converted to Simplified (OpenCC tw2s)."""
    if not text:
        return text
    conv = _converter()
    with _LOCK:  # one converter per process; its thread safety is not documented
        return str(conv.convert(text))


def is_simplified(text: str) -> bool:
    """True when OpenCC's tw2s would change nothing in `text`."""
    return to_simplified(text) == text


def simplified_segments(segments: Sequence[Segment]) -> list[Segment]:
    """The segments with their text and every word converted to Simplified; times unchanged."""
    words = [w.w for s in segments for w in s.words]
    joined = to_simplified("".join(words))
    if len(joined) == sum(len(w) for w in words):  # tw2s keeps lengths: cut back at the same places
        converted, pos = [], 0
        for w in words:
            converted.append(joined[pos : pos + len(w)])
            pos += len(w)
    else:
        converted = [to_simplified(w) for w in words]
    out: list[Segment] = []
    i = 0
    for seg in segments:
        new_words = tuple(replace(w, w=converted[i + k]) for k, w in enumerate(seg.words))
        i += len(seg.words)
        out.append(replace(seg, text=to_simplified(seg.text), words=new_words))
    return out
