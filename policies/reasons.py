"""Reason codes (stable; API.md plus the few additions documented in docs/policies.md).

Rules that hold whatever the packs say — the integrity of the request and the debtor's own
instructions — are named ``callwarden/<rule>``; pack rules are ``<pack>/<section>``.
"""

from __future__ import annotations

__all__ = [
    "AGENCY_INACTIVE",
    "ALL_CODES",
    "ALL_NOTES",
    "ATTORNEY_REPRESENTED",
    "BANKRUPTCY_STAY",
    "BUILTIN",
    "CAP_EXCEEDED",
    "CASE_INACTIVE",
    "CASE_NOT_ASSIGNED",
    "CEASED",
    "CHANNEL_BLOCKED",
    "COLLECTION_SUSPENDED",
    "CONTENT_VIOLATION",
    "COOLOFF",
    "DEBTOR_DECEASED",
    "DISPUTE_PENDING",
    "HOLIDAY",
    "NOTE_CONSENT",
    "NOTE_TIME_BARRED",
    "NOTE_VALIDATION_PERIOD",
    "OUTSIDE_WINDOW",
    "OVERDUE_TOO_SHORT",
    "POLICY_UNAVAILABLE",
    "THIRD_PARTY_NOT_ALLOWED",
    "TIMEZONE_UNKNOWN",
    "TIME_BLOCKED_BY_DEBTOR",
    "TIME_CODES",
    "UNKNOWN_NUMBER",
    "WORK_NUMBER_BLOCKED",
]

BUILTIN = "callwarden"

OUTSIDE_WINDOW = "outside_window"
HOLIDAY = "holiday"
CAP_EXCEEDED = "cap_exceeded"
COOLOFF = "cooloff_after_conversation"
CEASED = "ceased"
CASE_INACTIVE = "case_inactive"
CASE_NOT_ASSIGNED = "case_not_assigned"
AGENCY_INACTIVE = "agency_inactive"
OVERDUE_TOO_SHORT = "overdue_too_short"
UNKNOWN_NUMBER = "unknown_number"
THIRD_PARTY_NOT_ALLOWED = "third_party_not_allowed"
TIMEZONE_UNKNOWN = "timezone_unknown"
CONTENT_VIOLATION = "content_violation"
POLICY_UNAVAILABLE = "policy_unavailable"
# Additions (debtor preferences, Reg F 1006.6(b)(1) and (b)(3), Korea's blocks):
CHANNEL_BLOCKED = "channel_blocked"
TIME_BLOCKED_BY_DEBTOR = "time_blocked_by_debtor"
WORK_NUMBER_BLOCKED = "work_number_blocked"
# Contact holds from case facts (docs/policies.md, "Holds from case facts"):
ATTORNEY_REPRESENTED = "attorney_represented"
BANKRUPTCY_STAY = "bankruptcy_stay"
DEBTOR_DECEASED = "debtor_deceased"
DISPUTE_PENDING = "dispute_pending"
COLLECTION_SUSPENDED = "collection_suspended"

# Notes on a decision (they never deny):
NOTE_CONSENT = "consent"
NOTE_TIME_BARRED = "time_barred"
NOTE_VALIDATION_PERIOD = "validation_period"
NOTE_FACT_NOT_APPLIED = "fact_not_applied"
ALL_NOTES: tuple[str, ...] = (NOTE_CONSENT, NOTE_TIME_BARRED, NOTE_VALIDATION_PERIOD)

# Codes that time alone may lift (a cap on an "ever" window never lifts, so its reason has no
# lifts_at and the decision no next_allowed_at; a bankruptcy without a closing date neither).
TIME_CODES: frozenset[str] = frozenset(
    {
        OUTSIDE_WINDOW,
        HOLIDAY,
        CAP_EXCEEDED,
        COOLOFF,
        TIME_BLOCKED_BY_DEBTOR,
        BANKRUPTCY_STAY,
        COLLECTION_SUSPENDED,
    }
)

ALL_CODES: tuple[str, ...] = (
    OUTSIDE_WINDOW,
    HOLIDAY,
    CAP_EXCEEDED,
    COOLOFF,
    CEASED,
    CASE_INACTIVE,
    CASE_NOT_ASSIGNED,
    AGENCY_INACTIVE,
    OVERDUE_TOO_SHORT,
    UNKNOWN_NUMBER,
    THIRD_PARTY_NOT_ALLOWED,
    TIMEZONE_UNKNOWN,
    CONTENT_VIOLATION,
    POLICY_UNAVAILABLE,
    CHANNEL_BLOCKED,
    TIME_BLOCKED_BY_DEBTOR,
    WORK_NUMBER_BLOCKED,
    ATTORNEY_REPRESENTED,
    BANKRUPTCY_STAY,
    DEBTOR_DECEASED,
    DISPUTE_PENDING,
    COLLECTION_SUSPENDED,
)
