"""Settings: one table, read from env, then TOML, then defaults; documented; secrets hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import SETTINGS, ConfigError, env_name, load_settings, settings_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented_and_the_table_is_current() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert settings_markdown() in text, "regenerate: python -m gateway.settings"
    for s in SETTINGS:
        assert f"`{s.name}`" in text
        assert env_name(s.name) in text


def test_precedence_env_over_toml_over_default(tmp_path: Path) -> None:
    (tmp_path / "callwarden.toml").write_text('[server]\nport = 9000\nhost = "0.0.0.0"\n')
    s = load_settings(tmp_path, env={"CALLWARDEN_SERVER_PORT": "9100"})
    assert s["server.port"] == 9100
    assert s["server.host"] == "0.0.0.0"  # noqa: S104 - the default under test
    assert s["policy.decision_timeout_ms"] == 250
    s = load_settings(tmp_path, env={}, overrides={"server.port": 9200})
    assert s["server.port"] == 9200


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        pytest.param("[server]\nprot = 1\n", {}, "unknown setting 'server.prot'", id="typo"),
        pytest.param('[server]\nport = "eighty"\n', {}, "server.port must be int", id="type"),
        pytest.param("", {"CALLWARDEN_SERVER_PORT": "x"}, "CALLWARDEN_SERVER_PORT", id="env-type"),
        pytest.param("server = 1\n", {}, "must be a [section]", id="not-a-table"),
        pytest.param("[server\n", {}, "callwarden.toml", id="bad-toml"),
    ],
)
def test_bad_configuration_is_named(tmp_path: Path, toml: str, env: dict[str, str], message: str) -> None:
    (tmp_path / "callwarden.toml").write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path, env=env)
    assert message in str(err.value)


def test_generated_config_file_parses_to_the_defaults(tmp_path: Path) -> None:
    from gateway.settings import default_config_text

    (tmp_path / "callwarden.toml").write_text(default_config_text())
    s = load_settings(tmp_path, env={})
    for setting in SETTINGS:
        assert s[setting.name] == setting.default
