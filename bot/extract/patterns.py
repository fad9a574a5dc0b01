"""Curated English and Spanish patterns for page boilerplate (used by bot.extract.clean).

Each pattern is matched against one normalized line (markdown already stripped).
They were written by reading the five seeds and the twelve Spanish eval pages
line by line; keep them specific enough that article prose never matches.
"""
from __future__ import annotations

import re

_I = re.IGNORECASE

# A whole line that is page furniture, not article text.
LINE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, _I) for p in (
    r"^(home|inicio|portada)\s*[»›>|/]",                          # breadcrumbs
    r"^by\s+(admin|administrator|editor|staff|webmaster|redacci[oó]n)\s*$",
    r"^(por|autor:?)\s+(admin|redacci[oó]n|staff)\s*$",
    r"^category:\s",                                              # "Category: World Published on … Hits: 3"
    r"^(hits|views|visitas|lecturas):?\s*[\d.,]+$",
    r"^[\d.,]+\s*(views|vistas|visitas|lecturas)?$",             # view counters ("2.315")
    r"^(region|theme|tags?|etiquetas|temas?|secci[oó]n|filed under):\s",
    r"^read more\b", r"^leer m[aá]s\b", r"^continue reading\b", r"^sigue leyendo\b",
    r"^see also\b", r"^ver tambi[eé]n\b", r"^it may interest you\b", r"^you may also like\b",
    r"^voc[eê] (tamb[eé]m )?(pode|poder[aá]) gostar\b",
    r"^(te puede interesar|tambi[eé]n te puede interesar|lee tambi[eé]n|le[ae] m[aá]s)\b",
    r"^(te recomendamos|puedes ver|mira tambi[eé]n|no te pierdas|recomendados?)\b",
    r"^leave a (comment|reply)\b", r"^(\d+\s+)?comments?\s*$", r"^(deja|dejar) (un|tu) comentario\b",
    r"\bakismet\b", r"\bcomment data is processed\b",
    r"\b(uses|utiliza|usa) cookies\b", r"\bcookies? policy\b", r"pol[ií]tica de (cookies|privacidad)",
    r"^privacy (policy|& cookies)\b", r"\baccept read more\s*$",
    r"^(share|compartir|comparte)\s*(this|on|en|esta|este|:|$)",
    r"^(follow us|s[ií]guenos|subscribe (to|now|here)|suscr[ií]bete|join us on|[uú]nete a)\b",
    r"\bfollow us on\b", r"^visit and follow us\b", r"\bs[ií]guenos en\b",
    r"\bclick the share buttons\b", r"^note to readers\b",
    r"articles can be read in \d+ languages",
    r"^(all rights reserved|todos los derechos reservados)\b", r"^(©|copyright\b)",
    r"\bcopyrighted material\b", r"\bfair use\b", r"^\**disclaimer\b",
    r"\bsole responsibility of the author", r"\bgrants permission to cross-post\b",
    r"\bis a (frequent|regular) contributor to\b", r"^comment on .* articles\b",
    r"^become a (member|patron|subscriber)\b", r"^articles by:", r"^support (us|our work)\b",
    r"^(for media inquiries|contact us|cont[aá]ctenos|contacto)\b", r"^(e-?mail|correo):\s",
    r"^(to register|register here|reg[ií]strate|inscr[ií]bete)\b", r"\bwebinar is sponsored\b",
    r"^facebook live\b", r"^interpretation (to|into) \w+ available\b", r"^new date\b",
    r"^a conversation with\b", r"^@\w+$", r"^(www\.|https?://)\S+$",
    r"^(foto|photo|imagen|image|cr[eé]dito)s?:", r"^(getty images|reuters|efe|afp|ap photo)\b",
    r"\((ap|afp|efe|reuters) photo[^)]*\)\s*$", r"\b(foto|fotograf[ií]a)[^.]{0,40}\.\s*(efe|afp|ap|reuters)\.?\s*$",
    r"\.\s*(efe|afp|ap|reuters|getty images)\.?\s*$",
    r"^(diario digital|actualizado)\b", r"\|\s*actualizado\b",
    r"^(newsletter|bolet[ií]n)\b", r"^(publicidad|advertisement|anuncio)\s*$",
    r"^(you must read|must read|le[ae] tambi[eé]n|leia tamb[eé]m|veja tamb[eé]m|saiba mais)\b",
    r"\byou are subscribed to\b", r"^(?:the )?(?:below|following|above)\b.{0,40}\battributable to\b",
    r"^(?:lo )?(?:siguiente|anterior)\b.{0,40}\batribuible a\b",   # a spokesperson's release formula
    r"^(first|last)\s+(modification|modified|update|updated)\b",
    r"^(updated|actualizado|atualizado|modificado)\s*:",
    r"(?:\b[^\W\d_]{2,}+\s\(\d[\d.,]*+\)[^()]{0,20}){3}",      # an archive or tag list with counts: "Maio (98) o Abril (82)"
    r"\bnot supported\b.*\bbrowser\b", r"\bno (es|est[aá]) (compatible|soportado)\b.*\bnavegador\b",
))

