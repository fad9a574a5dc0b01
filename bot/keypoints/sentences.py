"""Sentence candidates for key points: verbatim spans, datelines, page furniture.

Pure helpers for `bot.keypoints.points`. A candidate is a whole sentence of the body,
kept as an exact substring; the only change allowed is dropping a leading
dateline ("Caracas, Venezuela (CNN) -- ", "LIMA, 5 jun (EFE).- "), because the
rest of the sentence is still an exact substring of the body.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import punkt

from bot.tokenizer import PunktTokenizer

MAX_SENTENCES = 150        # candidates considered per article (keeps long articles fast)
MAX_READ_CHARS = 150 * 300  # characters of the body read at most, even inside one huge paragraph
MIN_WORDS = 6
MAX_WORDS = 60

_AGENCIES = (r"CNN|AP|AFP|EFE|Reuters|ANSA|dpa|DPA|Europa Press|Xinhua|Andina|ANDINA|"
             r"Prensa Latina|Sputnik|RT|BBC|EP|Notimex|Telam|Télam|NA")
_DATELINE = re.compile(
    r"^(?:[A-ZÁÉÍÓÚÑ][\w.'’ -]{0,40}(?:,\s*[\w.'’ -]{1,40}){0,2}\s*)?"
    rf"\((?:{_AGENCIES})(?:/[\w ]+)?\)\s*(?:--|—|–|-|\.-|\.—|:)?\s*"
    r"|^[A-ZÁÉÍÓÚÑ]{3,}(?:[ ,][A-ZÁÉÍÓÚÑ]{2,})*(?:,\s*[A-ZÁÉÍÓÚÑ][\w.'’ ]{1,30}){0,2},?\s*"
    r"(?:\d{1,2}\s+\w{3,10}\.?\s*)?(?:--|—|–|\.-)\s*"
)
# A list item's marker ("- ", "• ", "3. ", "b) "): a numbered declaration's items are sentences.
_LIST_MARKER = re.compile(r"^(?:[-–—•*·▪►]|\(?\d{1,2}[.)]|\(?[a-z][)])\s+(?=\S)")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_END = re.compile(r"""[.!?…]["'”’»)\]]*$""")

# Page furniture that must never become a key point. Phrases are plain lower-case
# substrings (fast); the regex holds what needs structure, anchored at the start.
_FURNITURE_PHRASES = (
    "contributed to this report", "contributed to the report", "contributed to this story",
    "e-mail to a friend", "email to a friend", "click here", "share this", "share on ", "follow us",
    "cookie", "al continuar navegando", "all rights reserved", "copyright", "©", "fair use",
    "pic.twitter.com", "http://", "https://", "www.", "](", "(@", "getty images", "haz clic", "haga clic",
    "todos los derechos", "newsletter", "con información de", "contribuyó a este", "contribuyó con este",
    "|", "foto de archivo", "fotografía de archivo", "in this photo", "file photo", "(pictured)",
    "en la imagen", "para la foto", "en la foto", "poses for a photo", "ap photo", "afp photo",
    "reuters photo", "efe photo",
)
_FURNITURE_START = re.compile("|".join([
    r"CNN's [A-Z].*\b(?:reported|wrote)\b",
    r"(?:read|watch|see|related|more on|more from|listen|click|share|follow|sign up|subscribe)\b[^.!?]{0,80}(?::|»|›|$)",
    r"(?:read more|read also|see also|you may also like|it may interest you|related)\b",
    r"\s*(?:photo|image|video|foto|imagen|fuente|crédito|credit)s?\s*[:|(]",
    r"(?:category|published on|hits|posted|updated)\b\s*:?", r"\w+, \d{1,2}/\d{1,2}/\d{2,4}",
    r"(?:lee|lea|leer|mira|ver|ve)\b[^.!?]{0,80}(?::|»|$)",
    r"(?:te recomendamos|puedes ver|también te puede interesar|le puede interesar|te puede interesar|"
    r"síguenos|suscríbete|comparte|más información|noticias relacionadas|en video|temas relacionados|"
    r"lo más leído|lee también|lea también)\b",
]), re.IGNORECASE)
_HASHTAG = re.compile(r"(?:^|\s)#\w")
# A line carrying a photo credit is a caption: none of its sentences is a point.
_CREDIT = re.compile(
    r"\b(?:foto|photo|imagen|image|crédito|credit)s?\s*[:|/]|\((?:foto|photo)\b|\bgetty images\b|"
    r"[.|]\s*(?:EFE|AFP|AP|Reuters|ANDINA|Andina)(?:/[\w .]+)?\.?\s*$", re.IGNORECASE)
