"""Every bundled pack's [[examples]] decide as written; broken examples are pack errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import policies
from policies.examples import run_example
from policies.pack import Example, Pack
from policies.validation import PackError
from tests.policies.builders import pack_from_toml

BUNDLED = [
    pytest.param(pack, example, id=f"{pack.name}:{example.name}")
    for name in policies.available_packs()
    for pack in policies.load_packs([name])[-1:]
    for example in pack.examples
]


def test_every_bundled_pack_has_examples() -> None:
    for name in policies.available_packs():
        assert policies.load_packs([name])[-1].examples, name


@pytest.mark.parametrize(("pack", "example"), BUNDLED)
def test_bundled_example(pack: Pack, example: Example) -> None:
    packs = (*policies.load_packs(pack.requires), pack)
    result = run_example(pack, example, packs)
    assert result.passed, result.problems


PACK = """
name = "t"
version = "1"
jurisdiction = "US"
[window]
citation = "test"
[[window.ranges]]
start = "08:00"
end = "21:00"
[[examples]]
name = "03:00 in New York"
at = "2026-11-24T08:00:00Z"
to = "+12125550123"
[examples.expect]
allowed = {allowed}
{extra}
"""


def test_a_wrong_expectation_is_reported_with_what_was_decided() -> None:
    pack = pack_from_toml(PACK.format(allowed="true", extra='codes = ["cap_exceeded"]'))
    result = run_example(pack, pack.examples[0], (pack,))
    assert not result.passed
    assert result.problems == (
        "allowed: expected True, got False",
        "codes: expected ['cap_exceeded'], got ['outside_window']",
    )
    ok = pack_from_toml(PACK.format(allowed="false", extra='next_allowed_at = "2026-11-24T13:00:00Z"'))
    assert run_example(ok, ok.examples[0], (ok,)).passed


@pytest.mark.parametrize(
    ("extra", "key", "problem"),
    [
        pytest.param("bogus = 1", "examples[0].expect.bogus", "unknown key", id="unknown-expect-key"),
        pytest.param(
            'next_allowed_at = "soon"', "examples[0].expect.next_allowed_at", "is not RFC 3339", id="bad-next"
        ),
    ],
)
def test_broken_examples_are_pack_errors(extra: str, key: str, problem: str) -> None:
    with pytest.raises(PackError) as err:
        pack_from_toml(PACK.format(allowed="false", extra=extra))
    assert err.value.key == key
    assert problem in err.value.problem


def test_an_example_case_that_does_not_parse_names_its_field() -> None:
    text = PACK.format(allowed="false", extra="").replace(
        "[examples.expect]", '[examples.case.debtor]\nphones = [{ number = "12" }]\n[examples.expect]'
    )
    with pytest.raises(PackError) as err:
        pack_from_toml(text)
    assert err.value.key == "examples[0].case.debtor.phones[0].number"


def test_pack_digest_is_the_sha256_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    text = PACK.format(allowed="false", extra="")
    path.write_text(text, encoding="utf-8")
    pack = policies.load_pack_file(path)
    assert pack.digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert pack.pinned == f"t@1#sha256:{pack.digest}"
    path.write_text(text + "\n# a comment changes the text\n", encoding="utf-8")
    assert policies.load_pack_file(path).digest != pack.digest
