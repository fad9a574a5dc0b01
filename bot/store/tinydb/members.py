"""Journal members of pushes that share most of their document, encoded a part at a time.

A due pass writes ~5 pushes for each due subscriber (a digest of 30 stories is several
messages). The pushes of one digest part for many subscribers differ only in id and chat:
JSON-encoding each push's document whole was ~12 us of the pass's ~40 us a push; here the
shared part is encoded once and the id and chat per push. The output is byte for byte what
`encode_record(key, doc)` gives (tests/test_due_scale.py checks it on random pushes).
"""
from __future__ import annotations

from typing import Iterable

from bot.models import Push
from bot.store.codec import push_to_doc, text_key
from bot.store.tinydb.journal import encode_record, encode_value


_TEXT_KEYS_KEPT = 2048   # texts hashed lately (a due pass writes the same digests in many slices)
_text_keys: dict[str, str] = {}


def push_members(pushes: Iterable[Push]) -> dict[str, tuple[dict, str]]:
    """Push id -> (its state document without the text, its journal member)."""
    shared: dict[tuple, tuple[dict, str, tuple]] = {}
    out = {}
    for push in pushes:
        key = _text_keys.get(push.text)
        if key is None:
            if len(_text_keys) >= _TEXT_KEYS_KEPT:
                _text_keys.clear()
            key = _text_keys[push.text] = text_key(push.text)
        if type(push.chat_id) is not int or type(push.id) is not str:   # (a bool, a subclass: the general way)
            doc = push_to_doc(push, key)
            out[push.id] = (doc, encode_record(push.id, doc))
            continue
        rest, encoded = _shared_push_part(push, key, shared)
        quoted = encode_value(push.id)
        out[push.id] = ({"id": push.id, "chat_id": push.chat_id, **rest},
                        f'{quoted}: {{"id": {quoted}, "chat_id": {push.chat_id!r}, {encoded}')
    return out


def _shared_push_part(push: Push, key: str, shared: dict[tuple, tuple[dict, str, tuple]]) -> tuple[dict, str]:
    """The push's document but its id and chat, and its encoding without the opening brace; once per
    distinct value (types included: 1 and 1.0 are equal but encode differently)."""
    values = (push.digest_key, push.part, push.thread_id, push.created_at, push.attempts, push.not_before,
              push.status, push.error, key)
    found = shared.get(values)
    types = tuple(map(type, values))
    if found is None or found[2] != types:
        rest = push_to_doc(push, key)
        del rest["id"], rest["chat_id"]
        found = shared[values] = (rest, encode_value(rest)[1:], types)
    return found[0], found[1]
