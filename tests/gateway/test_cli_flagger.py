"""`callwarden flags export --reviewed`: inspectors' reviews become labelled training lines (the
corpus format the trainer reads), masked text kept masked, and the export is logged."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from gateway.cli.main import main as cli_main
from speech.semantic.corpus import read_lines
from speech.semantic.train import TrainOptions
from tests.gateway.helpers import hdr
from tests.gateway.test_review_api import _flag, queue, transcribed
from tests.gateway.vault_world import VaultWorld


def _on(sentence: str, category: str, start: float) -> dict[str, Any]:
    return {**_flag(category, start), "sentence": sentence}


async def _review(vw: VaultWorld, flag_id: str, disposition: str) -> None:
    r = await vw.client.post(
        f"/v1/flags/{flag_id}/review", json={"disposition": disposition}, headers=hdr(vw.w.inspector)
    )
    assert r.status == 200, await r.text()


async def test_reviewed_flags_export_as_labelled_lines(
    vw: VaultWorld, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    threat = "We know your kids' school, call [phone] before they get home."
    idiom = "Honestly that is a killer deal on the settlement."
    await transcribed(
        vw,
        [
            _on(threat, "threat_violence", 3),
            _on(threat, "harassment", 4),
            _on(idiom, "threat_violence", 9),
            _on("Pay up or else.", "threat_violence", 12),
        ],
    )
    flags = {(f["sentence"], f["category"]): f["flag_id"] for f in await queue(vw, vw.w.inspector)}
    await _review(vw, flags[(threat, "threat_violence")], "confirmed")
    await _review(vw, flags[(threat, "harassment")], "dismissed")
    await _review(vw, flags[(idiom, "threat_violence")], "dismissed")
    out = tmp_path / "reviews.jsonl"
    # The CLI runs its own event loop: in a thread, beside the served app's.
    code = await asyncio.to_thread(
        cli_main, ["flags", "export", "--reviewed", "--data-dir", str(data_dir), "--out", str(out)]
    )
    assert code == 0
    assert "wrote 2 labelled line(s)" in capsys.readouterr().err
    lines = {ln.text: ln for ln in read_lines(out)}  # what `lexicon train --extra` reads
    assert set(lines) == {threat, idiom}  # the open flag is not exported
    assert lines[threat].labels == {"threat_violence"}
    assert "[phone]" in threat
    assert lines[idiom].labels == frozenset()
    assert all(ln.lang == "en" and ln.speaker == "agent" and ln.audience == "debtor" for ln in lines.values())
    assert lines[threat].writer == "review"
    assert set(lines[threat].tags) == {
        "review",
        "confirmed",
        "dismissed",
    }

    code = await asyncio.to_thread(
        cli_main, ["flags", "export", "--reviewed", "--data-dir", str(data_dir), "--since", "2999-01-01"]
    )
    assert code == 0
    assert capsys.readouterr().out == ""
    r = await vw.client.get(
        "/v1/audit/access-log", params={"action": "flags.export"}, headers=hdr(vw.security)
    )
    exports = [e for e in (await r.json())["entries"] if e["action"] == "flags.export"]
    assert [e["details"]["lines"] for e in exports] == [2, 0]


def test_export_needs_reviewed_and_a_valid_since(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as err:
        cli_main(["flags", "export", "--data-dir", str(data_dir)])
    assert err.value.code == 2
    assert cli_main(["flags", "export", "--reviewed", "--data-dir", str(data_dir), "--since", "soon"]) == 2
    assert "since" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "use_encoder", "tap_layer", "rivals", "folds", "stack", "by_writer"),
    [
        ([], True, 8, (), 5, False, False),
        (["--e5-only", "--layer-mean", "0", "--folds", "0"], False, None, (), 0, False, False),
        (
            ["--layer-mean", "6", "--rivals", "--folds", "3", "--stack", "--fold-by", "writer"],
            True,
            6,
            ("harassment", "privacy_exposure", "threat_violence"),
            3,
            True,
            True,
        ),
        (["--no-stack", "--fold-by", "line"], True, 8, (), 5, False, False),
    ],
)
def test_train_options_come_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    use_encoder: bool,
    tap_layer: int | None,
    rivals: tuple[str, ...],
    folds: int,
    stack: bool,
    by_writer: bool,
) -> None:
    """What `lexicon train` asks of the trainer (the training itself: tests/speech)."""
    seen = _train_calls(monkeypatch)
    assert cli_main(["lexicon", "train", "--out", str(tmp_path / "h.json"), *args]) == 2
    o = seen[0]
    got = (o.use_encoder, o.tap_layer, o.rivals, o.folds, o.stack, o.fold_by_writer)
    assert got == (use_encoder, tap_layer, rivals, folds, stack, by_writer)
    assert not (tmp_path / "h.json").exists()
    with pytest.raises(SystemExit) as exit_:  # argparse: e5 has layers 1..12
        cli_main(["lexicon", "train", "--layer-mean", "13"])
    assert exit_.value.code == 2
    assert len(seen) == 1


def test_teach_files_and_their_settings_rule_come_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = _train_calls(monkeypatch)
    out = str(tmp_path / "h.json")
    assert cli_main(["lexicon", "train", "--out", out]) == 2
    assert (seen[0].teach, seen[0].teach_keeps_settings) == ((), False)
    args = ["--teach", "zh-debtor.jsonl", "--teach", "en-debtor.jsonl", "--teach-keeps-settings"]
    assert cli_main(["lexicon", "train", "--out", out, *args]) == 2
    assert seen[1].teach == (Path("zh-debtor.jsonl"), Path("en-debtor.jsonl"))
    assert seen[1].teach_keeps_settings is True
    assert (seen[1].onto, seen[1].version) == (None, TrainOptions().version)
    args = ["--teach", "zh-debtor.jsonl", "--onto", "base.json", "--head-version", "2026.12.99"]
    assert cli_main(["lexicon", "train", "--out", out, *args]) == 2
    assert (seen[2].onto, seen[2].version) == (Path("base.json"), "2026.12.99")


def _train_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The options each `lexicon train` hands the trainer, which stops there."""
    import gateway.cli.flagger as cli

    seen: list[Any] = []

    def fake_train(options: Any) -> Any:
        seen.append(options)
        raise cli.TrainingError("stopped after reading the options")

    monkeypatch.setattr(cli, "train", fake_train)
    return seen
