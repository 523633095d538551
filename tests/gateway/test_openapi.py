"""The OpenAPI description, docs/openapi.json and docs/api.md agree with the app's router: every
route is described and documented, and nothing is described that does not exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gateway.web.app import create_app
from gateway.web.openapi import SPEC, openapi
from tests.gateway.helpers import app_settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def app_routes(tmp_path: Path) -> set[tuple[str, str]]:
    app = create_app(app_settings(tmp_path))
    return {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.method not in ("HEAD", "*") and route.resource is not None
    }


def described() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in SPEC["paths"].items()
        for method in item
        if method != "parameters"
    }


def test_every_route_is_described_and_every_description_exists(tmp_path: Path) -> None:
    # The console's pages and the Twilio-compatible facade and webhooks (Twilio's own protocol,
    # documented in docs/api.md) are not part of the v1 API this describes.
    routes = {
        r for r in app_routes(tmp_path) if not r[1].startswith(("/console", "/2010-04-01/", "/twilio/"))
    }
    assert routes - described() == set(), "routes missing from gateway/web/openapi.py"
    assert described() - routes == set(), "described routes the app does not have"


def test_docs_openapi_json_is_current() -> None:
    assert (DOCS / "openapi.json").read_text(encoding="utf-8") == openapi(), (
        "regenerate: python -m gateway.web.openapi > docs/openapi.json"
    )


def test_every_v1_route_is_in_docs_api_md(tmp_path: Path) -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    # docs/api.md writes routes as `METHOD /path` (the Twilio facade as `METHOD …/Calls.json`,
    # under its account prefix); a route's `{param}` matches any one segment of a written path.
    written: set[tuple[str, str]] = set()
    for m in re.finditer(r"`(GET|POST|PUT|DELETE|PATCH) ((?:/|…/)[^`?\s]*)", text):
        path = m.group(2).replace("…/", "/2010-04-01/Accounts/{account_sid}/", 1)
        written.add((m.group(1), path.rstrip("/")))

    def documented(method: str, template: str) -> bool:
        pattern = re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template)) + "$")
        return any(m == method and (pattern.match(p) or p == template) for m, p in written)

    missing = sorted(
        f"{method} {path}"
        for method, path in app_routes(tmp_path)
        if path.startswith(("/v1/", "/2010-04-01/", "/twilio/")) and not documented(method, path)
    )
    assert missing == [], "routes not in docs/api.md"


def test_the_description_is_valid_json_with_an_error_default_everywhere() -> None:
    doc = json.loads(openapi())
    assert doc["openapi"].startswith("3.1")
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert "default" in operation["responses"], f"{method.upper()} {path}"