_WATCH_TAIL = re.compile(r"»\s*$")
# Openings that lean on an earlier sentence ("But he ...", "Sin embargo, ...", "The move ..."), per
# language: a pronoun or connective, or a definite noun phrase that points back.
_DANGLING_WORDS = {
    "en": r"but|and|or|so|yet|also|still|however|meanwhile|instead|then|thus|that|this|these|those|it|"
          r"its|he|she|they|his|her|their|we|i|there|such|"
          r"the (?:move|decision|announcement|statement|measure|diplomat|official|minister|motion|"
          r"document|text|former|latter|same)",
    "es": r"pero|y|o|sin embargo|además|también|asimismo|por eso|por ello|así(?! como)|esto|esta|este|"
          r"estos|estas|ello|él|ella|ellos|ellas|su|sus|allí|ahí|dicho|dicha|"
          r"(?:el|la|los|las) (?:medida|decisión|anuncio|declaración|diplomático|diplomática|"
          r"funcionario|funcionaria|mandatario|mandataria|ministro|ministra|documento|texto|mismo|misma)",
    "pt": r"mas|e|ou|porém|contudo|no entanto|além disso|também|assim|isso|isto|este|esta|estes|estas|"
          r"ele|ela|eles|elas|seu|sua|seus|suas|"
          r"(?:o|a|os|as) (?:medida|decisão|anúncio|declaração|diplomata|ministro|ministra|documento|"
          r"texto|mesmo|mesma)",
}
_DANGLING = {code: re.compile(rf"^(?:{words})\b", re.IGNORECASE) for code, words in _DANGLING_WORDS.items()}
# ... unless the pointer is a time: "This week", "Este miércoles", "Esta semana".
_TIME_OPENING = re.compile(
    r"^(?:this|este|esta|nesta|neste)\s+(?:week|month|year|morning|afternoon|evening|weekend|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|semana|mes|año|mañana|tarde|noche|"
    r"lunes|martes|miércoles|jueves|viernes|sábado|domingo|fin|ano|segunda|terça|quarta|quinta|"
    r"sexta|sábado)\b", re.IGNORECASE)
_QUOTE_OPEN = tuple("\"“«‘'")
# Punkt ends a "sentence" after these titles and initials ("the Rev. Federico Lombardi").
_TITLE_END = re.compile(
    r"(?:^|[\s(])(?:Rev|Gen|Sen|Sens|Rep|Reps|Gov|Lt|Col|Sgt|Capt|Cpl|Maj|Adm|Cmdr|Brig|Dr|Mr|Mrs|Ms|"
    r"Prof|Pres|Supt|Insp|Sr|Sra|Srta|Dra|Gral|Lic|Ing|Mons|Msgr|Fr|St|Mt|Ft|No|Nos|vs|Vol|[A-Z])\.$")
_TITLE_TAIL = 10   # longer than any match of _TITLE_END, so `^` never matches inside a longer span


@dataclass(frozen=True)
class Sentence:
    """One sentence of the body: its verbatim text and where it sits."""

    text: str              # verbatim substring of the body (dateline removed)
    index: int             # 0-based position among the body's sentences
    paragraph: int         # 0-based paragraph number
    words: int
    leans: bool = False    # opens with a pronoun or pointer that needs the sentence before


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def strip_dateline(sentence: str) -> str:
    """'Lima, Peru (CNN) -- The OAS met.' -> 'The OAS met.' (a suffix, so still verbatim)."""
    match = _DATELINE.match(sentence)
    if match and match.end() < len(sentence):
        rest = sentence[match.end():]
        if rest[:1].isupper() or rest[:1] in "\"“«'¿¡":
            return rest
    return sentence


