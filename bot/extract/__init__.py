"""Extraction: page text or HTML → clean body and metadata (headline, date, outlet, url, language). Pure.

`article_body(text)` and `article_body_html(html)` return the clean body the pipeline keeps
(the extraction scorer, shared/eval/score_extraction.py, calls them).
"""
from __future__ import annotations

from bot.extract.clean import clean_text
from bot.extract.html import extract_html, html_as_text

__all__ = ["article_body", "article_body_html"]


def article_body(text: str) -> str:
    """The clean article body of a page given as plain text or markdown."""
    return clean_text(text).body


def article_body_html(html: str) -> str:
    """The clean article body of an HTML page."""
    return clean_text(html_as_text(extract_html(html))).body
