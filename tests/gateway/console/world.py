"""A console world: the gateway on a loopback socket with agencies a1 and a2, cases, and keys of
every role; helpers to sign in over HTTP the way a browser does (cookie jar, CSRF token)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient

from tests.gateway.helpers import case_body, hdr

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Keys:
    admin: str
    inspector: str
    security: str
    dialer: str
    dialer2: str


def key_id(full: str) -> str:
    return full.split("_")[1]


async def populate(client: TestClient, make_key: Any) -> Keys:  # type: ignore[type-arg]
    admin = await make_key("admin", name="admin")
    for agency in ("a1", "a2"):
        r = await client.put(
            f"/v1/agencies/{agency}",
            json={
                "name": agency.upper(),
                "status": "active",
                "contract_start": "2020-01-01",
                "commission_rate": "0.2",
            },
            headers=hdr(admin),
        )
        assert r.status == 201, await r.text()
    for case_id, agency in (("c1", "a1"), ("c2", "a1"), ("c9", "a2")):
        r = await client.put(f"/v1/cases/{case_id}", json=case_body(agency_id=agency), headers=hdr(admin))
        assert r.status == 201, await r.text()
    return Keys(
        admin=admin,
        inspector=await make_key("inspector", name="qa"),
        security=await make_key("security", name="sec"),
        dialer=await make_key("dialer", "a1", "dialer-a1"),
        dialer2=await make_key("dialer", "a2", "dialer-a2"),
    )


async def csrf_of(client: TestClient, path: str) -> str:  # type: ignore[type-arg]
    r = await client.get(path)
    assert r.status == 200, path
    m = CSRF.search(await r.text())
    assert m is not None, path
    return m.group(1)


async def sign_in(client: TestClient, key: str, lang: str = "en") -> str:  # type: ignore[type-arg]
    """Sign in through the form; returns the session's CSRF token (from the first page)."""
    client.session.cookie_jar.clear()
    token = await csrf_of(client, f"/console/sign-in?lang={lang}")
    r = await client.post("/console/sign-in", data={"key": key, "csrf": token, "next": "/console/"})
    assert r.status == 200, await r.text()
    m = CSRF.search(await r.text())
    assert m is not None
    return m.group(1)
