"""The gateway on an S3 store (the real SeaweedFS server of the fixture): the recordings API end to
end (upload, audio, the retention lock on DELETE, legal hold reaching the bucket), /readyz
reporting the store, and `callwarden doctor` checking the buckets and saying how to fix them."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from gateway.cli.main import main as cli_main
from gateway.web.keys import VAULT
from storage.objectstore import S3BlobStore
from tests.gateway.helpers import hdr
from tests.gateway.vault_world import VaultWorld, make_vault_world
from tests.s3_server import SeaweedS3

pytestmark = pytest.mark.slow

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 1200


def s3_overrides(
    server: SeaweedS3, primary: str = "cw-primary", replica: str | None = "cw-replica"
) -> dict[str, Any]:
    prefix = f"gw-{secrets.token_hex(6)}"
    out: dict[str, Any] = {
        "recordings.store": f"s3://{primary}/{prefix}",
        "recordings.s3_endpoint": server.endpoint,
        "recordings.replica_dir": "",
    }
    if replica is not None:
        out["recordings.replica_store"] = f"s3://{replica}/{prefix}"
    return out


async def test_recordings_api_on_an_s3_store(
    aiohttp_client: Any, data_dir: Path, make_key: Any, s3: SeaweedS3
) -> None:
    vw: VaultWorld = await make_vault_world(aiohttp_client, data_dir, make_key, **s3_overrides(s3))
    att = await vw.attempt()
    status, rec = await vw.upload(att, AUDIO)
    assert status == 201
    assert rec["replica"]["status"] == "ok"
    rid = rec["recording_id"]
    store = vw.client.server.app[VAULT].store
    assert isinstance(store, S3BlobStore)
    row = await vw.client.server.app[VAULT].db.fetchone("SELECT blob_sha256 FROM recordings")
    key = store.key(row["blob_sha256"])
    client = s3.client()
    assert client.head_object(Bucket="cw-primary", Key=key)["ObjectLockMode"] == "COMPLIANCE"
    assert client.head_object(Bucket="cw-replica", Key=key)["ObjectLockMode"] == "COMPLIANCE"
    assert not list(data_dir.glob("recordings/store/**/*.cwb"))  # nothing kept on local disk
    r = await vw.client.get(
        f"/v1/recordings/{rid}/audio?reason=audit", headers={**hdr(vw.security), "Range": "bytes=100-70099"}
    )
    assert r.status == 206
    assert await r.read() == AUDIO[100:70100]
    r = await vw.client.delete(f"/v1/recordings/{rid}?reason=tidy", headers=hdr(vw.w.admin))
    assert r.status == 403
    assert (await r.json())["error"] == "retention_locked"
    r = await vw.client.post(
        f"/v1/recordings/{rid}/legal-hold", json={"reason": "case 9"}, headers=hdr(vw.w.admin)
    )
    assert r.status == 200
    assert (await r.json())["legal_hold"] is True
    for bucket in ("cw-primary", "cw-replica"):
        assert client.get_object_legal_hold(Bucket=bucket, Key=key)["LegalHold"]["Status"] == "ON"
    r = await vw.client.delete(f"/v1/recordings/{rid}/legal-hold?reason=settled", headers=hdr(vw.w.admin))
    assert r.status == 200
    assert (await r.json())["legal_hold"] is False
    for bucket in ("cw-primary", "cw-replica"):
        assert client.get_object_legal_hold(Bucket=bucket, Key=key)["LegalHold"]["Status"] == "OFF"
    ready = await vw.client.get("/readyz")
    body = await ready.json()
    assert ready.status == 200
    assert body["checks"]["recordings"] == "ok"
    assert body["store"]["kind"] == "s3"
    assert body["store"]["primary"].startswith("s3://cw-primary/gw-")
    assert body["store"]["replica"].startswith("s3://cw-replica/gw-")


async def test_readyz_is_503_when_the_bucket_is_missing(
    aiohttp_client: Any, data_dir: Path, make_key: Any, s3: SeaweedS3
) -> None:
    vw = await make_vault_world(aiohttp_client, data_dir, make_key, **s3_overrides(s3, primary="cw-absent"))
    ready = await vw.client.get("/readyz")
    body = await ready.json()
    assert ready.status == 503
    assert body["ok"] is False
    assert "does not exist" in body["checks"]["recordings"]
    assert body["store"]["ok"] is False
    att = await vw.attempt()
    status, err = await vw.upload(att, AUDIO)
    assert status == 500
    assert err["error"] == "store_misconfigured"
    assert "create-bucket" in err["message"]


def doctor(capsys: pytest.CaptureFixture[str], data_dir: Path) -> tuple[int, str]:
    code = cli_main(["doctor", "--data-dir", str(data_dir)])
    return code, capsys.readouterr().out


def configure(monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any]) -> None:
    for name, value in settings.items():
        monkeypatch.setenv("CALLWARDEN_" + name.replace(".", "_").upper(), str(value))


def test_doctor_passes_a_good_bucket_pair(
    data_dir: Path, s3: SeaweedS3, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(monkeypatch, s3_overrides(s3))
    _, out = doctor(capsys, data_dir)
    for copy in ("primary", "replica"):
        assert f"[ok  ] {copy} bucket s3://cw-{copy}/gw-" in out
    assert out.count("versioning Enabled") == 2
    assert out.count("Object Lock enabled") == 2
    assert out.count("write and delete of an unlocked probe object") == 2
    assert "[FAIL] primary" not in out
    assert "[FAIL] replica" not in out


def test_doctor_says_how_to_fix_a_bucket_without_object_lock_or_a_missing_one(
    data_dir: Path, s3: SeaweedS3, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(monkeypatch, s3_overrides(s3, primary="cw-plain", replica="cw-nowhere"))
    code, out = doctor(capsys, data_dir)
    assert code != 0
    assert "[FAIL] primary bucket s3://cw-plain/gw-" in out
    assert "Object Lock not enabled" in out
    assert "versioning never enabled" in out
    assert "--object-lock-enabled-for-bucket --endpoint-url " + s3.endpoint in out
    assert "[FAIL] replica bucket s3://cw-nowhere/gw-" in out
    assert "does not exist" in out
    assert "aws s3api create-bucket --bucket cw-nowhere --object-lock-enabled-for-bucket" in out


def test_doctor_reports_refused_credentials(
    data_dir: Path, s3: SeaweedS3, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(monkeypatch, s3_overrides(s3, replica=None))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    code, out = doctor(capsys, data_dir)
    assert code != 0
    assert "[FAIL] primary bucket" in out
    assert "credentials are refused" in out
    assert "AWS_ACCESS_KEY_ID" in out
