"""The delivery's PTB side: the periodic due tick on the JobQueue, the sender task's lifetime
and the instant-digest listener. The due pass itself (`bot.delivery.due`) knows no PTB."""
from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes, JobQueue

from bot.delivery.due import DigestScheduler
from bot.delivery.sender import Sender
from bot.services import Services

logger = logging.getLogger(__name__)

SENDER = "delivery.sender"
SCHEDULER = "schedule.digests"
SENDER_TASK = "delivery.sender_task"


def job_queue_of(application: Application) -> JobQueue:
    """The Application's JobQueue (PTB leaves it None without the job-queue extra)."""
    if application.job_queue is None:
        raise RuntimeError("the Application has no JobQueue: install python-telegram-bot[job-queue]")
    return application.job_queue


def ensure_sender(application: Application) -> None:
    """Start the sender task unless it runs (again, with an error logged, if it died)."""
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
    scheduler: DigestScheduler = context.application.bot_data[SCHEDULER]
    await scheduler.run_pass()


async def start_sender(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job (once, when the JobQueue starts): drain the outbox until the Application stops."""
    ensure_sender(context.application)


def install_schedules(application: Application, services: Services) -> None:
    """The periodic due tick, the sender, /push_now and the instant-digest listener."""
    sender = Sender(application.bot, services.store, services.settings, clock=services.clock)
    scheduler = DigestScheduler(services, sender)
    application.bot_data[SENDER] = sender
    application.bot_data[SCHEDULER] = scheduler
    job_queue = job_queue_of(application)
    job_queue.run_repeating(send_due_digests, interval=services.settings.tick_seconds, first=1.0,
                            name="send_due_digests", data=scheduler,
                            job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1})
    job_queue.run_once(start_sender, when=0.0, name="start_sender", data=sender)
    services.library.add_listener(scheduler.enqueue_instant)
