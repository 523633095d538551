"""deploy/compose: every CALLWARDEN_* variable is a real setting, every instance shares the same
database and buckets, and nginx balances over every gateway service."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from gateway.settings import SETTINGS, env_name

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "compose"


def _services() -> dict[str, Any]:
    doc = yaml.safe_load((COMPOSE / "compose.yaml").read_text(encoding="utf-8"))
    return dict(doc["services"])


def test_every_callwarden_variable_names_a_setting() -> None:
    known = {env_name(s.name) for s in SETTINGS}
    for name, service in _services().items():
        for var in service.get("environment", {}):
            if var.startswith("CALLWARDEN_"):
                assert var in known, f"{name}: {var} is not a setting (docs/configuration.md)"


def test_instances_share_the_database_and_buckets_and_migrate_first() -> None:
    services = _services()
    instances = {n: s for n, s in services.items() if s.get("image") == "callwarden:local"}
    assert {"migrate", "gateway-1", "gateway-2", "workers-1", "workers-2"} <= set(instances)
    envs = [s["environment"] for s in instances.values()]
    for key in (
        "CALLWARDEN_DATABASE_URL",
        "CALLWARDEN_RECORDINGS_STORE",
        "CALLWARDEN_RECORDINGS_REPLICA_STORE",
    ):
        assert len({e[key] for e in envs}) == 1
    assert envs[0]["CALLWARDEN_DATABASE_URL"].startswith("postgresql://")
    for name, service in instances.items():
        if name != "migrate":
            assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_nginx_balances_over_every_gateway() -> None:
    gateways = {n for n, s in _services().items() if s.get("command") == ["serve"]}
    upstream = re.findall(r"server (\S+):8080", (COMPOSE / "nginx.conf").read_text(encoding="utf-8"))
    assert set(upstream) == gateways
    assert len(gateways) >= 2
