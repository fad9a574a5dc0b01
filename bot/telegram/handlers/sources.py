"""/sources (admins): each live source with its last success, last error and article count."""
from __future__ import annotations

import asyncio
import time

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.errors import SourceError
from bot.library.source_status import load_states, source_counts
from bot.services import Services
from bot.sources.config import Source, load_sources
from bot.telegram.replies import admin_only, language_of, reply, say, services_of

MAX_ERROR_CHARS = 200


def _when(epoch: float, language: str) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(epoch)) if epoch else say("tg_source_never", language)


def sources_text(services: Services, sources: list[Source], language: str) -> str:
    """The /sources reply (blocking: reads the store's source states; call it in a thread)."""
    if not sources:
        return say("tg_sources_none", language, file=services.settings.sources_file)
    states, counts = load_states(services.store, sources), source_counts(services.store)
    lines = [say("tg_sources_header", language, count=len(sources))]
    for source in sources:
        state = states[source.name]
        lines.append(say("tg_source_line", language, name=source.name, kind=source.kind,
                         articles=counts.get(source.name, 0), success=_when(state.last_success, language)))
        if state.last_error:
            lines.append(say("tg_source_error", language, error=state.last_error[:MAX_ERROR_CHARS],
                             since=_when(state.failing_since, language)))
    return "\n".join(lines)


@admin_only
async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Each live source: last success, last error and how many articles it brought."""
    services = services_of(context)
    language = language_of(update, services)
    try:
        listed = await asyncio.to_thread(load_sources, services.settings.sources_file)
    except SourceError as exc:
        await reply(update, context, say("tg_sources_bad_file", language, error=str(exc)[:300]))
        return
    await reply(update, context, await asyncio.to_thread(sources_text, services, listed, language))


def source_handlers() -> list[CommandHandler]:
    return [CommandHandler("sources", sources)]
