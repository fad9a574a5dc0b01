"""HTML page -> article body and metadata, with trafilatura (pure: the HTML comes in as a string).

The public entry point, used for `.html`/`.htm` seeds and for fetched pages:

    extract_html(html: str, url: str = "") -> HtmlExtraction

`HtmlExtraction` fields (all str, "" when the page does not give them):
    body       the article text, paragraphs separated by a blank line ("" when no article was found)
    title      the headline
    published  the publication date, "YYYY-MM-DD" or "YYYY-MM" (never a future or impossible date)
    site_name  the outlet or site name (og:site_name and the like)
    url        the canonical URL (the page's own, else the `url` argument)
    author     the byline
    language   "en", "es" or "pt" when the page declares one of them

The signature and the fields are stable: add fields, never rename them.
`html_as_text` renders an extraction as header lines (title:, date:, url:, source:,
author:, language:, extracted:) and paragraphs, the text form the rest of the pipeline reads;
`extracted: trafilatura` tells bot.extract.clean that the page furniture is already gone
(its own paragraph classifier, made for text without a DOM, is then not run).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

import lxml.html
import trafilatura
from trafilatura.settings import Document
from lxml.etree import ParserError

from bot.extract.bounds import has_too_many_tags

logger = logging.getLogger(__name__)

LANGUAGES = ("en", "es", "pt")
SHORT_BODY_WORDS = 200        # a precision-oriented body shorter than this is checked against a recall-oriented one
RECALL_RATIO = 1 / 0.3        # ... which replaces it when this many times longer (fitted on the odd pages: 0.1-0.6 alike)
_HIDDEN = ("script", "style", "noscript", "template", "svg", "head", "nav", "footer", "form", "button", "select")
_BLOCKS = ("p", "div", "section", "article", "main", "li", "h1", "h2", "h3", "h4", "h5", "h6",
           "blockquote", "pre", "tr", "figcaption", "dd", "dt", "br", "header", "aside", "table", "ul", "ol")


@dataclass(frozen=True)
class HtmlExtraction:
    """What trafilatura found in a page: the body and the metadata (see the module doc)."""

    body: str
    title: str = ""
    published: str = ""
    site_name: str = ""
    url: str = ""
    author: str = ""
    language: str = ""


def _iso_date(value: str, html: str, today: dt.date) -> str:
    """"2021-08-17..." -> "2021-08-17"; anything else, an impossible or a future date -> "".

    htmldate completes a month-only (or impossible) date with day 01: such a day that
    the page does not state is dropped ("2021-02").
    """
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not match:
        return ""
    try:
        day = dt.date(*map(int, match.groups()))
    except ValueError:
        return ""
    if day > today:
        return ""
    if day.day == 1 and not re.search(rf"{day.year}[-/.]0?{day.month}[-/.]0?1\b", html):
        return day.isoformat()[:7]
    return day.isoformat()


def _paragraphs(text: str) -> str:
    """trafilatura's lines (one per paragraph) as blank-line separated paragraphs."""
    lines = (" ".join(line.split()) for line in (text or "").splitlines())
    return "\n\n".join(line for line in lines if line)


def visible_text(html: str) -> str:
    """Every visible paragraph of a page or fragment (no scripts, styles, menus): the fallback
    when trafilatura finds no article, so that a short page or a bare fragment still has a body."""
    try:
        tree = lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return ""
    if not isinstance(tree, lxml.html.HtmlElement):   # a bare comment or processing instruction
        return ""
    for element in list(tree.iter(*_HIDDEN)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
    return _paragraphs(tree.text_content())


def _bare_extraction(html: str, url: str, today: dt.date, *, favor_recall: bool = False) -> Document | None:
    try:
        document = trafilatura.bare_extraction(html, url=url or None, favor_precision=not favor_recall,
                                             favor_recall=favor_recall, include_comments=False,
                                             with_metadata=True, date_extraction_params={
                                                 "extensive_search": False, "original_date": True,
                                                 "max_date": today.isoformat()})
    except Exception as exc:     # a page trafilatura cannot parse: the fallback below reads it
        logger.info("trafilatura failed on a page (%s)", exc.__class__.__name__)
        return None
    return document if isinstance(document, Document) else None   # as_dict=False: a Document or None


def _recall_body(html: str, url: str, today: dt.date, body: str) -> str:
    """trafilatura's recall-oriented body instead of a short precision-oriented one when it is
    RECALL_RATIO times longer: favor_precision sometimes keeps a notice ("This copy is for your
    personal, non-commercial use only …") and drops the article."""
    doc = _bare_extraction(html, url, today, favor_recall=True)
    recall = _paragraphs(doc.text or "") if doc is not None else ""
    return recall if len(body.split()) * RECALL_RATIO < len(recall.split()) else body


def extract_html(html: str, url: str = "", *, today: dt.date | None = None) -> HtmlExtraction:
    """The article body and metadata of one HTML page (see the module doc).

    When trafilatura finds no article (a fragment, a very short page), the body is the
    page's visible text; it is "" only when the page has no visible text at all.
    """
    today = today or dt.date.today()
    doc = None if has_too_many_tags(html) else _bare_extraction(html, url, today)   # bounded time
    body = _paragraphs(doc.text or "") if doc is not None else ""
    if doc is not None and len(body.split()) < SHORT_BODY_WORDS:
        body = _recall_body(html, url, today, body)
    if not body:
        body = visible_text(html)
    if doc is None:
        return HtmlExtraction(body, url=url)
    language = (doc.language or "")[:2].lower()
    return HtmlExtraction(
        body=body,
        title=" ".join((doc.title or "").split()),
        published=_iso_date(doc.date or "", html, today),
        site_name=" ".join((doc.sitename or "").split()),
        url=doc.url or url,
        author=" ".join((doc.author or "").split()),
        language=language if language in LANGUAGES else "",
    )


def html_as_text(page: HtmlExtraction) -> str:
    """An extraction as header lines and paragraphs (the form bot.extract.clean reads)."""
    header = [f"{key}: {value}" for key, value in (
        ("title", page.title), ("date", page.published), ("url", page.url),
        ("source", page.site_name), ("author", page.author), ("language", page.language),
        ("extracted", "trafilatura" if page.body else "")) if value]
    return "\n".join(header) + ("\n\n" if header else "") + page.body
