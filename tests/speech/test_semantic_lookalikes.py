"""Look-alikes must not raise high-severity flags: idioms, news small talk, statute citations,
lawful legal statements and negations, in Mandarin, English and Korean.

The cases (tests/data/lookalikes/<lang>.jsonl) were written for this test, separately from the
corpus and before the model was scored on them. Each goes through the whole combined flagging
(lexicon + model, `SemanticFlagger.findings`) as an agent line to the debtor: no `high` finding
per case; findings below high (the model alone) are printed and must stay rare per language.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from speech.semantic.model import semantic_flagger

CASES = Path(__file__).resolve().parents[1] / "data" / "lookalikes"
LANGS = ("zh", "en", "ko")


def _cases(lang: str) -> list[tuple[str, str]]:
    lines = (CASES / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
    return [(r["kind"], r["text"]) for r in map(json.loads, filter(None, lines))]


def _params() -> list[object]:
    out = []
    for lang in LANGS:
        for n, (kind, text) in enumerate(_cases(lang)):
            out.append(pytest.param(lang, text, id=f"{lang}-{kind}-{n}"))
    return out


@pytest.mark.parametrize(("lang", "text"), _params())
def test_lookalike_raises_no_high_severity_flag(lang: str, text: str) -> None:
    found = semantic_flagger().findings([text], lang, speaker="agent", audience="debtor")[0]
    assert not [f for f in found if f.severity == "high"], [f.as_dict() for f in found]


@pytest.mark.parametrize("lang", LANGS)
def test_lookalikes_rarely_raise_anything(lang: str) -> None:
    cases = _cases(lang)
    assert {k for k, _ in cases} == {"idiom", "news", "statute", "lawful_legal", "negation"}
    found = semantic_flagger().findings([t for _, t in cases], lang, speaker="agent", audience="debtor")
    raised = [
        (kind, f.category, f.source, f.severity, text)
        for (kind, text), fs in zip(cases, found, strict=True)
        for f in fs
        if f.is_violation
    ]
    for row in raised:
        print("look-alike flagged:", row)
    assert len(raised) <= len(cases) // 5, raised


def _kind_remarks(lang: str) -> list[tuple[str, str]]:
    lines = (CASES / "kind.jsonl").read_text(encoding="utf-8").splitlines()
    return [(r["speaker"], r["text"]) for r in map(json.loads, filter(None, lines)) if r["lang"] == lang]


# How many of a language's 15 kind remarks may raise anything: one in five. (Mandarin was held at
# 4 with flagger@2026.12.8; 2026.12.9, with the second encoder, raises one.)
KIND_LIMITS = {"zh": 3, "en": 3, "ko": 3}


@pytest.mark.parametrize("lang", LANGS)
def test_short_kind_remarks_rarely_raise_anything(lang: str) -> None:
    # Short compliments and thanks, both ways (tests/data/lookalikes/kind.jsonl, written for this
    # test before corpus rounds 7 and 8; corpus lines that are near-duplicates of them are kept out
    # of training): flagger@2026.12.6 raised 13 of the 15 zh cases, 14 of the 15 en and 6 of the
    # 15 ko as insults or abuse; 2026.12.8 raises 4, 1 and 0, 2026.12.9 to 2026.12.11 1, 1 and 0.
    cases = _kind_remarks(lang)
    assert len(cases) == 15
    raised = []
    for speaker, text in cases:
        found = semantic_flagger().findings([text], lang, speaker=speaker, audience="debtor")[0]
        hits = [(f.category, f.source, round(f.score or 0, 2)) for f in found if f.is_violation]
        if hits:
            raised.append((speaker, text, hits))
            print("kind remark flagged:", speaker, text, hits)
    assert len(raised) <= KIND_LIMITS[lang], raised


# Anti-scam warnings name the authority scammers impersonate; the model read them as false legal
# threats (0.61-0.94, found by hand, 2026-12-03). The lexicons' `scam-warning` entries (info,
# `model_override = false`) give a lawful reading no model score outranks; impersonation itself,
# a false arrest threat and calling the debt fraud are still raised.
SCAM_WARNINGS = [
    ("en", "Scammers have been impersonating police officers lately, please be careful."),
    ("en", "If anyone claiming to be a police officer asks you to pay by gift card, it is a scam."),
    ("en", "Watch out for callers pretending to be from the sheriff's office; they are scammers."),
    ("zh", "最近电信诈骗分子冒充警察，请您提高警惕。"),
    ("zh", "有人冒充公安局打电话让您转账，那是诈骗。"),
    ("ko", "법원 직원이라며 송금을 요구하면 사기 전화입니다."),
    ("ko", "검찰이나 법원을 사칭한 전화는 사기입니다."),
]
IMPERSONATION = [
    ("en", "This is Officer Hale with the county sheriff, pay today or you will be arrested."),
    ("en", "What you did is fraud and we are reporting it to the police."),
    ("zh", "我是市公安局的，你再不还钱就抓你。"),
    ("zh", "欠钱不还就是诈骗，我们已经报警了。"),
    ("ko", "저는 서울중앙지검 수사관입니다. 사칭 아닙니다. 오늘 안 갚으면 체포됩니다."),
]


@pytest.mark.parametrize(("lang", "text"), SCAM_WARNINGS)
def test_a_scam_warning_raises_no_violation(lang: str, text: str) -> None:
    found = semantic_flagger().findings([text], lang, speaker="agent", audience="debtor")[0]
    assert not [f for f in found if f.is_violation], [f.as_dict() for f in found]
    assert [f.category for f in found] in ([], ["false_legal_threat"])  # at most info, to verify


@pytest.mark.parametrize(("lang", "text"), IMPERSONATION)
def test_impersonation_and_crime_claims_are_still_raised(lang: str, text: str) -> None:
    found = semantic_flagger().findings([text], lang, speaker="agent", audience="debtor")[0]
    assert "false_legal_threat" in {f.category for f in found if f.is_violation}


# tests/data/lookalikes/scam.jsonl: 30 anti-scam warnings and 20 false legal threats a language by
# one more hand, written after the `scam-warning` entries and never used to change them (files in
# tests/data/lookalikes/ are kept out of corpus rounds). Measured when written (flagger@2026.12.15):
# warnings raising a violation with the lexicons before the entries 4 en, 5 zh, 2 ko; with them
# 4, 3 and 2; false legal threats found 19, 19 and 16 of 20 both times. flagger@2026.12.16 with zh
# lexicon 2026.12.8: warnings 4, 2 and 3, threats 19, 20 and 17. flagger@2026.12.17 (the shared
# network): warnings 4, 3 and 5 (two more Korean warnings raised: a cost recorded in
# docs/flagger-log.md, "The shared network"), threats the same. The limits are a line looser.
SCAM_LIMITS = {"en": (5, 18), "zh": (4, 18), "ko": (6, 15)}


@pytest.mark.parametrize("lang", LANGS)
def test_fresh_scam_warnings_rarely_raise_anything_and_the_threats_are_found(lang: str) -> None:
    rows = [json.loads(x) for x in (CASES / "scam.jsonl").read_text(encoding="utf-8").splitlines() if x]
    warnings = [r["text"] for r in rows if r["lang"] == lang and r["kind"] == "warning"]
    threats = [r["text"] for r in rows if r["lang"] == lang and r["kind"] == "violation"]
    assert (len(warnings), len(threats)) == (30, 20)
    flagger = semantic_flagger()
    raised = [
        t
        for t, fs in zip(
            warnings, flagger.findings(warnings, lang, speaker="agent", audience="debtor"), strict=True
        )
        if any(f.is_violation for f in fs)
    ]
    found = [
        t
        for t, fs in zip(
            threats, flagger.findings(threats, lang, speaker="agent", audience="debtor"), strict=True
        )
        if any(f.is_violation and f.category == "false_legal_threat" for f in fs)
    ]
    ceiling, floor = SCAM_LIMITS[lang]
    assert len(raised) <= ceiling, raised
    assert len(found) >= floor, sorted(set(threats) - set(found))


# tests/data/lookalikes/reported.jsonl: 30 lines a language that talk about a forbidden phrase
# (someone else's words echoed back, a debtor reporting them, training and QA quoting them, news)
# and 20 of the agent's own violations dressed the same way, by one more hand, written after lexicons
# en 2026.12.10, zh 2026.12.10 and ko 2026.12.8 widened their reported-speech contexts and never used
# to change them. Measured (flagger@2026.12.17), lexicons before the change → after: context lines
# raising a violation en 10 → 9, zh 7 → 6, ko 10 → 8 of 30, and ko 9 with 2026.12.9 (a coaching
# note quoting a line about knowing where the debtor lives); violations found 20, 17 and 17 of 20
# every time (docs/speech.md). What is left is mostly lexicon hits in frames the context patterns
# do not name, which the model scores low but may not veto. The limits are a line looser.
REPORTED_LIMITS = {"en": (10, 19), "zh": (7, 16), "ko": (10, 16)}


# tests/data/lookalikes/reported2.jsonl: the same kind of lines by one more hand, written before
# lexicons en 2026.12.11, zh 2026.12.11 and ko 2026.12.10 (more frames, `breaks`) and measuring them:
# context lines raising a violation en 11 → 10, zh 9 → 9, ko 12 → 11 of 30; violations 20 of 20
# each (docs/speech.md). The limits are a line looser.
REPORTED2_LIMITS = {"en": (11, 19), "zh": (10, 19), "ko": (12, 19)}


@pytest.mark.parametrize(
    ("lang", "name"), [(lang, name) for name in ("reported.jsonl", "reported2.jsonl") for lang in LANGS]
)
def test_talk_about_a_forbidden_phrase_rarely_raises_and_the_real_thing_is_found(
    lang: str, name: str
) -> None:
    rows = [json.loads(x) for x in (CASES / name).read_text(encoding="utf-8").splitlines() if x]
    context = [r for r in rows if r["lang"] == lang and r["kind"] == "context"]
    violations = [r for r in rows if r["lang"] == lang and r["kind"] == "violation"]
    assert (len(context), len(violations)) == (30, 20)
    flagger = semantic_flagger()

    def raised(r: dict[str, str]) -> bool:
        found = flagger.findings([r["text"]], lang, speaker=r["speaker"], audience="debtor")[0]
        return any(f.is_violation for f in found)

    ceiling, floor = (REPORTED_LIMITS if name == "reported.jsonl" else REPORTED2_LIMITS)[lang]
    wrongly = [r["text"] for r in context if raised(r)]
    found = [r["text"] for r in violations if raised(r)]
    assert len(wrongly) <= ceiling, wrongly
    assert len(found) >= floor, sorted({r["text"] for r in violations} - set(found))


# tests/data/adversarial/: lines written to fool the flagger in either direction, by helpers that
# saw only the labelling guide, in two rounds. Round 1 ({lang}.jsonl: homophones, pinyin and jamo
# spellings, censored profanity, emoji, sarcasm, threats dressed as advice; lawful lines full of
# dangerous words), measured (flagger@2026.12.17) with the lexicons before → after those it led to
# (ko 2026.12.11, zh 2026.12.12 and 2026.12.13, en 2026.12.13 and 2026.12.15): violations missed
# zh 2 → 1 of 50, en 2 → 0 of 51, ko 5 → 1 of 46; compliant lines raising a violation zh 0 → 0 of
# 40, en 0 → 0 of 39, ko 2 → 0 of 34. Round 2 ({lang}-2.jsonl: Cantonese, Traditional, romanised and keyboard
# spellings, doxxing, titles, split and joking threats, SMS links, night calls), lexicons before →
# after (ko 2026.12.12, zh 2026.12.14, en 2026.12.14): missed zh 3 → 3 of 45, en 6 → 2 of 45, ko 7
# → 3 of 40; compliant flagged zh 0 → 0 of 35, en 1 → 1 of 35, ko 0 → 0 of 30 (docs/lexicons.md).
# Round 3 ({lang}-3.jsonl: everyday lawful reminders and calls, firm and long, most of them
# compliant, beside violations dressed the same way), lexicons before → after (ko 2026.12.14, en
# 2026.12.17): missed zh 0 → 0 of 25, en 2 → 2 of 25, ko 3 → 1 of 22; compliant flagged zh 1 → 1
# of 45, en 1 → 1 of 45, ko 0 → 0 of 38. Round 4 ({lang}-4.jsonl: transcripts as a recogniser
# writes them, dialect, and the debtor's side), lexicons before → after (zh 2026.12.16, en
# 2026.12.18, ko 2026.12.15, with the spouse context and the facts override): missed zh 2 → 0 of
# 36, en 2 → 0 of 36, ko 2 → 1 of 30; compliant flagged zh 2 → 0 of 34, en 0 → 0 of 34, ko 1 → 1
# of 30 (and round 3's compliant flagged zh 1 → 0, en 1 → 0). Round 5 ({lang}-5.jsonl: third
# parties and the debtor's replies; written after the spouse context, which it confirmed on 3 of
# 3 Mandarin spouse lines), lexicons before → after (zh 2026.12.17, en 2026.12.19, ko
# 2026.12.16: attorney contexts, Spanish insults): missed zh 0 → 0 of 37, en 1 → 0 of 36, ko 0 →
# 0 of 31; compliant flagged zh 3 → 0 of 33, en 2 → 1 of 34, ko 3 → 2 of 29 (two Korean spouse
# lines: Korea counts the spouse as a 관계인). Round 6 ({lang}-6.jsonl: legal consequences, true
# and false), lexicons before → after (en 2026.12.21, ko 2026.12.18: enforcement without a
# judgment, 안에 and 아이고 in Korean negation, "speaking as counsel", impersonation refusing the
# veto): missed zh 0 → 0 of 38, en 3 → 1 of 36, ko 6 → 2 of 31; compliant flagged zh 0 → 0 of
# 32, en 3 → 3 of 34, ko 5 → 1 of 29. Round 7 ({lang}-7.jsonl: pressure, persistence and
# contempt said politely, the weakest theme yet), lexicons before → after (zh 2026.12.18, en
# 2026.12.22, ko 2026.12.19: condescension entries that refuse the veto, borrowing coercion in
# Mandarin, workplace front-desk visits, shaming groups, permitted hours as a lawful reading):
# missed zh 5 → 2 of 35, en 9 → 5 of 36, ko 11 → 8 of 31; compliant flagged zh 0 → 0 of 35, en 4 →
# 2 of 34, ko 1 → 1 of 29. Round 8 ({lang}-8.jsonl: written messages and the internet register),
# lexicons before → after (zh 2026.12.20, en 2026.12.23, ko 2026.12.20: masked profanity, weapon
# emoji in figures of speech, "you were served"): missed zh 2 → 1 of 36, en 1 → 0 of 36, ko 2 → 2
# of 33; compliant flagged zh 2 → 2 of 34, en 2 → 1 of 34, ko 2 → 0 of 31. Round 9
# ({lang}-9.jsonl: long turns of 3 to 6 sentences), lexicons before → after (zh 2026.12.21, en
# 2026.12.24, ko 2026.12.21, with a firm text context holding in later windows): missed zh 2 → 1 of
# 32, en 3 → 2 of 30, ko 3 → 1 of 28; compliant flagged zh 8 → 6 of 28, en 6 → 4 of 30, ko 9 → 7 of
# 28. Round 10 ({lang}-10.jsonl: what is said to whom), lexicons before → after (zh 2026.12.22, en
# 2026.12.25, ko 2026.12.22): missed zh 0 → 0 of 34, en 3 → 1 of 34, ko 2 → 1 of 30; compliant
# flagged zh 3 → 0 of 30, en 1 → 1 of 30, ko 0 → 0 of 26. Round 11 ({lang}-11.jsonl: the person on
# the other end, all debtor lines), lexicons before → after (zh 2026.12.23, en 2026.12.26): missed
# zh 1 → 0 of 28, en 2 → 2 of 28, ko 2 → 2 of 26; compliant flagged zh 1 → 1 of 32, en 1 → 0 of 32,
# ko 1 → 1 of 30. Round 12 ({lang}-12.jsonl: veiled menace and its innocent twins), lexicons
# before → after (zh 2026.12.24, en 2026.12.27, ko 2026.12.23): missed zh 2 → 1 of 30, en 2 → 1 of
# 30, ko 5 → 2 of 28; compliant flagged zh 2 → 1 of 30, en 4 → 3 of 30, ko 1 → 1 of 28. Round 13
# ({lang}-13.jsonl: mixed languages and scripts), lexicons before → after (zh 2026.12.25, en
# 2026.12.28, ko 2026.12.24): missed zh 2 → 1 of 32, en 2 → 1 of 32, ko 3 → 2 of 30; compliant
# flagged zh 0 → 0 of 28, en 0 → 0 of 28, ko 1 → 0 of 26. Round 14 ({lang}-14.jsonl: harassment and
# its lawful twins), lexicons before → after (en 2026.12.29, ko 2026.12.25): missed zh 0 → 0 of 28,
# en 1 → 0 of 28, ko 2 → 2 of 26; compliant flagged zh 1 → 1 of 28, en 2 → 2 of 28, ko 3 → 2 of 26.
# Round 15 ({lang}-15.jsonl: the case facts decide), lexicons before → after (zh 2026.12.26, en
# 2026.12.30, ko 2026.12.26, with hits the facts make false closed to the model's veto): missed zh
# 6 → 1 of 24, en 8 → 2 of 24, ko 9 → 4 of 23; compliant flagged zh 2 → 2 of 24, en 4 → 4 of 24,
# ko 0 → 0 of 21. Round 16 ({lang}-16.jsonl: transcripts as a recogniser writes them) and round 17
# ({lang}-17.jsonl: short turns), lexicons before → after (zh 2026.12.27, en 2026.12.31, ko
# 2026.12.27, masked words with dashes, a claim the facts make true read again without its words):
# round 16 missed zh 0 → 0 of 33, en 1 → 0 of 32, ko 2 → 0 of 30, compliant flagged zh 0 → 0 of 27,
# en 1 → 0 of 28, ko 2 → 0 of 26; round 17 missed zh 1 → 0 of 33, en 3 → 0 of 32, ko 2 → 0 of 31,
# compliant flagged zh 5 → 3 of 27, en 3 → 1 of 28, ko 0 → 0 of 25. Round 18 ({lang}-18.jsonl: who
# really owes: co-signers, guarantors, spouses, heirs, executors) and round 19 ({lang}-19.jsonl:
# regional varieties), lexicons before → after (zh 2026.12.28, en 2026.12.32, ko 2026.12.28: the
# `obligor-listener` contexts): round 18 missed zh 0 → 0 of 33, en 0 → 0 of 32, ko 1 → 1 of 30,
# compliant flagged zh 11 → 3 of 27, en 10 → 0 of 28, ko 7 → 1 of 26; round 19 missed zh 0 → 0 of
# 32, en 2 → 0 of 33, ko 0 → 0 of 30, compliant flagged zh 0 → 0, en 1 → 0, ko 0 → 0. Round 20
# ({lang}-20.jsonl: vulnerable debtors) and round 21 ({lang}-21.jsonl: asides and side-talk),
# lexicons before → after (zh 2026.12.29, en 2026.12.33, ko 2026.12.29): round 20 missed zh 3 → 0
# of 33, en 3 → 0 of 32, ko 3 → 1 of 30, compliant flagged zh 0 → 0, en 0 → 0, ko 2 → 1; round 21
# missed zh 0 → 0 of 32, en 3 → 1 of 32, ko 0 → 0 of 31, compliant flagged zh 9 → 9 of 28, en 2 → 2
# of 28, ko 7 → 7 of 25 (asides to a colleague, which the writers gave audience third_party: most
# are read as disclosures). Round 22 ({lang}-22.jsonl: operational jargon) and round 23
# ({lang}-23.jsonl: the industry's own tactics and their lawful counterparts), lexicons before →
# after (zh 2026.12.30, en 2026.12.34, ko 2026.12.30): round 22 missed zh 2 → 0 of 32, en 4 → 0 of
# 32, ko 3 → 0 of 30, compliant flagged 0 → 0 in all three; round 23 missed zh 1 → 1 of 33, en 2 →
# 0 of 32, ko 1 → 0 of 30, compliant flagged zh 2 → 0 of 27, en 1 → 1 of 28, ko 0 → 0 of 26. Round
# 24 ({lang}-24.jsonl: when and how often), lexicons before → after (zh 2026.12.31, en 2026.12.35,
# ko 2026.12.31): missed zh 1 → 0 of 30, en 2 → 1 of 30, ko 2 → 0 of 28; compliant flagged zh 1 →
# 1 of 26, en 2 → 2 of 26, ko 3 → 1 of 24. Round 25 ({lang}-25.jsonl: a day in an inspector's
# queue, no theme), lexicons before → after (zh 2026.12.32, en 2026.12.36): missed zh 1 → 0 of 32,
# en 1 → 0 of 32, ko 0 → 0 of 30; compliant flagged zh 2 → 0 of 28, en 2 → 0 of 28, ko 0 → 0 of
# 26. Round 26 ({lang}-26.jsonl: heated exchanges), lexicons before → after (zh 2026.12.33, en
# 2026.12.37, ko 2026.12.32): missed zh 1 → 0 of 32, en 0 → 0 of 32, ko 1 → 1 of 30; compliant
# flagged zh 0 → 0 of 28, en 2 → 1 of 28, ko 0 → 0 of 26. Round 27 ({lang}-27.jsonl: negation and its
# traps), lexicons before → after (zh 2026.12.34, en 2026.12.38, ko 2026.12.33): missed zh 2 → 0 of
# 32, en 6 → 3 of 32, ko 4 → 1 of 30; compliant flagged zh 2 → 1 of 28, en 1 → 1 of 28, ko 0 → 0 of
# 26. Round 28 ({lang}-28.jsonl: the comment-section register), lexicons before → after (zh
# 2026.12.35, en 2026.12.39, ko 2026.12.34): missed zh 8 → 2 of 32, en 6 → 2 of 32, ko 2 → 0 of 30;
# compliant flagged zh 1 → 0 of 28, en 2 → 1 of 28, ko 2 → 0 of 26. Round 29 ({lang}-29.jsonl: who
# picked up), lexicons before → after (zh 2026.12.36, en 2026.12.40, ko 2026.12.35): missed zh 0 → 0
# of 32, en 5 → 2 of 32, ko 0 → 0 of 30; compliant flagged zh 0, en 0, ko 2 (a spouse told the
# balance) before and after. Round 30 ({lang}-30.jsonl: end of the month), lexicons before → after
# (zh 2026.12.37, en 2026.12.41, ko 2026.12.36): missed zh 0 → 0 of 32, en 3 → 2 of 32, ko 3 → 2 of
# 30; compliant flagged zh 1 → 0 of 28, en 0 → 0 of 28, ko 2 → 2 of 26. Round 31 ({lang}-31.jsonl: the
# lawful majority), lexicons before → after (zh 2026.12.38, en 2026.12.42, ko 2026.12.37): missed zh
# 1 → 0 of 16, en 0 → 0 of 16, ko 1 → 1 of 15; compliant flagged zh 0 → 0 of 44, en 2 → 1 of 44, ko
# 2 → 0 of 41. Round 32 ({lang}-32.jsonl: the debtor's side), lexicons before → after (zh
# 2026.12.39, ko 2026.12.38): missed zh 0 → 0 of 22, en 4 → 4 of 22, ko 3 → 2 of 21; compliant
# flagged zh 1 → 0 of 28, en 1 → 1 of 28, ko 0 → 0 of 27. The limits are a line looser.
ADVERSARIAL_LIMITS = {  # (missed, compliant flagged) at most
    ("zh", ""): (2, 1),
    ("en", ""): (2, 1),
    ("ko", ""): (2, 1),
    ("zh", "-2"): (4, 1),
    ("en", "-2"): (3, 2),
    ("ko", "-2"): (4, 1),
    ("zh", "-3"): (1, 1),
    ("en", "-3"): (2, 1),
    ("ko", "-3"): (2, 1),
    ("zh", "-4"): (1, 1),
    ("en", "-4"): (1, 1),
    ("ko", "-4"): (2, 2),
    ("zh", "-5"): (1, 1),
    ("en", "-5"): (1, 2),
    ("ko", "-5"): (1, 3),
    ("zh", "-6"): (1, 1),
    ("en", "-6"): (2, 4),
    ("ko", "-6"): (3, 2),
    ("zh", "-7"): (3, 1),
    ("en", "-7"): (6, 3),
    ("ko", "-7"): (9, 2),
    ("zh", "-8"): (2, 3),
    ("en", "-8"): (1, 2),
    ("ko", "-8"): (3, 1),
    ("zh", "-9"): (2, 7),
    ("en", "-9"): (3, 5),
    ("ko", "-9"): (2, 8),
    ("zh", "-10"): (1, 1),
    ("en", "-10"): (2, 2),
    ("ko", "-10"): (2, 1),
    ("zh", "-11"): (1, 2),
    ("en", "-11"): (3, 1),
    ("ko", "-11"): (3, 2),
    ("zh", "-12"): (2, 2),
    ("en", "-12"): (2, 4),
    ("ko", "-12"): (3, 2),
    ("zh", "-13"): (2, 1),
    ("en", "-13"): (2, 1),
    ("ko", "-13"): (3, 1),
    ("zh", "-14"): (1, 2),
    ("en", "-14"): (1, 3),
    ("ko", "-14"): (3, 3),
    ("zh", "-15"): (2, 3),
    ("en", "-15"): (3, 5),
    ("ko", "-15"): (5, 1),
    ("zh", "-16"): (1, 1),
    ("en", "-16"): (1, 1),
    ("ko", "-16"): (1, 1),
    ("zh", "-17"): (1, 4),
    ("en", "-17"): (1, 2),
    ("ko", "-17"): (1, 1),
    ("zh", "-18"): (1, 4),
    ("en", "-18"): (1, 1),
    ("ko", "-18"): (2, 2),
    ("zh", "-19"): (1, 1),
    ("en", "-19"): (1, 1),
    ("ko", "-19"): (1, 1),
    ("zh", "-20"): (1, 1),
    ("en", "-20"): (1, 1),
    ("ko", "-20"): (2, 2),
    ("zh", "-21"): (1, 10),
    ("en", "-21"): (2, 3),
    ("ko", "-21"): (1, 8),
    ("zh", "-22"): (1, 1),
    ("en", "-22"): (1, 1),
    ("ko", "-22"): (1, 1),
    ("zh", "-23"): (2, 1),
    ("en", "-23"): (1, 2),
    ("ko", "-23"): (1, 1),
    ("zh", "-24"): (1, 2),
    ("en", "-24"): (2, 3),
    ("ko", "-24"): (1, 2),
    ("zh", "-25"): (1, 1),
    ("en", "-25"): (1, 1),
    ("ko", "-25"): (1, 1),
    ("zh", "-26"): (1, 1),
    ("en", "-26"): (1, 2),
    ("ko", "-26"): (2, 1),
    ("zh", "-27"): (1, 2),
    ("en", "-27"): (4, 2),
    ("ko", "-27"): (2, 1),
    ("zh", "-28"): (3, 1),
    ("en", "-28"): (3, 2),
    ("ko", "-28"): (1, 1),
    ("zh", "-29"): (1, 1),
    ("en", "-29"): (3, 1),
    ("ko", "-29"): (1, 3),
    ("zh", "-30"): (1, 1),
    ("en", "-30"): (3, 1),
    ("ko", "-30"): (3, 3),
    ("zh", "-31"): (1, 1),
    ("en", "-31"): (1, 2),
    ("ko", "-31"): (2, 1),
    ("zh", "-32"): (1, 1),
    ("en", "-32"): (5, 2),
    ("ko", "-32"): (3, 1),
    # Round 33 (settlement and payment-plan negotiation) and round 34 (sarcasm, irony and mock
    # politeness), lexicons before → after (zh 2026.12.40, en 2026.12.43, ko 2026.12.39): missed
    # zh 0 → 0 of 32 and 2 → 0 of 33, en 2 → 0 of 33 and 2 → 0 of 32, ko 1 → 0 of 31 and 3 → 2 of
    # 30; compliant flagged zh 0 and 0, en 0 and 1 → 0, ko 1 → 1 (a spouse told of a card debt, as
    # in round 29) and 1 → 0. Left: a debtor's joke about finding the agent's address and a
    # debtor's sarcastic 씨발, read "verify" (the model does not score them as abuse).
    ("zh", "-33"): (1, 1),
    ("en", "-33"): (1, 1),
    ("ko", "-33"): (1, 2),
    ("zh", "-34"): (1, 1),
    ("en", "-34"): (1, 1),
    ("ko", "-34"): (3, 1),
    # Round 35 (deceased and gravely ill debtors, estates) and round 36 (the workplace), lexicons
    # before → after (zh 2026.12.41, en 2026.12.44, ko 2026.12.40): missed zh 0 → 0 of 32 and 0 → 0
    # of 32, en 1 → 0 of 33 and 3 → 0 of 32, ko 1 → 0 of 30 and 3 → 0 of 30; compliant flagged zh
    # 3 → 1 and 1 → 1, en 8 → 2 and 5 → 1, ko 3 → 2 and 0 → 0. Left: an SMS naming "Tom's account"
    # to his widow, a relative told what another agency said "over your dad's card", a condolence SMS
    # from a named 저축은행, talk of an unsettled estate (遗产还没分), 狂轰滥炸 as an idiom and "take a
    # bat to" the office printer.
    ("zh", "-35"): (1, 2),
    ("en", "-35"): (1, 3),
    ("ko", "-35"): (1, 3),
    ("zh", "-36"): (1, 2),
    ("en", "-36"): (1, 2),
    ("ko", "-36"): (1, 1),
    # Round 37 (online exposure and social media) and round 38 (small, tight-knit communities),
    # lexicons before → after (zh 2026.12.42, en 2026.12.45, ko 2026.12.41): missed zh 3 → 0 of 32
    # and 1 → 0 of 32, en 3 → 0 of 32 and 3 → 0 of 32, ko 1 → 0 of 30 and 1 → 0 of 30; compliant
    # flagged zh 2 → 0 and 1 → 1, en 1 → 0 and 2 → 1, ko 0 → 0 and 4 → 3. Left: a garnishment
    # order served after a judgment (model 1.0, above the facts' bar), a Korean spouse told of a
    # card bill, a building office asked to pass on a message (model 0.94), a dialect call to an
    # uncle (model 0.70), 村里大喇叭 quoted back to the debtor before a disavowal.
    ("zh", "-37"): (1, 1),
    ("en", "-37"): (1, 1),
    ("ko", "-37"): (1, 1),
    ("zh", "-38"): (1, 2),
    ("en", "-38"): (1, 2),
    ("ko", "-38"): (1, 4),
    # Round 39 (old debts and legal status, a quarter of the lines with case facts) and round 40
    # (guilt and emotional manipulation), lexicons before → after (zh 2026.12.43, en 2026.12.46,
    # ko 2026.12.42): missed zh 3 → 1 of 32 and 1 → 0 of 32, en 5 → 0 of 32 and 4 → 0 of 32, ko
    # 4 → 0 of 30 and 4 → 1 of 30; compliant flagged zh 1 → 0 and 0, en 1 → 0 and 0, ko 1 → 1 and
    # 2 → 1 (the Korean spouse, twice). Left: 一笔勾销 on a time-barred debt, a religious group's
    # charge too far from the group for a pattern.
    ("zh", "-39"): (2, 1),
    ("en", "-39"): (1, 1),
    ("ko", "-39"): (1, 2),
    ("zh", "-40"): (1, 1),
    ("en", "-40"): (1, 1),
    ("ko", "-40"): (2, 2),
    # Round 41 (students and young borrowers) and round 42 (small business owners and gig
    # workers), lexicons before → after (zh 2026.12.44, en 2026.12.47, ko 2026.12.43): missed zh
    # 1 → 0 of 32 and 1 → 0 of 32, en 0 → 0 of 32 and 2 → 0 of 32, ko 2 → 0 of 30 and 3 → 0 of 30;
    # compliant flagged 0 → 0 everywhere but ko 42 (1 → 0: 양념치킨 진짜 죽여준다고).
    ("zh", "-41"): (1, 1),
    ("en", "-41"): (1, 1),
    ("ko", "-41"): (1, 1),
    ("zh", "-42"): (1, 1),
    ("en", "-42"): (1, 1),
    ("ko", "-42"): (1, 1),
    # Round 43 (holidays and family gatherings) and round 44 (the agent's bad day), lexicons before
    # → after (zh 2026.12.45, en 2026.12.48, ko 2026.12.44): missed zh 0 → 0 of 33 and 1 → 1 of 32,
    # en 1 → 1 of 32 and 1 → 0 of 32, ko 4 → 0 of 30 and 3 → 1 of 30; compliant flagged zh 0 and 0,
    # en 0 and 1 → 1, ko 1 → 1 and 1 → 1. Left: "Y'all from up in the holler always got cash for
    # fireworks … just never for your bills" (the group and the charge too far apart), a reported
    # 거지 endorsed ("틀린 말은 아니잖아요"), a debtor's sarcastic 吸血鬼 (vetoed), the dialer's three
    # calls apologised for (model 0.83), an agent's KPI sigh (model 0.95), the Korean spouse.
    ("zh", "-43"): (1, 1),
    ("en", "-43"): (2, 1),
    ("ko", "-43"): (1, 2),
    ("zh", "-44"): (2, 1),
    ("en", "-44"): (1, 2),
    ("ko", "-44"): (2, 2),
    # Round 45 (language barriers and go-betweens) and round 46 (disputes and complaints),
    # lexicons before → after (zh 2026.12.46, en 2026.12.50, ko 2026.12.45): missed zh 2 → 2 of 32
    # and 1 → 0 of 32, en 1 → 0 of 32 and 5 → 1 of 32, ko 4 → 0 of 30 and 1 → 0 of 30; compliant
    # flagged zh 0 and 0, en 2 → 1 and 2 → 1, ko 4 → 3 and 1 → 0. Left: debtors who cannot
    # understand the agent read as abuse by the model (0.63-0.98), a Cantonese 屌 at a bad line,
    # 到了派出所 after a negated clause, a debtor's vetoed "piece of shit scammers", the Korean spouse.
    ("zh", "-45"): (3, 1),
    ("en", "-45"): (1, 2),
    ("ko", "-45"): (1, 4),
    ("zh", "-46"): (1, 1),
    ("en", "-46"): (2, 2),
    ("ko", "-46"): (1, 1),
    # Round 47 (property and possessions) and round 48 (deadlines and final notices), lexicons
    # before → after (zh 2026.12.47, en 2026.12.51, ko 2026.12.46): missed zh 1 → 0 of 32 and 0 → 0
    # of 32, en 4 → 0 of 32 and 3 → 0 of 32, ko 0 → 0 of 30 and 3 → 0 of 30; compliant flagged
    # zh 1 → 0 and 1 → 0, en 5 → 3 and 0 → 0, ko 0 and 0. Left: three English model-only false
    # alarms (0.5-0.79): small talk about a car broken into, a tow yard asked about release hours,
    # belongings to collect from the lot.
    ("zh", "-47"): (1, 1),
    ("en", "-47"): (1, 4),
    ("ko", "-47"): (1, 1),
    ("zh", "-48"): (1, 1),
    ("en", "-48"): (1, 1),
    ("ko", "-48"): (1, 1),
    # Round 49 (relationships) and round 50 (health and medical situations), lexicons before →
    # after (zh 2026.12.48, en 2026.12.52, ko 2026.12.47): missed zh 1 → 1 of 32 and 1 → 0 of 32,
    # en 2 → 0 of 32 and 3 → 0 of 32, ko 3 → 0 of 30 and 4 → 0 of 30; compliant flagged zh 1 → 0
    # and 1 → 0, en 1 → 1 and 0, ko 4 → 3 and 0. Left: a debtor's 他妈的…滚 vetoed by the model
    # (0.06), a debtor insulting her ex ("waste of space", not the agent), and three Korean lines
    # telling a spouse about the debt, which the writer labelled lawful as the guide says and
    # 채권추심법 (a spouse is a 관계인) does not.
    ("zh", "-49"): (2, 1),
    ("en", "-49"): (1, 2),
    ("ko", "-49"): (1, 4),
    ("zh", "-50"): (1, 1),
    ("en", "-50"): (1, 1),
    ("ko", "-50"): (1, 1),
    # Round 51 (public service and uniformed jobs) and round 52 (disasters and emergencies),
    # lexicons before → after (zh 2026.12.49, en 2026.12.53, ko 2026.12.48): missed zh 1 → 0 of 32
    # and 2 → 1 of 32, en 3 → 0 of 32 and 4 → 0 of 32, ko 3 → 1 of 30 and 7 → 1 of 30; compliant
    # flagged zh 0 and 0, en 2 → 1 and 1 → 0, ko 1 → 0 and 2 → 1. Left: a family threatened by
    # contrast with an officer's stab vest, an HR threat in spaceless ASR Korean, a debtor's
    # English "Fuck off" in a Mandarin line (vetoed, 0.0), a payroll deduction the debtor asked
    # for, the Korean spouse.
    ("zh", "-51"): (1, 1),
    ("en", "-51"): (1, 2),
    ("ko", "-51"): (2, 1),
    ("zh", "-52"): (2, 1),
    ("en", "-52"): (1, 1),
    ("ko", "-52"): (2, 2),
    # Round 53 (religion, fate and morality) and round 54 (sports, games and hobby slang),
    # lexicons before → after (zh 2026.12.50, en 2026.12.54, ko 2026.12.49): missed zh 0 and
    # 2 → 0 of 32, en 0 and 2 → 0 of 32, ko 2 → 0 and 5 → 0 of 30; compliant flagged zh 1 → 0 and
    # 1 → 1, en 0 and 0, ko 0 and 1 → 1. Left: a callback "at seven tonight" read as harassment by
    # the model (0.56), the Korean spouse.
    ("zh", "-53"): (1, 1),
    ("en", "-53"): (1, 1),
    ("ko", "-53"): (1, 1),
    ("zh", "-54"): (1, 2),
    ("en", "-54"): (1, 1),
    ("ko", "-54"): (1, 2),
    # Round 55 (news, politics and public figures) and round 56 (technology, links and scams),
    # lexicons before → after (zh 2026.12.51, en 2026.12.55, ko 2026.12.50): missed zh 1 → 1 of 32
    # and 0, en 2 → 0 of 32 and 1 → 0 of 32, ko 3 → 2 of 31 and 3 → 1 of 30; compliant flagged zh
    # 1 → 0 and 1 → 1, en 0 and 2 → 2, ko 3 → 1 and 1 → 0. Left: news stories told as menace
    # that the model vetoes (불난 거 남 일 아니에요), a regional jab phrased as 是不是…不打算还钱 (read as
    # negated), a deepfake voice sent to the mother, "how thick" style mock praise in ko, scam
    # warnings that name an arrest (0.99) and police news (0.61), 没人要抓你 in ASR Mandarin.
    ("zh", "-55"): (2, 1),
    ("en", "-55"): (1, 1),
    ("ko", "-55"): (3, 2),
    ("zh", "-56"): (1, 2),
    ("en", "-56"): (1, 2),  # 3 → 2 with en 2026.12.62: the scam warning naming an arrest
    ("ko", "-56"): (2, 1),
    # Round 57 (food, shopping and everyday errands) and round 58 (travel, transport and moving),
    # lexicons before → after (zh 2026.12.52, en 2026.12.56, ko 2026.12.51): missed zh 1 → 0 and
    # 1 → 0 of 32, en 1 → 0 and 1 → 0 of 32, ko 2 → 0 and 3 → 1 of 30; compliant flagged zh 0 and
    # 1 → 0 of 28, en 2 → 0 and 1 → 0 of 28, ko 1 → 0 and 0 of 26. Left: a debtor's 지랄 좀 그만하고
    # 끊어, which the model vetoes (0.04).
    ("zh", "-57"): (1, 1),
    ("en", "-57"): (1, 1),
    ("ko", "-57"): (1, 1),
    ("zh", "-58"): (1, 1),
    ("en", "-58"): (1, 1),
    ("ko", "-58"): (2, 1),
    # Round 59 (farming, fishing and rural life) and round 60 (films, TV, songs and pop-culture
    # quotes), lexicons before → after (zh 2026.12.53, en 2026.12.57, ko 2026.12.52): missed zh 0
    # and 0 of 32, en 0 and 1 → 0 of 32, ko 0 and 1 → 0 of 30; compliant flagged zh 1 → 0 and
    # 1 → 0 of 28, en 0 and 1 → 0 of 28, ko 0 and 1 → 1 of 26. Left: the Korean spouse.
    ("zh", "-59"): (1, 1),
    ("en", "-59"): (1, 1),
    ("ko", "-59"): (1, 1),
    ("zh", "-60"): (1, 1),
    ("en", "-60"): (1, 1),
    ("ko", "-60"): (1, 2),
    # Round 61 (gambling, betting and speculation) and round 62 (weddings, beauty and consumer
    # loans), lexicons before → after (zh 2026.12.55, en 2026.12.58, ko 2026.12.53): missed zh 0
    # and 0 of 32, en 2 → 1 and 2 → 0 of 32, ko 3 → 0 and 2 → 0 of 30; compliant flagged zh 1 → 0
    # and 0 of 28, en 1 → 0 and 2 → 1 of 28, ko 1 → 0 and 1 → 1 of 26. Left: an ASR line pressing
    # the debtor to borrow from the father-in-law (vetoed, 0.03), influencers "ought to be ashamed"
    # read as exposure by the model (0.64), the Korean spouse.
    ("zh", "-61"): (1, 1),
    ("en", "-61"): (2, 1),
    ("ko", "-61"): (1, 1),
    ("zh", "-62"): (1, 1),
    ("en", "-62"): (1, 2),
    ("ko", "-62"): (1, 2),
    # Round 63 (voicemails, call openings and messages left with whoever answers) and round 64
    # (children, pets and animals), lexicons before → after (zh 2026.12.56, en 2026.12.59, ko
    # 2026.12.54): missed zh 1 → 1 and 1 → 0 of 32, en 3 → 1 and 1 → 0 of 32, ko 5 → 0 and
    # 2 → 0 of 30; compliant flagged en 1 → 0 of 28, the rest 0. The two debtors' dismissals the
    # model vetoed (a voicemail greeting telling collectors to 自行了断, 0.05; "piss off ... sick
    # of this shit", 0.01) are read since `debtor-dismissals` (zh 2026.12.57, en 2026.12.60).
    ("zh", "-63"): (1, 1),
    ("en", "-63"): (1, 1),
    ("ko", "-63"): (1, 1),
    ("zh", "-64"): (1, 1),
    ("en", "-64"): (1, 1),
    ("ko", "-64"): (1, 1),
    # Round 65 (gig work, trades and drivers) and round 66 (elderly debtors and their families),
    # lexicons before → after (zh 2026.12.58, en 2026.12.61, ko 2026.12.56): missed zh 1 → 0 and
    # 0 of 32, en 4 → 0 and 1 → 0 of 32, ko 5 → 0 and 4 → 0 of 30; compliant flagged ko 1 → 0 and
    # 2 → 1 of 26, en 0 and 2 → 0 of 28, zh 0 and 1 → 1 of 28. Left: the Korean spouse, a
    # Cantonese reassurance about a mother's care home read as menace by the model (0.45).
    ("zh", "-65"): (1, 1),
    ("en", "-65"): (1, 1),
    ("ko", "-65"): (1, 1),
    ("zh", "-66"): (1, 2),
    ("en", "-66"): (1, 1),
    ("ko", "-66"): (1, 2),
    # Round 67 (night shifts, sleep and the time of day) and round 68 (small shops, market stalls
    # and restaurants), lexicons before → after (zh 2026.12.59, en 2026.12.63, ko 2026.12.57):
    # missed zh 0 and 3 → 0 of 32, en 4 → 1 and 1 → 0 of 32, ko 3 → 0 and 3 → 0 of 30; compliant
    # flagged zh 2 → 0 and 0 of 28, en 2 → 0 and 0 of 28, ko 1 → 0 and 0 of 26. Left: a debtor's
    # National Insurance number read to a colleague, which the model vetoes (0.02).
    ("zh", "-67"): (1, 1),
    ("en", "-67"): (2, 1),
    ("ko", "-67"): (1, 1),
    ("zh", "-68"): (1, 1),
    ("en", "-68"): (1, 1),
    ("ko", "-68"): (1, 1),
    # Round 69 (music, art and creative freelancers) and round 70 (courts, mediation, lawyers and
    # official letters), lexicons before → after (zh 2026.12.60, en 2026.12.64, ko 2026.12.58):
    # missed zh 1 → 0 and 4 → 1 of 32, en 2 → 0 and 1 → 0 of 32, ko 2 → 0 and 6 → 0 of 30;
    # compliant flagged zh 1 → 0 and 1 → 0 of 28, en 0 and 1 → 0 of 28, ko 0 and 1 → 0 of 26.
    # Left: a debtor's "I'll wait for you at the courthouse door", which the model vetoes (0.01).
    ("zh", "-69"): (1, 1),
    ("en", "-69"): (1, 1),
    ("ko", "-69"): (1, 1),
    ("zh", "-70"): (2, 1),
    ("en", "-70"): (1, 1),
    ("ko", "-70"): (1, 1),
    # Round 71 (nightlife, drinking and parties) and round 72 (the household and housework),
    # lexicons before → after (zh 2026.12.61, en 2026.12.65, ko 2026.12.59): missed zh 1 → 0 and
    # 2 → 1 of 32, en 4 → 0 and 3 → 0 of 32, ko 4 → 1 and 4 → 0 of 30; compliant flagged zh 0 and
    # 1 → 0 of 28, en 1 → 0 and 2 → 0 of 28, ko 1 → 0 and 0 of 26. Left: a regional jab whose
    # region and payback sit too far apart (전라도 분들이 원래 술자리에선 … 갚을 때만 되면), and
    # mockery of a poor household (锅里天天煮的是西北风) that the model vetoes (0.04).
    ("zh", "-71"): (1, 1),
    ("en", "-71"): (1, 1),
    ("ko", "-71"): (2, 1),
    ("zh", "-72"): (2, 1),
    ("en", "-72"): (1, 1),
    ("ko", "-72"): (1, 1),
    # Round 73 (school runs, parents and teachers) and round 74 (payments and banking talk),
    # lexicons before → after (zh 2026.12.62, en 2026.12.66, ko 2026.12.60): missed zh 2 → 1 and
    # 1 → 0 of 32, en 2 → 0 and 3 → 1 of 32, ko 3 → 0 and 5 → 1 of 30; compliant flagged zh 1 → 0
    # and 1 → 0 of 28, en 1 → 0 and 0 of 28, ko 2 → 2 and 1 → 0 of 26. Left: a teacher said to be
    # more of a parent (0.05) and "obtaining credit by deception" (0.03), which the model vetoes; a
    # debtor's visit to the agent's home (0.00); two Korean lines the model reads as exposure (a
    # callback left with a school office, 0.95; a posting the agent disowns, 0.73).
    ("zh", "-73"): (2, 1),
    ("en", "-73"): (1, 1),
    ("ko", "-73"): (1, 3),
    ("zh", "-74"): (1, 1),
    ("en", "-74"): (2, 1),
    ("ko", "-74"): (2, 1),
    # Round 75 (cars, garages and car loans) and round 76 (neighbours and apartment buildings),
    # lexicons before → after (zh 2026.12.63, en 2026.12.67, ko 2026.12.61): missed zh 3 → 1 and
    # 1 → 0 of 32, en 4 → 0 and 3 → 2 of 32, ko 2 → 0 and 3 → 0 of 30; compliant flagged zh 1 → 1
    # and 0 of 28, en 1 → 0 and 0 of 28, ko 1 → 1 and 1 → 0 of 26. Left: a sister said to owe
    # because she co-signed a lease (the co-signer `unless` lets it pass), "a proper leech" after
    # "never", a paper-thin show of wealth (纸糊的排面), and two breakdowns read as menace by the
    # model (타이어 펑크 나듯이, 0.96; 车胎扎了, 0.44).
    ("zh", "-75"): (2, 2),
    ("en", "-75"): (1, 1),
    ("ko", "-75"): (1, 2),
    ("zh", "-76"): (1, 1),
    ("en", "-76"): (3, 1),
    ("ko", "-76"): (1, 1),
    # Round 77 (hospitals, illness and care) and round 78 (festivals, weddings and funerals), lexicons
    # before → after (zh 2026.12.64, en 2026.12.68, ko 2026.12.63): missed zh 1 → 0 and 1 → 0 of 32,
    # en 1 → 0 and 4 → 1 of 32, ko 1 → 0 and 2 → 0 of 30; compliant flagged en 1 → 0 and 1 → 0 of 28,
    # none in zh or ko. Left: bailiffs said to clear a wedding's gifts table (a judgment claim, which
    # the lexicon reads only with the case facts).
    ("zh", "-77"): (1, 1),
    ("en", "-77"): (1, 1),
    ("ko", "-77"): (1, 1),
    ("zh", "-78"): (1, 1),
    ("en", "-78"): (2, 1),
    ("ko", "-78"): (1, 1),
    # Round 79 (farming, fishing and village life) and round 80 (sport, gyms and games), lexicons
    # before → after (zh 2026.12.65, en 2026.12.69, ko 2026.12.64): missed zh 0 and 1 → 0 of 32, en
    # 2 → 0 and 1 → 0 of 32, ko 1 → 0 and 3 → 0 of 30; compliant flagged ko 0 and 1 → 0 of 26, none
    # in zh or en.
    ("zh", "-79"): (1, 1),
    ("en", "-79"): (1, 1),
    ("ko", "-79"): (1, 1),
    ("zh", "-80"): (1, 1),
    ("en", "-80"): (1, 1),
    ("ko", "-80"): (1, 1),
    # Round 81 (travel, migrants and working abroad) and round 82 (faith communities and charity),
    # lexicons before → after (zh 2026.12.66, en 2026.12.70, ko 2026.12.65): missed zh 1 → 0 and 0 of
    # 32, en 2 → 0 and 3 → 1 of 32, ko 7 → 1 and 2 → 1 of 30; compliant flagged en 1 → 0 and 0 of 28,
    # ko 1 → 0 and 1 → 0 of 26, none in zh. Left: a refused cease request quoted back ("…말라고
    # 하셨는데": the report makes the sentence info), borrowing from a congregation (vetoed at 0.01),
    # and 아 시바 (a short keyword across a space, which the model judges: 0.02).
    ("zh", "-81"): (1, 1),
    ("en", "-81"): (1, 1),
    ("ko", "-81"): (2, 1),
    ("zh", "-82"): (1, 1),
    ("en", "-82"): (2, 1),
    ("ko", "-82"): (2, 1),
    # Round 83 (weather, floods and insurance claims) and round 84 (phones, apps and online shopping),
    # lexicons before → after (zh 2026.12.67, en 2026.12.71, ko 2026.12.66): missed zh 1 → 0 and 1 → 1
    # of 32, en 0 and 0 of 32, ko 2 → 0 and 1 → 0 of 30; compliant flagged en 1 → 0 of 28, none
    # elsewhere. Round 85 is two focused sets of 80: zh hard lawful lines (20 violating, 60 compliant)
    # and en subtle violations (60 violating, 20 compliant): missed en 7 → 1 of 60, zh 0 of 20;
    # compliant flagged zh 3 → 0 of 60, en 0 of 20. Left: a parcel whose contents will be "a
    # surprise" (一个 clause from the tracking), and "I'll hear you the next forty" (calls after a
    # refusal, said as patience).
    ("zh", "-83"): (1, 1),
    ("en", "-83"): (1, 1),
    ("ko", "-83"): (1, 1),
    ("zh", "-84"): (2, 1),
    ("en", "-84"): (1, 1),
    ("ko", "-84"): (1, 1),
    ("zh", "-85"): (1, 1),
    ("en", "-85"): (2, 1),
    # Round 86 (food, restaurants and delivery riders) and round 87 (debtors in the military, police,
    # security or prisons), lexicons before → after (zh 2026.12.68, en 2026.12.72, ko 2026.12.67):
    # missed zh 0 and 1 → 0 of 32, en 2 → 0 and 2 → 0 of 32, ko 3 → 0 and 2 → 0 of 30; no compliant
    # line flagged before or after.
    ("zh", "-86"): (1, 1),
    ("en", "-86"): (1, 1),
    ("ko", "-86"): (1, 1),
    ("zh", "-87"): (1, 1),
    ("en", "-87"): (1, 1),
    ("ko", "-87"): (1, 1),
    # Rounds 88 and 89 are two more pairs of focused sets of 80 (zh hard lawful lines, en subtle
    # violations, by writers with different briefs), round 90 (students and first jobs) has the usual
    # sizes. Lexicons before → after (zh 2026.12.69, en 2026.12.73, ko 2026.12.68): missed en 13 → 5
    # and 12 → 0 of 60, zh 0 and 1 → 0 of 20; 90: en 2 → 0 of 32, ko 3 → 0 of 30, zh 0 of 32;
    # compliant flagged zh 2 → 0 and 2 → 0 of 60, en 1 → 1 and 0 of 20. Left in en-88: a garnishment
    # claim (decided by the case facts), statements sent to a work address and three debtor lines the
    # model vetoes (a "vulture", "lower than", "the help"); floods that "smashed" a town (0.72).
    ("zh", "-88"): (1, 1),
    ("en", "-88"): (6, 2),
    ("zh", "-89"): (1, 1),
    ("en", "-89"): (1, 1),
    ("zh", "-90"): (1, 1),
    ("en", "-90"): (1, 1),
    ("ko", "-90"): (1, 1),
    # Rounds 91 and 92 are a third pair of focused sets of 80 (zh hard lawful lines: written notices
    # and third-party calls; en subtle violations: messages and voicemails, and third parties), round
    # 93 (loan apps, crypto and scams) has the usual sizes. Lexicons before → after (zh 2026.12.70, en
    # 2026.12.74, ko 2026.12.69): missed en 9 → 3 and 7 → 1 of 60, zh 0 of 20; 93: en 2 → 0 and zh 2 →
    # 0 of 32, ko 2 → 0 of 30; compliant flagged zh 2 → 0 and 1 → 0 of 60, en-93 1 → 0 of 28. Left: a
    # relative's home said to be "fair game" after "nobody signed as guarantor" (the co-signer
    # `unless`), a summons "prepared" (decided by the case facts), a mobile number read out as
    # figures, and "we're after him for the phone bill" (vetoed at 0.04).
    ("zh", "-91"): (1, 1),
    ("en", "-91"): (4, 1),
    ("zh", "-92"): (1, 1),
    ("en", "-92"): (2, 1),
    ("zh", "-93"): (1, 1),
    ("en", "-93"): (1, 1),
    ("ko", "-93"): (1, 1),
    # Rounds 94 and 95 are a fourth pair of focused sets of 80: zh-94 debtors venting without abuse
    # (51 of its 60 lawful lines are the debtor's), zh-95 lawful agent lines in dialect and ASR, en-94
    # subtle violations around debt buyers, disputes, validation and credit files, en-95 a debtor's
    # subtle abuse of the agent. Lexicons before → after (zh 2026.12.71, en 2026.12.75): missed en 20
    # → 3 and 8 → 1 of 60, zh 0 and 1 → 0 of 20; compliant flagged zh 2 → 1 and 0 of 60, en 0 of 20.
    # Left: a suit "or you'll be served" (the case facts decide), "your generation … still can't
    # cover a Visa bill", a street list of unsettled accounts (vetoed at 0.00), a debtor's jibe about
    # the agent's children, and 你们公司就是个无底洞 read as abuse by the model (0.64).
    ("zh", "-94"): (1, 2),
    ("en", "-94"): (4, 1),
    ("zh", "-95"): (1, 1),
    ("en", "-95"): (2, 1),
    # Round 96 is a fifth focused pair, read first with the final lexicons of rounds 77 to 95 as a
    # held-out check: en-96 (subtle violations in a warm, customer-service voice) missed 16 of 60
    # (recall 0.73), zh-96 (lawful lines that share words with violations) flagged 1 of 60. After its
    # own fixes (zh 2026.12.72, en 2026.12.76): missed 16 → 2, flagged 1 → 0. Left: a claim "only
    # lodged this morning" (decided by the case facts) and "you really are adorable".
    ("zh", "-96"): (1, 1),
    ("en", "-96"): (3, 1),
    # Round 97 is a last focused set of three, read first with the final lexicons of rounds 77 to 96
    # as a second held-out check: en-97 (subtle violations as a recogniser transcribes them) missed 5
    # of 60, zh-97 (long lawful ASR agent lines) flagged 0 of 60, ko-97 (the first Korean set of hard
    # lawful lines) flagged 3 of 60 and missed 1 of 20. After its fixes (en 2026.12.77, ko
    # 2026.12.70): missed 5 → 1 and 1 → 0, flagged 3 → 1. Left: "some freeloader" (vetoed at 0.02)
    # and 총대 메고 팀장님한테 얘기해 볼게요 read as exposure by the model (0.80).
    ("zh", "-97"): (1, 1),
    ("en", "-97"): (2, 1),
    ("ko", "-97"): (1, 2),
    # Round 98 is a third held-out check, read first with the final lexicons of round 97: en-98
    # (subtle violations in a compliance-trained voice) missed 16 of 60 (recall 0.73) and flagged 1
    # of 20, zh-98 and ko-98 (lawful lines full of words a crude filter flags) flagged 4 and 0 of
    # 60 and missed 2 and 3 of 20. After its fixes (zh 2026.12.73, en 2026.12.78, ko 2026.12.71):
    # missed 16 → 3, 2 → 0 and 3 → 0; flagged 1 → 0 and 4 → 0. Left: "his overdue phone bill" to
    # a neighbour and "speaking with residents about your outstanding account" (vetoed at 0.04 and
    # 0.00), and an account number passed to a third party read as disclosure, not exposure.
    ("zh", "-98"): (1, 1),
    ("en", "-98"): (4, 1),
    ("ko", "-98"): (1, 1),
    # Rounds 99 and 100, read first with the final lexicons of round 98 (a fourth held-out check):
    # en-99 (subtle violations to vulnerable debtors: the bereaved, carers, pensioners) missed 6 of
    # 60, en-100 (violations told as jokes, film quotes and irony) 10 of 60, ko-99 (50 subtle
    # violations) 6 of 50, and zh-99 (lawful negotiation and voice-message lines) flagged none of
    # 60; no compliant line was flagged in any of the four. After their fixes (en 2026.12.79, ko
    # 2026.12.72): missed 6 → 0, 10 → 0 and 6 → 2. Left: two debtor lines the model vetoes (이런
    # 더러운 일 … 부모님은 아세요, at 0.03) or that no entry reads (퇴근길 조심하세요. 세상 험하잖아요).
    ("zh", "-99"): (1, 1),
    ("en", "-99"): (1, 1),
    ("ko", "-99"): (3, 1),
    ("en", "-100"): (1, 1),
    # Round 101 is internet-style and disguised abuse (initials, masked and misspelt swearing,
    # emoji, 초성, pinyin initials), 50 violations and 30 look-alikes per language, read first with
    # the lexicons of round 100: missed en 2, zh 2 and ko 4 of 50, flagged zh 1 and ko 1 of 30.
    # After its fixes (zh 2026.12.74, en 2026.12.79, ko 2026.12.72): missed 2 → 0, 2 → 1 and 4 →
    # 1, flagged 1 → 0 and 1 → 0. Left: wc as an agent's interjection (also a toilet) and 아 시 발
    # split by spaces, which the model judges (0.00).
    ("zh", "-101"): (2, 1),
    ("en", "-101"): (1, 1),
    ("ko", "-101"): (2, 1),
    # Round 102 is the tricks a writer would use to get a line past a screener (a denial that is
    # not one, "if I were you", a manager's words passed on, a violation buried mid-turn, code-
    # switching) and their lawful twins, 40 and 40 per language, read first with the lexicons of
    # round 101: missed en 3, zh 2 and ko 1 of 40, flagged en 2 of 40. After its fixes (zh
    # 2026.12.75, en 2026.12.80, ko 2026.12.73): none missed, none flagged.
    ("zh", "-102"): (1, 1),
    ("en", "-102"): (1, 1),
    ("ko", "-102"): (1, 1),
    # Round 103 is a last held-out pair: en-103 (60 subtle harassment and exposure lines: calls by
    # the hour, postcards, answering machines, a relative rung while the agent waits) missed 12 of
    # 60 at first read, most of them read by no entry and the rest vetoed by the model at 0.01 to
    # 0.13; zh-103 (60 lawful lines about injuries, accidents, fires and games) flagged 5 of 60, four
    # of them the model's alone (0.58 to 0.90). After its fixes (zh 2026.12.76, en 2026.12.81):
    # missed 12 → 2, flagged 5 → 0. Left: two voicemails that name the debt (vetoed or unread).
    ("zh", "-103"): (1, 1),
    ("en", "-103"): (3, 1),
    # Round 104, read first with the lexicons of round 103 (and the shipped head): en-104 (60 plain,
    # tired violations in every category and 20 procedural twins) missed 5 of 60, two of them
    # lexicon hits the model vetoed ("Still nothing from you. Typical freeloader. Call …" at 0.05;
    # a debtor's "Stop texting me, leech. … my lawyer." at 0.00); zh-104 (60 lawful lines full of
    # police, hospitals, fires and games, 20 violations) missed and flagged nothing; ko-104 (50
    # violations in polite honorifics, 30 twins) missed 5 of 50. After its fixes (en 2026.12.83,
    # ko 2026.12.74): none missed, none flagged.
    ("zh", "-104"): (1, 1),
    ("en", "-104"): (1, 1),
    ("ko", "-104"): (1, 1),
    # Round 105 is long turns: one short violation inside two to four sentences of procedure (en:
    # 60 and 20 twins), long lawful zh turns (60, and 20 violations), and the debtor's side in ko
    # (40 abusive, 40 angry but lawful). Read first with the lexicons of round 104: en missed 22 of
    # 60 (recall 0.63), ten of them lexicon hits the model vetoed because the rest of the turn read
    # as procedure (0.00 to 0.05), and flagged 1 of 20 (a previous agency's threat reported, the
    # model's alone at 0.55); zh missed 3 of 20; ko missed 4 of 40. After its fixes (zh 2026.12.77,
    # en 2026.12.84, ko 2026.12.75): missed 22 → 0, 3 → 0 and 4 → 1, flagged 1 → 0. Left: a ko
    # debtor's wish for the agent's family's health "if you keep calling" (no entry reads it).
    ("zh", "-105"): (1, 1),
    ("en", "-105"): (1, 1),
    ("ko", "-105"): (2, 1),
    # Round 106 is whole messages: SMS, voicemails and turns of three to five sentences with one
    # violation inside, 60 violations and 20 lawful messages per language, read first with the
    # lexicons of round 105 and the collapse rule before it: missed en 11, zh 16 and ko 8 of 60
    # (recall 0.82, 0.73, 0.87), 15 of them lexicon hits the model vetoed in a long turn (0.00 to
    # 0.09), above all a debtor's insult read by an agent entry; flagged en 2 and ko 1 of 20 (the
    # model alone on voicemails for a spouse and a sibling, and a debtor's "I've told you people").
    # After its fixes (zh 2026.12.78, en 2026.12.85, ko 2026.12.76): missed 35 → 1, flagged 3 →
    # 2. Left: a zh "mind your car, in this dry weather it might catch fire" (its twin is fire-
    # safety advice) and the model's two voicemails.
    ("zh", "-106"): (2, 1),
    ("en", "-106"): (1, 2),
    ("ko", "-106"): (1, 2),
    # Round 107, read first with the lexicons of round 106: en-107 (40 long debtor turns with abuse
    # of the agent inside, 40 angry but lawful) missed 24 of 40 (recall 0.40), half of them
    # insults the model vetoed (0.00 to 0.02) and half that no entry read; zh-107 (60 spoken
    # run-ons with one violation inside, some in dialect, and 20 lawful) missed 14 of 60 (0.77);
    # ko-107 (40 polite agent turns with one violation inside, 40 lawful) missed 4 of 40 and
    # flagged 3 of 40. After its fixes (zh 2026.12.79, en 2026.12.86, ko 2026.12.77): missed 24 →
    # 0, 14 → 1 and 4 → 0, flagged 3 → 0. Left: a debtor's 妈了个巴子的你们… (an oath aimed at
    # the company, which a debtor's entry would need to tell from swearing at the bill).
    ("zh", "-107"): (2, 1),
    ("en", "-107"): (1, 1),
    ("ko", "-107"): (1, 1),
    # Round 108 is a last held-out check of the long-turn rounds: an inspector's queue of long
    # turns, agents and debtors, 50 violations and 30 lawful per language, read first with the
    # lexicons of round 107: missed en 12, zh 8 and ko 20 of 50 (recall 0.76, 0.84, 0.60; 14 of
    # ko's 20 were debtors' insults and threats, most read by an agent entry the model vetoed),
    # flagged ko 1 of 30 (a short "잡아 보시죠" alone, which the model read as a threat at 0.76).
    # After its fixes (zh 2026.12.80, en 2026.12.87, ko 2026.12.78): missed 40 → 1, flagged 1 → 0.
    ("zh", "-108"): (1, 1),
    ("en", "-108"): (1, 1),
    ("ko", "-108"): (2, 1),
    # Round 109: debtor turns, many long, with one insult or threat of the agent inside; round
    # 110: an inspector's day of agent lines, a third of them long turns. First read with zh
    # 2026.12.82, en 2026.12.88, ko 2026.12.79: missed 23 of 156, flagged 4 of 114.
    ("zh", "-109"): (1, 1),
    ("en", "-109"): (1, 3),
    ("ko", "-109"): (4, 1),
    ("zh", "-110"): (3, 1),
    ("en", "-110"): (2, 3),
    ("ko", "-110"): (1, 1),
    # Round 111 (debtor turns: insults aimed at the agent beside swearing at a phone, at oneself,
    # or quoted) and 112 (the same brief, another hand). First read: en-112 with the lexicons of
    # round 108, missed 5 of 32; zh-111 after the round 109 fixes, missed 10 of 30; en-111 and
    # ko-111 with the address cues' first version (`[address]`, debtor-aimed), missed 10 of 27 and
    # 5 of 33 (13 and 7 without them).
    ("zh", "-111"): (1, 2),
    ("en", "-111"): (4, 3),
    ("ko", "-111"): (3, 2),
    ("en", "-112"): (3, 3),
    # Round 113 (debtor turns, a held-out check of the address cues on new hands) and 114 (zh:
    # mostly hard lawful agent lines; en: mostly subtle violations). First read with zh 2026.12.84,
    # en 2026.12.90, ko 2026.12.81: missed 15 of 110, flagged 2 of 110 (113 alone: en 4, ko 6, zh
    # 1 of 20 missed; the same without the address cues, which added one false flag, a quote).
    ("zh", "-113"): (1, 1),
    ("en", "-113"): (3, 1),
    ("ko", "-113"): (2, 1),
    ("zh", "-114"): (1, 2),
    ("en", "-114"): (2, 1),
    # Round 115: en subtle agent violations, zh hard lawful agent lines, ko agents and debtors
    # mixed. First read with zh 2026.12.85, en 2026.12.91, ko 2026.12.83: missed 5 of 75, flagged
    # 2 of 75.
    ("zh", "-115"): (1, 1),
    ("en", "-115"): (2, 1),
    ("ko", "-115"): (3, 1),
    # Round 116: agents and debtors mixed (ko: debtors only). First read with zh 2026.12.86, en
    # 2026.12.92, ko 2026.12.84: missed 4 of 70, flagged 4 of 70.
    ("zh", "-116"): (1, 2),
    ("en", "-116"): (1, 2),
    ("ko", "-116"): (1, 2),
    # Round 117: zh agents' hard lawful turns (35 of 50), en subtle agent violations (35 of 50), ko
    # both sides; round 118: zh long debtor turns, en calls to third parties. First read with zh
    # 2026.12.87, en 2026.12.93, ko 2026.12.85: missed 10 of 115 (zh-118 7 of 20), flagged 2 of 115.
    ("zh", "-117"): (1, 1),
    ("en", "-117"): (2, 1),
    ("ko", "-117"): (1, 2),
    ("zh", "-118"): (2, 1),
    ("en", "-118"): (1, 1),
    # Round 119: zh agents' SMS and chat messages, en agent speech as a recogniser writes it, ko
    # violations wrapped in courtesy; round 120: zh legal consequences (true and false), en long
    # debtor turns. First read with zh 2026.12.88, en 2026.12.94, ko 2026.12.86: missed 9 of 120
    # (ko-119 5 of 25, en-120 4 of 20), flagged 7 of 120.
    ("zh", "-119"): (1, 1),
    ("en", "-119"): (1, 1),
    ("ko", "-119"): (1, 1),
    ("zh", "-120"): (1, 2),
    ("en", "-120"): (1, 3),
    # Round 121: ko long debtor turns in regional speech, en agents in regional Englishes, zh agents
    # code-switching with English; round 122: ko agent speech as a recogniser writes it, zh debtors
    # in dialect. First read with zh 2026.12.90, en 2026.12.96, ko 2026.12.88: missed 9 of 120
    # (ko-121 5 of 20), flagged 4 of 110.
    ("ko", "-121"): (1, 2),
    ("en", "-121"): (1, 2),
    ("zh", "-121"): (1, 1),
    ("ko", "-122"): (1, 1),
    ("zh", "-122"): (2, 3),
    # Round 123: ko debtors' veiled menace, en agents' texts and voicemails, zh agents on family,
    # work, contacts and visits; round 124: zh sarcastic debtors, en debtors as a recogniser
    # writes them. First read with zh 2026.12.91, en 2026.12.96, ko 2026.12.89: missed 13 of 105
    # (ko-123 7 of 20, en-124 4 of 20), flagged 5 of 115.
    ("ko", "-123"): (2, 1),
    ("en", "-123"): (1, 1),
    ("zh", "-123"): (1, 2),
    ("zh", "-124"): (2, 1),
    ("en", "-124"): (1, 2),
    # Round 125: an agent's working day in each language, 35 lawful lines to 15 violations;
    # round 126: ko debtors typing or masking their profanity, zh debtors as a recogniser writes
    # them. First read with zh 2026.12.92, en 2026.12.97, ko 2026.12.90: missed 6 of 85, flagged
    # 7 of 145 (four of them notes to a supervisor the model reads as disclosures).
    ("zh", "-125"): (1, 2),
    ("en", "-125"): (1, 3),
    ("ko", "-125"): (1, 4),
    ("ko", "-126"): (1, 1),
    ("zh", "-126"): (2, 1),
    # round 127: ko debtors' veiled menace (first read missed 19 of 30), zh and en agents in the
    # register of online comments (1 of 60 missed, 1 of 60 flagged). First read with zh 2026.12.93,
    # en 2026.12.97, ko 2026.12.91.
    ("ko", "-127"): (1, 1),
    ("zh", "-128"): (1, 1),
    ("en", "-129"): (1, 1),
    # round 130: debtors' veiled menace in each language, 20 violations and 20 lawful lines. First
    # read with zh 2026.12.94, en 2026.12.98, ko 2026.12.92: missed 33 of 60 (ko-130 15, zh-132 10,
    # en-131 8), flagged 1 of 60.
    ("ko", "-130"): (3, 1),
    ("en", "-131"): (2, 1),
    ("zh", "-132"): (3, 2),
    # round 133: ko agents in the register of online comments, zh agents on groups and society. First
    # read with zh 2026.12.95, ko 2026.12.93: missed 3 of 60, flagged 2 of 60 (both zh, the model).
    ("ko", "-133"): (1, 1),
    ("zh", "-134"): (1, 3),
    # round 135: debtors' veiled menace again, 20 violations and 20 lawful lines a language. First
    # read with zh 2026.12.96, en 2026.12.99, ko 2026.12.94: missed 19 of 60, flagged 1 of 60.
    ("zh", "-135"): (1, 2),
    ("en", "-136"): (1, 1),
    ("ko", "-137"): (3, 1),
    # round 138: the same brief by three more helpers, kept unread until the debtors' teach files
    # were tried, and their measure (docs/flagger-log.md). Read with zh 2026.12.97, en 2026.12.100,
    # ko 2026.12.95: missed 28 of 60, flagged 4 of 60. Not fixed in the lexicons, and after the
    # rounds make_teach.py reads (137): the measure of the debtor's head. flagger@2026.12.18 (its
    # debtor heads refitted with rounds 1 to 137's debtors' lines): missed 15 (zh 5, en 2, ko 8),
    # flagged 3 (zh 1, en 2).
    ("zh", "-138"): (6, 2),
    ("en", "-139"): (3, 3),
    ("ko", "-140"): (9, 1),
    # round 141: the agents' side again, by three new hands from the labelling guide alone (60 lines
    # each: 33 violations over the six agent categories, 27 hard lawful look-alikes). Held out:
    # after LAST_TAUGHT, read by no teach file. First read with flagger@2026.12.18 and lexicons
    # zh 2026.12.98, en 2026.12.100, ko 2026.12.96: missed 2 of 99, flagged 1 of 81 (zh-141's note
    # to a team leader read as a disclosure; then the colleague-listener contexts, zh 2026.12.99,
    # en 2026.12.101, ko 2026.12.97: flagged 0).
    ("zh", "-141"): (1, 1),
    ("en", "-142"): (2, 1),
    ("ko", "-143"): (2, 1),
    # round 144: agents' SMS bodies by three more new hands (40 each: 22 violations, several one
    # sentence buried in a polite notice; 18 lawful notices, offers and scam warnings). First read
    # with flagger@2026.12.18 and lexicons zh 2026.12.99, en 2026.12.101, ko 2026.12.97: missed 4
    # of 66, flagged 3 of 54; with zh 2026.12.100, en 2026.12.102, ko 2026.12.98 (a suit claimed
    # filed, scam warnings, a call to HR): missed 3, flagged 0; with ko 2026.12.99 (a jibe at the
    # debtor's upbringing) missed 2. en-145's two misses are a polite notice's buried sentence the
    # model vetoes (0.01-0.02).
    ("zh", "-144"): (1, 1),
    ("en", "-145"): (3, 1),
    ("ko", "-146"): (2, 1),
    # round 147: the look-alikes issue 10 names, by three more new hands (60 each: 40 lawful lines,
    # idioms, news, statutes, negations and quotations, ordinary risky words; 20 violations in the
    # same frames). Four ko disclosures were written with audience "debtor" though the agent talks
    # to a father, a colleague, HR or a mother: set to third_party as the guide says. First read
    # with flagger@2026.12.18 and lexicons zh 2026.12.101, en 2026.12.103, ko 2026.12.100: missed
    # 0 of 60, flagged 8 of 120 (trainers quoting a forbidden phrase, a debtor reporting another
    # agency's threat, a denied family liability, "I'd have felt like an idiot"); with zh
    # 2026.12.102, en 2026.12.104, ko 2026.12.101: flagged 2, both zh and the model's (a trainer's
    # quoted threat 0.84, above the lawful override; false legal threat 0.68 on a QA note).
    ("zh", "-147"): (1, 3),
    ("en", "-148"): (1, 1),
    ("ko", "-149"): (1, 1),
}


def _assert_set_read_right(lang: str, round_: str) -> None:
    path = CASES.parent / "adversarial" / f"{lang}{round_}.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    flagger = semantic_flagger()
    missed: list[str] = []
    wrongly: list[str] = []
    for r in rows:
        found = flagger.findings(
            [r["text"]], lang, speaker=r["speaker"], audience=r["audience"], facts=r["facts"]
        )
        raised = {f.category for f in found[0] if f.is_violation}
        if r["labels"] and not raised:
            missed.append(r["text"])
        elif not r["labels"] and raised:
            wrongly.append(r["text"])
    most_missed, most_wrong = ADVERSARIAL_LIMITS[lang, round_]
    assert len(missed) <= most_missed, missed
    assert len(wrongly) <= most_wrong, wrongly


# The last probe round the bundled head file read (tests/data/adversarial/make_teach.py: the debtors'
# teach files; test_semantic_training.py checks them against it): later rounds are held out, and
# measure phrasing no head has read.
LAST_TAUGHT = 137
# `make test` reads every held-out round and one in SWEEP_EVERY of the rounds before it (the first of
# every eight, in round order); `make test-probes` reads them all. All 22,000 lines cost about
# 1,450 s of CPU, 40 % of the suite's: CI ran past its 30 minutes with them, and came within three
# minutes of them again (27 minutes, 2026-12-07) with one in four. The sweep is needed
# whenever the head file, a lexicon or the combination changes (docs/flagger-log.md); otherwise
# a set reads the same each run.
SWEEP_EVERY = 8


def _round_no(round_: str) -> int:
    return int(round_.lstrip("-") or 1)


def _rounds(lang: str) -> list[object]:
    rounds = sorted((r for lg, r in ADVERSARIAL_LIMITS if lg == lang), key=_round_no)
    taught = [r for r in rounds if _round_no(r) <= LAST_TAUGHT]
    swept_only = set(taught) - set(taught[::SWEEP_EVERY])
    return [pytest.param(r, marks=pytest.mark.probes) if r in swept_only else r for r in rounds]


# One class a language: the suite keeps a test file's tests on one xdist worker (`--dist
# loadscope`), and these sets' lines read through the model for minutes; as three scopes the two
# workers share them.
# `no_cover`: these tests read 21,000 lines through code the rest of the suite already covers, and
# coverage's tracer made them half as slow again (CI's run reached its 30 minutes). `slow`: a set
# takes about 4 s (e5 reads one window per engine call), too long for `make test-quick`.
@pytest.mark.slow
@pytest.mark.no_cover
class TestZhAdversarialSets:
    @pytest.mark.parametrize("round_", _rounds("zh"))
    def test_adversarial_lines_are_read_right(self, round_: str) -> None:
        _assert_set_read_right("zh", round_)


@pytest.mark.slow
@pytest.mark.no_cover
class TestEnAdversarialSets:
    @pytest.mark.parametrize("round_", _rounds("en"))
    def test_adversarial_lines_are_read_right(self, round_: str) -> None:
        _assert_set_read_right("en", round_)


@pytest.mark.slow
@pytest.mark.no_cover
class TestKoAdversarialSets:
    @pytest.mark.parametrize("round_", _rounds("ko"))
    def test_adversarial_lines_are_read_right(self, round_: str) -> None:
        _assert_set_read_right("ko", round_)


def test_every_adversarial_set_has_its_limits() -> None:
    """Each file in tests/data/adversarial/ is read by one of the classes above, and each limit
    names a file that exists."""
    names = {p.stem for p in (CASES.parent / "adversarial").glob("*.jsonl")}
    assert names == {f"{lang}{round_}" for lang, round_ in ADVERSARIAL_LIMITS}
    assert {lang for lang, _ in ADVERSARIAL_LIMITS} == set(LANGS)
