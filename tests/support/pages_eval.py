"""Figures of what the bot makes of the labelled real pages (tests/data/eval/pages, a copy of
shared/eval/pages), computed from `digestbot export` rows with the rules of the shared
scorer (shared/eval/score_pages.py): the main-news sentence as first key point and among the
key points, required and forbidden themes tagged (themes.tsv, with the fixture theme files), and
same-story pairwise precision / recall over events.tsv.
"""
from __future__ import annotations

import contextlib
import io
import json
from itertools import combinations
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.conftest import SETTINGS_VARIABLES
from tests.support.paths import DATA, DIGESTS

PAGES = DATA / "eval" / "pages"


def ingest_and_export(pages: Path, work: Path) -> list[dict]:
    """`pages` ingested into a fresh store under `work` with the real CLI, read back with `digestbot export`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)
        for name in SETTINGS_VARIABLES:
            patch.delenv(name, raising=False)
        options = ["--data-dir", str(work / "data"), "--seeds", str(pages), "--digests", str(DIGESTS)]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main([*options, "ingest"]) == 0
            buffer.truncate(0)
            buffer.seek(0)
            assert main([*options, "export"]) == 0
    return json.loads(buffer.getvalue())


def _tsv(name: str) -> list[list[str]]:
    lines = (PAGES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def main_news(rows: list[dict]) -> dict[str, int]:
    """Pages whose labelled main-news sentence is the first key point / among the key points."""
    by_path = {row["path"]: row for row in rows}
    leads: dict[str, list[str]] = {}
    for name, piece, *_ in _tsv("lead.tsv"):
        leads.setdefault(name, []).append(piece)
    first = among = 0
    for name, pieces in leads.items():
        points = by_path.get(name, {}).get("key_points", [])
        hits = [k for k, point in enumerate(points) if any(piece in point for piece in pieces)]
        among += bool(hits)
        first += bool(hits) and hits[0] == 0
    return {"pages": len(leads), "first": first, "among": among}


def themes_tagged(rows: list[dict]) -> dict[str, int]:
    """Required themes tagged (of how many) and forbidden themes tagged (of how many), per themes.tsv."""
    by_path = {row["path"]: set(row.get("themes", [])) for row in rows}
    figures = {"required": 0, "required_of": 0, "forbidden": 0, "forbidden_of": 0}
    for name, *columns in _tsv("themes.tsv"):
        if name not in by_path:
            continue
        required, forbidden = (columns + ["", ""])[:2]
        for kind, listed in (("required", required), ("forbidden", forbidden)):
            for theme in filter(None, (item.strip() for item in listed.split(","))):
                figures[f"{kind}_of"] += 1
                figures[kind] += theme in by_path[name]
    return figures


def story_pairs(rows: list[dict]) -> dict[str, float]:
    """Pairwise precision and recall of the stories against the same-event labels."""
    story = {row["path"]: row["story"] for row in rows}
    events = {name: event for name, event, *_ in _tsv("events.tsv") if name in story}
    tp = fp = fn = 0
    for a, b in combinations(sorted(events), 2):
        same, grouped = events[a] == events[b], story[a] == story[b]
        tp += same and grouped
        fp += grouped and not same
        fn += same and not grouped
    return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "right": tp, "wrong": fp, "missed": fn}
