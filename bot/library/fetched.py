"""Fetched entries -> articles: the same stages as a seed file (clean, key points, themes).

A candidate's page is turned into text by the same HTML path as `.html` seeds; the
feed's own title, date, link, outlet and language go on top as header lines (they win
over what the page says). Where the page cannot be fetched or is not HTML (a PDF, an
image), or its text is too short, the feed's content or summary is used and the
article's notes say so.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Sequence

from bot.extract.meta import HEADER_LINE
from bot.library.ingest import Job, Result, summarize_file
from bot.models import Article, Theme
from bot.sources.gather import Candidate, Gathered
from bot.extract.html import extract_html, html_as_text, visible_text
from bot.sources.seeds import decode_bytes

logger = logging.getLogger(__name__)

def page_text(html: str, url: str) -> str:
    """The HTML path of `.html` seeds (trafilatura), as header lines and paragraphs."""
    return html_as_text(extract_html(html, url))


@dataclass(frozen=True)
class Draft:
    """A candidate ready for the pipeline: its page (decoded) and the feed's own text as a fallback.

    Picklable: extraction and summarizing run in the ingest's process pool when there are many.
    """

    path: str                     # the article id
    headers: str                  # the feed's header lines (title:, date:, url:, source: …)
    html: str                     # the page, "" when it cannot be used
    url: str
    fallback: str                 # the feed's own text with the headers, "" when there is none
    note: str                     # why the page was not used, "" when it was


def _headers(gathered: Gathered, candidate: Candidate) -> str:
    entry, source = candidate.entry, gathered.source
    values = {"title": entry.title, "date": entry.published, "url": entry.link,
              "source": source.outlet or gathered.feed_title, "language": source.language, "author": entry.author}
    return "\n".join(f"{key}: {' '.join(value.split())}" for key, value in values.items() if value.strip())


def _joined(headers: str, text: str) -> str:
    if not headers:
        return text
    first = text.lstrip("\n").split("\n", 1)[0]
    return headers + ("\n" if HEADER_LINE.match(first) else "\n\n") + text.lstrip("\n")


def _page_problem(candidate: Candidate) -> str:
    page = candidate.page
    if page is None:
        return "the entry has no link"
    if page.error:
        return f"its page could not be fetched ({page.error})"
    kind = page.content_type.split(";")[0].strip().lower()
    looks_html = page.body.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html", b"<"))
    if ("html" not in kind and kind) or not looks_html:
        return f"its page is not HTML ({kind or 'unknown type'})"
    return ""


def draft(gathered: Gathered, candidate: Candidate) -> Draft:
    """The candidate's page and feed text (see the module doc); never raises."""
    headers = _headers(gathered, candidate)
    feed_html = candidate.entry.content_html or candidate.entry.summary_html
    feed_text = visible_text(f"<div>{feed_html}</div>") if feed_html.strip() else ""
    fallback = _joined(headers, feed_text) if feed_text else ""
    problem = _page_problem(candidate)
    if problem or candidate.page is None:
        return Draft(candidate.article_id, headers, "", candidate.entry.link, fallback, problem)
    html, _notes = decode_bytes(candidate.page.body)
    return Draft(candidate.article_id, headers, html, candidate.page.final_url or candidate.entry.link,
                 fallback, "")


def summarize_draft(d: Draft, themes: Sequence[Theme]) -> Result:
    """Extract, clean, summarize and match one draft, falling back to the feed's text; never raises."""
    result = None
    note = d.note
    if d.html:
        try:
            result = summarize_file(Job(d.path, _joined(d.headers, page_text(d.html, d.url)), frozenset()), themes)
        except Exception as exc:   # an extractor failing on one page must not stop the pass
            logger.warning("extracting %s failed: %s", d.url, exc, exc_info=True)
            note = f"its page could not be read ({exc.__class__.__name__})"
        if result is not None and not result.problem:
            return result
        note = note or f"its page text was unusable ({result.problem if result else ''})"
    if not d.fallback:
        return Result(d.path, problem=f"{note}, and the feed has no text for it")
    return replace(summarize_file(Job(d.path, d.fallback, frozenset()), themes), note=f"from the feed's own text: {note}")


def summarize_drafts(drafts: list[Draft], themes: Sequence[Theme]) -> list[Result]:
    """The process-pool task (see `run_jobs`)."""
    return [summarize_draft(d, themes) for d in drafts]


def make_article(gathered: Gathered, candidate: Candidate, result: Result, old: Article | None,
                 now: float) -> Article:
    """The stored article of a summarized candidate (its first_seen kept across updates)."""
    clean, entry, source = result.clean, candidate.entry, gathered.source
    assert clean is not None
    return Article(
        id=candidate.article_id, path=entry.link or entry.key, content_hash=entry.fingerprint,
        title=clean.title, body=clean.body, language=clean.language, key_points=result.key_points,
        themes=result.themes, published=clean.published or entry.published,
        outlet=source.outlet or clean.outlet or gathered.feed_title, author=clean.author,
        url=entry.link or clean.url, foreign_passages=clean.foreign_passages,
        notes=(result.note,) if result.note else (),
        first_seen=old.first_seen if old else now, updated_at=now, is_retired=False, source=source.name)
