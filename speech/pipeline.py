"""One recording through the whole pipeline: decode → per-channel speech → (zh: Simplified) →
mask → flags.

    result = process("call.wav", "en", facts={"lawsuit_filed": False})
    for flag in result.violations:
        print(flag.start, flag.channel, flag.category, flag.match)

Pure of HTTP and SQL: a transcription worker calls `process` with the recording's bytes or path
and the case's language, facts and audience, and stores the `TranscriptResult`. Synchronous and
CPU-bound: run it in a worker process or thread, never on an event loop.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Mapping

from policies.lexicon import HAN, base_language
from speech.audio import decode
from speech.chinese import simplified_segments
from speech.config import AGENT_CHANNELS, SpeechConfig
from speech.engines import Engine, load_engine
from speech.flagging import (
    ChannelTranscript,
    disclosure_flags,
    lexicon_flags,
    lexicon_languages,
    mask_channel,
    masked_numbers,
    privacy_flags,
    semantic_flags,
    utterance_language,
    written_language,
)
from speech.semantic.model import SemanticFlagger, semantic_flagger
from speech.transcript import ChannelInfo, Flag, TranscriptResult

__all__ = ["AUDIENCES", "engine_for", "process"]

AUDIENCES = ("debtor", "third_party")
_HAN = re.compile(f"[{HAN}]")


def engine_for(language: str, config: SpeechConfig | None = None, name: str = "", model: str = "") -> Engine:
    """The (per-process cached) engine for `language`: `name`/`model` override the config."""
    config = config or SpeechConfig()
    configured_name, configured_model = config.engine_for(language)
    name = name or configured_name
    model = model or (configured_model if name == configured_name else "")
    return load_engine(name, language, model, config.threads, str(config.cache_dir), config.sherpa_model_type)


def process(
    source: str | os.PathLike[str] | bytes,
    language: str,
    agent_channel: str | None = None,
    facts: Mapping[str, bool] | None = None,
    audience_by_channel: Mapping[str, str] | None = None,
    *,
    config: SpeechConfig | None = None,
    engine: Engine | None = None,
    flagger: SemanticFlagger | None = None,
) -> TranscriptResult:
    """Transcribe and flag one recording.

    `language`: the recording's language (see `speech.config.recording_language`).
    `agent_channel`: ``left`` or ``right`` for a stereo recording (default from config: left);
    a mono recording is one mixed speaker. `facts`: the case's facts for fact-aware legal
    statements. `audience_by_channel`: who hears each channel's speech, by channel name
    (``left``/``right``/``mono``) or role (``agent``/``debtor``): ``debtor`` (default) or
    ``third_party`` (the agent reached someone else). `engine`: an engine the caller owns (a
    worker's); default: the configured engine for the language, loaded once per process.
    `flagger`: the semantic model (default: the bundled head file and embedder, loaded once per
    process); it scores every utterance of a language it has heads for.

    Raises `speech.audio.AudioDecodeError` for audio that cannot be decoded and
    `speech.engines.EngineError` (e.g. `ModelNotFound`) when no engine or model is usable.
    """
    config = config or SpeechConfig()
    agent = agent_channel or config.agent_channel
    if agent not in AGENT_CHANNELS:
        raise ValueError(f"agent_channel must be 'left' or 'right' (got {agent!r})")
    audiences = dict(audience_by_channel or {})
    for key, value in audiences.items():
        if value not in AUDIENCES:
            raise ValueError(f"audience for {key!r} must be 'debtor' or 'third_party' (got {value!r})")
    eng = engine or engine_for(language, config)
    if flagger is None:
        flagger = semantic_flagger()  # a broken head file fails the job before any work
    warnings: list[str] = []

    t0 = time.perf_counter()
    audio = decode(source, rate=eng.rate)
    t1 = time.perf_counter()
    if audio.decoder_messages:
        warnings.append(f"decoder: {audio.decoder_messages}")
    if audio.source_channels == 2 and not audio.is_stereo:
        warnings.append("both stereo channels are identical: transcribed once as one mixed speaker")

    transcripts: list[ChannelTranscript] = []
    raw = []
    base = base_language(language)
    for ch in audio.channels:
        role = "mixed" if ch.name == "mono" else ("agent" if ch.name == agent else "debtor")
        segments = eng.transcribe(ch.pcm, audio.rate, language)
        # Lexicons, disclosures and inspectors read Simplified; Whisper writes Traditional half the
        # time, also inside a call on a case marked with another language.
        chinese = base == "zh" or any(_HAN.search(seg.text) for seg in segments)
        raw.append((ch.name, role, simplified_segments(segments) if chinese else segments))
    t2 = time.perf_counter()

    # Flagged in the language the words are written in: a Mandarin call on a case marked Korean
    # came back in Han characters and was screened with the Korean and English lexicons only,
    # silently (found by a probe). Mostly in another script: that language is the transcript's;
    # a part of it: each utterance is screened in its own (`speech.flagging.utterance_language`).
    screened = written = written_language((seg.text for _, _, segs in raw for seg in segs), language)
    if written != language:
        warnings.append(
            f"the transcript is written in {written!r}, not the case's language {language!r}: flagged"
            f" as {written!r}; check the case's language (the engine was told {language!r})"
        )

    flags: list[Flag] = []
    for name, role, segments in raw:
        audience = audiences.get(name) or audiences.get(role) or "debtor"
        ct = mask_channel(name, role, audience, segments)
        transcripts.append(ct)
        flags.extend(semantic_flags(ct, screened, facts, lexicon_flags(ct, screened, facts), flagger))
        flags.extend(privacy_flags(ct))
        if role in ("agent", "mixed"):
            flags.extend(disclosure_flags(ct, screened, config.disclosure_window_s, audio.duration))
    t3 = time.perf_counter()

    others = Counter(
        lang
        for ct in transcripts
        for u in ct.utterances
        if base_language(lang := utterance_language(u.text, screened)) not in (base, base_language(screened))
    )
    for lang, n in sorted(others.items()):
        warnings.append(
            f"{n} utterance(s) of the transcript are written in {lang!r}, not the case's language"
            f" {language!r}: flagged as {lang!r}; check the case's language (the engine was told"
            f" {language!r})"
        )
    langs = lexicon_languages(screened)
    if langs is None and not flagger.has(screened):
        warnings.append(f"no lexicon or model for language {screened!r}: transcribed and masked, not flagged")
    elif langs is None:
        warnings.append(f"no lexicon for language {screened!r}: flagged by the semantic model only")
    agent_ct = next((ct for ct in transcripts if ct.role in ("agent", "mixed")), None)
    if agent_ct is not None and not agent_ct.words:
        warnings.append(f"no speech recognised on the agent's channel ({agent_ct.channel})")
    versions = sorted(
        {f.lexicon_version for f in flags}
        | _lexicon_tags(langs)
        | {tag for lang in [screened, *others] for tag in _model_tags(flagger, lang)}
    )
    return TranscriptResult(
        language=language,
        engine=eng.name,
        model=eng.model,
        duration=audio.duration,
        channels=tuple(ChannelInfo(ct.channel, ct.role, ct.audience, len(ct.words)) for ct in transcripts),
        utterances=tuple(
            sorted((u for ct in transcripts for u in ct.utterances), key=lambda u: (u.start, u.channel))
        ),
        flags=tuple(sorted(flags, key=lambda f: (f.start, f.channel, f.category))),
        masked=tuple(sorted((m for ct in transcripts for m in masked_numbers(ct)), key=lambda m: m.start)),
        lexicon_versions=tuple(versions),
        timings={"decode": t1 - t0, "transcribe": t2 - t1, "flag": t3 - t2},
        warnings=tuple(warnings),
    )


def _model_tags(flagger: SemanticFlagger, language: str) -> set[str]:
    return {flagger.tag} if flagger.has(language) else set()


def _lexicon_tags(langs: tuple[str, ...] | None) -> set[str]:
    if langs is None:
        return set()
    from policies.screening import matcher_for

    return {lex.tag for lex in matcher_for(langs).lexicons}
