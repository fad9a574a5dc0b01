"""Quality gate on extraction: clean bodies, headline, date, outlet and language on real pages.

Two sets, read from the shared evaluation folder when it is there (the environment variable
DIGEST_EVAL_DIR, or ../shared/eval next to the checkout) and otherwise from the copies in
tests/data/eval:

* pages/ (39 labelled regional-diplomacy pages): ingested with the real CLI and read back with
  `digestbot export`; pages stored, labelled boilerplate lines in body / key points / title,
  headline / date / outlet / language right where the text states them, dates invented where
  it states none; the rules are the shared scorer's own (score_pages.py, imported).
* extraction/ (121 news pages from 121 sites with hand-marked bodies): body F1 of
  bot.extract:article_body on the plain-text and markdown renderings and of
  bot.extract:article_body_html on the HTML, on all pages and on each half (odd pages: the
  half the paragraph classifier was fitted on; even pages: held out); the metric is the
  shared scorer's (score_extraction.py, imported).

Every figure must stay at or above its recorded value in tests/extraction_baseline.json
(counts of leaks at or below), within the recorded slack. Re-record after an intended change
and say why in the commit.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import os
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import pytest

from bot.extract import article_body, article_body_html
from tests.support.pages_eval import ingest_and_export
from tests.support.paths import REPO_ROOT

BASELINE = json.loads((Path(__file__).parent / "extraction_baseline.json").read_text(encoding="utf-8"))
COPY = Path(__file__).parent / "data" / "eval"


def eval_root() -> Path:
    """The shared evaluation folder when present (with pages/ and extraction/), else the copy here."""
    candidates = [Path(os.environ["DIGEST_EVAL_DIR"])] if os.environ.get("DIGEST_EVAL_DIR") else []
    candidates += [REPO_ROOT.parent / "shared" / "eval", REPO_ROOT.parent.parent / "shared" / "eval"]
    for root in candidates:
        if (root / "pages" / "meta.tsv").is_file() and (root / "extraction" / "gold.json").is_file():
            return root
    return COPY


def scorer(name: str) -> ModuleType:
    """The shared scoring script `name`.py of the evaluation folder, imported."""
    path = eval_root() / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"eval_{name}", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- pages ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, dict]:
    """The pages ingested into a fresh store and exported, by file name."""
    rows = ingest_and_export(eval_root() / "pages" / "files", tmp_path_factory.mktemp("extraction_pages"))
    return {row["path"]: row for row in rows}


def page_figures(rows: dict[str, dict]) -> dict[str, int]:
    """Leaks, metadata right and dates invented, with the shared scorer's rules."""
    sp = scorer("score_pages")
    root = eval_root() / "pages"
    figures = dict.fromkeys(("leak_body", "leak_key_points", "leak_title", "title", "date", "outlet",
                             "language", "invented_dates"), 0)
    for name, piece, *_ in sp.read_tsv(root / "boilerplate.tsv"):
        row = rows.get(name, {})
        figures["leak_body"] += piece in row.get("body", "")
        figures["leak_key_points"] += piece in "\n".join(row.get("key_points", []))
        figures["leak_title"] += piece in row.get("title", "")
    rules = {"title": sp.title_right, "date": sp.date_right, "outlet": sp.outlet_right,
             "language": lambda label, got: label == got}
    for line in sp.read_tsv(root / "meta.tsv"):
        name, title, date, outlet, language = (line + [""] * 5)[:5]
        row = rows.get(name, {})
        got = {"title": row.get("title", ""), "date": row.get("published", ""),
               "outlet": row.get("outlet", ""), "language": row.get("language", "")}
        for key, label in (("title", title), ("date", date), ("outlet", outlet), ("language", language)):
            figures[key] += bool(label) and rules[key](label, got[key] or "")
        figures["invented_dates"] += not date and bool(row.get("published"))
    return figures


@pytest.mark.slow
def test_no_real_page_is_rejected(exported):
    assert sorted(exported) == sorted(p.name for p in (eval_root() / "pages" / "files").iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("figure", ("leak_body", "leak_key_points", "leak_title", "invented_dates"))
def test_boilerplate_leaks_and_invented_dates_do_not_grow(exported, figure):
    assert page_figures(exported)[figure] <= BASELINE["pages"][figure]


@pytest.mark.slow
@pytest.mark.parametrize("figure", ("title", "date", "outlet", "language"))
def test_headline_date_outlet_and_language_stay_right(exported, figure):
    assert page_figures(exported)[figure] >= BASELINE["pages"][figure] - BASELINE["pages"]["slack_pages"]


# --- extraction -----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def body_f1(rendering: str) -> dict[str, float]:
    """F1 of the clean body against the gold bodies: all pages, odd pages, even pages."""
    se = scorer("score_extraction")
    root = eval_root() / "extraction"
    gold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    counts = {}
    for page in sorted(gold):
        if rendering == "html":
            html = gzip.decompress((root / "html" / f"{page}.html.gz").read_bytes()).decode("utf-8", "replace")
            body = article_body_html(html)
        else:
            suffix = "txt" if rendering == "text" else "md"
            body = article_body((root / rendering / f"{page}.{suffix}").read_text(encoding="utf-8"))
        counts[page] = se.page_counts(gold[page]["articleBody"], body)
    return {"all": se.summary(list(counts.values()))["f1"],
            "odd": se.summary([c for page, c in counts.items() if int(page) % 2])["f1"],
            "even": se.summary([c for page, c in counts.items() if not int(page) % 2])["f1"]}


@pytest.mark.slow
@pytest.mark.parametrize("rendering", ("text", "markdown", "html"))
@pytest.mark.parametrize("half", ("all", "odd", "even"))
def test_body_f1_does_not_fall_below_the_recorded_figure(rendering, half):
    recorded = BASELINE["extraction"][rendering][half]
    assert body_f1(rendering)[half] >= recorded - BASELINE["extraction"]["slack"], body_f1(rendering)
