"""`digestbot articles` and `digestbot show`: what the store holds."""
from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from bot.cli.common import load_theme_list, open_store, print_json, theme_by_command
from bot.config import Settings
from bot.digest.i18n import language_name
from bot.errors import UnknownItem
from bot.models import Article, newest_first

ARTICLES_DESCRIPTION = """\
List the stored articles, newest first: id, publication date, outlet, themes
and title. Retired articles (their file was deleted) are hidden unless --all."""
ARTICLES_EPILOG = """\
examples:
  digestbot articles
  digestbot articles --theme lima_group --json"""
SHOW_DESCRIPTION = """\
Show one stored article: its metadata, its themes with their scores and its
key points. --why adds each key point's score and what the score came from."""
SHOW_EPILOG = """\
examples:
  digestbot show 000_f18ac61ab55c5c62
  digestbot show 000_f18ac61ab55c5c62 --why"""


def add_parsers(subparsers, parents: list[argparse.ArgumentParser]) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    articles = subparsers.add_parser(
        "articles", help="list the stored articles", description=ARTICLES_DESCRIPTION,
        epilog=ARTICLES_EPILOG, parents=parents, formatter_class=raw,
    )
    articles.add_argument("--theme", metavar="THEME", help="only articles of this theme (its command)")
    articles.add_argument("--all", action="store_true", help="include retired articles")
    articles.add_argument("--json", action="store_true", help="print the list as JSON")
    articles.set_defaults(func=run_articles_command)

    show = subparsers.add_parser(
        "show", help="show one article with its themes and key points", description=SHOW_DESCRIPTION,
        epilog=SHOW_EPILOG, parents=parents, formatter_class=raw,
    )
    show.add_argument("id", metavar="ID", help="the article id (see `digestbot articles`)")
    show.add_argument("--why", action="store_true", help="show each key point's score and why it was chosen")
    show.add_argument("--json", action="store_true", help="print the article as JSON")
    show.set_defaults(func=run_show_command)


def article_row(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "date": article.published,
        "outlet": article.outlet,
        "themes": list(article.theme_names),
        "title": article.title,
        "is_retired": article.is_retired,
    }


def run_articles_command(args: argparse.Namespace, settings: Settings) -> int:
    """One line per article: id, date, outlet, themes, title."""
    with open_store(settings, read_only=True) as store:
        articles = store.all_articles(include_retired=args.all)
    if args.theme:
        command = theme_by_command(load_theme_list(settings), args.theme).command
        articles = [a for a in articles if command in a.theme_names]
    rows = [article_row(a) for a in newest_first(articles)]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no articles — run `digestbot ingest`" if not args.theme else f"no articles in theme {args.theme!r}")
        return 0
    id_width = max(len(r["id"]) for r in rows)
    for row in rows:
        themes = ",".join(row["themes"]) or "-"
        retired = " (retired)" if row["is_retired"] else ""
        print(f"{row['id']:<{id_width}}  {row['date'] or '----------':<10}  {row['outlet'] or '-'}  "
              f"[{themes}]  {row['title']}{retired}")
    return 0


def format_article(article: Article, *, why: bool) -> str:
    """Metadata, themes with scores, numbered key points (with score and reason when asked)."""
    lines = [article.title, ""]
    for label, value in (("id", article.id), ("file", article.path), ("date", article.published),
                         ("outlet", article.outlet), ("author", article.author), ("url", article.url),
                         ("language", f"{language_name(article.language, 'en')} ({article.language})")):
        lines.append(f"{label + ':':<10}{value or '-'}")
    themes = ", ".join(f"{name} {score:.2f}" for name, score in article.themes) or "none"
    lines.append(f"{'themes:':<10}{themes}")
    if article.is_retired:
        lines.append(f"{'status:':<10}retired (its file was deleted)")
    lines.extend(f"{'note:':<10}{note}" for note in article.notes)
    lines += ["", "key points:"]
    for number, point in enumerate(article.key_points, 1):
        lines.append(f"{number}. {point.text}")
        if why:
            lines.append(f"   score {point.score:.3f}: {point.why or 'no reason recorded'}")
    if not article.key_points:
        lines.append("(none)")
    return "\n".join(lines)


def run_show_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print one article; an unknown id is a one-line error that says how to find ids."""
    with open_store(settings, read_only=True) as store:
        article = store.get_article(args.id)
    if article is None:
        raise UnknownItem(f"unknown article {args.id!r} — run `digestbot articles` to list the ids")
    if args.json:
        data = asdict(article)
        if not args.why:
            data["key_points"] = [point.text for point in article.key_points]
        print_json(data)
    else:
        print(format_article(article, why=args.why))
    return 0
