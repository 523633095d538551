"""The training embedding cache: one folder holds several encoders' vectors, keyed by encoder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from speech.semantic.vectors import VectorCache


def test_a_sibling_cache_shares_the_folder_but_not_the_vectors(tmp_path: Path) -> None:
    calls: list[tuple[str, ...]] = []

    def embed_with(value: float, dim: int) -> Callable[[Sequence[str]], np.ndarray]:
        def embed(batch: Sequence[str]) -> np.ndarray:
            calls.append(tuple(batch))
            return np.full((len(batch), dim), value, dtype=np.float32)

        return embed

    e5 = VectorCache(tmp_path, "e5")
    use = e5.sibling("use", 2)
    assert use.get_many(["a"], embed_with(2.0, 2)).tolist() == [[2.0, 2.0]]
    assert e5.get_many(["a"], embed_with(1.0, 384)).shape == (1, 384)  # another key: embedded
    assert len(calls) == 2
    assert use.get_many([], embed_with(0.0, 2)).shape == (0, 2)
    # Read again from the folder, each encoder finds its own vectors without embedding.
    again = VectorCache(tmp_path, "use", 2)
    assert again.get_many(["a"], embed_with(9.0, 2)).tolist() == [[2.0, 2.0]]
    assert float(again.sibling("e5", 384).get_many(["a"], embed_with(9.0, 384))[0, 0]) == 1.0
    assert len(calls) == 2
