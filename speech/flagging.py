"""From engine segments of one channel to masked utterances and timed flags.

One channel's words are joined into one text (a threat or a card number read with pauses spans
several engine segments), numbers are masked (`speech.masking`), and the masked text is screened
by the matcher shared with SMS screening (`policies.screening`) with the channel's role as the
speaker. Character offsets of each hit map back to the words it covers, which give the flag its
start and end seconds and its ASR confidence.

Beside the lexicon, the semantic model (`speech.semantic`) scores each utterance
(`semantic_flags`): where it agrees with a lexicon hit the flag says ``both``; where it alone
reaches a category's threshold, a ``model`` flag spans the utterance, or the window of a long
one that raised it (the lexicon's lawful readings — negation, allow lists, ``info`` statements,
case facts — still veto it; see `policies.semantic.combine`).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from policies.lexicon import CJK, HAN, base_language
from policies.screening import BUNDLED_LANGUAGES, Matcher, holds_for_text, matcher_for, model_may_veto
from policies.semantic.combine import (
    MODEL_SEVERITY,
    LexiconView,
    best_windows,
    highest,
    lexicon_view,
    outscored,
    rests_on_settled,
    suppressed_by_lawful,
    window_view,
)
from policies.semantic.text import script_language
from speech.disclosure import disclosure_rules
from speech.engines import Segment, Word
from speech.masking import VERSION as MASK_VERSION
from speech.masking import NumberSpan, find_numbers, placeholder
from speech.transcript import Flag, MaskedNumber, Utterance

if TYPE_CHECKING:
    from speech.semantic.model import SemanticFlagger

__all__ = [
    "ROLE_SPEAKER",
    "ChannelTranscript",
    "disclosure_flags",
    "join_words",
    "lexicon_flags",
    "lexicon_languages",
    "mask_channel",
    "masked_numbers",
    "privacy_flags",
    "semantic_flags",
    "utterance_language",
    "written_language",
]

# Matcher speaker for a channel role: a mono channel mixes both parties.
ROLE_SPEAKER = {"agent": "agent", "debtor": "debtor", "mixed": "any"}
DISCLOSURE_SEVERITY = "medium"
MAX_PAUSE_S = 1.5  # a longer silence between two words of one segment splits the utterance


_CJK_RE = re.compile(f"[{CJK}]")
_HAN_RE = re.compile(f"[{HAN}]")


def _is_cjk(ch: str) -> bool:
    return _CJK_RE.match(ch) is not None


def join_words(words: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join words with single spaces, none between two Han (or kana) characters; Korean words keep
    their spaces, as Korean is written. Returns (text, word offsets)."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    prev_han = False
    for w in words:
        if parts and not (prev_han and _HAN_RE.match(w[0])):
            parts.append(" ")
            pos += 1
        parts.append(w)
        offsets.append((pos, pos + len(w)))
        pos += len(w)
        prev_han = _HAN_RE.match(w[-1]) is not None
    return "".join(parts), offsets


@dataclass(frozen=True)
class ChannelTranscript:
    """One channel after masking: its utterances and the same words as one text."""

    channel: str
    role: str
    audience: str
    utterances: tuple[Utterance, ...]
    words: tuple[Word, ...]
    utterance_of_word: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]
    text: str
    numbers: tuple[tuple[NumberSpan, Word], ...]  # each masked number and its placeholder word

    def word_range(self, start: int, end: int) -> tuple[int, int]:
        """Indices [i, j) of the words overlapping characters [start, end) of `text`."""
        i = bisect_right(self._ends, start)
        j = bisect_left(self._starts, end)
        return (i, max(i + 1, j)) if i < len(self.words) else (i, i)

    @cached_property
    def _starts(self) -> list[int]:
        return [s for s, _ in self.offsets]

    @cached_property
    def _ends(self) -> list[int]:
        return [e for _, e in self.offsets]

    def sentence_for(self, i: int, j: int) -> str:
        """The text of the utterances holding words [i, j)."""
        first, last = self.utterance_of_word[i], self.utterance_of_word[j - 1]
        return " ".join(u.text for u in self.utterances[first : last + 1])


def mask_channel(channel: str, role: str, audience: str, segments: Sequence[Segment]) -> ChannelTranscript:
    """Join the channel's words, mask numbers (a number collapses into one placeholder word with
    the timing of the words it replaced), and rebuild the utterances."""
    words: list[Word] = []
    seg_of: list[int] = []
    k = -1
    for seg in segments:
        for n, w in enumerate(seg.words):
            # Whisper may return one segment across a long pause: start a new utterance there.
            if n == 0 or w.start - seg.words[n - 1].end > MAX_PAUSE_S:
                k += 1
            words.append(w)
            seg_of.append(k)
    text, offsets = join_words([w.w for w in words])
    numbers: list[tuple[NumberSpan, Word]] = []
    starts = [a for a, _ in offsets]
    ends = [b for _, b in offsets]
    # Word ranges on the unmasked words, replaced right to left so earlier ranges stay valid.
    ranges = [
        (span, bisect_right(ends, span.start), bisect_left(starts, span.end)) for span in find_numbers(text)
    ]
    for span, i, j in reversed(ranges):
        if i >= j:
            continue
        first, last = words[i], words[j - 1]
        prefix = first.w[: max(0, span.start - offsets[i][0])]
        suffix = last.w[max(0, span.end - offsets[j - 1][0]) :]
        merged = Word(
            prefix + placeholder(span.kind) + suffix, first.start, last.end, min(w.conf for w in words[i:j])
        )
        words[i:j] = [merged]
        seg_of[i:j] = [seg_of[i]]
        offsets[i:j] = [(offsets[i][0], offsets[j - 1][1])]
        numbers.append((span, merged))
    numbers.reverse()
    # Rebuild the utterances and the joined text from the masked words.
    by_seg: dict[int, list[Word]] = {}
    for w, k in zip(words, seg_of, strict=True):
        by_seg.setdefault(k, []).append(w)
    utterances: list[Utterance] = []
    utt_of_seg: dict[int, int] = {}
    for k in sorted(by_seg):
        ws = by_seg[k]
        utt_of_seg[k] = len(utterances)
        utterances.append(
            Utterance(channel, role, ws[0].start, ws[-1].end, join_words([w.w for w in ws])[0], tuple(ws))
        )
    text, offsets = join_words([w.w for w in words])
    return ChannelTranscript(
        channel=channel,
        role=role,
        audience=audience,
        utterances=tuple(utterances),
        words=tuple(words),
        utterance_of_word=tuple(utt_of_seg[k] for k in seg_of),
        offsets=tuple(offsets),
        text=text,
        numbers=tuple(numbers),
    )


# Mandarin and Korean speakers switch into English words mid-sentence (你就是个 loser, 이
# loser야); a call in either is screened with the English lexicon too. The other way is rare.
CODE_SWITCH: dict[str, tuple[str, ...]] = {"zh": ("en",), "ko": ("en",)}


# An utterance is screened in another language than its channel's only with at least this many
# characters of that language's own script: a stray 房地產 inside Korean speech is not enough.
OWN_SCRIPT_MIN = 4


def _written_in(text: str, language: str, at_least: int) -> str:
    """The language of the Han or Hangul most of `text` is written in, when that is another one
    than `language` and at least `at_least` characters of it; else `language`. Latin letters are
    left alone: they are code-switched English words or a garbled recognition."""
    written = script_language(text)
    if written == "en" or written == base_language(language):
        return language
    own = sum(1 for ch in text if not ch.isascii() and script_language(ch) == written)
    return written if own >= at_least else language


def utterance_language(text: str, language: str) -> str:
    """The language an utterance is screened in (a Mandarin sentence on a case marked Korean, or
    Whisper switching language mid-call)."""
    return _written_in(text, language, OWN_SCRIPT_MIN)


def written_language(texts: Iterable[str], language: str) -> str:
    """The language a whole transcript is screened in (at least 20 characters of another one)."""
    return _written_in("".join(texts), language, 20)


def channel_languages(ct: ChannelTranscript, language: str) -> tuple[str, ...]:
    """`language`, then every other language one of the channel's utterances is written in."""
    out = [language]
    for u in ct.utterances:
        lang = utterance_language(u.text, language)
        if lang not in out:
            out.append(lang)
    return tuple(out)


