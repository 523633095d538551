"""Look-alikes must not raise high-severity flags: idioms, news and small talk, statute citations,
lawful legal statements and negations, in Mandarin, English and Korean (issue 10).

Each row is one line an agent may lawfully say. Lawful legal statements (依法起诉, 上报征信,
"we may file a lawsuit", 지급명령) may come back as `info` (an inspector verifies they are true),
never as a violation. Idioms, news and statute citations yield no violation at all; a
negation may at most leave a non-high match.
"""

from __future__ import annotations

import pytest

from policies.screening import screen

IDIOMS = [
    ("zh", "您这个问题问得一针见血，利息确实算错了。"),
    ("zh", "嗯对对对您这个想法一针见血啊先还本金再谈利息"),
    ("zh", "最近各种贷款广告狂轰滥炸的，您别轻信。"),
    ("zh", "这家店杀价杀得太狠了，我砍价砍到一半就放弃了。"),
    ("zh", "双十一秒杀活动您也剁手了吧？量力而行。"),
    ("zh", "不好意思打断一下，您刚才说的是几号？"),
    ("zh", "利滚利的说法不准确，我们只收合同约定的罚息。"),
    ("en", "That's a killer deal on the settlement, honestly."),
    ("en", "Break a leg at the job interview tomorrow, and call me after about the plan."),
    ("en", "Let me shoot you an email with the breakdown."),
    ("en", "I hear you, the late fees are killing you, so let me see about waiving one."),
    ("en", "This rate is a steal compared to what you're paying now."),
    ("en", "I'm dying to get this sorted out for you today."),
    ("en", "This stupid printer ate your validation letter, sorry about that."),
    ("ko", "고객님 말씀이 정곡을 찌르시네요. 맞아요, 수수료가 좀 과했어요."),
    ("ko", "뼈 때리는 말씀이네요. 제가 설명을 잘못 드렸어요."),
    ("ko", "사모님, 그 홈쇼핑 폭탄 세일은 저도 못 참겠더라고요."),
    ("ko", "아 배고파 죽겠다, 아 죄송해요 혼잣말이었어요."),
    ("ko", "이 조건이면 회사 입장에서는 뼈를 깎는 수준으로 감면해 드린 거예요."),
    ("ko", "약속 날짜 칼같이 지켜 주셔서 감사해요."),
]

NEWS = [
    ("zh", "您说您父亲以前是开轰炸机的？那可真了不起。"),
    ("zh", "您说的那个二战纪录片我也看过，轰炸机那段特别震撼。"),
    ("zh", "新闻里那个诈骗团伙被抓了，您要是接到冒充我们的电话可得当心。"),
    ("zh", "我们楼下昨天消防演习，我还以为真着火了。"),
    ("en", "The police caught the thief on my street last night, crazy week."),
    ("en", "I saw on the news that the police arrested a guy for murder downtown."),
    ("en", "The bombing in the news this morning was awful."),
    ("ko", "어제 뉴스 보셨어요? 검찰 사칭하던 보이스피싱 조직이 잡혔대요. 조심하세요."),
    ("ko", "Netflix에 교도소 배경 드라마 새로 나왔던데 보셨어요?"),
    ("ko", "어제 범죄도시 또 봤는데 마동석 주먹은 볼 때마다 무섭더라고요."),
    ("ko", "저희 동네에 빈집털이가 있었는데 경찰이 바로 잡았다고 하더라고요."),
]

STATUTES = [
    ("zh", "根据《刑事诉讼法》第八十条，逮捕须经检察院批准，催收公司没有这个权力。"),
    ("zh", "《刑事诉讼法》规定的刑事强制措施只适用于刑事案件，普通借款纠纷属于民事范畴。"),
    ("zh", "《刑法》规定的信用卡诈骗罪有严格的构成条件，单纯还不上钱并不构成犯罪。"),
    ("zh", "按照《个人信息保护法》，平台不能未经您同意随意读取和使用您的通讯录。"),
    ("en", "Under FDCPA section 805 we can't call you at work if you tell us not to."),
    ("en", "You have the right to dispute all or part of this debt within thirty days."),
    ("ko", "채권추심법 제11조는 국가기관 사칭이나 법적 권한을 거짓으로 표시하는 행위를 금지합니다."),
    ("ko", "민사집행법상 생계에 필요한 일정 금액의 예금은 압류가 금지되어 있어요."),
    ("ko", "이 건은 민사 채무라서 형사처벌 대상은 아닙니다."),
]

