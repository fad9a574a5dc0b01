"""Sentence candidates for key points: verbatim spans, datelines, page furniture.

Pure helpers for `bot.keypoints`. A candidate is a whole sentence of the body,
kept as an exact substring; the only change allowed is dropping a leading
dateline ("Caracas, Venezuela (CNN) -- ", "LIMA, 5 jun (EFE).- "), because the
rest of the sentence is still an exact substring of the body.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.nlp import PunktTokenizer

MAX_SENTENCES = 150        # candidates considered per article (keeps long articles fast)
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
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_END = re.compile(r"""[.!?…]["'”’»)\]]*$""")

# Page furniture that must never become a key point (checked on each sentence).
_FURNITURE = re.compile("|".join([
    r"contributed to (?:this|the) (?:report|story)", r"^CNN's [A-Z].*\b(?:reported|wrote)\b",
    r"^(?:read|watch|see|related|more on|more from|listen|click|share|follow|sign up|subscribe)\b[^.!?]{0,80}(?::|»|›|$)",
    r"^(?:read more|read also|see also|you may also like|it may interest you|related)\b",
    r"e-?mail to a friend", r"\bclick here\b", r"\bshare (?:this|on)\b", r"\bfollow us\b",
    r"\bsign up\b.*\bnewsletter", r"\bcookies?\b", r"\bal continuar navegando\b", r"all rights reserved",
    r"copyright|©|\bfair use\b", r"pic\.twitter\.com|https?://|www\.\w|\[[^\]]*\]\(", r"\(@\w+\)",
    r"^\s*(?:photo|image|video|foto|imagen|fuente|crédito|credit)s?\s*[:|(]", r"\bgetty images\b",
    r"\b(?:ap|afp|reuters|efe)\s*photo\b", r"^(?:category|published on|hits|posted|updated)\b\s*:?",
    r"(?:^|\s)#\w", r"—\s*[^—]{0,60}\(@",
    r"^(?:lee|lea|leer|mira|ver|ve)\b[^.!?]{0,80}(?::|»|$)",
    r"^(?:te recomendamos|puedes ver|también te puede interesar|"
    r"le puede interesar|te puede interesar|síguenos|suscríbete|comparte|más información|"
    r"noticias relacionadas|en video|temas relacionados|lo más leído|lee también|lea también)\b",
    r"\bhaz clic\b|\bhaga clic\b|todos los derechos|\bpublicidad\b|\bnewsletter\b",
    r"con información de\b|\bcontribuyó (?:a|con) (?:este|esta)", r"\|", r"^\w+, \d{1,2}/\d{1,2}/\d{2,4}",
    r"\bpos(?:a|an|ing|es?) (?:for|para|en) (?:la|a|the) (?:foto|photo)", r"\b(?:foto|fotografía) de archivo\b",
    r"\b(?:in this|file) (?:photo|picture|image)\b", r"\(pictured\)", r"\ben la imagen\b",
]), re.IGNORECASE)
# A line carrying a photo credit is a caption: none of its sentences is a point.
_CREDIT = re.compile(
    r"\b(?:foto|photo|imagen|image|crédito|credit)s?\s*[:|/]|\((?:foto|photo)\b|\bgetty images\b|"
    r"[.|]\s*(?:EFE|AFP|AP|Reuters|ANDINA|Andina)(?:/[\w .]+)?\.?\s*$", re.IGNORECASE)
_WATCH_TAIL = re.compile(r"»\s*$")
# Openings that lean on an earlier sentence ("But he ...", "Sin embargo, ...").
_DANGLING = re.compile(
    r"^(?:but|and|or|so|yet|also|still|however|meanwhile|instead|then|thus|that|this|these|"
    r"those|it|its|he|she|they|his|her|their|we|i|there|such|pero|y|o|sin embargo|además|"
    r"también|asimismo|por eso|por ello|así|esto|esta|este|estos|estas|ello|él|ella|ellos|"
    r"ellas|su|sus|allí|ahí)\b", re.IGNORECASE)
_QUOTE_OPEN = tuple("\"“«‘'")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the body: its verbatim text and where it sits."""

    text: str              # verbatim substring of the body (dateline removed)
    index: int             # 0-based position among the body's sentences
    paragraph: int         # 0-based paragraph number
    words: int


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


def leans_on_context(sentence: str) -> bool:
    """True when the sentence opens with a pronoun or connective ('But he said …')."""
    return bool(_DANGLING.match(sentence.lstrip("\"“«‘'")))


def opens_with_quote(sentence: str) -> bool:
    return sentence.startswith(_QUOTE_OPEN)


def is_furniture(sentence: str) -> bool:
    """True for bylines, captions, 'Watch … »', 'READ:', share/social/advert lines."""
    if _FURNITURE.search(sentence) or any(unicodedata.category(c) == "So" for c in sentence):
        return True
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
    letters = [c for c in sentence if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return False       # SHOUTED banners
    return not is_furniture(sentence)


@dataclass(frozen=True)
class Split:
    """What splitting a body found: candidates, sentences read, words of the lead."""

    candidates: list[Sentence]
    total: int             # sentences read (all of them, candidates or not)
    lead_words: int        # words in the first three candidates (what lead-3 would show)


def split_candidates(body: str, language: str) -> Split:
    """Candidate sentences (verbatim, in order) of a clean body.

    Lines are the unit (clean bodies hold one paragraph per line); only the first
    MAX_SENTENCES sentences are read, so very long articles stay fast.
    """
    tokenizer = PunktTokenizer(language)
    model = tokenizer._sentences
    out: list[Sentence] = []
    lead: list[int] = []
    index = 0
    paragraph = 0
    for line in body.splitlines():
        if not line.strip():
            continue
        spans = [line[a:b].strip() for a, b in model.span_tokenize(line)]
        spans = [s for s in spans if s]
        is_caption = bool(_CREDIT.search(line))
        for position, raw in enumerate(spans):
            text = strip_dateline(raw) if position == 0 else raw
            words = count_words(text)
            if not is_caption and is_candidate(text, words):
                out.append(Sentence(text, index, paragraph, words))
                if len(lead) < 3:
                    lead.append(words)
            index += 1
        paragraph += 1
        if index >= MAX_SENTENCES:
            break
    return Split(out, index, sum(lead))
