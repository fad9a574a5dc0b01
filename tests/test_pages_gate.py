"""Quality gate on real labelled pages: the news first in the key points, stories that are one event.

Ingests tests/data/eval/pages/files (39 real pages, a copy of shared/eval/pages) with the
real CLI and reads them back with `digestbot export`; the figures (tests/support/pages_eval.py) must
not fall below tests/quality_baseline.json["pages"] minus a small slack (one page for the
main-news counts and the theme tags, 0.03 for story precision and recall). Re-record after an intended change
and say why in the commit.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.pages_eval import PAGES, ingest_and_export, main_news, story_pairs, themes_tagged

BASELINE = json.loads((Path(__file__).parent / "quality_baseline.json").read_text(encoding="utf-8"))["pages"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> list[dict]:
    """The pages ingested into a fresh store and exported, once for this module."""
    return ingest_and_export(PAGES / "files", tmp_path_factory.mktemp("pages"))


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


@pytest.mark.slow
def test_required_themes_stay_tagged_and_forbidden_ones_stay_off(exported):
    figures = themes_tagged(exported)
    assert figures["required"] >= BASELINE["themes_required"] - BASELINE["slack_pages"], figures
    assert figures["forbidden"] <= BASELINE["themes_forbidden"] + BASELINE["slack_pages"], figures
