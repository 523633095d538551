"""Storing a recording file: what `callwarden ingest` and the spool watcher share (HTTP uploads
stream into the same `Vault.ingest`, with the same error codes).

A file is matched to its attempt by, in order:
1. a sidecar JSON next to it, `<file>.json` (`att_1.wav.json`) or `<stem>.json` (`att_1.json`):
   `{"attempt_id": "att_...", "content_type": "audio/wav"}` (`content_type` optional);
2. its name: `<attempt_id>.<ext>` — everything before the first dot is the attempt id.

The content type comes from the sidecar, else from the extension (unknown → octet-stream): any
bytes are accepted as evidence. A refused file is logged in the access log with the reason code
an HTTP upload would get (`no_attempt`, `not_found`, `empty_body`, `too_large`,
`incomplete_body` when the file changed while it was read).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies.errors import CallwardenError, NotFound
from policies.parse import parse_id
from storage.audit import Access, Actor, append
from storage.vault import Vault

__all__ = ["CONTENT_TYPES", "Ingested", "Match", "file_chunks", "ingest_file", "is_sidecar", "match_file"]

CONTENT_TYPES = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".amr": "audio/amr",
    ".gsm": "audio/gsm",
    ".webm": "audio/webm",
    ".sln": "audio/x-sln",
    ".ulaw": "audio/basic",
    ".alaw": "audio/x-alaw-basic",
}
READ_BYTES = 1 << 20


@dataclass(frozen=True)
class Match:
    attempt_id: str | None
    content_type: str
    sidecar: Path | None
    problem: str | None = None  # why no attempt could be matched


@dataclass(frozen=True)
class Ingested:
    """What became of one file: `ingested`, `duplicate` or `rejected` (with a reason code)."""

    result: str
    attempt_id: str | None
    reason: str | None = None
    detail: str = ""
    recording: dict[str, Any] = field(default_factory=dict)

    @property
    def retryable(self) -> bool:
        """The file changed while it was read: it was not finished after all."""
        return self.reason == "incomplete_body"


def is_sidecar(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def _valid_id(raw: object) -> bool:
    try:
        parse_id(raw, "attempt_id")
    except CallwardenError:
        return False
    return True


MAX_SIDECAR = 64 << 10  # a sidecar names an attempt and a content type: a few hundred bytes


def _sidecar(path: Path) -> Path | None:
    for candidate in (
        path.with_name(path.name + ".json"),
        path.with_name(path.name.split(".", 1)[0] + ".json"),
    ):
        if candidate != path and candidate.is_file() and not candidate.is_symlink():
            return candidate
    return None


def shown(name: str) -> str:
    """A file name as text that can be stored and logged: bytes that are not UTF-8 (which Python
    keeps as lone surrogates) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def match_file(path: Path) -> Match:
    ctype = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
    try:
        sidecar = _sidecar(path)
    except OSError:  # a name the file system refuses even with a suffix
        sidecar = None
    if sidecar is not None:
        name = shown(sidecar.name)
        try:
            if sidecar.stat().st_size > MAX_SIDECAR:
                return Match(None, ctype, sidecar, f"bad_sidecar: {name} is over {MAX_SIDECAR} bytes")
            doc = json.loads(sidecar.read_text(encoding="utf-8"))
        # ValueError: not UTF-8 or not JSON; RecursionError: "[" nested 100,000 deep.
        except (OSError, ValueError, RecursionError) as exc:
            return Match(None, ctype, sidecar, f"bad_sidecar: {name}: {type(exc).__name__}")
        attempt = doc.get("attempt_id") if isinstance(doc, dict) else None
        if not _valid_id(attempt):
            return Match(None, ctype, sidecar, f"bad_sidecar: {name} has no valid attempt_id")
        given = doc.get("content_type")
        if isinstance(given, str) and re.fullmatch(r"[\w.+-]+/[\w.+-]+", given):
            ctype = given
        return Match(str(attempt), ctype, sidecar)
    stem = path.name.split(".", 1)[0]
    if not _valid_id(stem):
        return Match(
            None,
            ctype,
            None,
            f"no_attempt: {shown(path.name)[:200]} is not <attempt_id>.<ext> and has no sidecar",
        )
    return Match(stem, ctype, None)


async def file_chunks(fd: int) -> AsyncIterator[bytes]:
    """The file's bytes in 1 MiB chunks, each read in a worker thread."""
    offset = 0
    while True:
        chunk = await asyncio.to_thread(os.pread, fd, READ_BYTES, offset)
        if not chunk:
            return
        offset += len(chunk)
        yield chunk


async def ingest_file(vault: Vault, fd: int, path: Path, match: Match, actor: Actor, source: str) -> Ingested:
    """Store the open file `fd` (already matched) for its attempt; a refusal is logged."""
    if match.attempt_id is None:
        return await _refused(vault, path, actor, match, "no_attempt", match.problem or "")
    try:
        rec, created = await vault.ingest(
            match.attempt_id,
            file_chunks(fd),
            content_type=match.content_type,
            actor=actor,
            source=source,
            filename=shown(path.name)[:255],
            expected_bytes=os.fstat(fd).st_size,
        )
    except NotFound:
        return await _refused(vault, path, actor, match, "not_found", f"no attempt {match.attempt_id!r}")
    except CallwardenError as exc:  # empty, too large, changed while read: nothing was stored
        if exc.code == "incomplete_body":
            return Ingested("rejected", match.attempt_id, exc.code, exc.message)
        return await _refused(vault, path, actor, match, exc.code, exc.message)
    return Ingested("ingested" if created else "duplicate", match.attempt_id, recording=rec)


async def _refused(vault: Vault, path: Path, actor: Actor, match: Match, code: str, detail: str) -> Ingested:
    await append(
        vault.db,
        Access(
            actor,
            "recording.upload",
            "file",
            shown(path.name)[:255],
            "rejected",
            details={"reason": code, "detail": detail},
        ),
    )
    return Ingested("rejected", match.attempt_id, code, detail)
