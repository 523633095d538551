"""The console: server-rendered pages for inspectors, security staff and compliance admins at
/console/ (see docs/console.md). `setup_console(app)` adds its templates, static files, session
middleware and routes to the gateway's application."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from gateway.web.console.i18n import LANGS, catalogue
from gateway.web.console.session import console_middleware
from gateway.web.console.views import admin, assessment, auth, inspector, security

__all__ = ["CONSOLE_ROUTES", "CompiledTemplates", "setup_console"]

HERE = Path(__file__).parent
CONSOLE_ROUTES = (auth.routes, inspector.routes, security.routes, admin.routes, assessment.routes)


class CompiledTemplates(jinja2.BytecodeCache):
    """The templates' compiled code, kept for the process: an application built again in it (each
    test's, a restart in place) reuses it instead of parsing and compiling 16 templates anew,
    which was a quarter of a second of the 0.26 s an application took to build. A bucket's key
    and checksum name the template's source, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = CompiledTemplates()


def setup_console(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("gateway.web.console", "templates"),
        bytecode_cache=_COMPILED,
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates and labels are package data: read once here, never from the event loop.
        auto_reload=False,
    )
    for name in env.list_templates():
        env.get_template(name)
    for lang in LANGS:
        catalogue(lang)
    app.middlewares.append(console_middleware)
    app.router.add_static("/console/static/", HERE / "static", append_version=False)
    for routes in CONSOLE_ROUTES:
        app.add_routes(routes)
