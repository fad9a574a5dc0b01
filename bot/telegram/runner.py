"""`digestbot run` and `digestbot chat`: long polling, webhook mode, or the offline console."""
from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit

from telegram import Update

from bot.config import Settings
from bot.services import open_services
from bot.telegram.app import build_application
from bot.telegram.console.chat import run_console

logger = logging.getLogger(__name__)

GO_LIVE = ("No TELEGRAM_BOT_TOKEN: starting the offline console. To go live, create a bot "
           "with @BotFather, put TELEGRAM_BOT_TOKEN=<token> in .env and run `digestbot run` again.")
NO_TOKEN = "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it in the environment or .env"


def run_bot(settings: Settings) -> int:
    """Serve until SIGINT/SIGTERM (exit 0): long polling, or a webhook when WEBHOOK_URL is set."""
    logging.getLogger("httpx").setLevel(logging.WARNING)   # httpx logs URLs, which hold the token
    if not settings.telegram_bot_token:
        if sys.stdin.isatty():
            print(GO_LIVE, file=sys.stderr)
            return run_console(settings)
        print(NO_TOKEN, file=sys.stderr)
        return 1
    application = build_application(open_services(settings))   # post_shutdown closes the store
    if settings.webhook_url:
        logger.info("serving a webhook on %s:%d", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(
            listen=settings.webhook_listen, port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"), webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES)
    else:
        logger.info("long polling %s", urlsplit(settings.telegram_api_base_url).netloc)
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    logger.info("stopped")
    return 0

