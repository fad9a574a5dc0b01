"""Language-neutral pair evidence for stories: the days and figures a text names. Pure.

The same event told in English, Spanish and Portuguese shares few words, but it
names the same days ("8 August", "8 de agosto") and the same figures ("33
countries", "33 países"): `group` adds them to an article's names, and two
articles without a day date whose texts name only days far apart are not one event.
"""
from __future__ import annotations

import re

from bot.nlp import fast_fold

_MONTHS = {
    1: "january jan enero ene janeiro", 2: "february feb febrero fevereiro fev",
    3: "march mar marzo marco", 4: "april apr abril abr", 5: "may mayo maio",
    6: "june jun junio junho", 7: "july jul julio julho",
    8: "august aug agosto ago", 9: "september sept sep septiembre setiembre setembro set",
    10: "october oct octubre outubro out", 11: "november nov noviembre novembro",
    12: "december dec diciembre dic dezembro dez",
}
_MONTH_OF = {name: number for number, names in _MONTHS.items() for name in names.split()}
_MONTH = "|".join(sorted(_MONTH_OF, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b([0-3]?\d)(?:st|nd|rd|th|o|°)?\s+(?:de\s+)?({_MONTH})\b\.?")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+([0-3]?\d)(?:st|nd|rd|th)?\b(?![.,:]?\d)")
_NUMBER = re.compile(r"(?<![\d.,:/-])(\d{2,3}|\d{1,3}(?:[.,]\d{3})+)(?![\d:/]|[.,]\d)")


def days_named(text: str) -> frozenset[tuple[int, int]]:
    """(month, day) of every day the text names: "Aug. 8", "8 de agosto", "8th August"."""
    folded = fast_fold(text)
    found = {(_MONTH_OF[m], int(d)) for d, m in _DAY_MONTH.findall(folded)}
    found |= {(_MONTH_OF[m], int(d)) for m, d in _MONTH_DAY.findall(folded)}
    return frozenset((m, d) for m, d in found if 1 <= d <= 31)


def numbers_named(text: str) -> frozenset[str]:
    """Figures of two or more digits that are not days or years ("33 countries", "1.200")."""
    numbers = set()
    for raw in _NUMBER.findall(text):
        value = int(re.sub(r"[.,]", "", raw))
        if value > 31 and not 1900 <= value <= 2100:
            numbers.add(f"#{value}")
    return frozenset(numbers)


def days_apart(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]], span: int) -> bool:
    """True when both name days and no day of one is within `span` days of a day of the other."""
    if not a or not b:
        return False
    ordinal = lambda m, d: (m - 1) * 31 + d   # noqa: E731  (a month boundary costs at most a day or two)
    return all(min(abs(ordinal(*x) - ordinal(*y)), 372 - abs(ordinal(*x) - ordinal(*y))) > span
               for x in a for y in b)
