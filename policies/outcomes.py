"""Which reported call times are believable: an outcome's `started_at` / `ended_at` are checked
against the attempt's decision time (server time), so a dialer cannot backdate a call (which
would start retention and cool-offs early) or date it in the future (a cool-off nobody could
lift). Pure: the times are passed in."""

from __future__ import annotations

from datetime import datetime, timedelta

from policies.types import PolicyInputError

__all__ = ["CLOCK_SKEW", "EARLY_START", "check_outcome_times"]

# A dialer's clock may run a little behind ours, and a call may be set up just before the
# decision is recorded; more than this is not a clock problem.
EARLY_START = timedelta(minutes=5)
CLOCK_SKEW = timedelta(minutes=2)


def check_outcome_times(
    decided_at: datetime, started: datetime | None, ended: datetime | None, now: datetime
) -> None:
    """Raise `PolicyInputError` (400 `invalid_field`, naming the field) for impossible times."""
    earliest, latest = decided_at - EARLY_START, now + CLOCK_SKEW
    for field, at in (("started_at", started), ("ended_at", ended)):
        if at is None:
            continue
        if at < earliest:
            raise PolicyInputError(
                "invalid_field",
                field,
                f"{field} is more than {EARLY_START.seconds // 60} minutes before the attempt was "
                f"authorized ({decided_at.isoformat()})",
            )
        if at > latest:
            raise PolicyInputError("invalid_field", field, f"{field} is in the future")
    if started is not None and ended is not None and ended < started:
        raise PolicyInputError("invalid_field", "ended_at", "ended_at is before started_at")
