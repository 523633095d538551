"""SMS content through `evaluate`: length, opt-out text, and lexicon screening (policies.screening),
with the issue's lawful look-alikes and negations that must not be flagged."""

from __future__ import annotations

import pytest

from policies.types import Contact, ContentScores, Phone
from tests.policies.builders import CN, KR, NYC, decide, make_case, make_request, pack_from_toml

US_NOW = "2026-11-24T15:00:00Z"  # 10:00 in New York
CN_NOW = "2026-11-24T06:00:00Z"  # 14:00 in Shanghai
KR_NOW = "2026-11-24T05:00:00Z"  # 14:00 in Seoul


def sms(body: str | None, to: str = NYC, **kw: object):  # type: ignore[no-untyped-def]
    return make_request(to, "sms", body=body, **kw)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "We may file a lawsuit if this is not resolved. Reply STOP to opt out.",
            [],
            id="en-lawful-lawsuit",
        ),
        pytest.param("We will never come to your house. Reply STOP to opt out.", [], id="en-negated-visit"),
        pytest.param(
            "If you do not pay we will break your legs. Reply STOP to opt out.",
            ["us-regf/sms.content"],
            id="en-threat",
        ),
        pytest.param(
            "Pay now, you stupid idiot. Reply STOP to opt out.", ["us-regf/sms.content"], id="en-insult"
        ),
        pytest.param("Please call us about your account today.", ["us-regf/sms.opt_out"], id="en-no-opt-out"),
        pytest.param("Please call us. REPLY   stop to end texts.", [], id="en-opt-out-case-and-spaces"),
        pytest.param("x" * 910 + " Reply STOP", ["us-regf/sms.length"], id="en-too-long"),
    ],
)
def test_regf_sms_content(body: str, expected: list[str]) -> None:
    d = decide(US_NOW, request=sms(body))
    assert [r.rule for r in d.reasons] == expected
    assert all(r.code == "content_violation" for r in d.reasons)
    if expected:
        assert d.next_allowed_at is None


def test_violation_message_names_category_and_text() -> None:
    d = decide(US_NOW, request=sms("If you do not pay we will break your legs. Reply STOP"))
    (r,) = d.reasons
    assert "threat_violence" in r.message
    assert "break your legs" in r.message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("我方将依法提起诉讼，回复TD退订", [], id="zh-lawful-lawsuit"),
        pytest.param("逾期信息将依法上报征信，回复TD退订", [], id="zh-lawful-credit-report"),
        pytest.param("我们不会联系您的家人，回复TD退订", [], id="zh-negated-family"),
        pytest.param("你再不还钱就打断你的腿，回复TD退订", ["cn-gbt45251/sms.content"], id="zh-threat"),
        pytest.param(
            "我是公安局的，请立即还款，回复TD退订", ["cn-gbt45251/sms.content"], id="zh-impersonation"
        ),
        pytest.param("请尽快还款", ["cn-gbt45251/sms.opt_out"], id="zh-no-opt-out"),
        pytest.param("再不还钱就sha了你，回复TD退订", ["cn-gbt45251/sms.content"], id="zh-spelled-pinyin"),
        pytest.param("再不还钱我弄.死.你，回复TD退订", ["cn-gbt45251/sms.content"], id="zh-dodge"),
        pytest.param("本月账单已出，可在app上还款，回复TD退订", [], id="zh-mixed-english"),
    ],
)
def test_cn_sms_content(body: str, expected: list[str]) -> None:
    case = make_case(phones=[Phone(CN)])
    d = decide(CN_NOW, packs=["cn-gbt45251"], case=case, request=sms(body, CN))
    assert [r.rule for r in d.reasons] == expected


