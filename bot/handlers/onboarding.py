"""/start onboarding: name, role and joining a team from an invite code."""

from __future__ import annotations

import re
from enum import StrEnum

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.context import AppType, BotContext
from bot.handlers.common import cancel
from core.accounts import ensure_user, finish_onboarding, get_user
from core.teams import TeamError, join_team
from db.models import Team, User


class State(StrEnum):
    """Onboarding steps."""

    NAME = "onb_name"
    ROLE = "onb_role"


_NAME_RE = re.compile(r"^[^\W\d_][\w .'’-]{0,59}$", re.UNICODE)


def _join_team(session: Session, user: User, code: str) -> str:
    """Join the team of an invite code and return the French answer."""
    try:
        team = join_team(session, user, code)
    except TeamError as exc:
        if str(exc) == "ALREADY_IN_TEAM":
            current = session.get(Team, user.team_id)
            return texts.ALREADY_IN_TEAM.format(team=current.name if current else "?")
        return texts.TEAM_CODE_UNKNOWN
    return texts.JOINED_TEAM.format(team=team.name)


async def start(update: Update, context: BotContext) -> str | int:
    """Greet a newcomer and ask their name, or welcome back a known user."""
    tg_user = update.effective_user
    assert tg_user is not None and update.message is not None
    code = context.args[0] if context.args else ""
    with context.services.session() as session:
        user = get_user(session, tg_user.id)
        if user is not None and user.onboarded:
            answer = texts.WELCOME_BACK.format(name=user.display_name)
            if code:
                answer = _join_team(session, user, code)
            await update.message.reply_text(answer)
            return ConversationHandler.END
        ensure_user(
            session,
            tg_user.id,
            tg_user.first_name or "",
            context.services.settings.default_timezone,
            defaults=context.services.settings,
        )
    context.user_data["invite_code"] = code
    keyboard = None
    if tg_user.first_name and _NAME_RE.match(tg_user.first_name):
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.USE_TELEGRAM_NAME.format(name=tg_user.first_name),
                        callback_data="onb:tg",
                    )
                ]
            ]
        )
    await update.message.reply_text(texts.WELCOME, reply_markup=keyboard)
    return State.NAME


async def _ask_role(update: Update, context: BotContext, name: str) -> str:
    """Store the name and ask the role with buttons."""
    context.user_data["onboarding_name"] = name
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"onb:role:{code}")]
            for code, label in texts.ROLE_LABELS.items()
        ]
    )
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id, texts.ASK_ROLE.format(name=name), reply_markup=keyboard
    )
    return State.ROLE


async def name_typed(update: Update, context: BotContext) -> str:
    """Take the typed name."""
    assert update.message is not None and update.message.text is not None
    name = " ".join(update.message.text.split())
    if not _NAME_RE.match(name):
        await update.message.reply_text(texts.NAME_INVALID)
        return State.NAME
    return await _ask_role(update, context, name)


async def name_from_telegram(update: Update, context: BotContext) -> str:
    """Use the Telegram first name."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await _ask_role(update, context, update.effective_user.first_name or "")


async def role_chosen(update: Update, context: BotContext) -> int:
    """Store the role, join the invited team and explain what comes next."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    role = query.data.rsplit(":", 1)[-1]
    if role not in texts.ROLE_LABELS:
        await query.answer(texts.UNKNOWN_BUTTON)
        return State.ROLE
    name = context.user_data.pop("onboarding_name", update.effective_user.first_name or "")
    code = context.user_data.pop("invite_code", "")
    with context.services.session() as session:
        user = ensure_user(
            session,
            update.effective_user.id,
            name,
            context.services.settings.default_timezone,
            defaults=context.services.settings,
        )
        finish_onboarding(session, user, name, role)
        joined = _join_team(session, user, code) if code else ""
    await query.answer()
    await query.edit_message_reply_markup(None)
    template = texts.ONBOARDED_MANAGER if role == "manager" else texts.ONBOARDED
    answer = template.format(role=texts.ROLE_LABELS[role])
    if joined:
        answer = f"{joined}\n\n{answer}"
    await context.bot.send_message(update.effective_user.id, answer)
    return ConversationHandler.END


async def role_typed(update: Update, context: BotContext) -> str:
    """Remind the user to use the role buttons."""
    assert update.message is not None
    await update.message.reply_text(texts.ROLE_INVALID)
    return State.ROLE


def register(app: AppType) -> None:
    """Add the onboarding conversation."""
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("start", start)],
            states={
                State.NAME: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, name_typed),
                    CallbackQueryHandler(name_from_telegram, pattern=r"^onb:tg$"),
                ],
                State.ROLE: [
                    CallbackQueryHandler(role_chosen, pattern=r"^onb:role:"),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, role_typed),
                ],
            },
            fallbacks=[CommandHandler(["cancel", "annuler"], cancel)],
            name="onboarding",
            persistent=True,
            allow_reentry=True,
        )
    )
