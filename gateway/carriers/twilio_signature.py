"""Twilio's webhook signature (`X-Twilio-Signature`): HMAC-SHA1 with the Auth Token over the full
URL followed by every form parameter's name and value, names sorted (values of a repeated name
sorted too), base64-encoded. Checked on the upstream's callbacks; made for the callbacks
callwarden forwards to a dialer, signed with the dialer's own token."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from yarl import URL

__all__ = ["SIGNATURE_HEADER", "twilio_signature", "valid_twilio_signature"]

SIGNATURE_HEADER = "X-Twilio-Signature"


def twilio_signature(token: str, url: str, params: Iterable[tuple[str, str]] = ()) -> str:
    """The `X-Twilio-Signature` value for a request to `url` with form `params` (for a GET, the
    parameters are in the URL and `params` is empty)."""
    grouped: dict[str, set[str]] = {}
    for name, value in params:
        grouped.setdefault(name, set()).add(value)
    text = url + "".join(name + value for name in sorted(grouped) for value in sorted(grouped[name]))
    mac = hmac.new(token.encode("utf-8"), text.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def _port_variants(url: str) -> list[str]:
    # Twilio signs the URL as configured; a proxy may add or drop the default port.
    parsed = URL(url)
    out = [url]
    default = 443 if parsed.scheme == "https" else 80
    if parsed.explicit_port is None:
        out.append(str(parsed.with_port(default)))
    elif parsed.explicit_port == default:
        out.append(str(parsed.with_port(None)))
    return out


def valid_twilio_signature(token: str, url: str, params: Iterable[tuple[str, str]], header: str) -> bool:
    """Whether `header` signs `url` and `params` with `token` (compared in constant time)."""
    if not token or not header:
        return False
    items = list(params)
    return any(
        hmac.compare_digest(twilio_signature(token, candidate, items), header)
        for candidate in _port_variants(url)
    )
