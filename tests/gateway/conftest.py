"""Fixtures of the gateway tests: a served app with agencies a1/a2, case c1 and keys (`world`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.web.app import create_app
from tests.gateway.helpers import World, app_settings, setup_world


@pytest.fixture
async def world(aiohttp_client: Any, data_dir: Path, make_key: Any) -> World:
    client = await aiohttp_client(create_app(app_settings(data_dir)))
    return await setup_world(client, make_key)
