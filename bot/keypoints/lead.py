"""The news lead: the sentence that states the main news, found before any ranking. Pure.

A reader judges key points by their first line, so the first key point is the
article's news lead: the first candidate sentence, among the first few, that can
stand as news on its own. Skipped on the way: kickers and deks that only tease
(short, or naming no one: "Uncertainty normally comes with the new."), sentences
that lean on an earlier one ("He said …", "The move …"), and sentences that open
with a quotation. Captions, embedded posts and datelines never reach this point:
`bot.keypoints.sentences` has already dropped them or cut the dateline off.
When no sentence of the window qualifies, the first candidate is the lead.
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from bot.keypoints.sentences import Sentence, opens_with_quote

LEAD_WINDOW = 4          # the lead is among the first candidates of the body
LEAD_MIN_WORDS = 10      # a shorter opening is a kicker or a teasing dek, not the news
DEK_SIMILARITY = 0.3     # a dek is restated by a later lede at least this closely ...
DEK_SHARE = 0.6          # ... in a sentence it is at most this share of (in words)
REPEATED = 0.9           # or repeated later at least this closely (a summary above the story)

_UPPER = "A-ZÁÉÍÓÚÑÜÀÂÊÔÃÕÇ"
# A name: a capitalised word after the first one, or a number (a vote, a date, a count).
_NAME = re.compile(rf"\s[\"“«'‘(]?(?:[{_UPPER}][\w’'-]+|\d)")


def names_someone(sentence: str) -> bool:
    """True when the sentence names someone or something (a capitalised word past the first, or a figure)."""
    return bool(_NAME.search(sentence))


def is_news_lead(sentence: Sentence) -> bool:
    """Can this sentence state the news alone: long enough, naming someone, leaning on nothing?"""
    text = sentence.text
    return (sentence.words >= LEAD_MIN_WORDS and names_someone(text)
            and not sentence.leans and not opens_with_quote(text))


def find_lead(sentences: Sequence[Sentence], sim: np.ndarray) -> int:
    """Position (in `sentences`) of the news lead; 0 when none of the window qualifies.

    A sentence that shares no content word with the rest of the article is a
    kicker or an aside, however newsy it looks, and is passed over. The first
    paragraph is a dek (a standfirst) when one of its sentences is restated later:
    word for word (a summary repeated in the story), or by a longer lede; then the
    whole paragraph gives way to the story's own first sentence.
    """
    size = len(sentences)
    window = [k for k, sentence in enumerate(sentences[:LEAD_WINDOW])
              if is_news_lead(sentence) and (size < 2 or float(sim[k].sum() - sim[k, k]) > 0.0)]
    dek = next((k for k in window if _is_dek(sentences, sim, k)), None)
    after_dek = [k for k in window if dek is None or sentences[k].paragraph != sentences[dek].paragraph]
    return (after_dek or window or [0])[0]


def _is_dek(sentences: Sequence[Sentence], sim: np.ndarray, k: int) -> bool:
    """A first-paragraph sentence that a later paragraph repeats, or restates in a longer lede."""
    if sentences[k].paragraph != sentences[0].paragraph:
        return False
    return any(sentences[j].paragraph > sentences[k].paragraph
               and (sim[k, j] >= REPEATED or (sim[k, j] >= DEK_SIMILARITY
                                              and sentences[k].words <= DEK_SHARE * sentences[j].words))
               for j in range(k + 1, len(sentences)))
