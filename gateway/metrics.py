"""Prometheus metrics, one registry per app (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from policies.types import Decision

__all__ = ["Metrics"]


@dataclass
class Metrics:
    registry: CollectorRegistry
    decisions: Counter
    reasons: Counter
    latency: Histogram
    unavailable: Counter
    carrier_errors: Counter
    transcription_jobs: Gauge

    @classmethod
    def create(cls) -> Metrics:
        reg = CollectorRegistry()
        return cls(
            registry=reg,
            decisions=Counter(
                "callwarden_decisions", "Contact decisions by result", ["result", "channel"], registry=reg
            ),
            reasons=Counter(
                "callwarden_denial_reasons", "Reasons given in denials", ["reason"], registry=reg
            ),
            latency=Histogram(
                "callwarden_decision_seconds",
                "Time to decide and durably record a contact request",
                ["endpoint"],
                buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
                registry=reg,
            ),
            unavailable=Counter(
                "callwarden_policy_unavailable",
                "Requests denied because no decision could be recorded",
                registry=reg,
            ),
            carrier_errors=Counter(
                "callwarden_carrier_errors", "Carrier failures (attempt released)", ["channel"], registry=reg
            ),
            transcription_jobs=Gauge(
                "callwarden_transcription_jobs",
                "Transcription jobs by status, read from the database at each scrape",
                ["status"],
                registry=reg,
            ),
        )

    def observe(self, decision: Decision, channel: str) -> None:
        self.decisions.labels("allowed" if decision.allowed else "denied", channel).inc()
        for reason in decision.reasons:
            self.reasons.labels(reason.code).inc()
