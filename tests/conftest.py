"""Shared fixtures. Each engineer keeps their own section; never delete another's."""
from __future__ import annotations

import logging
import os
import shutil
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from tests.support.paths import DIGESTS, SEEDS

# =============================================================================
# CLI fixtures
# =============================================================================

SETTINGS_VARIABLES = ("DATA_DIR", "SEEDS_DIR", "DIGESTS_DIR", "DEFAULT_LANGUAGE", "STORIES_PER_PAGE",
                      "MAX_SEED_BYTES", "LOG_LEVEL", "TELEGRAM_BOT_TOKEN", "SOURCES_FILE")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="re-pin tests/golden/*.txt from the current `digestbot preview` output")


@pytest.fixture
def update_golden(request) -> bool:
    """True only when asked explicitly: `pytest --update-golden` or UPDATE_GOLDEN=1."""
    return bool(request.config.getoption("--update-golden")) or os.environ.get("UPDATE_GOLDEN") == "1"


@dataclass(frozen=True)
class CliDirs:
    data: Path
    seeds: Path
    digests: Path

    def options(self) -> list[str]:
        return ["--data-dir", str(self.data), "--seeds", str(self.seeds), "--digests", str(self.digests)]


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


def copy_repo_inputs(root: Path) -> CliDirs:
    """A copy of the fixture seeds and digests (tests/data, never the shipped ones) under `root`, and an empty data dir."""
    dirs = CliDirs(data=root / "data", seeds=root / "seeds", digests=root / "digests")
    shutil.copytree(SEEDS, dirs.seeds)
    shutil.copytree(DIGESTS, dirs.digests)
    return dirs


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    """No .env and no settings from the developer's environment leak into a CLI test."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def cli_dirs(tmp_path, cli_env) -> CliDirs:
    """Fresh copies of the fixture seeds and digests, and an empty store directory."""
    return copy_repo_inputs(tmp_path)


@pytest.fixture(scope="session")
def ingested_store(tmp_path_factory) -> Path:
    """A store with the five fixture seeds ingested once per session (copy it before writing)."""
    from bot.cli.main import main

    dirs = copy_repo_inputs(tmp_path_factory.mktemp("ingested"))
    with redirect_stdout(StringIO()) as out, redirect_stderr(StringIO()) as err, kept_root_logging():
        code = main([*dirs.options(), "ingest"])
    assert code == 0, out.getvalue() + err.getvalue()
    return dirs.data


@pytest.fixture
def ingested_dirs(cli_dirs, ingested_store) -> CliDirs:
    """cli_dirs whose store already holds the five fixture seeds."""
    shutil.copytree(ingested_store, cli_dirs.data)
    return cli_dirs


@contextmanager
def kept_root_logging():
    """main() configures the root logger on every call; put it back for the tests that follow."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def restore_logging():
    with kept_root_logging():
        yield


