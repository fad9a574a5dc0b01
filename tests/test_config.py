"""Settings: every one documented, read from the environment over .env, bad values named."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError
from tests.support.paths import REPO_ROOT

NAMES = [f.name.upper() for f in fields(Settings)]


@pytest.mark.parametrize("name", NAMES)
def test_every_setting_has_a_commented_line_in_env_example_and_a_row_in_the_readme(name):
    lines = (REPO_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    index = next((i for i, line in enumerate(lines) if line.startswith(f"{name}=")), None)
    assert index is not None, f"{name} missing from .env.example"
    assert lines[index - 1].startswith("#") or lines[index - 2].startswith("#")
    assert f"`{name}`" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_environment_overrides_the_env_file(tmp_path: Path):
    env_file = tmp_path / ".env"
    env_file.write_text("DIGEST_TIME=07:15\nSEND_RATE=20\nADMIN_IDS=1, 2\n")
    settings = load_settings({"SEND_RATE": "10"}, env_file=env_file)
    assert settings.digest_time == "07:15" and settings.send_rate == 10.0
    assert settings.admin_ids == frozenset({1, 2})


@pytest.mark.parametrize("name,value,said", [
    ("SEND_RATE", "45", "SEND_RATE"),
    ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE"),
    ("DIGEST_TIME", "25:00", "DIGEST_TIME"),
    ("ADMIN_IDS", "alice", "ADMIN_IDS"),
    ("GRACE_HOURS", "soon", "GRACE_HOURS"),
    ("SEND_NO_NEWS", "perhaps", "SEND_NO_NEWS"),
    ("WEBHOOK_URL", "https://bot.example.org/hook", "WEBHOOK_SECRET"),
])
def test_a_bad_setting_is_a_one_line_error_naming_it(name, value, said):
    with pytest.raises(ConfigError, match=said):
        load_settings({name: value}, env_file=None)


def test_the_token_and_webhook_secret_never_show_in_the_settings_repr():
    settings = load_settings({"TELEGRAM_BOT_TOKEN": "123:SECRET", "WEBHOOK_URL": "https://x.org/h",
                              "WEBHOOK_SECRET": "hush"}, env_file=None)
    assert "SECRET" not in repr(settings) and "hush" not in repr(settings)
