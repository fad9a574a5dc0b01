"""Quality gate on real labelled pages: the news first in the key points, stories that are one event.

Ingests tests/data/eval/pages/files (39 real pages, a copy of shared/eval/pages) with the
real CLI and reads them back with `digestbot export`; the figures (tests/support/pages_eval.py) must
not fall below tests/quality_baseline.json["pages"] minus a small slack (one page for the
main-news counts, 0.03 for story precision and recall). Re-record after an intended change
and say why in the commit.
"""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.conftest import SETTINGS_VARIABLES
from tests.support.pages_eval import PAGES, main_news, story_pairs
from tests.support.paths import DIGESTS

BASELINE = json.loads((Path(__file__).parent / "quality_baseline.json").read_text(encoding="utf-8"))["pages"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> list[dict]:
    """The pages ingested into a fresh store and exported, once for this module."""
    work = tmp_path_factory.mktemp("pages")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)
        for name in SETTINGS_VARIABLES:
            patch.delenv(name, raising=False)
        options = ["--data-dir", str(work / "data"), "--seeds", str(PAGES / "files"),
                   "--digests", str(DIGESTS)]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main([*options, "ingest"]) == 0
            buffer.truncate(0)
            buffer.seek(0)
            assert main([*options, "export"]) == 0
        return json.loads(buffer.getvalue())


@pytest.mark.slow
def test_every_page_is_stored(exported):
    assert len(exported) == len(list((PAGES / "files").iterdir()))


@pytest.mark.slow
def test_the_main_news_sentence_is_the_first_key_point(exported):
    figures = main_news(exported)
    assert figures["first"] >= BASELINE["main_news_first"] - BASELINE["slack_pages"], figures


@pytest.mark.slow
def test_the_main_news_sentence_is_among_the_key_points(exported):
    figures = main_news(exported)
    assert figures["among"] >= BASELINE["main_news_among"] - BASELINE["slack_pages"], figures


@pytest.mark.slow
@pytest.mark.parametrize("figure", ("precision", "recall"))
def test_same_story_pairs_keep_their_precision_and_recall(exported, figure):
    figures = story_pairs(exported)
    assert figures[figure] >= BASELINE[f"story_{figure}"] - BASELINE["slack_fraction"], figures