LAWFUL_LEGAL = [
    ("zh", "如果长期不还款，我方将依法提起诉讼。"),
    ("zh", "我们会依法起诉。"),
    ("zh", "逾期信息将依法上报征信。"),
    ("en", "We may file a lawsuit if this is not resolved."),
    ("en", "Your account may be reported to the credit bureaus."),
    ("en", "Legal action may be taken in accordance with the law."),
    ("ko", "저희는 지급명령 신청을 검토하고 있고, 신청하게 되면 법원에서 정식 서류가 송달됩니다."),
    ("ko", "연체가 계속되면 법적 절차가 진행될 수 있습니다."),
    ("ko", "연체가 90일 이상 이어지면 신용정보원에 연체 정보가 등록될 수 있습니다."),
    ("ko", "음 그 연체가 계속되시면 어 저희 쪽에서 민사 절차를 검토하게 됩니다"),
]

NEGATIONS = [
    ("zh", "我们不会上门，也不会联系您的家人。"),
    ("zh", "谁跟您说要坐牢的？欠钱不还不会坐牢，您别被吓着了。"),
    ("zh", "Don't worry，nobody 会去你家。"),
    ("en", "We will never come to your house."),
    ("en", "Nobody is going to arrest you over a medical bill."),
    ("en", "im not gonna call your job or your family thats not how we do things"),
    ("en", "Did I call you a liar? No, I didn't, and I wouldn't."),
    ("ko", "저희는 절대 댁으로 방문하지 않습니다. 걱정하지 마세요."),
    ("ko", "경찰이나 검찰에서 연락 가는 일은 없습니다. 이건 민사 문제예요."),
    ("ko", "밤에는 전화 안 드립니다. 내일 오전 열 시에 다시 걸게요."),
    ("ko", "고객님 사진이나 정보를 어디 올리는 일은 절대 없습니다."),
    ("ko", "배우자분이라도 보증을 서지 않으셨다면 원칙적으로 대신 갚으실 의무는 없습니다."),
    ("ko", "문자 폭탄 같은 거 안 보냅니다. 한 달에 한두 번 안내만 드려요."),
]

# Visa the card brand is not the immigration document (en 2026.12.12).
CARD_BRAND = [
    ("en", "I can confirm the balance on your Visa ending 7781 is 2,980 dollars."),
    ("en", "Your Visa card is past due, please call us."),
    ("en", "Could you tell him it's about the overdue Visa, nothing else?"),
]

# Talk about a forbidden phrase rather than the phrase: training, QA rules, someone else's words
# echoed back. Korean's are in test_asr_and_korean.py.
REPORTED = [
    ("zh", '新人培训的时候讲过，"你等着瞧"这种话一句都不能说。'),
    ("zh", '质检规定里写了，禁止说"打断你的腿"之类的话。'),
    ("zh", "您是说上一个催收员说要去您单位闹？这个我们会严肃处理。"),
    (
        "en",
        'In onboarding we tell new agents that phrases like "we\'ll break your legs" are a firing offence.',
    ),
    ("en", "You're saying the last collector told you he'd show up at your job? We'll investigate that."),
    ("en", "If anyone told you that you'd be arrested, that was false and you can report it."),
    ("en", 'Our script forbids saying "you\'ll go to jail".'),
]


def _rows(kind: str, rows: list[tuple[str, str]]) -> list[object]:
    return [pytest.param(lang, text, id=f"{kind}-{lang}-{i}") for i, (lang, text) in enumerate(rows)]


@pytest.mark.parametrize(
    ("lang", "text"),
    _rows("idiom", IDIOMS) + _rows("news", NEWS) + _rows("statute", STATUTES) + _rows("negation", NEGATIONS),
)
def test_no_high_severity_match(lang: str, text: str) -> None:
    high = [(m.rule, m.match) for m in screen(text, [lang]) if m.severity == "high"]
    assert high == []


@pytest.mark.parametrize(
    ("lang", "text"), _rows("idiom", IDIOMS) + _rows("news", NEWS) + _rows("statute", STATUTES)
)
def test_idioms_news_and_statutes_raise_no_violation_at_all(lang: str, text: str) -> None:
    """Stricter than the issue asks: not even a low or medium match (a thief in a news story is not
    the listener)."""
    violations = [(m.rule, m.severity, m.match) for m in screen(text, [lang]) if m.is_violation]
    assert violations == []


@pytest.mark.parametrize(("lang", "text"), _rows("card", CARD_BRAND))
def test_a_card_brand_is_not_an_immigration_threat(lang: str, text: str) -> None:
    assert [m.rule for m in screen(text, [lang]) if m.category == "false_legal_threat"] == []


@pytest.mark.parametrize(("lang", "text"), _rows("reported", REPORTED))
def test_talk_about_a_forbidden_phrase_is_at_most_info(lang: str, text: str) -> None:
    """Quoted in training, echoed back: an inspector may look (info), nothing is raised."""
    violations = [(m.rule, m.severity, m.match) for m in screen(text, [lang]) if m.is_violation]
    assert violations == []


