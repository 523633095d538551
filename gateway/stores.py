"""The recording store chosen by the settings: the local disk (default) or S3 with Object Lock
(`recordings.store = "s3://BUCKET/PREFIX"`), and `callwarden doctor`'s checks of the buckets."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from gateway.settings import ConfigError, Settings, configured_dir
from storage.blobs import BlobStore
from storage.store import RecordingStore

if TYPE_CHECKING:
    from storage.s3client import S3Location, S3Options

__all__ = ["build_store", "s3_configured", "store_checks"]


def s3_configured(settings: Settings) -> bool:
    return bool(str(settings["recordings.store"]).strip())


def _work_root(settings: Settings) -> Path:
    return configured_dir(settings, "recordings.dir") or settings.data_dir / "recordings"


def _s3() -> Any:
    """The S3 modules, imported only when an S3 store is configured: boto3 comes with the optional
    `s3` extra, and an installation without it must still start on the local store."""
    try:
        from storage import bucket_checks, objectstore, s3client
    except ImportError as exc:
        raise ConfigError(
            "recordings.store is an S3 location but the S3 client is not installed:"
            f" pip install 'callwarden[s3]' ({exc})"
        ) from None
    return SimpleNamespace(
        S3Location=s3client.S3Location,
        S3Options=s3client.S3Options,
        S3BlobStore=objectstore.S3BlobStore,
        bucket_checks=bucket_checks.bucket_checks,
    )


def _s3_settings(
    settings: Settings,
) -> tuple[S3Location, S3Options, S3Location | None, S3Options | None]:
    """The buckets and how to reach them; ConfigError naming the setting when one is wrong."""
    os_ = _s3()
    try:
        primary = os_.S3Location.parse(str(settings["recordings.store"]))
    except ValueError as exc:
        raise ConfigError(f"recordings.store: {exc}") from None
    style = str(settings["recordings.s3_addressing_style"])
    if style not in ("auto", "path", "virtual"):
        raise ConfigError(f"recordings.s3_addressing_style must be auto, path or virtual; got {style!r}")
    options = os_.S3Options(
        endpoint=str(settings["recordings.s3_endpoint"]) or None,
        region=str(settings["recordings.s3_region"]) or "us-east-1",
        profile=str(settings["recordings.s3_profile"]) or None,
        addressing_style=style,
    )
    replica = replica_options = None
    if str(settings["recordings.replica_store"]).strip():
        try:
            replica = os_.S3Location.parse(str(settings["recordings.replica_store"]))
        except ValueError as exc:
            raise ConfigError(f"recordings.replica_store: {exc}") from None
        if replica == primary:
            raise ConfigError(
                "recordings.replica_store must be another bucket (or prefix) than recordings.store"
            )
        replica_options = os_.S3Options(
            endpoint=str(settings["recordings.replica_s3_endpoint"]) or options.endpoint,
            region=str(settings["recordings.replica_s3_region"]) or options.region,
            profile=str(settings["recordings.replica_s3_profile"]) or options.profile,
            addressing_style=style,
        )
    if settings["recordings.replica_dir"]:
        raise ConfigError(
            "recordings.replica_dir is for the local store; with an S3 store set recordings.replica_store"
            " to a second bucket"
        )
    return primary, options, replica, replica_options


def build_store(settings: Settings) -> RecordingStore:
    """The configured store (nothing is contacted yet)."""
    if not s3_configured(settings):
        if str(settings["recordings.replica_store"]).strip():
            raise ConfigError(
                "recordings.replica_store needs an S3 recordings.store (use replica_dir on disk)"
            )
        return BlobStore(_work_root(settings), configured_dir(settings, "recordings.replica_dir"))
    primary, options, replica, replica_options = _s3_settings(settings)
    store: RecordingStore = _s3().S3BlobStore(
        _work_root(settings), primary, options, replica, replica_options
    )
    return store


def store_checks(settings: Settings) -> list[tuple[bool | None, str, str]]:
    """`callwarden doctor`'s lines for an S3 store: each bucket (credentials, existence,
    versioning, Object Lock, a write probe) and the local folder for uploads in flight."""
    try:
        primary, options, replica, replica_options = _s3_settings(settings)
    except ConfigError as exc:
        return [(False, f"recording store: {exc}", "correct the named setting")]
    checks = _s3().bucket_checks
    out: list[tuple[bool | None, str, str]] = list(checks("primary", primary, options))
    root = _work_root(settings)
    if root.exists():
        ok = os.access(root, os.W_OK | os.X_OK)
        out.append(
            (
                ok,
                f"staging folder {root} (uploads in flight, encrypted)",
                f"chown/chmod {root} for the service user",
            )
        )
    else:
        out.append((None, f"staging folder {root} not created yet (made at first start)", ""))
    if replica is not None and replica_options is not None:
        out += checks("replica", replica, replica_options)
    else:
        out.append(
            (
                None,
                "no recording replica (recordings.replica_store): each recording is kept in one bucket",
                "set recordings.replica_store to a bucket in another region or on another server",
            )
        )
    return out
