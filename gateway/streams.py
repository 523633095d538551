"""Reading a whole HTTP body, server or client side, up to a size cap."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

__all__ = ["read_capped"]

_CHUNK = 1 << 16


async def read_capped(read: Callable[[int], Awaitable[bytes]], limit: int) -> bytes | None:
    """Every byte `read` gives to its end (an empty chunk), or None as soon as they pass `limit`.

    `read` is a stream's `read` or a multipart part's `read_chunk`. One `StreamReader.read(n)`
    answers with what has arrived so far, which is the whole body only when it came in one piece:
    a body sent in two TCP writes was cut short (a CSV import lost its last rows without a word,
    found by an adversarial probe)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await read(_CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