def _lexicons_for(languages: Sequence[str]) -> tuple[str, ...] | None:
    found: list[str] = []
    for lang in languages:
        found.extend(x for x in lexicon_languages(lang) or () if x not in found)
    return tuple(found) or None


def lexicon_languages(language: str) -> tuple[str, ...] | None:
    """The bundled lexicon languages that serve `language` (its own, then the ones its speakers
    switch into), None when there is no lexicon."""
    base = base_language(language)
    if base not in BUNDLED_LANGUAGES:
        return None
    return (base, *(x for x in CODE_SWITCH.get(base, ()) if x in BUNDLED_LANGUAGES))


def lexicon_flags(
    ct: ChannelTranscript, language: str, facts: Mapping[str, bool] | None, matcher: Matcher | None = None
) -> list[Flag]:
    """Lexicon hits on the channel's masked text, with times from the words they cover.
    `matcher`: lexicons other than the bundled ones for `language` (`callwarden reprocess --lexicon`)."""
    langs = channel_languages(ct, language)
    if not ct.words:
        return []
    if matcher is None:
        bundled = _lexicons_for(langs)
        if bundled is None:
            return []
        matcher = matcher_for(bundled)
    elif len(langs) > 1:  # the given lexicons serve `language`; utterances in another script get theirs
        have = {lex.language for lex in matcher.lexicons}
        extra = tuple(x for x in _lexicons_for(langs[1:]) or () if x not in have)
        if extra:
            matcher = Matcher([*matcher.lexicons, *matcher_for(extra).lexicons])
    matches = matcher.screen(ct.text, audience=ct.audience, speaker=ROLE_SPEAKER[ct.role], facts=facts)
    flags: list[Flag] = []
    for m in matches:
        i, j = ct.word_range(m.start, m.end)
        if i >= len(ct.words):
            continue
        covered = ct.words[i:j]
        context = ct.sentence_for(i, j)
        sentence = m.sentence if m.sentence and len(m.sentence) <= len(context) else context
        flags.append(
            Flag(
                category=m.category,
                severity=m.severity,
                match=m.match,
                sentence=sentence,
                start=covered[0].start,
                end=covered[-1].end,
                channel=ct.channel,
                speaker=ct.role,
                rule=m.rule,
                lexicon_version=m.lexicon_version,
                confidence=sum(w.conf for w in covered) / len(covered),
            )
        )
    return flags


