"""The rooms and what each may import (docs/architecture.md), read from the source with `ast`:
every import counts, also one inside a function, so a lazy import cannot hide a dependency.

* `policies` imports nothing of `storage`, `gateway` or `speech` (the pure core);
* `storage` and `speech` import nothing of `gateway` (the imperative shell sits on top);
* `storage` and `speech` do not import each other;
* no cycle between any two modules of the four packages.
"""

from __future__ import annotations

import ast
import asyncio
import functools
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gateway", "policies", "speech", "storage")
FORBIDDEN = {
    "policies": {"storage", "gateway", "speech"},
    "storage": {"gateway", "speech"},
    "speech": {"gateway", "storage"},
    "gateway": set(),
}


def modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            parts = list(f.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = f
    return out


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    edges: dict[str, set[str]] = defaultdict(set)
    for mod, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
                    here = here[: len(here) - node.level + 1]
                    base = ".".join(here + ([node.module] if node.module else []))
                # `from pkg import module` imports the module; `from module import name` the module
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for name in names:
                target = resolve(name)
                if target is not None and target != mod:
                    edges[mod].add(target)
    return edges


GRAPH = import_graph(modules())


@pytest.mark.parametrize("package", PACKAGES)
def test_each_room_imports_only_what_it_may(package: str) -> None:
    bad = sorted(
        f"{mod} imports {target}"
        for mod, targets in GRAPH.items()
        if mod.split(".")[0] == package
        for target in targets
        if target.split(".")[0] in FORBIDDEN[package]
    )
    assert bad == []


def test_no_import_cycles() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in modules():
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The checker itself: a lazy import of `storage` inside a `policies` function is found."""
    pkg = tmp_path / "policies"
    pkg.mkdir()
    (pkg / "bad.py").write_text("def f():\n    from storage.db import Database\n")
    (tmp_path / "storage").mkdir()
    (tmp_path / "storage" / "db.py").write_text("")
    mods = {"policies.bad": pkg / "bad.py", "storage.db": tmp_path / "storage" / "db.py"}
    assert import_graph(mods)["policies.bad"] == {"storage.db"}


async def test_the_blocking_call_police_catches_product_code_on_the_loop(tmp_path: Path) -> None:
    """Product code running as a loop callback (as a request handler or job does) that reads a
    file raises BlockingError (tests/conftest.py); the same call made by a test directly may block."""
    from blockbuster import BlockingError

    from gateway.settings import load_settings

    loop = asyncio.get_running_loop()
    caught: list[BaseException] = []
    loop.set_exception_handler(lambda _loop, context: caught.append(context["exception"]))
    try:
        loop.call_soon(functools.partial(load_settings, tmp_path, env={}))
        await asyncio.sleep(0.05)
    finally:
        loop.set_exception_handler(None)
    assert [type(e) for e in caught] == [BlockingError]
    assert load_settings(tmp_path, env={}).data_dir == tmp_path  # the test's own call
