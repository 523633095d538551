"""Which packs a case may name: the bundled ones plus the operator's own (`policy.packs_dir`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import policies
from policies.loader import expand_requires

__all__ = ["PackRegistry"]

log = logging.getLogger("callwarden.packs")


class PackRegistry:
    """Resolves pack names: `DIR/<name>.toml` in the operator's packs dir, else a bundled pack.

    Operator packs are read once per file modification (validated on load like bundled ones), so
    a lender can add its own rules without a release; a broken file fails the case that names it
    with the validation message rather than being skipped. An operator file with a bundled pack's
    name would silently replace reviewed regulatory text: it is refused (the bundled pack decides)
    unless `policy.allow_override` is true; either way it is logged when the registry starts.
    Packs a pack `requires` are resolved the same way and come first.
    """

    def __init__(self, packs_dir: Path | str | None = None, allow_override: bool = False) -> None:
        self.packs_dir = Path(packs_dir) if packs_dir else None
        self.allow_override = allow_override
        self._files: dict[Path, tuple[float, Any]] = {}
        self._reported: set[Path] = set()
        for path in self.overrides():
            self._report(path)

    @classmethod
    def from_settings(cls, settings: Any) -> PackRegistry:
        return cls(settings["policy.packs_dir"] or None, bool(settings["policy.allow_override"]))

    def names(self) -> list[str]:
        extra = sorted(p.stem for p in self.packs_dir.glob("*.toml")) if self.packs_dir else []
        return sorted(set(policies.available_packs()) | set(extra))

    def overrides(self) -> list[Path]:
        """Operator pack files named like a bundled pack."""
        if self.packs_dir is None or not self.packs_dir.is_dir():
            return []
        bundled = set(policies.available_packs())
        return sorted(p for p in self.packs_dir.glob("*.toml") if p.stem in bundled)

    def _report(self, path: Path) -> None:
        if path in self._reported:
            return
        self._reported.add(path)
        if self.allow_override:
            log.warning(
                "operator pack %s overrides the bundled pack %s (policy.allow_override = true)",
                path,
                path.stem,
            )
        else:
            log.error(
                "operator pack %s has the name of a bundled pack and is refused: the bundled %s decides "
                "(set policy.allow_override = true to use the file)",
                path,
                path.stem,
            )

    def _load(self, name: str) -> Any:
        path = self.packs_dir / f"{name}.toml" if self.packs_dir else None
        if path is None or not path.is_file():
            return policies.load_packs([name])[-1]
        if name in policies.available_packs():
            self._report(path)
            if not self.allow_override:
                return policies.load_packs([name])[-1]
        mtime = path.stat().st_mtime
        cached = self._files.get(path)
        if cached is None or cached[0] != mtime:
            cached = (mtime, policies.load_pack_file(path))
            self._files[path] = cached
        return cached[1]

    def warm(self) -> None:
        """Load every pack now (a bundled pack's first load compiles the lexicons it screens SMS
        with: seconds, which the first decision's deadline would otherwise pay and fail closed
        on). A broken operator pack is logged here and fails the cases that name it, as before."""
        for name in self.names():
            try:
                self.resolve([name])
            except Exception as exc:
                log.error("pack %s does not load: %s", name, exc)

    def resolve(self, names: Iterable[str]) -> tuple[Any, ...]:
        return expand_requires(names, self._load)

    async def resolve_off_loop(self, names: Iterable[str]) -> tuple[Any, ...]:
        """`resolve` from a request handler: operator pack files may be read, so on a thread."""
        return await asyncio.to_thread(self.resolve, list(names))
