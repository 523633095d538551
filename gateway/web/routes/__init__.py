"""Every route table of the v1 API, in registration order (the one route registry)."""

from __future__ import annotations

from aiohttp import web

from gateway.web import openapi
from gateway.web.routes import (
    admin,
    audit,
    contacts,
    directory,
    inbound,
    ops,
    recordings,
    review,
    supervision,
    twilio_api,
    twilio_hooks,
)

__all__ = ["ROUTES"]

ROUTES: tuple[web.RouteTableDef, ...] = (
    ops.routes,
    admin.routes,
    contacts.routes,
    recordings.routes,
    audit.routes,
    review.routes,
    supervision.routes,
    inbound.routes,
    directory.routes,
    openapi.routes,
    twilio_api.routes,
    twilio_hooks.routes,
)