@pytest.mark.parametrize(
    ("body", "rule", "citation"),
    [
        pytest.param(
            "오늘까지 입금 안 하면 다리 하나 분질러 놓는다.",
            "ko/threat_violence/injury",
            "제9조 제1호",
            id="ko-threat-art9-1",
        ),
        pytest.param(
            "[Web발신] 서울중앙지검 수사관실입니다. 미납 시 체포영장이 청구됩니다.",
            "ko/false_legal_threat/",  # impersonation and arrest: one finding per category
            "제11조",
            id="ko-false-legal-art11",
        ),
        pytest.param(
            "피싱 얘기 하지 마시고요, 빌려놓고 안 갚는 건 사기입니다.",
            "ko/false_legal_threat/arrest-jail",  # the scam-warning allow does not reach this
            "제11조",
            id="ko-debt-called-fraud",
        ),
        pytest.param(
            "입금하실 때까지 10분 간격으로 계속 문자 보내 드릴게요.",
            "ko/harassment/calls",
            "제9조 제3호",
            id="ko-calls-art9-3",
        ),
        pytest.param(
            "오늘 안 갚으면 회사 단톡방에 니 빚 얘기 올린다.",
            "ko/privacy_exposure/publish",
            "제9조 제7호",
            id="ko-publish-art9-7",
        ),
    ],
)
def test_kr_korean_sms_violation_is_denied_with_code_and_citation(
    body: str, rule: str, citation: str
) -> None:
    case = make_case(packs=["kr-fdca"], phones=[Phone(KR)])
    d = decide(KR_NOW, packs=["kr-fdca"], case=case, request=sms(body, KR))
    assert not d.allowed
    (r,) = d.reasons
    assert (r.code, r.rule) == ("content_violation", "kr-fdca/sms.content")
    assert rule in r.message
    assert f"채권추심법 {citation}" in r.message
    assert [p.split("#")[0] for p in d.packs] == ["kr-fdca@3"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("고객님, 이번 달 결제 대금 58만 원이 미납 중입니다. 문의 1588-7250", id="ko-reminder"),
        pytest.param("저희는 절대 댁으로 방문하지 않습니다. 걱정하지 마세요.", id="ko-negated-visit"),
        pytest.param(
            "연체가 계속되면 지급명령 신청 등 법적 절차가 진행될 수 있습니다.", id="ko-lawful-legal-info"
        ),
        pytest.param(
            "연체가 90일 이상 이어지면 신용정보원에 연체 정보가 등록될 수 있습니다.",
            id="ko-credit-registration-info",
        ),
        pytest.param("불법 추심 피해는 금융감독원 1332로 신고하실 수 있습니다.", id="ko-report-rights"),
        # A scam warning: "a call impersonating the prosecutors or the court is fraud" (사기입니다
        # had read as calling the debtor a fraudster: ko lexicon 2026.12.6).
        pytest.param("검찰이나 법원을 사칭한 전화는 사기입니다. 링크를 누르지 마세요.", id="ko-scam-warning"),
        pytest.param("이건 사기 문자니까 절대 송금하지 마세요.", id="ko-scam-text"),
    ],
)
def test_kr_lawful_korean_sms_is_allowed(body: str) -> None:
    case = make_case(packs=["kr-fdca"], phones=[Phone(KR)])
    d = decide(KR_NOW, packs=["kr-fdca"], case=case, request=sms(body, KR))
    assert d.allowed, d.reasons


THIRD_PARTY_SMS = pack_from_toml(
    """
name = "test-tp-sms"
version = "1"
jurisdiction = "XX"
[third_party]
sms = true
citation = "test"
[sms.content]
citation = "test"
"""
)


def test_disclosure_to_a_third_party_is_a_violation() -> None:
    spouse = Contact("k1", "spouse", "+16175550133")
    case = make_case(contacts=(spouse,))
    body = "Your debt of $500 is overdue."
    to_debtor = decide(US_NOW, packs=[THIRD_PARTY_SMS], case=case, request=sms(body))
    assert to_debtor.allowed
    to_spouse = decide(
        US_NOW,
        packs=[THIRD_PARTY_SMS],
        case=case,
        request=sms(body, spouse.number, party="third_party", contact_id="k1"),
    )
    assert [r.rule for r in to_spouse.reasons] == ["test-tp-sms/sms.content"]
    assert "third_party_disclosure" in to_spouse.reasons[0].message