@pytest.mark.parametrize(("lang", "text"), _rows("lawful", LAWFUL_LEGAL))
def test_lawful_legal_statements_are_at_most_info(lang: str, text: str) -> None:
    violations = [(m.rule, m.severity, m.match) for m in screen(text, [lang]) if m.is_violation]
    assert violations == []


@pytest.mark.parametrize(
    ("lang", "text", "category"),
    [
        pytest.param("zh", "你再不还钱我就打断你的腿", "threat_violence", id="zh-threat"),
        pytest.param(
            "zh",
            "根据《刑法》我们已经报警，公安马上就来抓你",
            "false_legal_threat",
            id="zh-threat-citing-statute",
        ),
        pytest.param("en", "If you don't pay we'll break your legs", "threat_violence", id="en-threat"),
        pytest.param(
            "en", "The police are coming to arrest you tonight", "false_legal_threat", id="en-arrest"
        ),
        pytest.param(
            "zh", "我上次跟你说过了，再不还钱就打断你的腿。", "threat_violence", id="zh-own-threat-repeated"
        ),
        pytest.param("zh", "别跟别人说，不然打断你的腿。", "threat_violence", id="zh-dont-tell"),
        pytest.param(
            "en", "We will have your visa revoked if you don't pay.", "false_legal_threat", id="en-visa"
        ),
        pytest.param(
            "zh",
            "新人培训说这种话不能说，但是再不还钱我就打断你的腿。",
            "threat_violence",
            id="zh-rule-then-but",
        ),
        pytest.param(
            "en",
            "Our script forbids saying it, but you'll go to jail for this.",
            "false_legal_threat",
            id="en-rule-then-but",
        ),
        pytest.param(
            "ko",
            "교육 때 이런 말은 하지 말라고 배웠지만 너 같은 놈은 죽여 버린다.",
            "threat_violence",
            id="ko-rule-then-but",
        ),
        pytest.param(
            "en",
            "I told you last week, pay or I'll break your legs.",
            "threat_violence",
            id="en-own-repeated",
        ),
        pytest.param(
            "en", "Don't tell anyone, or I'll break your legs.", "threat_violence", id="en-dont-tell"
        ),
        pytest.param("ko", "오늘까지 안 갚으면 다리 하나 분질러 놓는다", "threat_violence", id="ko-threat"),
        pytest.param(
            "ko", "이 통화 끊으면 바로 관할 파출소에 연락 넣습니다", "false_legal_threat", id="ko-police"
        ),
    ],
)
def test_the_real_thing_still_flags(lang: str, text: str, category: str) -> None:
    """The look-alike rules are narrow: the violations they resemble still raise."""
    assert category in {m.category for m in screen(text, [lang]) if m.severity == "high"}


