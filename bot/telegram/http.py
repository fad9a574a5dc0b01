"""The bot's HTTP server (tornado, which PTB's webhook extra brings): /healthz, /readyz, /metrics,
and in webhook mode the webhook itself, all on one port.

- /healthz: the process is up (200);
- /readyz: the store answers, the catalog is built, and what this process leads beats:
  the scheduler ticked within 3 ticks (+30 s), the sender looped within SENDER_MAX_AGE.
  503 with one line per problem otherwise (a supervisor restarts or stops routing);
- /metrics: Prometheus' text format (`bot.metrics`), the outbox depth read from the store;
- POST <webhook path>: an update from Telegram, refused (403) without the secret token.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot.metrics import CONTENT_TYPE_LATEST
from bot.services import Services
from bot.telegram.jobs import leads

logger = logging.getLogger(__name__)

SENDER_MAX_AGE = "health.sender_max_age"      # bot_data keys (seconds), so a test can shorten them
SCHEDULER_MAX_AGE = "health.scheduler_max_age"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class OutboxCollector:
    """Reads the outbox depth and the age of its oldest pending push from the store at scrape time."""

    def __init__(self, services: Services):
        self.services = services

    def collect(self):
        store = self.services.store
        depth = GaugeMetricFamily("digestbot_outbox_pending", "Pushes waiting in the outbox")
        oldest = GaugeMetricFamily("digestbot_outbox_oldest_pending_age_seconds", "Age of the oldest pending push")
        try:
            depth.add_metric([], store.push_counts().get("pending", 0))
            first = store.pending_pushes(math.inf, 1)
            oldest.add_metric([], max(0.0, self.services.clock() - first[0].created_at) if first else 0.0)
        except Exception:   # a scrape must not fail because the store is down: /readyz says so
            logger.warning("metrics: cannot read the outbox", exc_info=True)
            return
        yield depth
        yield oldest


async def readiness_problems(application: Application, services: Services) -> list[str]:
    """Why this process is not ready; [] when it is."""
    problems = []
    try:
        await asyncio.to_thread(services.store.get_meta, "schema_version")
    except Exception as exc:
        problems.append(f"store: {type(exc).__name__}: {exc}")
    if not services.library.is_ready:
        problems.append("catalog: not built yet")
    limits = {"scheduler": application.bot_data.get(SCHEDULER_MAX_AGE, 3 * services.settings.tick_seconds + 30),
              "sender": application.bot_data.get(SENDER_MAX_AGE, 15.0)}
    for duty, limit in limits.items():
        if not leads(application, duty):
            continue
        age = services.metrics.age(duty)
        if age is None or age > limit:
            problems.append(f"{duty}: no heartbeat for {'ever' if age is None else f'{age:.0f}s'} (limit {limit:g}s)")
    return problems


class _Handler(RequestHandler):
    def initialize(self, bot_app: Application, services: Services, secret: str = "") -> None:
        self.bot_app = bot_app
        self.services = services
        self.secret = secret

    def data_received(self, chunk: bytes) -> None:   # not streamed
        pass


class HealthzHandler(_Handler):
    async def get(self) -> None:
        self.write("ok\n")


class ReadyzHandler(_Handler):
    async def get(self) -> None:
        problems = await readiness_problems(self.bot_app, self.services)
        self.set_status(503 if problems else 200)
        self.write("\n".join(problems) + "\n" if problems else "ready\n")


class MetricsHandler(_Handler):
    async def get(self) -> None:
        body = await asyncio.to_thread(self.services.metrics.exposition)
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.write(body)


class WebhookHandler(_Handler):
    async def post(self) -> None:
        if self.request.headers.get(SECRET_HEADER) != self.secret:
            self.set_status(403)
            return
        try:
            data: Any = json.loads(self.request.body)
            update = Update.de_json(data, self.bot_app.bot)
        except (ValueError, TypeError, KeyError):
            self.set_status(400)
            return
        if update is not None:
            await self.bot_app.update_queue.put(update)


def web_app(application: Application, services: Services, webhook_path: str = "") -> WebApplication:
    kwargs = {"bot_app": application, "services": services}
    routes: list[Any] = [(r"/healthz", HealthzHandler, kwargs), (r"/readyz", ReadyzHandler, kwargs),
                         (r"/metrics", MetricsHandler, kwargs)]
    if webhook_path:
        routes.append((f"/{webhook_path.strip('/')}", WebhookHandler,
                       {**kwargs, "secret": services.settings.webhook_secret}))
    return WebApplication(routes)


def start_http_server(application: Application, services: Services, listen: str, port: int,
                      webhook_path: str = "") -> tuple[HTTPServer, int]:
    """Serve the routes on listen:port (0 = any free port) on the running loop; returns (server, port)."""
    if "health.collector" not in application.bot_data:
        services.metrics.add_collector(OutboxCollector(services))
        application.bot_data["health.collector"] = True
    server = HTTPServer(web_app(application, services, webhook_path), xheaders=True)
    sockets = bind_sockets(port, listen)
    server.add_sockets(sockets)
    bound = sockets[0].getsockname()[1]
    logger.info("HTTP: /healthz /readyz /metrics%s on %s:%d", " and the webhook" if webhook_path else "", listen, bound)
    return server, bound
