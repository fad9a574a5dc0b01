"""The labelled story corpus: the five fixture seeds (tests/data/seeds) plus tests/data/story_articles/*.txt, as real Articles.

Seeds go through the real cleaner and key-point extractor; the extra articles are
already clean and carry a small header (title, date, outlet, language). Themes
come from the fixture copy of digests/*.toml (tests/data/digests). `python -m tests.support.story_corpus` prints the
grouping's precision and recall over tests/data/story_pairs.tsv.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from itertools import combinations
from pathlib import Path

from bot.extract.clean import clean_text
from bot.keypoints.points import extract_key_points
from bot.models import Article
from bot.stories.group import group_stories
from bot.library.theme_files import load_themes
from bot.themes.match import match_themes
from tests.support.paths import DATA, DIGESTS, SEEDS

EXTRA = DATA / "story_articles"
PAIRS = DATA / "story_pairs.tsv"


@lru_cache(maxsize=1)
def themes():
    loaded, problems = load_themes(DIGESTS)
    assert not problems, problems
    return tuple(loaded)


def _article(id: str, title: str, body: str, language: str, first_seen: float, **meta) -> Article:
    return Article(
        id=id, path=f"{id}.txt", content_hash=hashlib.sha256(body.encode()).hexdigest(),
        title=title, body=body, language=language,
        key_points=extract_key_points(body, language),
        themes=match_themes(title, body, themes()),
        first_seen=first_seen, **meta,
    )


def seed_article(path: Path, first_seen: float = 1000.0) -> Article:
    clean = clean_text(path.read_text(encoding="utf-8"), path=path.name)
    return _article(path.stem, clean.title, clean.body, clean.language, first_seen,
                    published=clean.published, outlet=clean.outlet, url=clean.url)


def extra_article(path: Path, first_seen: float = 2000.0) -> Article:
    header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    meta = dict(line.split(":", 1) for line in header.splitlines())
    meta = {key.strip(): value.strip() for key, value in meta.items()}
    return _article(path.stem, meta["title"], body.strip(), meta.get("language", "en"), first_seen,
                    published=meta.get("date", ""), outlet=meta.get("outlet", ""))


@lru_cache(maxsize=1)
def corpus() -> tuple[Article, ...]:
    seeds = [seed_article(p, 1000.0 + k) for k, p in enumerate(sorted(SEEDS.glob("*.txt")))]
    extra = [extra_article(p, 2000.0 + k) for k, p in enumerate(sorted(EXTRA.glob("*.txt")))]
    return tuple(seeds + extra)


def labelled_pairs() -> list[tuple[str, str, bool]]:
    rows = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            a, b, label, *_ = line.split("\t")
            rows.append((a, b, label == "same"))
    return rows


def precision_recall(articles=None) -> tuple[float, float, int, int, int]:
    """(precision, recall, true positives, false positives, false negatives) of group_stories."""
    story_of = {a.id: s.id for s in group_stories(articles or corpus()) for a in s.articles}
    tp = fp = fn = 0
    for a, b, is_same in labelled_pairs():
        predicted = story_of[a] == story_of[b]
        tp += predicted and is_same
        fp += predicted and not is_same
        fn += is_same and not predicted
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def all_pairs(ids) -> list[tuple[str, str]]:
    return list(combinations(sorted(ids), 2))


if __name__ == "__main__":
    p, r, tp, fp, fn = precision_recall()
    print(f"pairs: {len(labelled_pairs())}  true positives {tp}  false positives {fp}  false negatives {fn}")
    print(f"precision {p:.3f}  recall {r:.3f}")
    for story in group_stories(corpus()):
        print(f"- {story.id}: {[a.id for a in story.articles]}")
