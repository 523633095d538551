"""`callwarden policy ...` through the main CLI (and once as a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import policies
from gateway.cli.main import main as callwarden_main

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = callwarden_main(["policy", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_check_denied_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["check", "--pack", "us-regf", "--to", "+12085550100", "--at", "2026-11-28T15:30:00Z"], capsys
    )
    assert code == 1
    assert out.splitlines()[0] == "DENIED: call to +12085550100 at 2026-11-28T15:30:00Z"
    assert "America/Boise        Sat 2026-11-28 08:30:00 MST" in out
    assert "America/Los_Angeles  Sat 2026-11-28 07:30:00 PST" in out
    assert "debtor.phones[0] +12085550100 (dialled): NANP area code 208" in out  # why Denver is one
    assert "1. outside_window [us-regf/window]" in out
    assert (
        "next allowed: 2026-11-28T16:00:00Z (Sat 09:00 America/Boise, Sat 08:00 America/Los_Angeles,"
        " Sat 09:00 America/Denver)" in out
    )


def test_check_allowed_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "check",
            "--pack",
            "us-regf",
            "--pack",
            "us-ma",
            "--to",
            "+12085550100",
            "--at",
            "2026-11-28T16:30:00Z",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["allowed"] is True
    assert doc["reasons"] == []
    assert doc["next_allowed_at"] is None
    regf, ma = policies.load_packs(["us-regf", "us-ma"])
    assert doc["packs"] == [f"us-regf@2#sha256:{regf.digest}", f"us-ma@2#sha256:{ma.digest}"]
    assert [z["zone"] for z in doc["local_times"]] == [
        "America/Boise",
        "America/Los_Angeles",
        "America/Denver",
    ]


def test_check_with_case_and_history_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = {
        "case_id": "case-9",
        "agency_id": "agency-1",
        "packs": ["us-regf"],
        "region": "US",
        "overdue_days": 40,
        "debtor": {"name": "A. Debtor", "phones": [{"number": "(617) 555-0100", "kind": "mobile"}]},
    }
    (tmp_path / "case.json").write_text(json.dumps(case), encoding="utf-8")
    lines = [
        json.dumps({"at": f"2026-11-{d}T15:00:00Z", "to": "+16175550100", "result": "no_answer"})
        for d in (18, 19, 20, 21, 22, 23, 24)
    ]
    (tmp_path / "history.jsonl").write_text("\n".join(["# seven calls", *lines]) + "\n", encoding="utf-8")
    code, out, _ = run(
        [
            "check",
            "--case",
            str(tmp_path / "case.json"),
            "--history",
            str(tmp_path / "history.jsonl"),
            "--to",
            "617-555-0100",
            "--at",
            "2026-11-24T20:00:00Z",
            "--json",
        ],
        capsys,
    )
    assert code == 1
    doc = json.loads(out)
    (reason,) = doc["reasons"]
    assert reason["rule"] == "us-regf/caps.calls-7-in-7-days"
    assert (reason["max"], reason["used"], reason["window"]) == (7, 7, "local_days:7")
    assert doc["next_allowed_at"] == "2026-11-25T13:00:00Z"


def test_check_sms_body(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pack = tmp_path / "sms.toml"
    pack.write_text(
        'name = "sms-only"\nversion = "2"\njurisdiction = "XX"\n'
        '[sms.length]\nmax_chars = 20\ncitation = "t"\n'
        '[sms.opt_out]\nphrases = ["Reply STOP"]\ncitation = "t"\n',
        encoding="utf-8",
    )
    base = [
        "check",
        "--pack-file",
        str(pack),
        "--to",
        "+16175550100",
        "--at",
        "2026-11-24T15:00:00Z",
        "--channel",
        "sms",
    ]
    code, out, _ = run([*base, "--body", "Hello, please call us back today"], capsys)
    assert code == 1
    assert "content_violation [sms-only/sms.length]" in out
    assert "content_violation [sms-only/sms.opt_out]" in out
    assert "packs: sms-only@2" in out
    code, out, _ = run([*base, "--body", "Hi. Reply  stop"], capsys)
    assert code == 0, out


def test_check_third_party_without_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "check",
            "--pack",
            "us-regf",
            "--to",
            "+16175550133",
            "--party",
            "third_party",
            "--relation",
            "spouse",
            "--at",
            "2026-11-24T15:00:00Z",
        ],
        capsys,
    )
    assert code == 0, out
    assert out.startswith("ALLOWED: call to +16175550133 (third party cli-contact)")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["check", "--to", "+16175550100"], "name at least one --pack", id="no-pack"),
        pytest.param(
            ["check", "--pack", "nope", "--to", "+16175550100"],
            "unknown policy pack 'nope'",
            id="unknown-pack",
        ),
        pytest.param(["check", "--pack", "us-regf", "--to", "12"], "--to", id="bad-number"),
        pytest.param(
            ["check", "--pack", "us-regf", "--to", "+16175550100", "--at", "yesterday"],
            "--at",
            id="bad-instant",
        ),
        pytest.param(
            ["check", "--pack", "us-regf", "--to", "+16175550100", "--case", "/nonexistent.json"],
            "cannot read",
            id="missing-case",
        ),
        pytest.param(
            ["check", "--pack", "us-regf", "--to", "+16175550100", "--debtor-timezone", "Mars/Base"],
            "unknown time zone",
            id="bad-zone",
        ),
    ],
)
def test_check_input_errors_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert message in err
    assert out == ""


def test_history_line_errors_name_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hist = tmp_path / "h.jsonl"
    hist.write_text(
        '{"at": "2026-11-20T15:00:00Z", "to": "+16175550100"}\n{"at": "soon", "to": "+16175550100"}\n',
        encoding="utf-8",
    )
    code, _, err = run(["check", "--pack", "us-regf", "--to", "+16175550100", "--history", str(hist)], capsys)
    assert code == 2
    assert f"{hist}:2: at:" in err


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["list"], capsys)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "cn-gbt45251@2",
        "kr-fdca@3",
        "us-ma@2",
        "us-nyc@2",
        "us-regf@2",
        "us-wa@3",
    ]
    code, out, _ = run(["list", "--json"], capsys)
    rows = json.loads(out)
    assert {r["name"]: r["retention_days"] for r in rows}["us-regf"] == 1096


def test_show_prints_every_setting_with_its_citation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", "cn-gbt45251"], capsys)
    assert code == 0
    for rule in [
        "window",
        "caps.conversations-3-a-day",
        "caps.unanswered-6-a-day-per-number",
        "third_party",
        "third_party.unreachable",
        "sms.opt_out",
        "sms.content",
        "assignment",
        "retention",
    ]:
        assert f"\ncn-gbt45251/{rule}: " in out
    assert out.count("  source: ") == 11
    assert "GB/T 45251—2025" in out
    code, _, err = run(["show", "nope"], capsys)
    assert code == 1
    assert "unknown policy pack" in err


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = ROOT / "policies" / "packs" / "us-wa.toml"
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "bad"\nversion = 1\njurisdiction = "X"\n[window]\ncitation = "c"\n'
        '[[window.ranges]]\nstart = "9:00"\nend = "17:00"\n',
        encoding="utf-8",
    )
    code, out, err = run(["validate", str(good)], capsys)
    assert code == 0
    assert "ok (us-wa@3" in out
    code, out, err = run(["validate", str(good), str(bad)], capsys)
    assert code == 1
    assert err.strip() == f"{bad}: window.ranges[0].start: '9:00' is not a time HH:MM"


def test_runs_as_a_module() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "policy",
            "check",
            "--pack",
            "kr-fdca",
            "--to",
            "+821012345678",
            "--at",
            "2026-11-24T12:00:00Z",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 1, out.stderr
    assert "outside_window [kr-fdca/window]" in out.stdout
    assert "next allowed: 2026-11-24T23:00:00Z (Wed 08:00 Asia/Seoul)" in out.stdout


def test_main_cli_has_the_policy_command(capsys: pytest.CaptureFixture[str]) -> None:
    from gateway.cli.main import main as callwarden

    assert callwarden(["policy", "list"]) == 0
    assert "us-regf@2" in capsys.readouterr().out


def test_policy_test_runs_every_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["test"], capsys)
    total = sum(len(policies.load_packs([n])[-1].examples) for n in policies.available_packs())
    assert code == 0, out
    assert out.splitlines()[-1] == f"{total} passed, 0 failed"
    assert "ok    us-nyc@2: a 4th attempt in 7 days" in out
    code, out, _ = run(["test", "us-ma"], capsys)
    assert code == 0
    assert out.splitlines()[-1] == "3 passed, 0 failed"


def test_policy_test_reports_a_wrong_expectation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "lender.toml"
    pack.write_text(
        'name = "lender"\nversion = "1"\njurisdiction = "US"\nrequires = ["us-regf"]\n'
        '[[examples]]\nname = "03:00 in New York"\nat = "2026-11-24T08:00:00Z"\nto = "+12125550123"\n'
        "[examples.expect]\nallowed = true\n",
        encoding="utf-8",
    )
    code, out, _ = run(["test", str(pack)], capsys)
    assert code == 1
    assert "FAIL  lender@1: 03:00 in New York" in out
    assert "allowed: expected True, got False" in out
    assert "got outside_window [us-regf/window]" in out  # decided with the pack it requires
    assert out.splitlines()[-1] == "0 passed, 1 failed"
    code, _, err = run(["test", "nope"], capsys)
    assert code == 1
    assert "unknown policy pack 'nope'" in err


def test_show_a_pack_that_requires_another(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", "us-nyc"], capsys)
    assert code == 0
    assert out.startswith("us-nyc@2 — ")
    assert "requires: us-regf" in out
    cap = "\nus-nyc/caps.attempts-3-in-7-days: at most 3 attempts (busy and failed too) per debtor_case"
    assert cap in out
    assert f"sha256: {policies.load_packs(['us-nyc'])[-1].digest}" in out
