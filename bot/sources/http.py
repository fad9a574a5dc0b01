"""The polite async HTTP client for live sources (httpx).

Every request names the bot (User-Agent), has a connect/read timeout and a total
deadline (a slow drip is cut off), is cut off past a size limit, follows at most a
few redirects (each hop counted against its own host), sends conditional headers
(ETag / Last-Modified) so an unchanged feed costs one 304, and waits for a free slot:
at most `per_host` requests in flight to one host and `in_flight` overall. A host that
answers 429 is left alone for its Retry-After for the rest of the pass.
Nothing here raises for a network problem: a `Fetched` carries the status or a one-line error.
"""
from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections import defaultdict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import AsyncIterator
from urllib.parse import urljoin, urlsplit

import httpx

logger = logging.getLogger(__name__)

REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Politeness:
    """How the client behaves (from Settings; see .env.example)."""

    user_agent: str = "DiplomacyDigestBot/0.1"
    timeout: float = 15.0          # connect, and between two bytes
    total: float = 60.0            # the whole response
    max_bytes: int = 5_000_000
    per_host: int = 2
    in_flight: int = 8
    max_redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    """One response, or why there is none. `error` is "" for 2xx and 304."""

    url: str
    final_url: str = ""
    status: int = 0
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    retry_after: float = 0.0       # seconds the server asked us to wait (429/503), 0 if none
    error: str = ""
    hosts: tuple[str, ...] = ()    # every host the redirects went through, first to last

    @property
    def is_ok(self) -> bool:
        return not self.error and 200 <= self.status < 300

    @property
    def is_not_modified(self) -> bool:
        return self.status == 304


def retry_after_seconds(value: str, now: float) -> float:
    """A Retry-After header (seconds or an HTTP date) as seconds from now; 0 when absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return 0.0
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, when.timestamp() - now)


@dataclass
class _Gates:
    """The in-flight limits, and what was observed (for the benchmark and tests)."""

    per_host: int
    overall: asyncio.Semaphore
    hosts: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    max_in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    wait_until: dict[str, float] = field(default_factory=dict)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        semaphore = self.hosts.setdefault(host, asyncio.Semaphore(self.per_host))
        async with semaphore, self.overall:
            self.in_flight[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self.in_flight[host])
            try:
                yield
            finally:
                self.in_flight[host] -= 1


class PoliteClient:
    """`async with PoliteClient(politeness) as client: fetched = await client.get(url, etag=...)`."""

    def __init__(self, politeness: Politeness, *, transport: httpx.AsyncBaseTransport | None = None):
        self.politeness = politeness
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._gates: _Gates | None = None

    async def __aenter__(self) -> "PoliteClient":
        p = self.politeness
        self._gates = _Gates(p.per_host, asyncio.Semaphore(p.in_flight))
        self._client = httpx.AsyncClient(
            headers={"User-Agent": p.user_agent}, timeout=httpx.Timeout(p.timeout), follow_redirects=False,
            limits=httpx.Limits(max_connections=p.in_flight, max_keepalive_connections=p.in_flight),
            transport=self._transport)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    @property
    def max_in_flight(self) -> dict[str, int]:
        """Host -> the most requests that were in flight to it at once."""
        return dict(self._gates.max_in_flight) if self._gates else {}

    async def get(self, url: str, *, etag: str = "", last_modified: str = "", accept: str = "*/*") -> Fetched:
        """GET `url` politely (see the module doc); never raises for network or HTTP trouble."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        hosts: list[str] = []
        current = url
        for _hop in range(self.politeness.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return Fetched(url, current, error=f"refused to fetch {current!r}: not an http(s) URL",
                               hosts=tuple(hosts))
            host = parts.hostname
            hosts.append(host)
            waited = self._host_wait(host)
            if waited:
                return Fetched(url, current, status=429, retry_after=waited, hosts=tuple(hosts),
                               error=f"{host} asked us to wait {waited:.0f}s (429 Retry-After)")
            fetched = await self._one(url, current, headers, tuple(hosts))
            if fetched.status in REDIRECTS and not fetched.error:
                current = urljoin(current, fetched.final_url)
                continue
            return fetched
        return Fetched(url, current, error=f"more than {self.politeness.max_redirects} redirects",
                       hosts=tuple(hosts))

    def _host_wait(self, host: str) -> float:
        assert self._gates is not None
        return max(0.0, self._gates.wait_until.get(host, 0.0) - time.time())

    async def _one(self, url: str, current: str, headers: dict[str, str], hosts: tuple[str, ...]) -> Fetched:
        assert self._gates is not None
        host = hosts[-1]
        async with self._gates.slot(host):
            try:
                async with asyncio.timeout(self.politeness.total):
                    fetched = await self._stream(url, current, headers, hosts)
            except TimeoutError:
                return Fetched(url, current, hosts=hosts,
                               error=f"no complete response within {self.politeness.total:g}s (slow or stalled)")
            except httpx.TimeoutException:
                return Fetched(url, current, hosts=hosts, error=f"timed out ({self.politeness.timeout:g}s)")
            except httpx.HTTPError as exc:
                return Fetched(url, current, hosts=hosts, error=f"network error: {exc.__class__.__name__}: {exc}")
        if fetched.retry_after and fetched.status in (429, 503):
            self._gates.wait_until[host] = time.time() + fetched.retry_after
        return fetched

    async def _stream(self, url: str, current: str, headers: dict[str, str], hosts: tuple[str, ...]) -> Fetched:
        assert self._client is not None
        limit = self.politeness.max_bytes
        async with self._client.stream("GET", current, headers=headers) as response:
            meta = dict(url=url, final_url=current, status=response.status_code, hosts=hosts,
                        content_type=response.headers.get("content-type", ""),
                        etag=response.headers.get("etag", ""),
                        last_modified=response.headers.get("last-modified", ""),
                        retry_after=retry_after_seconds(response.headers.get("retry-after", ""), time.time()))
            if response.status_code in REDIRECTS:
                location = response.headers.get("location", "")
                if not location:
                    return Fetched(**meta, error=f"HTTP {response.status_code} redirect without a Location")
                return Fetched(**{**meta, "final_url": location})
            if response.status_code == 304:
                return Fetched(**meta)
            if response.status_code >= 400:
                return Fetched(**meta, error=f"HTTP {response.status_code} {response.reason_phrase}".strip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return Fetched(**meta, error=f"response is {int(declared):,} bytes, over the {limit:,} limit "
                                             "(MAX_FETCH_BYTES)")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    return Fetched(**meta, error=f"response is over the {limit:,} byte limit (MAX_FETCH_BYTES)")
                chunks.append(chunk)
            return Fetched(**meta, body=b"".join(chunks))
