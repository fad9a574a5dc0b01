"""Whole digests in the outbox: one record for the parts of one digest for one chat.

A due pass enqueues ~100,000 digests of ~5 messages each. As one push record per message,
each part cost a `Push`, a state document, a journal member and three index entries (about
20 us, 100 us a subscriber). Here a digest whose parts are all still pending and untouched is
one `Entry` (one row in the `digests` table of outbox.json, one index entry). Its parts are
made into `Push` objects only when the sender reads them (`Outbox.pending`). The first change
to any of its parts (sent, failed, a retry, dropped, a migrated chat, or a part found
delivered at open) dissolves the entry: its other parts become push records as they were, in
the same journal line that records the change. So an entry is always a whole digest exactly
as enqueued, and the outbox reads as if every part had been a push of its own: the same
pending pushes in the same order (tests/test_outbox_digests.py compares the two).

An entry's id is `"{chat_id}:{digest_key}:*"`; its part n is the push `push_id(chat_id,
digest_key, n)` = `"{chat_id}:{digest_key}:{n}"` (ids ending ":*" are the outbox's own): in the
pending index an entry sorts just before where its parts would (":*" < ":0").
"""
from __future__ import annotations

from json.encoder import encode_basestring_ascii as _quote   # what the journal's encoder does with a str
from typing import Any, Iterable, NamedTuple

from bot.models import OutgoingDigest, Push, pending_push, push_id
from bot.store.tinydb.files import RecordCodec
from bot.store.tinydb.journal import encode_record, encode_value
from bot.store.tinydb.members import cached_text_key

ENTRY_SUFFIX = ":*"


class Entry(NamedTuple):
    """The pending, untouched parts of one digest for one chat: ((part, text key), ...), by part."""

    chat_id: int
    thread_id: int | None
    digest_key: str
    created_at: float
    not_before: float
    parts: tuple[tuple[int, str], ...]

    @property
    def id(self) -> str:
        return f"{self.chat_id}:{self.digest_key}{ENTRY_SUFFIX}"

    @property
    def status(self) -> str:   # (what the pending index reads of a push)
        return "pending"

    def push_id(self, part: int) -> str:
        return push_id(self.chat_id, self.digest_key, part)

    def pushes(self, texts: dict[str, str]) -> list[Push]:
        """The parts as the pending pushes they stand for (`texts`: text key -> text)."""
        return [pending_push(self.push_id(part), self.chat_id, texts[key], self.digest_key, part, self.thread_id,
                             self.created_at, self.not_before) for part, key in self.parts]


def entry_part(push_id: str) -> tuple[str, int] | None:
    """(entry id, part) a push id would have in an entry; None for ids no entry can hold."""
    head, _, tail = push_id.rpartition(":")
    if not head or not tail.isascii() or not tail.isdigit() or str(int(tail)) != tail:   # (not "07": no part's id)
        return None
    return head + ENTRY_SUFFIX, int(tail)


def _entry_from_row(row: Any) -> Entry:
    chat_id, thread_id, digest_key, created_at, not_before, parts = row
    if not isinstance(chat_id, int) or not isinstance(digest_key, str) or not isinstance(thread_id, (int, type(None))):
        raise ValueError("chat, digest key or thread is not of its type")
    pairs = tuple((int(part), str(key)) for part, key in parts)
    if not pairs or len({part for part, _ in pairs}) != len(pairs):
        raise ValueError("no parts, or a part twice")
    return Entry(chat_id, thread_id, digest_key, float(created_at), float(not_before), pairs)


# a row [chat_id, thread_id, digest_key, created_at, not_before, [[part, text key], ...]]: the
# entry itself (a tuple) encodes as that JSON array
ENTRY_CODEC = RecordCodec(lambda entry: entry, _entry_from_row, "outbox digest", whole_table=True)


class Prepared(NamedTuple):
    """An outgoing digest made ready for the outbox outside the store's lock."""

    entry: Entry             # every part
    member: str              # its journal member
    texts: dict[str, str]    # text key -> text, of its parts


# digests prepared lately, (parts, key, times) -> what their members share, up to this many characters
# of their parts (the texts are mostly those `cached_text_key` keeps)
_SHARED_CHARS_KEPT = 16_000_000
_shared: dict[tuple, tuple[tuple[tuple[int, str], ...], dict[str, str], str, str]] = {}
_shared_chars = [0]


def prepare_digests(digests: Iterable[OutgoingDigest]) -> list[Prepared]:
    """Entries, journal members and text keys of digests about to be enqueued (pure).

    The digests of a due pass repeat a few dozen times over (one rendering for every subscriber
    with the same themes, language and news): what they share (the key, times and parts) is
    encoded once, and each member is its chat and thread before that shared tail, byte for byte
    `encode_record(entry.id, entry)` (tests/test_outbox_digests.py)."""
    out = []
    shared = _shared
    for digest in digests:
        if not digest.parts:
            continue
        chat_id, thread_id = digest.chat_id, digest.thread_id
        values = (digest.parts, digest.digest_key, digest.created_at, digest.not_before,
                  type(digest.created_at), type(digest.not_before))
        found = shared.get(values)
        if found is None:
            size = sum(map(len, digest.parts))
            if _shared_chars[0] + size > _SHARED_CHARS_KEPT:
                shared.clear()
                _shared_chars[0] = 0
            _shared_chars[0] += size
            keys = tuple(map(cached_text_key, digest.parts))
            pairs = tuple(enumerate(keys))
            tail = encode_value([digest.digest_key, digest.created_at, digest.not_before, pairs])[1:]
            found = shared[values] = (pairs, dict(zip(keys, digest.parts)), _quote(f":{digest.digest_key}{ENTRY_SUFFIX}")[1:], tail)
        pairs, texts, quoted_id, tail = found
        entry = Entry(chat_id, thread_id, digest.digest_key, digest.created_at, digest.not_before, pairs)
        if type(chat_id) is int and (thread_id is None or type(thread_id) is int):
            thread = "null" if thread_id is None else repr(thread_id)
            member = f'"{chat_id!r}{quoted_id}: [{chat_id!r}, {thread}, {tail}'
        else:   # (a bool, an int subclass: the general way)
            member = encode_record(entry.id, entry)
        out.append(Prepared(entry, member, texts))
    return out
