"""Title, publication date and canonical URL from the top lines of a page (used by bot.extract.clean)."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from bot.extract import patterns as pat
from bot.extract.meta import date_of_line, lead_date, url_of_line
from bot.nlp import fold

TOP_LINES = 12
TITLE_MAX_WORDS = 20
LEAD_WORDS = 15                # the first line this long that ends a sentence is the lead paragraph
BREADCRUMB = re.compile(r"^(?:home|inicio|portada)\s*[»›>|/]\s*(.+)$", re.IGNORECASE)
_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")


def title_key(text: str) -> str:
    """A line as compared with a title: folded, letters and digits only."""
    return re.sub(r"\W+", "", fold(text))


_CAPTION = re.compile(r"\([^()]{2,40}\)\s*$|(?i:\b(?:photo|foto|image|imagen)\s*:)|[a-z]{2}[.!?]\s+[A-ZÁÉÍÓÚÑ]")
HEADLINE_MIN_WORDS = 4         # "Left Menu", "Announcements / News": too short to be the headline when a longer line follows


def _is_title_like(text: str) -> bool:
    """A short line without final punctuation that is no date line, caption (credit, "Photo:", two sentences) or furniture."""
    words = text.split()
    return (2 <= len(words) <= TITLE_MAX_WORDS and not _END.search(text)
            and not pat.BULLET.match(text) and not date_of_line(text) and not _CAPTION.search(text)
            and not any(p.search(text) for p in pat.LINE_PATTERNS + pat.SHORT_LINE_PATTERNS))


def choose_title(texts: Sequence[str], headings: Sequence[bool]) -> str:
    """A markdown "# Title", a breadcrumb's last item, a repeated headline, or a first short line."""
    top = list(texts[:TOP_LINES])
    for text, is_heading in zip(top, headings):
        if is_heading and _is_title_like(text):
            return text
    for text in top:
        match = BREADCRUMB.match(text)
        if match:
            return re.split(r"\s*[»›>|]\s*", match.group(1))[-1].strip()
    counts = Counter(title_key(text) for text in texts)
    for text in top:
        if counts[title_key(text)] >= 2 and _is_title_like(text):
            return text
    first = ""
    for text in top[:3]:
        if _is_title_like(text):
            if len(text.split()) >= HEADLINE_MIN_WORDS:
                return text
            first = first or text
        elif len(text.split()) > TITLE_MAX_WORDS:
            break
    return first


_SLUG_NOISE = re.compile(r"(?:[-_]?\d{6,}(?:[-_]\d+)*|\.s?html?|\.php|\.aspx?)$", re.IGNORECASE)
_SLUG_MIN_WORDS = 4


def title_from_url(url: str) -> str:
    """A headline from a URL slug: ".../Peru-To-Withdraw-From-the-Lima-Group-20210806-0009.html" -> "Peru To Withdraw From the Lima Group".

    Only slugs that kept their capitals qualify.
    """
    path = re.sub(r"[?#].*$", "", url).rstrip("/")
    slug = path.rsplit("/", 1)[-1] if "/" in path else ""
    for _ in range(3):
        slug = _SLUG_NOISE.sub("", slug)
    words = [w for w in re.split(r"[-_+]+", slug) if w]
    if not _SLUG_MIN_WORDS <= len(words) <= TITLE_MAX_WORDS or any(w.isdigit() and len(w) > 4 for w in words):
        return ""
    if all(w.islower() for w in words if w.isalpha()):
        return ""  # a lower-cased slug has lost its accents and capitals: not a headline
    return " ".join(words)


def find_date(texts: Sequence[str]) -> str:
    """The publication date: a dateline near the top ("Published on …", "Global Research, August 30, 2021"),
    else the date the first prose paragraph gives the news ("… met in Lima on August 8, 2017 …")."""
    for text in texts[:TOP_LINES]:
        if pat.BULLET.match(text) or pat.HAS_TWEET.search(text):
            continue
        iso = date_of_line(text)
        if iso:
            return iso
    lead = next((text for text in texts[:TOP_LINES] if len(text.split()) >= LEAD_WORDS and _END.search(text)), "")
    return lead_date(lead)


def find_url(texts: Sequence[str]) -> str:
    """The canonical URL from a "Read more https://…" or "Source: https://…" line."""
    return next((url for url in map(url_of_line, texts) if url), "")
