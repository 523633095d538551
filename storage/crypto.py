"""Envelope encryption for recordings: master keys, data keys and the segmented file format.

Master keys live in `DATA/master.key`, one `<key_id>:<base64 of 32 bytes>` per line, newest last
(`callwarden keys rotate-master` appends a line). Each recording gets its own random 256-bit data
key, stored only wrapped (AES-256-GCM) by the newest master key; old master keys stay in the file
so older recordings stay readable.

A recording is encrypted as a sequence of segments (the STREAM construction, as in age or Tink's
streaming AEAD) so that memory stays flat and any byte range can be decrypted alone:

    header   = MAGIC (8) | segment size u32 BE (4) | nonce prefix (8)           -- 20 bytes
    segment i = AES-256-GCM(data key, nonce = prefix | i u32 BE,
                            plaintext[i*S : (i+1)*S], aad = header | final flag)  -- S + 16 bytes

The last segment, and only it, is sealed with the final flag set, so truncating the file at a
segment boundary, dropping, duplicating or reordering segments all fail authentication. A file of
n bytes has ceil(n / S) segments, at least one (an empty final segment for an empty file).

A sealed file's content address is SHA-256(header | tag 0 | tag 1 | ...). Each GCM tag
authenticates its segment's ciphertext under the data key, so the address commits to every byte
of the file: with the key, a copy is verified against its address by one AES-GCM pass
(`verify_sealed`), several times cheaper than a SHA-256 pass over the whole file; without the
key, the header and tags alone still give the address (`seal_address`, used by crash recovery).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from policies.errors import CallwardenError, SetupError

__all__ = [
    "HEADER_BYTES",
    "SEGMENT_BYTES",
    "TAG_BYTES",
    "DecryptionError",
    "KeyringError",
    "MasterKeyring",
    "SegmentOpener",
    "SegmentSealer",
    "ciphertext_bytes",
    "create_master_key_file",
    "master_key_line",
    "plaintext_bytes",
    "rotate_master_key",
    "scan_sealed",
    "seal_address",
    "segment_count",
    "verify_sealed",
]

MAGIC = b"CWREC1\x00\x00"
SEGMENT_BYTES = 64 * 1024
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + 4 + 8
_FINAL = b"\x01"
_MORE = b"\x00"
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class KeyringError(SetupError):
    """The master key file is missing, malformed, or lacks a key id that is needed."""

    code = "keyring_error"


class DecryptionError(CallwardenError):
    """Stored data failed authentication: wrong key, or the bytes were altered or truncated."""

    code = "decryption_failed"


def _wrap_aad(recording_id: str, key_id: str) -> bytes:
    return f"callwarden-data-key|{recording_id}|{key_id}".encode()


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    material: bytes


class MasterKeyring:
    """The master keys in one file, re-read when the file changes (so a rotation done by the CLI
    reaches a running server without a restart)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._keys: dict[str, MasterKey] = {}
        self._newest: MasterKey | None = None

    def _load(self) -> None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise KeyringError(
                f"master key file {self.path} is missing; run `callwarden init` (or restore it from backup)"
            ) from None
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if stamp == self._stamp:
            return
        keys: dict[str, MasterKey] = {}
        newest: MasterKey | None = None
        for n, line in enumerate(self.path.read_text(encoding="ascii").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key_id, sep, b64 = line.partition(":")
            try:
                material = base64.b64decode(b64, validate=True) if sep else b""
            except (binascii.Error, ValueError):
                material = b""
            if not _KEY_ID.match(key_id) or len(material) != 32:
                raise KeyringError(f"{self.path}:{n}: expected `<key id>:<base64 of 32 bytes>`")
            if key_id in keys:
                raise KeyringError(f"{self.path}:{n}: master key id {key_id!r} appears twice")
            newest = keys[key_id] = MasterKey(key_id, material)
        if newest is None:
            raise KeyringError(f"master key file {self.path} holds no key")
        self._keys, self._newest, self._stamp = keys, newest, stamp

    @property
    def current_id(self) -> str:
        self._load()
        assert self._newest is not None
        return self._newest.key_id

    def key_ids(self) -> list[str]:
        self._load()
        return list(self._keys)

    def wrap(self, data_key: bytes, recording_id: str) -> tuple[str, bytes]:
        """Wrap a data key with the newest master key: (master key id, nonce | ciphertext)."""
        self._load()
        assert self._newest is not None
        key = self._newest
        nonce = secrets.token_bytes(12)
        wrapped = AESGCM(key.material).encrypt(nonce, data_key, _wrap_aad(recording_id, key.key_id))
        return key.key_id, nonce + wrapped

    def unwrap(self, key_id: str, wrapped: bytes, recording_id: str) -> bytes:
        self._load()
        key = self._keys.get(key_id)
        if key is None:
            raise KeyringError(
                f"master key {key_id!r} needed for recording {recording_id} is not in {self.path}"
            )
        try:
            return AESGCM(key.material).decrypt(wrapped[:12], wrapped[12:], _wrap_aad(recording_id, key_id))
        except InvalidTag:
            raise DecryptionError(
                f"the data key of recording {recording_id} does not open with master key {key_id!r}"
                " (wrong master key file?)"
            ) from None


def master_key_line(key_id: str, material: bytes) -> str:
    """One line of the master key file: `<key id>:<base64 of 32 bytes>` (the only format)."""
    return f"{key_id}:{base64.b64encode(material).decode('ascii')}\n"


def create_master_key_file(path: Path) -> str:
    """Write a new key file holding one fresh key (mode 0600, never over an existing file);
    returns the key id."""
    key_id = "mk1"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, master_key_line(key_id, secrets.token_bytes(32)).encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return key_id


def rotate_master_key(path: Path) -> str:
    """Append a new master key (the newest is used for new recordings); returns its id."""
    ring = MasterKeyring(path)
    ids = ring.key_ids()
    numbers = [int(m.group(1)) for k in ids if (m := re.fullmatch(r"mk(\d+)", k))]
    key_id = f"mk{max(numbers, default=len(ids)) + 1}"
    while key_id in ids:
        key_id += "x"
    line = master_key_line(key_id, secrets.token_bytes(32))
    text = path.read_text(encoding="ascii")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, (("" if text.endswith("\n") or not text else "\n") + line).encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return key_id


def segment_count(plain: int, segment: int = SEGMENT_BYTES) -> int:
    return max(1, -(-plain // segment))


def ciphertext_bytes(plain: int, segment: int = SEGMENT_BYTES) -> int:
    return HEADER_BYTES + plain + TAG_BYTES * segment_count(plain, segment)


def plaintext_bytes(stored: int, segment: int = SEGMENT_BYTES) -> int:
    """The plaintext length of a stored file of `stored` bytes (DecryptionError if impossible)."""
    body = stored - HEADER_BYTES
    if body < TAG_BYTES:
        raise DecryptionError(f"an encrypted recording of {stored} bytes is truncated")
    n = -(-body // (segment + TAG_BYTES))
    plain = body - TAG_BYTES * n
    if ciphertext_bytes(plain, segment) != stored:
        raise DecryptionError(f"an encrypted recording of {stored} bytes is truncated")
    return plain


class SegmentSealer:
    """Encrypts a stream: feed plaintext of any size, get ciphertext; `finish()` seals the last
    segment. One segment of look-ahead decides which segment is final."""

    def __init__(self, data_key: bytes, segment: int = SEGMENT_BYTES) -> None:
        self._aead = AESGCM(data_key)
        self._segment = segment
        self._prefix = secrets.token_bytes(8)
        self.header = MAGIC + segment.to_bytes(4, "big") + self._prefix
        self._aad_more = self.header + _MORE
        self._aad_final = self.header + _FINAL
        self._buf = bytearray()
        self._index = 0
        self._done = False

    def _nonce(self) -> bytes:
        if self._index >= 1 << 32:
            raise OverflowError("recording too large for one nonce prefix")
        return self._prefix + self._index.to_bytes(4, "big")

    def update(self, data: bytes) -> bytes:
        """Ciphertext for every complete segment that is certainly not the last one."""
        return b"".join(self.update_segments(data))

    def update_segments(self, data: bytes) -> list[bytes]:
        """As `update`, one sealed segment per list item (no joining copy)."""
        if self._done:
            raise RuntimeError("update() after finish()")
        seg = self._segment
        view = memoryview(data)
        out: list[bytes] = []
        if self._buf:
            need = seg - len(self._buf)
            if len(view) <= need:
                self._buf += view
                return out
            self._buf += view[:need]
            view = view[need:]
            out.append(self._aead.encrypt(self._nonce(), bytes(self._buf), self._aad_more))
            self._index += 1
        # Keep at least one byte buffered: the segment holding the last byte is the final one.
        full = (len(view) - 1) // seg if len(view) else 0
        for i in range(full):
            out.append(self._aead.encrypt(self._nonce(), view[i * seg : (i + 1) * seg], self._aad_more))
            self._index += 1
        self._buf = bytearray(view[full * seg :])
        return out

    def finish(self) -> bytes:
        if self._done:
            raise RuntimeError("finish() called twice")
        self._done = True
        out = self._aead.encrypt(self._nonce(), bytes(self._buf), self._aad_final)
        self._buf.clear()
        return out


class SegmentOpener:
    """Decrypts segments of one stored file by index (random access for Range requests)."""

    def __init__(self, data_key: bytes, header: bytes, stored_bytes: int) -> None:
        if len(header) != HEADER_BYTES or header[: len(MAGIC)] != MAGIC:
            raise DecryptionError("not a callwarden encrypted recording (bad header)")
        self._aead = AESGCM(data_key)
        self.header = header
        self.segment = int.from_bytes(header[len(MAGIC) : len(MAGIC) + 4], "big")
        self._prefix = header[len(MAGIC) + 4 :]
        self.plain_bytes = plaintext_bytes(stored_bytes, self.segment)
        self.segments = segment_count(self.plain_bytes, self.segment)

    def span(self, index: int) -> tuple[int, int]:
        """(offset, length) of segment `index` in the stored file."""
        offset = HEADER_BYTES + index * (self.segment + TAG_BYTES)
        last = index == self.segments - 1
        plain = self.plain_bytes - index * self.segment if last else self.segment
        return offset, plain + TAG_BYTES

    def open(self, index: int, sealed: bytes) -> bytes:
        final = index == self.segments - 1
        nonce = self._prefix + index.to_bytes(4, "big")
        try:
            return self._aead.decrypt(nonce, sealed, self.header + (_FINAL if final else _MORE))
        except InvalidTag:
            raise DecryptionError(f"segment {index} failed authentication") from None

    def segments_for(self, start: int, end: int) -> Iterator[int]:
        """Indexes of the segments holding plaintext bytes start..end (inclusive)."""
        return iter(range(start // self.segment, end // self.segment + 1))


def _header_at(fd: int) -> tuple[bytes, int]:
    header = os.pread(fd, HEADER_BYTES, 0)
    if len(header) != HEADER_BYTES or header[: len(MAGIC)] != MAGIC:
        raise DecryptionError("not a callwarden encrypted recording (bad header)")
    return header, int.from_bytes(header[len(MAGIC) : len(MAGIC) + 4], "big")


def seal_address(fd: int) -> str:
    """The content address of a sealed file from its header and tags alone (no key needed)."""
    header, segment = _header_at(fd)
    stored = os.fstat(fd).st_size
    plain = plaintext_bytes(stored, segment)
    h = hashlib.sha256(header)
    for i in range(segment_count(plain, segment)):
        end = min(HEADER_BYTES + (i + 1) * (segment + TAG_BYTES), stored)
        h.update(os.pread(fd, TAG_BYTES, end - TAG_BYTES))
    return h.hexdigest()


def verify_sealed(
    fd: int,
    data_key: bytes,
    throttle: Callable[[int], None] | None = None,
    plaintext_hash: hashlib._Hash | None = None,
) -> str:
    """Authenticate every segment of a sealed file and return its content address
    (DecryptionError at the first segment that fails); feeds the plaintext to `plaintext_hash`."""
    header, _ = _header_at(fd)
    opener = SegmentOpener(data_key, header, os.fstat(fd).st_size)
    h = hashlib.sha256(header)
    for i in range(opener.segments):
        offset, length = opener.span(i)
        sealed = os.pread(fd, length, offset)
        plain = opener.open(i, sealed)
        if plaintext_hash is not None:
            plaintext_hash.update(plain)
        h.update(sealed[-TAG_BYTES:])
        if throttle is not None:
            throttle(length)
    return h.hexdigest()


class _Stream:
    """Exact-size reads from an iterable of chunks (an HTTP body), without quadratic copying."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._it = iter(chunks)
        self._buf = bytearray()
        self._pos = 0

    def take(self, n: int) -> bytes:
        while len(self._buf) - self._pos < n:
            chunk = next(self._it, None)
            if chunk is None:
                raise DecryptionError("the stored copy is shorter than its length says (truncated)")
            if self._pos:
                del self._buf[: self._pos]
                self._pos = 0
            self._buf += chunk
        out = bytes(self._buf[self._pos : self._pos + n])
        self._pos += n
        return out

    def at_end(self) -> bool:
        if len(self._buf) > self._pos:
            return False
        return all(not chunk for chunk in self._it)


def scan_sealed(
    chunks: Iterable[bytes],
    stored_bytes: int,
    data_key: bytes | None,
    throttle: Callable[[int], None] | None = None,
    plaintext_hash: hashlib._Hash | None = None,
) -> str:
    """`verify_sealed` for a copy read front to back (an object store's GET): with the data key
    every segment is authenticated (DecryptionError at the first that fails) and the plaintext fed
    to `plaintext_hash`; without it only the header and tags are hashed. Returns the address."""
    stream = _Stream(chunks)
    header = stream.take(HEADER_BYTES)
    if header[: len(MAGIC)] != MAGIC:
        raise DecryptionError("not a callwarden encrypted recording (bad header)")
    segment = int.from_bytes(header[len(MAGIC) : len(MAGIC) + 4], "big")
    plain = plaintext_bytes(stored_bytes, segment)
    opener = SegmentOpener(data_key, header, stored_bytes) if data_key is not None else None
    h = hashlib.sha256(header)
    count = segment_count(plain, segment)
    for i in range(count):
        length = (plain - i * segment if i == count - 1 else segment) + TAG_BYTES
        sealed = stream.take(length)
        if opener is not None:
            opened = opener.open(i, sealed)
            if plaintext_hash is not None:
                plaintext_hash.update(opened)
        h.update(sealed[-TAG_BYTES:])
        if throttle is not None:
            throttle(length)
    if not stream.at_end():
        raise DecryptionError("the stored copy is longer than its length says")
    return h.hexdigest()
