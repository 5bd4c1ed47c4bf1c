"""Gatekeeping before any feature: chat type, edits, rate limit, unknown users."""

from __future__ import annotations

import time
from collections import defaultdict, deque

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.context import AppType, BotContext
from bot.services import CURRENT_UPDATE, Services
from core.accounts import get_user, remember_users_for_this_update
from db.models import ProcessedUpdate, User

_START_COMMANDS = ("/start",)
HIGH_WATER_KEY = "processed_high_water"


class RateLimiter:
    """Sliding-window limit of messages per user."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[int, deque[float]] = defaultdict(deque)
        self._warned: dict[int, float] = {}

    def allow(self, user_id: int, now: float | None = None) -> bool:
        """Record a hit and say whether it is within the limit."""
        now = time.monotonic() if now is None else now
        hits = self._hits[user_id]
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def should_warn(self, user_id: int, now: float | None = None) -> bool:
        """Warn a flooding user once per window, not on every message."""
        now = time.monotonic() if now is None else now
        last = self._warned.get(user_id)
        if last is not None and now - last < self.window:
            return False
        self._warned[user_id] = now
        return True


def _read_sender(
    services: Services, telegram_id: int, update_id: int, check_processed: bool
) -> tuple[User | None, bool]:
    """The sender's account (reactivated if it had blocked the bot) and whether the update
    was already processed."""
    with services.session(record_update=False, reads=True) as session:
        known = get_user(session, telegram_id)
        if known is not None and not known.active:
            known.active = True  # blocked the bot once, writing again: pushes resume
        already = check_processed and session.get(ProcessedUpdate, update_id) is not None
    return known, already


async def gate(update: Update, context: BotContext) -> None:
    """Stop updates that no feature should see, with a French word where it helps."""
    CURRENT_UPDATE.set(None)
    remember_users_for_this_update()
    if update.channel_post or update.edited_channel_post:
        raise ApplicationHandlerStop
    chat = update.effective_chat
    user = update.effective_user
    if user is None or chat is None or user.is_bot:
        raise ApplicationHandlerStop
    if chat.type != "private":
        message = update.effective_message
        if message and message.text and message.text.startswith("/") and update.message:
            await message.reply_text(texts.GROUPS_UNSUPPORTED)
        raise ApplicationHandlerStop
    if update.edited_message:
        await context.bot.send_message(chat.id, texts.EDIT_IGNORED)
        raise ApplicationHandlerStop
    limiter: RateLimiter = context.bot_data["rate_limiter"]
    if not limiter.allow(user.id):
        if limiter.should_warn(user.id):
            await context.bot.send_message(chat.id, texts.RATE_LIMITED)
        raise ApplicationHandlerStop
    text = update.message.text if update.message and update.message.text else ""
    if text.split(" ", 1)[0].split("@", 1)[0] in _START_COMMANDS:
        return
    # Only an update at or below the highest id recorded before this process started can
    # be a redelivery (None: unknown, as with several webhook workers, so always look).
    high_water: int | None = context.bot_data.get(HIGH_WATER_KEY)
    check = high_water is None or update.update_id <= high_water
    known, already = await context.services.run_db(
        _read_sender, context.services, user.id, update.update_id, check
    )
    if already:
        # Telegram redelivered an update whose effects are committed (crash before the offset
        # was confirmed): say so instead of applying it twice.
        await context.bot.send_message(chat.id, texts.ALREADY_DONE)
        raise ApplicationHandlerStop
    CURRENT_UPDATE.set({"id": update.update_id, "recorded": False})
    if known is None:
        if update.callback_query:
            await update.callback_query.answer(texts.NOT_REGISTERED, show_alert=True)
        else:
            await context.bot.send_message(chat.id, texts.NOT_REGISTERED)
        raise ApplicationHandlerStop


def set_high_water(app: AppType) -> None:
    """Remember the highest update id recorded as processed (single consumer: polling)."""
    from sqlalchemy import func, select

    with app.bot_data["services"].session(record_update=False) as session:
        high = session.scalar(select(func.max(ProcessedUpdate.update_id)))
    app.bot_data[HIGH_WATER_KEY] = int(high or 0)


def register(app: AppType) -> None:
    """Install the gate in the lowest handler group."""
    settings = app.bot_data["services"].settings
    app.bot_data["rate_limiter"] = RateLimiter(
        settings.rate_limit_messages, settings.rate_limit_window
    )
    app.add_handler(TypeHandler(Update, gate), group=-2)
