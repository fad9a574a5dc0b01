"""Metadata helpers for bot.extract.clean: header lines, dates, authors, URLs, outlets, language.

Pure: no file or environment access (justext's stop lists are package data).
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import justext

from bot.extract.patterns import GENERIC_AUTHORS

HEADER_KEYS = ("title", "date", "url", "source", "language", "author")
HEADER_LINE = re.compile(r"^\s*(" + "|".join(HEADER_KEYS) + r")\s*:\s*(.*?)\s*$", re.IGNORECASE)
DATE_STAMP = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\b\s*")

MONTHS_EN = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS_ES = {m: i for i, m in enumerate(
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(), 1)}
MONTHS_ES["setiembre"] = 9
_EN = "|".join(MONTHS_EN)
_ES = "|".join(MONTHS_ES)
_DATE_FORMS = (
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "ymd"),
    (re.compile(rf"\b(\d{{1,2}})\s+({_EN})\s+(\d{{4}})\b", re.I), "dMy"),
    (re.compile(rf"\b({_EN})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), "Mdy"),
    (re.compile(rf"\b(\d{{1,2}})\s+de\s+({_ES})\s+(?:de|del)\s+(\d{{4}})\b", re.I), "dMy"),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), "dmy"),
)
DATE_CUE = re.compile(r"\b(published|posted|updated|publicado|fecha|date)\b", re.I)
NAME_WORD = re.compile(r"^(?:[A-ZÁÉÍÓÚÑ][\w'.-]*|de|del|la|las|los|van|von|da|dos)$")
AUTHOR_LINE = re.compile(r"^(?:by|por|author:|autor:|articles by:)\s+(.+)$", re.I)
URL_LINE = re.compile(r"^(?:read more|source|fuente|original(?: article)?|leer m[aá]s|url)\s*:?\s*"
                      r"(https?://\S+)", re.I)
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\"']+", re.I)
SOCIAL = ("t.co", "twitter.com", "x.com", "bit.ly", "facebook.com", "instagram.com",
          "youtube.com", "youtu.be", "tinyurl.com", "wa.me", "t.me")

KNOWN_OUTLETS = {
    "telesurenglish.net": "teleSUR English", "telesurtv.net": "teleSUR",
    "globalresearch.ca": "Global Research", "prensa-latina.cu": "Prensa Latina",
    "plenglish.com": "Prensa Latina", "larepublica.pe": "La República", "eltiempo.com": "El Tiempo",
    "infobae.com": "Infobae", "telam.com.ar": "Télam", "nodal.am": "Nodal", "lahora.gt": "La Hora",
    "acento.com.do": "Acento", "diariolibre.com": "Diario Libre", "hoy.com.do": "Hoy",
    "eleconomista.com.mx": "El Economista", "opinion.com.bo": "Opinión",
    "politicargentina.com": "Política Argentina", "cnn.com": "CNN", "bbc.co.uk": "BBC",
    "bbc.com": "BBC", "reuters.com": "Reuters", "apnews.com": "AP", "rt.com": "RT",
    "orinocotribune.com": "Orinoco Tribune", "venezuelanalysis.com": "Venezuelanalysis",
    "peoplesdispatch.org": "Peoples Dispatch", "mercopress.com": "MercoPress", "andina.pe": "Andina",
}
OUTLET_NAMES = (("Global Research", "Global Research"), ("teleSUR English", "teleSUR English"),
                ("(CNN)", "CNN"), ("Prensa Latina", "Prensa Latina"))


def parse_header(lines: list[str]) -> tuple[dict[str, str], int]:
    """Leading `key: value` lines (title/date/url/source/language/author) and how many lines they use."""
    fields: dict[str, str] = {}
    index = 0
    while index < len(lines) and not lines[index].strip() and not fields:
        index += 1
    while index < len(lines):
        match = HEADER_LINE.match(lines[index])
        if not match:
            break
        fields.setdefault(match.group(1).lower(), match.group(2))
        index += 1
    return (fields, index) if fields else ({}, 0)


def _valid(year: int, month: int, day: int) -> str:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


def _month(name: str) -> int:
    return MONTHS_EN.get(name.lower()) or MONTHS_ES.get(name.lower(), 0)


def find_date(text: str) -> tuple[str, str]:
    """The first date in `text` as ISO, and the text with that date removed ("", text if none)."""
    found: list[tuple[int, re.Match[str], str]] = []
    for pattern, order in _DATE_FORMS:
        match = pattern.search(text)
        if match:
            found.append((match.start(), match, order))
    for _, match, order in sorted(found, key=lambda item: item[0]):
        a, b, c = match.groups()
        if order == "ymd":
            iso = _valid(int(a), int(b), int(c))
        elif order == "dMy":
            iso = _valid(int(c), _month(b), int(a))
        elif order == "Mdy":
            iso = _valid(int(c), _month(a), int(b))
        else:  # dd/mm/yyyy, or mm/dd/yyyy when the second number cannot be a month
            day, month = (int(a), int(b)) if int(b) <= 12 else (int(b), int(a))
            iso = _valid(int(c), month, day)
        if iso:
            return iso, (text[:match.start()] + text[match.end():]).strip()
    return "", text


def date_of_line(line: str) -> str:
    """A publication date when the line is a dateline ("Global Research, August 30, 2021")."""
    iso, rest = find_date(line)
    if not iso:
        return ""
    words = re.findall(r"[^\W\d_]+", rest)
    return iso if DATE_CUE.search(line) or len(words) <= 6 else ""


def author_of_line(line: str) -> str:
    """"By Nino Pagliccia" -> "Nino Pagliccia"; generic bylines ("by admin") give ""."""
    match = AUTHOR_LINE.match(line.strip())
    if not match:
        return ""
    name = re.split(r"\s*[|,]\s*|\s+-\s+", match.group(1).strip())[0].strip(" .")
    words = name.split()
    if not 1 <= len(words) <= 5 or name.lower() in GENERIC_AUTHORS:
        return ""
    return name if all(NAME_WORD.match(word) for word in words) and words[0][0].isupper() else ""


def url_of_line(line: str) -> str:
    """The URL of a "Read more https://…" / "Source: https://…" line, or ""."""
    match = URL_LINE.match(line.strip())
    return match.group(1).rstrip(".,;)") if match else ""


def _domain(url: str) -> str:
    host = re.sub(r"^(?:https?://)?", "", url, flags=re.I).split("/")[0].split(":")[0].lower()
    return host[4:] if host.startswith("www.") else host


def _known(domain: str) -> str:
    for known, name in KNOWN_OUTLETS.items():
        if domain == known or domain.endswith("." + known):
            return name
    return ""


def readable_outlet(url: str) -> str:
    """A site name from a URL: known outlets by name, others from the domain ("orinoco-tribune.com" -> "Orinoco Tribune")."""
    domain = _domain(url)
    if not domain or any(domain == s or domain.endswith("." + s) for s in SOCIAL):
        return ""
    known = _known(domain)
    if known:
        return known
    labels = domain.split(".")
    label = labels[-3] if len(labels) >= 3 and len(labels[-2]) <= 3 else labels[-2] if len(labels) > 1 else labels[0]
    return " ".join(part.capitalize() for part in label.split("-") if part)


def outlet_of(raw: str) -> str:
    """The outlet or site name, from a `source:` header, known outlet URLs or names, or a "Read more" URL."""
    fields, _ = parse_header(raw.splitlines()[:12])
    source = fields.get("source", "")
    if source:
        return readable_outlet(source) if URL.match(source) else source
    for url in URL.findall(raw):
        known = _known(_domain(url))
        if known:
            return known
    for phrase, name in OUTLET_NAMES:
        if phrase in raw:
            return name
    urls = [fields.get("url", "")] + [url_of_line(line) for line in raw.splitlines()]
    return next((readable_outlet(url) for url in urls if url), "")


@lru_cache(maxsize=None)
def _stop_words() -> dict[str, frozenset[str]]:
    english = frozenset(justext.get_stoplist("English"))
    spanish = frozenset(justext.get_stoplist("Spanish"))
    return {"en": english - spanish, "es": spanish - english}


def language_counts(text: str) -> dict[str, int]:
    """How many words of `text` are English-only and Spanish-only stop words."""
    stops = _stop_words()
    words = re.findall(r"[^\W\d_]+", text.lower())
    return {code: sum(word in stop for word in words) for code, stop in stops.items()}


def detect_language(text: str) -> str:
    """"en" or "es" by stop-word counts (English when tied or unknown)."""
    counts = language_counts(text)
    return "es" if counts["es"] > counts["en"] else "en"


def passage_language(text: str) -> str:
    """The language of a paragraph when it is clear ("en"/"es"), else "" (too short or mixed)."""
    if len(text.split()) < 8:
        return ""
    counts = language_counts(text)
    for code, other in (("en", "es"), ("es", "en")):
        if counts[code] >= 4 and counts[code] >= 3 * max(counts[other], 1):
            return code
    return ""