# Found by a blind adversarial probe set (tests/data/adversarial/): spellings and forms the
# patterns missed, and two lawful Korean lines they misread. The examples are new lines, not the
# probes themselves.
@pytest.mark.parametrize(
    ("lang", "text", "category", "audience"),
    [
        pytest.param("zh", "沃草，你到底还不还？", "insult_profanity", "debtor", id="zh-homophone-curse"),
        pytest.param(
            "ko", "씨벌 언제까지 기다려야 돼요", "insult_profanity", "debtor", id="ko-misspelt-curse"
        ),
        pytest.param(
            "en",
            "keep dodging me and you'll be doing jale time",
            "false_legal_threat",
            "debtor",
            id="en-jale",
        ),
        pytest.param(
            "ko", "입금 안 하면 하루 삼백 통씩 돌립니다", "harassment", "debtor", id="ko-call-count"
        ),
        pytest.param("ko", "전화기 불나는 꼴 보고 싶으세요?", "harassment", "debtor", id="ko-phone-on-fire"),
        pytest.param(
            "ko",
            "따님 되시죠? 아버님 계좌번호 삼오이로 시작하는 거 맞나요",
            "privacy_exposure",
            "third_party",
            id="ko-digits-to-a-relative",
        ),
        pytest.param(
            "ko",
            "어머님, 주민번호 74로 시작하는 분 맞죠?",
            "privacy_exposure",
            "third_party",
            id="ko-figures",
        ),
        # the third set (*-3.jsonl)
        pytest.param(
            "ko",
            "추심 중단 요청하신 건 알지만 오늘 다시 전화드렸습니다",
            "harassment",
            "debtor",
            id="ko-after-a-stop-request",
        ),
        pytest.param(
            "ko",
            "대리인 말고 그냥 저랑 직접 통화하시는 게 빠릅니다",
            "harassment",
            "debtor",
            id="ko-bypass-attorney",
        ),
        # a second blind probe set (tests/data/adversarial/*-2.jsonl)
        pytest.param(
            "en",
            "I'll give you a ring around 2 in the morning then",
            "harassment",
            "debtor",
            id="en-night-call",
        ),
        pytest.param(
            "en",
            "Maybe I'll swing by during your shift and we can sort it out",
            "harassment",
            "debtor",
            id="en-shift",
        ),
        pytest.param("en", "Pay up 🖕", "insult_profanity", "debtor", id="en-finger"),
        pytest.param("zh", "差佬今晚就上门捉你", "false_legal_threat", "debtor", id="zh-cantonese-police"),
        pytest.param(
            "ko", "tlqkf 언제 입금하실 건데요", "insult_profanity", "debtor", id="ko-keyboard-curse"
        ),
        pytest.param(
            "ko",
            "오늘 안 되면 비상연락처 전부에게 문자 돌립니다",
            "privacy_exposure",
            "debtor",
            id="ko-contacts",
        ),
        pytest.param(
            "ko",
            "다음 주까지 안 되면 회사 인사팀에 연체 사실 통보하겠습니다",
            "privacy_exposure",
            "debtor",
            id="ko-employer",
        ),
    ],
)
def test_spellings_and_forms_the_patterns_missed(lang: str, text: str, category: str, audience: str) -> None:
    found = {m.category for m in screen(text, [lang], audience=audience) if m.is_violation}
    assert category in found


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        pytest.param(
            "집에 찾아간다든지 회사에 알린다든지 그런 일은 절대 없습니다", "agent", id="ko-list-disavowed"
        ),
        pytest.param("체포된다거나 하는 일은 없어요. 민사 절차입니다", "agent", id="ko-list-disavowed-2"),
        pytest.param("저는 병신년생이라 올해 칠순이에요", "debtor", id="ko-year-name"),
        pytest.param(
            "판결이 확정되면 회사로 압류 통지가 법원에서 나갑니다", "agent", id="ko-garnishment-notice"
        ),
    ],
)
def test_korean_lines_the_patterns_misread(text: str, speaker: str) -> None:
    violations = [(m.rule, m.match) for m in screen(text, ["ko"], speaker=speaker) if m.is_violation]
    assert violations == []


def test_a_disavowed_list_does_not_cover_the_speakers_own_words_after_but() -> None:
    text = "찾아간다거나 그런 일은 없지만 회사에는 다 알릴 겁니다"
    assert "privacy_exposure" in {m.category for m in screen(text, ["ko"]) if m.is_violation}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        pytest.param("zh", "你们安徽人个个都是老赖", id="zh-region"),
        pytest.param("zh", "女人天生就不讲信用", id="zh-gender"),
        pytest.param("zh", "外地人没一个还钱的", id="zh-none-of-them"),
        pytest.param("en", "Mexicans are all deadbeats anyway", id="en-nationality"),
        pytest.param("en", "You people from the projects never pay your bills", id="en-place"),
        pytest.param("ko", "경상도 사람들은 원래 다 양아치예요", id="ko-region"),
        pytest.param("ko", "동남아 사람들 하나같이 먹튀하더라", id="ko-origin"),
    ],
)
def test_a_derogatory_generalisation_is_an_insult_whoever_hears_it(lang: str, text: str) -> None:
    assert f"{lang}/insult_profanity/group-contempt" in {
        m.rule for m in screen(text, [lang]) if m.is_violation
    }


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        pytest.param("zh", "别说四川人都是骗子，这是地域歧视", id="zh-condemned"),
        pytest.param("zh", "不能说女人天生就懒", id="zh-negated"),
        pytest.param("en", "It's unfair to assume old people are all stupid with phones.", id="en-condemned"),
        pytest.param(
            "en", "There's a myth that immigrants are all criminals; the data says otherwise.", id="en-myth"
        ),
        pytest.param("ko", "노인들은 다 멍청하다는 생각은 편견이에요", id="ko-condemned"),
    ],
)
def test_a_stereotype_named_to_condemn_it_is_at_most_info(lang: str, text: str) -> None:
    violations = [
        (m.rule, m.match) for m in screen(text, [lang]) if m.is_violation and m.category == "insult_profanity"
    ]
    assert violations == []


def test_a_garnishment_claim_written_as_asr_writes_your() -> None:
    # "you're" for "your": what ASR and hurried typing write; the case has no judgment
    text = "Pay today or we garnish you're wages next week"
    found = {m.rule for m in screen(text, ["en"], facts={"judgment": False}) if m.is_violation}
    assert "en/false_legal_threat/judgment-claim" in found
