"""Raw article text -> clean body and metadata (pure: no files, no environment).

The pipeline, in order: header lines and the " date 2021-08-05" stamp; lines with
markdown stripped and hard wraps rejoined; metadata read from the top of the page;
every line classified (curated patterns in `clean_patterns`, the caller's
`boilerplate` lines, justext-style link and stop-word density, captions, headings,
trailers after "You may also like" and event adverts); embedded tweets cut;
passages in another language set aside; the title chosen last.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.extract import patterns as pat
from bot.extract.bounds import bound_text
from bot.extract.lines import EMOJI, Line, ends_sentence, link_density, normalize_line, read_lines, strip_markdown
from bot.extract.meta import (CREDIT, DATE_STAMP, author_of_line, credit_of, date_of_line, detect_language,
                            header_date, outlet_of, parse_header, passage_language)
from bot.extract.meta import split_date as date_in_text
from bot.extract.line_features import word_count
from bot.extract.paragraphs import article_lines
from bot.extract.title import choose_title, find_date, find_url, title_from_url, title_key
from bot.models import CleanText
from bot.nlp import language_code
from bot.tokenizer import PunktTokenizer

__all__ = ["MIN_BODY_WORDS", "body_problem", "clean_text", "detect_language", "outlet_of",
           "repeated_lines"]

logger = logging.getLogger(__name__)

MIN_BODY_WORDS = 8                  # fewer words than this left: the page has no article text
TITLE_CHARS = 90
TOP_LINES = 12                      # metadata is looked for in this many lines at the top
CAPTION_DATE_END = re.compile(r"\b(?:on|el|em)\s+(?:\w+,?\s+)?[^.]{3,25}\d{4}\.$")


@dataclass
class _Page:
    lines: list[Line]
    removed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


def _is_heading(text: str) -> bool:
    """A short line without sentence punctuation: a subhead, kicker, menu item or credit."""
    return word_count(text) <= pat.SHORT_LINE_WORDS and not ends_sentence(text)


def _is_furniture(line: Line, boilerplate: frozenset[str], *, heuristics: bool = True) -> bool:
    """True when the whole line is page furniture rather than article text.

    Without `heuristics` only the curated patterns and the outlet's repeated lines count (a
    body trafilatura already extracted: ALL-CAPS and link density then cost real text). Stop-word
    density is the paragraph classifier's (in the page's language); as a rule of its own it cut
    real lines of pages in other languages (markdown F1 0.898 -> 0.904 without it).
    """
    text = line.text
    words = text.split()
    if normalize_line(line.original) in boilerplate or text in boilerplate:
        return True
    if pat.SEPARATOR.match(text) or pat.is_furniture_line(text):
        return True
    if not heuristics:
        return False
    letters = re.sub(r"[^\w]|\d|_", "", text)
    if len(words) >= 2 and letters and letters.isupper() and len(words) <= 20:
        return True                                  # ALL-CAPS menus, promos, subheads
    return link_density(line) >= 0.5 and not _prose_beyond_links(line)


def _prose_beyond_links(line: Line) -> bool:
    """A paragraph that goes on in plain prose after its links ("7. [Headline](url). The CEO can still …"):
    a list of news items, not a menu."""
    plain = pat.MD_LINK.sub(" ", line.original)
    return len(strip_markdown(plain).split()) >= 12 and ends_sentence(line.text)


def _classify(page: _Page, boilerplate: frozenset[str], *, lenient: bool = False, keep_captions: bool = False) -> None:
    """Drop furniture lines, everything after a trailer marker, and event adverts."""
    kept: list[Line] = []
    content_words = 0
    in_event = False
    is_article = [True] * len(page.lines) if lenient else article_lines(page.lines)
    if sum(len(line.text.split()) for line, keep in zip(page.lines, is_article) if keep) < MIN_BODY_WORDS:
        is_article = [True] * len(page.lines)    # the classifier found no article: never lose a short real page
    article_after = _article_words_after(page.lines, is_article)
    for index, line in enumerate(page.lines):
        text = line.text
        if (content_words >= 40 and any(p.search(text) for p in pat.TERMINAL_PATTERNS)
                and (lenient or article_after[index] <= content_words)):
            page.removed.extend(rest.text for rest in page.lines[index:])
            break
        if any(p.search(text) for p in pat.EVENT_PATTERNS):
            in_event = True
        elif in_event and len(text.split()) >= 15 and ends_sentence(text) and not line.is_heading:
            in_event = False
        is_top_list = not lenient and content_words < 40 and pat.BULLET.match(text) and len(text.split()) <= 24
        if (in_event or is_top_list or not is_article[index] or _is_furniture(line, boilerplate, heuristics=not lenient)
                or (_is_caption(text) and not keep_captions)):
            page.removed.append(text)
            continue
        kept.append(line)
        content_words += len(text.split())
    page.lines = kept


def _article_words_after(lines: list[Line], is_article: list[bool]) -> list[int]:
    """For each line, the words of the article lines after it: a "Related articles" box with more
    article after it than before is inside the article, not its end."""
    after, total = [0] * len(lines), 0
    for index in range(len(lines) - 1, -1, -1):
        after[index] = total
        total += word_count(lines[index].text) if is_article[index] else 0
    return after


def _is_caption(text: str) -> bool:
    """A photo caption: a credit ("(AP Photo/…)", "Foto:", "Getty Images"), who stands where, or one
    sentence that ends on the day the photo was taken ("… shake hands after the agreement on 14 December 2023.")."""
    if re.search(r"\([^()]{0,40}\b(?:photo|foto)\s*/[^)]*\)\s*$", text, re.I) or re.match(r"^(?:Getty Images|Foto:|Photo:)", text):
        return True
    if any(pattern.search(text) for pattern in pat.CAPTION_PATTERNS):
        return True
    return bool(CAPTION_DATE_END.search(text)) and len(re.findall(r"[.!?](?:\s|$)", text)) == 1 \
        and bool(date_in_text(text[-40:])[0])


def _drop_metadata_lines(page: _Page, title: str, *, keep_headings: bool = False) -> None:
    """Drop datelines, bylines, repeats of the title and (unless `keep_headings`) headings from the body."""
    key = title_key(title)
    kept = []
    for position, line in enumerate(page.lines):
        text = line.text
        is_meta = position < TOP_LINES and (date_of_line(text) and len(text.split()) <= 10
                                            or author_of_line(text))
        is_heading = (_is_heading(text) or line.is_heading) and not keep_headings
        if is_meta or (key and title_key(text) == key) or is_heading:
            page.removed.append(text)
        else:
            kept.append(line)
    page.lines = kept


def _cut_tweets(page: _Page, language: str) -> None:
    """Remove embedded tweets (text and "pic.twitter.com/… July 30, 2021" trailer)."""
    kept = []
    for line in page.lines:
        text = line.text
        if not pat.HAS_TWEET.search(text):
            kept.append(line)
            continue
        trailer = pat.TWEET_TRAILER.search(text) or re.search(r"(?:https?://t\.co/|pic\.twitter\.com/).*$", text)
        before = text[:trailer.start()] if trailer else text
        starts = [m.start() for m in re.finditer(r"(?:^|(?<=[.!?\"”] ))[#@]\w", before)]
        cut = starts[-1] if starts else 0
        tweet, rest = before[cut:].strip(), before[:cut].strip()
        if passage_language(tweet) not in ("", language):
            page.foreign.append(tweet)
            page.removed.append(text[len(before):].strip())
        else:
            page.removed.append(text[cut:].strip())
        if rest:
            kept.append(Line(rest, rest))
    page.lines = kept


def _set_aside_foreign(page: _Page, language: str) -> None:
    kept = []
    for line in page.lines:
        if passage_language(line.text) not in ("", language):
            page.foreign.append(line.text)
        else:
            kept.append(line)
    page.lines = kept


def _tidy(text: str, removed: list[str]) -> str:
    """Inline credits, datelines and run-in ALL-CAPS subheads out; missing spaces after periods in."""
    if credit_of(text) and (match := CREDIT.match(text)):
        removed.append(match.group(0).strip())
        text = text[match.end():]
    for pattern in (pat.INLINE_CREDITS, pat.INLINE_CAPS_SUBHEAD):
        for match in pattern.finditer(text):
            removed.append(match.group(0).strip())
        text = pattern.sub(" " if pattern is pat.INLINE_CAPS_SUBHEAD else "", text)
    text = re.sub(r"(?<=[a-záéíóúñ\"”»)][.!?])(?=[\"“«¿¡]?[A-ZÁÉÍÓÚÑ][a-záéíóúñ])", " ", text)
    return normalize_line(EMOJI.sub("", text))


def clean_text(raw: str, *, path: str = "", boilerplate: frozenset[str] = frozenset(),
               today: dt.date | None = None) -> CleanText:
    """Clean a raw article: metadata from the top of the page, body without boilerplate.

    A header date that is not a date, or (given `today`) lies in the future, is not used
    and becomes a note."""
    raw = bound_text(raw)   # first: every later step sees a bounded input
    raw_lines = raw.split("\n")
    fields, used = parse_header(raw_lines)
    raw_lines = raw_lines[used:]
    stamp = ""
    first = next((i for i, line in enumerate(raw_lines) if line.strip()), None)
    if first is not None and (match := DATE_STAMP.match(raw_lines[first])):
        stamp = match.group(1)
        raw_lines[first] = raw_lines[first][match.end():]
    lines = read_lines(raw_lines)
    texts = [line.text for line in lines]
    header_published, date_note = header_date(fields["date"], today) if "date" in fields else ("", "")
    published = header_published or stamp or find_date(texts)
    author = fields.get("author") or next((a for a in map(author_of_line, texts[:TOP_LINES]) if a), "")
    url = fields.get("url") or find_url(texts)
    title = fields.get("title") or choose_title(texts, [line.is_heading for line in lines])
    repeated = frozenset(normalize_line(line) for line in boilerplate)
    extracted = bool(fields.get("extracted"))      # an HTML page whose furniture trafilatura removed
    page, language, paragraphs = _clean_body(lines, repeated, title, fields, lenient=extracted)
    if len(" ".join(paragraphs).split()) < MIN_BODY_WORDS:   # a caption-like page: keep what it has
        page, language, paragraphs = _clean_body(lines, repeated, title, fields, lenient=True, keep_captions=True)
    body = "\n\n".join(paragraphs)
    title = title or title_from_url(url) or _first_sentence(body, language)
    logger.debug("cleaned %s: %d paragraphs, %d lines removed", path or "text", len(paragraphs), len(page.removed))
    return CleanText(title=title, body=body, language=language, published=published,
                     outlet=outlet_of(raw), author=author, url=url,
                     foreign_passages=tuple(page.foreign), removed=tuple(r for r in page.removed if r),
                     notes=(date_note,) if date_note else ())


def _clean_body(lines: list[Line], repeated: frozenset[str], title: str, fields: dict[str, str], *,
                lenient: bool, keep_captions: bool = False) -> tuple[_Page, str, list[str]]:
    """The page's article paragraphs and language; `lenient` keeps what the paragraph classifier doubts."""
    page = _Page(list(lines))
    _classify(page, repeated, lenient=lenient, keep_captions=keep_captions)
    _drop_metadata_lines(page, title, keep_headings=bool(fields.get("extracted")))
    language = _header_language(fields) or detect_language(" ".join(line.text for line in page.lines))
    _cut_tweets(page, language)
    _set_aside_foreign(page, language)
    return page, language, [p for p in (_tidy(line.text, page.removed) for line in page.lines) if p]