@pytest.fixture
def digestbot(cli_dirs, capsys, restore_logging):
    """Run `digestbot` in-process against cli_dirs; returns CliResult(code, out, err)."""
    from bot.cli.main import main

    def run(*args: str) -> CliResult:
        code = main([*cli_dirs.options(), *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


# =============================================================================
# Telegram fixtures
# =============================================================================
# `telegram_bot`: the real PTB Application over the recording transport, with the
# five fixture seeds ingested. Drive it with `await telegram_bot.send("/start")`,
# `await telegram_bot.press("sub:lima_group")`, `await telegram_bot.inline("lima")`.
# Teardown asserts that no handler raised and that every message the bot sent
# parses as Telegram HTML within Telegram's limits.

ADMIN_ID = 99


@dataclass
class TelegramHarness:
    app: object
    transport: object
    services: object
    errors: list
    last_update_id: int = 0

    def _next_id(self) -> int:
        self.last_update_id += 1
        return self.last_update_id

    async def _feed(self, payload: dict) -> list:
        from telegram import Update

        before = len(self.transport.calls)
        await self.app.process_update(Update.de_json(payload, self.app.bot))
        return [c for c in self.transport.calls[before:] if c.method in ("sendMessage", "editMessageText")]

    async def send(self, text: str, **who) -> list:
        """A user types `text`; returns the sendMessage/editMessageText calls it caused."""
        from bot.telegram.console import updates

        return await self._feed(updates.message(self._next_id(), text, **who))

    async def press(self, data: str, on: dict | None = None, **who) -> list:
        """A user presses the inline button with callback `data` (under a bot message `on`)."""
        from bot.telegram.console import updates

        chat_id = who.pop("chat_id", 1)
        message = on or self.transport.api.message({"chat_id": chat_id, "text": "…"})
        return await self._feed(updates.button(self._next_id(), data, message, **who))

    async def inline(self, query: str, **who) -> object:
        """`@bot <query>` (offset="N" asks for a later page): returns the answerInlineQuery call."""
        from bot.telegram.console import updates

        await self._feed(updates.inline(self._next_id(), query, **who))
        return self.transport.of("answerInlineQuery")[-1]


def telegram_settings(dirs: CliDirs, **overrides):
    from bot.config import Settings

    # handler tests run without Telegram's flood limits (replies share them with pushes: a test
    # sending ten commands to one chat would take ten seconds); tests/test_flood.py checks the limits
    values = dict(telegram_bot_token="123456:TEST-TOKEN", data_dir=dirs.data, seeds_dir=dirs.seeds,
                  sources_file=dirs.data.parent / "no-sources.toml",
                  digests_dir=dirs.digests, admin_ids=frozenset({ADMIN_ID}), stories_per_page=2,
                  send_rate=10_000.0, private_chat_rate=10_000.0, group_rate_per_minute=1_000_000)
    values.update(overrides)
    return Settings(**values)


def assert_valid_telegram_messages(calls) -> None:
    from tests.support.telegram_html import MAX_ENTITIES, MAX_MESSAGE_UTF16, parse_telegram_html, utf16_len

    for call in calls:
        if call.method in ("sendMessage", "editMessageText"):
            text, entities = parse_telegram_html(call.text)
            assert 0 < utf16_len(text) <= MAX_MESSAGE_UTF16 and len(entities) <= MAX_ENTITIES, call.text[:200]
            for button in call.buttons:
                assert len(button.get("callback_data", "").encode()) <= 64


async def start_harness(settings, transport=None, *, defer_people: bool = False) -> TelegramHarness:
    from bot.services import open_services
    from bot.telegram.app import build_application
    from tests.support.recording import RecordingRequest

    services = open_services(settings, defer_people=defer_people)
    transport = transport or RecordingRequest()
    app = build_application(services, request=transport, updater=False)
    errors: list = []

    async def record_error(update, context):
        errors.append(context.error)

    app.add_error_handler(record_error)
    await app.initialize()
    services.library.refresh_themes_if_changed()
    return TelegramHarness(app, transport, services, errors)


async def stop_harness(harness: TelegramHarness) -> None:
    from bot.telegram.app import stop_bot

    await stop_bot(harness.app)
    await harness.app.shutdown()


@pytest.fixture
async def telegram_bot(ingested_dirs):
    """The real Application over a recording transport; the fixture seeds already ingested."""
    harness = await start_harness(telegram_settings(ingested_dirs))
    yield harness
    await stop_harness(harness)
    assert harness.errors == []
    assert_valid_telegram_messages(harness.transport.calls)


# =============================================================================
# PostgreSQL fixtures: one real server per session, an empty database per test
# =============================================================================


@pytest.fixture(scope="session")
def postgres_server():
    from tests.support.postgres import start_server

    server, uri = start_server()
    yield uri
    server.cleanup()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    from tests.support.postgres import reset_database

    return reset_database(postgres_server)
