"""Typed keys for what the application holds: settings, database, writer, carrier, vault ...

Route modules import these (never `gateway.web.app`), so the app factory can import the routes
at module level without a cycle.
"""

from __future__ import annotations

from aiohttp import web

from gateway.carriers import Carrier
from gateway.jobs.scheduler import VaultJobs
from gateway.metrics import Metrics
from gateway.packs import PackRegistry
from gateway.settings import Settings
from gateway.usecases.content_scores import ContentScorer
from gateway.web.auth import Authenticator
from storage.db import Database
from storage.decisions import DecisionWriter
from storage.vault import Vault

__all__ = ["AUTH", "CARRIER", "CONTENT", "DB", "JOBS", "METRICS", "PACKS", "SETTINGS", "VAULT", "WRITER"]

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
WRITER = web.AppKey("writer", DecisionWriter)
CARRIER = web.AppKey("carrier", Carrier)
METRICS = web.AppKey("metrics", Metrics)
AUTH = web.AppKey("auth", Authenticator)
PACKS = web.AppKey("packs", PackRegistry)
VAULT = web.AppKey("vault", Vault)
JOBS = web.AppKey("vault_jobs", VaultJobs)
CONTENT = web.AppKey("content_scorer", ContentScorer)
