"""Shared fixtures. Each engineer keeps their own section; never delete another's."""
from __future__ import annotations

import os
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest

# =============================================================================
# CLI fixtures
# =============================================================================

REPO_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_VARIABLES = ("DATA_DIR", "SEEDS_DIR", "DIGESTS_DIR", "DEFAULT_LANGUAGE", "STORIES_PER_PAGE",
                      "MAX_SEED_BYTES", "LOG_LEVEL", "TELEGRAM_BOT_TOKEN")


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
    """A copy of the repository's seeds/ and digests/ under `root`, and an empty data dir."""
    dirs = CliDirs(data=root / "data", seeds=root / "seeds", digests=root / "digests")
    shutil.copytree(REPO_ROOT / "seeds", dirs.seeds)
    shutil.copytree(REPO_ROOT / "digests", dirs.digests)
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
    """Fresh copies of the repo's seeds and digests, and an empty store directory."""
    return copy_repo_inputs(tmp_path)


@pytest.fixture(scope="session")
def ingested_store(tmp_path_factory) -> Path:
    """A store with the five repo seeds ingested once per session (copy it before writing)."""
    from bot.cli import main

    dirs = copy_repo_inputs(tmp_path_factory.mktemp("ingested"))
    with redirect_stdout(StringIO()) as out, redirect_stderr(StringIO()) as err:
        code = main([*dirs.options(), "ingest"])
    assert code == 0, out.getvalue() + err.getvalue()
    return dirs.data


@pytest.fixture
def ingested_dirs(cli_dirs, ingested_store) -> CliDirs:
    """cli_dirs whose store already holds the five repo seeds."""
    shutil.copytree(ingested_store, cli_dirs.data)
    return cli_dirs


@pytest.fixture
def digestbot(cli_dirs, capsys):
    """Run `digestbot` in-process against cli_dirs; returns CliResult(code, out, err)."""
    from bot.cli import main

    def run(*args: str) -> CliResult:
        code = main([*cli_dirs.options(), *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
