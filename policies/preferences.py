"""The debtor's own contact preferences, honoured whatever the packs say.

Reg F 1006.6(b)(1)(i) and (b)(3) (times and places the consumer says are inconvenient, work when
the employer prohibits it) and Korea's 개인채무자보호법 (the debtor may block up to 28 hours a
week and up to 3 channels). Honouring more than a law requires is never a violation, so every
preference recorded on the case is honoured. They apply to debtor requests only.
"""

from __future__ import annotations

from policies import reasons as rc
from policies.context import Context
from policies.types import Reason

__all__ = ["preference_reasons"]


def preference_reasons(ctx: Context) -> list[Reason]:
    """Channel and work-number blocks (blocked hours are a time check: `checks.BlockedCheck`)."""
    req = ctx.request
    prefs = ctx.case.preferences
    out: list[Reason] = []
    if req.party != "debtor":
        return out
    if req.channel in prefs.blocked_channels:
        out.append(
            Reason(
                rc.CHANNEL_BLOCKED,
                f"{rc.BUILTIN}/preferences.channels",
                f"the debtor asked not to be contacted by {req.channel}",
            )
        )
    if prefs.no_work_calls and ctx.callee.kind == "work":
        out.append(
            Reason(
                rc.WORK_NUMBER_BLOCKED,
                f"{rc.BUILTIN}/preferences.work",
                f"the debtor asked not to be contacted at work ({req.to} is a work number)",
            )
        )
    return out
