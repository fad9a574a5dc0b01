"""Every `digestbot` subcommand explains itself: a description and at least one example."""
from __future__ import annotations

import pytest

from bot.cli.main import build_parser, main, subcommand_parsers

PARSER = build_parser()
SUBCOMMANDS = subcommand_parsers(PARSER)


def test_the_cli_has_every_subcommand_of_the_design():
    assert set(SUBCOMMANDS) == {"ingest", "check", "articles", "show", "preview", "export", "run", "chat",
                                "sources", "fetch", "backup", "restore", "migrate", "healthcheck"}


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_subcommand_has_a_description_and_an_example(name):
    parser = SUBCOMMANDS[name]
    assert parser.description and len(parser.description) > 30
    assert parser.epilog and "examples:" in parser.epilog
    assert f"digestbot {name}" in parser.epilog


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_subcommand_help_exits_0_and_shows_the_example(name, capsys):
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: digestbot {name}")
    assert "examples:" in out and "--data-dir" in out


def test_top_level_help_lists_every_subcommand_with_examples(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in SUBCOMMANDS) and "examples:" in out


def test_no_subcommand_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "usage: digestbot" in capsys.readouterr().err


def test_global_options_work_before_and_after_the_subcommand():
    before = PARSER.parse_args(["--data-dir", "/a", "-v", "articles"])
    after = PARSER.parse_args(["articles", "--data-dir", "/a", "-v"])
    assert (before.data_dir, before.verbose) == (after.data_dir, after.verbose) == ("/a", True)
