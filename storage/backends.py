"""Which `Database` a target names: a SQLite file (the embedded default) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database, is_postgres_url

__all__ = ["open_db"]


def open_db(target: str | Path) -> Database:
    """The database at `target`: a `postgresql://` URL or a SQLite file path (not yet opened)."""
    if is_postgres_url(target):
        from storage.pg import PgDatabase  # asyncpg loads only where PostgreSQL is configured

        return PgDatabase(str(target))
    return Database(Path(target))
