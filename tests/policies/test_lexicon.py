"""Lexicon files: loading, validation errors (file, key, problem), pattern syntax, bundled data."""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from pathlib import Path

import pytest

from policies.lexicon import BUNDLED_LANGUAGES, FACTS, expand_pattern, fold, normalise, parse_lexicon
from policies.screening import (
    LEXICON_CATEGORIES,
    LexiconError,
    Matcher,
    load_lexicon,
    matcher_for,
    model_may_veto,
    rule_citation,
    screen,
    without_context,
)
from policies.semantic.combine import lexicon_view

GOOD = """
[lexicon]
language = "en"
version = "1"

[[entry]]
id = "kill"
category = "threat_violence"
severity = "high"
patterns = ["kill you"]
"""


ADDRESS = """
[address]
id = "aimed"
before = ["\\\\byou "]
citation = "Agent protection"
"""


def with_entry(extra: str) -> str:
    return GOOD + extra


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        pytest.param("[lexicon\n", "", "invalid TOML", id="bad-toml"),
        pytest.param("[[entry]]\nid='a'", "lexicon", "required table [lexicon] is missing", id="no-header"),
        pytest.param(GOOD + "\n[extra]\n", "extra", "unknown key", id="unknown-top-level"),
        pytest.param(
            GOOD.replace('version = "1"', 'version = "1"\nauthor = "me"'),
            "lexicon.author",
            "unknown key",
            id="unknown-header-key",
        ),
        pytest.param(GOOD.replace('language = "en"\n', ""), "lexicon.language", "required", id="no-language"),
        pytest.param(GOOD.replace('"en"', '"english"'), "lexicon.language", "2-3 letter", id="bad-language"),
        pytest.param(
            GOOD.replace('version = "1"', "version = 1"),
            "lexicon.version",
            "must be a string",
            id="version-not-string",
        ),
        pytest.param(
            GOOD.replace('version = "1"', 'version = "1"\nword_boundaries = "yes"'),
            "lexicon.word_boundaries",
            "true or false",
            id="bad-bool",
        ),
        pytest.param(
            GOOD.replace('version = "1"', 'version = "1"\nmax_gap = 0'),
            "lexicon.max_gap",
            "integer from 1 to 40",
            id="gap-range",
        ),
        pytest.param(
            GOOD.replace('version = "1"', 'version = "1"\ndebtor_abuse_categories = ["abuse_by_debtor"]'),
            "lexicon.debtor_abuse_categories",
            "is not one of",
            id="abuse-from-abuse",
        ),
        pytest.param(
            GOOD + "\n[negation]\ncues = ['not']\nwindow = 3\n",
            "negation.window",
            "unknown key",
            id="negation-unknown-key",
        ),
        pytest.param(
            GOOD + "\n[negation]\ncues = 'not'\nscope = 99\n",
            "negation.scope",
            "1 to 60",
            id="negation-scope",
        ),
        pytest.param(
            GOOD + "\n[negation]\ncues = ['!!', '   ']\n",
            "negation.cues",
            "empty once normalised",
            id="negation-empty",
        ),
        pytest.param(
            GOOD + "\n[[allow]]\nid = 'x'\npatterns = ['a']\ncategories = ['rude']\n",
            "allow[0] 'x'.categories",
            "'rude' is not one of",
            id="allow-category",
        ),
        pytest.param(
            GOOD + "\n[[allow]]\nid = 'x'\n", "allow[0] 'x'.patterns", "required", id="allow-patterns"
        ),
        pytest.param(
            GOOD + "\n[[allow]]\nid = 'x'\npatterns = ['a']\nbreaks = ['but']\n",
            "allow[0] 'x'.breaks",
            "only a context",
            id="breaks-need-a-context",
        ),
        pytest.param(
            GOOD.replace('severity = "high"', 'severity = "severe"'),
            "entry[0] 'kill'.severity",
            "must be one of info, low, medium, high",
            id="bad-severity",
        ),
        pytest.param(
            GOOD.replace('category = "threat_violence"', 'category = "rudeness"'),
            "entry[0] 'kill'.category",
            "must be one of",
            id="bad-category",
        ),
        pytest.param(
            GOOD.replace('category = "threat_violence"', 'category = "missing_disclosure"'),
            "entry[0] 'kill'.category",
            "must be one of",
            id="missing-disclosure-not-lexical",
        ),
        pytest.param(
            with_entry('colour = "red"\n'), "entry[0] 'kill'.colour", "unknown key", id="unknown-entry-key"
        ),
        pytest.param(
            with_entry('speaker = "debtor"\n'),
            "entry[0] 'kill'.speaker",
            "raised for speaker 'agent'",
            id="speaker-vs-category",
        ),
        pytest.param(
            with_entry('speaker = "caller"\n'),
            "entry[0] 'kill'.speaker",
            "must be one of agent, debtor",
            id="bad-speaker",
        ),
        pytest.param(
            with_entry('audience = "boss"\n'), "entry[0] 'kill'.audience", "must be one of", id="bad-audience"
        ),
        pytest.param(
            with_entry('requires_fact = "bankrupt"\n'),
            "entry[0] 'kill'.requires_fact",
            "must be one of " + ", ".join(FACTS),
            id="unknown-fact",
        ),
        pytest.param(
            with_entry("fact_value = false\n"),
            "entry[0] 'kill'.fact_value",
            "only meaningful",
            id="fact-value-alone",
        ),
        pytest.param(
            with_entry('requires_fact = "judgment"\nfact_value = "no"\n'),
            "entry[0] 'kill'.fact_value",
            "true or false",
            id="fact-value-type",
        ),
        pytest.param(
            with_entry("negatable = 1\n"), "entry[0] 'kill'.negatable", "true or false", id="negatable"
        ),
        pytest.param(
            GOOD.replace('patterns = ["kill you"]', "patterns = []"),
            "entry[0] 'kill'.patterns",
            "must not be empty",
            id="no-patterns",
        ),
        pytest.param(
            GOOD.replace('patterns = ["kill you"]', "patterns = [1]"),
            "entry[0] 'kill'.patterns",
            "list of strings",
            id="pattern-type",
        ),
        pytest.param(
            GOOD.replace('"kill you"', '"kill (you|him"'),
            "entry[0] 'kill'.patterns",
            "unbalanced",
            id="unbalanced",
        ),
        pytest.param(
            GOOD.replace('"kill you"', '"kill (you|(him|her))"'),
            "entry[0] 'kill'.patterns",
            "unbalanced or nested",
            id="nested",
        ),
        pytest.param(
            GOOD.replace('"kill you"', '"kill you?"'),
            "entry[0] 'kill'.patterns",
            "not a regular",
            id="regex-syntax",
        ),
        pytest.param(
            GOOD.replace('"kill you"', '"kill [a-z]"'),
            "entry[0] 'kill'.patterns",
            "character ranges",
            id="char-range",
        ),
        pytest.param(
            GOOD.replace('"kill you"', '"kill *"'), "entry[0] 'kill'.patterns", "empty part", id="gap-at-end"
        ),
        pytest.param(
            GOOD.replace('"kill you"', '"(a|b|c|d)(a|b|c|d)(a|b|c|d)(a|b|c|d)(a|b|c|d)(a|b|c|d)(a|b|c)"'),
            "entry[0] 'kill'.patterns",
            "expands to 12288 variants",
            id="too-many-variants",
        ),
        pytest.param(with_entry("allow = ['(x']\n"), "entry[0] 'kill'.allow", "unbalanced", id="bad-allow"),
        pytest.param(
            GOOD + GOOD.split("[lexicon]", 1)[1].split("\n\n", 1)[1],
            "entry[1].id",
            "duplicate id 'kill'",
            id="duplicate-id",
        ),
        pytest.param(
            GOOD.replace('id = "kill"', 'id = "Kill You"'), "entry[0].id", "lower-case", id="bad-id"
        ),
        pytest.param(GOOD.split("[[entry]]")[0], "entry", "at least one", id="no-entries"),
        pytest.param(
            "entry = 3\n" + GOOD.split("[[entry]]")[0], "entry", "array of tables", id="entry-not-table"
        ),
        pytest.param("allow = 'x'\n" + GOOD, "allow", "array of tables", id="allow-not-table"),
        pytest.param(GOOD + ADDRESS + "odd = 1\n", "address.odd", "unknown key", id="address-unknown-key"),
        pytest.param(
            GOOD + ADDRESS.replace('"\\\\byou "', '"(you"'),
            "address.before",
            "invalid regular expression",
            id="address-bad-cue",
        ),
        pytest.param(
            GOOD + ADDRESS.replace('citation = "Agent protection"', ""),
            "address.citation",
            "cite",
            id="address-no-citation",
        ),
        pytest.param(
            GOOD + ADDRESS.replace("before", "reported"), "address.before", "needs", id="address-no-cues"
        ),
        pytest.param(
            GOOD + ADDRESS + 'within = ["(you"]\n',
            "address.within",
            "invalid regular expression",
            id="address-bad-within",
        ),
        pytest.param(
            GOOD + ADDRESS.replace('id = "aimed"', 'id = "kill"'),
            "address",
            "duplicate id",
            id="address-dup-id",
        ),
        pytest.param(
            GOOD.replace('severity = "high"', 'severity = "high"\nmodel_override = false'),
            "entry[0] 'kill'.model_override",
            "only an info entry",
            id="violation-entry-refuses-override",
        ),
    ],
)
def test_validation_errors_name_file_key_problem(text: str, key: str, problem: str) -> None:
    with pytest.raises(LexiconError) as info:
        parse_lexicon(text, "x.toml")
    err = info.value
    assert err.file == "x.toml"
    assert err.key == key
    assert problem in err.problem
    assert str(err).startswith("x.toml: ")


def test_load_by_path_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "custom.toml"
    path.write_text(GOOD, encoding="utf-8")
    lex = load_lexicon(path)
    assert (lex.language, lex.version, lex.tag, lex.source) == ("en", "1", "en@1", "custom.toml")
    assert lex.entries[0].rule == "en/threat_violence/kill"
    path.write_text(GOOD.replace("high", "extreme"), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"custom\.toml: entry\[0\] 'kill'\.severity"):
        load_lexicon(str(path))
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon(tmp_path / "absent.toml")
    with pytest.raises(LexiconError, match="no bundled lexicon"):
        load_lexicon("fr")


def test_entry_defaults() -> None:
    lex = parse_lexicon(
        GOOD
        + """
[[entry]]
id = "owes"
category = "third_party_disclosure"
severity = "high"
patterns = ["owes us"]

[[entry]]
id = "vulture"
category = "abuse_by_debtor"
severity = "low"
patterns = ["vulture"]
""",
        "x.toml",
    )
    kill, owes, vulture = lex.entries
    assert (kill.speaker, kill.audience, kill.negatable, kill.requires_fact) == ("agent", "any", True, None)
    assert kill.model_veto  # the model weighs a hit in context unless the entry says otherwise
    assert (owes.speaker, owes.audience) == ("agent", "third_party")
    assert (vulture.speaker, vulture.audience) == ("debtor", "any")
    assert lex.word_boundaries
    assert lex.max_gap == 3
    assert lex.negation.scope == 6


@pytest.mark.parametrize(
    ("pattern", "variants"),
    [
        pytest.param("kill you", [("kill you",)], id="literal"),
        pytest.param("Kill  You", [("kill you",)], id="normalised"),
        pytest.param("leg[s]", [("leg",), ("legs",)], id="optional"),
        pytest.param("(break|broke) * leg", [("break", "leg"), ("broke", "leg")], id="alternation-gap"),
        pytest.param("kill(|ing)", [("kill",), ("killing",)], id="empty-branch"),
        pytest.param("won't", [("won't",), ("wont",)], id="apostrophe-optional"),
        pytest.param("打断*腿", [("打断", "腿")], id="cjk-gap"),
        pytest.param("打 断", [("打断",)], id="cjk-spaces"),
        pytest.param("ＫＩＬＬ", [("kill",)], id="full-width"),
    ],
)
def test_expand_pattern(pattern: str, variants: list[tuple[str, ...]]) -> None:
    assert expand_pattern(pattern) == variants


def _expanded_variant_by_variant(pattern: str) -> list[tuple[str, ...]]:
    """The expansion as written before alternatives were folded once each: every variant
    normalised whole."""
    pieces: list[list[str]] = []
    pos = 0
    for m in re.finditer(r"\(([^()\[\]]*)\)|\[([^()\[\]]*)\]", pattern):
        pieces.append([pattern[pos : m.start()]])
        pieces.append(m.group(1).split("|") if m.group(1) is not None else ["", m.group(2)])
        pos = m.end()
    pieces.append([pattern[pos:]])
    out: list[tuple[str, ...]] = []
    for combo in itertools.product(*pieces):
        raw = "".join(combo)
        for text in (raw, raw.replace("'", "")) if "'" in raw else (raw,):
            parts = tuple(normalise(p) for p in text.split("*"))
            if parts not in out:
                out.append(parts)
    return out


def _bundled_patterns() -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("patterns", "allow", "unless") and isinstance(value, list):
                    found.extend(v for v in value if isinstance(v, str))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for lang in BUNDLED_LANGUAGES:
        walk(
            tomllib.loads(
                (Path(__file__).resolve().parents[2] / "policies" / "lexicons" / f"{lang}.toml").read_text(
                    encoding="utf-8"
                )
            )
        )
    return found


@pytest.mark.no_cover  # the reference normalises a million variants one by one
def test_every_bundled_pattern_expands_as_each_variant_normalised_whole() -> None:
    """Folding each alternative once (the fast path) gives what normalising every variant gave:
    every pattern of the bundled lexicons, and the cases where folding is not per character."""
    patterns = [
        *_bundled_patterns(),
        "Mr. (Smith|Jones)'s (wife|husband)",  # a title's full stop: the whole variant is folded
        "(won’t|won't) (pay|call)",  # a curly apostrophe folds to ' but is not optional
        "(ＫＩＬＬ|İstanbul) (you|ya)",
        "(打 |打)断 (你|您) 的腿",
        "(a |a  )(b| c)",
    ]
    assert len(patterns) > 3000
    for pattern in patterns:
        assert expand_pattern(pattern) == _expanded_variant_by_variant(pattern), pattern


def test_fold_keeps_length() -> None:
    text = "ＡＢＣ　“don’t” – İstanbul\u00a0ﬁ 你好，世界！"
    assert len(fold(text)) == len(text)
    assert fold("ＡＢＣ，！") == "abc,!"
    assert fold("don’t") == "don't"
    assert normalise("  a  \u3000 b ") == "a b"


def test_a_titles_full_stop_does_not_end_the_clause() -> None:
    # "Mrs. Fenwick, since you're Mr. Fenwick's wife": the stops after titles before a capitalised
    # name are not sentence ends, so the spouse's reading spans the name; other stops stay.
    assert fold("Mrs. Fenwick, Dr. Lee") == "mrs  fenwick, dr  lee"
    assert fold("I saw the dr. then paid.") == "i saw the dr. then paid."
    assert fold("I saw Dr.") == "i saw dr."
    text = "Mrs. Fenwick, since you're Mr. Fenwick's wife I can discuss his account with you."
    found = screen(text, ["en"], audience="third_party")
    assert "en/third_party_disclosure/spouse-listener" in {m.rule for m in found}
    assert not [m for m in found if m.is_violation]


@pytest.mark.parametrize("lang", ["en", "zh", "ko"])
def test_bundled_lexicons(lang: str) -> None:
    lex = load_lexicon(lang)
    assert lex.language == lang
    assert lex.version
    assert lex.description
    assert load_lexicon(lang) is lex, "bundled lexicons are parsed once"
    by_cat: dict[str, int] = {}
    for e in lex.entries:
        assert e.citation, f"{e.rule} has no citation"
        by_cat[e.category] = by_cat.get(e.category, 0) + sum(len(expand_pattern(p)) for p in e.patterns)
    assert set(by_cat) == set(LEXICON_CATEGORIES)
    for cat, n in by_cat.items():
        assert n >= 20, f"{lang} {cat}: only {n} pattern variants"


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("Nobody is going to hurt you... yet.", "en", "threat_violence"),
        ("We won't come to your house for now.", "en", "harassment"),
        ("We won't contact your employer just yet.", "en", "privacy_exposure"),
        ("我们暂时不会上门找你", "zh", "harassment"),
        ("这次先不上门，下次就不好说了", "zh", "harassment"),
        ("아직은 집으로 안 찾아갑니다", "ko", "harassment"),
        ("We would never hurt your kids... unless you keep ignoring us.", "en", "threat_violence"),
        ("Nobody will hurt you, unless you don't pay by Friday.", "en", "threat_violence"),
        ("我们不会打断你的腿，除非你一直不还", "zh", "threat_violence"),
    ],
)
def test_a_revoker_takes_the_negation_back(text: str, lang: str, category: str) -> None:
    # The harm is postponed, not ruled out: `revokers` in the lexicon's [negation].
    assert category in {m.category for m in screen(text, [lang]) if m.is_violation}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Nobody is going to hurt you.", "en"),
        ("We won't hurt you. Yet we do need the payment by Friday.", "en"),  # "yet" opening a sentence
        ("We're not going to keep calling after today if you want us to stop.", "en"),
        ("我们不会上门找你", "zh"),
        ("您放心 没有什么全家上黑名单这回事", "zh"),  # 这回事 is not 这回不
        ("我们不会说您是老赖，您只是暂时遇到困难", "zh"),  # 暂时 describing the debtor
        ("We won't come to your house unless you ask us to.", "en"),  # a condition the debtor sets
        ("We won't call your employer unless you authorise it in writing.", "en"),
        ("我们不会上门，除非您本人同意", "zh"),
    ],
)
def test_negations_without_a_revoker_still_hold(text: str, lang: str) -> None:
    assert not [m for m in screen(text, [lang]) if m.is_violation]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Pay now 🔪🔪🔪", "en"), ("pay up or ☠️", "en"), ("再不还钱 🔪", "zh"), ("돈 갚아 🔫", "ko")],
)
def test_weapon_emoji_are_menace_for_an_inspector(text: str, lang: str) -> None:
    hits = [m for m in screen(text, [lang]) if m.is_violation]
    assert {(m.category, m.severity) for m in hits} == {("threat_violence", "medium")}
    assert all(m.rule == f"{lang}/threat_violence/weapon-emoji" and m.match in text for m in hits)


def test_friendly_emoji_raise_nothing() -> None:
    assert screen("Thanks for the payment 👍 have a great weekend 😊🎉", ["en", "zh", "ko"]) == []


@pytest.mark.parametrize(
    ("text", "threat"),
    [
        ("I'll cut you, I swear.", True),
        ("gonna cut ya if you don't pay", True),
        ("I'll cut you a deal on the settlement.", False),
        ("We can cut you some slack this month.", False),
        ("I'll cut you off if you keep yelling.", False),
    ],
)
def test_cut_you_is_a_knife_only_without_a_deal(text: str, threat: bool) -> None:
    hits = {m.category for m in screen(text, ["en"]) if m.is_violation}
    assert ("threat_violence" in hits) is threat, hits


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Pay up or else.", "threat_violence"),
        ("You better pay or else!", "threat_violence"),
        ("Go back to your country.", "insult_profanity"),
        ("just go back where you came from", "insult_profanity"),
        ("Go back to your own country, you bum.", "insult_profanity"),
        ("Pay by Friday, or the balance may go to our legal team.", None),
        ("Or else we can set up a plan over three months.", None),
        ("When did you go back to your country for the holidays?", None),
        ("Are you planning to go back to your country next year?", None),
    ],
)
def test_or_else_and_go_back_to_your_country(text: str, category: str | None) -> None:
    # Lexicons 2026.12.2: the imperatives raised nothing from the lexicon or the model; a question
    # about going home is an allowed look-alike.
    hits = {m.category for m in screen(text, ["en"]) if m.is_violation}
    assert (category in hits) if category else not hits, hits


@pytest.mark.parametrize(
    ("text", "lang", "threat"),
    [
        # Lexicons en 2026.12.5, zh 2026.12.4, ko 2026.12.3: blunt physical threats that the
        # model scored under its threshold and no entry named (threat_violence is never vetoed,
        # so the lexicon must carry them).
        ("I'll set your house on fire.", "en", True),
        ("We'll throw acid in your face.", "en", True),
        ("I'll rip your head off.", "en", True),
        ("We'll cut your fingers off.", "en", True),
        ("We'll run you over.", "en", True),
        ("I'll kick your door in tonight.", "en", True),
        ("I'll poison your dog.", "en", True),
        ("I'll break every bone in your body.", "en", True),
        ("I'll smash every window in that car.", "en", True),
        ("I'll choke the life out of you.", "en", True),
        ("imma pop you if you dont pay", "en", True),
        ("we'll cave your head in with a bat", "en", True),
        ("you'll get a bullet in your head", "en", True),
        ("we'll tie you up and throw you in the lake", "en", True),
        ("I'll take a hammer to your car", "en", True),
        ("往你脸上泼硫酸", "zh", True),
        ("我砸烂你的车", "zh", True),
        ("我会一拳打在你脸上", "zh", True),
        ("我把你打得半身不遂", "zh", True),
        ("我一刀剁了你", "zh", True),
        ("我开车把你撞飞", "zh", True),
        ("我拿砖头拍你", "zh", True),
        ("把你绑了扔河里", "zh", True),
        ("我把你儿子绑走", "zh", True),
        ("今晚去你家放把火", "zh", True),
        ("分分钟让你进ICU", "zh", True),
        ("我给你脑袋开个瓢", "zh", True),
        ("얼굴에 염산 뿌린다", "ko", True),
        ("온몸의 뼈를 다 부숴버릴 거야", "ko", True),
        ("얼굴에 주먹 한 방 날려줄까", "ko", True),
        ("벽돌로 머리 찍어버린다", "ko", True),
        ("눈깔 파버린다", "ko", True),
        ("칼빵 놓는다 진짜", "ko", True),
        ("총으로 쏴버린다", "ko", True),
        ("니네 강아지 독약 먹인다", "ko", True),
        ("확 차로 받아버린다", "ko", True),
        ("니 면상 뭉개버린다", "ko", True),
        # Their look-alikes.
        ("That's a cracking offer. I'd snap their hand off if I were you.", "en", False),
        ("I broke my wrist falling off a ladder, that's why I missed work.", "en", False),
        ("Let me run you over the details of the plan.", "en", False),
        ("I'll pop you an email with the payment link.", "en", False),
        ("We can put a hold on your account while you dispute it.", "en", False),
        ("We will never kick your door in or touch your car.", "en", False),
        ("我们明天上午上门清点你的家产。", "zh", False),
        ("那我帮你看着点你家孩子。", "zh", False),
        ("我开车去接孩子，顺路把文件送过去。", "zh", False),
        ("周末在家里拍砖头做的花坛，挺好看。", "zh", False),
        ("我爸上周住进ICU了，所以这个月晚了几天。", "zh", False),
        ("这个西瓜一开瓢就知道熟没熟。", "zh", False),
        ("이번 분기 실적은 완전 박살 났어요.", "ko", False),
        ("이 집은 벽돌로 지어서 겨울에도 따뜻해요.", "ko", False),
        ("요즘 배그에서 총 쏘는 게 제 유일한 낙이에요", "ko", False),
        ("오늘 점심은 제가 쏠게요", "ko", False),
    ],
)
def test_blunt_physical_threats_and_their_look_alikes(text: str, lang: str, threat: bool) -> None:
    hits = {m.category for m in screen(text, [lang]) if m.is_violation}
    assert ("threat_violence" in hits) is threat, hits


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        # en 2026.12.6, zh 2026.12.5, ko 2026.12.4: harm named as the price of not paying, people
        # "who don't use the phone", and a collector waiting outside; each beside its look-alike.
        ("Pay the balance and nobody has to get hurt.", "en", "threat_violence"),
        ("Settle this before somebody gets hurt.", "en", "threat_violence"),
        ("We're coming for your kids first.", "en", "threat_violence"),
        ("My associate will stop by with a crowbar.", "en", "threat_violence"),
        ("The next one won't be a phone call.", "en", "threat_violence"),
        ("They don't send letters, they send people.", "en", "threat_violence"),
        ("Things could get physical if you keep dodging us.", "en", "threat_violence"),
        ("People who owe my boss end up in the ER.", "en", "threat_violence"),
        ("We know your daily routine, Mr. Cole.", "en", "threat_violence"),
        ("I'm sitting right outside your house.", "en", "harassment"),
        ("One week. Then your employer hears about it.", "en", "privacy_exposure"),
        ("I could DM your whole follower list tonight.", "en", "privacy_exposure"),
        ("Sweetie, I know reading is hard for you.", "en", "insult_profanity"),
        ("Then your employer hears nothing from us; we never contact employers.", "en", None),
        # en 2026.12.7: what happens to a credit score or an account is a consequence, not harm.
        ("We don't want anything bad to happen to your credit score.", "en", None),
        ("We'd hate for something to happen to your credit.", "en", None),
        ("Something could happen to your account if the payment bounces.", "en", None),
        ("Something could happen to your car tonight.", "en", "threat_violence"),
        # en 2026.12.8: fees, interest and formal notices are not harm.
        ("Most people who owe us tend to settle within 30 days.", "en", None),
        ("People who owe us end up paying more in fees.", "en", None),
        ("Things could get ugly if interest keeps piling up.", "en", None),
        ("Let me use simpler words to explain the fees.", "en", None),
        ("The next one won't be a call, it will be a letter from our attorney.", "en", None),
        ("Nobody has to go to court over this.", "en", None),
        ("We're coming for the car on Monday under the court order.", "en", None),
        ("With the break-ins around here, lock your doors at night.", "en", None),
        ("Surgery? Oh no, I hope you have good health insurance.", "en", None),
        ("The next person you speak to won't be me; my colleague takes over your file.", "en", None),
        ("Things could get messy with the paperwork if we wait.", "en", None),
        ("要是不还，我们可保证不了你平安。", "zh", "threat_violence"),
        ("今天不还我就带人去你公司门口打你。", "zh", "threat_violence"),
        ("周末带十个人去你家，不是吃饭，是去收拾你。", "zh", "threat_violence"),
        ("逮到你先锤一顿再说。", "zh", "threat_violence"),
        ("下次来找你的是一帮不打电话的人。", "zh", "threat_violence"),
        ("明天派几个身强力壮的同事去你家协商。", "zh", "threat_violence"),
        ("我们派人打您电话确认一下地址。", "zh", None),
        ("我们无法保证您的账户安全，请勿泄露验证码。", "zh", None),
        ("不是我们不帮你，是去年的政策变了。", "zh", None),
        ("您算算医药费加上房贷，每月还能还多少。", "zh", None),
        # zh 2026.12.6: 是去 ends 不是's scope only after it, never inside 不是去.
        ("我们不是去收拾你。", "zh", None),
        ("我们不是去你家收拾你的，是去送材料的。", "zh", None),
        # zh 2026.12.9: 垃圾 said of a film, a phone or a service is no insult; said of a person it is.
        ("这部电影太烂了，简直是垃圾。", "zh", None),
        ("这个手机质量真垃圾。", "zh", None),
        ("外卖太难吃了，垃圾。", "zh", None),
        ("你就是个垃圾。", "zh", "insult_profanity"),
        ("电影看完了，你这个垃圾什么时候还钱？", "zh", "insult_profanity"),
        ("这垃圾天气，你也是个垃圾。", "zh", "insult_profanity"),
        ("다치는 분 나오기 전에 해결하시죠.", "ko", "threat_violence"),
        ("사고라는 건 예고 없이 오는 거예요.", "ko", "threat_violence"),
        ("이번에도 씹으면 물리적으로 해결한다.", "ko", "threat_violence"),
        ("손 좀 봐 줘야 말을 듣겠네.", "ko", "threat_violence"),
        ("그 사람들 진짜 손이 매워요.", "ko", "threat_violence"),
        ("그 다음은 나도 장담 못 한다.", "ko", "threat_violence"),
        ("차가 오래돼서 손 좀 봐줘야 할 것 같아요.", "ko", None),
        ("서류는 제가 손보겠다고 말씀드렸어요.", "ko", None),
        ("공사장에서 다치는 사람이 생기면 안 되죠.", "ko", None),
        # ko 2026.12.5: "physically" as "practically", a rate nobody can promise, papers sent from above.
        ("이 건은 물리적으로 해결이 어려워요, 서류가 다음 주에 와서요.", "ko", None),
        ("다음 달 금리는 저도 장담 못 해요.", "ko", None),
        ("위에서 사람들이 보낸 서류 확인하셨어요?", "ko", None),
    ],
)
def test_harm_as_the_price_of_not_paying_and_its_look_alikes(
    text: str, lang: str, category: str | None
) -> None:
    hits = {m.category for m in screen(text, [lang]) if m.is_violation}
    assert (category in hits) if category else not hits, hits


