"""Fetched entries -> articles: the same stages as a seed file (clean, key points, themes).

A candidate's page is turned into text by the same HTML path as `.html` seeds; the
feed's own title, date, link, outlet and language go on top as header lines (they win
over what the page says). Where the page cannot be fetched or is not HTML (a PDF, an
image), or its text is too short, the feed's content or summary is used and the
article's notes say so.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Sequence

from bot.extract.meta import HEADER_LINE
from bot.library.ingest import Job, Result, run_jobs
from bot.models import Article, Theme
from bot.sources.gather import Candidate, Gathered
from bot.extract.html import extract_html, html_as_text, visible_text
from bot.sources.seeds import decode_bytes

logger = logging.getLogger(__name__)

PageText = Callable[[str, str], str]      # (html, url) -> text with header lines, as for .html seeds


def page_text(html: str, url: str) -> str:
    """The HTML path of `.html` seeds (trafilatura), as header lines and paragraphs."""
    return html_as_text(extract_html(html, url))


@dataclass(frozen=True)
class Draft:
    """A candidate's text, from its page and, as a fallback, from the feed."""

    gathered: Gathered
    candidate: Candidate
    text: str
    fallback: str                 # the feed's own text, "" when there is none
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


def draft(gathered: Gathered, candidate: Candidate, to_text: PageText = page_text) -> Draft:
    """The candidate's text to clean (see the module doc); never raises."""
    headers = _headers(gathered, candidate)
    feed_html = candidate.entry.content_html or candidate.entry.summary_html
    feed_text = visible_text(f"<div>{feed_html}</div>") if feed_html.strip() else ""
    fallback = _joined(headers, feed_text) if feed_text else ""
    problem = _page_problem(candidate)
    if problem:
        return Draft(gathered, candidate, fallback, "", problem)
    assert candidate.page is not None
    html, _notes = decode_bytes(candidate.page.body)
    try:
        text = to_text(html, candidate.page.final_url or candidate.entry.link)
    except Exception as exc:   # an extractor failing on one page must not stop the pass
        logger.warning("extracting %s failed: %s", candidate.entry.link, exc, exc_info=True)
        return Draft(gathered, candidate, fallback, "", f"its page could not be read ({exc.__class__.__name__})")
    return Draft(gathered, candidate, _joined(headers, text), fallback, "")


def summarize_drafts(drafts: Sequence[Draft], themes: Sequence[Theme]) -> dict[str, tuple[Result, str]]:
    """Article id -> (Result, note): each draft's page text, and the feed's text where that fails."""
    jobs = [Job(d.candidate.article_id, d.text, frozenset()) for d in drafts if d.text]
    results = run_jobs(jobs, themes, None)
    retry = [d for d in drafts if d.fallback and d.text != d.fallback
             and (not d.text or results[d.candidate.article_id].problem)]
    retried = run_jobs([Job(d.candidate.article_id, d.fallback, frozenset()) for d in retry], themes, None)
    outcome: dict[str, tuple[Result, str]] = {}
    for d in drafts:
        article_id = d.candidate.article_id
        if article_id in retried:
            why = d.note or f"its page text was unusable ({results[article_id].problem})"
            outcome[article_id] = (retried[article_id], f"from the feed's own text: {why}")
        elif article_id in results:
            outcome[article_id] = (results[article_id], d.note and f"from the feed's own text: {d.note}")
        else:
            outcome[article_id] = (Result(article_id, problem=f"{d.note}, and the feed has no text for it"), "")
    return outcome


def make_article(d: Draft, result: Result, note: str, old: Article | None, now: float) -> Article:
    """The stored article of a summarized draft (its first_seen kept across updates)."""
    clean, entry, source = result.clean, d.candidate.entry, d.gathered.source
    assert clean is not None
    return Article(
        id=d.candidate.article_id, path=entry.link or entry.key, content_hash=entry.fingerprint,
        title=clean.title, body=clean.body, language=clean.language, key_points=result.key_points,
        themes=result.themes, published=clean.published or entry.published,
        outlet=source.outlet or clean.outlet or d.gathered.feed_title, author=clean.author,
        url=entry.link or clean.url, foreign_passages=clean.foreign_passages, notes=(note,) if note else (),
        first_seen=old.first_seen if old else now, updated_at=now, is_retired=False, source=source.name)
