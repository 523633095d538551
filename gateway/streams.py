"""Reading a whole HTTP body, server or client side, up to a size cap."""

from __future__ import annotations

from aiohttp import StreamReader

__all__ = ["read_capped"]

_CHUNK = 1 << 16


async def read_capped(stream: StreamReader, limit: int) -> bytes | None:
    """Every byte of `stream` to its end, or None as soon as it holds more than `limit` bytes.

    `StreamReader.read(n)` answers with what has arrived so far, which is the whole body only when
    it came in one piece: a body sent in two TCP writes was cut short (a CSV import lost its last
    rows without a word, found by an adversarial probe)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