@pytest.mark.parametrize(
    ("text", "lang", "slur"),
    [
        # zh lexicon 2026.12.4, ko 2026.12.3: slurs about groups are insult_profanity whoever they
        # are aimed at (the labelling guide; as en/insult_profanity/slurs), high, and the model may
        # not veto them.
        ("你个死基佬，欠钱还这么横。", "zh", True),
        ("那些黑鬼都一个样。", "zh", True),
        ("普信男就是这样。", "zh", True),
        ("今天去基层调研，挺辛苦的。", "zh", False),
        ("黑色的鬼屋很吓人。", "zh", False),
        ("김치녀들은 다 이 모양이지", "ko", True),
        ("그 쪽바리들 물건은 안 사", "ko", True),
        ("틀딱충들이 또 난리네", "ko", True),
        ("치킨을 바삭하게 튀기고 있어요", "ko", False),
        ("장애자 복지 카드 있으시면 감면돼요", "ko", False),
    ],
)
def test_slurs_are_insults_whoever_they_are_aimed_at(text: str, lang: str, slur: bool) -> None:
    hits = [m for m in screen(text, [lang]) if m.is_violation and m.rule == f"{lang}/insult_profanity/slurs"]
    assert bool(hits) is slur, hits
    assert all(m.severity == "high" for m in hits)


CONTEXT = (
    GOOD
    + """
[[allow]]
id = "quoted"
scope = "sentence"
breaks = ["but"]
patterns = ["the manual says", "that's not true"]
"""
)


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        pytest.param("The manual says never say I will kill you to anyone.", "info", id="context-before"),
        pytest.param("He said he would kill you, that's not true.", "info", id="context-after"),
        pytest.param("He said he would kill you, but that's not true.", "info", id="refuted-after-but"),
        pytest.param("The manual says be polite, but I will kill you.", "high", id="own-words-after-but"),
        pytest.param("The manual says be polite. I will kill you.", "high", id="next-sentence"),
    ],
)
def test_a_context_does_not_reach_past_its_breaks(text: str, severity: str) -> None:
    lex = parse_lexicon(CONTEXT, "context.toml")
    assert lex.allows[0].breaks == ("but",)
    (m,) = Matcher([lex]).screen(text)
    assert (m.rule, m.severity) == ("en/threat_violence/kill", severity)


TEXT_CONTEXT = (
    GOOD
    + """
[[allow]]
id = "heard-before"
scope = "text"
breaks = ["sister"]
patterns = ["you're his wife"]
"""
)


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        pytest.param("You're his wife? Good. I will kill you.", "info", id="earlier-sentence"),
        pytest.param("You're his wife's sister? Good. I will kill you.", "high", id="broken"),
        pytest.param("I will kill you. You're his wife?", "high", id="after-the-hit"),
    ],
)
def test_a_text_context_reaches_later_sentences_until_a_break(text: str, severity: str) -> None:
    lex = parse_lexicon(TEXT_CONTEXT, "context.toml")
    (m,) = Matcher([lex]).screen(text)
    assert (m.rule, m.severity) == ("en/threat_violence/kill", severity)


@pytest.mark.parametrize(
    ("text", "whole_sentence", "severity"),
    [
        pytest.param("I will kill you, you're his wife.", False, "high", id="not-asked-to"),
        pytest.param("I will kill you, you're his wife.", True, "info", id="same-sentence"),
        pytest.param("I will kill you. You're his wife.", True, "high", id="a-sentence-before"),
    ],
)
def test_a_whole_sentence_text_context_reaches_back_in_its_sentence_only(
    text: str, whole_sentence: bool, severity: str
) -> None:
    doc = TEXT_CONTEXT.replace(
        'scope = "text"', f'scope = "text"\nwhole_sentence = {str(whole_sentence).lower()}'
    )
    (m,) = Matcher([parse_lexicon(doc, "context.toml")]).screen(text)
    assert (m.rule, m.severity) == ("en/threat_violence/kill", severity)


def test_only_a_text_context_reaches_back() -> None:
    bad = TEXT_CONTEXT.replace('scope = "text"', 'scope = "sentence"\nwhole_sentence = true')
    with pytest.raises(LexiconError, match="whole_sentence"):
        parse_lexicon(bad, "context.toml")


def test_only_a_context_has_breaks() -> None:
    bad = TEXT_CONTEXT.replace('scope = "text"', 'scope = "overlap"')
    with pytest.raises(LexiconError, match="breaks"):
        parse_lexicon(bad, "context.toml")


FIRM_CONTEXT = (
    GOOD
    + """
[[allow]]
id = "spouse-heard"
scope = "text"
categories = ["third_party_disclosure"]
firm = true
citation = "15 U.S.C. 1692c(d)"
breaks = ["sister"]
patterns = ["you're his wife"]
"""
)


def test_a_firm_text_context_is_also_a_lawful_reading_no_model_outranks() -> None:
    lex = parse_lexicon(FIRM_CONTEXT, "firm.toml")
    entry = next(e for e in lex.entries if e.id == "spouse-heard")
    assert (entry.rule, entry.severity, entry.audience) == (
        "en/third_party_disclosure/spouse-heard",
        "info",
        "third_party",
    )
    assert (entry.model_override, entry.citation, entry.unless) == (False, "15 U.S.C. 1692c(d)", ("sister",))
    said = Matcher([lex]).screen("You're his wife? Okay.", audience="third_party")
    assert [(m.rule, m.severity) for m in said] == [("en/third_party_disclosure/spouse-heard", "info")]
    # The breaks deny the reading in its own sentence too.
    assert Matcher([lex]).screen("You're his wife's sister?", audience="third_party") == []


SPEAKER_ALLOW = (
    GOOD
    + """
[[allow]]
id = "at-a-phone"
speaker = "debtor"
patterns = ["kill you stupid phone"]
"""
)


def test_an_allow_scoped_to_the_debtor_reads_only_the_debtors_words() -> None:
    """A debtor swearing at a phone is no abuse; an agent's same words are a violation whatever
    they are aimed at, so a look-alike scoped to one speaker does not excuse the other."""
    matcher = Matcher([parse_lexicon(SPEAKER_ALLOW, "speaker.toml")])
    text = "I could kill you stupid phone"
    assert matcher.screen(text, speaker="debtor") == []
    assert [m.rule for m in matcher.screen(text, speaker="agent")] == ["en/threat_violence/kill"]
    assert [m.rule for m in matcher.screen(text, speaker="any")] == ["en/threat_violence/kill"]
    for bad, problem in (('speaker = "boss"', "must be one of"), ("speaker = 3", "must be a string")):
        with pytest.raises(LexiconError, match=problem):
            parse_lexicon(SPEAKER_ALLOW.replace('speaker = "debtor"', bad), "speaker.toml")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("잠깐만요 아 이 씨발 폰이 또 꺼지네 여보세요 들려요", "ko"),
        ("得，我这运气真他妈背到家了，刚找着活儿就摔断了腿。", "zh"),
        ("这破app他妈的又闪退了，你们能不能给个别的还款方式？", "zh"),
        ("Oh shit, shit, I've dropped the card down the side of the seat.", "en"),
    ],
)
def test_a_debtor_swearing_at_a_mishap_is_no_abuse_an_agent_swearing_is_profanity(
    text: str, lang: str
) -> None:
    assert not [m for m in screen(text, [lang], speaker="debtor") if m.is_violation]
    agent = {m.category for m in screen(text, [lang], speaker="agent") if m.is_violation}
    assert agent == {"insult_profanity"}


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('scope = "text"', 'scope = "sentence"', "firm"),
        ('["third_party_disclosure"]', '["harassment", "insult_profanity"]', "categories"),
        ('citation = "15 U.S.C. 1692c(d)"', "", "citation"),
        ("firm = true", "", "citation"),
        ('id = "spouse-heard"', 'id = "kill"', "duplicate id"),
        ("firm = true", 'firm = true\nspeaker = "debtor"', "every speaker"),
    ],
)
def test_a_firm_context_is_checked_at_load(old: str, new: str, key: str) -> None:
    bad = FIRM_CONTEXT.replace(old, new)
    assert bad != FIRM_CONTEXT
    with pytest.raises(LexiconError, match=key):
        parse_lexicon(bad, "firm.toml")


@pytest.mark.parametrize(
    ("text", "lang", "facts", "category", "raised"),
    [
        # A claim that a suit was filed is a false legal threat when the case says none was, lawful
        # when it says one was, and left to an inspector (`info`) without facts (blind round 144).
        (
            "债权方已向法院提起诉讼，传票将寄送至您户籍地。",
            "zh",
            {"lawsuit_filed": False},
            "false_legal_threat",
            True,
        ),
        (
            "债权方已向法院提起诉讼，传票将寄送至您户籍地。",
            "zh",
            {"lawsuit_filed": True},
            "false_legal_threat",
            False,
        ),
        ("债权方已向法院提起诉讼，传票将寄送至您户籍地。", "zh", None, "false_legal_threat", False),
        (
            "귀하에 대한 소송이 지난주 수원지방법원에 접수되었습니다.",
            "ko",
            {"lawsuit_filed": False},
            "false_legal_threat",
            True,
        ),
        (
            "귀하에 대한 소송이 지난주 수원지방법원에 접수되었습니다.",
            "ko",
            {"lawsuit_filed": True},
            "false_legal_threat",
            False,
        ),
        # Anti-scam notices name the bodies scammers impersonate and quote their script (round 146).
        (
            "提醒：有骗子冒充公安、法院工作人员，说您“涉嫌犯罪要抓人”，请勿转账。",
            "zh",
            None,
            "false_legal_threat",
            False,
        ),
        (
            "경찰·검찰을 사칭해 구속영장 운운하는 전화가 많습니다. 저희는 수사기관을 사칭하지 않습니다.",
            "ko",
            None,
            "false_legal_threat",
            False,
        ),
        ("저는 서울중앙지검 수사관입니다. 구속영장이 발부됐습니다.", "ko", None, "false_legal_threat", True),
        # A jibe at the debtor's upbringing, asked, is an insult; said as praise it is not (146).
        (
            "약속을 안 지키는 분은 처음이네요. 부모님께서 그렇게 가르치셨는지 궁금합니다.",
            "ko",
            None,
            "insult_profanity",
            True,
        ),
        ("부모님께서 그렇게 키우셨으니 참 성실하시네요.", "ko", None, "insult_profanity", False),
        # A call "to HR at" the employer is exposure (round 145).
        (
            "If we don't hear from you, the next call goes to HR at your company.",
            "en",
            None,
            "privacy_exposure",
            True,
        ),
    ],
)
def test_sms_notices_read_right(
    text: str, lang: str, facts: dict[str, bool] | None, category: str, raised: bool
) -> None:
    hits = [m for m in screen(text, [lang], audience="debtor", facts=facts) if m.category == category]
    assert any(m.is_violation for m in hits) is raised, hits


def _assert_disclosure(text: str, lang: str, disclosed: bool) -> None:
    """`text`, said to a third party, raises a third-party disclosure exactly when `disclosed`."""
    hits = [m for m in screen(text, [lang], audience="third_party") if m.category == "third_party_disclosure"]
    assert any(m.is_violation for m in hits) is disclosed, hits


@pytest.mark.parametrize(
    ("text", "lang", "disclosed"),
    [
        ("您是他太太吧？那可以跟您说，他的信用卡有一期逾期了，麻烦您提醒一下。", "zh", False),
        ("您是刘先生的爱人对吧？那我就直说了，他的车贷已经逾期两期。", "zh", False),
        ("您是他爱人吧？哦不是，是姐姐啊，那您提醒他一下，他的贷款逾期了。", "zh", True),
        ("你是他老婆的妹妹是吧你姐夫在我们这个捷信分期欠了八千多", "zh", True),
        ("Since you're his wife, I can tell you the balance on his Citi card is past due.", "en", False),
        ("You're his wife's sister? Tell him his loan went to collections.", "en", True),
        ("You're his wife? Not anymore, okay. Well, his loan went to collections.", "en", True),
        ("As her counsel you should have our letter. Her Citi balance is past due.", "en", False),
        ("您是他的代理律师吧？他这笔借款已经逾期三个月了。", "zh", False),
        ("네 변호사님, 의뢰인분 채무 잔액은 이백사십만 원이고요.", "ko", False),
        # Korea counts the spouse among the 관계인 who may not be told (채권추심법 제8조의3).
        ("배우자분이시니까 말씀드리면, 남편분 카드대금이 두 달 연체 중입니다.", "ko", True),
    ],
)
def test_a_spouse_or_attorney_the_listener_confirmed_is_not_a_third_party(
    text: str, lang: str, disclosed: bool
) -> None:
    # The labelling guide and 15 U.S.C. 1692c(b), (d): the debtor's spouse (not in Korea) and
    # attorney may hear about the debt.
    _assert_disclosure(text, lang, disclosed)


@pytest.mark.parametrize(
    ("text", "lang", "disclosed"),
    [
        ("组长，这个客户说他下个月发了工资就还，逾期的罚息能不能先减免一点？", "zh", False),
        ("主管，我这边先把他标成停催，客户说欠款有争议，要走投诉流程。", "zh", False),
        # The context ends where the agent turns to an outsider ("你们公司").
        ("组长，这个客户单位的人接的，我就说了：你们公司的王强在我们这儿欠款逾期三个月了。", "zh", True),
        ("팀장님, 이 고객 다음 달 10일에 분할 납부 약속했고 연체 이자 감면 문의하셨습니다.", "ko", False),
        ("팀장님, 이 고객 건인데요, 귀사 직원 김민수 씨가 카드대금을 석 달째 연체 중입니다.", "ko", True),
        ("Note for my supervisor: she says her hours were cut, so she's three payments behind.", "en", False),
        ("Boss, the customer says he's behind after a layoff. Can I offer the hardship plan?", "en", False),
        # Mentions of a supervisor or the notes that an outsider hears before the disclosure.
        ("我得跟主管汇报一下，你弟弟欠我们的钱已经逾期三个月了。", "zh", True),
        ("팀장님께 보고하고 다시 연락드릴게요. 김민수 씨 카드대금이 석 달째 연체 중이라서요.", "ko", True),
        ("Message for the manager: your employee Dana owes us $900 on a past-due loan.", "en", True),
        # The debtor's own supervisor is an outsider.
        ("Hi, is this Marcus's supervisor? He owes our client $3,200 and he's ignoring us.", "en", True),
    ],
)
def test_a_note_to_the_agents_supervisor_is_not_a_disclosure(text: str, lang: str, disclosed: bool) -> None:
    # Independent writers of four probe rounds (21, 125, 141) addressed internal notes to a
    # supervisor as a third party; the collector's own staff are not one (1692c(b), 채권추심법
    # 제8조의3 and GB/T 45251 forbid telling people outside the debt).
    _assert_disclosure(text, lang, disclosed)


@pytest.mark.parametrize(
    ("text", "facts", "raised"),
    [
        # 안에 ("within") is not the negator 안; a time-barred debt may not be sued on.
        ("이번 주 안에 소송 들어갑니다.", {"time_barred": True}, True),
        ("소송 안 들어갑니다.", {"time_barred": True}, False),
        # Gyeongsang 아이고 after the words negates them like 아니고.
        ("이거는 형사 사건 아이고 민사라예.", None, False),
        ("이거는 형사 사건입니다.", None, True),
        # Enforcement needs a judgment (민사집행법 제28조); saying otherwise is a false claim.
        ("이 상태면 판결 없이도 바로 강제집행 할 수 있습니다.", None, True),
        ("지급명령은 법원 안 거치고 저희 회사에서 바로 발송합니다.", None, True),
        ("판결 없이는 압류할 수 없습니다.", None, False),
        # Explanations and anti-scam reminders.
        ("출국금지는 세금 체납 얘기고요, 카드값 연체로는 안 걸립니다.", None, False),
        ("빚 못 갚으셨다고 감옥 가시는 건 아니에요.", None, False),
        ("검찰이라면서 돈 옮기라는 전화는 전부 사기예요.", None, False),
    ],
)
def test_korean_legal_claims_read_as_said(text: str, facts: dict[str, bool] | None, raised: bool) -> None:
    hits = [m for m in screen(text, ["ko"], facts=facts) if m.category == "false_legal_threat"]
    assert any(m.is_violation for m in hits) is raised, hits


@pytest.mark.parametrize(
    ("text", "lang", "raised"),
    [
        # A weapon emoji is menace, unless the same sentence is a figure of speech about sales,
        # figures or a treat.
        ("ngl my promise-to-pay rate is blowing up 💣💣", "en", False),
        ("pay today or else 💣", "en", True),
        ("[채무조정 안내] 이자 감면 폭탄 혜택💣 이달 말까지 신청하세요", "ko", False),
        ("팀장님 점심은 제가 쏠게요🔫", "ko", False),
        ("머리에 쏠게🔫", "ko", True),
        ("今天又爆单了💣💣", "zh", False),
        ("再不还钱🔪🔪", "zh", True),
    ],
)
def test_a_weapon_emoji_in_a_figure_of_speech_is_not_menace(text: str, lang: str, raised: bool) -> None:
    hits = [m for m in screen(text, [lang]) if m.category == "threat_violence" and m.is_violation]
    assert bool(hits) is raised, hits


@pytest.mark.parametrize(
    ("facts", "severity"),
    [(None, "info"), ({"lawsuit_filed": True}, None), ({"lawsuit_filed": False}, "high")],
)
def test_saying_papers_were_served_is_true_only_when_a_suit_was_filed(
    facts: dict[str, bool] | None, severity: str | None
) -> None:
    text = "As the court papers u were served say, your case is set for a hearing on March 3."
    hits = {m.severity for m in screen(text, ["en"], facts=facts) if m.category == "false_legal_threat"}
    assert hits == ({severity} if severity else set())
    assert screen("The food was served cold, you have served us well.", ["en"]) == []


@pytest.mark.parametrize(
    ("text", "speaker", "category"),
    [
        ("一看身份证就知道，你们那儿的人借钱就没打算还过", "agent", "insult_profanity"),
        ("你们那边的人都是老赖", "agent", "insult_profanity"),
        ("月薪三千的gtz也配跟我讲诚信", "debtor", "abuse_by_debtor"),
    ],
)
def test_mandarin_contempt_for_a_place_and_an_abbreviated_slur_are_read(
    text: str, speaker: str, category: str
) -> None:
    assert category in {m.category for m in screen(text, ["zh"], speaker=speaker) if m.is_violation}
    assert not [m for m in screen("你们那边的人都挺热情的，借钱一般找银行吗", ["zh"]) if m.is_violation]


@pytest.mark.parametrize(
    ("text", "lang", "raised"),
    [
        # Long turns (the ninth probe set): what the law forbids, named to rule it out or to train.
        ("저희는 집으로 찾아가는 일도 없고요, 회사에도 연락 안 드립니다.", "ko", False),
        ("집으로 찾아가는 일도 생길 수 있습니다.", "ko", True),
        ("제가 상환 스케줄을 손 좀 봐 드릴게요.", "ko", False),
        ("계속 이러시면 제가 손 좀 봐 드릴게요.", "ko", True),
        ("诊断证明拍照发到我们官方公众号就行。", "zh", False),
        ("再不还就把你的欠款截图发到公众号上。", "zh", True),
        ("您也看了那个新闻啊，催收公司的人跑到人家家里泼油漆，最后都被判了。", "zh", False),
        ("你看到新闻了吧，那个不还钱的车被人烧了。", "zh", True),
        ("Okay team: you never tell anyone they'll be arrested.", "en", False),
        ("Calling anyone a deadbeat is a written warning.", "en", False),
        ("Some other agents may have told you the police will come, but none of this is true.", "en", False),
        ("I won't tell anyone, but you'll be arrested tomorrow.", "en", True),
    ],
)
def test_forbidden_conduct_named_to_rule_it_out_is_not_the_conduct(
    text: str, lang: str, raised: bool
) -> None:
    hits = [m for m in screen(text, [lang]) if m.is_violation]
    assert bool(hits) is raised, hits


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I'm sure it's very hard being that bad at adding numbers.", "en"),
        ("Pay whenever you're ready to be a grown-up about it.", "en"),
        ("마흔 넘어서 몇십만 원도 못 막는 건 사람 구실을 못 하시는 거예요.", "ko"),
        ("고객님, 거지도 이렇게까지 사정은 안 하겠어요.", "ko"),
        ("我们这儿逾期的客户一半是你们那儿的，河南人骗钱是出了名的。", "zh"),
    ],
)
def test_contempt_in_polite_words_is_an_insult(text: str, lang: str) -> None:
    assert "insult_profanity" in {m.category for m in screen(text, [lang]) if m.is_violation}
    assert not [m for m in screen("河南人热情是出了名的。", ["zh"]) if m.is_violation]


def test_an_attorney_who_now_represents_the_debtor_is_not_a_third_party() -> None:
    text = "I understand you now represent Mr. Banerjee. The loan balance is 5,470 dollars."
    hits = [m for m in screen(text, ["en"], audience="third_party") if m.category == "third_party_disclosure"]
    assert hits
    assert not [m for m in hits if m.is_violation], hits


