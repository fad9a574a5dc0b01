"""Admin commands (settings.admin_ids only): /stats, /reload, /preview <theme>, /push_now."""
from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.digest import compose as digest
from bot.digest.i18n import t
from bot.digest.page import render_page
from bot.models import IngestReport
from bot.telegram.jobs import SCHEDULER
from bot.telegram.menu import set_command_menu
from bot.telegram.reloads import reloads_of
from bot.telegram.replies import (
    admin_only, language_of, refresh_themes, reply, reply_parts, say, services_of, usage,
)

MAX_REJECTIONS_SHOWN = 10


def report_text(report: IngestReport, themes: int, language: str) -> str:
    """An ingest report as a short admin reply: counts, then up to ten rejections with reasons."""
    lines = [say("tg_reloaded", language, seconds=f"{report.seconds:.1f}", added=len(report.added),
                 updated=len(report.updated), unchanged=len(report.unchanged),
                 retired=len(report.retired), rejected=len(report.rejected), themes=themes)]
    lines += [say("tg_rejected", language, path=r.path[:120], reason=r.reason[:200])
              for r in report.rejected[:MAX_REJECTIONS_SHOWN]]
    return "\n".join(lines)


@admin_only
async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Articles, stories, themes, subscribers, deliveries and errors."""
    services = services_of(context)
    store, catalog = services.store, services.library.catalog
    everyone = store.all_subscribers(active_only=False)
    deliveries = ", ".join(f"{status} {count}" for status, count in sorted(store.push_counts().items()))
    await reply(update, context, say(
        "tg_stats", language_of(update, services), articles=len(store.all_articles()),
        stories=len(catalog.stories), themes=len(catalog.themes),
        active=sum(1 for s in everyone if s.is_active), total=len(everyone),
        deliveries=deliveries or "0", errors=context.application.bot_data.get("errors", 0)))


@admin_only
async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-read seeds and theme files without a restart, and report what changed (reloads coalesce)."""
    services = services_of(context)
    language = language_of(update, services)
    reloads = reloads_of(context.application)

    async def run_reload() -> None:
        report = await reloads.run_blocking(services.library.ingest_and_rebuild)
        await refresh_themes(services)
        await reply(update, context, report_text(report, len(services.library.catalog.themes), language))
        await set_command_menu(context.application)

    started = reloads.submit(run_reload)
    await reply(update, context, say("tg_reloading" if started else "tg_reload_busy", language))


@admin_only
async def preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A theme's digest exactly as readers get it: /preview <theme>."""
    services = services_of(context)
    await refresh_themes(services)
    catalog = services.library.catalog
    command = context.args[0].lower().lstrip("/") if context.args else ""
    if catalog.theme(command) is None:
        await usage(update, context, t("tg_usage_preview", language_of(update, services_of(context))))
        return
    page = digest.theme_digest(catalog, command, language_of(update, services), 0,
                               services.settings.stories_per_page)
    await reply_parts(update, context, render_page(page))


@admin_only
async def push_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admin: run the digest pass now, as if every subscriber were due."""
    report = await context.application.bot_data[SCHEDULER].run_pass(everyone=True)
    await reply(update, context, say("tg_push_now", language_of(update, services_of(context)),
                                     digests=report.digests, pushes=report.pushes, empty=report.empty))


def admin_handlers() -> list[CommandHandler]:
    return [CommandHandler("stats", stats), CommandHandler("reload", reload),
            CommandHandler("preview", preview), CommandHandler("push_now", push_now)]
