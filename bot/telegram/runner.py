"""`digestbot run` and `digestbot chat`: long polling, webhook mode, or the offline console."""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.errors import ConfigError
from bot.heap import new_event_loop
from bot.services import Services, open_services
from bot.telegram.app import build_application, raise_fatal
from bot.telegram.http import start_http_server
from bot.telegram.jobs import DUTIES
from bot.telegram.console.chat import run_console

logger = logging.getLogger(__name__)

GO_LIVE = ("No TELEGRAM_BOT_TOKEN: starting the offline console. To go live, create a bot "
           "with @BotFather, put TELEGRAM_BOT_TOKEN=<token> in .env and run `digestbot run` again.")
NO_TOKEN = "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it in the environment or .env"


def run_bot(settings: Settings, role: str = "all") -> int:
    """Serve until SIGINT/SIGTERM (exit 0; a store that cannot be read raises, exit 1): long polling, or a
    webhook when WEBHOOK_URL is set.

    `role` (`--role`): web, scheduler, sender, fetch or all (see bot.telegram.roles); only a
    process with the web duty receives updates.
    """
    logging.getLogger("httpx").setLevel(logging.WARNING)   # httpx logs URLs, which hold the token
    if not settings.telegram_bot_token:
        if sys.stdin.isatty():
            print(GO_LIVE, file=sys.stderr)
            return run_console(settings)
        print(NO_TOKEN, file=sys.stderr)
        return 1
    if role != "all" and not settings.database_url:   # before opening anything (roles.check_role checks again)
        raise ConfigError(f"--role {role} needs a store shared by several processes: set DATABASE_URL")
    services = open_services(settings, defer_catalog=True, defer_people=True)   # app.warm_up_store reads them
    services.role = role
    try:
        application = build_application(services)   # post_shutdown closes the store
    except BaseException:
        services.close()
        raise
    if "web" not in DUTIES[role]:
        logger.info("running as %s (no updates)", role)
        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            runner.run(serve(application, services, webhook=False))
    elif settings.webhook_url:
        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            runner.run(serve(application, services, webhook=True))
    else:
        logger.info("long polling %s", urlsplit(settings.telegram_api_base_url).netloc)
        asyncio.set_event_loop(new_event_loop())   # worker threads step aside while it runs (bot.heap)
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    raise_fatal(application)      # a store that cannot be read at the warm-up: exit 1 with the file named
    logger.info("stopped")
    return 0



async def serve(application: Application, services: Services, *, webhook: bool) -> None:
    """Run the Application until SIGINT/SIGTERM without PTB's updater: the webhook on our own
    HTTP server (beside /healthz /readyz /metrics), or no updates at all (scheduler, sender, fetch)."""
    settings = services.settings
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    server = None
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if webhook:
            path = urlsplit(settings.webhook_url).path.lstrip("/")
            server = start_http_server(application, services, settings.webhook_listen, settings.webhook_port, path)[0]
        await application.start()
        if webhook:
            await application.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret,
                                              allowed_updates=Update.ALL_TYPES)
            logger.info("serving a webhook on %s:%d", settings.webhook_listen, settings.webhook_port)
        await stop.wait()
    finally:
        if server is not None:
            server.stop()
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
