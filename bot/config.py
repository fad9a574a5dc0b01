"""Settings: read once, in the entry point, from the environment and an optional .env."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    admin_ids: frozenset[int] = frozenset()
    data_dir: Path = Path("data")
    seeds_dir: Path = Path("seeds")
    digests_dir: Path = Path("digests")
    default_timezone: str = "America/Lima"
    default_language: str = "en"
    digest_time: str = "08:00"
    max_seed_bytes: int = 2_000_000
    send_rate: float = 25.0              # messages a second overall (Telegram allows about 30)
    private_chat_rate: float = 1.0       # messages a second to one private chat
    group_rate_per_minute: int = 20      # messages a minute to one group or channel
    send_give_up_seconds: float = 3600.0 # a push that cannot be sent for this long is failed
    grace_hours: float = 6.0             # a digest missed during downtime is sent if within this
    tick_seconds: float = 20.0           # how often the scheduler looks for due subscribers
    send_no_news: bool = False           # send a short "no news" line when a digest is empty
    stories_per_page: int = 5
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str = ""
    log_level: str = "INFO"
    # live sources (sources.toml): fetching politely and incrementally
    sources_file: Path = Path("sources.toml")
    fetch_interval_minutes: float = 60.0     # default poll interval of a source
    fetch_user_agent: str = "DiplomacyDigestBot/0.1 (news digest bot; polls feeds at most hourly)"
    fetch_timeout_seconds: float = 15.0      # connect and between-bytes timeout of one request
    fetch_total_seconds: float = 60.0        # a whole response (slow drip) must arrive within this
    max_fetch_bytes: int = 5_000_000         # larger responses are cut off and reported
    fetch_per_host: int = 2                  # requests in flight to one host
    fetch_in_flight: int = 8                 # requests in flight overall
    fetch_max_entries: int = 50              # newest entries taken from one feed per pass
    fetch_max_backoff_hours: float = 24.0    # a failing source waits at most this long between tries
    source_retention_days: float = 30.0      # fetched articles older than this are retired
    source_alert_hours: float = 24.0         # a source failing this long is reported to the admins once
    log_format: str = "text"             # text, or json: one JSON object per line
    database_url: str = ""               # postgresql://... selects the PostgreSQL store instead of DATA_DIR
    metrics_port: int = 0                # polling mode: serve /healthz /readyz /metrics here (0 = off)
    metrics_listen: str = "0.0.0.0"      # the address METRICS_PORT listens on

    def __repr__(self) -> str:  # never show the token
        shown = ", ".join(
            f"{f.name}={'***' if f.name in _SECRETS else getattr(self, f.name)!r}"
            for f in fields(self)
        )
        return f"Settings({shown})"


_MAX_SEND_RATE = 30.0
_SECRETS = ("telegram_bot_token", "webhook_secret", "database_url")


def _as_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _as_number(name: str, raw: str, kind: type) -> float | int:
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


def _as_admins(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"ADMIN_IDS must be numeric Telegram user ids separated by commas, got {part!r}")
        ids.add(int(part))
    return frozenset(ids)


def _check(settings: Settings) -> Settings:
    """Limits that apply to settings read from the environment (benchmarks may build faster ones)."""
    try:
        ZoneInfo(settings.default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"DEFAULT_TIMEZONE is not an IANA time zone: {settings.default_timezone!r}") from None
    if settings.default_language not in ("en", "es"):
        raise ConfigError("DEFAULT_LANGUAGE must be en or es")
    hh, _, mm = settings.digest_time.partition(":")
    if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
        raise ConfigError(f"DIGEST_TIME must be HH:MM, got {settings.digest_time!r}")
    if not 0 < settings.send_rate <= _MAX_SEND_RATE:
        raise ConfigError(f"SEND_RATE must be above 0 and at most {_MAX_SEND_RATE:g} (Telegram's flood limit)")
    if settings.fetch_per_host < 1 or settings.fetch_in_flight < 1:
        raise ConfigError("FETCH_PER_HOST and FETCH_IN_FLIGHT must be at least 1")
    if settings.fetch_timeout_seconds <= 0 or settings.fetch_total_seconds <= 0:
        raise ConfigError("FETCH_TIMEOUT_SECONDS and FETCH_TOTAL_SECONDS must be above 0")
    if settings.log_format not in ("text", "json"):
        raise ConfigError(f"LOG_FORMAT must be text or json, got {settings.log_format!r}")
    if settings.database_url and not settings.database_url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("DATABASE_URL must start with postgresql:// (or be empty for the TinyDB store in DATA_DIR)")
    if settings.webhook_url and not settings.webhook_secret:
        raise ConfigError("WEBHOOK_SECRET must be set when WEBHOOK_URL is set")
    return settings


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env") -> Settings:
    """Settings from `environ` (default os.environ) over the optional .env file."""
    values: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    kwargs: dict[str, Any] = {}   # field name -> parsed value; Settings(**kwargs) checks the names
    for f in fields(Settings):
        raw = values.get(f.name.upper())
        if raw is None or (raw == "" and f.name != "telegram_bot_token"):
            continue
        if f.name == "admin_ids":
            kwargs[f.name] = _as_admins(raw)
        elif f.type in ("Path",):
            kwargs[f.name] = Path(raw)
        elif f.type == "bool":
            kwargs[f.name] = _as_bool(f.name.upper(), raw)
        elif f.type in ("int", "float"):
            kwargs[f.name] = _as_number(f.name.upper(), raw, int if f.type == "int" else float)
        else:
            kwargs[f.name] = raw.strip()
    return _check(Settings(**kwargs))
