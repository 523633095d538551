"""Which categories a line can violate, by who speaks and who hears (the labelling guide). Pure."""

from __future__ import annotations

from policies.lexicon import LEXICON_CATEGORIES

__all__ = ["AGENT_CATEGORIES", "categories_for"]

AGENT_CATEGORIES = tuple(c for c in LEXICON_CATEGORIES if c != "abuse_by_debtor")


def categories_for(speaker: str, audience: str) -> tuple[str, ...]:
    """The categories a line can violate: `speaker` agent, debtor or any (mixed mono channel)."""
    agent = tuple(c for c in AGENT_CATEGORIES if c != "third_party_disclosure" or audience == "third_party")
    if speaker == "agent":
        return agent
    if speaker == "debtor":
        return ("abuse_by_debtor",)
    if speaker == "any":
        return (*agent, "abuse_by_debtor")
    raise ValueError(f"speaker must be 'agent', 'debtor' or 'any' (got {speaker!r})")
