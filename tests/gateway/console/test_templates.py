"""The console's templates are compiled once per process: an application built again reuses the
compiled code, and a template whose source changed is compiled afresh."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from gateway.web.console import CompiledTemplates


def _page(cache: CompiledTemplates, source: str, who: str) -> str:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"page.html": source}), bytecode_cache=cache, autoescape=True
    )
    return env.get_template("page.html").render(who=who)


def test_a_template_is_compiled_once_per_source(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: str | None = None, *args: Any) -> Any:
        compiled.append(name)
        return real(self, source, name, *args)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    cache = CompiledTemplates()
    assert _page(cache, "Hello {{ who }}", "A") == "Hello A"
    assert _page(cache, "Hello {{ who }}", "B") == "Hello B"  # another environment, the same code
    assert compiled == ["page.html"]
    assert _page(cache, "Bye {{ who }}", "C") == "Bye C"  # the source changed: compiled again
    assert compiled == ["page.html", "page.html"]
    assert _page(CompiledTemplates(), "Hello {{ who }}", "D") == "Hello D"  # caches share nothing
    assert len(compiled) == 3