# Below this mean word confidence the recogniser itself doubts the words: a model-only finding on
# such an utterance is kept as `info` (an inspector sees it; it is not a violation). The model
# reads the words, not the audio, so a guessed fragment ("Love.", 0.05) can score high. A lexicon
# finding keeps its severity: its words are the evidence, with their own confidence shown.
MODEL_MIN_CONFIDENCE = 0.3


def _worth_scoring(text: str) -> bool:
    """Embed only utterances with some words in them ("嗯", "ok", "[number]" carry no conduct)."""
    letters = sum(1 for ch in text if ch.isalpha())
    return letters >= 4 or (letters >= 2 and any(_is_cjk(ch) for ch in text))


def _window_words(u: Utterance, window: str | None) -> tuple[int, int]:
    """The words [first, last) of `window` in the utterance: a model flag on a long utterance
    points at the sentences that raised it (all the words when the utterance was scored whole,
    or when the window cannot be found in its words)."""
    whole = (0, len(u.words))
    target = "".join((window or "").split())
    pieces = ["".join(unicodedata.normalize("NFKC", w.w).split()) for w in u.words]
    at = "".join(pieces).find(target) if target else -1
    if at < 0:
        return whole
    first = last = None
    pos = 0
    for i, piece in enumerate(pieces):
        if first is None and at < pos + len(piece):
            first = i
        pos += len(piece)
        if pos >= at + len(target):
            last = i + 1
            break
    return (first, last) if first is not None and last is not None else whole


