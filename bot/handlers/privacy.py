"""/mesdonnees: export or erase everything stored about the user; contact retention job."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from io import BytesIO

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import AppType, BotContext
from bot.persistence import DbPersistence
from core.accounts import get_user
from core.privacy import anonymise_old_contacts, erase_user, export_user_data

log = logging.getLogger(__name__)
B = InlineKeyboardButton


async def privacy_command(update: Update, context: BotContext) -> None:
    """Offer export and erasure."""
    assert update.effective_message is not None
    markup = InlineKeyboardMarkup(
        [
            [B(texts.PRIVACY_EXPORT, callback_data="pv:export")],
            [B(texts.PRIVACY_ERASE, callback_data="pv:erase")],
        ]
    )
    await update.effective_message.reply_text(texts.PRIVACY_MENU, reply_markup=markup)


async def on_privacy_button(update: Update, context: BotContext) -> None:
    """Export, ask to confirm erasure, erase: always the presser's own data."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    _, action, token = [*query.data.split(":", 2), "", ""][:3]
    await query.answer()
    chat_id = update.effective_user.id
    if action == "erase":
        token = secrets.token_hex(6)
        context.user_data["erase_token"] = token  # only the button just shown can confirm
        markup = InlineKeyboardMarkup(
            [
                [
                    B(texts.PRIVACY_CONFIRM_YES, callback_data=f"pv:yes:{token}"),
                    B(texts.PRIVACY_CONFIRM_NO, callback_data="pv:no"),
                ]
            ]
        )
        await context.bot.send_message(chat_id, texts.PRIVACY_CONFIRM, reply_markup=markup)
        return
    if action == "no" or (action == "yes" and token != context.user_data.pop("erase_token", None)):
        await context.bot.send_message(chat_id, texts.PRIVACY_KEPT)
        return
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        if user is None:
            return
        if action == "export":
            payload = export_user_data(session, user)
        elif action == "yes":
            erase_user(session, user)
            payload = b""
        else:
            return
    if action == "export":
        await context.bot.send_document(
            chat_id,
            InputFile(BytesIO(payload), filename="mes-donnees.json"),
            caption=texts.PRIVACY_EXPORT_CAPTION,
        )
        return
    context.user_data.clear()
    persistence = context.application.persistence
    await persistence.drop_user_data(update.effective_user.id)  # type: ignore[union-attr]
    if isinstance(persistence, DbPersistence):
        await persistence.write_pending_async()  # erased for good before the user is told
    await context.bot.send_message(chat_id, texts.PRIVACY_ERASED)


async def retention_job(context: BotContext) -> None:
    """Anonymise prospect contacts untouched for longer than the retention (CNIL: 3 years)."""
    services = context.application.bot_data["services"]
    with services.session() as session:
        count = anonymise_old_contacts(
            session, datetime.now(UTC).date(), services.settings.contact_retention_days
        )
    if count:
        log.info("retention: %d contact names anonymised", count)


def register(app: AppType) -> None:
    """Wire /mesdonnees and the daily retention job."""
    app.add_handler(CommandHandler("mesdonnees", privacy_command))
    app.add_handler(CallbackQueryHandler(on_privacy_button, pattern=r"^pv:"))
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            retention_job,
            interval=timedelta(days=1),
            first=timedelta(minutes=5),
            name="contact-retention",
            job_kwargs={"misfire_grace_time": 3600, "coalesce": True},
        )