def test_no_body_is_not_screened_and_calls_ignore_bodies() -> None:
    assert decide(US_NOW, request=sms(None)).allowed
    assert decide(US_NOW, request=make_request(NYC, "call", body="we will break your legs")).allowed


def test_each_pack_reports_its_own_content_rule() -> None:
    body = "If you do not pay we will break your legs."
    d = decide(US_NOW, packs=["us-regf", "kr-fdca"], request=sms(body))
    assert [r.rule for r in d.reasons] == [
        "us-regf/sms.opt_out",
        "us-regf/sms.content",
        "kr-fdca/sms.content",
    ]


def test_model_scores_outrank_a_lawful_reading_only_at_the_heads_override() -> None:
    # "We will never come to your house" reads as lawful (negated): a model hit below the head
    # file's override is silenced, one at it denies (the scores arrive as data from the gateway).
    body = "We will never come to your house. Reply STOP to opt out."

    def scored(score: float, overrides: tuple[tuple[str, float], ...]) -> list[str]:
        scores = ContentScores("en", "flagger@t", (("harassment", score, 0.5),), lawful_overrides=overrides)
        return [r.rule for r in decide(US_NOW, request=sms(body, content_scores=scores)).reasons]

    assert scored(0.97, ()) == []
    assert scored(0.97, (("harassment", 0.98),)) == []
    assert scored(0.97, (("harassment", 0.95),)) == ["us-regf/sms.content"]


def test_an_sms_scam_warning_is_sent_however_sure_the_model_is() -> None:
    # The lexicon's scam-warning entry gives a lawful reading no score outranks (the head file's
    # lawful override, 0.8 here, does not reach it); impersonation itself is denied.
    def reasons(body: str) -> list[str]:
        scores = ContentScores(
            "en",
            "flagger@t",
            (("false_legal_threat", 0.97, 0.5),),
            lawful_overrides=(("false_legal_threat", 0.8),),
        )
        return [r.rule for r in decide(US_NOW, request=sms(body, content_scores=scores)).reasons]

    assert (
        reasons(
            "Scammers are impersonating police officers; we never ask for gift cards. Reply STOP to opt out."
        )
        == []
    )
    assert reasons("This is the county sheriff's office: pay today. Reply STOP to opt out.") == [
        "us-regf/sms.content"
    ]


def test_an_sms_model_finding_outscored_by_a_rival_is_dropped() -> None:
    body = "Your garden looks lovely this time of year. Reply STOP to opt out."

    def found(rivals: tuple[tuple[str, float], ...]) -> list[str]:
        scores = ContentScores(
            "en",
            "flagger@t",
            (("harassment", 0.95, 0.5), ("threat_violence", 0.6, 0.5)),
            rival_margins=rivals,
        )
        reasons = decide(US_NOW, request=sms(body, content_scores=scores)).reasons
        return sorted(f.category for r in reasons for f in r.findings)

    assert found(()) == ["harassment", "threat_violence"]
    assert found((("harassment", 0.2), ("threat_violence", 0.2))) == ["harassment"]
    assert found((("harassment", 0.4), ("threat_violence", 0.4))) == ["harassment", "threat_violence"]


