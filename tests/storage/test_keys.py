"""API keys: shown once, stored as a hash, bound to roles and agencies, revocable."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.errors import InputError
from policies.types import Agency
from storage.agencies import put_agency
from storage.backends import open_db
from storage.db import NotFound
from storage.keys import create_key, list_keys, lookup_key, parse_key, revoke_key, verify_secret
from tests.pg_database import both_backends


async def test_key_is_random_long_and_only_its_hash_is_stored(tmp_path: Path, db_target: str | Path) -> None:
    async with open_db(db_target) as db:
        key, full = await create_key(db, "admin", name="ops")
        _, full2 = await create_key(db, "admin")
        assert full != full2
        parsed = parse_key(full)
        assert parsed is not None
        assert parsed[0] == key.key_id
        secret = parsed[1]
        assert len(secret) >= 43  # 32 random bytes, base64url
        row = await db.fetchone("SELECT * FROM api_keys WHERE key_id = :id", {"id": key.key_id})
        assert row is not None
        assert secret not in tuple(str(v) for v in row)
        stored = await lookup_key(db, key.key_id)
        assert stored is not None
        assert verify_secret(stored, secret)
        assert not verify_secret(stored, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    raw = (
        (tmp_path / "cw.db").read_bytes() + (tmp_path / "cw.db-wal").read_bytes()
        if (tmp_path / "cw.db-wal").exists()
        else (tmp_path / "cw.db").read_bytes()
    )
    assert secret.encode() not in raw


@pytest.mark.parametrize(
    ("role", "agency", "message"),
    [
        pytest.param("dialer", None, "bound to an agency", id="dialer-needs-agency"),
        pytest.param("admin", "a1", "not bound", id="admin-has-no-agency"),
        pytest.param("root", None, "role must be", id="unknown-role"),
    ],
)
@both_backends
async def test_key_role_rules(
    tmp_path: Path, db_target: str | Path, role: str, agency: str | None, message: str
) -> None:
    async with open_db(db_target) as db:
        await put_agency(db, Agency("a1"), "A1")
        with pytest.raises(InputError, match=message):
            await create_key(db, role, agency)


@both_backends
async def test_dialer_key_for_unknown_agency_is_refused(tmp_path: Path, db_target: str | Path) -> None:
    async with open_db(db_target) as db:
        with pytest.raises(NotFound):
            await create_key(db, "dialer", "ghost")


@both_backends
async def test_revoke_is_idempotent_and_listed(tmp_path: Path, db_target: str | Path) -> None:
    async with open_db(db_target) as db:
        await put_agency(db, Agency("a1"), "A1")
        key, _ = await create_key(db, "dialer", "a1", "dialer-1")
        first = await revoke_key(db, key.key_id)
        again = await revoke_key(db, key.key_id)
        assert first.revoked_at is not None
        assert again.revoked_at == first.revoked_at
        listed = {k.key_id: k for k in await list_keys(db)}
        assert listed[key.key_id].revoked_at == first.revoked_at
        with pytest.raises(NotFound):
            await revoke_key(db, "nope")


@pytest.mark.parametrize(
    "presented", ["", "cw_", "cw_abc", "xx_abc_" + "a" * 43, "cw__" + "a" * 43, "cw_abc_short"]
)
def test_malformed_keys_do_not_parse(presented: str) -> None:
    assert parse_key(presented) is None
