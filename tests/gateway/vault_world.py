"""A served app with the vault configured (replica, no scheduler), agencies a1 and a2 with a case
each, and keys for every role."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from gateway.web.app import create_app
from tests.gateway.helpers import DEBTOR_NUMBER, World, app_settings, case_body, hdr, setup_world


@dataclass
class VaultWorld:
    w: World
    data_dir: Path
    security: str
    a1_inspector: str

    @property
    def client(self) -> TestClient:  # type: ignore[type-arg]
        return self.w.client

    async def attempt(self, case_id: str = "c1", dialer: str | None = None) -> str:
        r = await self.client.post(
            "/v1/authorize",
            json={"case_id": case_id, "to": DEBTOR_NUMBER, "channel": "call"},
            headers=hdr(dialer or self.w.dialer),
        )
        body = await r.json()
        assert body["allowed"], body
        return str(body["attempt_id"])

    async def upload(
        self, attempt_id: str, data: bytes, ctype: str = "audio/wav", key: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        r = await self.client.post(
            f"/v1/recordings?attempt_id={attempt_id}",
            data=data,
            headers={**hdr(key or self.w.dialer), "Content-Type": ctype},
        )
        return r.status, await r.json()


def vault_settings(data_dir: Path, **overrides: Any) -> Any:
    (data_dir.parent / "replica").mkdir(exist_ok=True)
    return app_settings(
        data_dir,
        **{
            "scheduler.enabled": False,
            "recordings.replica_dir": str(data_dir.parent / "replica"),
            **overrides,
        },
    )


async def make_vault_world(
    aiohttp_client: Any, data_dir: Path, make_key: Any, **overrides: Any
) -> VaultWorld:
    client = await aiohttp_client(create_app(vault_settings(data_dir, **overrides)))
    w = await setup_world(client, make_key, cases=3)
    r = await client.put("/v1/cases/c9", json=case_body(agency_id="a2"), headers=hdr(w.admin))
    assert r.status == 201, await r.text()
    return VaultWorld(
        w=w,
        data_dir=data_dir,
        security=await make_key("security", name="sec"),
        a1_inspector=await make_key("inspector", "a1", "qa-a1"),
    )


async def make_spool_world(
    aiohttp_client: Any, data_dir: Path, make_key: Any, **overrides: Any
) -> VaultWorld:
    """The vault world with a spool folder (and its `.partial/`) watched by the app."""
    spool = data_dir.parent / "spool"
    (spool / ".partial").mkdir(parents=True)
    return await make_vault_world(
        aiohttp_client, data_dir, make_key, **{"recordings.spool_dir": str(spool), **overrides}
    )
