"""Baseline for bench/authorize.py: a bare aiohttp handler answering a constant JSON decision.

Same framework, same machine, same client: the ratio against it is what callwarden's own work
(auth, parsing, the durable check-and-reserve transaction) costs.
"""

from __future__ import annotations

import json
import sys

from aiohttp import web

BODY = json.dumps(
    {
        "allowed": True,
        "attempt_id": "att_0000000000",
        "reasons": [],
        "next_allowed_at": None,
        "local_time": "2026-11-28T10:00:00-05:00",
        "packs": ["bench@1"],
    }
)


async def authorize(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text=BODY, content_type="application/json")


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text='{"ok": true}', content_type="application/json")


def main() -> None:
    app = web.Application()
    app.router.add_post("/v1/authorize", authorize)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