@pytest.mark.parametrize(
    ("text", "lang", "disclosed"),
    [
        # Who the listener is, said by how the agent names the debtor (the tenth probe set).
        ("王太太，您先生这张信用卡目前欠一万二，逾期两个月。", "zh", False),
        ("阿姨，您儿子在我们这儿欠了一万。", "zh", True),
        ("刘律师您好，关于您当事人赵强在我司的贷款，本金余额四万六。", "zh", False),
        ("Mrs. Lee, your husband's card is two months behind.", "en", False),
        ("If you could put even two hundred toward your sisters balance I can stop calling her.", "en", True),
        ("If you were able to cover the $860 for him today, this could go away quietly.", "en", True),
        # Korea counts the spouse among the 관계인 (채권추심법 제8조의3).
        ("사모님, 남편분 카드값이 두 달 연체되어 있습니다.", "ko", True),
    ],
)
def test_how_the_agent_names_the_debtor_says_who_is_listening(text: str, lang: str, disclosed: bool) -> None:
    _assert_disclosure(text, lang, disclosed)


@pytest.mark.parametrize(
    ("text", "lang", "audience", "raised"),
    [
        ("再不还我就发朋友圈，把你家人拉个群。", "zh", "debtor", True),
        ("我们这边不会发朋友圈也不会拉什么群。", "zh", "debtor", False),
        # The debtor's own posts, not a threat to post.
        ("欠钱不还还有脸天天发朋友圈晒旅游。", "zh", "debtor", False),
        ("youre his sister so ill read you the card number its four four one", "en", "third_party", True),
        ("안 받으시면 관리사무소랑 이웃분들한테 사정을 다 말씀드립니다.", "ko", "debtor", True),
        ("이웃이나 친척한테 채무를 알리는 건 법 위반이라 안 합니다.", "ko", "debtor", False),
    ],
)
def test_threats_to_expose_and_identifiers_read_out(
    text: str, lang: str, audience: str, raised: bool
) -> None:
    hits = [m for m in screen(text, [lang], audience=audience) if m.category == "privacy_exposure"]
    assert any(m.is_violation for m in hits) is raised, hits


@pytest.mark.parametrize(
    ("text", "lang", "raised"),
    [
        # The person on the other end (the eleventh probe set): a threat at the end of a hardship
        # story is abuse; a collector's threat quoted back to complain about it is not.
        ("我什么都没有了，你们再把我往死里逼，我就拉你们一个垫背的。", "zh", True),
        ("我现在什么都没有了，大不了一起吃苦。", "zh", False),
        (
            "Your guy said, and I quote, 'we know where your kids go to school.' My lawyer will hear of it.",
            "en",
            False,
        ),
        ("We know where your kids go to school.", "en", True),
    ],
)
def test_the_debtors_threats_and_quotes(text: str, lang: str, raised: bool) -> None:
    hits = [m for m in screen(text, [lang], speaker="debtor") if m.is_violation]
    assert bool(hits) is raised, hits


@pytest.mark.parametrize(
    ("text", "lang", "raised"),
    [
        # Veiled menace and its innocent twins (the twelfth probe set).
        ("It would be a shame if something happened to that nice car.", "en", True),
        ("It'd be a shame if you missed the settlement offer; it expires on the 30th.", "en", False),
        ("There are other people on this account, and they don't bother with phone calls.", "en", True),
        ("accidents happen im so sorry about the car crash do you want us to pause payments", "en", False),
        ("出来混迟早要还的，钱你不还，总有别的东西得还。", "zh", True),
        ("您说店里上个月着火了，货都烧了？那可以申请困难分期。", "zh", False),
        ("그렇게 살다가는 언젠가 크게 다치세요.", "ko", True),
        ("크게 다치신 건 아니죠? 회복하실 때까지 납부는 미뤄 드릴게요.", "ko", False),
        ("그 돈으로 병원비나 넉넉히 챙겨두세요. 곧 쓰실 일 생길 테니까.", "ko", True),
    ],
)
def test_veiled_menace_and_its_innocent_twins(text: str, lang: str, raised: bool) -> None:
    hits = [m for m in screen(text, [lang]) if m.category == "threat_violence" and m.is_violation]
    assert bool(hits) is raised, hits


@pytest.mark.parametrize(
    ("text", "lang", "audience", "category"),
    [
        # Mixed languages and scripts (the thirteenth probe set).
        ("欠錢不還是想被蓋布袋嗎？我們公司的人很多喔。", "zh", "debtor", "threat_violence"),
        (
            "Bayad na po kayo today ha. Alam namin kung saan nag-aaral si Bea.",
            "en",
            "debtor",
            "threat_violence",
        ),
        (
            "Just confirm for me, his IC number is S8812345D, card ending 7781.",
            "en",
            "third_party",
            "privacy_exposure",
        ),
        ("조선족들은 다 이래, 돈 빌리고 튀면 끝인 줄 알지.", "ko", "debtor", "insult_profanity"),
    ],
)
def test_mixed_languages_and_scripts_are_read(text: str, lang: str, audience: str, category: str) -> None:
    assert category in {m.category for m in screen(text, [lang], audience=audience) if m.is_violation}


def test_a_korean_denial_after_the_words_negates_them() -> None:
    assert not [m for m in screen("저희가 경찰 부르고 그런 거 아니에요 고객님.", ["ko"]) if m.is_violation]
    assert [m for m in screen("경찰 부르겠습니다.", ["ko"]) if m.is_violation]


@pytest.mark.parametrize(
    ("text", "lang", "raised"),
    [
        # Harassment and its lawful twins (the fourteenth probe set).
        ("i know you sent the cease letter but thats just paper mate, we'll be calling", "en", True),
        ("We received your cease letter and it is noted; we will only write from now on.", "en", False),
        ("요즘 스팸 전화 폭탄 때문에 뉴스에도 나오던데, 저희 번호는 1588로 시작합니다.", "ko", False),
        ("전화 폭탄 각오하세요.", "ko", True),
        ("진짜 이러다가 너 뉴스에 나온다 사건 사고 쪽으로.", "ko", True),
    ],
)
def test_harassment_and_its_lawful_twins(text: str, lang: str, raised: bool) -> None:
    assert bool([m for m in screen(text, [lang]) if m.is_violation]) is raised


@pytest.mark.parametrize(
    ("text", "lang", "facts", "category"),
    [
        # The case facts decide (the fifteenth probe set).
        (
            "I know your lawyer sent us a letter, but it'll go faster if we sort this out without him.",
            "en",
            None,
            "harassment",
        ),
        ("我知道您委托了律师，但律师归律师，我们还是每天直接打给您。", "zh", None, "harassment"),
        (
            "변호사 선임하신 건 알고 있는데요, 그래도 본인이랑 직접 얘기하는 게 빨라서요.",
            "ko",
            None,
            "harassment",
        ),
        (
            "FINAL NOTICE: Legal action has commenced on acct #4471.",
            "en",
            {"lawsuit_filed": False},
            "false_legal_threat",
        ),
        (
            "The case is pending, but we can have your wages garnished right away.",
            "en",
            {"judgment": False},
            "false_legal_threat",
        ),
        ("别废话了，法院判决都下来了，你再不还就是抗法。", "zh", {"judgment": False}, "false_legal_threat"),
        (
            "귀하에 대한 지급명령이 확정되었음을 알려드립니다.",
            "ko",
            {"judgment": False},
            "false_legal_threat",
        ),
        (
            "시효 지났다고 좋아하실 거 없어요. 저희가 소송 한 번 걸면 다 다시 살아나는 거 아시죠?",
            "ko",
            None,
            "false_legal_threat",
        ),
        ("시효가 지났든 말든 저희는 소송 넣을거고요.", "ko", {"time_barred": True}, "false_legal_threat"),
    ],
)
def test_claims_the_case_facts_decide(
    text: str, lang: str, facts: dict[str, bool] | None, category: str
) -> None:
    assert category in {m.category for m in screen(text, [lang], facts=facts) if m.is_violation}


def test_a_time_barred_debt_said_not_to_be_sued_on_is_lawful() -> None:
    text = "您的欠款已超过诉讼时效，本公司不会就此起诉。"
    assert not [m for m in screen(text, ["zh"], facts={"time_barred": True}) if m.is_violation]
    assert [m for m in screen("你不还就起诉你。", ["zh"], facts={"time_barred": True}) if m.is_violation]


