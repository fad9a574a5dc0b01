"""The JobQueue's jobs: the periodic due tick, the sender task's lifetime, the instant-digest
listener, and the live-source poll. The due pass itself (`bot.delivery.due`) knows no PTB;
the fetch pass (`Library.fetch_and_rebuild`) runs in a worker thread, off the event loop."""
from __future__ import annotations

import asyncio
import html
import logging
import time

from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, JobQueue

from bot.delivery.due import DigestScheduler
from bot.delivery.sender import Sender
from bot.digest.i18n import t
from bot.services import Services

logger = logging.getLogger(__name__)

SENDER = "delivery.sender"
SCHEDULER = "schedule.digests"
SENDER_TASK = "delivery.sender_task"
LEADS = "roles.leads"           # the duties this process performs now (elected ones only while it leads)
DUTIES = {"all": frozenset({"web", "scheduler", "sender", "fetch"}), "web": frozenset({"web"}),
          "scheduler": frozenset({"scheduler"}), "sender": frozenset({"sender"}), "fetch": frozenset({"fetch"})}
FETCH_TICK_SECONDS = 60.0       # how often the poll looks for due sources (each has its own interval)
FETCH_FIRST_SECONDS = 15.0      # the first look, after start-up (the seeds ingest goes first)


def job_queue_of(application: Application) -> JobQueue:
    """The Application's JobQueue (PTB leaves it None without the job-queue extra)."""
    if application.job_queue is None:
        raise RuntimeError("the Application has no JobQueue: install python-telegram-bot[job-queue]")
    return application.job_queue


def leads(application: Application, duty: str) -> bool:
    """Whether this process performs `duty` now (all of them, unless roles say otherwise)."""
    return duty in application.bot_data.get(LEADS, DUTIES["all"])


def ensure_sender(application: Application) -> None:
    """Start the sender task unless it runs (again, with an error logged, if it died), if this process sends."""
    if not leads(application, "sender") or not application.running:
        return   # shutting down: the sender ended because it was told to, not unexpectedly
    task = application.bot_data.get(SENDER_TASK)
    if task is not None and not task.done():
        return
    if task is not None:
        logger.error("the sender stopped unexpectedly; restarting it")
    sender: Sender = application.bot_data[SENDER]
    application.bot_data[SENDER_TASK] = application.create_task(
        sender.run(lambda: application.running), name="outbox-sender")


async def send_due_digests(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: enqueue the digests of every subscriber whose time has come."""
    ensure_sender(context.application)
    if not leads(context.application, "scheduler"):
        return
    scheduler: DigestScheduler = context.application.bot_data[SCHEDULER]
    metrics = scheduler.services.metrics
    started = time.perf_counter()
    report = await scheduler.run_pass()
    metrics.tick.observe(time.perf_counter() - started)
    metrics.due.observe(report.due)
    metrics.beat("scheduler")


async def start_sender(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job (once, when the JobQueue starts): drain the outbox until the Application stops."""
    ensure_sender(context.application)


async def fetch_sources(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: poll the due live sources in a worker thread; tell the admins of a source failing for a day."""
    services: Services = context.application.bot_data["services"]
    try:
        report = await asyncio.to_thread(services.library.fetch_and_rebuild)
    except Exception:     # a broken sources file or store problem: logged, and the next tick tries again
        logger.exception("fetching the live sources failed")
        services.metrics.fetched.labels("error").inc()
        return
    for outcome, count in (("added", len(report.added)), ("updated", len(report.updated)),
                           ("failed", len(report.failed))):
        if count:
            services.metrics.fetched.labels(outcome).inc(count)
    hours = f"{services.settings.source_alert_hours:g}"
    for name, error in report.alerts:
        for admin in sorted(services.settings.admin_ids):
            text = t("tg_source_alert", services.settings.default_language, name=html.escape(name),
                     hours=hours, error=html.escape(error[:300]))
            try:
                await context.bot.send_message(admin, text)
            except TelegramError as exc:
                logger.warning("could not tell admin %s about source %s: %s", admin, name, exc)


def new_sender(application: Application, services: Services) -> Sender:
    """A fresh Sender (at start, and when this process is elected sender again), shared with the scheduler."""
    shared = getattr(application.bot, "rate_limiter", None)      # bot.telegram.flood.SharedRateLimiter
    sender = Sender(application.bot, services.store, services.settings, clock=services.clock,
                    limiter=getattr(shared, "limiter", None), metrics=services.metrics)
    application.bot_data[SENDER] = sender
    scheduler = application.bot_data.get(SCHEDULER)
    if scheduler is not None:
        scheduler.sender = sender
    return sender


def install_schedules(application: Application, services: Services) -> None:
    """The periodic due tick, the sender, /push_now, the instant-digest listener and the source poll,
    each where the process's role (`services.role`) has it."""
    duties = DUTIES[services.role]
    sender = new_sender(application, services)
    scheduler = DigestScheduler(services, sender)
    application.bot_data[SCHEDULER] = scheduler
    application.bot_data.setdefault(LEADS, set(duties))
    job_queue = job_queue_of(application)
    if duties & {"scheduler", "sender"}:
        job_queue.run_repeating(send_due_digests, interval=services.settings.tick_seconds, first=1.0,
                                name="send_due_digests", data=scheduler,
                                job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})
        job_queue.run_once(start_sender, when=0.0, name="start_sender", data=sender)
    services.library.add_listener(scheduler.enqueue_instant)
    if "fetch" not in duties:
        return
    job_queue.run_repeating(fetch_sources, interval=FETCH_TICK_SECONDS, first=FETCH_FIRST_SECONDS,
                            name="fetch_sources",
                            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})
