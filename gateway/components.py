"""The long-lived parts built from settings, shared by the web app, the CLI and the workers:
the pack registry, the recording vault (on the store the settings choose, gateway/stores.py, with
the retention rule from the case's packs) and the carrier."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import policies
from gateway.carriers import Carrier, carrier_option_names, create_carrier
from gateway.packs import PackRegistry
from gateway.settings import MASTER_KEY_FILE, Settings
from gateway.stores import build_store
from storage.crypto import MasterKeyring
from storage.db import Database
from storage.vault import Vault

__all__ = ["build_carrier", "build_vault", "carrier_options", "pack_registry", "retention_rule"]

log = logging.getLogger("callwarden.vault")


def pack_registry(settings: Settings) -> PackRegistry:
    return PackRegistry.from_settings(settings)


def retention_rule(packs: PackRegistry) -> Callable[[Sequence[str]], int]:
    """Days the case's packs demand. A pack that no longer resolves (an operator file removed)
    counts as the longest bundled retention: evidence is never kept too short by accident."""

    def days(names: Sequence[str]) -> int:
        try:
            return policies.retention_days(packs.resolve(names))
        except Exception:
            log.error("cannot resolve packs %s for retention; using the longest bundled retention", names)
            return policies.retention_days(policies.load_packs(policies.available_packs()))

    return days


def build_vault(settings: Settings, db: Database, packs: PackRegistry | None = None) -> Vault:
    return Vault(
        db,
        build_store(settings),
        MasterKeyring(settings.data_dir / MASTER_KEY_FILE),
        default_retention_days=int(settings["recordings.retention_days"]),
        retention_days_for=retention_rule(packs or pack_registry(settings)),
        max_bytes=int(settings["recordings.max_bytes"]),
    )


def carrier_options(settings: Settings) -> dict[str, object]:
    """The `[carrier]` settings the configured adapter kind accepts (an empty table is absent)."""
    accepted = carrier_option_names(settings["carrier.kind"])
    section = settings.section("carrier")
    return {name: value for name, value in section.items() if name in accepted and value != {}}


def build_carrier(settings: Settings) -> Carrier:
    return create_carrier(settings["carrier.kind"], carrier_options(settings))
