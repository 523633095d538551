"""Matching recording files to attempts (shared by `callwarden ingest` and the spool watcher).

A file is matched by, in order:
1. a sidecar JSON next to it, `<file>.json` (`att_1.wav.json`) or `<stem>.json` (`att_1.json`):
   `{"attempt_id": "att_...", "content_type": "audio/wav"}` (`content_type` optional);
2. its name: `<attempt_id>.<ext>` — everything before the first dot is the attempt id.

The content type comes from the sidecar, else from the extension (unknown → octet-stream): any
bytes are accepted as evidence.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CONTENT_TYPES", "Match", "file_chunks", "is_sidecar", "match_file"]

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
_ATTEMPT_ID = re.compile(r"^[A-Za-z0-9_:-]{1,128}$")
READ_BYTES = 1 << 20


@dataclass(frozen=True)
class Match:
    attempt_id: str | None
    content_type: str
    sidecar: Path | None
    problem: str | None = None  # why no attempt could be matched


def is_sidecar(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def _sidecar(path: Path) -> Path | None:
    for candidate in (
        path.with_name(path.name + ".json"),
        path.with_name(path.name.split(".", 1)[0] + ".json"),
    ):
        if candidate != path and candidate.is_file():
            return candidate
    return None


def match_file(path: Path) -> Match:
    ctype = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
    sidecar = _sidecar(path)
    if sidecar is not None:
        try:
            doc = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            return Match(None, ctype, sidecar, f"bad_sidecar: {sidecar.name}: {exc}")
        attempt = doc.get("attempt_id") if isinstance(doc, dict) else None
        if not isinstance(attempt, str) or not _ATTEMPT_ID.match(attempt):
            return Match(None, ctype, sidecar, f"bad_sidecar: {sidecar.name} has no valid attempt_id")
        given = doc.get("content_type")
        if isinstance(given, str) and re.fullmatch(r"[\w.+-]+/[\w.+-]+", given):
            ctype = given
        return Match(attempt, ctype, sidecar)
    stem = path.name.split(".", 1)[0]
    if not _ATTEMPT_ID.match(stem):
        return Match(
            None, ctype, None, f"no_attempt: {path.name} is not <attempt_id>.<ext> and has no sidecar"
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
