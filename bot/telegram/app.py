"""The Application factory: one place that wires the settings, the handlers and the schedules.

`build_application(services)` returns a configured PTB Application (the real one
for `digestbot run`, the same one over a console or test transport).
`application_handlers(...)` is the one list of handlers; `bot.telegram.jobs.install_schedules`
adds the periodic jobs — the fallback group steps aside for any CommandHandler.
"""
from __future__ import annotations

import asyncio
import time
import logging
from dataclasses import replace
from zoneinfo import ZoneInfo

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseHandler, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.digest.search import load_ranking
from bot.errors import StoreError
from bot.heap import freeze_survivors, tune_for_latency
from bot.services import Services
from bot.telegram.handlers.callbacks import callback_handlers
from bot.telegram.handlers.guards import GUARD_GROUP, guard_handlers, last_resort_handlers
from bot.telegram.handlers.fallback import FALLBACK_GROUP, fallback_handlers
from bot.telegram.handlers.reader import reader_handlers
from bot.telegram.handlers.admin import admin_handlers
from bot.telegram.handlers.sources import source_handlers
from bot.telegram.handlers.subscribe import subscription_handlers
from bot.telegram.handlers.inline import inline_handlers
from bot.telegram.health import install_health_checks
from bot.telegram.handlers.returning import RETURNING_GROUP, returning_handlers
from bot.telegram.flood import FLOOD_GROUP, flood_handlers, shared_rate_limiter
from bot.telegram.http import start_http_server
from bot.telegram.jobs import DUTIES, install_schedules, job_queue_of
from bot.telegram.roles import install_roles, resign
from bot.telegram.menu import set_command_menu, set_description
from bot.telegram.pages import PageCache
from bot.telegram.reloads import reloads_of
from bot.telegram.replies import language_of, refresh_themes, say

logger = logging.getLogger(__name__)
OFFLINE_TOKEN = "0:offline"


def application_handlers() -> list[BaseHandler]:
    """Every handler of group 0, in the order PTB tries them."""
    return [*reader_handlers(), *subscription_handlers(), *admin_handlers(), *source_handlers(),
            *callback_handlers(), *inline_handlers(), *last_resort_handlers()]


def build_application(services: Services, *, request: BaseRequest | None = None,
                      updater: bool = True, flood_budget: bool = True) -> Application:
    """The configured Application: defaults, transport, handlers, error handler, schedules.

    `flood_budget=False` leaves replies outside the shared flood budget (how the bot was
    before it had one; benchmarks/flood.py measures both in one run)."""
    settings = services.settings
    builder = (ApplicationBuilder().application_class(MeteredApplication)
               .token(settings.telegram_bot_token or OFFLINE_TOKEN))
    if flood_budget:
        builder = builder.rate_limiter(shared_rate_limiter(settings))   # replies and pushes: one budget
    builder = (builder
               .base_url(settings.telegram_api_base_url).base_file_url(settings.telegram_api_file_url)
               .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=ZoneInfo(settings.default_timezone),
                                  link_preview_options=LinkPreviewOptions(is_disabled=True)))
               .concurrent_updates(16).post_init(start_bot).post_shutdown(stop_bot))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data.update(services=services, errors=0, pages=PageCache())
    if flood_budget:
        application.add_handlers(flood_handlers(settings), group=FLOOD_GROUP)
    application.add_handlers(returning_handlers(), group=RETURNING_GROUP)
    application.add_handlers(guard_handlers(), group=GUARD_GROUP)
    application.add_handlers(application_handlers())
    application.add_handlers(fallback_handlers(), group=FALLBACK_GROUP)
    application.add_error_handler(log_error)
    install_schedules(application, services)
    install_roles(application, services)
    install_health_checks(application)
    tune_for_latency()
    freeze_survivors()   # the store and catalog just loaded: never walked by the garbage collector
    return application


async def ingest_in_background(application: Application) -> None:
    """Ingest the seeds off the event loop; commands are answered meanwhile."""
    services: Services = application.bot_data["services"]
    try:
        report = await reloads_of(application).run_blocking(services.library.ingest_and_rebuild)
    except Exception:
        logger.exception("start-up ingest failed; serving the stored articles")
        return
    services.metrics.record_ingest(len(report.added), len(report.updated), len(report.unchanged),
                                   len(report.retired), len(report.rejected))
    logger.info("ingest: %d added, %d updated, %d unchanged, %d retired, %d rejected in %.1fs",
                len(report.added), len(report.updated), len(report.unchanged),
                len(report.retired), len(report.rejected), report.seconds)
    await set_command_menu(application)


