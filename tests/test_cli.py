"""`digestbot`: the maintainer's commands, run in-process on a real TinyDB store in tmp_path."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.ingest import ProgressBar
from tests.support.paths import DIGESTS, SEEDS

GOLDEN = Path(__file__).resolve().parent / "golden"
SEED_IDS = sorted(p.stem for p in SEEDS.iterdir() if p.is_file())
THEMES = sorted(p.stem for p in DIGESTS.glob("*.toml"))


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


# --- ingest -------------------------------------------------------------------------------------

def test_ingest_reports_every_seed_as_added_then_as_unchanged(digestbot):
    first = digestbot("ingest", "--json")
    assert first.code == 0, first.err
    report = json.loads(first.out)
    assert sorted(report["added"]) == SEED_IDS
    assert report["rejected"] == [] and report["retired"] == []

    second = digestbot("ingest", "--json")
    assert sorted(json.loads(second.out)["unchanged"]) == SEED_IDS
    assert json.loads(second.out)["added"] == []


def test_ingest_report_names_a_rejected_file_and_why_and_still_succeeds(digestbot, cli_dirs):
    (cli_dirs.seeds / "broken.txt").write_bytes(b"")
    result = digestbot("ingest")
    assert result.code == 0
    assert "rejected 1" in result.out
    rejected = [line for line in result.out.splitlines() if "rejected " in line and "broken.txt" in line]
    assert rejected and rejected[0].split("broken.txt:", 1)[1].strip(), result.out


def test_ingest_report_notes_a_repaired_mojibake_file_by_name(digestbot, cli_dirs):
    original = (cli_dirs.seeds / f"{SEED_IDS[1]}.txt").read_text(encoding="utf-8")
    garbled = original.encode("utf-8").decode("cp1252", errors="replace")
    (cli_dirs.seeds / "garbled.txt").write_text(garbled, encoding="utf-8")
    result = digestbot("ingest")
    assert result.code == 0
    assert "  note      garbled.txt: repaired mojibake" in result.out.splitlines()


def test_ingest_fails_when_every_file_is_rejected(digestbot, cli_dirs):
    for path in cli_dirs.seeds.iterdir():
        path.unlink()
    (cli_dirs.seeds / "empty.txt").write_bytes(b"")
    result = digestbot("ingest")
    assert result.code == 1
    assert "empty.txt" in result.out
    assert one_line(result.err).startswith("error: no seed file could be ingested")


def test_ingest_of_a_missing_seeds_directory_is_one_line_that_says_what_to_do(digestbot, tmp_path):
    result = digestbot("ingest", "--seeds", str(tmp_path / "nowhere"))
    assert result.code == 1
    assert "pass --seeds DIR" in one_line(result.err)


def test_ingest_retires_the_article_of_a_deleted_file(digestbot, cli_dirs):
    digestbot("ingest")
    (cli_dirs.seeds / f"{SEED_IDS[0]}.txt").unlink()
    result = digestbot("ingest", "--json")
    assert json.loads(result.out)["retired"] == [SEED_IDS[0]]


def test_ingest_shows_no_progress_bar_when_stderr_is_not_a_terminal(digestbot):
    result = digestbot("ingest")
    assert result.code == 0, result.err
    assert "\r" not in result.err and "[#" not in result.err


class TerminalStream(io.StringIO):
    """A text stream that says it is a terminal, as stderr does in a maintainer's shell."""

    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_and_ends_its_line():
    stream = TerminalStream()
    bar = ProgressBar(stream)
    for done in range(1, 6):
        bar(done, 5, f"seed{done}.txt")
    bar.close()
    assert stream.getvalue().count("\r") == 5
    assert "5/5" in stream.getvalue() and stream.getvalue().endswith("\n")


def test_progress_bar_is_silent_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(1, 2)
    bar.close()
    assert stream.getvalue() == ""


# --- check --------------------------------------------------------------------------------------

def test_check_passes_on_the_repository_digests_and_seeds(digestbot):
    result = digestbot("check")
    assert result.code == 0, result.out + result.err
    assert "0 error(s)" in result.out


def test_check_names_the_file_and_line_of_bad_toml(digestbot, cli_dirs):
    (cli_dirs.digests / "broken.toml").write_text('command = "broken"\ntitle = {en = "x"\n', encoding="utf-8")
    result = digestbot("check")
    assert result.code == 1
    errors = [line for line in result.out.splitlines() if line.startswith("error:")]
    assert any(line.startswith("error: broken.toml:2:") for line in errors), result.out
    assert one_line(result.err).startswith("error: 1 error(s)")


