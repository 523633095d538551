"""`policies` is a pure core: importable and usable with I/O and event-loop modules blocked, and
`evaluate` opens no file once packs, zones and lexicons are loaded."""

from __future__ import annotations

import builtins
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import policies
from policies.types import Phone
from tests.policies.builders import CN, at, make_case, make_request

ROOT = Path(__file__).resolve().parents[2]

BLOCKED_IMPORT = textwrap.dedent(
    """
    import importlib.abc
    import sys

    BLOCKED = {"socket", "_socket", "ssl", "_ssl", "sqlite3", "_sqlite3", "aiohttp", "aiosqlite",
               "asyncio", "_asyncio", "http", "urllib", "requests", "subprocess"}

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"policies must not import {name}")
            return None

    for mod in list(sys.modules):
        if mod.split(".")[0] in BLOCKED:
            del sys.modules[mod]
    sys.meta_path.insert(0, Blocker())

    from datetime import datetime, timezone

    import policies
    from policies.types import Agency, Case, ContactRequest, Phone

    packs = policies.load_packs(policies.available_packs())
    now = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)
    case = Case("c1", Agency("a1"), tuple(p.name for p in packs), "d1", phones=(Phone("+16175550100"),))
    d = policies.evaluate(ContactRequest("c1", "a1", "+16175550100", "call"), case, (), packs, now)
    assert d.reasons, "the CN pack's window is closed at 23:00 in Shanghai"
    policies.history_horizon(packs, now)
    if SCREEN:
        sms = ContactRequest("c1", "a1", "+16175550100", "sms", body="We will break your legs. Reply STOP")
        d = policies.evaluate(sms, case, (), packs, now)
        assert any(r.code == "content_violation" for r in d.reasons), d.reasons
    print("pure")
    """
)


def _lexicons_present() -> bool:
    return (ROOT / "policies" / "lexicons" / "en.toml").is_file()


def test_policies_imports_and_decides_with_io_modules_blocked() -> None:
    code = f"SCREEN = {_lexicons_present()!r}\n" + BLOCKED_IMPORT
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "pure"


def test_evaluate_opens_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    packs = policies.load_packs(["cn-gbt45251", "us-regf"])  # also compiles their SMS lexicons
    case = make_case(packs=["cn-gbt45251", "us-regf"], phones=[Phone(CN)])
    request = make_request(CN)
    sms = make_request(CN, "sms", body="我们不会联系您的家人，回复TD退订. Reply STOP")
    now = at("2026-02-17T02:00:00Z")
    policies.evaluate(request, case, (), packs, now)  # first use of these zones

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"evaluate opened a file: {args!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    d = policies.evaluate(request, case, (), packs, now)
    assert d.packs == tuple(p.pinned for p in packs)
    assert policies.evaluate(sms, case, (), packs, now).packs == d.packs
