"""A strict parser of Telegram's HTML parse mode, for tests.

`parse_telegram_html(html)` returns the message text as Telegram would show it
and its entities (offsets and lengths in UTF-16 code units, as Telegram counts
them), or raises `TelegramHTMLError` naming the position and the broken rule:

- only the tags Telegram accepts, with only their attributes
  (b strong i em u ins s strike del, span class="tg-spoiler", tg-spoiler,
  a href, tg-emoji emoji-id, code [class="language-…" inside pre], pre,
  blockquote [expandable]);
- every tag closed, in order; no tags inside code/pre (except code in pre),
  no blockquote in a blockquote, no link in a link;
- every "<", ">" and "&" of the text escaped; named entities only
  &lt; &gt; &amp; &quot;, numeric ones (&#38; &#x26;) for valid code points.

Usage: `text, entities = parse_telegram_html(part)`; then
`utf16_len(text) <= 4096` and `len(entities) <= 100`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_MESSAGE_UTF16 = 4096
MAX_ENTITIES = 100

_KINDS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link",
    "tg-emoji": "custom_emoji", "code": "code", "pre": "pre", "blockquote": "blockquote",
}
_ATTRIBUTES = {"span": {"class"}, "a": {"href"}, "tg-emoji": {"emoji-id"},
               "code": {"class"}, "pre": set(), "blockquote": {"expandable"}}
_REQUIRED = {"span": "class", "a": "href", "tg-emoji": "emoji-id"}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))?)*)\s*>")
_ATTR = re.compile(r"([^\s=>/]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'))?")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")


class TelegramHTMLError(ValueError):
    """The HTML would be rejected by Telegram (or rendered other than intended)."""


@dataclass(frozen=True)
class Entity:
    type: str
    offset: int          # UTF-16 code units
    length: int          # UTF-16 code units
    url: str = ""


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: astral characters (most emoji) count 2."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass
class _Open:
    name: str
    offset: int
    attributes: dict[str, str]


def parse_telegram_html(html: str) -> tuple[str, list[Entity]]:
    """Plain text and entities of a Telegram HTML message; TelegramHTMLError when invalid."""
    text: list[str] = []
    units = 0
    stack: list[_Open] = []
    entities: list[Entity] = []
    i = 0
    while i < len(html):
        ch = html[i]
        if ch == "<":
            match = _TAG.match(html, i)
            if not match:
                raise TelegramHTMLError(f"unescaped '<' or malformed tag at {i}: {html[i:i + 30]!r}")
            _handle_tag(match, i, units, stack, entities)
            i = match.end()
            continue
        if ch == "&":
            ch, i = _decode_entity(html, i)
        elif ch == ">":
            raise TelegramHTMLError(f"unescaped '>' at {i}: {html[max(0, i - 20):i + 10]!r}")
        else:
            i += 1
        text.append(ch)
        units += utf16_len(ch)
    if stack:
        raise TelegramHTMLError(f"unclosed tag(s): {', '.join('<' + o.name + '>' for o in stack)}")
    entities.sort(key=lambda e: (e.offset, -e.length))   # stable: outer before inner on ties
    return "".join(text), entities


def _decode_entity(html: str, i: int) -> tuple[str, int]:
    match = _ENTITY.match(html, i)
    if not match:
        raise TelegramHTMLError(f"unescaped '&' or unsupported entity at {i}: {html[i:i + 12]!r}")
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named], match.end()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise TelegramHTMLError(f"numeric entity for an invalid code point at {i}: {match.group()!r}")
    return chr(code), match.end()


def _handle_tag(match: re.Match, at: int, units: int, stack: list[_Open], entities: list[Entity]) -> None:
    closing, name, raw_attributes = match.group(1) == "/", match.group(2).lower(), match.group(3)
    if name not in _KINDS:
        raise TelegramHTMLError(f"tag <{name}> is not supported by Telegram (at {at})")
    if closing:
        if raw_attributes.strip():
            raise TelegramHTMLError(f"closing tag </{name}> has attributes (at {at})")
        if not stack or stack[-1].name != name:
            expected = f"</{stack[-1].name}>" if stack else "no closing tag"
            raise TelegramHTMLError(f"</{name}> at {at} does not close the open tag; expected {expected}")
        opened = stack.pop()
        entity = _entity(opened, units)
        # outer entities first: insert before the inner ones closed earlier at the same span
        position = len(entities)
        while position and (entities[position - 1].offset, entities[position - 1].length) == (entity.offset, entity.length):
            position -= 1
        entities.insert(position, entity)
        return
    attributes = _parse_attributes(name, raw_attributes, at)
    _check_nesting(name, attributes, stack, at)
    stack.append(_Open(name, units, attributes))


def _parse_attributes(name: str, raw: str, at: int) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        key = match.group(1).lower()
        value = match.group(2) if match.group(2) is not None else (match.group(3) or "")
        if key not in _ATTRIBUTES.get(name, set()):
            raise TelegramHTMLError(f"attribute {key!r} is not allowed on <{name}> (at {at})")
        if key in attributes:
            raise TelegramHTMLError(f"attribute {key!r} repeated on <{name}> (at {at})")
        attributes[key] = _unescape_attribute(value, at)
    required = _REQUIRED.get(name)
    if required and not attributes.get(required):
        raise TelegramHTMLError(f"<{name}> needs a non-empty {required!r} attribute (at {at})")
    if name == "span" and attributes["class"] != "tg-spoiler":
        raise TelegramHTMLError(f'<span> must be class="tg-spoiler" (at {at})')
    return attributes


def _unescape_attribute(value: str, at: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            ch, i = _decode_entity(value, i)
        elif value[i] in "<>":
            raise TelegramHTMLError(f"unescaped {value[i]!r} inside an attribute (tag at {at})")
        else:
            ch, i = value[i], i + 1
        out.append(ch)
    return "".join(out)


def _check_nesting(name: str, attributes: dict[str, str], stack: list[_Open], at: int) -> None:
    open_names = [o.name for o in stack]
    if stack and stack[-1].name in ("code", "pre", "tg-emoji"):
        if not (name == "code" and stack[-1].name == "pre"):
            raise TelegramHTMLError(f"<{name}> inside <{stack[-1].name}> is not allowed (at {at})")
    if name == "code" and "class" in attributes and not (stack and stack[-1].name == "pre"):
        raise TelegramHTMLError(f"class on <code> is only allowed inside <pre> (at {at})")
    if name == "code" and "class" in attributes and not attributes["class"].startswith("language-"):
        raise TelegramHTMLError(f'<code class> must be "language-…" (at {at})')
    if name == "blockquote" and "blockquote" in open_names:
        raise TelegramHTMLError(f"<blockquote> inside <blockquote> is not allowed (at {at})")
    if name == "a" and "a" in open_names:
        raise TelegramHTMLError(f"<a> inside <a> is not allowed (at {at})")
    if name in ("pre", "blockquote") and any(n in ("code", "pre") for n in open_names):
        raise TelegramHTMLError(f"<{name}> inside code is not allowed (at {at})")


def _entity(opened: _Open, end: int) -> Entity:
    kind = _KINDS[opened.name]
    if kind == "blockquote" and "expandable" in opened.attributes:
        kind = "expandable_blockquote"
    return Entity(kind, opened.offset, end - opened.offset, opened.attributes.get("href", ""))
