"""`callwarden doctor`'s speech lines: is each configured language's engine and model usable?

    for ok, what, fix in speech_checks(config):   # ok: True, False (a problem) or None (a warning)
        ...

Models are located and checked, never loaded into this process; nothing is written (a packaged
model not yet assembled is reported as "assembled at first use"). A sherpa-onnx model folder is
loaded once in a child process, because sherpa-onnx ends the process on some bad models.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util

from speech.config import CONFIGURED_LANGUAGES, SpeechConfig
from speech.engines import EngineError, ModelNotFound

__all__ = ["Check", "speech_checks"]

Check = tuple[bool | None, str, str]  # (ok, what, how to fix)


def speech_checks(config: SpeechConfig) -> list[Check]:
    out: list[Check] = []
    for lang in CONFIGURED_LANGUAGES:
        engine, model = config.engine_for(lang)
        # The default transcription language must work; the others only matter for cases in them.
        severity: bool | None = False if lang == config.default_language else None
        try:
            if engine == "whisper":
                out.extend(_whisper(lang, model, config, severity))
            elif engine == "vosk":
                out.append(_vosk(lang, model))
            elif engine == "sherpa-onnx":
                out.extend(_sherpa(lang, model, config))
            else:
                known = "speech.engine_<lang>: vosk, whisper or sherpa-onnx"
                out.append((False, f"speech {lang}: unknown engine {engine!r}", known))
        except ModelNotFound as exc:
            fix = getattr(exc, "fix", "") or _fix(engine, lang)
            looked = "; ".join(exc.looked_at)
            detail = f"{exc}" + (f" (looked at: {looked})" if looked and looked not in str(exc) else "")
            out.append((severity, f"speech {lang}: {engine}: {detail}", fix))
        except Exception as exc:  # a missing package, a bad configured path: say how to fix it
            out.append((severity, f"speech {lang}: {engine}: {exc}", _fix(engine, lang)))
    return out


def _whisper(lang: str, model: str, config: SpeechConfig, severity: bool | None) -> list[Check]:
    if importlib.util.find_spec("faster_whisper") is None:
        raise EngineError("faster-whisper is not installed")
    from speech.engines.whisper_engine import BUNDLED_MODELS, DEFAULT_MODEL, packaged_model, resolve_models
    from speech.models import model_state

    name = model or DEFAULT_MODEL
    if name in BUNDLED_MODELS:
        state = model_state(BUNDLED_MODELS[name], config.cache_dir)
        return [(True if state.ok else severity, f"speech {lang}: whisper: {state.message}", state.fix)]
    packaged = packaged_model(name)
    if packaged is not None:
        return [(True, f"speech {lang}: whisper {name} {packaged} (inside an installed pip package)", "")]
    return [(True, f"speech {lang}: whisper model {resolve_models(name)[0]}", "")]


def _vosk(lang: str, model: str) -> Check:
    if importlib.util.find_spec("vosk") is None:
        raise EngineError("the vosk package is not installed")
    from speech.engines.vosk_engine import find_vosk_model

    return (True, f"speech {lang}: vosk model {find_vosk_model(lang, model)}", "")


def _sherpa(lang: str, model: str, config: SpeechConfig) -> list[Check]:
    """Configured on purpose, so every problem is a failure: package, folder, files, loading."""
    from speech.engines.sherpa_engine import INSTALL_HINT, find_sherpa_model, probe

    if importlib.util.find_spec("sherpa_onnx") is None:
        return [
            (False, f"speech {lang}: sherpa-onnx: the package sherpa-onnx is not installed", INSTALL_HINT)
        ]
    version = importlib.metadata.version("sherpa-onnx")
    out: list[Check] = [(True, f"speech {lang}: sherpa-onnx {version} installed", "")]
    try:
        found = find_sherpa_model(model, config.sherpa_model_type)
    except (ModelNotFound, ValueError) as exc:
        return [*out, (False, f"speech {lang}: sherpa-onnx: {exc}", INSTALL_HINT)]
    try:
        probe(found)
    except EngineError as exc:
        return [*out, (False, f"speech {lang}: sherpa-onnx: {exc}", INSTALL_HINT)]
    out.append((True, f"speech {lang}: sherpa-onnx {found.model_type} model {found.model} (loads)", ""))
    return out


def _fix(engine: str, lang: str) -> str:
    if engine == "whisper":
        return ".venv/bin/pip install 'callwarden[whisper]' (make serve does), or set speech.model_" + lang
    if engine == "sherpa-onnx":
        from speech.engines.sherpa_engine import INSTALL_HINT

        return INSTALL_HINT
    from speech.engines.vosk_engine import install_hint

    return install_hint(lang)