def test_check_fails_on_a_duplicate_command(digestbot, cli_dirs):
    original = cli_dirs.digests / "castillo.toml"
    (cli_dirs.digests / "castillo_copy.toml").write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    result = digestbot("check", "--json")
    assert result.code == 1
    assert any("castillo" in line for line in json.loads(result.out)["errors"])


def test_check_warns_about_a_seed_with_no_theme_and_no_date_but_passes(digestbot, cli_dirs):
    (cli_dirs.seeds / "recipe.txt").write_text("How to bake bread\n\n" + " ".join([
        "Mix the flour, the water, the salt and the yeast in a large bowl until no dry flour is left.",
        "Knead the dough on a floured table for ten minutes, until it is smooth and springs back.",
        "Let it rise in a warm kitchen for about an hour, covered with a damp cloth.",
        "Shape it into a round loaf and let it rest again while the oven heats up.",
        "Bake it in a very hot oven for forty minutes, until the crust is golden and sounds hollow.",
        "Let the bread cool on a rack before you cut the first slice.",
    ]) + "\n", encoding="utf-8")
    result = digestbot("check", "--json")
    assert result.code == 0, result.out
    warnings = [w for w in json.loads(result.out)["warnings"] if w.startswith("recipe.txt")]
    assert any("no theme" in w for w in warnings) and any("no publication date" in w for w in warnings)


def test_check_reports_a_seed_that_would_be_rejected_as_an_error(digestbot, cli_dirs):
    (cli_dirs.seeds / "empty.txt").write_bytes(b"")
    result = digestbot("check")
    assert result.code == 1
    assert any(line.startswith("error: empty.txt") for line in result.out.splitlines()), result.out


# --- articles and show --------------------------------------------------------------------------

@pytest.fixture
def ingested(ingested_dirs, digestbot):
    return digestbot


def test_articles_lists_every_ingested_seed_with_date_outlet_themes_and_title(ingested):
    result = ingested("articles", "--json")
    rows = json.loads(result.out)
    assert sorted(row["id"] for row in rows) == SEED_IDS
    assert all(set(row) >= {"id", "date", "outlet", "themes", "title"} for row in rows)
    dates = [row["date"] for row in rows]
    assert dates == sorted(dates, reverse=True)


def test_articles_of_a_theme_are_only_those_the_theme_matched(ingested):
    rows = json.loads(ingested("articles", "--theme", "lima_group", "--json").out)
    assert rows and all("lima_group" in row["themes"] for row in rows)


def test_articles_of_an_unknown_theme_is_one_line_that_points_to_check(ingested):
    result = ingested("articles", "--theme", "foo")
    assert result.code == 1
    assert one_line(result.err) == "error: unknown theme 'foo' — run `digestbot check` or see digests/"


def test_articles_hides_retired_ones_unless_all(ingested, ingested_dirs):
    (ingested_dirs.seeds / f"{SEED_IDS[0]}.txt").unlink()
    ingested("ingest")
    listed = ingested("articles").out
    assert SEED_IDS[0] not in listed
    everything = ingested("articles", "--all").out
    assert SEED_IDS[0] in everything and "(retired)" in everything


def test_show_prints_metadata_themes_with_scores_and_key_points(ingested):
    result = ingested("show", SEED_IDS[0])
    assert result.code == 0
    assert f"id:       {SEED_IDS[0]}" in result.out
    assert "themes:" in result.out and "key points:" in result.out
    assert "\n1. " in result.out and "score" not in result.out


def test_show_why_prints_each_key_points_score_and_reason(ingested):
    article = json.loads(ingested("show", SEED_IDS[0], "--json", "--why").out)
    result = ingested("show", SEED_IDS[0], "--why")
    score_lines = [line for line in result.out.splitlines() if line.startswith("   score ")]
    assert len(score_lines) == len(article["key_points"]) >= 3
    for line, point in zip(score_lines, article["key_points"]):
        assert f"{point['score']:.3f}" in line


def test_show_of_an_unknown_id_is_one_line_that_says_how_to_list_ids(ingested):
    result = ingested("show", "nope")
    assert result.code == 1
    assert one_line(result.err) == "error: unknown article 'nope' — run `digestbot articles` to list the ids"


# --- preview ------------------------------------------------------------------------------------

@pytest.mark.parametrize("theme", THEMES)
def test_preview_matches_the_golden_file(ingested, theme, update_golden):
    result = ingested("preview", theme)
    assert result.code == 0, result.err
    golden = GOLDEN / f"{theme}.txt"
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(result.out, encoding="utf-8")
    assert golden.exists(), f"no {golden.name}: pin it with `pytest --update-golden`"
    assert result.out == golden.read_text(encoding="utf-8"), "preview changed: re-pin with `pytest --update-golden`"


