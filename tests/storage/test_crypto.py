"""Envelope encryption: master key file, data key wrapping, segmented AEAD that detects flipped,
truncated, reordered and dropped segments."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.crypto import (
    HEADER_BYTES,
    SEGMENT_BYTES,
    DecryptionError,
    KeyringError,
    MasterKeyring,
    SegmentOpener,
    SegmentSealer,
    ciphertext_bytes,
    plaintext_bytes,
    rotate_master_key,
)
from tests.storage.vault_helpers import write_master_key


def seal(key: bytes, data: bytes, feed: int = 7777, segment: int = SEGMENT_BYTES) -> bytes:
    s = SegmentSealer(key, segment)
    out = [s.header]
    for i in range(0, len(data), feed):
        out.append(s.update(data[i : i + feed]))
    out.append(s.finish())
    return b"".join(out)


def open_all(key: bytes, blob: bytes) -> bytes:
    o = SegmentOpener(key, blob[:HEADER_BYTES], len(blob))
    parts = []
    for i in range(o.segments):
        offset, length = o.span(i)
        parts.append(o.open(i, blob[offset : offset + length]))
    return b"".join(parts)


@pytest.mark.parametrize(
    "size",
    [0, 1, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 3 * SEGMENT_BYTES, 200_001],
    ids=lambda n: f"{n}B",
)
def test_round_trip_and_sizes(size: int) -> None:
    key, data = os.urandom(32), os.urandom(size)
    blob = seal(key, data)
    assert len(blob) == ciphertext_bytes(size)
    assert plaintext_bytes(len(blob)) == size
    assert open_all(key, blob) == data


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    data = b"RIFF....WAVEfmt " + b"the debtor said hello " * 5000
    blob = seal(os.urandom(32), data)
    assert b"the debtor said" not in blob
    assert b"WAVE" not in blob


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:], id="flipped-byte"),
        pytest.param(lambda b: b[: HEADER_BYTES + SEGMENT_BYTES + 16], id="truncated-at-segment-boundary"),
        pytest.param(lambda b: b[:-1], id="truncated-mid-segment"),
        pytest.param(
            lambda b: (
                b[:HEADER_BYTES]
                + b[HEADER_BYTES + SEGMENT_BYTES + 16 : HEADER_BYTES + 2 * (SEGMENT_BYTES + 16)]
                + b[HEADER_BYTES : HEADER_BYTES + SEGMENT_BYTES + 16]
                + b[HEADER_BYTES + 2 * (SEGMENT_BYTES + 16) :]
            ),
            id="reordered-segments",
        ),
        pytest.param(
            lambda b: b[:HEADER_BYTES] + b[HEADER_BYTES + SEGMENT_BYTES + 16 :], id="first-segment-dropped"
        ),
        pytest.param(lambda b: b[:12] + bytes([b[12] ^ 1]) + b[13:], id="header-segment-size"),
    ],
)
def test_any_tampering_fails_authentication(tamper: object) -> None:
    key, data = os.urandom(32), os.urandom(3 * SEGMENT_BYTES + 500)
    blob = tamper(seal(key, data))  # type: ignore[operator]
    with pytest.raises(DecryptionError):
        open_all(key, blob)


def test_wrong_data_key_fails_cleanly() -> None:
    blob = seal(os.urandom(32), b"audio" * 100)
    with pytest.raises(DecryptionError, match="segment 0 failed authentication"):
        open_all(os.urandom(32), blob)


def test_keyring_wraps_with_the_newest_key_and_unwraps_with_any(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    write_master_key(path)
    ring = MasterKeyring(path)
    dek = os.urandom(32)
    kid1, wrapped1 = ring.wrap(dek, "rec_1")
    assert kid1 == "mk1"
    assert dek not in wrapped1
    assert rotate_master_key(path) == "mk2"
    kid2, wrapped2 = ring.wrap(dek, "rec_2")  # the ring sees the rotation without a restart
    assert kid2 == "mk2"
    assert ring.unwrap(kid1, wrapped1, "rec_1") == dek
    assert ring.unwrap(kid2, wrapped2, "rec_2") == dek
    with pytest.raises(DecryptionError):
        ring.unwrap(kid1, wrapped1, "rec_2")  # a wrapped key is bound to its recording
    assert path.stat().st_mode & 0o777 == 0o600
    assert [line.split(":")[0] for line in path.read_text().splitlines()] == ["mk1", "mk2"]


def test_wrong_or_missing_master_key_fails_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    write_master_key(path)
    kid, wrapped = MasterKeyring(path).wrap(os.urandom(32), "rec_1")
    write_master_key(path)  # same id, other material: the wrong file was restored
    with pytest.raises(DecryptionError, match="wrong master key file"):
        MasterKeyring(path).unwrap(kid, wrapped, "rec_1")
    write_master_key(path, "other")
    with pytest.raises(KeyringError, match="master key 'mk1' needed for recording rec_1 is not in"):
        MasterKeyring(path).unwrap(kid, wrapped, "rec_1")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "holds no key", id="empty"),
        pytest.param("mk1:notbase64!\n", "expected `<key id>:<base64 of 32 bytes>`", id="bad-base64"),
        pytest.param("mk1:" + "A" * 40 + "\n", "expected", id="short-key"),
        pytest.param("mk1:" + "A" * 43 + "=\nmk1:" + "B" * 43 + "=\n", "appears twice", id="duplicate-id"),
    ],
)
def test_malformed_key_files_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "master.key"
    path.write_text(text)
    with pytest.raises(KeyringError, match=message):
        MasterKeyring(path).key_ids()
    with pytest.raises(KeyringError, match="missing"):
        MasterKeyring(tmp_path / "nope.key").key_ids()
