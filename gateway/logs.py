"""Structured JSON logs with phone numbers masked."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime

from gateway.carriers.base import mask_number
from policies.timefmt import rfc3339

__all__ = ["Throttled", "configure_logging", "mask_number", "mask_numbers"]

# '+' numbers with optional separators (and a "(0)" trunk digit), bare runs of 7+ digits, grouped
# local forms such as "138 0013 8000", "208-555-0100", "(617) 555-0142", "617/555-0142" or
# "617.555.0142", international prefixes written out ("0044 20 7946 0958", "011 44 ..."), and
# digits spaced one by one. Dates like 2026-11-28, times and versions like 2026.12.102 do not match;
# a probe found the parenthesised and prefixed forms shown in full in stop requests' reasons.
_PHONE_RE = re.compile(
    r"\b\d{4}(?:[ \-]\d{4}){2,4}\b"  # a card number in groups of four: masked whole
    r"|\+\d{1,3}[ \-]?\(0\)[ \-]?\d[\d \-]{4,}\d"
    r"|\+\d[\d \-]{5,}\d"
    r"|\b(?:00|011)[ \-]?\d{1,3}(?:[ \-]?\d{1,4}){2,5}\b"
    r"|\b\d{7,}\b"
    r"|\(\d{3,4}\) ?\d{3,4}[ \-.]?\d{4}\b"
    r"|\b\d{3,4}[ \-./]\d{3,4}[ \-.]\d{4}\b"
    r"|\b\d(?: \d){6,}\b"
)


# Characters that show as nothing: one inside a number hid it from the patterns (found by a probe,
# "212-555-<U+200B>9999" in a stop request's reason was shown whole). Masked text drops them.
_HIDDEN = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


def mask_numbers(text: str) -> str:
    """Mask every phone-number-looking run of digits in free text (and card numbers)."""
    text = _HIDDEN.sub("", text)
    return _PHONE_RE.sub(lambda m: mask_number(re.sub(r"[ \-./()]", "", m.group(0))), text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; messages and string extras have phone numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": rfc3339(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask_numbers(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                out[key] = mask_numbers(value) if isinstance(value, str) else value
        if record.exc_info:
            out["exc"] = mask_numbers(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class MaskingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_numbers(super().format(record))


class Throttled:
    """Log one line per `interval` seconds for a repeated event, counting what it held back:
    under overload a warning per request would itself become the overload."""

    def __init__(self, logger: logging.Logger, interval: float = 1.0) -> None:
        self.logger = logger
        self.interval = interval
        self._last = float("-inf")
        self._held = 0

    def warning(self, msg: str, fields: dict[str, object]) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            self._held += 1
            return
        self.logger.warning(msg, extra={"fields": {**fields, "suppressed_since_last": self._held}})
        self._last, self._held = now, 0


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Send callwarden's and aiohttp's logs to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(MaskingTextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries' own progress chatter ("Adding job tentatively", "Processing audio with duration")
    # is not operational news; their warnings and errors still come through.
    for noisy in ("apscheduler", "faster_whisper"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
