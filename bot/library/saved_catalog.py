"""The catalog's stories saved beside the store, so a restart with nothing changed starts at once.

Grouping 20,000 articles into stories takes many seconds; reading the stories of the
last build back takes a fraction of one. The file (`catalog.cache.json` in DATA_DIR)
holds each story with the ids of its articles, under a fingerprint of everything the
stories are made from: every live article's id, content hash, dates, themes and title,
the themes, and the source of the grouping code (bot/stories/). Any change, and the
file is not used: the catalog is built again (in the background at start-up). It is
a cache: a missing, stale or unreadable file only costs a rebuild.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Mapping, Sequence

from bot import stories as stories_package
from bot.digest.catalog import Catalog
from bot.heap import paused_gc
from bot.models import Article, Story, StoryPoint, StoryVersion, Theme

logger = logging.getLogger(__name__)

CACHE_NAME = "catalog.cache.json"
FORMAT = 3   # 3: the fingerprint hashes one repr of the articles' tuples


def _code_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(stories_package.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_CODE_VERSION = _code_version()


def catalog_fingerprint(articles: Sequence[Article], themes: Sequence[Theme]) -> str:
    """Changes whenever the stories built from these articles and themes could change."""
    digest = hashlib.sha256(f"{FORMAT} {_CODE_VERSION}".encode())
    digest.update(json.dumps([[t.command, list(t.terms), list(t.exclude)] for t in themes]).encode())
    # one repr of plain tuples (str, float, bool: the same text in every process), not a JSON text
    # per article: a tenth of the time at 20k articles
    digest.update(repr(sorted((a.id, a.content_hash, a.first_seen, a.updated_at, a.is_retired, a.published,
                               a.title, a.outlet, a.themes, len(a.key_points)) for a in articles)).encode(
        "utf-8", "surrogatepass"))
    return digest.hexdigest()


def _story_doc(story: Story) -> dict[str, Any]:
    return {"id": story.id, "title": story.title, "published": story.published,
            "articles": [a.id for a in story.articles], "themes": list(story.themes),
            "points": [_point_doc(p) for p in story.points],
            "language": story.language, "first_seen": story.first_seen,
            "versions": [[v.language, v.title, [_point_doc(p) for p in v.points]] for v in story.versions]}


def _point_doc(point: StoryPoint) -> list[Any]:
    return [point.text, point.outlet, point.url, point.sources]


def _story(doc: Mapping[str, Any], articles: Mapping[str, Article]) -> Story:
    return Story(id=doc["id"], title=doc["title"], published=doc["published"],
                 articles=tuple(articles[key] for key in doc["articles"]),
                 points=tuple(StoryPoint(*point) for point in doc["points"]), themes=tuple(doc["themes"]),
                 language=doc["language"], first_seen=doc["first_seen"],
                 versions=tuple(StoryVersion(language, title, tuple(StoryPoint(*p) for p in points))
                                for language, title, points in doc["versions"]))


def save_catalog(data_dir: Path, fingerprint: str, catalog: Catalog) -> None:
    """Write the catalog's stories (atomically); a failure is logged, never raised."""
    path = data_dir / CACHE_NAME
    temp = path.with_name(f".{CACHE_NAME}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
            json.dump({"fingerprint": fingerprint, "stories": [_story_doc(s) for s in catalog.stories]}, handle)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        logger.warning("cannot save the catalog to %s (%s); the next start builds it again", path, exc)


def load_catalog(data_dir: Path, fingerprint: str, articles: Sequence[Article],
                 themes: Sequence[Theme]) -> Catalog | None:
    """The saved catalog when it was built from exactly these articles and themes; None otherwise.

    It comes without its search index (`Catalog.with_search_index` builds it)."""
    path = data_dir / CACHE_NAME
    try:
        with paused_gc():
            saved = json.loads(path.read_bytes())
            if saved.get("fingerprint") != fingerprint:
                logger.info("saved catalog is out of date: building it again")
                return None
            by_id = {a.id: a for a in articles}
            stories = [_story(doc, by_id) for doc in saved["stories"]]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("cannot read the saved catalog %s (%s); building it again", path, exc)
        return None
    return Catalog.from_stories(stories, themes, article_count=sum(1 for a in articles if not a.is_retired),
                                searchable=False)