def test_a_long_body_looks_for_the_lawful_reading_in_the_window_that_raised_the_category() -> None:
    # "We will never come to your house." reads as lawful harassment; in a long body whose
    # harassment score came from another window, it silences nothing there.
    far = "Funny how often the people in your building ask about you lately."
    body = f"We will never come to your house. The balance is $1,240. {far} Reply STOP to opt out."

    def scored(window: str) -> list[str]:
        scores = ContentScores(
            "en", "flagger@t", (("harassment", 0.9, 0.5),), windows=(("harassment", window),)
        )
        return [r.rule for r in decide(US_NOW, request=sms(body, content_scores=scores)).reasons]

    no_windows = ContentScores("en", "flagger@t", (("harassment", 0.9, 0.5),))
    assert decide(US_NOW, request=sms(body, content_scores=no_windows)).reasons == ()  # read whole
    assert scored(far) == ["us-regf/sms.content"]
    assert scored("We will never come to your house. The balance is $1,240.") == []


@pytest.mark.parametrize(
    ("body", "category"),
    [
        pytest.param("再不还钱我弄死你。Reply STOP to opt out.", "threat_violence", id="zh-under-en-pack"),
        pytest.param("이 병신아 돈 갚아. Reply STOP to opt out.", "insult_profanity", id="ko-under-en-pack"),
        pytest.param(
            "Dear customer, please remember the balance on your account is past due. 弄死你. "
            "Reply STOP to opt out.",
            "threat_violence",
            id="short-zh-inside-en",
        ),
    ],
)
def test_a_body_is_also_screened_in_its_own_script(body: str, category: str) -> None:
    # us-regf lists only English; a threat written in another language is not let through.
    d = decide(US_NOW, request=sms(body))
    assert [r.rule for r in d.reasons] == ["us-regf/sms.content"]
    (finding,) = [f for f in d.reasons[0].findings if f.category == category]
    assert finding.source == "lexicon"


def test_model_scores_of_a_body_in_an_unlisted_language_are_used() -> None:
    # The gateway scores the body in its script's language (zh); us-regf lists only en.
    body = "您的家人最近都还好吧，我们很关心。Reply STOP to opt out."
    scores = ContentScores("zh", "flagger@t", (("threat_violence", 0.97, 0.5),))
    d = decide(US_NOW, request=sms(body, content_scores=scores))
    assert [r.rule for r in d.reasons] == ["us-regf/sms.content"]
    assert [(f.category, f.source) for f in d.reasons[0].findings] == [("threat_violence", "model")]
    assert decide(US_NOW, request=sms(body)).reasons == ()


def test_a_lawful_body_in_an_unlisted_language_passes() -> None:
    assert decide(US_NOW, request=sms("我方将依法提起诉讼。Reply STOP to opt out.")).reasons == ()


@pytest.mark.parametrize(
    ("body", "denied"),
    [
        ("We will sue. Reply STOP to opt out", True),
        ("Pay today or face a lawsuit. Reply STOP to opt out", True),
        ("Reply STOP to opt out. Your account may be referred to our attorneys for litigation.", True),
        ("A judgment will be entered against you. Reply STOP to opt out", True),
        ("Because of the age of your debt, we will not sue you for it. Reply STOP to opt out", False),
        ("We cannot sue you for this debt because it is too old. Reply STOP to opt out", False),
        ("You will not face a lawsuit from us: the debt is too old. Reply STOP to opt out", False),
    ],
)
def test_a_threat_of_suit_on_a_time_barred_debt_is_denied_however_it_is_put(body: str, denied: bool) -> None:
    """A compliance officer's probe: "We will sue.", "face a lawsuit", "referred to our attorneys
    for litigation" and a judgment to be entered went to a time-barred debtor (12 CFR 1006.26(b)),
    while "We will sue you" was denied."""
    case = make_case(facts={"time_barred": True})
    d = decide(US_NOW, case=case, request=sms(body))
    assert [r.rule for r in d.reasons] == (["us-regf/sms.content"] if denied else []), d.reasons
    if denied:
        assert "false_legal_threat" in d.reasons[0].message
    # The same words on a debt that is not time-barred are a lawful statement of what may happen.
    assert decide(US_NOW, case=make_case(facts={"time_barred": False}), request=sms(body)).allowed
