"""Word helpers for stories and the catalog: folded stems, named entities, search words. Pure."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from bot.nlp import fast_fold, fold

STEM_LENGTH = 6     # a crude, language-neutral stem: the first six letters ("venezuelan" ~ "venezuela")

STOP_WORDS = frozenset(fold(w) for w in """
a an and are as at be been but by for from had has have he her his how i if in into is it its
more most no not of on or our over said says she so than that the their them then there these they
this those to under up was we were what when which while who will with would you also after about
against all any before being between both can could did do does during each few further here
just many may might much must new now only other out own same should since some such through too
until very where why yet one two three last first year years government president minister
el la los las un una unos unas y e o u de del al en con por para que se su sus lo le les es son
fue ha han como mas más pero sin sobre entre tras desde hasta este esta estos estas ese esa eso
muy ya no si sí también tambien cuando donde quien quienes cual cuales porque ante bajo según
segun dijo afirmó afirmo señaló señalo indicó indico gobierno presidente ministro año años ser
o os as um uma do da dos das no na nos nas em por pelo pela com não ao à às é foi são ou seu sua
""".split())

# Capitalised words that start many sentences or name no one: never entities.
NOT_ENTITIES = STOP_WORDS | frozenset(fold(w) for w in """
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december lunes martes miercoles jueves viernes sabado
domingo enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre
diciembre mr mrs ms dr foreign affairs ministry minister president presidente presidenta canciller
state states according however meanwhile read more see photo getty images reuters efe afp ap
""".split())

# Spanish (and Portuguese) stems and names mapped onto their English twins, so that the
# same event reported in two languages still shares words: a small diplomatic lexicon.
_STEM_TWINS = {
    "renunc": "resign", "dimisi": "resign", "dimiti": "resign", "marina": "navy", "armada": "navy",
    "cancil": "foreig", "vacanc": "remove", "vacado": "remove", "destit": "remove", "deteni": "arrest",
    "arrest": "arrest", "asambl": "assemb", "consej": "counci", "estado": "states", "grupo": "group",
    "retiro": "withdr", "retira": "withdr", "salida": "withdr", "sancio": "sancti", "bloque": "blocka",
    "cumbre": "summit", "elecci": "electi", "muerte": "death", "muerto": "death", "deaths": "death",
    "embaja": "ambass", "embass": "ambass", "polici": "police", "unidad": "unity", "venezo": "venezu",
    "peruan": "peruvi", "mexica": "mexico", "brasil": "brazil", "ucrani": "ukrain", "desigu": "inequa",
    "mision": "missio", "jurame": "sworn", "disolv": "dissol", "disolu": "dissol", "parlam": "congre",
    "organi": "organi", "comuni": "commun", "alianz": "allian", "pacifi": "pacifi", "andina": "andean",
    "europe": "europe", "decret": "decree", "fuerza": "forces", "intern": "intern", "pandem": "pandem",
    "oposic": "opposi", "aislar": "isolat", "acusac": "accusa", "conden": "condem", "rechaz": "reject",
    "apoyo": "suppor", "respal": "suppor", "reunio": "meetin", "reunie": "meetin", "rueda": "press",
}
_NAME_TWINS = {
    "grupo": "group", "marina": "navy", "oea": "oas", "comunidad": "community", "andina": "andean",
    "alianza": "alliance", "pacifico": "pacific", "congreso": "congress", "consejo": "council",
    "permanente": "permanent", "asamblea": "assembly", "organizacion": "organization", "brasil": "brazil",
    "ucrania": "ukraine", "europea": "european", "union": "union", "cancilleria": "foreign",
    "eeuu": "us", "ee": "us", "uu": "us", "estados": "states", "unidos": "united", "mexico": "mexico",
    "naciones": "nations", "carta": "charter", "democratica": "democratic", "interamericana": "inter",
    "palacio": "palace", "gobierno": "government", "declaracion": "declaration", "cumbre": "summit",
}

_WORD = re.compile(r"[^\W\d_][^\W_]*")
_ASCII_WORD = re.compile(r"[a-z][a-z0-9]*")     # the same words, faster, once folded text is ASCII
_UPPER = "A-ZÁÉÍÓÚÑÜÀÂÊÔÃÕÇ"
_CAPITALISED = re.compile(rf"(?<![\w'’])[{_UPPER}][^\W_]*")
_SENTENCE_START = re.compile(rf"[.!?:;«»\"“”|•\n]\s*[\"“«'‘(¿¡*#-]?\s*([{_UPPER}][^\W_]*)")


def words_of(text: str) -> list[str]:
    """Folded words of a text, in order: "Béjar's visit" -> ['bejar', 's', 'visit']."""
    folded = fast_fold(text)
    return (_ASCII_WORD if folded.isascii() else _WORD).findall(folded)


@lru_cache(maxsize=1 << 17)
def _stem(word: str) -> str:
    if len(word) <= 2 or word in STOP_WORDS:
        return ""
    if not word.isalpha():
        return word          # "g20", "covid19", "cop30": identifiers, not inflected words; kept whole
    stem = word[:STEM_LENGTH]
    return _STEM_TWINS.get(stem, stem)


def stems_of(text: str) -> list[str]:
    """Folded content-word stems (stop words and short words dropped, Spanish twins mapped)."""
    return list(filter(None, map(_stem, words_of(text))))


@lru_cache(maxsize=1 << 17)
def _entity(word: str) -> str:
    name = fold(word)
    name = _NAME_TWINS.get(name, name)
    return name if len(name) > 1 and name not in NOT_ENTITIES else ""


def entities_of(text: str) -> frozenset[str]:
    """Folded names: capitalised words seen at least once away from a sentence start, and acronyms."""
    starts = Counter(_SENTENCE_START.findall("\n" + text))
    names = set()
    for word, count in Counter(_CAPITALISED.findall(text)).items():
        if count > starts.get(word, 0) or (len(word) > 1 and word.isupper()):
            name = _entity(word)
            if name:
                names.add(name)
    return frozenset(names)
