"""A local feed and page server on 127.0.0.1 for the live-source tests and benchmarks/fetch.py.

Routes are set by the test (`server.route("/feed.xml", body, content_type=…, etag=…)`);
the server honours If-None-Match / If-Modified-Since with 304, and a route can instead
answer a status with headers (429 + Retry-After, 500), redirect, stall before answering,
drip its body a byte at a time, or wait on a `threading.Event` the test sets. Every
request is recorded (path, headers) and the most requests in flight at once is kept.
`localhost` and `127.0.0.1` reach the same server as two different hosts.

Feed builders: `rss`, `atom`, `json_feed` from `Item`s; `article_page` makes a page
with enough text to summarize; `real_page(name)` is one of the pages in tests/data/fetch/pages.
"""
from __future__ import annotations

import gzip
import html
import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from tests.support.paths import DATA

PAGES = DATA / "fetch" / "pages"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    stall: float = 0.0                    # seconds before anything is sent
    drip: float = 0.0                     # seconds between single bytes of the body
    gate: threading.Event | None = None   # wait for the test to set it before answering


@dataclass(frozen=True)
class Request:
    path: str
    host: str
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:   # a client that hung up is part of the tests
        pass


class FeedServer:
    """`with FeedServer() as server: server.route(...); server.url("/feed.xml")`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.in_flight_by_host: dict[str, int] = {}
        self.max_in_flight_by_host: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.request_queue_size = 128
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, body: bytes | str = b"", **options) -> Route:
        route = Route(body=body.encode("utf-8") if isinstance(body, str) else body, **options)
        self.routes[path] = route
        return route

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> "FeedServer":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        for route in self.routes.values():
            if route.gate is not None:
                route.gate.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FeedServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _handler_for(server: FeedServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            host = headers.get("host", "").split(":")[0]
            with server._lock:
                server.requests.append(Request(self.path, host, headers))
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
                server.in_flight_by_host[host] = server.in_flight_by_host.get(host, 0) + 1
                server.max_in_flight_by_host[host] = max(server.max_in_flight_by_host.get(host, 0),
                                                         server.in_flight_by_host[host])
            try:
                self._answer(server.routes.get(self.path), headers)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with server._lock:
                    server.in_flight -= 1
                    server.in_flight_by_host[host] -= 1

        def _answer(self, route: Route | None, headers: dict[str, str]) -> None:
            if route is None:
                return self._send(404, b"not found", {"Content-Type": "text/plain"})
            if route.gate is not None:
                route.gate.wait(30)
            if route.stall:
                time.sleep(route.stall)
            fresh = (route.etag and headers.get("if-none-match") == route.etag) or \
                (route.last_modified and headers.get("if-modified-since") == route.last_modified)
            extra = dict(route.headers)
            if route.etag:
                extra["ETag"] = route.etag
            if route.last_modified:
                extra["Last-Modified"] = route.last_modified
            if fresh and route.status == 200:
                return self._send(304, b"", extra)
            extra.setdefault("Content-Type", route.content_type)
            self._send(route.status, route.body, extra, route.drip)

        def _send(self, status: int, body: bytes, headers: dict[str, str], drip: float = 0.0) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
            self.end_headers()
            if status == 304:
                return
            if not drip:
                self.wfile.write(body)
                return
            for index in range(len(body)):
                self.wfile.write(body[index:index + 1])
                self.wfile.flush()
                time.sleep(drip)

    return Handler


# --- feeds and pages -------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    title: str
    link: str = ""
    guid: str = ""
    published: float = 0.0          # epoch; 0 = no date
    summary: str = ""


def _rfc822(when: float) -> str:
    return formatdate(when, usegmt=True)


def _iso(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def rss(items: list[Item], title: str = "Test feed", ttl: int = 0) -> str:
    parts = [f"<item><title>{html.escape(i.title)}</title>"
             + (f"<link>{html.escape(i.link)}</link>" if i.link else "")
             + (f"<guid>{html.escape(i.guid)}</guid>" if i.guid else "")
             + (f"<pubDate>{_rfc822(i.published)}</pubDate>" if i.published else "")
             + f"<description>{html.escape(i.summary)}</description></item>" for i in items]
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{html.escape(title)}</title>'
            f"<link>http://example.org/</link>{ttl_tag}{''.join(parts)}</channel></rss>")


def atom(items: list[Item], title: str = "Test Atom feed") -> str:
    parts = [f"<entry><title>{html.escape(i.title)}</title>"
             + (f'<link href="{html.escape(i.link)}"/>' if i.link else "")
             + f"<id>{html.escape(i.guid or i.link)}</id>"
             + (f"<updated>{_iso(i.published)}</updated>" if i.published else "")
             + f'<summary type="html">{html.escape(i.summary)}</summary></entry>' for i in items]
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{html.escape(title)}</title><id>urn:test</id>{''.join(parts)}</feed>")


def json_feed(items: list[Item], title: str = "Test JSON feed") -> str:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title, "items": [
        {"id": i.guid or i.link, **({"url": i.link} if i.link else {}), "title": i.title,
         "content_html": i.summary, **({"date_published": _iso(i.published)} if i.published else {})}
        for i in items]})


_SENTENCES = [
    "The foreign minister of {country} said on {day} that the government would review its membership of {body}.",
    "Diplomats from {n} countries met in {city} to discuss the political crisis and the upcoming elections.",
    "{body} issued a statement calling for dialogue, respect for human rights and a peaceful transition.",
    "Officials in {city} told reporters that the talks had been difficult but that progress was possible.",
    "Analysts said the decision marked a shift in the regional balance and in relations with Washington.",
    "The president of {country} defended the move in a televised address late on {day}.",
    "Opposition leaders criticised the announcement and asked congress to summon the foreign minister.",
    "Trade between the two countries grew by {n} percent last year, according to official figures.",
]
_COUNTRIES = ["Peru", "Chile", "Bolivia", "Colombia", "Ecuador", "Argentina", "Brazil", "Mexico"]
_CITIES = ["Lima", "Santiago", "La Paz", "Bogota", "Quito", "Buenos Aires", "Brasilia", "Mexico City"]
_BODIES = ["the Lima Group", "the OAS", "CELAC", "UNASUR", "the Andean Community"]


def article_text(number: int) -> list[str]:
    """Six paragraphs about a (made-up) diplomatic event; different numbers give different articles."""
    fields = dict(country=_COUNTRIES[number % 8], city=_CITIES[(number // 8) % 8], body=_BODIES[number % 5],
                  n=number % 37 + 3, day=["Monday", "Tuesday", "Friday"][number % 3])
    order = [(number + k * 3) % len(_SENTENCES) for k in range(len(_SENTENCES))]
    return [" ".join(_SENTENCES[(i + j) % len(_SENTENCES)].format(**fields) for j in range(2)) +
            f" Report {number}." for i in order[:6]]


def article_page(number: int, title: str = "", canonical: str = "") -> str:
    title = title or f"Story {number}: {_BODIES[number % 5]} and {_COUNTRIES[number % 8]}"
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in article_text(number))
    link = f'<link rel="canonical" href="{html.escape(canonical)}">' if canonical else ""
    return (f"<!doctype html><html lang='en'><head><title>{html.escape(title)}</title>{link}</head><body>"
            f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>{html.escape(title)}</h1>"
            f"{paragraphs}</article><footer>Copyright 2026 Example News. All rights reserved.</footer></body></html>")


def real_page(name: str) -> bytes:
    """One of the real news pages copied from the extraction set (gzip in tests/data/fetch/pages)."""
    return gzip.decompress((PAGES / f"{name}.html.gz").read_bytes())
