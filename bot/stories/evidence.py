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
    1: "january jan enero janeiro", 2: "february feb febrero fevereiro fev",
    3: "march mar marzo marco", 4: "april apr abril abr", 5: "may mayo maio",
    6: "june jun junio junho", 7: "july jul julio julho",
    8: "august aug agosto", 9: "september sept sep septiembre setiembre setembro",
    10: "october oct octubre outubro", 11: "november nov noviembre novembro",
    12: "december dec diciembre dic dezembro",
}
# Short forms that are also common words ("ago", "set", "out", "dez" = ten) are left out.
_MONTH_OF = {name: number for number, names in _MONTHS.items() for name in names.split()}
_TOKEN = re.compile(r"[a-z]+|\d+(?::\d+)?")
_ORDINAL = frozenset({"st", "nd", "rd", "th", "o", "de"})   # "6th December", "1º de marzo", "6 de dezembro"
_NUMBER = re.compile(r"\d[\d.,:/-]*")
_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})+|\d{2,3}")


def month_of(word: str) -> int | None:
    """The month a folded word names ("agosto", "dec"), else None."""
    return _MONTH_OF.get(word)


def days_named(text: str) -> frozenset[tuple[int, int]]:
    """(month, day) of every day the text names: "Aug. 8", "8 de agosto", "8th August"."""
    tokens = _TOKEN.findall(fast_fold(text))
    found = set()
    for at, token in enumerate(tokens):
        month = _MONTH_OF.get(token)
        if month is None:
            continue
        before = at - 1
        while before >= 0 and at - before <= 3 and tokens[before] in _ORDINAL:
            before -= 1
        for near in (before, at + 1):
            if 0 <= near < len(tokens) and len(tokens[near]) <= 2 and tokens[near].isdigit():
                if 1 <= int(tokens[near]) <= 31:
                    found.add((month, int(tokens[near])))
                    break
    return frozenset(found)


# Words that put the day named right after them ahead of the article's news: "plans to hold elections on
# December 6", "las elecciones previstas para el 6 de diciembre", "o próximo dia 6 de dezembro".
_AHEAD = re.compile(r"\b(?:will|to hold|to be held|scheduled|planned|plans|upcoming|ahead of|set for|due on|"
                    r"proximo|proxima|previstas?|previstos?|programad[ao]s?|convocad[ao]s?|celebraran|"
                    r"se realizaran|marcad[ao]s? para|serao realizadas|vai|vao|para el|para o dia|convoco|convocou)\b")
AHEAD_WORDS = 8           # the day must follow the cue within this many words


def days_ahead(text: str) -> frozenset[tuple[int, int]]:
    """(month, day) of the days the text names as ahead of its news ("will vote on 6 December")."""
    folded = fast_fold(text)
    found: set[tuple[int, int]] = set()
    for cue in _AHEAD.finditer(folded):
        window = " ".join(folded[cue.end():cue.end() + 120].split()[:AHEAD_WORDS + 2])
        found.update(days_named(window))
    return frozenset(found)


def numbers_named(text: str) -> frozenset[str]:
    """Figures of two or more digits that are not days or years ("33 countries", "1.200")."""
    numbers = set()
    for raw in _NUMBER.findall(text):
        raw = raw.rstrip(".,:/-")
        if _GROUPED.fullmatch(raw):
            value = int(raw.replace(".", "").replace(",", ""))
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
