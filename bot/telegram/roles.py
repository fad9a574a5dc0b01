"""Roles when one process is not enough (`digestbot run --role`), on a shared (PostgreSQL) store.

- web: answers updates (webhook replicas behind a load balancer, or one poller);
- scheduler: the due tick; sender: drains the outbox. Exactly one of each is active per
  bot token, elected with an advisory lock (`bot.store.postgres.election`): the others
  wait and try again every ELECTION_SECONDS, so one takes over within a few seconds
  of the leader's death;
- fetch: the start-up seeds ingest and the live-source poll;
- all (default): every duty (with PostgreSQL still elected, so two `all` processes are safe).

A catalog change made by another process (ingest, fetch, /reload) reaches a web process
through the store's articles version, compared every CATALOG_SECONDS. On TinyDB (one
process, one writer) there is nothing to elect or compare: the process does all it is given.
"""
from __future__ import annotations

import asyncio
import logging
from typing import cast

from telegram.ext import Application, ContextTypes

from bot.errors import ConfigError
from bot.services import Services, is_shared
from bot.store.api import SharedStore
from bot.telegram.jobs import DUTIES, LEADS, SENDER, ensure_sender, job_queue_of, new_sender

logger = logging.getLogger(__name__)

ELECTION_SECONDS = 1.0
CATALOG_SECONDS = 2.0
ELECTIONS = "roles.elections"
ELECTED = ("scheduler", "sender")


def check_role(role: str, services: Services) -> None:
    if role not in DUTIES:
        raise ConfigError(f"--role must be one of {', '.join(DUTIES)}, got {role!r}")
    if role != "all" and not is_shared(services.store):
        raise ConfigError(f"--role {role} needs a store shared by several processes: set DATABASE_URL")


def install_roles(application: Application, services: Services) -> None:
    """Elections and catalog checks for a process on a shared store; nothing on TinyDB."""
    check_role(services.role, services)
    duties = DUTIES[services.role]
    if not is_shared(services.store):
        application.bot_data[LEADS] = set(duties)
        return
    settings = services.settings
    application.bot_data[LEADS] = set(duties) - set(ELECTED)    # elected duties wait for their lead
    store = cast(SharedStore, services.store)   # (the election's PostgreSQL driver loads with the store)
    application.bot_data[ELECTIONS] = {
        duty: store.election(duty, settings.telegram_bot_token, f"digestbot-{duty}")
        for duty in ELECTED if duty in duties}
    job_queue = job_queue_of(application)
    if application.bot_data[ELECTIONS]:
        job_queue.run_repeating(campaign, interval=ELECTION_SECONDS, first=0.0, name="campaign",
                                job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})
    job_queue.run_repeating(refresh_catalog, interval=CATALOG_SECONDS, first=CATALOG_SECONDS, name="refresh_catalog",
                            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})


async def campaign(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: keep or take the lead of each elected duty; start or stop the sender with it."""
    application = context.application
    services: Services = application.bot_data["services"]
    leads: set[str] = application.bot_data[LEADS]
    for duty, election in application.bot_data[ELECTIONS].items():
        was = duty in leads
        now = await asyncio.to_thread(election.try_lead)
        if now and not was:
            leads.add(duty)
            if duty == "sender":
                new_sender(application, services)
                ensure_sender(application)
        elif was and not now:
            leads.discard(duty)
            services.metrics.forget(duty)
            if duty == "sender":
                application.bot_data[SENDER].stop()


async def refresh_catalog(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: rebuild the catalog when another process wrote articles (and reload changed theme files)."""
    services: Services = context.application.bot_data["services"]
    try:
        changed = await asyncio.to_thread(services.library.rebuild_if_store_changed)
        changed = await asyncio.to_thread(services.library.refresh_themes_if_changed) or changed
    except Exception:
        logger.exception("checking the shared store for new articles failed")
        return
    if changed:
        logger.info("catalog rebuilt: another process changed the articles or the themes")


def resign(application: Application) -> None:
    """Give up every lead now (a clean stop: the waiting process takes over at once)."""
    for election in application.bot_data.get(ELECTIONS, {}).values():
        election.resign()
