"""A disk cache of training embeddings, so a retrain embeds only lines it has not seen.

Training embeds every corpus line and two ASR-like variants of each (about 19,000 lines: minutes
on one core). The cache is a folder of `.npz` chunks, one per batch written, keyed by the
SHA-256 of the embedder id and the prepared line: an interrupted run loses at most one batch,
and a different embedder never reads another's vectors. Safe to delete at any time.
"""

from __future__ import annotations

import copy
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

__all__ = ["VectorCache", "default_cache_dir"]

CHUNK = 256


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "callwarden" / "flagger-embeddings"


class VectorCache:
    """Embeddings by (embedder id, prepared text), stored under `folder` (one folder can hold
    several encoders' vectors: the id is part of every key)."""

    def __init__(self, folder: Path, embedder_id: str, dim: int = 384) -> None:
        self.folder = Path(folder)
        self.embedder_id = embedder_id
        self.dim = dim
        self._vectors: dict[str, np.ndarray] = {}
        if self.folder.is_dir():
            for chunk in sorted(self.folder.glob("chunk-*.npz")):
                try:
                    with np.load(chunk) as data:
                        keys, vecs = data["keys"], data["vectors"]
                except (OSError, ValueError, KeyError):
                    continue  # a chunk cut short by a crash: its lines are embedded again
                for k, v in zip(keys.tolist(), vecs, strict=True):
                    self._vectors[str(k)] = v

    def sibling(self, embedder_id: str, dim: int) -> VectorCache:
        """The same folder's vectors of another encoder, without reading the folder again (the
        loaded vectors are shared: the id is part of every key)."""
        other = copy.copy(self)
        other.embedder_id, other.dim = embedder_id, dim
        return other

    def key(self, prepared: str) -> str:
        return hashlib.sha256(f"{self.embedder_id}\0{prepared}".encode()).hexdigest()

    def __len__(self) -> int:
        return len(self._vectors)

    def get_many(
        self,
        prepared: Sequence[str],
        embed: Callable[[Sequence[str]], np.ndarray],
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Vectors for every line, embedding (and storing) the ones not cached yet."""
        keys = [self.key(p) for p in prepared]
        missing = list(
            dict.fromkeys(p for p, k in zip(prepared, keys, strict=True) if k not in self._vectors)
        )
        done = 0
        for i in range(0, len(missing), CHUNK):
            batch = missing[i : i + CHUNK]
            vecs = np.asarray(embed(batch), dtype=np.float32)
            bkeys = [self.key(p) for p in batch]
            self.folder.mkdir(parents=True, exist_ok=True)
            name = self.folder / f"chunk-{time.time_ns():020d}-{os.getpid()}.npz"
            tmp = name.with_suffix(".tmp.npz")
            np.savez(tmp, keys=np.array(bkeys), vectors=vecs)
            tmp.replace(name)
            for k, v in zip(bkeys, vecs, strict=True):
                self._vectors[k] = v
            done += len(batch)
            if progress is not None:
                progress(done, len(missing))
        return np.stack([self._vectors[k] for k in keys]) if keys else np.empty((0, self.dim), np.float32)