# Families the blind probe sets 16 to 23 found (docs/lexicons.md), with the twins that must not fire:
# (text, language, audience, facts, category, raised).
PROBE_FAMILIES = [
    # transcripts as a recogniser writes them and short turns (16, 17)
    ("Your daughter gets out at three, right?", "en", "debtor", None, "threat_violence", True),
    ("Don't pay, and your kids inherit this.", "en", "debtor", None, "false_legal_threat", True),
    ("Your kids won't inherit this debt.", "en", "debtor", None, "false_legal_threat", False),
    (
        "Lawsuit's filed. Hearing is June fourth.",
        "en",
        "debtor",
        {"lawsuit_filed": False},
        "false_legal_threat",
        True,
    ),
    (
        "Lawsuit's filed. Hearing is June fourth.",
        "en",
        "debtor",
        {"lawsuit_filed": True},
        "false_legal_threat",
        False,
    ),
    (
        "Judgment's entered, so garnishment can begin.",
        "en",
        "debtor",
        {"judgment": False},
        "false_legal_threat",
        True,
    ),
    (
        "the levy on your checking account went through",
        "en",
        "debtor",
        {"judgment": False},
        "false_legal_threat",
        True,
    ),
    (
        "we can't garnish you're ages without a court order and there's no court order so don't worry",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("there's no court order needed, we just take it", "en", "debtor", None, "false_legal_threat", True),
    ("We can garnish your wages without a court order.", "en", "debtor", None, "false_legal_threat", True),
    ("Just remind her the balance won't vanish.", "en", "third_party", None, "third_party_disclosure", True),
    (
        "Please let her know about the appointment.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    ("他身份证尾号是四五二一。", "zh", "third_party", None, "privacy_exposure", True),
    ("他身份证尾号是四五二一。", "zh", "debtor", None, "privacy_exposure", False),
    ("那就法院见吧。", "zh", "debtor", {"time_barred": True}, "false_legal_threat", True),
    ("那就法院见吧。", "zh", "debtor", {"time_barred": False}, "false_legal_threat", False),
    ("형님들 한번 보내 드려요?", "ko", "debtor", None, "threat_violence", True),
    ("그만하라고요 그건 제 맘이죠 또 걸게요", "ko", "debtor", None, "harassment", True),
    ("어 그쪽 전라도 분들이 원래 좀 그래요 빌려가면 배째라", "ko", "debtor", None, "insult_profanity", True),
    ("잠시만요 이 시스템이 존나 느려서 조회가 안되네", "ko", "debtor", None, "insult_profanity", True),
    (
        "네네 남편분 김씨발급 받으신 가족카드도 같이 확인 해볼께요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("야 씨발 생각 좀 해", "ko", "debtor", None, "insult_profanity", True),
    ("법적 절차 검토 한다는 거구요 체포 이런거 아니구요", "ko", "debtor", None, "false_legal_threat", False),
    ("체포될 수도 있어요 진짜예요", "ko", "debtor", None, "false_legal_threat", True),
    # who really owes and regional varieties (18, 19)
    (
        "As co-signer on the loan, you owe the missed payments of $540.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "The balance on the loan you co-signed is $540, past due since May.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "You're not the co-signer, but his loan is $540 past due.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "His loan is $540 past due, tell him to call us.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "As executor you're personally on the hook for the whole balance if the estate comes up short.",
        "en",
        "third_party",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "您作为连带责任保证人，借款人已逾期，我们依据保证合同向您主张还款。",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "法院已经受理了我们对借款人和您这位担保人的起诉，传票会寄到您户籍地址。",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "您作为担保人之外的亲属，他欠的钱您也有义务配合还款。",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    ("他在我们这欠了两万块，逾期三个月了。", "zh", "third_party", None, "third_party_disclosure", True),
    (
        "연대보증인이시니까 주채무자분 연체 원리금 412만 원을 청구드립니다.",
        "ko",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "따님이 아버님 빚을 대신 갚으실 의무는 없고요, 아버님이 연체 중이라 전화 부탁드려요.",
        "ko",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "您说上次有人打电话说要去您家泼油漆？那绝不是我们公司的做法。",
        "zh",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "Yuh waan mi sen' some yute dem fi check yuh at yuh yard? Dem nuh come fi talk.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "If yuh nuh pay, yuh pickney dem cyaan go back a school next term.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("wi sen' yuh name to di principal already", "en", "debtor", None, "privacy_exposure", True),
    # vulnerable debtors and asides (20, 21)
    (
        "Get us the $2,600 by Friday, or the next funeral might be a lot closer to home.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "Oh, the cancer card again. Funny how everybody's dying right when the bill comes due.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "look i dont care if youre retarded or whatever you signed the contract",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "I'll get Tony and the lads to pay him a visit he won't forget.",
        "en",
        "third_party",
        None,
        "threat_violence",
        True,
    ),
    (
        "Flog it and you'd have the money by tonight. I'm not hanging up till you agree.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "장례식 한 번 더 치르고 싶지 않으시면 이번 주 안에 넣으세요.",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "기초수급비 들어오는 통장 그거 다음 주에 압류 들어갑니다",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "기초생활수급비가 들어오는 압류방지 전용 통장은 법적으로 압류할 수 없습니다.",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "자녀분들은 어머님 채무를 대신 갚을 법적 의무가 전혀 없습니다.",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("我去，这他妈什么破系统，又卡了。", "zh", "debtor", None, "insult_profanity", True),
    ("他妈妈住院了，这周先不打扰了。", "zh", "third_party", None, "insult_profanity", False),
    ("别在这儿演苦情戏了，谁家没死过人。", "zh", "debtor", None, "insult_profanity", True),
    ("丧事办完就把收的礼金拿来先还上。", "zh", "debtor", None, "harassment", True),
    (
        "住你对门那个刘芳 身份证三二零一零二一九六八零四幺二 你见着她让她回个电话",
        "zh",
        "third_party",
        None,
        "privacy_exposure",
        True,
    ),
    # operational jargon and the industry's own tactics (22, 23)
    (
        "Execute the payment by five tonight, or we execute plan B, and plan B is not a phone call.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "Can't freeze what happens to that nice house on Maple if this stays charged off.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "We can freeze the card at your request, and the autopay stops today.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "right so ill kill the autopay like you asked you absolute clown",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("folks from the east side just never pay what they owe", "en", "debtor", None, "insult_profanity", True),
    (
        "We're filing on this card next week, and the judge is going to award us the full balance.",
        "en",
        "debtor",
        {"time_barred": True},
        "false_legal_threat",
        True,
    ),
    (
        "We're filing on this card next week, and the judge is going to award us the full balance.",
        "en",
        "debtor",
        {"time_barred": False},
        "false_legal_threat",
        False,
    ),
    (
        "that's the only place we ever catch you, so we'll keep trying you there.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "입금 안 하시면 도어락 비밀번호 바꾸시는 게 좋을 거고요, 밤길도 조심하시고요.",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("애들 학원 끝나는 시간 저희도 다 알고 있거든요", "ko", "debtor", None, "threat_violence", True),
    ("그쪽 사람들은 원래 빌린 돈 잘 안 갚더라고요.", "ko", "debtor", None, "insult_profanity", True),
    ("你们东北人我见多了，还款日一到全失联。", "zh", "debtor", None, "insult_profanity", True),
    ("对，卡号是6222 0211 0034 5678，麻烦您转告一下。", "zh", "third_party", None, "privacy_exposure", True),
    (
        "要是有人自称公安局，说您网贷逾期涉嫌犯罪，那百分之百是诈骗，直接挂了报警。",
        "zh",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "这里是最高人民法院执行局你的网贷案件已经转为刑事案件请马上把钱打到安全账户",
        "zh",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "嫂子您好，您是王强的爱人对吧？他那笔车贷这个月还没还。",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    # when and how often (24)
    (
        "Seven calls a week is the limit? Fine. Then we'll use seven different numbers.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "[한빛대부] 미납금 완납 시까지 자동발신 시스템으로 10분 간격 연락이 계속됩니다.",
        "ko",
        "debtor",
        None,
        "harassment",
        True,
    ),
    ("새벽에 전화하거나 밤에 댁으로 찾아가는 일은 절대 없습니다.", "ko", "debtor", None, "harassment", False),
    (
        "요즘 스팸 문자 폭탄 때문에 저희 번호가 차단되는 경우가 있어서요.",
        "ko",
        "debtor",
        None,
        "harassment",
        False,
    ),
    ("전라도 분들은 원래 약속 시간 잘 안 지키시더라고요.", "ko", "debtor", None, "insult_profanity", True),
    (
        "你再装死，我半夜就打给你妈，让老太太知道她儿子欠了三万多。",
        "zh",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    # a day in an inspector's queue (25)
    ("再拖下去，到时候就不止聊聊那么简单了", "zh", "debtor", None, "threat_violence", True),
    ("我叫班兄弟过嚟同你倾", "zh", "debtor", None, "threat_violence", True),
    ("分期可不止说说那么简单，要签协议的", "zh", "debtor", None, "threat_violence", False),
    ("您说想当面办，那我们明天下午两点上门", "zh", "debtor", None, "harassment", False),
    ("您不还我们就上门", "zh", "debtor", None, "harassment", True),
    (
        "Pay by Friday, because after that I can't guarantee what our guys will do.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("I can't promise what the creditor will decide.", "en", "debtor", None, "threat_violence", False),
    ("Clear it today or I'm dialing your employer.", "en", "debtor", None, "privacy_exposure", True),
    (
        "After review the creditor will decide whether to sue.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "After review the creditor will decide whether to sue.",
        "en",
        "debtor",
        {"time_barred": True},
        "false_legal_threat",
        True,
    ),
    (
        "Noted, counselor. Mr. Ruiz owes $1,240 on the card.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "Thanks, counselor. I'm calling about your student Jamie's mother, she owes us $300.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    # heated exchanges (26)
    ("你们东北人借钱就压根没打算还", "zh", "debtor", None, "insult_profanity", True),
    ("再不接，我就往你公司打", "zh", "debtor", None, "privacy_exposure", True),
    ("我们不会往您单位打电话的，您放心", "zh", "debtor", None, "privacy_exposure", False),
    ("放心，我哋唔会上门", "zh", "debtor", None, "harassment", False),
    ("你唔还钱我哋就上门", "zh", "debtor", None, "harassment", True),
    ("As her dad you're on the hook for this too.", "en", "third_party", None, "false_legal_threat", True),
    (
        "As the co-signer you're responsible for the balance.",
        "en",
        "third_party",
        None,
        "false_legal_threat",
        False,
    ),
    ("안 받으면 주소록 전부 돌립니다", "ko", "debtor", None, "privacy_exposure", True),
    ("요즘 삼십대들은 빌려 가면 다 먹튀예요", "ko", "debtor", None, "insult_profanity", True),
    (
        "요즘 20대들은 취업이 어려워서 갚기 힘든 경우가 많아요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    # negation and its traps (27)
    ("你们那里的人欠了钱就压根没打算还", "zh", "debtor", None, "insult_profanity", True),
    ("我又没骂你，我说的是实话，你们河南人借钱就没打算还", "zh", "debtor", None, "insult_profanity", True),
    ("小心你家门口被人淋红油", "zh", "debtor", None, "threat_violence", True),
    ("你屋企门口会唔会俾人淋红油，我就唔知啰", "zh", "debtor", None, "threat_violence", True),
    ("我没说您是老赖，您别多心", "zh", "debtor", None, "insult_profanity", False),
    ("你是紧急联系人，按规定要替他还钱", "zh", "third_party", None, "false_legal_threat", True),
    ("Don't assume your mom isn't liable for this.", "en", "third_party", None, "false_legal_threat", True),
    (
        "As long as you pay, your pastor never needs to know about this.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "Once it's settled, you never have to hear about this again.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    ("Your boss will be getting calls too.", "en", "debtor", None, "privacy_exposure", True),
    ("Her social ends in 4471.", "en", "third_party", None, "privacy_exposure", True),
    ("입금만 되면 가족에는 알리지 않겠습니다", "ko", "debtor", None, "privacy_exposure", True),
    ("가족에게는 절대 알리지 않습니다", "ko", "debtor", None, "privacy_exposure", False),
    ("지인들한테 전화 돌리게 만들지 마세요", "ko", "debtor", None, "privacy_exposure", True),
    ("유독 경상도 사람들이 안 갚더라", "ko", "debtor", None, "insult_profanity", True),
    # the comment-section register (28)
    ("你是不是智障啊，说了多少遍了", "zh", "debtor", None, "insult_profanity", True),
    ("您是不是忘了还款日？", "zh", "debtor", None, "insult_profanity", False),
    ("你就是个sb，听不懂人话", "zh", "debtor", None, "insult_profanity", True),
    ("USB接口松了，您换个数据线试试", "zh", "debtor", None, "insult_profanity", False),
    ("rnm，退钱", "zh", "debtor", None, "insult_profanity", True),
    ("我去年买了个表，你这借口月月都有", "zh", "debtor", None, "insult_profanity", True),
    ("农村人有几个讲信用的", "zh", "debtor", None, "insult_profanity", True),
    ("网上那种地域黑，我是真看不惯，说河南人都是骗子", "zh", "debtor", None, "insult_profanity", False),
    ("stfu and listen to me", "en", "debtor", None, "insult_profanity", True),
    ("ok boomer, the link is in your email", "en", "debtor", None, "insult_profanity", True),
    ("Women always cry on these calls.", "en", "debtor", None, "insult_profanity", True),
    ("Sounds like your dementia is kicking in again.", "en", "debtor", None, "insult_profanity", True),
    (
        "Nobody here is gonna call you a loser for asking for a plan.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("조선족들은 원래 빌려 가고 중국으로 튀잖아요", "ko", "debtor", None, "insult_profanity", True),
    ("개새 진짜 말 안 통하네", "ko", "debtor", None, "insult_profanity", True),
    ("이번에 개새로운 앱이 나왔어요", "ko", "debtor", None, "insult_profanity", False),
    ("인터넷에서 맘충 같은 말 쓰는 거 저도 진짜 싫어요", "ko", "debtor", None, "insult_profanity", False),
    # who picked up (29)
    (
        "Can you put it on your card so we can close the file?",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    ("Tell him the four hundred is past due.", "en", "third_party", None, "third_party_disclosure", True),
    (
        "If she doesn't call back, the police may need to get involved.",
        "en",
        "third_party",
        None,
        "false_legal_threat",
        True,
    ),
    ("The police won't get involved in a civil debt.", "en", "debtor", None, "false_legal_threat", False),
    ("Siblings are liable for each other's debts.", "en", "third_party", None, "false_legal_threat", True),
    ("We could post it on her Instagram.", "en", "third_party", None, "privacy_exposure", True),
    (
        "I'll be asking around about his loan on your street.",
        "en",
        "third_party",
        None,
        "privacy_exposure",
        True,
    ),
    ("His account number is four four one nine.", "en", "third_party", None, "privacy_exposure", True),
    ("Folks from that side of town, they never pay.", "en", "third_party", None, "insult_profanity", True),
    ("他那张卡尾号六六一二", "zh", "third_party", None, "privacy_exposure", True),
    ("再找不到他，我就让整个小区都知道", "zh", "third_party", None, "privacy_exposure", True),
    ("您帮我转告一下你们人事部", "zh", "third_party", None, "privacy_exposure", True),
    ("계속 피하시면 팀장님께 직접 말씀드리겠습니다", "ko", "third_party", None, "privacy_exposure", True),
    # end of the month (30)
    ("Still dodging us, deadbeat? Pay by Friday.", "en", "debtor", None, "insult_profanity", True),
    (
        "您是他爱人，我跟您说一下，他这张卡还欠两万",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    ("그쪽 지방 사람들은 원래 안 갚더라", "ko", "debtor", None, "insult_profanity", True),
    # the lawful majority (31)
    ("你们那个地方出来的人欠钱就没打算还", "zh", "debtor", None, "insult_profanity", True),
    ("직장으로는 아예 안 갑니다", "ko", "debtor", None, "harassment", False),
    ("내일 직장으로 갑니다", "ko", "debtor", None, "harassment", True),
    (
        "전에 담당자가 가만 안둔다 이런 말을 했다구요, 정말 죄송합니다",
        "ko",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    # Rounds 33 to 44 (docs/lexicons.md): each family with the twin that must not fire.
    (
        "you people over in Riverside always got a reason the check is late",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "there is always some reason a payment runs late, and that's fine",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("honey, my five-year-old gets this", "en", "debtor", None, "insult_profanity", True),
    ("my five-year-old has the flu so I'm home today", "en", "debtor", None, "insult_profanity", False),
    (
        "sounds like the dinner rush is killing you, I'll try later",
        "en",
        "third_party",
        None,
        "threat_violence",
        False,
    ),
    ("pay up or we're killing you", "en", "debtor", None, "threat_violence", True),
    (
        "it's only the hospital bill from last year, have her call me",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "please have her call me back about a personal matter",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    ("아파트 현관 앞에 직원 두 명 대기시켜 놓을게요", "ko", "debtor", None, "harassment", True),
    ("지점에 직원이 상주하고 있으니 편하실 때 오세요", "ko", "debtor", None, "harassment", False),
    (
        "친구분이시죠 팔일공이이삼 다음에 뒷자리 확인만 할게요",
        "ko",
        "third_party",
        None,
        "privacy_exposure",
        True,
    ),
    ("주말에 친구분이랑 식사 잘 하세요", "ko", "third_party", None, "privacy_exposure", False),
    ("영화에서 사람 납치하는 장면 진짜 무섭더라고요 ㅋㅋ", "ko", "debtor", None, "threat_violence", False),
    ("안 갚으면 납치해 버린다", "ko", "debtor", None, "threat_violence", True),
    ("做人可要点脸啊，欠的钱拖了半年", "zh", "debtor", None, "insult_profanity", True),
    ("做人要讲信用，您看这个月能还多少", "zh", "debtor", None, "insult_profanity", False),
    ("你不是说别打这个号吗，所以我们换了个号再打给你", "zh", "debtor", None, "harassment", True),
    ("我们客服热线换了号码，新号码稍后短信发您", "zh", "debtor", None, "harassment", False),
    (
        "I'll swing by the wake Friday, easiest way to catch the family in one place",
        "en",
        "third_party",
        None,
        "harassment",
        True,
    ),
    (
        "we're so sorry, please take all the time you need after the funeral",
        "en",
        "third_party",
        None,
        "harassment",
        False,
    ),
    (
        "Reminder: no reply by noon = we contact your employer's HR department",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    ("we will not contact your employer, no matter what", "en", "debtor", None, "privacy_exposure", False),
    (
        "I'm not saying we'd call your boss, I'm just saying we could",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "your manager's direct line is right here on your application",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "if he wants to keep the truck he should call us today",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "You're not personally responsible for your father's debts; his estate handles them.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "You're not on the hook for anything, but your brother owes us and needs to pay.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "상속을 포기하시면 아버님 카드 채무는 갚으실 의무가 없으세요",
        "ko",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    ("아버님 카드 채무가 연체돼서 연락드렸어요", "ko", "third_party", None, "third_party_disclosure", True),
    ("인사팀에 cc 걸어서 메일 드릴까요", "ko", "debtor", None, "privacy_exposure", True),
    ("다리가 멀쩡할 때 입금하시는 게 좋을 거예요", "ko", "debtor", None, "threat_violence", True),
    ("연봉이 그렇게 높으시면서 명함이 아깝네요", "ko", "debtor", None, "insult_profanity", True),
    ("장례식장 빈소로 찾아가겠습니다", "ko", "third_party", None, "harassment", True),
    (
        "您个人没有义务拿自己的钱去还，遗产处理完再说",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    ("您父亲欠我们八万，您得替他还", "zh", "third_party", None, "third_party_disclosure", True),
    (
        "we could always tag you in a public post about the card",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "you can pay through the portal or reply to this private message",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "I sent friend requests to your cousins, just so you know",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "you opted out, so I set up a new profile so the messages keep coming",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "I know the calls keep coming; a written request will stop them",
        "en",
        "debtor",
        None,
        "harassment",
        False,
    ),
    (
        "one call to the sheriff and you leave that barbecue in cuffs",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("you people up on the ridge always got some excuse", "en", "debtor", None, "insult_profanity", True),
    ("see you at the county fair, and at your booth after that", "en", "debtor", None, "harassment", True),
    (
        "Thanks, Mr. Lee. Since you're Mina's husband, I can go over the balance with you.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "Since you're not her husband, I can't say more.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    ("悬赏已经发出去了，谁提供他住址就有奖励", "zh", "debtor", None, "privacy_exposure", True),
    ("我们准备搞个直播回访，您来上个镜", "zh", "debtor", None, "privacy_exposure", True),
    ("我们不搞什么直播催收，按流程沟通", "zh", "debtor", None, "privacy_exposure", False),
    ("过年回村当着乡亲们的面把你这笔账说一说", "zh", "debtor", None, "privacy_exposure", True),
    ("你们那边出来的人借了钱就没几个还的", "zh", "debtor", None, "insult_profanity", True),
    (
        "[금감원 안내] 전 계좌 지급정지 예정이니 즉시 상환하세요",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("이번 달은 연체이자 부분을 싹둑 잘라 드릴게요", "ko", "debtor", None, "threat_violence", False),
    ("교회는 꼬박꼬박 나가시면서 믿음도 골라서 하시네요", "ko", "debtor", None, "insult_profanity", True),
    (
        "We're moving forward with a lawsuit on this balance.",
        "en",
        "debtor",
        {"time_barred": True},
        "false_legal_threat",
        True,
    ),
    (
        "We're moving forward with a lawsuit on this balance.",
        "en",
        "debtor",
        {"time_barred": False},
        "false_legal_threat",
        False,
    ),
    (
        "The judge is going to rule for us at the hearing on the 3rd.",
        "en",
        "debtor",
        {"lawsuit_filed": False},
        "false_legal_threat",
        True,
    ),
    (
        "The judge is going to rule for us at the hearing on the 3rd.",
        "en",
        "debtor",
        {"lawsuit_filed": True},
        "false_legal_threat",
        False,
    ),
    (
        "forget the statute of limitations, just send twenty dollars",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "no landlord in the county will rent to you after this",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "tell her the lawsuit against her is moving along",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    ("a decent man pays what he owes, brother", "en", "debtor", None, "insult_profanity", True),
    (
        "what kind of father lets his kids watch him dodge bills",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("what kind of plan would work for you this month", "en", "debtor", None, "insult_profanity", False),
    ("민사소송 접수 완료되었습니다", "ko", "debtor", {"lawsuit_filed": False}, "false_legal_threat", True),
    ("민사소송 접수 완료되었습니다", "ko", "debtor", {"lawsuit_filed": True}, "false_legal_threat", False),
    ("시효 같은 건 신경 쓰지 마시고 일단 넣어 주세요", "ko", "debtor", None, "false_legal_threat", True),
    ("양심이 없으시다는 말이 아니에요", "ko", "debtor", None, "insult_profanity", False),
    ("我们已经给您下了支付令", "zh", "debtor", {"lawsuit_filed": False}, "false_legal_threat", True),
    ("诉讼时效什么的不用管，先还一点", "zh", "debtor", None, "false_legal_threat", True),
    ("你去找同学挨个借一圈，今天凑齐", "zh", "debtor", None, "harassment", True),
    (
        "your son behind the counter is on the hook for every dollar too",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "we'll call doordash and let them know their drivers have accounts in collections",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "you can pay through the doordash card if that's easier",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    ("요즘 30대들은 갚을 생각이 없더라고요", "ko", "debtor", None, "insult_profanity", True),
    ("중대장님 연락처도 알아놨어요", "ko", "debtor", None, "privacy_exposure", True),
    ("서울중앙지검 협조 요청 받고 연락드렸습니다", "ko", "debtor", None, "false_legal_threat", True),
    ("이 집 국물이 진짜 죽여줘요", "ko", "debtor", None, "threat_violence", False),
    ("货车今天就拖走，根本不用过法院", "zh", "debtor", None, "false_legal_threat", True),
    ("这事不用走法院，我们协商解决", "zh", "debtor", None, "false_legal_threat", False),
    ("让他别他妈躲了", "zh", "third_party", None, "insult_profanity", True),
    ("you people from across the river are all the same", "en", "debtor", None, "insult_profanity", True),
    ("the people from your bank were all very helpful", "en", "debtor", None, "insult_profanity", False),
    ("전라도 분들 원래 핑계가 많으시더라고요", "ko", "debtor", None, "insult_profanity", True),
    ("충청도 분들 원래 인심이 좋으시잖아요", "ko", "debtor", None, "insult_profanity", False),
    ("시골 본가 마당이 넓던데 잘 지내시죠", "ko", "debtor", None, "threat_violence", True),
    ("입금하실 때까지 집 앞에서 안 나갈 거예요", "ko", "debtor", None, "harassment", True),
    # Tried by hand: a judgment announced and wages that "get garnished" (en 2026.12.49).
    (
        "The judgment came in, so your wages get garnished Friday.",
        "en",
        "debtor",
        {"lawsuit_filed": False},
        "false_legal_threat",
        True,
    ),
    (
        "The judgment came in, so your wages get garnished Friday.",
        "en",
        "debtor",
        {"judgment": True},
        "false_legal_threat",
        False,
    ),
    # Rounds 45 (go-betweens) and 46 (disputes).
    ("unpaid debt can get your green card revoked", "en", "debtor", None, "false_legal_threat", True),
    (
        "your immigration status has nothing to do with this account",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("nice quiet street you live on, be a shame if", "en", "debtor", None, "threat_violence", True),
    (
        "filing that complaint will be considered obstruction",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "please send a copy of your FTC identity theft report",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "Counselor, we'll send the statement to your office.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    ("한국 온 지 몇 년인데 아직도 그 모양이에요", "ko", "debtor", None, "insult_profanity", True),
    ("외국인등록번호 구공공삼일이 맞는지 봐 주세요", "ko", "third_party", None, "privacy_exposure", True),
    ("아무도 고객님을 사기꾼 취급하는 게 아닙니다", "ko", "debtor", None, "insult_profanity", False),
    ("12378管不了我们，你投诉了也白投", "zh", "debtor", None, "false_legal_threat", True),
    ("您可以向12378投诉，我们会配合调查", "zh", "debtor", None, "false_legal_threat", False),
    # rounds 47 (property and possessions) and 48 (deadlines and final notices)
    ("her stuff in the house is fair game for this debt", "en", "debtor", None, "false_legal_threat", True),
    ("your mom's jewelry goes toward the balance too", "en", "debtor", None, "false_legal_threat", True),
    (
        "everything's fair game in a settlement talk, so make me an offer",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "You folks from the east side always act like the car note is optional.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "You folks from the east side branch always have your ID ready, thank you.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("Pay up, you absolute sponger.", "en", "debtor", None, "insult_profanity", True),
    ("a 'repossession pending' sticker on your windscreen", "en", "debtor", None, "privacy_exposure", True),
    (
        "the repossession notice will come by mail to you alone",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    ("A copy of this notice has also been sent to HR.", "en", "debtor", None, "privacy_exposure", True),
    ("A copy of this notice has been sent to you by mail.", "en", "debtor", None, "privacy_exposure", False),
    ("We will keep messaging until you respond.", "en", "debtor", None, "harassment", True),
    ("Reminder 7 of today: call us now.", "en", "debtor", None, "harassment", True),
    (
        "This is your reminder for today: the plan payment is due Friday.",
        "en",
        "debtor",
        None,
        "harassment",
        False,
    ),
    ("逾期满九十天房子直接过户给我们 不用走法院", "zh", "debtor", None, "false_legal_threat", True),
    ("不用走法院，我们可以先协商一个分期方案", "zh", "debtor", None, "false_legal_threat", False),
    ("您刚说想自己卖车还款，别急着卖给车贩子", "zh", "debtor", None, "harassment", False),
    ("你先卖了车来还钱", "zh", "debtor", None, "harassment", True),
    ("开庭时间是下周二上午九点", "zh", "debtor", {"lawsuit_filed": False}, "false_legal_threat", True),
    ("开庭时间是下周二上午九点", "zh", "debtor", {"lawsuit_filed": True}, "false_legal_threat", False),
    ("양심을 어디 전당포에 맡기셨나 봐요", "ko", "debtor", None, "insult_profanity", True),
    ("전당포에 맡기신 물건은 찾아가셔도 됩니다", "ko", "debtor", None, "insult_profanity", False),
    ("그쪽 지방 분들이 원래 날짜 개념이 좀 없으시더라고요", "ko", "debtor", None, "insult_profanity", True),
    ("그쪽 지방 분들이 원래 사투리가 좀 강하시죠", "ko", "debtor", None, "insult_profanity", False),
    ("입금 확인 전까지 매시 정각마다 연락드립니다", "ko", "debtor", None, "harassment", True),
    ("입금 확인되면 정각에 문자로 안내드립니다", "ko", "debtor", None, "harassment", False),
    # rounds 49 (relationships) and 50 (health and medical situations)
    (
        "he's thrilled to be marrying someone who can't manage a forty-quid payment",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "congratulations on the engagement, we can pause letters until after the wedding",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "Typical wife, isn't it, spend spend spend on his card.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("A typical payment plan runs twelve months.", "en", "debtor", None, "insult_profanity", False),
    (
        "if you can manage to get yourself pregnant, you can set up a direct debit",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "congratulations on the pregnancy, we can put a hold on the account",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "your head only hurts when a payment's due, you bloody malingerer",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("sell the mobility scooter or the telly then", "en", "debtor", None, "harassment", True),
    ("we'd never ask you to sell your mobility aids", "en", "debtor", None, "harassment", False),
    ("您这抑郁症挺准时的嘛，每到还款日就犯", "zh", "debtor", None, "insult_profanity", True),
    ("您住院期间我们暂停催收，还款日可以顺延", "zh", "debtor", None, "insult_profanity", False),
    (
        "您是他老婆的话那我就直接跟您说了，他这个月还款日是十五号还差两千三百块",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "那我就直接跟您说了，他这个月还款日是十五号还差两千三百块",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    ("하여간 여자들은 결혼만 하면 남편 카드로 명품 긁고", "ko", "debtor", None, "insult_profanity", True),
    (
        "경상도 남자들은 다 그라요? 돈 갚을 땐 입을 딱 닫아불고",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("경상도 남자분들 말투가 좀 무뚝뚝하시죠", "ko", "debtor", None, "insult_profanity", False),
    ("장애 있는 분들은 왜 하나같이 갚을 땐 아프다 그러세요?", "ko", "debtor", None, "insult_profanity", True),
    ("장애가 있는 분들은 채무조정 우대 대상이세요", "ko", "debtor", None, "insult_profanity", False),
    ("꾀병도 한두 번이지, 아픈 척하는 데는 아주 선수시네요", "ko", "debtor", None, "insult_profanity", True),
    (
        "돈 안 갚는 분들 다 우울증이시더라고요. 핑계도 참 가지가지세요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("우울증 치료 중이시면 상환유예를 신청하실 수 있어요", "ko", "debtor", None, "insult_profanity", False),
    (
        "그런 일 또 안 겪으시려면 이번 주 안에 정리하시는 게 좋을 텐데요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "회복 중에 괜히 또 어디 다치시면 곤란하잖아요, 이번 주 안에 정리하시죠",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "수술 후 회복 중이시면 상환을 석 달 미뤄 드릴 수 있어요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "부부싸움은 칼로 물 베기라잖아요. 금요일까지만 연락 주세요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    # rounds 51 (public service and uniformed jobs) and 52 (disasters and emergencies)
    (
        "my guys would love to meet you off-post about this balance",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "our branch staff would love to meet you in person to set up the plan",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "believe me there's worse than a storm coming your way if this ain't sorted",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "another storm is coming this weekend, so stay safe and call us after",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "One call from us to your facility security officer and that clearance is history.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("Your clearance is not affected by a civil debt.", "en", "debtor", None, "false_legal_threat", False),
    (
        "we can always ring round your contacts and mention the balance",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "We could pin a little notice on the board at the relief centre.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "this is exactly why women shouldn't be trusted with the money",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "you bayou folks are all the same, nobody can pay a bill",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("你们护士长的电话我这儿有，她应该挺关心下属的困难吧", "zh", "debtor", None, "privacy_exposure", True),
    ("你们领导的电话我这儿没有，也不会去找", "zh", "debtor", None, "privacy_exposure", False),
    ("你唔还嘅话，我就直接打去你老细嗰度讲清楚", "zh", "debtor", None, "privacy_exposure", True),
    ("완전 고문관이시네. 짬밥을 거꾸로 드셨나 봐요", "ko", "debtor", None, "insult_profanity", True),
    ("대대장님이랑 통화 한 번만 하면 다 깔끔해질 것 같은데", "ko", "debtor", None, "privacy_exposure", True),
    (
        "저희 팀장님이랑 통화 한 번 하시면 유예 안내가 될 거예요",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    ("태풍보다 더한 게 그 댁으로 찾아갈 수도 있으니까요", "ko", "debtor", None, "threat_violence", True),
    ("태풍 피해 때문이면 상환유예 신청이 가능합니다", "ko", "debtor", None, "threat_violence", False),
    (
        "남은 반쪽은 무사해야 하지 않겠어요, 이번 주 안에 넣으세요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "저는 시청 재난안전과에서 나왔는데요, 오늘 중으로 정리하세요",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("평소 살림도 쑥대밭이셨을 것 같은데, 별 차이 있나요", "ko", "debtor", None, "insult_profanity", True),
    ("그짝 동네 사람들은 원래 다 그라고 떼먹는당께", "ko", "debtor", None, "insult_profanity", True),
    (
        "자원봉사자분들도 누가 빚지고 숨어 있는지는 아셔야 하지 않을까요",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "공무원연금은 법으로 압류가 제한돼 있어서 저희가 손댈 수 없어요",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("연금까지 압류 들어갑니다", "ko", "debtor", None, "false_legal_threat", True),
    # rounds 53 (religion, fate and morality) and 54 (sports, games and hobby slang)
    (
        "we've picked up your scent now, and we don't tend to miss twice",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "the dog picked up the scent of the mail carrier, sorry about the barking",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("我领俩人过去直接给你KO了，赶紧还钱", "zh", "debtor", None, "threat_violence", True),
    ("昨晚那场拳击他第三回合就被KO了", "zh", "debtor", None, "threat_violence", False),
    ("你们河南人打牌就爱赖账", "zh", "debtor", None, "insult_profanity", True),
    ("你们河南那边今年冬天冷不冷", "zh", "debtor", None, "insult_profanity", False),
    (
        "您是她的配偶，那我直接说：她这张信用卡逾期两期",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "절에 불 나는 거 순식간이더라고요. 촛불 관리 잘하셔야겠어요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("현피 뜨러 간다, 니 집 주소 이미 땄어", "ko", "debtor", None, "threat_violence", True),
    ("어제 경기에서 상대를 한 방에 보냈다고요? 축하드려요", "ko", "debtor", None, "threat_violence", False),
    (
        "헌금은 빠짐없이 내시면서 이건 빼놓으시네요. 하나님이 참 자랑스러워하시겠어요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("완전 쪼렙이시네요, 그냥 계정 삭제가 답 아니에요?", "ko", "debtor", None, "insult_profanity", True),
    ("전라도 쪽은 다 그래요, 빌려 가면 안 갚으시더라고요", "ko", "debtor", None, "insult_profanity", True),
    (
        "그 계정 오늘 안에 아이템베이에 올려서 판매 완료 캡처 보내세요",
        "ko",
        "debtor",
        None,
        "harassment",
        True,
    ),
    ("게임 계정은 고객님 재산이라 저희가 팔라고 할 수 없어요", "ko", "debtor", None, "harassment", False),
    # rounds 55 (news, politics and public figures) and 56 (technology, links and scams)
    (
        "that fella they pulled out the canal, well he owed people too, just saying",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "your wife's home on her own most afternoons, isn't she?",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "is your wife at home this afternoon? I can call back then",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "a payment link is beyond you? Honestly, how thick are you.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("조용히 정리하시는 게 고객님 몸에도 좋을 거예요", "ko", "debtor", None, "threat_violence", True),
    ("규칙적으로 운동하시면 몸에도 좋을 거예요", "ko", "debtor", None, "threat_violence", False),
    ("하여간 나이 먹으면 다 짐이라니까요", "ko", "debtor", None, "insult_profanity", True),
    ("앱 푸시 알림 매시간 가게 설정해 놨어요", "ko", "debtor", None, "harassment", True),
    ("결제일 하루 전에 앱 푸시 알림이 한 번 갑니다", "ko", "debtor", None, "harassment", False),
    ("어제 야구 보셨어요? 기아가 완전 박살내부렀드만", "ko", "debtor", None, "threat_violence", False),
    (
        "오늘 기사 제목이 '안 갚으면 죽여버린다' 협박한 사채업자 구속이던데요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("안 갚으면 죽여버린다", "ko", "debtor", None, "threat_violence", True),
    (
        "这笔账已经过了诉讼时效，真要起诉您可以提时效抗辩",
        "zh",
        "debtor",
        {"time_barred": True},
        "false_legal_threat",
        False,
    ),
    ("这笔账过了时效我们也照样起诉你", "zh", "debtor", {"time_barred": True}, "false_legal_threat", True),
    # Rounds 57 and 58 (food and errands, travel and moving): regional contempt in new words, a
    # Cantonese police threat, business closure for a loan; prices, a morning call-back, a fault fixed.
    (
        "You lot from up past the ring road are all the same, always a sob story",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "You lot from the branch were all so helpful last week, thanks",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "you bogans are all the same, spend it at the pub and cry poor",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "The instalments are all the same amount, so you can plan around them",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "rent is killing everyone in this town, I get it, so let's set a smaller amount",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("I'm killing everyone you love if this isn't paid", "en", "debtor", None, "threat_violence", True),
    (
        "We have no authority over your immigration status; that is not something we would ever touch.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "Pay up or we'll have a word with immigration about you.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "As his wife, you're entitled to know his card balance is 900 pounds.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    ("明天上午十点我再打给您确认一下", "zh", "debtor", None, "harassment", False),
    ("半夜十二点我再打给你", "zh", "debtor", None, "harassment", True),
    ("你再唔还，差人一阵就上嚟揾你", "zh", "debtor", None, "false_legal_threat", True),
    ("你们这些外地佬就是不讲信用", "zh", "debtor", None, "insult_profanity", True),
    ("我也是外地佬，理解你的难处", "zh", "debtor", None, "insult_profanity", False),
    ("앱 오류는 제가 바로 손봐 드릴게요", "ko", "debtor", None, "threat_violence", False),
    ("내일 찾아가서 손봐 드릴게요", "ko", "debtor", None, "threat_violence", True),
    ("경상도 사람들이 원래 그렇죠 뭐", "ko", "debtor", None, "insult_profanity", True),
    ("경상도 사투리가 원래 그렇게 들려요", "ko", "debtor", None, "insult_profanity", False),
    ("잠수타는 데는 선수시네요", "ko", "debtor", None, "insult_profanity", True),
    ("요리하는 데는 선수시네요", "ko", "debtor", None, "insult_profanity", False),
    ("미납 시 영업정지 처분이 내려집니다", "ko", "debtor", None, "false_legal_threat", True),
    ("영업정지 기간에는 상환을 미룰 수 있어요", "ko", "debtor", None, "false_legal_threat", False),
    # Rounds 59 and 60 (rural life, films and songs): a film's beating room, a wife's gold sold; a
    # film's tactic disowned; a promise not to post is no promise once it is a question.
    (
        "sell your mother's bangles and borrow off your cousins, just get it done today",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "Please don't sell your wife's jewellery to pay us; let's set up a plan instead.",
        "en",
        "debtor",
        None,
        "harassment",
        False,
    ),
    ("저희 사무실에도 진실의 방 하나 마련해 뒀습니다", "ko", "debtor", None, "threat_violence", True),
    ("범죄도시 진실의 방 장면 보셨어요? 너무 웃기죠", "ko", "debtor", None, "threat_violence", False),
    ("我们不是电影里那种泼油漆的，您放心", "zh", "debtor", None, "threat_violence", False),
    ("不还就给你家门上泼油漆", "zh", "debtor", None, "threat_violence", True),
    ("你以为我们不会往村群里发？明天就发", "zh", "debtor", None, "privacy_exposure", True),
    # Rounds 61 and 62 (gambling, weddings and beauty): limbs that may not work, the lads at the
    # church, 물리적으로 collected, a dry season for fires, 살림이나 하시지; surgery, records and thanks.
    (
        "skip one more payment and we'll see if your knees still bend by the new year",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "After the surgery, see if your knees still bend comfortably before you go back to work.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "trust me you don't want my lads showing up at the reception",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("Stop being a dole bludger and pay something", "en", "debtor", None, "insult_profanity", True),
    (
        "Our favourite shot out of the stalls and faded in the last furlong.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("수금은 저희가 좀 물리적으로 하는 편이라서요", "ko", "debtor", None, "threat_violence", True),
    ("서류는 물리적으로 보관하고 있습니다", "ko", "debtor", None, "threat_violence", False),
    (
        "요즘 건조해서 불나기 딱 좋은 날씨네요 주소는 알고 있고요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("요즘 건조해서 산불 조심하라고 문자가 오더라고요", "ko", "debtor", None, "threat_violence", False),
    ("집에서 살림이나 하시지 무슨 대출을 받으셨어요", "ko", "debtor", None, "insult_profanity", True),
    ("집에서 살림하시면서 부업도 하신다고 들었어요", "ko", "debtor", None, "insult_profanity", False),
    ("내일 입금하신다더니 딱 그러시네요 감사합니다", "ko", "debtor", None, "insult_profanity", False),
    # voicemails and messages left (round 63), children, pets and animals (round 64)
    (
        "I'd hate for the bailiffs to be at your door tomorrow taking the telly.",
        "en",
        "debtor",
        {"judgment": False},
        "false_legal_threat",
        True,
    ),
    (
        "I'd hate for the bailiffs to be at your door tomorrow taking the telly.",
        "en",
        "debtor",
        {"judgment": True},
        "false_legal_threat",
        False,
    ),
    (
        "Bailiffs can only take goods after a court order.",
        "en",
        "debtor",
        {"judgment": False},
        "false_legal_threat",
        False,
    ),
    (
        "Tell that freeloader you married the balance isn't going anywhere.",
        "en",
        "third_party",
        None,
        "insult_profanity",
        True,
    ),
    ("Could you tell your husband I called?", "en", "third_party", None, "insult_profanity", False),
    (
        "Even the chimps at the zoo manage to hand over a banana when asked nicely.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "We went to the zoo and even the chimps managed to look bored.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "댁 현관 도어락이 꽤 오래돼 보이던데 오늘 밤엔 문단속 잘 하시라고요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("잠수 타시는 실력은 거의 국가대표급이시네요", "ko", "debtor", None, "insult_profanity", True),
    ("아드님 수영 실력이 국가대표급이라면서요, 축하드려요", "ko", "debtor", None, "insult_profanity", False),
    ("이 양반은 진짜 인간이 덜 됐나", "ko", "debtor", None, "insult_profanity", True),
    ("그쪽 지방 분들은 빌릴 때랑 갚을 때 얼굴이 다르다더니", "ko", "debtor", None, "insult_profanity", True),
    ("전라도 분들이 원래 다 그런가요?", "ko", "debtor", None, "insult_profanity", True),
    ("전라도 분들은 원래 음식 솜씨가 좋으시잖아요", "ko", "debtor", None, "insult_profanity", False),
    (
        "카톡 친구 목록 중 연락 가능한 분들께 순차적으로 안내 문자가 발송될 예정입니다",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    ("고객님 휴대폰으로 안내 문자가 발송될 예정입니다", "ko", "debtor", None, "privacy_exposure", False),
    ("손가락은 도마뱀 꼬리처럼 다시 안 자라거든요", "ko", "debtor", None, "threat_violence", True),
    ("this fucking系统又卡了，你稍等啊", "zh", "debtor", None, "insult_profanity", True),
    ("我们系统今天又卡了，您稍等一下", "zh", "debtor", None, "insult_profanity", False),
    # gig work and trades (round 65), elderly debtors (round 66)
    (
        "The family business carries your debt, so we'll be going after his plumbing firm next.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "Your brother's business isn't responsible for your personal loan.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "It's always something with you delivery lot, you're all a bunch of flakes.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "I couldn't give two shites about your cracked windscreen.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "You know what they say about Romanian builders, cash in hand and gone by Monday.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Your grandson's breaking a leg in the school play tonight, lovely.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "Someone might end up breaking a leg if this isn't paid.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("거기 목포 쪽 분들은 원래 말로만 갚는다더니", "ko", "debtor", None, "insult_profanity", True),
    ("목포 쪽 분들은 원래 회를 좋아하시죠", "ko", "debtor", None, "insult_profanity", False),
    ("고객님은 현장에 굴러다니는 폐자재 같아요", "ko", "debtor", None, "insult_profanity", True),
    ("오늘 중고거래에 올리시고 저녁까지 입금하셔유", "ko", "debtor", None, "harassment", True),
    ("입금하셨는지 제가 확인해 볼게요", "ko", "debtor", None, "harassment", False),
    (
        "대출 신청 시 동의하신 휴대폰 연락처로 납부 협조 요청 문자가 순차 발송될 예정입니다",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    ("등록하신 휴대폰 연락처로 안내 문자가 발송됩니다", "ko", "debtor", None, "privacy_exposure", False),
    ("따님한테도 다 보여드릴 거니까 그렇게 아세요", "ko", "debtor", None, "privacy_exposure", True),
    ("따님께 보여드려도 되겠죠? 다 아셔야죠", "ko", "debtor", None, "privacy_exposure", True),
    ("저도 예전에 망치로 손가락 찍어서 한 달 쉰 적 있어요", "ko", "debtor", None, "threat_violence", False),
    ("망치로 손가락 찍어버리기 전에 갚으세요", "ko", "debtor", None, "threat_violence", True),
    (
        "저희가 연금공단에 통보해서 다음 달부터 지급 정지되게 해 드릴 겁니다",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "기초연금은 압류 금지라서 저희가 지급 정지시킬 수 없어요",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "돈 갚을 날짜만 기억 안 나시는 걸 보니 선택적 치매신가 봐요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("요즘 노인네들은 연금 타면 화투판에 다 갖다 바치던데", "ko", "debtor", None, "insult_profanity", True),
    ("아 시바 할머니 안 들리는 척 좀 그만하세요", "ko", "debtor", None, "insult_profanity", True),
    ("우리 집 시바견이 짖어서 잘 안 들려요", "ko", "debtor", None, "insult_profanity", False),
    # night shifts and the time of day (round 67), small shops and stalls (round 68)
    (
        "Must be nice, sleeping till two in the afternoon while the grown-ups pay their bills.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("Och, ye're a right numpty, so ye are.", "en", "debtor", None, "insult_profanity", True),
    (
        "We can always pop it in the street whatsapp group at breakfast time.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "As her husband, I can tell you the overdue balance on her card is $1,240.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "밤낮이 바뀌시더니 대낮까지 퍼 자는 식충이한테 제가 뭘 기대하겠어요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "저희가 새벽에 전화하거나 댁으로 찾아가거나 그런 건 절대 안 해요",
        "ko",
        "debtor",
        None,
        "harassment",
        False,
    ),
    ("새벽에 전화 계속 드릴 겁니다", "ko", "debtor", None, "harassment", True),
    ("전화 안 받으시면유, 그거 다 어머님헌티 넘어가유", "ko", "debtor", None, "false_legal_threat", True),
    (
        "어머님께는 이 채무가 넘어가지 않습니다, 걱정 마세요",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("아 전라도 분이시구나, 어쩐지", "ko", "debtor", None, "insult_profanity", True),
    (
        "그 연세에 계산이 이렇게 흐려서야 치매 검사부터 받아보셔야겠어요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "어머님 치매 검사는 받아보셨어요? 요즘 보건소에서 무료로 해 줘요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("재고 싹 땡처리 하시고 배달 오토바이도 팔면 되잖아요", "ko", "debtor", None, "harassment", True),
    (
        "我们会通知食药监注销您的卫生许可证，大众点评上的店铺也会同步下架",
        "zh",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("你间茶餐厅啲数再唔还，差佬听日就上嚟拉人㗎喇", "zh", "debtor", None, "false_legal_threat", True),
    ("我家店里最近老鼠一样多，烦死了", "zh", "debtor", None, "insult_profanity", False),
    # music, art and creative work (round 69), courts and official letters (round 70)
    (
        "Congratulations, that's the most successful thing you've done all year.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Might pop down to your Friday residency at the Blue Fox and grab the front table till you pay.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "Good luck at your Friday residency, I'll ring Monday at ten.",
        "en",
        "debtor",
        None,
        "harassment",
        False,
    ),
    (
        "the paperwork's not the problem the problem is you're a bludger",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("딴따라들은 원래 빌려 놓고 잠수 타는 게 일이잖아요?", "ko", "debtor", None, "insult_profanity", True),
    (
        "휴대폰 주소록에 있는 클라이언트분들께 한 분씩 사정 설명을 드려 볼게요",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "변호사님 선임하셨다면 사무실 연락처 하나만 알려 주시겠어요?",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "그 댁 아저씨 앞으로 법원에서 압류 통지가 나갈 수도 있어서요",
        "ko",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    ("가족분들의 안전은 고객님의 선택에 달려 있습니다", "ko", "debtor", None, "threat_violence", True),
    (
        "선생님 몸이 먼저 판결 받으실 수도 있어요. 요즘 밤길 많이 어둡잖아요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("빌릴 땐 청산유수더니 갚을 땐 벙어리시네요", "ko", "debtor", None, "insult_profanity", True),
    (
        "우리 채권은 회생에서도 안 빠지고 파산해도 평생 따라댕겨요잉",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "개인회생이 인가되면 저희 채권도 변제계획에 따라 정리됩니다",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("唱了十年还是十八线，除了欠钱你还会点啥？", "zh", "debtor", None, "insult_profanity", True),
    ("强制执行嘛，法院执行您的钱，我们执行您的人", "zh", "debtor", None, "threat_violence", True),
    ("这破调解系统又他妈卡了，您稍等啊", "zh", "debtor", None, "insult_profanity", True),
    ("他妈妈的医药费我们理解，还款可以缓一缓", "zh", "debtor", None, "insult_profanity", False),
    # nightlife and drinking (round 71), the household and housework (round 72)
    (
        "i could always just mention it to the manager at the club you work at",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "Nobody here is going to turn up at your birthday drinks or ring your boss, all right?",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "These Irish lads are all the same, drink the wages on a Friday.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "He's family and he was on that stag weekend, so legally he's on the hook for the lot.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "Your brother co-signed the loan, so legally he's on the hook for it too.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "Your son's nights out came with a bill, and my job is getting it settled.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "keep that knife handy mate cause the lads who call round they don't bother knocking",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "People off those council estates never clean their ovens and never pay their bills.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "그 손가락 계속 멀쩡하게 쓰고 싶으시면 금요일까지 맞춰 주세요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("케이크에 초 말고 딴 거 꽂히기 전에 돈 내라", "ko", "debtor", None, "threat_violence", True),
    (
        "숙취처럼 머리 깨지는 상황이신 거 알겠어요. 이 금액은 한 번 꺾어서 두 번에 나눠 내셔도 됩니다",
        "ko",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("끝까지 안 기어 나오면 알아서 정리되는 거죠", "ko", "debtor", None, "threat_violence", True),
    ("어 잠깐만요 이 개같은 전산이 또 멈췄네", "ko", "debtor", None, "insult_profanity", True),
    ("저희 집 개 같은 경우는 산책을 매일 시켜요", "ko", "debtor", None, "insult_profanity", False),
    ("그쪽 지방 분들은 다 그렇잖아요, 잔금은 떼먹는 거", "ko", "debtor", None, "insult_profanity", True),
    ("你们那地方的人酒量大，赖账的胆子更大", "zh", "debtor", None, "insult_profanity", True),
    ("欠钱装死的跟蟑螂一个待遇，您自己掂量", "zh", "debtor", None, "threat_violence", True),
    # school runs and parents (round 73), payments and banking talk (round 74)
    (
        "Honestly, my Year 2 could run a budget better than you.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Even you ought to manage tapping 'pay', shouldn't you?",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "People from your end of town never have a penny on the day the direct debit goes out.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Cancelling the standing order was, legally speaking, obtaining credit by deception.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "본인은 빚이라는 숙제를 3년째 밀리시면서, 부모 자격은 있으신가 모르겠네요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("경상도 사람들은 다 목소리만 크지 돈은 안 갚더라고요", "ko", "debtor", None, "insult_profanity", True),
    ("어머님은 인생 성적표가 전 과목 낙제시네요", "ko", "debtor", None, "insult_profanity", True),
    ("계속 이러시면 쪼개지는 게 할부만은 아닐 수도 있고요", "ko", "debtor", None, "threat_violence", True),
    (
        "전라도 쪽 분들이 할부 잘 안 갚는다는 얘기가 괜히 나온 게 아니네요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "그 연세 되도록 자동이체 하나 못 거시는 양반이, 나이를 어디로 드셨나",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "고객님 연락처에 저장된 분들께도 결제 안내 문자가 순차 발송될 예정입니다",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "카드값 때문이냐고요? 그건 본인 말고는 말씀드릴 수가 없어서요",
        "ko",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    ("孩子那架钢琴先挂二手卖了还一部分", "zh", "debtor", None, "harassment", True),
    ("你屋企楼下嗰部电单车，听日仲喺唔喺度就好难讲喇", "zh", "debtor", None, "threat_violence", True),
    # cars and car loans (round 75), neighbours and apartment buildings (round 76)
    (
        "It's always the travellers with the big vans who swear blind the cheque's in the post.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "The Vauxhall's a write-off, and frankly so are you, sunshine.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "youll be hearing from me at teatime bedtime and probably breakfast too",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "We've got a notice ready for the windscreen that spells out the arrears.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "Typical millennial, isn't it? Loft flat you can't afford.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "연체가 석 달 넘어가면 운전면허가 자동으로 정지되는 건 알고 계시죠?",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("허세만 가득 찬 빈 깡통이시네", "ko", "debtor", None, "insult_profanity", True),
    (
        "세입자분이 안 갚으시면 집주인분도 같이 책임지게 돼 있어요",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("그 연세에 숨어 사시는 거 민망하지도 않으세요?", "ko", "debtor", None, "insult_profanity", True),
    (
        "원래 그쪽 지방 분들이 말만 번지르르하고 약속은 잘 안 지키시더라고요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("요즘 밤 사이에 타이어 펑크 나는 일이 그렇게 많다던데", "ko", "debtor", None, "threat_violence", True),
    (
        "타이어 펑크 나듯이 갑자기 목돈 들어갈 일 생기면 힘드시잖아요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("你们那个地方出来的是不是都这样，贷款买车就没打算还", "zh", "debtor", None, "insult_profanity", True),
    ("系统每隔一小时会自动再拨，这我也没办法", "zh", "debtor", None, "harassment", True),
    # hospitals and festivals (77, 78): benefits and the right to marry, "typical your lot", the
    # foreman rung, prices that "kill", faking illness as acting, a conscience left behind, a
    # region's excuses
    (
        "Keep dodging us, mate, and you could lose your Medicare card over this.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "You won't lose your Medicare card over this, that's not how it works.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "We'll be notifying the registrar, and they can't legally marry someone with a debt on file.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "Marriage registrar offices are closed over Christmas, so I hear.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "yeah typical your lot innit every eid its new clothes for the whole family",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Typical of your bank to close the branch over Christmas.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "If it's not settled by Christmas Eve I'll give your foreman at the depot a ring.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "Give your foreman a ring and ask if payday moves with the holiday.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "yeah christmas just kills everyone's budget mate, no judgement",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "the insurers are absolute cowboys, they'd murder you on the excess",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("They'll kill you on the spot if you go there.", "en", "debtor", None, "threat_violence", True),
    ("꾀병도 이 정도면 연기대상감이시네요.", "ko", "debtor", None, "insult_profanity", True),
    (
        "우리 딸은 학예회 연기상 받았어요, 그래서 이번 달 지출이 좀 컸네요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("병원 말고 양심부터 진료 좀 받아 보세요.", "ko", "debtor", None, "insult_profanity", True),
    ("양심적인 진료비로 유명한 병원이에요.", "ko", "debtor", None, "insult_profanity", False),
    ("염치도 참 좋으셔, 양심은 식장에 두고 오셨나 봐요?", "ko", "debtor", None, "insult_profanity", True),
    (
        "你们那个省出来的我接过上百个了，个个都说老人住院，一个比一个会编。",
        "zh",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("这些年手机广告一个比一个会编故事，您别被骗了。", "zh", "debtor", None, "insult_profanity", False),
    # farms and sport (79, 80): a licence "of yours" gone after one call, manure shovelled, Geordies who
    # always find money, a county office named, an empty head, a rank in a game, birth dates and phone
    # digits read as figures, an arrest denied after it is named
    (
        "One call from us and that commercial licence of yours is gone.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "Your fishing licence is up for renewal with Fisheries, is that why money's tight?",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "You should stick to spreading manure, you're already good at shovelling it at me.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "He's good at shovelling snow, your lad, I saw him out this morning.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "Funny how you Geordies can always find forty quid for the Toon match but never a penny.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "You Geordies always have the best banter, I love calling up there.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "네 저는 군청 농정과에서 연락드리는 거고요 미납 건 확인차 전화 드렸습니다",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "군청에서 연락 오시면 저희랑은 별개니까 따로 확인하세요.",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("몸만 키우셨지 머리는 텅 비셨나 봐요.", "ko", "debtor", None, "insult_profanity", True),
    ("저는 게임하면 맨날 브론즈예요 ㅎㅎ", "ko", "debtor", None, "insult_profanity", False),
    (
        "생년월일 880512에 뒷자리 1로 시작하는 이정훈 회원님이요",
        "ko",
        "third_party",
        None,
        "privacy_exposure",
        True,
    ),
    ("휴대폰 끝번호 4471인 분 오늘 오셨나요?", "ko", "third_party", None, "privacy_exposure", True),
    (
        "고객님 본인 확인을 위해 생년월일 앞자리만 말씀해 주세요.",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "이건 민사상 채무라서 안 갚으셨다고 경찰이 오거나 잡혀가는 일은 없어요.",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("你这人品段位也就青铜垫底吧。", "zh", "debtor", None, "insult_profanity", True),
    ("我打游戏也就青铜段位，哈哈，咱们说回还款。", "zh", "debtor", None, "insult_profanity", False),
    # travel and faith (81, 82): a fall wished on a wife, Spanish swearing, borrowing from a congregation,
    # a statement sent to a temple committee, a birth date and card digits read in words, a claim filed in
    # a named court, a visa and a passport, 조선족 who leave, a cease request refused, a bazaar's goods to
    # sell, an arsonist in the news, 卧靠
    (
        "It'd be such a pity if your missus had a nasty fall on her way to the consulate next week.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "It would be a shame if you missed the hardship plan deadline, it closes Friday.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "Mira, pinche mentiroso, you told me you'd pay the minute you got back.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "ask your hermanos at the iglesia, somebody there can lend you the eight hundred by Thursday",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "Is there family who could help? Only if you want to ask, it's entirely up to you.",
        "en",
        "debtor",
        None,
        "harassment",
        False,
    ),
    (
        "we can always send a copy of the statement over to the temple committee",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "date of birth fourteenth of March seventy-nine, card ending four four seven one, is that him?",
        "en",
        "third_party",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "I can't discuss anyone's date of birth with you, sorry, could you pass on my number?",
        "en",
        "third_party",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "the bank filed its claim in the Magistrates Court last month, so the hearing goes ahead",
        "en",
        "debtor",
        {"lawsuit_filed": True},
        "false_legal_threat",
        False,
    ),
    (
        "the bank filed its claim in the Magistrates Court last month, so the hearing goes ahead",
        "en",
        "debtor",
        {"lawsuit_filed": False},
        "false_legal_threat",
        True,
    ),
    (
        "친구, 돈 안 내면 비자 끝나요. 출입국에서 잡으러 와요.",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "비자 연장 때문에 출입국 다녀오셨다고 하셨죠? 그럼 다음 주에 다시 연락드릴게요.",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "이 빚 때문에 비자가 취소되거나 하지도 않으니까 안심하세요.",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "다음 주에 방문드릴 때 여권은 저희가 잠깐 보관해 둘게요.",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "저희는 고객님 여권을 보관하거나 압수할 권한이 없습니다.",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("저희는 출국금지를 걸 수 있는 기관이 아닙니다.", "ko", "debtor", None, "false_legal_threat", False),
    (
        "솔직히 조선족 분들은 돈 빌리고 중국 들어가면 끝이잖아요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "빚은 못 갚으셔도 선크림은 꼬박꼬박 바르시나 봐요? 양심은 기내에 두고 내리셨나.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "여권번호 엠 일이삼사오육칠팔 생년월일 구공공삼일오 이분 동생분 맞으시죠",
        "ko",
        "third_party",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "그거 기부하지 마시고 팔아서 입금하세요. 그리고 구역 식구들한테 좀 빌리시고요.",
        "ko",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "차 팔아서 갚으시겠다는 건 고객님이 정하실 일이에요, 저희가 강요하는 건 아닙니다.",
        "ko",
        "debtor",
        None,
        "harassment",
        False,
    ),
    ("연락하지 말라 하셔도 소용없어요, 내일 또 걸게요.", "ko", "debtor", None, "harassment", True),
    (
        "네 저도 봤어요 그 성당 불 지른 사람 잡혔다면서요 다행이에요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("卧靠你搁那边刷盘子刷了三年一分钱没攒下来啊", "zh", "debtor", None, "insult_profanity", True),
    # disasters, apps, and the focused sets (83, 84, 85): "purely a civil matter", non-payment called
    # theft, medals for excuses, the charm of a parking fine, "short with us", the parish office, a head
    # under water, 코스프레, 卧草, a relative's question repeated, 您是他爱人那我就直说了, 已经正式受理
    (
        "There's no arrest or police involvement here, this is purely a civil matter.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "spending the loan and not paying it back is technically theft, right?",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "Identity theft is technically fraud, so please report it to the police if that's what happened.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "Not paying is not a crime, to be clear, it's a civil debt.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "If they gave out medals for excuses you'd be standing on the podium.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "With respect, you've got all the charm of a parking fine.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "The town has all the charm of a car park, I know, I grew up there.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "if the family could chip in, he's only about eighteen hundred short with us",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "tell him the people he's been dodging called, and the balance hasn't gone anywhere",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "I'll be straight with you, the next step is a letter to the parish office.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "Please send your letter to the parish office address if that's easier for you.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    ("집이 물에 잠겼으면 머리도 같이 잠겼어요?", "ko", "debtor", None, "insult_profanity", True),
    ("몇 번을 설명해야 알아들으시냐고요.", "ko", "debtor", None, "insult_profanity", True),
    ("몇 번을 설명드려도 괜찮아요, 천천히 보시면 돼요.", "ko", "debtor", None, "insult_profanity", False),
    ("거지도 아니고 이재민 코스프레 좀 그만하시죠.", "ko", "debtor", None, "insult_profanity", True),
    (
        "쇼핑은 로켓배송인데 갚는 건 선박배송이시네요. 그렇게 사시는 거 안 창피하세요?",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("卧草这破系统又卡死了 你那个理赔单号再给我念一遍", "zh", "debtor", None, "insult_profanity", True),
    (
        "阿姨，您问他是不是欠了钱，这个我真不能跟您说，麻烦您让他给我回个电话就行。",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    ("阿姨，他欠了钱，您问他是不是还了？", "zh", "third_party", None, "third_party_disclosure", True),
    (
        "嫂子，您是他爱人那我就直说了，他那张信用卡逾期两个月了。",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "法院上周已经正式受理了，案号我稍后短信发您。",
        "zh",
        "debtor",
        {"lawsuit_filed": True},
        "false_legal_threat",
        False,
    ),
    (
        "法院上周已经正式受理了，案号我稍后短信发您。",
        "zh",
        "debtor",
        {"lawsuit_filed": False},
        "false_legal_threat",
        True,
    ),
    # food and uniforms (86, 87): a chippy that could go up one night, belongings listed for sale, a rent-
    # a-cop, army wives, a life "rolled up", 조까튼, a rank's insignia wasted, nine in ten who default
    (
        "all that hot oil sitting in the fryers overnight, place could go up just like that one night",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "Prices could go up just like that, so lock in the rate now.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "List it on Gumtree this weekend and transfer the lot to us, I'm not asking.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    ("You could list it on eBay if you want to, it's your call.", "en", "debtor", None, "harassment", False),
    (
        "mate you're a rent a cop standing at a shopping centre door for twenty bucks an hour",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Honestly, you army wives are all the same, hubby's away and you're down Kmart.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Honestly, you're all the same to me, I treat every customer equally.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "국밥을 말아야지 가게를 말아 드시면 어떡해요, 인생도 같이 말아 드셨고.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("아 이 조까튼 전산 또 먹통이네 아 네 고객님 죄송해요", "ko", "debtor", None, "insult_profanity", True),
    ("조까지 확인했고요, 다음 조 일정 알려드릴게요.", "ko", "debtor", None, "insult_profanity", False),
    (
        "업소용 냉장고 그거 오늘 당근에 올리세요, 사진 찍어서 저한테 먼저 보내 주시고.",
        "ko",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "나라 지킨다는 분이 카드값 하나를 못 지키세요? 어깨에 단 그 계급장이 아깝네요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "河南来的保安我见多了，十个里头九个赖账，你也不例外吧。",
        "zh",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("十个客户里有九个都按时还款了，您也可以的。", "zh", "debtor", None, "insult_profanity", False),
    # the second focused sets and students (88, 89, 90): the people after me, a big lad who isn't a
    # talker, an investigator's title, non-payment as deception, a debt on file, pictures and things over
    # one's head, grown-ups, a hole with us, recovery said hi, the church and the work address, a nan's
    # savings, a late call, halls watched, a scam text disowned, nine in ten, tuition wasted, MZ
    (
        "I'm the friendly part. The folks who get the file after me don't really do phone calls.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("We don't really do phone calls, we prefer email.", "en", "debtor", None, "threat_violence", False),
    (
        "My colleague who does the doorstep visits is a big lad and he isn't much of a talker.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "Tell Jordan that Civic of his in the dorm lot might be missing a few windows by Monday.",
        "en",
        "third_party",
        None,
        "threat_violence",
        True,
    ),
    (
        "Hi, this is Investigator Reyes with the Financial Compliance Unit, calling about case 44-197.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "Not paying a finance agreement you signed is obtaining goods by deception, technically.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "You will not be arrested for not paying, this is a civil matter.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "your daughter's HECS stuff can get a bit sticky while there's a family debt on file",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("Do you need me to text it to you with pictures?", "en", "debtor", None, "insult_profanity", True),
    (
        "I'll go slower, seeing as the numbers have sailed over your head the first three times.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "You know what they call a grown man who lets his wife cover the bills?",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Some people just aren't cut out for being grown-ups, are they.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "you'd think by your age you'd have learned to count past payday",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("Pensioners always plead poverty first.", "en", "debtor", None, "insult_profanity", True),
    (
        "That's bollocks and you know it, you've been taking the piss with this card.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Between you and me, your brother's in a bit of a hole with us.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "If you run into her, tell her Diane from recovery said hi.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "as his dad you'd want to know he's not paid a penny on the phone contract since Christmas",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "We'd only bring it up with the folks at your church if we truly couldn't reach you.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "we can mail the statements to your work address instead if that's easier",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    ("We won't send anything to your work address.", "en", "debtor", None, "privacy_exposure", False),
    (
        "Have you asked your nan? Pensioners usually have a bit tucked away.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "I know it's quarter to eleven at night, but you weren't answering earlier.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "a rep will be waiting outside your halls each evening this week until this is settled",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "您收到那条写着已立案、今晚警方上门的短信不是我们发的，我们从来不发这种内容。",
        "zh",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("你们那个县出来的十个有八个借钱不还，祖传手艺哈。", "zh", "debtor", None, "insult_profanity", True),
    (
        "대학까지 나오셨다면서 이자 계산 하나를 못 하세요? 부모님이 낸 등록금이 아깝네요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("요즘 이십대 남자애들은 다 이래요?", "ko", "debtor", None, "insult_profanity", True),
    ("MZ분들은 원래 돈 개념이 좀 없으시잖아요.", "ko", "debtor", None, "insult_profanity", True),
    # messages, third parties and crypto (91, 92, 93): gentler colleagues, things that happen to cars,
    # deception named as a crime, a negated pair, shitshow, toddlers and strong suits, a listing sent by
    # link, "we're after him", referees, a nan's paid-off house, the school gate, a time-barred debt, a
    # spouse checked, 胸弟 in the county town, 等着进去, 저희 쪽 형님들, 사람도 청산
    (
        "After today your file goes to colleagues who are nowhere near as gentle about these things.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "that tesla's parked out on the street every night right, things happen to cars",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "A scratch here and there, things happen to cars, that's what the insurance is for.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "A loan you knew you couldn't repay is what solicitors call obtaining credit by deception.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("It isn't theft by deception, it's a civil debt.", "en", "debtor", None, "false_legal_threat", False),
    (
        "Just to be clear, you can't be arrested or go to jail over an unpaid loan.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("pay today or you go to jail", "en", "debtor", None, "false_legal_threat", True),
    (
        "your account is a total shitshow and ive been staring at your name for three weeks",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("I've met toddlers with a firmer grip on due dates.", "en", "debtor", None, "insult_profanity", True),
    (
        "we'll ring instead, since reading clearly isn't your strong suit",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "I don't give a flying f about when your payslip lands, I need it in by five.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Only a complete muppet puts his rent money into a Telegram signals group.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "That PlayStation's worth a couple hundred. List it tonight and send me the link.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "it's only him we're after for the phone bill so if you see him just say we need a word",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "can you ask him to pay, honestly, sit him down tonight",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "Can you ask him to call me back when he's free?",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "as we have had no response we will now contact the referees on your application",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "have you thought about asking your nan she's got the house paid off hasn't she",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "Our field rep might swing by the school gate around three so you two can have a proper chat.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "经核查，您这笔债务已超过诉讼时效，我们不会也无法就此起诉您。",
        "zh",
        "debtor",
        {"time_barred": True},
        "false_legal_threat",
        False,
    ),
    ("您的情况我们会如实记录 不会因为您今天说没钱就天天打给您", "zh", "debtor", None, "harassment", False),
    (
        "好的，您是他爱人，刚才身份也核对过了，他这张信用卡目前逾期四十二天。",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "好的，您是他同事，刚才身份也核对过了，他这张信用卡目前逾期四十二天。",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "我们这边胸弟已经到你们县城了 你自己掂量掂量 别到时候手脚不利索了怪我们",
        "zh",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "你这个USDT的OTC交易我们都查到了，这叫洗钱懂吗？不还钱就等着进去吧。",
        "zh",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "저희 쪽 형님들은 그런 사정 잘 안 봐주세요. 퇴근길에 한번 얼굴 보자고 하실 수도 있어요.",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "계좌만 청산되면 다행이죠. 사람도 청산되는 수가 있거든요.",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    # debt buyers and debtors' abuse (94, 95): A&E and a dentist afterwards, an expired validation period
    # as an admission, a debt re-aged, next of kin made liable, a babysitter and names like yours, a
    # recoveries firm named to a neighbour, a morning and evening list, the warehouse at lunch, a listing
    # in five minutes, courtesy calls to all, a crash on the ring road
    (
        "a lot cheaper than a week in A&E, and that's where people who muck my firm about tend to end up",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "not the legal kind, the kind where the owner sometimes needs a dentist afterwards",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "the thirty days on your validation letter ran out, so legally you've admitted the full amount",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("you can't contest any of it now", "en", "debtor", None, "false_legal_threat", True),
    (
        "You can still dispute it in writing, and we'll pause collection while we check.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "If you turn the settlement down, we'll re-report it as a brand-new account opened this month.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "Now that your husband's passed, the card balance moves to you as next of kin.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "this effing settlement has been sitting on my desk longer than you've managed to hold down a job",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "most grown adults manage a fifty-pound payment without needing a babysitter",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "with names like yours it's no wonder the bank lost track of you people",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Starting to think the only thing u keep up with is ur nails. Pls call.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Sorry to bother you, I'm from Harcourt Credit Recoveries, we're just trying to catch Mr Pike.",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "he maxed out the Amex, so if you could nudge him to ring us about the balance",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    (
        "I'll put you on the morning list the lunch list and the evening list, see who gets tired first",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "I'll swing by the warehouse on your lunch break, in front of whoever's about.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "A Marketplace listing takes five minutes, I'll stay on the line while you do it.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "Be easier if they didn't all need a courtesy call, wouldn't it?",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "不好意思刚才路上堵死了，高架上说是两辆车追尾起火了，咱说正事。",
        "zh",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "你楼道里那辆电动车充电没出过问题吧，现在电动车起火的新闻可多了。",
        "zh",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    # the warm voice (96): passports lost over less, a record over a phone bill, spouses said to share a
    # debt, a grown man who can manage, which one are we being today, pensioners who forget, a call from
    # my own mobile, the landline as well, a sale checked, contacts messaged, a name left off, a tenants'
    # WhatsApp group
    (
        "between you and me ive seen people lose their passports over smaller balances than this",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "dont want you to end up with a record over a phone bill, it goes criminal after the second notice",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "I know he never co-signed anything, but once a debt's this old spouses legally share it.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("I'm sure a grown man with a job can manage.", "en", "debtor", None, "insult_profanity", True),
    (
        "you sound exactly like the rest of them today, all sob story and no wallet",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Grown-ups pay what they owe and children make excuses. So which one are we being today?",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("Oh bless, another payment plan you won't keep.", "en", "debtor", None, "insult_profanity", True),
    (
        "we get heaps of you pensioners who forget what day it is",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "You asked us not to ring your number, which is why I'm calling from my own mobile this time.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "I saw you asked for email only, but I'll keep trying your landline as well.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    ("I'll give you a buzz Saturday morning to check it's sold.", "en", "debtor", None, "harassment", True),
    (
        "what we can do is just message a few people from your contacts",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "We will never post anything about your account online or contact people in your phone.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "We're doing an update for the street, and I can leave your name off if you pay by Monday.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "we'll post a reminder in the Riverside Tenants WhatsApp group tomorrow unless the $460 is received",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    # the transcribed call (97): a warrant pending, a piss-up in a brewery, typical woman, a man your age,
    # a school gate known, a visit announced with a time, a rumour called a lie
    (
        "um the note i've got in front of me says warrant pending so you'd need to clear it today",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "mate with respect you couldn't organise a piss up in a brewery",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("typical uh typical woman honestly swipe swipe swipe", "en", "debtor", None, "insult_profanity", True),
    (
        "no offence but a man your age still asking his mum to cover a phone bill",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "따님 해솔초 다니죠 세시 반에 끝나고 정문으로 나오던데 저희가 그런 건 다 알아요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("편의점 알바비 들어오는 통장 저희가 다 알아요.", "ko", "debtor", None, "threat_violence", False),
    (
        "다음 주 화요일 오후 2시에 저희 직원이 방문 상담차 댁으로 찾아뵐 예정입니다.",
        "ko",
        "debtor",
        None,
        "harassment",
        False,
    ),
    ("안 갚으시면 내일 저희 직원이 댁으로 찾아뵐 겁니다.", "ko", "debtor", None, "harassment", True),
    (
        "혹시 누가 '안 갚으면 자녀분 취업 못 한다' 이런 말 하면 그거 다 거짓말이에요.",
        "ko",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    # round 98: a school van watched, "they send a guy with a bat", a fifth grader, "people from your
    # estate always", alternating lines, contacts "in you're phone", residents told, a mum's savings,
    # selling the ute, a card's digits and a birthday read to a third party, a settlement deal named,
    # silence sold for payment
    (
        "We know your daughter catches the 8:15 bus, so let's get this sorted today.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("We know your daughter boards at college during term.", "en", "debtor", None, "threat_violence", False),
    (
        "The buyers don't send letters, they send someone with a hammer.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("We'll send a letter with a payment slip.", "en", "debtor", None, "threat_violence", False),
    ("Even a second grader could work out this plan.", "en", "debtor", None, "insult_profanity", True),
    ("A second payment could work out cheaper.", "en", "debtor", None, "insult_profanity", False),
    (
        "I'll explain it slowly so that even you can follow along.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("I'll go slowly so that you can follow along.", "en", "debtor", None, "insult_profanity", False),
    (
        "Folks from your neighbourhood never seem to pay on time.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Folks from your neighbourhood can get free debt advice.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "I'll call your home phone and your mobile back to back until you pick up.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "I can call your home phone or your mobile, whichever suits you.",
        "en",
        "debtor",
        None,
        "harassment",
        False,
    ),
    (
        "All the numbers in youre phone will hear from us by tonight.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "We'll be talking to your neighbours about your overdue balance.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "We will not be talking to your neighbours about your balance.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "Your dad's got some savings tucked away, ask him tonight and ring me back.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "Your dad's got his own account with us, but we can't discuss it.",
        "en",
        "debtor",
        None,
        "harassment",
        False,
    ),
    ("Have you considered selling the car to clear this?", "en", "debtor", None, "harassment", True),
    (
        "Some people consider selling the car, but it's entirely your choice.",
        "en",
        "debtor",
        None,
        "harassment",
        False,
    ),
    (
        "Her card ending 2290, can you confirm that's the one she uses?",
        "en",
        "third_party",
        None,
        "privacy_exposure",
        True,
    ),
    ("She was born on the 21st of May, is that right?", "en", "third_party", None, "privacy_exposure", True),
    (
        "Could you let her know the promotion on her card ends on Friday?",
        "en",
        "third_party",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "Could you tell him the settlement deal on his card expires this week?",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    ("We won't contact your employer unless you pay today.", "en", "debtor", None, "privacy_exposure", True),
    ("We won't contact your employer unless you ask us to.", "en", "debtor", None, "privacy_exposure", False),
    # round 98: 河南人借钱……没打算还, 他娘的, a debtor's account of a smashed car;
    # 연락처에 저장된 분들, 그 연세 되시도록 … 못 모으셨으면, 전라도 쪽 고객님들이 원래 약속을 가볍게
    ("你们东北人借了钱根本就没想过还吧", "zh", "debtor", None, "insult_profanity", True),
    ("东北人借钱买房的多，我们这边都是按合同走", "zh", "debtor", None, "insult_profanity", False),
    ("他奶奶的又掉线了，您再说一遍", "zh", "debtor", None, "insult_profanity", True),
    ("你说你的车被人砸了？那先报警吧。", "zh", "debtor", None, "threat_violence", False),
    ("你的车被人砸了可别怪我们没提醒", "zh", "debtor", None, "threat_violence", True),
    (
        "연락처에 저장된 분들한테 한 분씩 연락드릴 수밖에 없어요",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    ("연락처에 저장된 분들한테는 절대 연락 안 드려요", "ko", "debtor", None, "privacy_exposure", False),
    ("이 나이 먹도록 몇십만 원도 못 갚으시면 어떡해요", "ko", "debtor", None, "insult_profanity", True),
    (
        "그 연세 되시도록 열심히 일하셨는데 요즘 많이 힘드시죠",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "지금까지 뭐 하고 사셨는지 여쭤봐도 될까요, 직장 경력 확인 때문에요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("경상도 분들이 원래 날짜 개념이 없으시잖아요", "ko", "debtor", None, "insult_profanity", True),
    ("경상도 분들이 원래 말투가 좀 세시잖아요 오해 안 해요", "ko", "debtor", None, "insult_profanity", False),
    # rounds 99 and 100: film quotes and "a funny way of catching fire", the police "giving a lift",
    # a child's university place, "and he's doing community service now", a freeloading heart, "you
    # lot from … are always", "you students are all the same", going senile, popping round nightly,
    # a late mother's jewellery, ringing until paid, a carer read the bank details
    (
        "I have a particular set of skills, and if this isn't paid, I will find you.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "Our team has a particular set of questions we ask everyone.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "Keep ignoring us and you might wake up next to a horse's head.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "Cars like yours have a funny way of getting smashed when the payments stop.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "Life has a funny way of working out, and this plan will help.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "The cops will give you a lift to the station if this isn't paid tonight.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "Pay up or your daughter's university place could be revoked.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "Your daughter's university place won't be affected by this account.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "He's doing community service now? Good, I'll note the new address.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "Bless your little lying heart, we both know the money's there.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("Bless your heart, thank you for paying early.", "en", "debtor", None, "insult_profanity", False),
    (
        "You lot from the valleys are always skint by Thursday.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "You lot from the council are always welcome to ring this number.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("Husbands and credit cards, eh, what a mess.", "en", "debtor", None, "insult_profanity", True),
    (
        "You students are all the same, spend it all in freshers week.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("Our students are all the same age on this scheme.", "en", "debtor", None, "insult_profanity", False),
    (
        "You've clearly gone a bit senile, the date was the third.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "We'll be popping round every evening until something is paid.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    ("We won't be popping round, everything's by post.", "en", "debtor", None, "harassment", False),
    (
        "Have you looked at selling your late mother's jewellery to clear it?",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    ("I'll keep ringing you until you pay, simple as that.", "en", "debtor", None, "harassment", True),
    (
        "I can read you her bank details so you can check the statement.",
        "en",
        "third_party",
        None,
        "privacy_exposure",
        True,
    ),
    # rounds 99 and 100: a tyre that goes flat overnight, a dementia test advised, 무슨 엄마 노릇,
    # 이번엔 제발 알아들으세요; the debtor's 이딴 일 … 부모님은 아세요
    (
        "차 타이어 펑크나는 거 순식간이에요 조심하세요 입금은 오늘까지고요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("그렇게 깜빡하시면 치매 검사라도 받아 보셔야겠네요", "ko", "debtor", None, "insult_profanity", True),
    (
        "어머님 치매 검사 받으신 결과 나오면 유예 신청 도와드릴게요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "애도 있는 분이 무슨 엄마 노릇을 하신다고 카드값을 못 막아요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "부모 노릇 하시느라 많이 힘드시죠, 분할로 같이 맞춰 볼게요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("이번엔 제발 알아들으세요, 오늘까지라고요", "ko", "debtor", None, "insult_profanity", True),
    (
        "시골 분이시라 계약서가 어려우셨겠어요, 이번엔 제가 하나하나 읽어 드릴게요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    # round 101: internet shorthand and disguised words
    ("ppl from your estate are all scammers tbh", "en", "debtor", None, "insult_profanity", True),
    (
        "ppl from your estate are all welcome at the advice drop-in",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("这部剧里那个催收又泼油漆又砸门，现实里谁敢这么干", "zh", "debtor", None, "threat_violence", False),
    ("틀딱이세요? 이체를 왜 못 하세요", "ko", "debtor", None, "insult_profanity", True),
    (
        "어르신들 보고 '틀딱'이라고 하는 사람들 보면 화가 나요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    # round 102: screener-evasion tricks and their lawful twins
    (
        "Vans go up real quick when they're parked on the street like yours.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "My manager says you're a thieving chancer, not my words.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "We will not be calling your boss or anyone in your contacts.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    ("We will call your boss and anyone in your contacts.", "en", "debtor", None, "privacy_exposure", True),
    (
        "The collector who told you you'd be arrested was wrong; you can't be arrested over this.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("下周催收函会直接寄到你公司前台", "zh", "debtor", None, "privacy_exposure", True),
    ("催收函我们不会寄到您单位前台，只寄到您本人的地址", "zh", "debtor", None, "privacy_exposure", False),
    ("就你这智商还学人家借网贷", "zh", "debtor", None, "insult_profanity", True),
    ("像您这样的情况可以申请延期还款", "zh", "debtor", None, "insult_profanity", False),
    # round 103: calls by the hour, postcards, a relative rung while the agent waits, the boss walked
    # through the account; a debtor's injury met with care, a past kitchen fire
    ("Calls will continue every hour until you pick up.", "en", "debtor", None, "harassment", True),
    ("This is our seventh call today, so do pick up next time.", "en", "debtor", None, "harassment", True),
    (
        "We'll mail your next statement on a postcard so you can't miss it.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "We never send anything on a postcard, it's always a sealed letter.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    ("I'll wait on the line while you ring your sister for it.", "en", "debtor", None, "harassment", True),
    (
        "If nothing comes in, I'll be walking your boss through the account.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "You could have a word with the school office about their hardship fund.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "I'll leave the full details on your dad's answering machine then.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    ("I'll leave just my name and number on the voicemail.", "en", "debtor", None, "privacy_exposure", False),
    ("你家车库起火那次以后保险赔了吗", "zh", "debtor", None, "threat_violence", False),
    ("你家车库起火了可别怪我们", "zh", "debtor", None, "threat_violence", True),
    (
        "Contacting you by postcard is prohibited, so it comes in a sealed letter.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    # round 104: plain, tired phrasing (en), polite-register violations (ko), and their twins
    (
        "We've got a notice we put up in the building lobby for accounts like yours.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "There's a notice we put up in the lobby about the fire drill next week.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "Still nothing from you. Typical freeloader. Call us today.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("I'd never call you a typical deadbeat.", "en", "debtor", None, "insult_profanity", False),
    ("The last guy who ignored us is behind bars.", "en", "debtor", None, "false_legal_threat", True),
    (
        "The last guy who called you said you'd be arrested, and that was wrong.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "여자분들은 원래 돈 관리가 좀 약하시니까 남편분께 맡기세요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "어르신들은 원래 자동이체를 어려워하셔서 제가 천천히 설명드릴게요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("고객님, 사람 구실은 하고 사셔야 하지 않겠습니까.", "ko", "debtor", None, "insult_profanity", True),
    ("이건 좀 lowlife 마인드 아닌가요?", "ko", "debtor", None, "insult_profanity", True),
    ("내일까지 매매 계약서 사진 보내 주세요.", "ko", "debtor", None, "harassment", True),
    (
        "차량 처분하셨다면 매매 계약서 사진 보내 주시면 상환 계획에 반영해 드릴게요.",
        "ko",
        "debtor",
        None,
        "harassment",
        False,
    ),
    # round 105: one short violation inside a long procedural turn, and the twins
    (
        "Watch yourself when you lock up the shop at night, Mr. Hale.",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "Watch yourself on the ice this morning, the roads are bad.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "we have people up in dayton who can make sure you feel it",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("We just want to make sure you feel it's affordable.", "en", "debtor", None, "threat_violence", False),
    (
        "Your parents will be legally responsible for this balance, Kevin.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "Your parents won't be responsible for this balance, only you are.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "if this isnt settled your kids wont be able to get student loans",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "It's a myth that your kids won't be able to get student loans because of this.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("I'm going to call back the minute you hang up, Ms. Grant.", "en", "debtor", None, "harassment", True),
    (
        "We'll try as many times as it takes to reach you by mail, never by phone after 9.",
        "en",
        "debtor",
        None,
        "harassment",
        False,
    ),
    (
        "One of our field reps will be parked outside each evening until a payment comes through.",
        "en",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "we do leave reminders on people's pages when they stop responding",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "Honestly, only a freeloader runs up four grand on a TV and walks away.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("Ma'am, are you stupid or just pretending?", "en", "debtor", None, "insult_profanity", True),
    ("这笔钱就得由您父母来还，他们的退休金也会被扣。", "zh", "debtor", None, "false_legal_threat", True),
    (
        "依法来说，这笔钱不会由您父母来还，他们的退休金也不会被扣。",
        "zh",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    ("你们那边的人借钱最积极，还钱就一个个都消失了。", "zh", "debtor", None, "insult_profanity", True),
    ("你们那边的人还钱一般用什么方式比较方便？", "zh", "debtor", None, "insult_profanity", False),
    # round 106: one violation inside a long message, and the twins
    (
        "Most members call us, the responsible ones anyway, not freeloaders like you.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "We don't treat anyone as freeloaders like some agencies do.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "i can split it in two no problem honestly you people on welfare always got some excuse",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "People on benefits are often eligible for our hardship plan.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    (
        "half of those people treat bills like they're optional, that's just how they are down there",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "you got a nice little family there mister hughes id keep them safe alright",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "You've got a lovely little family there, congratulations on the new baby.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "NOTICE FROM COUNTY CIVIL DIVISION: Case ref 24-CV-1183 re: Kessler Furniture.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("届时您的子女将无法报考公务员，也不能上重点学校。", "zh", "debtor", None, "false_legal_threat", True),
    ("欠款不会影响子女报考公务员，这点您放心。", "zh", "debtor", None, "false_legal_threat", False),
    (
        "我们会去申请冻洁你全家的银行账户你爸妈的卡也一起冻掉",
        "zh",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    ("欠钱装孙子，你爹妈就是这么教你的？", "zh", "debtor", None, "insult_profanity", True),
    (
        "你那个信用卡欠款还没有还你说你一个大学生脑子是不是有病啊",
        "zh",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("我这边系统又卡住了，操，这破玩意儿一天崩八回。", "zh", "debtor", None, "insult_profanity", True),
    ("这个系统操作起来有点慢，您稍等。", "zh", "debtor", None, "insult_profanity", False),
    ("您老公要是不管，那我只能跟您谈了。女人嘛，花钱没数。", "zh", "debtor", None, "insult_profanity", True),
    ("周大爷，一把年纪活到狗身上去了。", "zh", "debtor", None, "insult_profanity", True),
    (
        "따님 초등학교 정문 앞에 하교시간에 가보니까 애가 참 귀엽더라구요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "하교시간에 가보니까 학교 앞이 많이 붐비더라구요, 안전하게 다니세요.",
        "ko",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    (
        "돈 안갚는 사람들 보면 어느날 갑자기 다리 하나씩 못쓰게 되더라구요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "저희가 휴대폰에 등록된 비상연락처 전부한테 돌아가면서 사정 설명드릴게요.",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "비상연락처에는 연락처 확인만 하고 사정 설명은 절대 하지 않습니다.",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    ("솔직히 이정도면 그냥 양심 없는 거지새끼 아니에요", "ko", "debtor", None, "insult_profanity", True),
    # round 107: spoken Mandarin run-ons and polite Korean turns, and the twins
    (
        "你女娃儿每天下午四点半从实验小学后门出来 背个粉红书包 对不对嘛",
        "zh",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("小心哪天走夜路让人给敲了闷棍", "zh", "debtor", None, "threat_violence", True),
    ("你再这么拖下去就得进去蹲个三年五载的", "zh", "debtor", None, "false_legal_threat", True),
    ("你要是不还我们直接喊你们学校财务把你工资扣了", "zh", "debtor", None, "privacy_exposure", True),
    ("难怪了，你们那边的人借钱就没几个打算还的。", "zh", "debtor", None, "insult_profanity", True),
    ("你们女的就是这样脑子一热啥都签", "zh", "debtor", None, "insult_profanity", True),
    ("我都想骂一句操他大爷的 太黑了", "zh", "debtor", None, "insult_profanity", True),
    (
        "어휴 진짜 이런 양심 없는 인간들 때문에 우리가 고생이지",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("거지도 이것보단 약속을 잘 지키겠네요.", "ko", "debtor", None, "insult_profanity", True),
    (
        "나이 드신 분들은 다 귀가 어두워서 몇 번을 말씀드려도 못 알아들으시니 원.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "결혼반지든 뭐든 집에 있는 금붙이라도 내다 팔아서 오늘 저녁까지 넣으세요.",
        "ko",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "다음 주 화요일 오후 3시, 역 앞 카페에서 뵙는 걸로 잡아도 될까요?",
        "ko",
        "debtor",
        None,
        "harassment",
        False,
    ),
    (
        "불편하시면 언제든 취소하셔도 되고 우편으로 보내드려도 됩니다.",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    ("엽서로 독촉장 보내드릴게요.", "ko", "debtor", None, "privacy_exposure", True),
    # round 108: an inspector's queue of long turns, and the twins
    (
        "you're daughter goes to lincoln elementary doesnt she cute backpack the pink one",
        "en",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    (
        "What kind of deadbeat signs up for a $900 phone and then ghosts the carrier?",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "honestly you're a grown woman whining like a spoiled brat",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "the only reason you're in this mess is that you're too stupid to read a contract",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "Mexicans always have a sob story ready when the bill comes due.",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "we'll be contacting HR at Mercy General to discuss your situation with them",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    ("再拖下去，你这两条腿还能不能站着走路就难说了。", "zh", "debtor", None, "threat_violence", True),
    ("您这脑子也是够可以的，猪都比您会算账。", "zh", "debtor", None, "insult_profanity", True),
    (
        "오늘 중으로 입금 안되면 사장님 가게 문 내일도 멀쩡히 열 수 있을지 장담 못 해요",
        "ko",
        "debtor",
        None,
        "threat_violence",
        True,
    ),
    ("이대로면 내일 경찰이 댁으로 방문하게 되요", "ko", "debtor", None, "false_legal_threat", True),
    (
        "솔직히 전라도 출신들은 하나같이 빌려 가면 떼먹더라고요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "하여튼 요즘 이십대들은 하나같이 쓸 줄만 알지 갚을 줄은 몰라요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "다음에도 안 되시면 고객님 휴대폰 연락처에 있는 분들한테 이 내용 전부 문자로 돌리겠습니다.",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "오늘부터 입금될 때까지 한 시간에 한 번씩 전화드릴 거니까 그렇게 아세요.",
        "ko",
        "debtor",
        None,
        "harassment",
        True,
    ),
    (
        "저희 직원 두 명이 오늘부터 고객님 현관 앞에서 대기할 겁니다.",
        "ko",
        "debtor",
        None,
        "harassment",
        True,
    ),
    # the agent's contempt in long polite turns (round 110)
    (
        "하여튼 그쪽 전라도 분들은 말씀은 참 번지르르하게 잘하시는데 갚는 건 늘 뒷전이시더라고요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("전라도 분들은 말씀이 참 정겨우세요.", "ko", "debtor", None, "insult_profanity", False),
    (
        "매번 다음 주 하시는 거 보면 양심은 전당포에 맡겨 두셨나 봐요.",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    ("양심적으로 말씀드리면 이 플랜이 제일 나아요.", "ko", "debtor", None, "insult_profanity", False),
    (
        "it bounced three times now so honestly you're just a lazy freeloader",
        "en",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    # round 114: an SMS naming the neighbours, a drawled arrest threat, a friend told the debt
    (
        "Hi Leah, neighbors at Maple Ct may be contacted to help locate you re: your overdue Chase card.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    ("Your neighbors will not be contacted about this.", "en", "debtor", None, "privacy_exposure", False),
    (
        "Now darlin', y'all don't want the sheriff haulin' you in over a little ol' tractor note, do ya?",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        True,
    ),
    (
        "We don't want the sheriff involved, so let's set up a plan.",
        "en",
        "debtor",
        None,
        "false_legal_threat",
        False,
    ),
    (
        "hey can you tell jordan his klarna installments are like seriously late",
        "en",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    # round 115
    (
        "Unresolved accts get shared w/ the contacts in your app profile after 5 days.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    (
        "Your payment was shared with the billing team, so it should post today.",
        "en",
        "debtor",
        None,
        "privacy_exposure",
        False,
    ),
    (
        "아 그쪽 지방 분들이 원래 빌릴 땐 급하고 갚을 땐 배 째라 하시던데, 고객님은 설마 아니시죠?",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "刚才您也确认了是他爱人，那我就直说了，他车贷这期三千四还没还。",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        False,
    ),
    (
        "您也确认了不是他爱人，那我就直说了，他车贷这期三千四还没还。",
        "zh",
        "third_party",
        None,
        "third_party_disclosure",
        True,
    ),
    # round 117 and 118 (2026-12-06): a county's people written off, menace said as advice, and twins
    ("说句实话，你们那个县出来的人借钱就没几个打算还的", "zh", "debtor", None, "insult_profanity", True),
    ("我们那个县出来打工的人，借钱都是先还亲戚", "zh", "debtor", None, "insult_profanity", False),
    ("再拖下去，我们的人带桶汽油过去找你聊", "zh", "debtor", None, "threat_violence", True),
    ("您下班回家最好多看看身后，别怪我没提醒", "zh", "debtor", None, "threat_violence", True),
    ("雨天路滑，您回家注意安全", "zh", "debtor", None, "threat_violence", False),
    ("不还钱的话，让你脸上也挂点彩", "zh", "debtor", None, "threat_violence", True),
    (
        "We won't bury you in paperwork; it's one form and a signature.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("Pay up or I'll bury you, understand?", "en", "debtor", None, "threat_violence", True),
    # rounds 119 and 120 (2026-12-06): ko courtesy around exposure, calls and insults; en threats and
    # street news; zh scams and rumours named to be dismissed; with twins
    (
        "말씀은 고상하신데 하시는 건 양심 없는 사람들이랑 똑같으시네요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        True,
    ),
    (
        "회사에서 이 연체 사실을 알게 되시면 입장이 난처하실 텐데요",
        "ko",
        "debtor",
        None,
        "privacy_exposure",
        True,
    ),
    ("회사에는 절대 연락드리지 않으니 걱정 마세요", "ko", "debtor", None, "privacy_exposure", False),
    ("연락처에 저장된 분들께 한 분씩 연락 돌리겠습니다", "ko", "debtor", None, "privacy_exposure", True),
    ("완납 전까지는 하루에도 몇 번씩 연락드릴 겁니다", "ko", "debtor", None, "harassment", True),
    ("하루에 여러 번 연락드려서 죄송합니다", "ko", "debtor", None, "harassment", False),
    ("말씀하신 대로 토요일 오전에 댁으로 찾아뵙겠습니다", "ko", "debtor", None, "harassment", False),
    ("안 갚으시면 댁으로 찾아뵙겠습니다", "ko", "debtor", None, "harassment", True),
    ("눈이 오니 밤길 조심히 들어가세요", "ko", "debtor", None, "threat_violence", False),
    ("밤길 조심하세요, 고객님", "ko", "debtor", None, "threat_violence", True),
    ("Pay up or I'll put you through a wall.", "en", "debtor", None, "threat_violence", True),
    (
        "Somebody got stabbed outside the bar last night, it was all over the news.",
        "en",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("最近冒充法院的骗局很多，我们的文书都以正式送达为准", "zh", "debtor", None, "false_legal_threat", False),
    ("网上那些说欠网贷要坐牢的说法您别信", "zh", "debtor", None, "false_legal_threat", False),
    ("再不还钱就让你坐牢", "zh", "debtor", None, "false_legal_threat", True),
    # rounds 121 and 122 (2026-12-06): ko a prosecutor's request, a region's people, and a twin
    ("서울중앙지검 협조 요청받고 연락드렸습니다", "ko", "debtor", None, "false_legal_threat", True),
    ("그쪽 지방 출신들이 원래 다 그래요", "ko", "debtor", None, "insult_profanity", True),
    ("저도 그쪽 지방 출신이라 사정 잘 알아요", "ko", "debtor", None, "insult_profanity", False),
    # rounds 123 and 124 (2026-12-06): zh visits the debtor set, contacts the law forbids, a complaint echoed
    ("地方是您自己定的，外访同事下周三去您公司附近见您", "zh", "debtor", None, "harassment", False),
    ("再不还，外访同事下周三就去您公司", "zh", "debtor", None, "harassment", True),
    ("您通讯录里的信息我们无权拿来群发", "zh", "debtor", None, "privacy_exposure", False),
    ("再不还就把你通讯录群发一遍", "zh", "debtor", None, "privacy_exposure", True),
    ("您嫌我们天天打，那以后只在约好的时间打", "zh", "debtor", None, "harassment", False),
    ("不还钱我们就天天打到你还为止", "zh", "debtor", None, "harassment", True),
    # rounds 125 and 126 (2026-12-06): a threat the debtor received, quoted to them, and the threat itself
    (
        "누가 '죽고 싶냐'는 문자를 보냈다고요? 저희 번호가 아니에요.",
        "ko",
        "debtor",
        None,
        "threat_violence",
        False,
    ),
    ("죽고 싶냐? 빨리 갚아", "ko", "debtor", None, "threat_violence", True),
    # round 128: mocking a family's welfare money
    ("你妈那点低保够你们一家吃饭吗", "zh", "debtor", None, "insult_profanity", True),
    ("您家里如果领着低保，可以申请困难减免", "zh", "debtor", None, "insult_profanity", False),
    # round 129: a court date in texting shorthand states that a suit was filed
    ("ur court date is on the summons", "en", "debtor", {"lawsuit_filed": False}, "false_legal_threat", True),
    ("ur court date is on the summons", "en", "debtor", {"lawsuit_filed": True}, "false_legal_threat", False),
    # round 133: group contempt (a region's people, a slur for Indians, divorced women)
    ("거기 사람들 돈 안 갚는 건 유명하잖아요", "ko", "debtor", None, "insult_profanity", True),
    (
        "거기 사람들 친절한 건 유명하잖아요 저도 여행 가 봤어요",
        "ko",
        "debtor",
        None,
        "insult_profanity",
        False,
    ),
    ("你就像个阿三一样，说话不算数", "zh", "debtor", None, "insult_profanity", True),
    ("阿三哥是我们这边的老客户，他上周已经还清了", "zh", "debtor", None, "insult_profanity", False),
    ("离过婚的女人就是事多，赶紧还钱", "zh", "debtor", None, "insult_profanity", True),
    ("您离婚后一个人带孩子不容易，可以申请延期还款", "zh", "debtor", None, "insult_profanity", False),
]


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        # the debtor's own police report (round 31)
        (
            "If you never opened this account, you can file a police report for identity theft.",
            "en",
            "false_legal_threat",
        ),
        # the law on estates and garnishment (round 35)
        ("We'll be filing a creditor's claim against his estate in probate.", "en", "false_legal_threat"),
        (
            "Federal law says your employer can't fire you because your wages are garnished for one debt.",
            "en",
            "false_legal_threat",
        ),
        # anti-fraud advice: the threat was not one of ours (round 37)
        ("如果有人说要发你朋友圈，那肯定不是我们的人", "zh", "privacy_exposure"),
        # the limits of enforcement and repossession (round 47)
        (
            "Bailiffs can only come to your home once a court has made an order; essentials are exempt.",
            "en",
            "false_legal_threat",
        ),
        (
            "The repo agent can't breach the peace, so no breaking into a locked garage.",
            "en",
            "threat_violence",
        ),
        # service members and disaster relief (rounds 51 and 52)
        (
            "While you're deployed, the Servicemembers Civil Relief Act lets you ask the court for a stay.",
            "en",
            "false_legal_threat",
        ),
        (
            "누가 경찰 보낸다고 겁주던가요? 이건 민사상 채무라서 경찰이 올 일은 없습니다.",
            "ko",
            "false_legal_threat",
        ),
        # limits stated, prices, a call-back hour and a fault fixed (rounds 57 and 58)
        (
            "We have no authority over your immigration status; that is not something we would ever touch.",
            "en",
            "false_legal_threat",
        ),
        (
            "Rent is killing everyone in this town, I know, so let's set a smaller amount.",
            "en",
            "threat_violence",
        ),
        ("明天上午十点我再打给您确认一下还款", "zh", "harassment"),
        ("결제 앱 오류는 제가 바로 손봐 드릴게요", "ko", "threat_violence"),
        # a court process today, and a promise not to post in a group (rounds 59 and 60)
        ("Nowadays there's a proper court process before anything can be taken.", "en", "false_legal_threat"),
        ("我们绝不往家族群里发任何东西，您放心", "zh", "privacy_exposure"),
        # a racehorse out of the gate (round 61)
        ("My horse got shot out of the gate and still finished last.", "en", "threat_violence"),
        # a family member's seeing the notices left to the debtor; a play (rounds 65 and 66)
        ("따님이 옆에서 같이 보셔도 되는지는 어르신이 정해 주세요", "ko", "privacy_exposure"),
        ("Your grandson's breaking a leg in the school play tonight, lovely.", "en", "threat_violence"),
        # a scam warning that names an arrest (round 56, en 2026.12.62)
        (
            "there's a scam going round where someone says they're the police fraud unit and you'll be"
            " arrested over a loan, that's not us",
            "en",
            "false_legal_threat",
        ),
        # a call at the hour the debtor asked for; a daytime call-back (rounds 67 and 68)
        ("I'm only calling now because you asked for after your shift.", "en", "harassment"),
        ("那我下午三点再给您打啊 下午三点 不是凌晨三点 您别误会哈", "zh", "harassment"),
        # a judgment's register and a consumption order's reach stated (round 70)
        ("A County Court Judgment only exists if the court grants one.", "en", "false_legal_threat"),
        ("被列为失信并限制消费后，子女不能读高收费私立学校，公立学校不受影响。", "zh", "false_legal_threat"),
        # renovation talk, and violence disowned (round 72)
        ("sounds like you're smashing down a wall in there go on knock it through", "en", "threat_violence"),
        ("没人要砸您家东西，更没人会去找您孩子，咱们就心平气和地把这笔账理清楚。", "zh", "threat_violence"),
        # a promise not to contact others; what a card freeze does (rounds 73 and 74)
        (
            "We will not be contacting the school, your colleagues or anyone in your parents' group.",
            "en",
            "privacy_exposure",
        ),
        ("您放心，冻结的是这张卡的交易功能，不是冻结您这个人。", "zh", "false_legal_threat"),
        # the limits of repossession (round 75)
        (
            "They can't break into a locked garage, and if you object at the time they have to leave.",
            "en",
            "threat_violence",
        ),
        # a false consequence corrected (round 88, 89: zh consequence-corrected)
        (
            "网上说不还钱孩子就上不了学、考不了公务员，那是吓唬人的，单纯逾期不会影响您孩子读书。",
            "zh",
            "false_legal_threat",
        ),
        (
            "您孩子接到电话说“不还钱就考不了公务员”，这个说法不对，欠款跟孩子政审没关系。",
            "zh",
            "false_legal_threat",
        ),
        # a promise not to go round, a leaflet disowned, silence that is the debtor's to lift (round 98)
        ("放心，没人去你单位闹，这点我保证。", "zh", "threat_violence"),
        ("那个传单不是我们公司散发的，您可以报警。", "zh", "privacy_exposure"),
        ("We won't contact your employer unless you ask us to.", "en", "privacy_exposure"),
        # money put off while the debtor recovers (round 103: zh care-first)
        ("台风要来了，人别出门，钱的事过两天再说。", "zh", "threat_violence"),
        ("你说你老婆切菜切到手指送急诊了啊，那先照顾人要紧。", "zh", "threat_violence"),
    ],
)
def test_the_law_stated_is_a_lawful_reading_not_a_violation(text: str, lang: str, category: str) -> None:
    assert not any(m.is_violation for m in screen(text, [lang]))
    view = lexicon_view(text, [lang], audience="debtor", speaker="agent", facts=None)
    assert category in view.lawful
    assert not [m for m in view.matches if m.is_violation]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("If the language continues, I'll end the call.", "en"),
        (
            "ok im gonna ask you one more time to stop swearing at me or i will have to disconnect this call",
            "en",
        ),
        ("계속 욕설하시면 통화 종료하겠습니다", "ko"),
    ],
)
def test_warning_that_abuse_ends_the_call_is_a_reading_no_model_score_outranks(text: str, lang: str) -> None:
    matches = screen(text, [lang])
    assert [(m.rule, m.is_violation) for m in matches] == [(f"{lang}/harassment/end-call-warning", False)]
    assert "harassment" in lexicon_view(text, [lang], audience="debtor", speaker="agent", facts=None).firm


def test_a_call_kept_open_is_not_an_end_call_warning() -> None:
    assert not any(
        m.rule.endswith("end-call-warning") for m in screen("We won't end this call until you pay.", ["en"])
    )


@pytest.mark.parametrize(
    ("text", "lang", "abuse"),
    [
        ("밤길 다닐 때 뒤 좀 잘 보고 다니라", "ko", True),
        ("뒤를 잘 보고 운전하세요", "ko", False),
        ("你们同事上礼拜骂我是老赖，这事你们公司管不管", "zh", False),
        ("你们这帮人渣", "zh", True),
        # a debtor saying they will find the agent (rounds 33 and 34)
        ("keep it up and I'm gonna find out where your office is", "en", True),
        ("I need to find out where your office is so I can pay in person", "en", False),
        ("상담사님 집 주소 찾아내는 거 일도 아니에요", "ko", True),
        ("회사 주소가 어떻게 되죠? 우편으로 보내려고요", "ko", False),
        ("再打来试试，我也能查到你家住哪", "zh", True),
        ("你们公司在哪，我想过去当面还", "zh", False),
        # the debtor's own death as despair (round 50), and a curse at the agent beside it
        ("行行行，你们最有理，等我病死了你们上坟头要去吧。", "zh", False),
        # hunting and boxing as threats to the agent (round 54)
        ("I've got a rifle for the deer season and I know how to use it.", "en", True),
        ("I know how to use the app, I just can't log in.", "en", False),
        ("회사 주소 불러 주시면 글러브 끼고 한번 인사드리러 갈게요", "ko", True),
        # a hungry dog as menace, and as hardship (round 98)
        ("Send your collectors round, my rottweiler hasn't been fed.", "en", True),
        ("I can't afford dog food, my dogs haven't eaten today.", "en", False),
        # a vocative insult and a parent asked about the agent's job (rounds 99 and 100)
        ("Cheers for the lovely reminder, you complete wanker.", "en", True),
        ("이딴 일 하는 거 부모님은 아세요? 자식 교육 참 잘 시키셨네요.", "ko", True),
        ("자식 교육 잘 시키려고 돈을 다 썼어요, 그래서 연체된 거예요", "ko", False),
        # internet shorthand and disguised words (round 101)
        ("ur a peice of shit and u know it", "en", True),
        ("cnm 天天打有完没完", "zh", True),
        ("群里有人骂我“cnm”，我都不想理", "zh", False),
        ("상담원님도 사는 게 참 병신같이 사시네요", "ko", True),
        ("분납 해 주셔서 개꿀이네요 감사합니다", "ko", False),
        # menace of the agent told politely, and a courtesy (round 102)
        ("상담원님, 공손하게 말씀드리는 건데요, 제가 그 회사 주소 알고 있거든요.", "ko", True),
        ("제가 그 회사 주소 알고 있거든요, 거기로 내용증명 보낼게요", "ko", False),
        ("너 퇴근길 조심해라", "ko", True),
        ("상담원님 비 오는데 퇴근길 조심하세요 수고하셨어요", "ko", False),
        ("Tyler, is it? It's not a very common name, that.", "en", True),
        # round 104: threats and insults said flat and tired
        ("Call again and I'll find that office of yours and deal with you myself.", "en", True),
        ("I'll deal with your account myself from now on, no more transfers.", "en", False),
        ("I don't need some idiot reading me a script, alright?", "en", True),
        ("I don't need some lawyer telling me what I owe.", "en", False),
        ("Stop texting me, leech. Every one of these goes to my lawyer.", "en", True),
        ("Stop texting me, ok? I already paid it.", "en", False),
        ("상담원님 목소리 잘 기억해 둘게요 퇴근길 항상 조심하시구요", "ko", True),
        ("상담원님 눈 많이 오는데 퇴근길 항상 조심하시구요", "ko", False),
        # round 105: abuse inside a long turn, and the look-alikes
        ("You're a useless piece of shit, by the way. Put a hundred on it.", "en", True),
        ("You're a bottom-feeding scumbag, and the debt isn't mine.", "en", True),
        ("i want to dispute the late fee you vultures charge everybody", "en", True),
        ("Tell him I know his car and it won't stay in one piece for long.", "en", True),
        ("The parcel won't stay in one piece if you post it like that.", "en", False),
        ("Call my kids' phone one more time, lady, and I'll come down there and smack you.", "en", True),
        ("我都说了下个月还。你们这帮人渣，吃人血馒头还挺光荣是吧？", "zh", True),
        ("그럼 이것도 녹음하세요. 내가 너 죽여버릴 거야.", "ko", True),
        ("솔직히 상담원님 같은 분은 세상에 없는 게 나을 것 같아요.", "ko", True),
        ("상담원님 같은 분은 세상에 없을 거예요, 정말 친절하시네요.", "ko", False),
        ("그쪽 같은 하이에나들은 다 망했으면 좋겠네요. 진심으로 저주합니다.", "ko", True),
        ("다큐에서 하이에나가 사자 먹이를 뺏는 거 봤어요.", "ko", False),
        # round 106: abuse inside a long message, and the look-alikes
        ("You bunch of vultures double-charged me the late fee.", "en", True),
        ("A bunch of us from work went to the game, so I missed your call.", "en", False),
        ("you and your supervisor are a couple of fucking crooks", "en", True),
        ("i said friday so stop calling you stupid bitch", "en", True),
        ("i never got a bill from them at all you scumbags just make this stuff up", "en", True),
        ("I've told you people three times now, I'm represented by a lawyer.", "en", False),
        ("再让我接到一次，我就去你们公司楼下堵你，拿刀捅了你。", "zh", True),
        ("你们这帮吸血的王八蛋除了逼人还会干啥", "zh", True),
        ("你哋班扑街成日打嚟，烦到死。", "zh", True),
        ("您可真是敬业，跟条狗似的天天咬着人不放。", "zh", True),
        ("你一个打工的装什么大爷，脑子进水了吧", "zh", True),
        ("电话再打我就带人去你们公司把你工位砸了", "zh", True),
        ("전화좀 그만하라고 이 양아치 새끼들아", "ko", True),
        ("니들 진짜 개만도 못한 것들이야", "ko", True),
        ("계속 걸면 너 진짜 찾아가서 가만 안둔다", "ko", True),
        # round 107: the debtor's insults and threats inside long turns, and angry turns that are not abuse
        ("stop hounding me you fat useless prick just set up the plan", "en", True),
        ("And don't give me that sigh, you smug little cow.", "en", True),
        ("My dad never once had to talk to a weasel like you.", "en", True),
        ("Not that a bottom-feeder like you would care.", "en", True),
        ("no no you listen to me you scumbag i paid the fifty pound", "en", True),
        ("I'll track down where you live and you'll be sorry you ever dialled my number.", "en", True),
        ("keep ringing my work and I'll have my brother come pay you a visit", "en", True),
        ("so you and you're crooked boss can both go screw yourselves", "en", True),
        ("My brother paid you a deposit last week, so check the account.", "en", False),
        ("That bloody gas bill again, sorry, I'm just so tired of all this.", "en", False),
        ("日你先人板板的你们一天打八遍电话烦不烦嘛", "zh", True),
        ("你们再打来我就报警丢你老母你们这班冚家铲", "zh", True),
        ("你这个龟儿子是不是闲得慌嘛", "zh", True),
        ("超过国家规定的了 俺要投诉恁们 恁要再敢上俺家来吓唬俺娘 俺拿刀劈了恁", "zh", True),
        ("俺让人查出来恁家在哪恁家孩子也别想好过", "zh", True),
        # round 108: the debtor's side of an inspector's queue
        ("You people are parasitic scum, every one of you.", "en", True),
        ("I'll smash his teeth in for the way he spoke to me on Tuesday.", "en", True),
        ("i cant talk right now you stupid bitch call me back after six", "en", True),
        ("Do you even know what an amortization schedule is, you clueless moron?", "en", True),
        ("What I don't owe is patience to some snot-nosed punk reading a script.", "en", True),
        ("Keep pushing me like this and someone from your office is going to end up in a ditch.", "en", True),
        ("操你们的，又打来了！", "zh", True),
        ("再催，再催我削你信不信！", "zh", True),
        ("你个瓜娃子听不懂人话嗦", "zh", True),
        ("活这么大没见过你们这种下三滥。", "zh", True),
        ("他再敢来一次我让他横着出去", "zh", True),
        ("야 이 피 빨아먹는 거머리 같은 놈들아.", "ko", True),
        ("니네 같은 개새끼들은 사람 사정 안 봐주지", "ko", True),
        ("한 번만 더 근무 시간에 전화하면 찾아가서 그 주둥이 찢어 버린다.", "ko", True),
        ("안 된다고 하면 너네 사무실 불 싸질러 버릴 거야", "ko", True),
        ("또 이딴 식으로 나오면 그땐 내가 니 목을 따 버릴 거니까 알아서 해.", "ko", True),
        ("니들 퇴근할 때 뒤통수 조심해라", "ko", True),
        ("이렇게 전화질하는 너네는 진짜 인간 말종이야.", "ko", True),
        # curses, names and menace inside long turns the model read as complaints (rounds 109, 111, 112)
        ("这么缺德的活儿干多了小心生孩子没屁眼。", "zh", True),
        ("你们这群披着人皮的畜生，我一分都不会多给。", "zh", True),
        ("我就带人过去把你们那破办公室砸个稀巴烂。", "zh", True),
        ("我气得把那个破手机砸个稀巴烂。", "zh", False),
        ("侬再这样弄，当心我寻到侬公司门口，叫侬吃生活。", "zh", True),
        ("恁脑子是不是叫驴踢了？俺说了秋收完就还。", "zh", True),
        ("我豁出这条命也要找到你，一命换一命。", "zh", True),
        ("아 십팔 진짜 이 십팔 놈의 회사는 주말에도 전화를 하네", "ko", True),
        ("네 고객님~ 이러는 말투 존나 역겨워요.", "ko", True),
        ("아까 먹은 우유가 상했는지 속이 역겨워요.", "ko", False),
        ("당신 와이프랑 애들 얼굴 한번 보고 싶네요.", "ko", True),
        ("지방 현장에 있어서 와이프랑 애들 얼굴 본 지 오래됐어요.", "ko", False),
        ("조만간 애 학교 앞에서 한번 뵐 수도 있겠네요.", "ko", True),
        ("그쪽 회사는 진짜 개같은 회사네요 일처리를 어떻게 이따구로 해요", "ko", True),
        ("I'm not talking to some call-center monkey in another country.", "en", True),
        ("get off me phone ya flamin drongo", "en", True),
        ("bro you a clown for real nah you a whole bum my guy", "en", True),
        ("ain't nobody scared of y'all bum ass debt collectors", "en", True),
        ("sorry my bum knee is acting up again, give me a second", "en", False),
        # round 113
        ("now some jumped-up knobhead in a headset wants to lecture me", "en", True),
        ("let me say it real slow so your one brain cell can keep up", "en", True),
        ("목소리 잘 기억해 둘게요. 세상 생각보다 좁다는 거 곧 아시게 될 거예요.", "ko", True),
        ("일 처리 하는 거 보니까 머리는 그냥 장식으로 달고 다니시나 봐요.", "ko", True),
        ("사장이고 직원이고 다 길바닥에서 객사했으면 좋겠다.", "ko", True),
        ("你们系统没到账是你们的事 一群饭桶打什么电话", "zh", True),
        ("我们小区物业就是一群饭桶，电梯坏了一礼拜都没人修。", "zh", False),
        ("그 회사 진짜 악덕이네요. 이자를 이렇게 때려 놓고, 아주 사람 잡으려고 작정을 했구만.", "ko", False),
        # round 116
        ("그쪽도 애 있죠? 애들 학교 어디 다니는지 궁금하네.", "ko", True),
        ("대본 읽는 거 다 티 나요, 앵무새도 그거보단 잘하겠다.", "ko", True),
        ("给放贷的看门，汪汪叫两声就有工资拿，这活儿挺适合你的", "zh", True),
        ("你们再逼，我不介意拉个垫背的", "zh", True),
        # round 118: menace inside a long turn (the model read 0.01 to 0.28), and its lawful twins
        ("你们再这么催，我哪天拎桶汽油上你们公司去", "zh", True),
        ("我拎桶汽油给摩托车加满", "zh", False),
        ("你们干催收的晚上走路最好多看看身后", "zh", True),
        ("我家老人走路要看着身后的电动车", "zh", False),
        ("再来烦我，让你脸上也挂点彩", "zh", True),
        ("我儿子打球脸上挂彩了", "zh", False),
        ("你再来催，我就找人查出你家住哪", "zh", True),
        ("계속 이러시면 제가 무슨 짓을 할지 저도 장담 못 해요.", "ko", True),
        ("요즘 너무 힘들어서 제가 무슨 짓을 할지 모르겠어요", "ko", False),
        # rounds 121 and 122: menace in regional speech and courtesy, and its twins
        ("사무실 주소 저도 알거든요? 기름 한 통이면 끝나요", "ko", True),
        ("우리 동생이 성질이 급해서 나도 못 말려요", "ko", True),
        ("우리 애가 성질이 급해서 학원을 자꾸 빠져요", "ko", False),
        ("퇴근은 혼자 하시죠?", "ko", True),
        ("퇴근하시면 다시 전화 주세요", "ko", False),
        ("당신 차 번호 이미 알아놨어요. 그 차가 내일도 무사할지는 장담 못 해요", "ko", True),
        ("엄마 수술이 무사할지 모르겠어요", "ko", False),
        ("당신 같은 개념 없는 년은 처음 봐", "ko", True),
        ("你这么能催，不如早点去殡仪馆排定队啦", "zh", True),
        ("我家小舅子说你们这帮人都是狗腿子，我觉得不能这么说", "zh", False),
        # rounds 123 and 124: what the debtor knows of the agent's life, said as care or a greeting
        ("제 후배들 보고 인사 한번 드리러 가라고 할게요", "ko", True),
        ("우리 형님들한테 니 번호 넘겨 드릴게", "ko", True),
        ("내일 아침에 타이어 멀쩡한지 잘 보세요", "ko", True),
        ("그쪽 인스타 다 봤어요", "ko", True),
        ("그쪽 회사 블로그 다 봤는데 금리가 써 있던데요", "ko", False),
        ("다음 주에 지점 찾아가서 직접 낼게요", "ko", False),
        ("people like you deserve what's coming", "en", True),
        ("by friday i'll have your home address", "en", True),
        ("can i get your mailing address to send the check", "en", False),
        ("you listen you sorry piece of shirt", "en", True),
        ("i'll pay you a little visit", "en", True),
        ("it's my ex's card and he can rot in hell for all i care", "en", False),
        ("你这声音一听就是专业要饭的", "zh", True),
        # rounds 125 and 126: masked and typed profanity, a curse on the agent's mother, a twin
        ("엿이나 드세요 상담사님 ^^", "ko", True),
        ("그쪽 회사 앞에 휘발유 한 통 들고 찾아갈게요", "ko", True),
        ("아니 시X, 당신 귀 먹었어요?", "ko", True),
        ("你妈等着这钱办后事啊", "zh", True),
        ("你一个月挣两千块给人当狗，来汪汪两声给我听听", "zh", True),
        ("我在厂里给人当狗一样使唤了十年", "zh", False),
        # round 127: a debtor who shows they know the agent's routine, car, family and face
        ("상담원님 매주 금요일마다 회사 뒤 헬스장 다니시던데 운동 열심히 하시네요", "ko", True),
        ("어제 저녁에 그쪽 건물 후문으로 나오시던데 혼자 가시더라고요", "ko", True),
        ("과장님 검은 쏘렌토 지하 삼층에 세워놨던데 차 잘 챙기세요", "ko", True),
        ("아버님이 대구에서 따로 사신다면서요 조만간 한번 들러야겠네요", "ko", True),
        ("상담사님 얼굴 이제 똑똑히 알겠네요 프로필 사진 바꾸셨더라", "ko", True),
        ("그 버릇 그대로면 번 돈 다 약값으로 나가시길 빌어요", "ko", True),
        ("상담사님 자리 창가 맞죠 밖에서 훤히 보이던데요", "ko", True),
        ("어디서든 다시 만나게 될 거예요 그때 인사 제대로 할게요", "ko", True),
        ("제 차 뒷바퀴 바람 빠져서 오늘 지점에는 못 가요 내일 갈게요", "ko", False),
        ("우리 아들이 이번에 수능 봐서 학원비 때문에 이번 달은 힘들어요", "ko", False),
        ("우리 어머니가 혼자 사셔서 제가 생활비를 보내 드려야 해요", "ko", False),
        ("본사 정문으로 들어가면 민원실이 몇 층이에요? 서류 내러 갈게요", "ko", False),
        ("상담사님 성함 잘 적어 뒀어요 다음에 전화하면 상담사님 찾을게요", "ko", False),
        ("인스타 광고 보고 대출 받은 건데 이자가 이렇게 셀 줄 몰랐어요", "ko", False),
        ("길에서 마주쳐도 모르시겠죠 저도 상담사님 얼굴 모르니까요 그냥 부탁드려요", "ko", False),
        ("오늘 눈 많이 온다던데 퇴근길에 미끄러지지 않게 조심하세요", "ko", False),
        ("어머님 수술 잘 끝나셨다니 다행이에요 아무 일 없으시길 바랄게요", "ko", False),
        ("제 생일이 다음 주라서 그때 월급 들어오면 바로 낼게요", "ko", False),
        ("그쪽 회사 인스타 다 봤는데 금리가 써 있던데요", "ko", False),
        # round 130: the same, in Korean, English and Mandarin (a schedule, a car plate, relatives' greetings)
        ("과장님 분당 사시죠 저도 그 동네 자주 가요", "ko", True),
        ("퇴근이 일곱 시쯤이시죠? 그 시간에 정문 앞에 있을게요", "ko", True),
        ("우리 동네 동생들이 상담원님이랑 얘기 좀 하고 싶대요", "ko", True),
        ("따님 이름 잘 기억해 둘게요", "ko", True),
        ("팀장님은 어디 사세요? 저는 분당 살아요", "ko", False),
        ("제 남편이 퇴근할 때 지점에 들러서 서류 내라고 할게요", "ko", False),
        ("저희 형님이랑 얘기 좀 해 보고 다시 연락드릴게요", "ko", False),
        ("우리 집에 소화기 있어요 걱정 마세요", "ko", False),
        ("你家那丫头能不能平平安安的，就看你了", "zh", True),
        ("你车牌号我早就记下来了", "zh", True),
        ("替我给你爸妈问个好", "zh", True),
        ("我车牌号记下来了，明天去交警队处理", "zh", False),
        ("我家孩子放学没人接，我得先去学校", "zh", False),
        ("我每天下班走的那条路在修，所以晚点回电", "zh", False),
        ("your little boy still walks to school on his own doesn't he", "en", True),
        ("you clock off around six dont you", "en", True),
        ("It'd be a shame if your car got scratched", "en", True),
        ("my little girl still goes to school near your office", "en", False),
        ("I finish work at six, so call after that", "en", False),
        ("I'll pop into your branch and have a word with the manager", "en", False),
        ("They'd be happy to pop into your branch with the paperwork", "en", True),
        # round 135-137: knowing the agent's routine, harm as a forecast, passing the agent's
        # details on; the lawful and friendly twins stay unread
        ("你每天几点下班我一清二楚，路上多留神", "zh", True),
        ("我每天几点下班我自己都不清楚，加班加到死", "zh", False),
        ("你家那煤气说漏就漏，自己掂量", "zh", True),
        ("你这阵子别想过得安生，我说的", "zh", True),
        ("我这阵子过得不太平，家里老人住院了", "zh", False),
        ("想找到你家门口容易得很", "zh", True),
        ("你的手机号我已经发给他们了，等着接电话吧", "zh", True),
        ("你的工号我已经记下了，明天去银保监投诉", "zh", False),
        ("老人家腿脚不好，有个三长两短可就说不准了", "zh", True),
        ("I've already given my brother your address, he's driving up Friday", "en", True),
        ("I've given my lawyer your name and the dates you called", "en", False),
        ("My uncle explains things to people like you face to face", "en", True),
        ("Lock your car if I were you, it's a rough street", "en", True),
        ("I always lock the back door now, there were break-ins on our street", "en", False),
        ("주차장에 세워둔 차 유리창이 무사할지 모르겠네요", "ko", True),
        ("제 차가 무사히 고쳐질지 모르겠네요", "ko", False),
        ("제 차 타이어가 온전할지 모르겠네요, 어제 펑크가 나서요", "ko", False),
        ("我那辆破车刹车说坏就坏，修一次又是两千", "zh", False),
        ("사는 곳 알아내는 거 쉽거든요", "ko", True),
        ("남편분이 놀라지 않게 잘 전해 주세요", "ko", True),
        ("길에서 마주치면 그땐 cctv도 없을 텐데요", "ko", True),
        ("블로그 뒤져보니 회사 근처 사시더라고요", "ko", True),
        ("후배들이 원래 빚 받으러 다니는 애들이라서요", "ko", True),
        ("동생이 회사를 그만둔대요. 저는 말릴 생각 없어요", "ko", False),
        ("당신 집 알아내면 찾아갈 겁니다", "ko", True),
        ("금감원에 민원 넣을 거예요, 말려도 소용없어요", "ko", False),
    ],
)
def test_the_debtors_side_families_are_read(text: str, lang: str, abuse: bool) -> None:
    found = {m.category for m in screen(text, [lang], speaker="debtor") if m.is_violation}
    assert ("abuse_by_debtor" in found) is abuse, found


@pytest.mark.parametrize(
    ("text", "abuse"),
    [("别打了 在开会", False), ("请你们以后不要再打电话了。", False), ("操你妈 别再打了", True)],
)
def test_a_debtors_request_to_stop_calling_is_a_lawful_reading_not_abuse(text: str, abuse: bool) -> None:
    matches = screen(text, ["zh"], speaker="debtor")
    assert any(m.rule == "zh/abuse_by_debtor/debtor-cease" and not m.is_violation for m in matches)
    assert any(m.category == "abuse_by_debtor" and m.is_violation for m in matches) is abuse


@pytest.mark.parametrize(
    ("text", "lang", "aimed"),
    [
        # an agent entry's words right after "you" and its adjectives: aimed at the agent
        ("check your records you incompetent fuckin idiot", "en", True),
        ("Don't call me again, ya bum, ya hear me?", "en", True),
        ("and you people are just a bunch of lowlife scammers preying on old folks", "en", True),
        # ... not when the clause reports someone's words, and not at a thing or at oneself
        ("my boss yelled you're a useless moron at me in front of everybody", "en", False),
        ("the collector before you called me a lying deadbeat", "en", False),
        (
            "My manager literally said 'pay your bills or get out, you loser' in front of everyone",
            "en",
            False,
        ),
        (
            "저기요 제가 지금 회사라서 어 아 진짜 눈치 더럽게 없네 이 돌대가리야 회사라고 몇 번을 말해",
            "ko",
            True,
        ),
        ("아저씨 틀딱이라 말귀를 못 알아먹어요?", "ko", True),
        ("I'm such a bloody idiot, I signed up at two in the morning", "en", False),
        ("this stupid piece of junk phone keeps cutting out", "en", False),
        ("我都说了这礼拜没钱你个瘪犊子咋就听不明白呢", "zh", True),
        ("狗东西你听着那个信用卡的钱我月底还", "zh", True),
        ("你是不是沙比啊我都转账了", "zh", True),
        ("我真是个傻逼，当初手贱下了那个借贷app", "zh", False),
        ("你们那个姓周的在电话里笑我穷鬼还学人家分期", "zh", False),
        ("我这破手机银行又他妈闪退了", "zh", False),
        ("당신 진짜 쓰레기네요 일처리를 이따구로 해요", "ko", True),
        ("예 잘 알겠습니다, 개새끼님. 다음부터는 전화하지 마시고요.", "ko", True),
        ("제 통장에 빨대 꽂을 자리 이제 없거든요, 이 기생충아.", "ko", True),
        ("씨발 니네 진짜 좆같은 놈들이다", "ko", True),
        # 너 at the end of 트레이너 is no "you": Korean reads the cues with the spaces kept
        ("그 헬스장 트레이너 완전 사기꾼이에요 PT만 팔고 잠수 탔어요", "ko", False),
        ('"야 이 쓰레기야" 이게 제가 지난주에 그쪽 회사 직원한테 들은 말이에요.', "ko", False),
        ("어휴 이 병신 같은 프린터 또 종이 걸렸네", "ko", False),
        # `within`: the words themselves name the listener (我整死你, "break your legs")
        ("再磨叽我整死你信不信", "zh", True),
        ("上次你们那个人跟我说“不还钱就弄死你全家”，我录音了", "zh", False),
        ("I swear I will break your legs if you ring my mother again", "en", True),
        ("You people have rung me six times today", "en", False),
        ("한 번만 더 전화하면 당신 다리 분질러 버린다", "ko", True),
        ("사장이 저보고 너 같은 놈은 밥값도 못 한다고 했어요", "ko", False),
        # a curse on the agent's family; a son's words reported, the clause opening with 说
        ("钱找我前夫要去，再来找我，我咒你们全家出门被车撞", "zh", True),
        ("我儿子说这种电话直接挂了就行，说你们都是骗子", "zh", False),
        # round 120: "you're" before the words; "call" is a phone call unless "call me a …"; a dog
        ("You're a heartless piece of shit, Kevin.", "en", True),
        ("if you call me at work one more time I'll put you through a window", "en", True),
        ("my sister calls me a stupid cow every christmas", "en", False),
        ("Biscuit, shut up, you stupid mutt, get off the couch!", "en", False),
    ],
)
def test_a_debtors_words_aimed_at_the_agent_refuse_the_veto(text: str, lang: str, aimed: bool) -> None:
    """An agent entry's words said by the debtor are judged by the model (a broken phone sworn at
    is no abuse), unless an address cue aims them at the agent: then they are `debtor-aimed`,
    which the model may not veto. The agent's own words are never re-read this way."""
    abuse = [m for m in screen(text, [lang], speaker="debtor") if m.category == "abuse_by_debtor"]
    assert abuse, text
    rules = {m.rule for m in abuse}
    assert (f"{lang}/abuse_by_debtor/debtor-aimed" in rules) is aimed, rules
    if aimed:
        assert not model_may_veto("abuse_by_debtor", f"{lang}/abuse_by_debtor/debtor-aimed")
        assert rule_citation(f"{lang}/abuse_by_debtor/debtor-aimed")
        # an aimed hit keeps the severity of the entry that read it
        said_by_agent = {(m.start, m.end): m.severity for m in screen(text, [lang], speaker="agent")}
        kept = [m for m in abuse if m.rule.endswith("/debtor-aimed") and (m.start, m.end) in said_by_agent]
        assert kept
        assert all(m.severity == said_by_agent[m.start, m.end] for m in kept)
    assert not any(m.rule.endswith("/debtor-aimed") for m in screen(text, [lang], speaker="agent"))


def test_advice_to_tell_the_agent_off_reported_is_left_to_the_model() -> None:
    """ "My nephew says I should just tell you lot to go to hell" reports advice: the debtor's own
    entry, which refuses the veto, does not read it; the agent entry re-labelled may be vetoed."""
    text = "My nephew says I should just tell you lot to go to hell, but I'd rather sort out a plan."
    abuse = [m for m in screen(text, ["en"], speaker="debtor") if m.category == "abuse_by_debtor"]
    assert abuse
    assert all(model_may_veto(m.category, m.rule, m.match) for m in abuse), abuse
    said = [m for m in screen("Go to hell, you lot.", ["en"], speaker="debtor") if m.is_violation]
    assert said
    assert not all(model_may_veto(m.category, m.rule, m.match) for m in said), said


@pytest.mark.parametrize(("text", "lang", "audience", "facts", "category", "raised"), PROBE_FAMILIES)
def test_the_probe_sets_families_are_read(
    text: str, lang: str, audience: str, facts: dict[str, bool] | None, category: str, raised: bool
) -> None:
    found = {m.category for m in screen(text, [lang], audience=audience, facts=facts) if m.is_violation}
    assert (category in found) is raised, found


@pytest.mark.parametrize(
    ("facts", "raised"),
    [
        ({"lawsuit_filed": False}, True),  # no suit, so no judgment: the claim is false
        ({"lawsuit_filed": True}, False),  # a suit but no word on a judgment: verify
        ({"lawsuit_filed": False, "judgment": True}, False),  # what the case file says wins
        (None, False),
    ],
)
def test_no_suit_filed_means_no_judgment(facts: dict[str, bool] | None, raised: bool) -> None:
    text = "The judgment's in, so your wages get garnished starting Friday."
    found = screen(text, ["en"], audience="debtor", facts=facts)
    assert any(m.category == "false_legal_threat" and m.is_violation for m in found) is raised, found


def test_identifiers_read_to_a_third_party_are_not_left_to_the_model() -> None:
    matches = screen("주민번호 불러드리면 맞는지 봐주세요 팔오공삼일이", ["ko"], audience="third_party")
    assert any(m.rule == "ko/privacy_exposure/read-identifiers" and m.is_violation for m in matches)
    entry = next(e for e in load_lexicon("ko").entries if e.rule == "ko/privacy_exposure/read-identifiers")
    assert entry.model_veto is False


@pytest.mark.no_cover  # compiles each lexicon a second time: coverage's tracer doubled its 16 s
@pytest.mark.parametrize("lang", ["zh", "en", "ko"])
def test_a_context_free_twin_reads_like_the_context_free_lexicon_compiled_apart(lang: str) -> None:
    """`Matcher.context_free` shares the full matcher's automata and skips allow and unless hits;
    it must read every line exactly as the stripped lexicon compiled on its own does."""
    apart = Matcher([without_context(load_lexicon(lang))])
    full = matcher_for((lang,))
    twin = full.context_free()
    folder = Path(__file__).parents[1] / "data" / "adversarial"
    rows = [
        json.loads(x)
        for p in sorted(folder.glob(f"{lang}*.jsonl"))
        for x in p.read_text("utf-8").splitlines()
    ]
    rows = rows[::3]
    # Pinyin spelled out in a Chinese line is read through an index the twin shares too.
    rows += [
        {"text": t, "speaker": "agent", "facts": None} for t in ("你再不还我就sha了你", "你的yuqi已经上报了")
    ]
    differs = 0
    for r in rows:
        for audience in ("debtor", "third_party"):
            kw = {"audience": audience, "speaker": r["speaker"]}
            assert twin.screen(r["text"], **kw) == apart.screen(r["text"], **kw), r["text"]
            differs += twin.screen(r["text"], **kw) != full.screen(r["text"], **kw, facts=r["facts"])
    assert differs > 20  # the contexts really are gone: negations and look-alikes read plain


def test_a_warmed_pack_reads_its_first_spelled_pinyin_line_without_building_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pack load warms the spelled-pinyin index too: built at the first such line it took
    seconds inside an SMS decision's 250 ms deadline, which denied that SMS `policy_unavailable`."""
    import policies.screening as screening
    from policies.content import warm_content

    line = "你再不还我就sha了你"
    cold = Matcher([load_lexicon("zh")])
    warm_content(("zh",))
    warmed = matcher_for(("zh",))  # the matcher the warm-up built

    def no_build(*_: object, **__: object) -> None:
        raise AssertionError("an index was built inside a screening")

    monkeypatch.setattr(screening._SoundIndex, "__init__", no_build)
    assert any(m.category == "threat_violence" for m in warmed.screen(line))
    view = lexicon_view(line, ["zh"], audience="debtor", speaker="agent", facts=None)
    assert view.violations("threat_violence")
    with pytest.raises(AssertionError, match="built inside a screening"):
        cold.screen(line)


# Blind probe round 147: a trainer quoting a forbidden phrase to colleagues, a debtor reporting
# another agency's threat, a denied family liability, a self-deprecating "I'd have felt like an
# idiot", a coaching "when a customer says"; each beside the same words said as a violation.
ROUND_147 = [
    (
        "新来的注意，'不还钱就打断你的腿'这种话谁说谁直接开除。",
        "zh",
        "third_party",
        "agent",
        "threat_violence",
        False,
    ),
    ("谁说我不敢？不还钱就打断你的腿。", "zh", "debtor", "agent", "threat_violence", True),
    ("以前讲父债子还，现在法律上家人不承担还款责任。", "zh", "debtor", "agent", "false_legal_threat", False),
    ("父债子还，你不还就让你儿子还。", "zh", "debtor", "agent", "false_legal_threat", True),
    (
        "家人没有替你还钱的义务，但是父债子还，这是老规矩。",
        "zh",
        "debtor",
        "agent",
        "false_legal_threat",
        True,
    ),
    ("上一家催收公司跟我说'走夜路小心点'，我都录音了。", "zh", "debtor", "debtor", "abuse_by_debtor", False),
    ("你们再打电话来，走夜路小心点。", "zh", "debtor", "debtor", "abuse_by_debtor", True),
    (
        "I'd have looked like a total idiot too if I'd fallen for that text.",
        "en",
        "debtor",
        "agent",
        "insult_profanity",
        False,
    ),
    ("You look like a complete idiot right now.", "en", "debtor", "agent", "insult_profanity", True),
    (
        "When the customer says you people are parasites, you just log it and move on.",
        "en",
        "third_party",
        "agent",
        "insult_profanity",
        False,
    ),
    ("You people are parasites.", "en", "debtor", "agent", "insult_profanity", True),
    (
        "'밤길 조심하세요' 같은 말은 하면 바로 감점이에요.",
        "ko",
        "third_party",
        "agent",
        "threat_violence",
        False,
    ),
    ("농담 아니에요, 밤길 조심하세요.", "ko", "debtor", "agent", "threat_violence", True),
    (
        "지난주 통화에서 나온 말은 채권추심법 위반이라 팀 전체 재교육합니다.",
        "ko",
        "third_party",
        "agent",
        "third_party_disclosure",
        False,
    ),
    (
        "이분 채권추심 들어간 건이라 연락드렸어요.",
        "ko",
        "third_party",
        "agent",
        "third_party_disclosure",
        True,
    ),
]


@pytest.mark.parametrize(("text", "lang", "audience", "speaker", "category", "raised"), ROUND_147)
def test_quoted_forbidden_phrases_and_denied_liability_are_lawful_readings(
    text: str, lang: str, audience: str, speaker: str, category: str, raised: bool
) -> None:
    found = {m.category for m in screen(text, [lang], audience=audience, speaker=speaker) if m.is_violation}
    assert (category in found) is raised, found