def strip_list_marker(sentence: str) -> str:
    """'- Our condemnation of …' -> 'Our condemnation of …' (a suffix, so still verbatim)."""
    match = _LIST_MARKER.match(sentence)
    return sentence[match.end():] if match else sentence


def has_open_quote(sentence: str) -> bool:
    """True when a quotation is cut open: it starts or ends in another sentence."""
    if sentence.count("“") != sentence.count("”") or sentence.count("«") != sentence.count("»"):
        return True
    return sentence.count('"') % 2 == 1


def leans_on_context(sentence: str, language: str = "en") -> bool:
    """True when the sentence opens with a pronoun or connective ('But he said …', 'The move …')."""
    opening = sentence.lstrip("\"“«‘'")
    return bool(_DANGLING[language].match(opening)) and not _TIME_OPENING.match(opening)


def opens_with_quote(sentence: str) -> bool:
    return sentence.startswith(_QUOTE_OPEN)


def sentence_spans(line: str, model: punkt.PunktSentenceTokenizer) -> list[str]:
    """Punkt sentences of one line, re-joined where Punkt split after a title or initial."""
    spans: list[list[int]] = []
    for start, end in model.span_tokenize(line):
        # only the span's last characters can end in a title ("the Rev."): linear, however long the span
        if spans and _TITLE_END.search(line[max(spans[-1][0], spans[-1][1] - _TITLE_TAIL):spans[-1][1]]):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [text for text in (line[a:b].strip() for a, b in spans) if text]


def is_furniture(sentence: str) -> bool:
    """True for bylines, captions, 'Watch … »', 'READ:', share/social/advert lines."""
    lowered = sentence.lower()
    if any(phrase in lowered for phrase in _FURNITURE_PHRASES) or _FURNITURE_START.match(sentence):
        return True
    if "#" in sentence and _HASHTAG.search(sentence):
        return True
    if not sentence.isascii() and any(unicodedata.category(c) == "So" for c in sentence):
        return True        # emoji and pictographs: social posts, not reporting
    return bool(_WATCH_TAIL.search(sentence)) and "«" not in sentence


def is_candidate(sentence: str, words: int) -> bool:
    """A whole, ordinary sentence: ends like one, starts like one, not furniture."""
    if words < MIN_WORDS or words > MAX_WORDS or not _END.search(sentence):
        return False
    first = sentence.lstrip("\"“«'‘(¿¡")[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    if sentence.rstrip("\"”»'’) ").endswith("?"):
        return False       # questions are subheadings or rhetoric, not points
    if sum(map(str.isupper, sentence)) > 0.6 * sum(map(str.isalpha, sentence)):
        return False       # SHOUTED banners
    return not has_open_quote(sentence) and not is_furniture(sentence)


@dataclass(frozen=True)
class Split:
    """What splitting a body found: candidates and the number of sentences read."""

    candidates: list[Sentence]
    total: int             # sentences read (all of them, candidates or not)


def split_candidates(body: str, language: str) -> Split:
    """Candidate sentences (verbatim, in order) of a clean body.

    Lines are the unit (clean bodies hold one paragraph per line); only the first
    MAX_SENTENCES sentences, within the first MAX_READ_CHARS characters, are read, even
    when they are all in one paragraph: time and memory stay bounded whatever the body.
    """
    tokenizer = PunktTokenizer(language)
    model = tokenizer._sentences
    out: list[Sentence] = []
    index = 0
    paragraph = 0
    budget = MAX_READ_CHARS
    for line in body.splitlines():
        if index >= MAX_SENTENCES or budget <= 0:
            break
        if not line.strip():
            continue
        line, budget = line[:budget], budget - len(line)   # one huge paragraph is read only so far
        spans = sentence_spans(line, model)[:MAX_SENTENCES - index]
        is_caption = bool(_CREDIT.search(line))
        for position, raw in enumerate(spans):
            text = strip_dateline(strip_list_marker(raw)) if position == 0 else raw
            words = count_words(text)
            if not is_caption and is_candidate(text, words):
                out.append(Sentence(text, index, paragraph, words, leans_on_context(text, language)))
            index += 1
        paragraph += 1
    return Split(out, index)
