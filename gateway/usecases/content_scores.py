"""The semantic model's scores of an SMS body, computed before the decision (never on the loop).

    scorer = ContentScorer(semantic_flagger())
    creq = await scorer.attach(creq)        # creq.content_scores set for an SMS with a body

`policies` stays pure: the embedding (a native model) runs here, in a one-thread executor so the
event loop never blocks, and the scores travel into `policies.evaluate` as data
(`ContactRequest.content_scores`), where `policies.content` decides. The head is chosen by the
body's script (`policies.semantic.text.script_language`). A model that fails or does not answer
within `timeout_s` raises `ContentScoringUnavailable`: the caller denies (`policy_unavailable`),
failing closed. An agency's bodies wait in the agency's own line (`per_agency` at a time on the
model's thread), so a flood from one agency does not push another's past the deadline.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import replace

from policies.errors import ServiceUnavailable
from policies.screening import BUNDLED_LANGUAGES, Matcher, matcher_for
from policies.semantic.combine import best_windows, highest
from policies.semantic.text import script_language
from policies.types import ContactRequest, ContentScores
from speech.semantic.model import SemanticFlagger

__all__ = ["PER_AGENCY", "TIMEOUT_S", "ContentScorer", "ContentScoringUnavailable"]

TIMEOUT_S = 2.0
# One model thread serves every agency's SMS: an agency's bodies reach its queue this many at a
# time. An agency sending a flood waits in its own line (past `TIMEOUT_S` its own requests fail
# closed) instead of pushing every other agency's SMS past the deadline.
PER_AGENCY = 2


class ContentScoringUnavailable(ServiceUnavailable):
    """The semantic model could not score the SMS body in time; the contact is denied."""

    code = "policy_unavailable"


class ContentScorer:
    """Scores SMS bodies with the semantic flagger on its own thread."""

    def __init__(
        self,
        flagger: SemanticFlagger,
        timeout_s: float = TIMEOUT_S,
        per_agency: int = PER_AGENCY,
        lexicons: Matcher | None = None,
    ) -> None:
        self.flagger = flagger
        self.lexicons = lexicons or matcher_for(BUNDLED_LANGUAGES)
        self.timeout_s = timeout_s
        self.per_agency = per_agency
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="callwarden-content")
        # Each agency's bodies queue in its own line and at most `per_agency` of them wait on the
        # model's one thread at a time, so another agency's SMS waits behind a few, not behind all.
        self._lines: dict[str, asyncio.Semaphore] = {}

    def warm(self) -> None:
        """Run the model once (its first run prepares the engine), on the scoring thread."""
        self._executor.submit(self.flagger.embedder.embed, ["warm-up"]).result()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def scores(self, body: str, party: str) -> ContentScores | None:
        """Synchronous scoring (what the executor runs); None when no head serves the body."""
        audience = "third_party" if party == "third_party" else "debtor"
        # The lexicons read the body here first, findings unused: a gapped pattern's first hit
        # compiles its regex (tens of ms), which belongs on this thread and its 2 s budget, not in
        # the decision's 250 ms (found by a probe: a first SMS on a loaded machine was denied
        # `policy_unavailable`). The decision's matcher shares these compiled lexicons.
        self.lexicons.screen(body, audience=audience, speaker="agent", facts={})
        language = script_language(body)
        if not self.flagger.has(language):
            return None
        windowed = self.flagger.window_scores([body], language, speaker="agent", audience=audience)[0]
        probs = highest(windowed)
        thresholds = self.flagger.thresholds(language)
        # The case facts are read in the decision, not here: the body is read again without its
        # fact-decided statements whenever a score could outrank them, and the decision uses it
        # only where the facts make the statement true.
        residual = self.flagger.residual_scores(
            [body], [probs], language, speaker="agent", audience=audience
        )[0]
        return ContentScores(
            language=language,
            model=self.flagger.tag,
            scores=tuple((c, p, thresholds[c]) for c, p in sorted(probs.items()) if c in thresholds),
            lawful_suppresses_model=self.flagger.lawful_suppresses_model,
            lawful_overrides=tuple(sorted(self.flagger.lawful_overrides(language).items())),
            rival_margins=tuple(sorted(self.flagger.rival_margins(language).items())),
            windows=tuple(sorted(best_windows(windowed).items())),
            residual=tuple(sorted((residual or {}).items())),
        )

    async def attach(self, creq: ContactRequest) -> ContactRequest:
        """`creq` with its body's scores (unchanged for a call or a request without a body)."""
        if creq.channel != "sms" or not creq.body:
            return creq
        loop = asyncio.get_running_loop()
        line = self._lines.setdefault(creq.agency_id, asyncio.Semaphore(self.per_agency))
        body, party = creq.body, creq.party

        async def scored() -> ContentScores | None:
            async with line:  # waits in its own agency's line, inside the same deadline
                return await loop.run_in_executor(self._executor, self.scores, body, party)

        try:
            scores = await asyncio.wait_for(scored(), self.timeout_s)
        except TimeoutError:
            raise ContentScoringUnavailable(
                f"the content model did not score the SMS within {self.timeout_s:.1f} s"
            ) from None
        except Exception as exc:
            raise ContentScoringUnavailable(f"the content model failed: {exc}") from None
        return replace(creq, content_scores=scores)