def test_preview_is_the_same_on_a_fresh_ingest_so_it_holds_no_ingest_times(digestbot):
    assert digestbot("ingest").code == 0
    fresh = digestbot("preview", "--all").out
    assert fresh.strip()
    for theme in THEMES:
        golden = GOLDEN / f"{theme}.txt"
        if golden.exists():
            assert golden.read_text(encoding="utf-8").rstrip("\n") in fresh


def test_preview_diff_says_no_changes_when_nothing_changed(ingested):
    ingested("preview", "lima_group")
    result = ingested("preview", "lima_group", "--diff")
    assert result.code == 0
    assert result.out.strip() == "lima_group: no changes"


def test_preview_diff_shows_what_a_deleted_seed_removes(ingested, ingested_dirs):
    before = ingested("preview", "--all").out
    rows = json.loads(ingested("articles", "--json").out)
    victim = next(row for row in rows if row["themes"])
    (ingested_dirs.seeds / f"{victim['id']}.txt").unlink()
    ingested("ingest")
    result = ingested("preview", victim["themes"][0], "--diff")
    assert result.code == 0
    assert result.out.startswith("--- ") and "\n+++ " in result.out
    assert any(line.startswith("-") and victim["title"] in line for line in result.out.splitlines()), before


def test_preview_of_an_unknown_theme_is_one_line_and_exit_1(ingested):
    result = ingested("preview", "foo")
    assert result.code == 1
    assert one_line(result.err) == "error: unknown theme 'foo' — run `digestbot check` or see digests/"


def test_preview_before_any_ingest_says_to_ingest_first(digestbot):
    result = digestbot("preview", "lima_group")
    assert result.code == 1
    assert one_line(result.err).endswith("run `digestbot ingest` first")


def test_preview_needs_a_theme_or_all(digestbot):
    assert digestbot("preview").code == 2
    assert digestbot("preview", "lima_group", "--all").code == 2


def test_preview_json_holds_the_text_and_the_story_ids(ingested):
    data = json.loads(ingested("preview", "lima_group", "--json").out)
    assert data["theme"] == "lima_group" and data["stories"] and data["text"].strip()


# --- errors -------------------------------------------------------------------------------------

def test_an_invalid_setting_is_one_line_that_says_where_to_fix_it(digestbot, cli_env):
    cli_env.setenv("DEFAULT_LANGUAGE", "fr")
    result = digestbot("articles")
    assert result.code == 1
    assert one_line(result.err) == ("error: DEFAULT_LANGUAGE must be en or es — "
                                    "fix the setting in the environment or .env (see .env.example)")


def test_a_store_that_cannot_be_opened_is_one_line_and_a_traceback_only_with_verbose(digestbot, cli_dirs):
    cli_dirs.data.write_text("not a directory", encoding="utf-8")
    quiet = digestbot("articles")
    assert quiet.code == 1
    assert one_line(quiet.err).startswith("error: ") and "Traceback" not in quiet.err
    loud = digestbot("-v", "articles")
    assert loud.code == 1 and "Traceback" in loud.err


def test_an_unknown_subcommand_is_a_usage_error(digestbot):
    assert digestbot("frobnicate").code == 2


# --- as a real program --------------------------------------------------------------------------

def run_program(args: list[str], cli_dirs, *, stdin: str = "",
                module: bool = False) -> subprocess.CompletedProcess:
    """The installed `digestbot` script (or `python -m bot`) as a real process."""
    program = [sys.executable, "-m", "bot"] if module else [str(Path(sys.executable).with_name("digestbot"))]
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "SEEDS_DIR", "DIGESTS_DIR")}
    env["TELEGRAM_BOT_TOKEN"] = ""
    return subprocess.run([*program, *cli_dirs.options(), *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=cli_dirs.data.parent, timeout=60)


@pytest.mark.slow
def test_digestbot_console_script_ingests_and_python_m_bot_reports_errors(cli_dirs):
    ingest = run_program(["ingest"], cli_dirs)
    assert ingest.returncode == 0, ingest.stderr
    assert f"added {len(SEED_IDS)}" in ingest.stdout and "\r" not in ingest.stderr
    preview = run_program(["preview", "nosuch"], cli_dirs, module=True)
    assert preview.returncode == 1
    assert one_line(preview.stderr).startswith("error: unknown theme 'nosuch'")


@pytest.mark.slow
def test_run_without_a_token_and_without_a_terminal_says_how_to_get_one(ingested_dirs):
    result = run_program(["run"], ingested_dirs)
    assert result.returncode == 1
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_chat_answers_a_theme_command_on_the_terminal_without_telegram(ingested_dirs):
    result = run_program(["chat"], ingested_dirs, stdin="/lima_group\n")
    assert result.returncode == 0, result.stderr
    assert "Lima Group" in result.stdout and "Bejar" in result.stdout
    assert " INFO " not in result.stderr
