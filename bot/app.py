"""Build the Application: services, persistence and feature handlers in an explicit order."""

from __future__ import annotations

import logging
import sys
import warnings
from typing import Any

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ContextTypes
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot import texts
from bot.context import AppType, BotContext
from bot.handlers import common, gate, onboarding
from bot.persistence import DbPersistence
from bot.services import Services
from core.heap import freeze_startup_heap
from core.settings import Settings

log = logging.getLogger(__name__)

# Conversations mix buttons and text on purpose; PTB's per_message advice does not apply.
warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)


def _rss_mb() -> float:
    """Return the resident memory of this process in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Load the NLU once, start the scoring workers, register the command list."""
    services: Services = app.bot_data["services"]
    log.info("startup core_ready rss_mb=%.0f", _rss_mb())
    services.start_workers()  # they load their models in the background
    if services.engine.dialect.name != "sqlite":
        # Database calls run in worker threads (Services.run_db); a thread whose query has
        # returned gets the GIL back from the event loop within 1 ms instead of Python's
        # default 5 ms, which halved the load test's p99 on PostgreSQL.
        sys.setswitchinterval(0.001)
    if app.bot_data.get("preload_nlu", True):
        services.get_nlu()
        log.info("startup nlu_ready rss_mb=%.0f", _rss_mb())
    freeze_startup_heap()  # full collections skip the models from now on
    try:
        await app.bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS])
    except Exception:  # the bot still works without its command menu
        log.warning("setMyCommands failed; the command menu may be out of date", exc_info=True)


async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Close the services."""
    services: Services = app.bot_data["services"]
    services.close()


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    services: Services | None = None,
    preload_nlu: bool = True,
    rate_limiter: bool = True,
) -> AppType:
    """Build the bot with every feature wired in."""
    services = services or Services.create(settings)
    builder = (
        Application.builder()
        .token(settings.telegram_token or "0:console")
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.file_base_url)
        .context_types(ContextTypes(context=BotContext))
        .persistence(DbPersistence(services.sessionmaker))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .updater(None)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        from bot.outbox import writer
        from bot.request import AiohttpRequest, RetryingRequest

        builder = builder.request(
            RetryingRequest(connection_pool_size=16, on_give_up=writer(services))
        ).get_updates_request(AiohttpRequest(connection_pool_size=1))
    if rate_limiter and request is None and settings.max_sends_per_second > 0:
        # An optional cap on every send; 429s are already waited out by RetryingRequest.
        builder = builder.rate_limiter(
            AIORateLimiter(overall_max_rate=settings.max_sends_per_second, max_retries=0)
        )
    app: AppType = builder.build()  # type: ignore[assignment]
    app.bot_data["services"] = services
    app.bot_data["preload_nlu"] = preload_nlu

    # Order matters: the gate first (group -2), then commands valid in every state,
    # then conversations and features, then the free-text router, then catch-alls.
    gate.register(app)
    common.register_first(app)
    onboarding.register(app)
    _register_features(app)
    common.register_last(app)
    return app


def _register_features(app: AppType) -> None:
    """Wire the feature modules (journal, coaching, scheduler, teams) and the text router."""
    from bot.handlers import checklists, drills, journal, plan, privacy, reports, router, teams

    journal.register(app)  # cards, agenda, fiche; claims pending input before the router
    reports.register(app)  # stats, export, history
    checklists.register(app)  # coaching checklists; claims pending input before the router
    drills.register(app)  # objection drills, /bareme, /progres, /classement
    plan.register(app)  # evening plan, morning digest, reminders, /reglages, the minute tick
    privacy.register(app)  # /mesdonnees, contact retention job
    teams.register(app)  # /equipe for managers; the Monday summary is a scheduler push
    router.register(app)  # free text last: every intent handler is registered by now
