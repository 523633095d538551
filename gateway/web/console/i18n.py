"""The console's languages: Simplified Chinese and English, one TOML catalogue each (data files in
`i18n/`), chosen from the session, a `cw_lang` cookie or Accept-Language, switchable with `?lang=`.

A key missing from the catalogue renders as `⟦key⟧` and is logged, so a missing label shows in the
page and the tests (which render every page in both languages) fail on it.
"""

from __future__ import annotations

import logging
import tomllib
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["DEFAULT_LANG", "LANGS", "MISSING", "Labels", "Translator", "catalogue", "negotiate"]

log = logging.getLogger("callwarden.console")

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
MISSING = "⟦"


def _flatten(doc: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every label of `lang`, by dotted key."""
    text = resources.files("gateway.web.console").joinpath("i18n", f"{lang}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(text))


def negotiate(accept_language: str | None) -> str:
    """The best of LANGS for an Accept-Language header (`zh-CN,zh;q=0.9,en;q=0.8` → zh)."""
    best, best_q = DEFAULT_LANG, -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best


class Labels(dict[str, str]):
    """The labels of one prefix, filled on first use; a missing one renders like `t()`'s."""

    def __init__(self, t: Translator, prefix: str) -> None:
        super().__init__()
        self.t, self.prefix = t, prefix

    def __missing__(self, value: str) -> str:
        text = self[value] = self.t(f"{self.prefix}.{value}")
        return text


class Translator:
    """`t("queue.title")`, `t("queue.showing", n=3)` in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.labels = catalogue(self.lang)

    def __call__(self, key: str, **values: Any) -> str:
        text = self.labels.get(key)
        if text is None:
            log.warning("console label %r missing in %s", key, self.lang)
            return f"{MISSING}{key}⟧"
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self.labels

    def group(self, prefix: str) -> Labels:
        """The labels under `prefix` as a mapping (`group("severity")["high"]`): a table row looks
        its labels up in a dict instead of calling the translator once per cell."""
        return Labels(self, prefix)

    def opt(self, prefix: str, value: str | None) -> str:
        """The label of a value from a fixed set (`category.threat_violence`)."""
        return self(f"{prefix}.{value}") if value else ""
