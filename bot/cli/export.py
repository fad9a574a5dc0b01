"""`digestbot export`: every stored article as one JSON list (what the evaluation scripts read)."""
from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import print_json, readable_settings
from bot.config import Settings
from bot.digest.catalog import Catalog
from bot.services import open_services

DESCRIPTION = """\
Print every live stored article as a JSON list: path (relative to the seeds
folder), title, published (YYYY-MM-DD, YYYY-MM or ""), outlet ("" when
unknown), language, themes (commands), key_points (in the order a reader sees
them), body (the clean text) and story (the same value for every article of
one story)."""
EPILOG = """\
examples:
  digestbot export > articles.json
  python ../shared/eval/score_pages.py ../shared/eval/pages --digestbot .venv/bin/digestbot"""


def add_parser(subparsers, parents: list[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export", help="print every stored article as JSON", description=DESCRIPTION,
        epilog=EPILOG, parents=parents, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=run_export_command)


def export_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """One JSON-ready object per live article of the catalog, sorted by path."""
    pairs = [(article, story) for story in catalog.stories for article in story.articles]
    rows = []
    for article, story in sorted(pairs, key=lambda pair: pair[0].path):
        rows.append({
            "path": article.path,
            "title": article.title,
            "published": article.published,
            "outlet": article.outlet,
            "language": article.language,
            "themes": list(article.theme_names),
            "key_points": [point.text for point in article.key_points],
            "body": article.body,
            "story": story.id,
        })
    return rows


def run_export_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print the live articles, with the story each belongs to in the catalog the bot builds."""
    with readable_settings(settings) as readable, open_services(readable) as services:   # works while the bot runs
        catalog = services.library.catalog
    print_json(export_rows(catalog))
    return 0