def semantic_flags(
    ct: ChannelTranscript,
    language: str,
    facts: Mapping[str, bool] | None,
    lexicon: Sequence[Flag],
    flagger: SemanticFlagger,
) -> list[Flag]:
    """The channel's lexicon flags combined with the model's verdict on each utterance.

    Returns `lexicon` with `model_score`/`model_version` (and `source` ``both`` where the model
    agrees) plus one ``model`` flag per utterance and category the model alone raised."""
    # Each utterance is scored by the heads of the language it is written in.
    lang_of = [utterance_language(u.text, language) for u in ct.utterances]
    scored = sorted({lang for lang in lang_of if flagger.has(lang)})
    if not scored:
        return list(lexicon)
    speaker = ROLE_SPEAKER[ct.role]
    by_window: dict[int, list[tuple[str, dict[str, float]]]] = {}
    for lang in scored:
        todo = [i for i, u in enumerate(ct.utterances) if lang_of[i] == lang and _worth_scoring(u.text)]
        windowed = flagger.window_scores(
            [ct.utterances[i].text for i in todo], lang, speaker=speaker, audience=ct.audience
        )
        by_window.update(zip(todo, windowed, strict=True))
    by_utt = {k: highest(ws) for k, ws in by_window.items() if ws}
    thresholds_of = {lang: flagger.thresholds(lang) for lang in scored}
    vetoes_of = {lang: flagger.vetoes(lang) for lang in scored}
    suppress = flagger.lawful_suppresses_model
    starts = [u.start for u in ct.utterances]
    out: list[Flag] = []
    raised: set[tuple[int, str]] = set()
    # A firm text context (the listener said she is the spouse) holds for the rest of the channel:
    # the first utterance from which each category is read lawful.
    held_from: dict[str, int] = {}
    for f in lexicon:
        k = max(0, bisect_right(starts, f.start + 1e-6) - 1)
        if f.severity == "info" and holds_for_text(f.rule):
            held_from[f.category] = min(k, held_from.get(f.category, k))
        score = by_utt.get(k, {}).get(f.category)
        if score is None or f.source != "lexicon":
            out.append(f)
            continue
        thresholds, vetoes = thresholds_of[lang_of[k]], vetoes_of[lang_of[k]]
        hit = f.is_violation and score >= thresholds.get(f.category, 2.0)
        # A lexicon hit the model scores below the veto is only `info`, unless its entry refuses
        # the veto (see combine).
        vetoed = score < vetoes.get(f.category, 0.0) and model_may_veto(f.category, f.rule, f.match)
        severity = "info" if f.is_violation and vetoed else f.severity
        out.append(
            replace(
                f,
                severity=severity,
                source="both" if hit else f.source,
                model_score=score,
                model_version=flagger.tag,
            )
        )
        if f.is_violation:
            raised.add((k, f.category))
    for k, s in by_utt.items():
        u, lang = ct.utterances[k], lang_of[k]
        thresholds = thresholds_of[lang]
        cats = [c for c, v in s.items() if v >= thresholds.get(c, 2.0) and (k, c) not in raised]
        if not cats:
            continue
        langs = lexicon_languages(lang) or ()
        best = best_windows(by_window[k])
        if not suppress:
            reading = LexiconView()
        elif best:  # a long utterance: the lawful reading in the window that raised the category
            reading = window_view(best, langs, audience=ct.audience, speaker=speaker, facts=facts)
        else:
            reading = lexicon_view(u.text, langs, audience=ct.audience, speaker=speaker, facts=facts)
        if suppress:
            reading = reading.holding(frozenset(c for c, first in held_from.items() if first <= k))
        severity = MODEL_SEVERITY if u.confidence >= MODEL_MIN_CONFIDENCE else "info"
        residual = (
            flagger.residual_scores([u.text], [s], lang, speaker=speaker, audience=ct.audience)[0]
            if facts and reading.settled
            else None
        )
        for c in cats:
            if (
                not u.words
                or suppressed_by_lawful(
                    c,
                    s[c],
                    reading,
                    lawful_suppresses_model=suppress,
                    lawful_overrides=flagger.lawful_overrides(lang),
                )
                or outscored(c, s, flagger.rival_margins(lang))
                or rests_on_settled(c, reading, residual, thresholds)
            ):
                continue
            first, last = _window_words(u, best.get(c))
            out.append(
                Flag(
                    category=c,
                    severity=severity,
                    match="",
                    sentence=join_words([w.w for w in u.words[first:last]])[0],
                    start=u.words[first].start,
                    end=u.words[last - 1].end,
                    channel=ct.channel,
                    speaker=ct.role,
                    rule=f"{base_language(lang)}/{c}/model",
                    lexicon_version=flagger.tag,
                    confidence=u.confidence,
                    source="model",
                    model_score=s[c],
                    model_version=flagger.tag,
                )
            )
    return out


