"""Shared fixtures: a real data dir (config, SQLite file, master key) and keys made the way the
CLI makes them. Nothing is mocked: the app under test runs on a loopback socket."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from blockbuster import BlockBuster

from gateway.cli.main import main as cli_main
from gateway.settings import CONFIG_FILE, Settings, default_config_text, load_settings
from storage.backends import open_db
from storage.keys import create_key
from tests.gateway.vault_world import VaultWorld, make_vault_world
from tests.pg_database import BACKENDS, backend_param, config_with_url, fresh_database
from tests.s3_server import SeaweedS3

# `callwarden serve` started by a test starts no transcription workers unless the test asks for
# them (speech.workers is `auto` outside the tests).
os.environ["CALLWARDEN_SPEECH_WORKERS"] = "0"

# S3 clients in tests use only the credentials a test gives them: never a developer's ~/.aws, and
# never the cloud instance-metadata address (a credential lookup would otherwise try it).
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/callwarden-tests"
for _var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
    os.environ.pop(_var, None)

# A pack that allows contact at any hour and caps attempts at 3 per rolling 24 hours, so tests
# that use the wall clock (the served app decides with the real time) never straddle a window.
TEST_PACK_NAME = "test-3-per-day"

PRODUCT_PACKAGES = ["gateway", "storage", "speech", "policies"]
_ROOT = Path(__file__).resolve().parents[1]
_PRODUCT_DIRS = tuple(f"{_ROOT / p}{os.sep}" for p in PRODUCT_PACKAGES)
_TESTS_DIR = f"{_ROOT / 'tests'}{os.sep}"
_ASYNC_CODE = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE
# Allowed to block: CLI commands (their own short-lived loop, in a process of their own in
# production, where blocking delays nobody else), and asyncpg resolving connection parameters —
# it reads ~/.pgpass and the SSL files once per new pool connection, on the PostgreSQL backend's
# own loop thread (storage/pg.py), never the gateway's.
_CLI_ENTRY = [
    ("gateway/cli/main.py", {"main"}),
    ("asyncpg/connect_utils.py", {"_parse_connect_dsn_and_args"}),
    # PostgreSQL migrations read their SQL files once, at open, before anything is served.
    ("storage/pg.py", {"_migrate"}),
]


def _a_tests_own_call(*_args: object, **_kwargs: object) -> bool:
    """True when the blocking call comes from plain (not async) product functions that a test
    called directly — building settings or an app, reading a key to check a file: the test's own
    blocking. A product coroutine or callback anywhere in between is what the police is for."""
    frame = inspect.currentframe()
    seen_product = False
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(_PRODUCT_DIRS):
            if frame.f_code.co_flags & _ASYNC_CODE:
                return False
            seen_product = True
        elif seen_product:
            return filename.startswith(_TESTS_DIR)
        frame = frame.f_back
    return False


def _or_a_tests_own_call(builtin: Callable[..., bool]) -> Callable[..., bool]:
    """Keep blockbuster's own exemptions (writes to stdout, non-blocking descriptors …)."""
    return lambda *args, **kwargs: builtin(*args, **kwargs) or _a_tests_own_call()


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[None]:
    """The blocking-call police: while a test's body runs, a blocking call (file, socket, sleep,
    SQLite, lock) that product code makes on a running event loop's thread raises BlockingError.
    Fixtures and the test's own code may block. (Every test: pytest-asyncio wraps coroutine tests
    in plain functions, and blockbuster only acts where an event loop is running.)"""
    police = BlockBuster(PRODUCT_PACKAGES)
    for function in police.functions.values():
        function.can_block_predicate = _or_a_tests_own_call(function.can_block_predicate)
        for filename, names in _CLI_ENTRY:
            function.can_block_in(filename, names)
    police.activate()
    try:
        return (yield)
    finally:
        police.deactivate()


# The test files that take minutes, longest first (CI's --durations): collected first, so that
# xdist's loadscope hands them out at the start and the short files fill in the end. In collection
# order the semantic training tests (about 5 minutes on one worker) started last and one worker ran
# minutes alone.
LONG_FIRST = (
    "tests/speech/test_semantic_lookalikes.py",
    "tests/speech/test_semantic_training.py",
    "tests/speech/test_semantic_accuracy.py",
    "tests/gateway/test_serve.py",
    "tests/gateway/test_cluster.py",
    "tests/policies/test_lexicon.py",
    "tests/gateway/test_fuzz.py",
    "tests/gateway/test_cli_workers.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of LONG_FIRST first, in that order; every other test after them, as collected."""
    # A renamed or removed file would silently fall back to collection order (a slower CI, no
    # failure): the list is checked against the tree on every run.
    gone = [name for name in LONG_FIRST if not (_ROOT / name).is_file()]
    if gone:
        raise pytest.UsageError(f"tests/conftest.py LONG_FIRST names files that do not exist: {gone}")
    rank = {name: i for i, name in enumerate(LONG_FIRST)}

    def key(item: pytest.Item) -> int:
        return rank.get(Path(os.path.relpath(item.path, _ROOT)).as_posix(), len(rank))

    items.sort(key=key)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_backends` that reach a database run on SQLite and on PostgreSQL."""
    if metafunc.definition.get_closest_marker("both_backends") and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """`sqlite` unless the test is marked `both_backends` (tests.pg_database)."""
    return backend_param(request)


@pytest.fixture
def db_target(backend: str, tmp_path: Path) -> Iterator[str | Path]:
    """What `open_db` opens for this test: a SQLite file, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield tmp_path / "cw.db"
        return
    with fresh_database() as url:
        yield url


@pytest.fixture
def data_dir(tmp_path: Path, db_target: str | Path, capsys: pytest.CaptureFixture[str]) -> Path:
    d = tmp_path / "var"
    if isinstance(db_target, str):  # PostgreSQL: the config names it before init migrates it
        d.mkdir(parents=True)
        (d / CONFIG_FILE).write_text(config_with_url(default_config_text(), db_target), encoding="utf-8")
    assert cli_main(["init", "--data-dir", str(d)]) == 0
    capsys.readouterr()
    return d


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return load_settings(data_dir, env={})


KeyMaker = Callable[..., Any]


@pytest.fixture
def make_key(settings: Settings) -> KeyMaker:
    """`await make_key("dialer", agency_id="a1")` → the full key string."""

    async def make(role: str, agency_id: str | None = None, name: str = "") -> str:
        async with open_db(settings.db_target) as db:
            _, full = await create_key(db, role, agency_id, name)
        return full

    return make


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def vw(aiohttp_client: Any, data_dir: Path, make_key: KeyMaker) -> VaultWorld:
    """A served app with the vault configured, agencies a1 and a2, cases and keys for every role
    (tests/gateway/vault_world.py); test files that need a different setup override it."""
    return await make_vault_world(aiohttp_client, data_dir, make_key)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[SeaweedS3]:
    """One real S3 server (SeaweedFS) for the session, on random loopback ports in a temp dir."""
    server = SeaweedS3()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3(s3_server: SeaweedS3, monkeypatch: pytest.MonkeyPatch) -> SeaweedS3:
    """The S3 server, with its credentials in this test's environment (as a service would get them)."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return s3_server
