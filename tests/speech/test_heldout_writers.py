"""bench/heldout_writers.py: a writer's lines leave training and are scored as unseen phrasing."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from speech.semantic.corpus import read_lines
from speech.semantic.train import TrainOptions
from tests.speech.test_semantic_training import AGENT, NEUTRAL, _line

BENCH = Path(__file__).resolve().parents[2] / "bench" / "heldout_writers.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("heldout_writers", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["heldout_writers"] = module
    spec.loader.exec_module(module)
    return module


def _by(writer: str, text: str, labels: list[str], **kw: str) -> str:
    obj = json.loads(_line(text, labels, **kw))
    obj["writer"] = writer
    return json.dumps(obj)


def _two_writer_corpus(root: Path) -> None:
    """Writer T wrote the first two lines of each category and U the third; both wrote neutral lines."""
    train, val = [], []
    for cat, texts in AGENT.items():
        train.append(_by("T", texts[0], [cat]))
        val.append(_by("T", texts[1], [cat]))
        train.append(_by("U", texts[2], [cat]))
    for i, text in enumerate(NEUTRAL):
        (train if i % 2 else val).append(_by("T" if i < 4 else "U", text, []))
    for texts, labels in ((["you bloodsucking parasites, go to hell", "screw you"], ["abuse_by_debtor"]),):
        train += [_by("T", t, labels, speaker="debtor") for t in texts]
    train.append(_by("T", "I lost my job and cannot pay", [], speaker="debtor"))
    val.append(_by("T", "please stop calling me at work", [], speaker="debtor"))
    train.append(_by("U", "I will find you and hurt you", ["abuse_by_debtor"], speaker="debtor"))
    train += [
        _by(
            "T",
            "your brother owes us three thousand dollars",
            ["third_party_disclosure"],
            audience="third_party",
        ),
        _by("U", "tell him his loan is overdue", ["third_party_disclosure"], audience="third_party"),
        _by("T", "please ask him to call us back", [], audience="third_party"),
    ]
    val.append(_by("T", "he is behind on his car loan", ["third_party_disclosure"], audience="third_party"))
    val.append(_by("T", "is this a good number for him", [], audience="third_party"))
    (root / "en").mkdir(parents=True)
    (root / "en" / "train.jsonl").write_text("\n".join(train) + "\n", encoding="utf-8")
    (root / "en" / "val.jsonl").write_text("\n".join(val) + "\n", encoding="utf-8")


def test_the_held_out_writer_leaves_training_and_is_what_is_chosen_on(tmp_path: Path) -> None:
    bench = _bench()
    corpus = tmp_path / "corpus"
    _two_writer_corpus(corpus)
    held = bench.split_corpus(corpus, {"en": "U"}, ("en",), tmp_path / "split")
    everything = [*read_lines(corpus / "en" / "train.jsonl"), *read_lines(corpus / "en" / "val.jsonl")]
    mine = {ln.text for ln in everything if ln.writer == "U"}
    assert {ln.text for ln in held["en"]} == mine
    assert len(mine) == 9
    kept = [
        *read_lines(tmp_path / "split/kept/en/train.jsonl"),
        *read_lines(tmp_path / "split/kept/en/val.jsonl"),
    ]
    assert {ln.writer for ln in kept} == {"T"}
    assert len(kept) == len(everything) - len(mine)
    # For (b) every other line trains and the held-out lines are the val the settings are chosen on.
    chosen_train = read_lines(tmp_path / "split/chosen/en/train.jsonl")
    assert sorted(ln.text for ln in chosen_train) == sorted(ln.text for ln in kept)
    assert {ln.text for ln in read_lines(tmp_path / "split/chosen/en/val.jsonl")} == mine
    with pytest.raises(SystemExit, match=r"no en line .* written by 'Z'"):
        bench.split_corpus(corpus, {"en": "Z"}, ("en",), tmp_path / "other")


def test_options_and_writers_are_parsed_and_checked() -> None:
    bench = _bench()
    assert bench.parse_held("zh=G, en=H") == {"zh": "G", "en": "H"}
    for bad in ("zh", "zh=", "=G"):
        with pytest.raises(Exception, match="LANG=WRITER"):
            bench.parse_held(bad)
    base = TrainOptions()
    o = bench.with_overrides(base, ["c=8", "stack=true", 'languages=["en"]', 'extra=["r.jsonl"]'])
    assert (o.c, o.stack, o.languages, o.extra) == (8.0, True, ("en",), (Path("r.jsonl"),))
    assert base.c == TrainOptions().c  # the defaults are not changed
    for bad, why in (
        ("nope=1", "KEY=JSON"),
        ("c=eight", "not JSON"),
        ("stack=1", "bool"),
        ("folds=2.5", "int"),
        ('languages="en"', "JSON list"),
    ):
        with pytest.raises(SystemExit, match=why):
            bench.with_overrides(base, [bad])


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_held_out_run_reports_both_readings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = _bench()
    corpus = tmp_path / "corpus"
    _two_writer_corpus(corpus)
    out = tmp_path / "heads.json"
    # Writer U held out of the English-only corpus; too few lines to deal folds that each hold
    # every category, so folds=0.
    common = [
        *("--corpus", str(corpus), "--held", "en=U", "--opt", 'languages=["en"]', "--opt", "folds=0"),
        *("--opt", f"cache_dir={json.dumps(str(tmp_path / 'cache'))}", "--quiet"),
    ]
    code = bench.main([*common, "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    row = next(line for line in printed.splitlines() if line.startswith("recipe ") and " en " in line)
    cells = row.split()
    assert cells[:4] == ["recipe", "en", "U", "9"]  # 9 lines of writer U's
    # The head file written was trained without writer U's lines (it records the corpus it read).
    doc = json.loads(out.read_text())
    assert "folds" not in doc["trainer"]
    assert all("callwarden-heldout-" in path for path in doc["files"])
    assert "en" in doc["languages"]
    # (b) alone: (a)'s cells left empty, one training instead of two.
    code = bench.main([*common, "--opt", "c=8", "--b-only"])
    assert code == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert [r[:4] for r in rows] == [["recipe", "en", "U", "9"]]
    for r in rows:
        assert r[4:6] == ["—", "—"]  # (a) not read
        assert 0.0 <= float(r[-3]) <= 1.0  # (b)'s recall


def test_b_only_writes_no_head_file() -> None:
    with pytest.raises(SystemExit, match="--b-only trains none"):
        _bench().main(["--b-only", "--out", "heads.json"])
