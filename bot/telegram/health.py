"""The store's health as the admins see it: a job that tells them when writes keep failing, and when they work again."""
from __future__ import annotations

import logging

from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.digest.i18n import t
from bot.services import Services
from bot.telegram.jobs import job_queue_of

logger = logging.getLogger(__name__)

CHECK_SECONDS = 60.0
TOLD = "health.store_trouble_told"


async def warn_admins_of_store_trouble(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: tell every admin once when the store's writes start failing (a full disk), and once when they recover."""
    application = context.application
    services: Services = application.bot_data["services"]
    problem = services.store.disk_trouble()
    told = application.bot_data.get(TOLD, False)
    if bool(problem) == told:
        return
    application.bot_data[TOLD] = bool(problem)
    language = services.settings.default_language
    text = (t("tg_admin_store_trouble", language, problem=problem[:300]) if problem
            else t("tg_admin_store_ok", language))
    for admin_id in sorted(services.settings.admin_ids):
        try:
            await context.bot.send_message(admin_id, text, parse_mode=None)
        except TelegramError:
            logger.warning("could not tell admin %s about the store", admin_id)


def install_health_checks(application: Application) -> None:
    job_queue_of(application).run_repeating(warn_admins_of_store_trouble, interval=CHECK_SECONDS,
                                            first=CHECK_SECONDS, name="warn_admins_of_store_trouble")