def privacy_flags(ct: ChannelTranscript) -> list[Flag]:
    """A number read out by the agent to a third party (`privacy_exposure`, high); on a mono
    channel, where who read it is unknown, the same as `info` for the inspector to verify."""
    if ct.audience != "third_party" or ct.role == "debtor":
        return []
    severity = "high" if ct.role == "agent" else "info"
    flags = []
    for span, word in ct.numbers:
        k = ct.words.index(word)
        flags.append(
            Flag(
                category="privacy_exposure",
                severity=severity,
                match=placeholder(span.kind),
                sentence=ct.sentence_for(k, k + 1),
                start=word.start,
                end=word.end,
                channel=ct.channel,
                speaker=ct.role,
                rule=f"speech/privacy_exposure/spoken-{span.kind}",
                lexicon_version=f"mask@{MASK_VERSION}",
                confidence=word.conf,
                source="privacy",
            )
        )
    return flags


def masked_numbers(ct: ChannelTranscript) -> list[MaskedNumber]:
    return [MaskedNumber(ct.channel, span.kind, w.start, w.end) for span, w in ct.numbers]


def disclosure_flags(ct: ChannelTranscript, language: str, window_s: float, duration: float) -> list[Flag]:
    """`missing_disclosure` for each required phrase the agent did not say within the window.

    `window_s` 0 uses the phrase set's own window. Not checked for a third-party audience, for a
    debtor channel, or when the channel has no speech at all.
    """
    rules = disclosure_rules(language)
    if rules is None or ct.role == "debtor" or ct.audience == "third_party" or not ct.words:
        return []
    window = window_s or rules.window_s
    early = [w for w in ct.words if w.start < window]
    said = join_words([w.w for w in early])[0]
    conf = sum(w.conf for w in early) / len(early) if early else 1.0
    return [
        Flag(
            category="missing_disclosure",
            severity=DISCLOSURE_SEVERITY,
            match="",
            sentence=req.what,
            start=0.0,
            end=min(window, duration) if duration else window,
            channel=ct.channel,
            speaker=ct.role,
            rule=f"{rules.language}/missing_disclosure/{req.id}",
            lexicon_version=f"disclosures@{rules.version}",
            confidence=conf,
            source="disclosure",
        )
        for req in rules.missing(said)
    ]
