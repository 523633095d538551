"""The recording store interface: what the vault, the purge, the scrub and the readers need of a
place that keeps encrypted recordings. Two backends implement it: the local disk
(`storage/blobs.py`, the default) and S3-compatible object storage with Object Lock
(`storage/objectstore.py`).

Both keep only ciphertext (storage/crypto.py): the data key lives wrapped in the database, so a
store never sees plaintext or a usable key. Each stored recording is named by its content address
and exists as a `primary` copy and, when a replica is configured, a `replica` copy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from policies.errors import Forbidden, ServiceUnavailable, SetupError

__all__ = [
    "COPIES",
    "Copy",
    "CopyProblem",
    "ObjectLock",
    "RecordingReader",
    "RecordingStore",
    "RecordingWriter",
    "RecoveryReport",
    "SealedBlob",
    "StoreLocked",
    "StoreMisconfigured",
    "StoreUnavailable",
    "Throttle",
]

Copy = Literal["primary", "replica"]
COPIES: tuple[Copy, Copy] = ("primary", "replica")
Throttle = Callable[[int], None]
# (problem, detail): problem is `missing`, `corrupt` or `unreadable` (scrub_findings.problem).
CopyProblem = tuple[str, str]


@dataclass(frozen=True)
class SealedBlob:
    """A sealed recording: its address and sizes, and (once published) the replica's fate."""

    blob_sha256: str
    blob_bytes: int
    sha256: str
    bytes: int
    replica_ok: bool
    replica_error: str | None


@dataclass
class RecoveryReport:
    removed_tmp_files: int = 0
    removed_unrecorded_blobs: list[str] = field(default_factory=list)
    # Published but never recorded, and the store refuses to delete them (Object Lock): their data
    # key was never stored, so nobody can read them; the scrub lists them as orphans.
    locked_orphans: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ObjectLock:
    """What a stored copy must be protected by: the end of its retention lock (None: none, e.g.
    a recording already past it) and whether it is under legal hold. The local store keeps these
    in the database only; the object store also sets them on the object (COMPLIANCE mode)."""

    retain_until: datetime | None
    legal_hold: bool = False


class StoreUnavailable(ServiceUnavailable):
    """The store cannot be reached or answered with a server error: try again later."""

    code = "store_unavailable"


class StoreMisconfigured(SetupError):
    """The store is set up wrongly (no such bucket, no Object Lock, bad credentials): an operator
    must fix it; the message says how."""

    code = "store_misconfigured"


class StoreLocked(Forbidden):
    """The store itself refuses to delete a copy: its retention lock or legal hold is still on
    there (for example a hold placed directly in the bucket)."""

    code = "store_locked"

    def __init__(self, where: str, retain_until: str | None, legal_hold: bool) -> None:
        why = "it is under legal hold" if legal_hold else f"it is locked until {retain_until}"
        super().__init__(
            f"the recording store refuses to delete {where}: {why}",
            {"store_retain_until": retain_until, "store_legal_hold": legal_hold, "where": where},
        )
        self.retain_until = retain_until
        self.legal_hold = legal_hold


class RecordingWriter(Protocol):
    """One recording being written; batches may come from executor threads."""

    def write_chunks(self, chunks: Sequence[bytes]) -> None: ...

    def seal(self) -> SealedBlob:
        """Finish encrypting; the sealed blob (its address and the plaintext SHA-256) is known but
        not stored yet. Returns a `SealedBlob` with `replica_ok` False."""

    def publish(self, lock: ObjectLock) -> SealedBlob:
        """Store the sealed blob (and its replica) under its address with `lock`; returns the
        `SealedBlob` with the replica's fate."""

    def discard(self) -> None: ...

    def close(self) -> None: ...


class RecordingReader(Protocol):
    """Decrypts byte ranges of one recording; `fell_back` lists copies that failed."""

    fell_back: list[str]

    @property
    def size(self) -> int: ...

    def read(self, start: int, end: int) -> bytes: ...

    def close(self) -> None: ...


class RecordingStore(Protocol):
    kind: str
    # Whether a copy's earlier versions are kept (a versioned bucket): a heal may read them.
    keeps_versions: bool

    @property
    def replica_configured(self) -> bool: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def writable(self) -> bool: ...

    def status(self) -> dict[str, Any]:
        """For /readyz: `{"kind", "ok", "primary", "replica", "detail"}`."""

    def writer(self, data_key: bytes) -> RecordingWriter: ...

    def reader(self, blob_sha: str, data_key: bytes) -> RecordingReader: ...

    def delete(self, blob_sha: str) -> None:
        """Remove every copy (missing ones are fine); StoreLocked if the store refuses."""

    def set_legal_hold(self, blob_sha: str, on: bool) -> None: ...

    def lock_until(self, blob_sha: str) -> datetime | None:
        """The retain-until date the store itself enforces on the primary's current version (None
        where the lock lives only in the database, or the store cannot say)."""

    def hold_again(self, blob_sha: str) -> list[Copy]:
        """Place the store's hold on every version that lacks it; the copies that had one
        (empty where holds live only in the database)."""

    def describe(self, copy: Copy, blob_sha: str) -> str: ...

    def check(
        self,
        copy: Copy,
        blob_sha: str,
        data_key: bytes | None,
        throttle: Throttle | None = None,
        plaintext_hash: hashlib._Hash | None = None,
    ) -> CopyProblem | None:
        """None if the copy is good. With the data key every segment is authenticated; without
        it only the header and tags are checked against the address."""

    def heal(
        self, copy: Copy, blob_sha: str, data_key: bytes, lock: ObjectLock, throttle: Throttle | None = None
    ) -> str:
        """Rewrite `copy` from the other one, verified before it replaces anything; returns where
        it was copied from. BlobIntegrityError / OSError / StoreUnavailable on failure."""

    def list_blobs(self, copy: Copy) -> Iterator[tuple[str, float]]:
        """(content address, last-modified epoch seconds) of every stored blob of `copy`."""

    def recover(self, known: Callable[[str], bool]) -> RecoveryReport:
        """Clean up after processes that died mid-write; returns a `RecoveryReport`."""

    def abandon(self) -> None: ...
