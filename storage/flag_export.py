"""Reviewed flags for the next training run (`callwarden flags export --reviewed`).

Reads flags an inspector confirmed or dismissed, with the language of their transcript and the
audience of their channel: what `speech.semantic.feedback` turns into labelled lines. The text
is the flag's `sentence`, taken from the masked transcript (numbers stay `[bank_card]` etc.);
flags of purged recordings, whose words were blanked, are left out.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.db import Database, to_ts

__all__ = ["reviewed_flags"]

_SQL = (
    "SELECT f.flag_id, f.recording_id, f.category, f.severity, f.sentence, f.channel, f.speaker,"
    " f.source, f.status, f.reviewed_at, f.model_score, f.model_version, t.language, t.channels"
    " FROM flags f JOIN transcripts t ON t.recording_id = f.recording_id"
    " WHERE f.status IN ('confirmed', 'dismissed') AND f.sentence != ''"
    " AND (CAST(:since AS TEXT) IS NULL OR f.reviewed_at >= :since)"
    " ORDER BY f.reviewed_at, f.flag_id"
)


async def reviewed_flags(db: Database, since: datetime | None) -> list[dict[str, Any]]:
    """Confirmed and dismissed flags reviewed at or after `since` (all when None), oldest first,
    each with `language` and the `audience` of its channel."""
    rows = await db.fetchall(_SQL, {"since": to_ts(since) if since is not None else None})
    out = []
    for r in rows:
        audience = "debtor"
        for c in json.loads(r["channels"]):
            if (c.get("channel") or c.get("name")) == r["channel"]:
                audience = str(c.get("audience") or "debtor")
        row = {k: r[k] for k in r.keys() if k != "channels"}  # noqa: SIM118 (a Row iterates values)
        out.append({**row, "audience": audience})
    return out
