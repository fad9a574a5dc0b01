"""What the bot remembers about each live source between polls, and what one fetch pass did.

`SourceState` is kept in the store's metadata (one record per source, plain JSON): the
validators for conditional GET, the outcome of the last attempt, the backoff, whether the
admins were told about a long failure, and the entries already seen (id -> fingerprint),
so an unchanged entry costs nothing and a changed one updates its article.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from bot.models import IngestReport, Rejection

STATE_PREFIX = "source_state:"


@dataclass(frozen=True)
class SourceState:
    url: str = ""                  # the URL this state is for (a changed URL starts afresh)
    etag: str = ""
    last_modified: str = ""
    last_attempt: float = 0.0
    last_success: float = 0.0
    last_error: str = ""
    failing_since: float = 0.0     # start of the current run of failures, 0.0 when the last attempt worked
    failures: int = 0
    next_attempt: float = 0.0      # not polled before this (interval, ttl, Retry-After, backoff)
    is_alerted: bool = False       # the admins were told about the current run of failures
    seen: dict[str, str] = field(default_factory=dict)   # article id -> entry fingerprint

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: object) -> "SourceState":
        if not isinstance(doc, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in doc.items() if key in known}
        values["seen"] = dict(values.get("seen") or {})
        return cls(**values)

    def for_url(self, url: str) -> "SourceState":
        """This state, or a fresh one when the source now points elsewhere (keeps its history of errors)."""
        return self if self.url == url else replace(SourceState(url=url), seen=dict(self.seen))


@dataclass(frozen=True)
class SourceResult:
    """What one pass did with one source."""

    name: str
    url: str
    status: str                                # fetched | not modified | failed | waiting | skipped
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0
    rejected: tuple[Rejection, ...] = ()
    error: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FetchReport:
    """What one fetch pass did, per source; `alerts` are sources just found failing for a day."""

    sources: tuple[SourceResult, ...] = ()
    retired: tuple[str, ...] = ()              # aged out (SOURCE_RETENTION_DAYS)
    alerts: tuple[tuple[str, str], ...] = ()   # (source name, last error)
    seconds: float = 0.0
    is_dry_run: bool = False

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(i for s in self.sources for i in s.added)

    @property
    def updated(self) -> tuple[str, ...]:
        return tuple(i for s in self.sources for i in s.updated)

    @property
    def failed(self) -> tuple[SourceResult, ...]:
        return tuple(s for s in self.sources if s.status == "failed")

    def as_ingest_report(self) -> IngestReport:
        """The shape the Library's listeners (instant digests) take."""
        return IngestReport(added=self.added, updated=self.updated, retired=self.retired,
                            rejected=tuple(r for s in self.sources for r in s.rejected), seconds=self.seconds)
