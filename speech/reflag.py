"""Re-flag a stored transcript without the audio (`callwarden reprocess` after a lexicon update).

    flags, versions = reflag(stored, facts={"lawsuit_filed": False})

A stored transcript holds masked words with their times, per channel, and who each channel is
(role, audience). Rebuilding each channel from those words and screening it again gives the
lexicon flags (`source` ``lexicon``), the semantic model's (``model``, ``both``) and the
required-disclosure check (``disclosure``) of the current lexicons, head file and phrase sets,
with the same times as at transcription. Privacy flags come
from the digits masking removed and cannot be redone from a masked transcript: reprocessing keeps
them (`REDONE_SOURCES`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policies.screening import Lexicon, Matcher, matcher_for
from speech.engines import Segment, Word
from speech.flagging import (
    disclosure_flags,
    lexicon_flags,
    lexicon_languages,
    mask_channel,
    semantic_flags,
    written_language,
)
from speech.semantic.model import SemanticFlagger, semantic_flagger
from speech.transcript import Flag

__all__ = ["REDONE_SOURCES", "lexicon_matcher", "reflag"]

REDONE_SOURCES = ("lexicon", "model", "both", "disclosure")


def lexicon_matcher(language: str, lexicons: Sequence[Lexicon] = ()) -> Matcher | None:
    """The operator's lexicons for `language` if any were given, else the bundled ones (None when
    there is no lexicon for the language)."""
    base = language.replace("_", "-").split("-")[0].lower()
    own = [lex for lex in lexicons if lex.language == base]
    if own:
        return Matcher(own)
    langs = lexicon_languages(language)
    return matcher_for(langs) if langs is not None else None


def reflag(
    transcript: Mapping[str, Any],
    facts: Mapping[str, bool] | None,
    *,
    lexicons: Sequence[Lexicon] = (),
    disclosure_window_s: float = 0.0,
    flagger: SemanticFlagger | None = None,
) -> tuple[list[Flag], list[str]]:
    """(flags of `REDONE_SOURCES`, lexicon versions) for a stored transcript (the shape of
    `storage.transcripts.get_transcript`)."""
    # Screened as at transcription: in the language the words are written in (`speech.pipeline`).
    language = written_language((str(s["text"]) for s in transcript["segments"]), str(transcript["language"]))
    duration = float(transcript["duration"])
    matcher = lexicon_matcher(language, lexicons)
    flagger = flagger or semantic_flagger()
    flags: list[Flag] = []
    for info in transcript["channels"]:
        channel = str(info.get("name") or info.get("channel"))
        segments = [
            Segment(
                float(s["start"]),
                float(s["end"]),
                str(s["text"]),
                tuple(
                    Word(str(w["w"]), float(w["start"]), float(w["end"]), float(w["conf"]))
                    for w in s["words"]
                ),
            )
            for s in transcript["segments"]
            if s["channel"] == channel
        ]
        ct = mask_channel(channel, str(info["role"]), str(info["audience"]), segments)
        hits = lexicon_flags(ct, language, facts, matcher) if matcher is not None else []
        flags.extend(semantic_flags(ct, language, facts, hits, flagger))
        if ct.role in ("agent", "mixed"):
            flags.extend(disclosure_flags(ct, language, disclosure_window_s, duration))
    versions = {f.lexicon_version for f in flags}
    if matcher is not None:
        versions |= {lex.tag for lex in matcher.lexicons}
    if flagger.has(language):
        versions.add(flagger.tag)
    return sorted(flags, key=lambda f: (f.start, f.channel, f.category)), sorted(versions)
