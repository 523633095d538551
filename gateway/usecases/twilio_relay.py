"""What happens after the upstream calls back: the attempt's outcome from a call's final status,
the dual-channel recording fetched into the vault, and the callback forwarded to the dialer's own
URL, re-signed with the dialer's token. Slow work (downloads, forwarding) runs in tracked tasks so
that the upstream's webhook is answered at once; `close()` waits for them."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import re
import socket
from collections.abc import Coroutine, Sequence
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from gateway.carriers import CarrierError, TwilioCarrier
from gateway.carriers.twilio_signature import SIGNATURE_HEADER, twilio_signature
from policies.errors import SetupError
from storage.audit import Actor
from storage.crypto import DecryptionError, KeyringError, MasterKeyring
from storage.db import Conflict, Database, NotFound
from storage.twilio import TwilioResource, dialer_token, save_dialer_token, set_recording
from storage.vault import Vault

__all__ = ["FINAL_CALL_STATUSES", "CallbackRelay", "CallbackTargets", "call_outcome"]

log = logging.getLogger("callwarden.twilio")

Form = Sequence[tuple[str, str]]

# A call's final CallStatus → the attempt's result. `canceled` (hung up by the caller before an
# answer) never connected, like `no-answer`.
FINAL_CALL_STATUSES = {
    "completed": "connected",
    "busy": "busy",
    "no-answer": "no_answer",
    "failed": "failed",
    "canceled": "no_answer",
}
_TOKEN_CONTEXT = "twilio-dialer-token:"  # noqa: S105 - a derivation label, not a secret
_RECORDING_TRIES = (0.0, 1.0, 3.0)


def _when(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None


def call_outcome(params: dict[str, str]) -> tuple[str, str, datetime | None, datetime | None] | None:
    """(result, spoke_with, started_at, ended_at) for a final call status callback, else None.
    A completed call is a conversation with the debtor unless `AnsweredBy` says a machine or a fax
    answered: the gateway cannot know who spoke, and `debtor` keeps the cool-offs on the safe side."""
    result = FINAL_CALL_STATUSES.get(params.get("CallStatus", ""))
    if result is None:
        return None
    answered_by = params.get("AnsweredBy", "")
    if result == "connected" and answered_by.startswith("machine"):
        result = "voicemail"
    elif result == "connected" and answered_by == "fax":
        result = "failed"
    spoke = "debtor" if result == "connected" else "none"
    ended = _when(params.get("Timestamp"))
    started = None
    duration = params.get("CallDuration", "")
    if ended is not None and duration.isdigit() and int(duration) > 0:
        started = ended - timedelta(seconds=int(duration))
    return result, spoke, started, ended


_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")
# IPv6 prefixes whose last 32 bits are an IPv4 address: NAT64 (well-known and local), IPv4-
# compatible (deprecated, ::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d).
_NAT64 = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("::/96"),
    ipaddress.ip_network("::ffff:0:0:0/96"),
)


def _embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None or ip.sixtofour is not None:
        return ip.ipv4_mapped or ip.sixtofour
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


class CallbackTargets:
    """Where a dialer's own callback URLs may lead: public addresses, and the networks the operator
    lists (`carrier.callback_networks`, e.g. the dialers' LAN). Without it a dialer could make
    callwarden request loopback, private or cloud-metadata addresses with its callbacks."""

    def __init__(self, networks: str = "") -> None:
        try:
            self.networks = tuple(
                ipaddress.ip_network(n.strip(), strict=False) for n in networks.split(",") if n.strip()
            )
        except ValueError as exc:
            raise SetupError(f"carrier.callback_networks: {exc}") from None

    def allows(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 zone id is not part of it
        except ValueError:
            return False
        if any(ip in net for net in self.networks):
            return True
        # An IPv4 address inside an IPv6 one (mapped, 6to4, the NAT64 prefix) is judged as itself:
        # 64:ff9b::a9fe:a9fe is the metadata address behind a NAT64 gateway.
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return self.allows(str(inner))
        # Multicast is "global" to ipaddress, and reaches nothing a callback should.
        return ip.is_global and not ip.is_multicast

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be called back (None: it may; a host name is checked again, each of
        its addresses, when the callback is sent)."""
        try:
            parsed = URL(url)
            raw_host = parsed.host  # decoded here: an invalid IDNA label raises (a 500 before)
        except ValueError:  # UnicodeError (IDNA) is one
            return "not a URL"
        if parsed.scheme not in ("http", "https") or not raw_host:
            return "not an http(s) URL"
        host = raw_host.strip("[]").lower().removesuffix(".")
        if host == "localhost" or host.endswith(".localhost"):
            host = "127.0.0.1"
        try:
            ipaddress.ip_address(host.split("%")[0])
        except ValueError:
            # No top-level domain is numeric: "2852039166", "0xa9fea9fe", "0251.0376.0251.0376"
            # and "127.1" are addresses in forms some resolvers read (found by a probe).
            if _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
                return f"{raw_host} is an address in a non-standard form"
            return None
        return None if self.allows(host) else f"{raw_host} is not a public address"


class _TargetResolver(AbstractResolver):
    """Host names resolved, then only the addresses `CallbackTargets` allows kept: the connection
    goes to a checked address, whatever the name resolves to next time."""

    def __init__(self, targets: CallbackTargets) -> None:
        self._inner = DefaultResolver()
        self._targets = targets

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        kept = [r for r in await self._inner.resolve(host, port, family) if self._targets.allows(r["host"])]
        if not kept:
            raise OSError(f"{host} resolves to no address a callback may reach")
        return kept

    async def close(self) -> None:
        await self._inner.close()


class CallbackRelay:
    """Per application: the dialers' tokens (wrapped under the master key), the forwarding
    session, and the background tasks."""

    def __init__(
        self,
        db: Database,
        vault: Vault,
        keyring: MasterKeyring,
        timeout: float = 5.0,
        targets: CallbackTargets | None = None,
    ) -> None:
        self.db, self.vault, self.keyring = db, vault, keyring
        self.targets = targets or CallbackTargets()
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._known: dict[str, str] = {}  # key_id -> sha256 of the token stored for it

    async def close(self) -> None:
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=30)
        for task in self._tasks:
            task.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def idle(self) -> None:
        """Wait until every background task has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    def spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        async def guarded() -> None:
            try:
                await work
            except Exception:
                log.exception("twilio relay: %s failed", what)

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- the dialers' tokens ------------------------------------------------------------------

    async def remember_token(self, key_id: str, token: str) -> None:
        """Keep the dialer's token (wrapped) so its callbacks can be signed; written only when new."""
        digest = hashlib.sha256(token.encode()).hexdigest()
        if self._known.get(key_id) == digest:
            return
        if await self._token(key_id) != token:
            master_id, wrapped = await asyncio.to_thread(
                self.keyring.wrap, token.encode(), _TOKEN_CONTEXT + key_id
            )
            await save_dialer_token(self.db, key_id, master_id, wrapped)
        self._known[key_id] = digest

    async def _token(self, key_id: str) -> str | None:
        stored = await dialer_token(self.db, key_id)
        if stored is None:
            return None
        try:
            plain = await asyncio.to_thread(
                self.keyring.unwrap, stored[0], stored[1], _TOKEN_CONTEXT + key_id
            )
            return plain.decode()
        except (KeyringError, DecryptionError) as exc:
            log.error("cannot open the callback token of key %s: %s", key_id, exc)
            return None

    # --- forwarding -------------------------------------------------------------------------------

    def forward(self, resource: TwilioResource, which: str, params: Form) -> None:
        """Send the callback on to the dialer's own URL for it (`status` or `recording`), if any."""
        url = resource.status_callback if which == "status" else resource.recording_callback
        method = (
            resource.status_callback_method if which == "status" else resource.recording_callback_method
        ) or "POST"
        if not url:
            return
        rewritten = [("AccountSid", resource.account_sid) if k == "AccountSid" else (k, v) for k, v in params]
        self.spawn(self._send(resource, url, method.upper(), rewritten), f"forward {which} of {resource.sid}")

    async def _send(self, resource: TwilioResource, url: str, method: str, params: Form) -> None:
        token = await self._token(resource.key_id)
        if token is None:
            log.warning(
                "no callback token for key %s (revoked?); %s not forwarded", resource.key_id, resource.sid
            )
            return
        refused = self.targets.refusal(url)
        if refused is not None:
            log.warning("dialer callback for %s not forwarded: %s", resource.sid, refused)
            return
        if self._session is None:
            connector = aiohttp.TCPConnector(resolver=_TargetResolver(self.targets))
            self._session = aiohttp.ClientSession(timeout=self._timeout, connector=connector)
        if method == "GET":
            target = str(URL(url).update_query(list(params)))
            signature = twilio_signature(token, target, ())
            request = self._session.get(target, headers={SIGNATURE_HEADER: signature}, allow_redirects=False)
        else:
            signature = twilio_signature(token, url, params)
            request = self._session.post(
                url, data=list(params), headers={SIGNATURE_HEADER: signature}, allow_redirects=False
            )
        try:
            async with request as resp:
                await resp.read()
                if resp.status >= 400:
                    log.warning("dialer callback for %s answered HTTP %s", resource.sid, resp.status)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.warning("dialer callback for %s failed: %s", resource.sid, type(exc).__name__)

    # --- recordings -------------------------------------------------------------------------------

    def fetch_recording(
        self, carrier: TwilioCarrier, attempt_id: str, recording_sid: str, resource: TwilioResource | None
    ) -> None:
        self.spawn(self._fetch(carrier, attempt_id, recording_sid, resource), f"recording {recording_sid}")

    async def _fetch(
        self, carrier: TwilioCarrier, attempt_id: str, recording_sid: str, resource: TwilioResource | None
    ) -> None:
        actor = Actor(None, "system", None, "carrier:twilio")
        for delay in _RECORDING_TRIES:
            await asyncio.sleep(delay)
            try:
                rec, _created = await self.vault.ingest(
                    attempt_id,
                    carrier.recording_audio(recording_sid),
                    content_type="audio/wav",
                    actor=actor,
                    source="http",  # fetched over HTTP; the access log names carrier:twilio
                    filename=f"{recording_sid}.wav",
                )
            except CarrierError as exc:
                log.warning("recording %s of attempt %s: %s", recording_sid, attempt_id, exc)
                if not exc.retryable and exc.carrier_status != 404:
                    return
                continue
            except (NotFound, Conflict) as exc:
                log.warning("recording %s of attempt %s not stored: %s", recording_sid, attempt_id, exc)
                return
            if resource is not None:
                await set_recording(self.db, resource.sid, str(rec["recording_id"]))
            log.info(
                "recording %s of attempt %s stored as %s", recording_sid, attempt_id, rec["recording_id"]
            )
            return
        log.error("recording %s of attempt %s could not be fetched; giving up", recording_sid, attempt_id)