# A photo caption: who stands where ("(third from left)"), a "(Foto: …)" credit at the end, or a
# photographer's credit after the last sentence ("… in Lima, on October 4, 2022. Cris Bouroncle AFP").
CAPTION_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\((?:(?:first|second|third|fourth|fifth|sixth|\d(?:st|nd|rd|th))\s+from\s+)?(?:left|right|centre|center)"
               r"\)|\((?:L|R|C|izq\.?|der\.?|a la (?:izquierda|derecha)|à (?:esquerda|direita))\)", _I),
    re.compile(r"\((?:foto|photo|imagen|image|fotograf[ií]a)s?\s*:[^)]*\)\.?\s*$", _I),
    re.compile(r"[.!?]\s+(?:[A-ZÁÉÍÓÚÑ][\w'-]+\s+){1,3}[A-Z]{2,6}(?:/[\w ]+)?\.?$"),
)

# Furniture only when the line is short (at most SHORT_LINE_WORDS words).
SHORT_LINE_WORDS = 12
SHORT_LINE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, _I) for p in (
    r"^(related|more from|most (read|popular)|trending|m[aá]s le[ií]d[ao]s|relacionad[ao]s)\b",
    r"^(subscribe|newsletter|sign up|reg[ií]strate|login|log in|iniciar sesi[oó]n)\b",
    r"^(menu|men[uú]|search|buscar|skip to content|ir al contenido)\b",
    r"^(tweet|whatsapp|telegram|facebook|twitter|linkedin|email|print|imprimir)\s*$",
))



def is_furniture_line(text: str) -> bool:
    """A whole line that is page furniture by its wording ("Read more: …", "Síguenos en …", "© 2021"):
    a LINE_PATTERN anywhere, a SHORT_LINE_PATTERN on a short line. The one vocabulary of such lines:
    bot.extract.clean drops them, bot.themes gives a term on one no weight."""
    if any(p.search(text) for p in LINE_PATTERNS):
        return True
    return len(text.split()) <= SHORT_LINE_WORDS and any(p.search(text) for p in SHORT_LINE_PATTERNS)


# Markers after which everything on the page is trailer (comments, author boxes, related links).
TERMINAL_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, _I) for p in (
    r"^you may also like\b", r"^voc[eê] (tamb[eé]m )?(pode|poder[aá]) gostar\b", r"^leave a (comment|reply)\b",
    r"^note to readers\b",
    r"^related (articles|posts|stories)\b", r"^noticias relacionadas\b", r"^articles by:",
))

# Event / webinar adverts: the line itself and the non-prose lines after it go.
EVENT_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, _I) for p in (
    r"\bwebinar\b.*\bregister\b", r"\bregister\b.*\bwebinar\b", r"^a conversation with\b",
    r"\b(webinar|seminario web)\b.*\b(organized|organizado|sponsored)\b",
))

# Embedded tweet trailer: "… https://t.co/x pic.twitter.com/y — Name (@h) July 30, 2021".
TWEET_TRAILER = re.compile(
    r"(?:https?://t\.co/\S+\s*)?(?:pic\.twitter\.com/\S+)?\s*"
    r"(?:[—–-]\s*[^()\n]{1,80}\(@\w+\)\s*)?"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2},\s+\d{4}\s*$"
)
HAS_TWEET = re.compile(r"pic\.twitter\.com/|\(@\w+\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$|https?://t\.co/")

# Inline fragments removed from otherwise good lines.
INLINE_CREDITS = re.compile(
    r"\s*\((?:foto|photo|imagen|image)s?:?[^)]{0,60}\)|\s*\([^()]{0,40}\b(?:photo|foto)\s*/[^)]*\)", _I)
INLINE_CAPS_SUBHEAD = re.compile(
    r"(?<=[.!?\"”“] )((?:[A-ZÁÉÍÓÚÑ]{1,}\s+){1,6}[A-ZÁÉÍÓÚÑ]{2,})\s+(?=[A-ZÁÉÍÓÚÑ][a-záéíóúñ])")

# Markdown syntax (link text kept).
MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")   # [text](url "title")
MD_TABLE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$|^\s*\|\s*|\s*\|\s*$")
MD_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
MD_EMPH = re.compile(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*(?![\w*])")
MD_EMPH_UNDERSCORE = re.compile(r"(?<![\w])_(?!\s)([^_]+?)(?<!\s)_(?![\w])")   # _Star Trek_ (html2text's italics)
MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
MD_HEADING = re.compile(r"^#{1,6}\s+")
SEPARATOR = re.compile(r"^[\s*_\-=~#•·|.\\]*$")
BULLET = re.compile(r"^\s*(?:[-•·▪●]\s+|\d+[.)]\s+)")

# Words that cannot end a sentence: a line ending in one continues on the next line.
CONTINUATION_WORDS = frozenset(
    "a an the of to and or but for with by from in on at as that which who whose than "
    "de del la las los el y o u en con por para que se su sus al un una e ni como".split())

GENERIC_AUTHORS = frozenset({"admin", "administrator", "editor", "staff", "webmaster",
                             "redacción", "redaccion", "agencias", "agencies"})
