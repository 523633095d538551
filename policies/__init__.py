"""callwarden's pure decision core: contact request + case + history + packs + now → Decision.

No I/O in `evaluate`; packs are TOML data loaded and validated once (`load_packs`).
See docs/policies.md.
"""

from policies.engine import evaluate, history_horizon, needs_contact_history, not_assigned, retention_days
from policies.loader import PackError, UnknownPack, available_packs, load_pack_file, load_packs
from policies.pack import Pack

__all__ = [
    "Pack",
    "PackError",
    "UnknownPack",
    "available_packs",
    "evaluate",
    "history_horizon",
    "load_pack_file",
    "load_packs",
    "needs_contact_history",
    "not_assigned",
    "retention_days",
]