class MeteredApplication(Application):
    """The Application, timing every update it handles (the command latency histogram of /metrics)."""

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            services = self.bot_data.get("services")
            if services is not None:
                services.metrics.commands.labels(update_kind(update)).observe(time.perf_counter() - started)


def update_kind(update: object) -> str:
    """command, callback, inline or message: a label with few values, whatever users type."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "callback"
    if update.inline_query is not None:
        return "inline"
    message = update.effective_message
    if message is not None and (message.text or "").startswith("/"):
        return "command"
    return "message"


async def start_bot(application: Application) -> None:
    """post_init: load themes, start the ingest in the background (if this process fetches),
    serve /healthz /readyz /metrics on METRICS_PORT in polling mode, register the command menu."""
    services: Services = application.bot_data["services"]
    await refresh_themes(services)
    job_queue_of(application).run_once(warm_up_store, 0, name="store warm-up")   # runs once polling started
    if "fetch" in DUTIES[services.role]:
        application.bot_data["ingest"] = asyncio.get_running_loop().create_task(
            ingest_in_background(application), name="start-up ingest")
    settings = services.settings
    if settings.metrics_port and not settings.webhook_url and "health.server" not in application.bot_data:
        application.bot_data["health.server"] = start_http_server(
            application, services, settings.metrics_listen, settings.metrics_port)[0]
    await set_command_menu(application)
    await set_description(application)


FATAL = "fatal"     # bot_data key: an error that stopped the application, raised once it has shut down


def raise_fatal(application: Application) -> None:
    """Raise the error that stopped `application`, if one did (after run_polling / serve returned)."""
    error = application.bot_data.pop(FATAL, None)
    if error is not None:
        raise error


async def warm_up_store(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Read the tables the store left for later (`TinyStore(defer_people=True)`: subscribers and
    the outbox) and import the search ranking's numpy, off the event loop; commands that need the
    tables meanwhile wait for them."""
    await asyncio.to_thread(load_ranking)      # numpy, for the first /search
    warm_up = getattr(context.application.bot_data["services"].store, "warm_up", None)
    if warm_up is None:
        return
    try:
        await asyncio.to_thread(warm_up)
    except StoreError as exc:
        logger.exception("cannot read the store's subscribers or outbox; stopping")
        context.application.bot_data[FATAL] = exc      # run_bot raises it: the process exits 1, naming the file
        context.application.stop_running()


async def stop_bot(application: Application) -> None:
    """post_shutdown: let a running ingest finish its write, then close the store."""
    ingest = application.bot_data.pop("ingest", None)
    if ingest is not None:
        await asyncio.gather(ingest, return_exceptions=True)
    reloads_of(application).close()
    server = application.bot_data.pop("health.server", None)
    if server is not None:
        server.stop()
    resign(application)
    application.bot_data["services"].store.close()


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log first, with the traceback; then mark blocked chats inactive or apologise briefly.

    A write the store refused while its disk is failing is not logged again (the store logs
    that once a minute and the admins are told): the user hears why, with no traceback.
    """
    services: Services = context.application.bot_data["services"]
    disk_trouble = isinstance(context.error, StoreError) and services.store.disk_trouble()
    if not disk_trouble:
        logger.error("update %s failed", getattr(update, "update_id", "-"), exc_info=context.error)
    context.application.bot_data["errors"] = context.application.bot_data.get("errors", 0) + 1
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(context.error, Forbidden):
        subscriber = services.store.get_subscriber(update.effective_chat.id)
        if subscriber is not None and subscriber.is_active:
            services.store.save_subscriber(replace(subscriber, is_active=False, paused_at=services.clock(),
                                                   paused_reason=str(context.error)[:200]))
        return
    try:
        key = "tg_store_full" if disk_trouble else "tg_error"
        await context.bot.send_message(update.effective_chat.id, say(key, language_of(update, services)))
    except TelegramError:
        logger.warning("could not tell chat %s about the error", update.effective_chat.id)
