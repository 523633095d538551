"""Fresh PostgreSQL databases for tests: one per test, created on the server the suite runs beside
(127.0.0.1:5432, user postgres, trust auth; CI has one) and dropped afterwards.

A missing server is a failure with a clear message, never a skip: the PostgreSQL backend would
otherwise go untested without anyone noticing.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest

ADMIN_URL = os.environ.get("CALLWARDEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")


def _run_admin(sql: str) -> None:
    """Run one statement on the maintenance database."""
    run_as_superuser(ADMIN_URL, sql)


def run_as_superuser(url: str, *statements: str) -> None:
    """Run statements in one session on `url`, on a thread of its own (a test's event loop may be
    running on this one). Tests use it to do what only direct database access could."""
    error: list[BaseException] = []

    async def go() -> None:
        conn = await asyncpg.connect(url, timeout=5)
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()

    def target() -> None:
        try:
            asyncio.run(go())
        except BaseException as exc:
            error.append(exc)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if error:
        raise error[0]


def url_for(name: str) -> str:
    head, _, _ = ADMIN_URL.rpartition("/")
    return f"{head}/{name}"


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped (connections and all) when the block ends."""
    name = f"cw_test_{secrets.token_hex(6)}"
    try:
        _run_admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        pytest.fail(
            f"PostgreSQL is needed for the PostgreSQL backend tests and is not usable at {ADMIN_URL}"
            f" ({type(exc).__name__}: {exc}). Start it (CI runs one on 127.0.0.1:5432, user postgres,"
            " trust auth) or point CALLWARDEN_TEST_POSTGRES at one.",
            pytrace=False,
        )
    try:
        yield url_for(name)
    finally:
        _run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def config_with_url(default_text: str, url: str) -> str:
    """`callwarden.toml` as init writes it, with `database.url` set."""
    marker = '# url = ""'
    assert marker in default_text
    return default_text.replace(marker, f'url = "{url}"', 1)


def backend_param(request: Any) -> str:
    return str(getattr(request, "param", "sqlite"))


# Runs a test (or every test of a module, as `pytestmark`) once per engine when it uses the
# `backend` fixture, directly or through `db_target` / `data_dir` (conftest's pytest_generate_tests).
both_backends = pytest.mark.both_backends