def _header_language(fields: dict[str, str]) -> str:
    try:
        return language_code(fields.get("language", "")) if fields.get("language") else ""
    except ValueError:
        return ""


def _first_sentence(body: str, language: str) -> str:
    """The body's first sentence, cut at a word boundary near TITLE_CHARS."""
    paragraphs = body.split("\n\n")
    first = next((p for p in paragraphs if not p.rstrip().endswith(":")), paragraphs[0])   # a lead-in is no headline
    sentences = PunktTokenizer(language).to_sentences(first) if first else ()
    sentence = sentences[0] if sentences else first
    if len(sentence) <= TITLE_CHARS:
        return sentence.rstrip(".")
    return sentence[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def repeated_lines(texts: Sequence[str], min_count: int = 3) -> frozenset[str]:
    """Normalized lines that occur in at least `min_count` of `texts` (one outlet's articles).

    Lines are compared stripped and whitespace-collapsed; each text counts a line
    once; lines shorter than two words or eight characters are ignored (too generic).
    """
    counts: Counter[str] = Counter()
    for text in texts:
        lines = {normalize_line(line) for line in text.splitlines()}
        counts.update(line for line in lines if len(line) >= 8 and len(line.split()) >= 2)
    return frozenset(line for line, count in counts.items() if count >= max(min_count, 1))


def body_problem(clean: CleanText) -> str | None:
    """Why a page has no article to keep (one sentence), or None when it has one.

    A short wire brief, a list or a single paragraph is an article; only a page with
    (next to) no text left after removing its furniture is not.
    """
    words = len(clean.body.split())
    if words == 0:
        return "no article text left after removing boilerplate"
    if words < MIN_BODY_WORDS:
        return f"no article text: {words} words left after removing boilerplate (need {MIN_BODY_WORDS})"
    return None
