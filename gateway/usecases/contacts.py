"""Deciding and placing a contact: what `/v1/authorize`, `/v1/calls`, `/v1/messages` (and any
other front, such as a carrier-compatible facade) share.

`decide` checks and reserves (a `policy_unavailable` denial when no decision could be recorded
in time: fail closed); `place` forwards an allowed contact to the carrier and releases the
attempt when the carrier refused it (it was not placed and must not count), keeping it when the
outcome is unknown (the call may be ringing: releasing it could exceed a cap).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.carriers import Carrier, CarrierError, CarrierResult, OutboundCall, OutboundMessage
from gateway.logs import Throttled, mask_number
from gateway.metrics import Metrics
from gateway.usecases.content_scores import ContentScorer, ContentScoringUnavailable
from policies.types import ContactRequest, Decision, Reason
from storage.attempts import release_attempt, set_carrier_ref
from storage.db import Database, DatabaseUnavailable
from storage.decisions import DecisionTimeout, DecisionUnavailable, DecisionWriter, Reserved

__all__ = ["ContactServices", "Placed", "decide", "place", "unavailable"]

log = logging.getLogger("callwarden.contacts")
unavailable_log = Throttled(log)


@dataclass(frozen=True)
class ContactServices:
    db: Database
    writer: DecisionWriter
    carrier: Carrier
    metrics: Metrics
    timeout_s: float
    content: ContentScorer | None = None  # the semantic model's SMS scores (None: lexicon only)


@dataclass(frozen=True)
class Placed:
    """What became of an allowed contact at the carrier."""

    result: CarrierResult | None
    error: CarrierError | None = None
    released: bool = False


def unavailable(why: str) -> Decision:
    return Decision(
        allowed=False,
        reasons=(Reason("policy_unavailable", "callwarden/gateway", why),),
        packs=(),
        local_times=(),
        evaluated_at=datetime.now(UTC),
    )


async def decide(
    services: ContactServices,
    creq: ContactRequest,
    *,
    endpoint: str,
    key_id: str,
    from_number: str | None,
) -> tuple[Reserved | None, Decision]:
    """Check and reserve; (None, a `policy_unavailable` denial) when not recorded in time, or
    when an SMS body could not be scored by the content model (fail closed)."""
    metrics = services.metrics
    started = time.perf_counter()
    if services.content is not None:
        try:
            creq = await services.content.attach(creq)  # SMS: the model's scores, off the loop
        except ContentScoringUnavailable as exc:
            metrics.unavailable.inc()
            unavailable_log.warning("content scoring unavailable", {"case_id": creq.case_id, "why": str(exc)})
            decision = unavailable(str(exc))
            metrics.observe(decision, creq.channel)
            return None, decision
    try:
        reserved = await services.writer.decide(
            creq, endpoint=endpoint, key_id=key_id, from_number=from_number, timeout=services.timeout_s
        )
    except DecisionTimeout as exc:
        metrics.unavailable.inc()
        unavailable_log.warning("decision unavailable", {"case_id": creq.case_id, "why": str(exc)})
        if isinstance(exc, DecisionUnavailable):
            # The database is down or failing over: 503 `database_unavailable`, nothing reserved;
            # the dialer retries (and denies meanwhile).
            raise DatabaseUnavailable(
                "the database cannot be reached; no decision was recorded and the contact is denied"
            ) from exc
        decision = unavailable(str(exc))
        metrics.observe(decision, creq.channel)
        return None, decision
    metrics.latency.labels(endpoint).observe(time.perf_counter() - started)
    metrics.observe(reserved.decision, creq.channel)
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "decision",
            extra={
                "fields": {
                    "case_id": creq.case_id,
                    "to": mask_number(creq.to),
                    "allowed": reserved.decision.allowed,
                    "reasons": [r.code for r in reserved.decision.reasons],
                    "attempt_id": reserved.attempt_id,
                }
            },
        )
    return reserved, reserved.decision


async def place(services: ContactServices, creq: ContactRequest, attempt_id: str, from_number: str) -> Placed:
    """Forward an allowed contact (its attempt is reserved) to the carrier."""
    try:
        if creq.channel == "call":
            result = await services.carrier.place_call(
                OutboundCall(
                    attempt_id=attempt_id,
                    to=creq.to,
                    from_=from_number,
                    case_id=creq.case_id,
                    agency_id=creq.agency_id,
                )
            )
        else:
            result = await services.carrier.send_sms(
                OutboundMessage(
                    attempt_id=attempt_id,
                    to=creq.to,
                    from_=from_number,
                    body=str(creq.body),
                    case_id=creq.case_id,
                    agency_id=creq.agency_id,
                )
            )
    except CarrierError as exc:
        services.metrics.carrier_errors.labels(creq.channel).inc()
        released = not exc.outcome_unknown
        if released:
            await release_attempt(services.db, attempt_id, "carrier_error")
        log.warning(
            "carrier error",
            extra={"fields": {"attempt_id": attempt_id, "why": str(exc), "released": released}},
        )
        return Placed(None, exc, released)
    await set_carrier_ref(services.db, attempt_id, result.carrier_ref)
    return Placed(result)
