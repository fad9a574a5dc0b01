"""The news day an article's lead states, for stories: "on Tuesday", "hoy 23/1", "nesta quarta-feira (23)". Pure.

Many pages carry no date line, but their news sentence says when the happening was:
"said Monday, December 7", "anunció este viernes 19 de noviembre", "nesta terça-feira (24)",
"this Wednesday (01.25.2023)", "negaron hoy 8 de agosto del 2017". `news_day` reads the first
such mention in the title and lead (a weekday, or "today" followed by a date; "el pasado viernes",
"last Friday" are background and skipped) and completes it with the article's own date where it
has one. `news_days_agree` compares two articles' news days: the same day (or weekday) is evidence
that two undated articles report one happening; news days far apart are two happenings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.nlp import fast_fold
from bot.stories.evidence import month_of

_WEEKDAY_NAMES = {
    0: "monday lunes", 1: "tuesday martes", 2: "wednesday miercoles", 3: "thursday jueves",
    4: "friday viernes", 5: "saturday sabado", 6: "sunday domingo",
}
_PORTUGUESE = ("segunda", "terca", "quarta", "quinta", "sexta")   # "-feira", or "nesta terça": bare, an ordinal
_WEEKDAY_OF = {name: day for day, names in _WEEKDAY_NAMES.items() for name in names.split()}
_WEEKDAY_OF.update({f"{name}{joint}feira": day for day, name in enumerate(_PORTUGUESE) for joint in ("-", " ")})
_WEEKDAY_OF.update({f"{this} {name}{feira}": day for day, name in enumerate(_PORTUGUESE)
                    for this in ("nesta", "nessa") for feira in ("", "-feira", " feira")})
_TODAY = ("today", "hoy", "hoje")
_ON = ("on", "el", "em")    # "on November 19, 2021", "el 6 de diciembre": a day only when a date follows
_ANCHOR = re.compile(r"\b(" + "|".join(sorted(map(re.escape, [*_WEEKDAY_OF, *_TODAY, *_ON]), key=len, reverse=True))
                     + r")\b")
_BACKGROUND_BEFORE = re.compile(r"(?:\b(?:pasado|passado|passada|last|past|next|proximo|proxima|santo|san|"
                                r"every|cada|todos los|todas as|until|hasta|ate|by|since|desde|para|for|scheduled|planned|due|"
                                r"expected|previsto|prevista|marcada|marcado)\s+(?:el\s+|la\s+|a\s+|o\s+)?)$")
_BACKGROUND_AFTER = re.compile(r"^\s*(?:pasado|passado|passada|anterior|que vem|proximo|night's)\b")
_NUMERIC = re.compile(r"^[\s,(]{0,3}(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}|\d{2}))?\b")
_DAY_MONTH = re.compile(r"^[\s,(]{0,3}(?:the\s+)?(\d{1,2})(?:st|nd|rd|th|o)?\s+(?:de\s+|of\s+)?([a-z]+)\.?"
                        r"(?:,?\s+(?:de\s+|del\s+|of\s+)?(\d{4}))?")
_MONTH_DAY = re.compile(r"^[\s,(]{0,3}([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")
_DATELINE = re.compile(r"^[^\W\d_][^\n,.]{0,40},\s+([^\n(]{3,24}?)\s*(?:\(|-|\u2013|\u2014)", re.MULTILINE)
_DAY_ONLY = re.compile(r"^\s*\((\d{1,2})\)")
LEAD_CHARS = 1000         # the news day is told at the top: the title and the body's start
AHEAD_DAYS = 62           # a day named as ahead ("elections on December 6") is at most this far from the news
DATE_LEAD_CHARS = 400     # a bare date ("on November 19") is the news day only this near the top


@dataclass(frozen=True)
class NewsDay:
    """What the text (and the article's own date) says of the day of the happening; any part may be unknown."""
    weekday: int | None = None     # 0 = Monday
    month: int | None = None
    day: int | None = None
    ordinal: int | None = None     # the full date, when the year is known too


NO_NEWS_DAY = NewsDay()


def news_day(lead: str, published: tuple[int | None, int | None, int | None]) -> NewsDay:
    """The news day of an article: its own day date, else what its lead states, completed by its month date.

    `published`: (year, month, day) of the article's date, any of them None."""
    year, month, day = published
    if year and month and day:
        return _full(year, month, day) or NO_NEWS_DAY
    folded = fast_fold(lead[:LEAD_CHARS])
    stated, dateline = _stated(folded), _dateline(folded)
    if stated is None and dateline is None:
        return NewsDay(month=month) if month else NO_NEWS_DAY
    weekday, when = stated or (None, (None, None, None))
    if dateline and not when[1]:
        when = dateline                       # "Washington, Jan 25 (EFE).- ... on Wednesday urged"
    s_year, s_month, s_day = when
    if month and s_month not in (None, month):
        return NewsDay(weekday)               # a day of another month is not this article's news day
    s_year, s_month = s_year or year, s_month or month
    if s_year and s_month and s_day and (full := _full(s_year, s_month, s_day)):
        return full
    return NewsDay(weekday, s_month, s_day)


def _full(year: int, month: int, day: int) -> NewsDay | None:
    try:
        when = date(year, month, day)
    except ValueError:
        return None
    return NewsDay(when.weekday(), month, day, when.toordinal())


def _stated(folded: str) -> tuple[int | None, tuple[int | None, int | None, int | None]] | None:
    """The first weekday or "today" the text names as the news day, with the date written after it."""
    for match in _ANCHOR.finditer(folded):
        if _BACKGROUND_BEFORE.search(folded[max(0, match.start() - 24):match.start()]):
            continue
        rest = folded[match.end():match.end() + 40]
        if _BACKGROUND_AFTER.match(rest):
            continue
        weekday = _WEEKDAY_OF.get(re.sub(r"\s+", " ", match.group(1)))
        when = _date_after(rest)
        if match.group(1) in _ON and (match.start() > DATE_LEAD_CHARS or not when[1]):
            continue
        if weekday is not None or any(when):
            return weekday, when
    return None


def _dateline(folded: str) -> tuple[int | None, int | None, int | None] | None:
    """(year, month, day) of a dateline opening a line: "washington, jan 25 (efe).-", "lima, 8 de agosto -"."""
    for found in _DATELINE.finditer(folded):
        when = _date_after(" " + found.group(1))
        if when[1] and when[2]:
            return when
    return None


def _date_after(rest: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) written right after an anchor: "(23)", "23/1", "01.25.2023", "19 de noviembre", "December 7"."""
    if found := _NUMERIC.match(rest):
        first, second = int(found.group(1)), int(found.group(2))
        day, month = (second, first) if first <= 12 < second else (first, second)
        if 1 <= month <= 12 and 1 <= day <= 31:
            return _year(found.group(3)), month, day
    if (found := _DAY_MONTH.match(rest)) and (named := month_of(found.group(2))):
        return _year(found.group(3)), named, int(found.group(1))
    if (found := _MONTH_DAY.match(rest)) and (named := month_of(found.group(1))):
        return _year(found.group(3)), named, int(found.group(2))
    if (found := _DAY_ONLY.match(rest)) and 1 <= int(found.group(1)) <= 31:
        return None, None, int(found.group(1))
    return None, None, None


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    year = int(raw)
    return year + 2000 if year < 100 else year


def combined(a: NewsDay, b: NewsDay) -> NewsDay:
    """What two articles of one story state of its news day together; a part they disagree on is unknown."""
    def part(x: int | None, y: int | None) -> int | None:
        return y if x is None else x if y is None or x == y else None
    return NewsDay(part(a.weekday, b.weekday), part(a.month, b.month), part(a.day, b.day),
                   part(a.ordinal, b.ordinal))


def news_days_agree(a: NewsDay, b: NewsDay, span: int, weekday_confirms: bool = True) -> bool | None:
    """True: the two news days are within `span` days (or, when `weekday_confirms`, the same weekday);
    False: they cannot be one happening's days (full dates, days of the month or months more than `span`
    apart, weekdays three or more apart); None: too little is known."""
    if a.ordinal is not None and b.ordinal is not None:
        return abs(a.ordinal - b.ordinal) <= span
    verdicts: list[bool | None] = []
    if a.day is not None and b.day is not None:
        if a.month is not None and b.month is not None:
            gap = abs((a.month * 31 + a.day) - (b.month * 31 + b.day))
            verdicts.append(min(gap, 372 - gap) <= span)
        else:
            gap = abs(a.day - b.day)
            verdicts.append(min(gap, 31 - gap) <= span)
    elif a.month is not None and b.month is not None:
        gap = abs(a.month - b.month)
        verdicts.append(False if min(gap, 12 - gap) > 1 else None)    # months apart: a day of one, or neither
    if a.weekday is not None and b.weekday is not None:
        gap = abs(a.weekday - b.weekday)
        gap = min(gap, 7 - gap)
        verdicts.append((True if weekday_confirms else None) if gap == 0
                        else False if gap >= 3 else None)   # 1-2 days apart: one meeting's days
    if False in verdicts:
        return False
    return True if True in verdicts else None


def reported_after(ahead: frozenset[tuple[int, int]], news: NewsDay) -> bool:
    """Whether a news day cannot be that of an article naming `ahead` days as still to come: that article's
    news is on such a day or in the AHEAD_DAYS before it, so a news day after it (the results of a vote
    announced as ahead) or long before it is another happening."""
    if news.month is None or news.day is None:
        return False
    for month, day in ahead:
        gap = (news.month * 31 + news.day - month * 31 - day) % 372    # days after the day ahead, mod a year
        if 0 < gap < 372 - AHEAD_DAYS:
            return True
    return False
