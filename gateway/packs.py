"""Which packs a case may name: the bundled ones plus the operator's own (`policy.packs_dir`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import policies

__all__ = ["PackRegistry"]


class PackRegistry:
    """Resolves pack names: `DIR/<name>.toml` in the operator's packs dir, else a bundled pack.

    Operator packs are read once per file modification (validated on load like bundled ones), so
    a lender can add its own rules without a release; a broken file fails the case that names it
    with the validation message rather than being skipped.
    """

    def __init__(self, packs_dir: Path | str | None = None) -> None:
        self.packs_dir = Path(packs_dir) if packs_dir else None
        self._files: dict[Path, tuple[float, Any]] = {}

    def names(self) -> list[str]:
        extra = sorted(p.stem for p in self.packs_dir.glob("*.toml")) if self.packs_dir else []
        return sorted(set(policies.available_packs()) | set(extra))

    def resolve(self, names: Iterable[str]) -> tuple[Any, ...]:
        out = []
        for name in names:
            path = self.packs_dir / f"{name}.toml" if self.packs_dir else None
            if path is not None and path.is_file():
                mtime = path.stat().st_mtime
                cached = self._files.get(path)
                if cached is None or cached[0] != mtime:
                    cached = (mtime, policies.load_pack_file(path))
                    self._files[path] = cached
                out.append(cached[1])
            else:
                out.extend(policies.load_packs([name]))
        return tuple(out)
