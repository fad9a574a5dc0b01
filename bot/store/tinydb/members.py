"""Journal members of pushes that share most of their document, encoded a part at a time.

A due pass writes ~5 pushes for each due subscriber (a digest of 30 stories is several
messages). The pushes of one digest part for many subscribers differ only in id and chat:
JSON-encoding each push's document whole was ~12 us of the pass's ~40 us a push; here the
shared part is encoded once and the id and chat per push. The output is byte for byte what
`encode_record(key, doc)` gives (tests/test_due_scale.py checks it on random pushes).
"""
from __future__ import annotations

from json.encoder import encode_basestring_ascii as _quote   # what the journal's encoder does with a str
from typing import Iterable

from bot.models import Push
from bot.store.codec import push_to_doc, text_key
from bot.store.tinydb.journal import encode_record, encode_value


# texts hashed lately, up to this many characters: a due pass writes its few hundred distinct digests
# (a thousand or more texts at 20,000 articles) in many slices
_TEXT_CHARS_KEPT = 16_000_000
_text_keys: dict[str, str] = {}
_text_chars = 0


def push_members(pushes: Iterable[Push]) -> dict[str, tuple[dict, str]]:
    """Push id -> (its state document without the text, its journal member)."""
    shared: dict[tuple, tuple[dict, str]] = {}
    out = {}
    for push in pushes:
        chat_id, push_id = push.chat_id, push.id
        if push_id in out:   # the first of one id is the one enqueued (the outbox's setdefault)
            continue
        if type(chat_id) is not int or type(push_id) is not str:   # (a bool, a subclass: the general way)
            doc = push_to_doc(push, cached_text_key(push.text))
            out[push_id] = (doc, encode_record(push_id, doc))
            continue
        # what the pushes of one digest part share, with the types of its numbers (1 and 1.0 are
        # equal but encode differently): encoded once
        part, thread_id, created_at, attempts, not_before = \
            push.part, push.thread_id, push.created_at, push.attempts, push.not_before
        values = (push.text, push.digest_key, part, thread_id, created_at, attempts, not_before, push.status,
                  push.error, type(part), type(thread_id), type(created_at), type(attempts), type(not_before))
        found = shared.get(values)
        if found is None:
            found = shared[values] = _shared_push_part(push)
        quoted = _quote(push_id)
        out[push_id] = ({"id": push_id, "chat_id": chat_id, **found[0]},
                        f'{quoted}: {{"id": {quoted}, "chat_id": {chat_id!r}, {found[1]}')
    return out


def cached_text_key(text: str) -> str:
    """`text_key(text)`, remembered for the texts hashed lately."""
    global _text_chars
    key = _text_keys.get(text)
    if key is None:
        if _text_chars + len(text) > _TEXT_CHARS_KEPT:
            _text_keys.clear()
            _text_chars = 0
        key = _text_keys[text] = text_key(text)
        _text_chars += len(text)
    return key


def _shared_push_part(push: Push) -> tuple[dict, str]:
    """The push's document but its id and chat, and its encoding without the opening brace."""
    rest = push_to_doc(push, cached_text_key(push.text))
    del rest["id"], rest["chat_id"]
    return rest, encode_value(rest)[1:]
