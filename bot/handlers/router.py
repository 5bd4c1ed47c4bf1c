"""Free-text router: pending inputs first, then the NLU intent decides the feature."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import texts
from bot.context import AppType, BotContext
from core.accounts import get_user

log = logging.getLogger(__name__)

NluResult = dict[str, Any]
IntentHandler = Callable[[Update, BotContext, NluResult], Awaitable[None]]
Interceptor = Callable[[Update, BotContext, str], Awaitable[bool]]

# Features fill these in their register(app) before the router is registered.
INTENT_HANDLERS: dict[str, IntentHandler] = {}
INTERCEPTORS: list[Interceptor] = []

INTENT_LABELS = {
    "log_visit": "Noter une visite",
    "log_call": "Noter un appel",
    "plan_activity": "Planifier une action",
    "show_agenda": "Voir mon agenda",
    "ask_stats": "Voir mes stats",
    "start_drill": "M'entraîner aux objections",
    "start_checklist": "Préparer un rendez-vous",
    "help": "Voir l'aide",
}
SMALL_TALK = {
    "greet": "Bonjour ! Racontez-moi votre dernière visite ou demandez-moi votre agenda.",
    "goodbye": "À bientôt et bonne route ! 🚗",
    "affirm": "Très bien. Que voulez-vous faire ? (/aide pour la liste)",
    "deny": "D'accord. Je reste là si besoin.",
    "out_of_scope": (
        "Je suis votre assistant commercial : je note vos visites et appels, je gère vos relances, "
        "vos stats et vos entraînements. Pour le reste, je ne saurai pas vous aider. (/aide)"
    ),
}
NOT_UNDERSTOOD = "Je n'ai pas bien compris. Vous vouliez :"
NOT_UNDERSTOOD_NONE = (
    "Je n'ai pas bien compris. Essayez par exemple « vu Dupont SA hier, devis 12k€ » "
    "ou « j'ai quoi demain ? » (/aide pour tout voir)."
)
REPHRASE_OTHER = "Autre chose (je reformule)"
REPHRASE_PROMPT = "D'accord, reformulez votre demande en quelques mots."

_INVISIBLE = {"Cf", "Cc", "Co", "Cs"}


def clean_text(text: str) -> str:
    """Remove control, zero-width and direction characters; keep newlines as spaces."""
    kept = (" " if ch in "\n\r\t" else ch for ch in text)
    return "".join(ch for ch in kept if unicodedata.category(ch) not in _INVISIBLE).strip()


def user_now(context: BotContext, update: Update) -> datetime:
    """Return the message time in the user's timezone."""
    tz_name = context.user_data.get("tz") or context.services.settings.default_timezone
    if "tz" not in context.user_data and update.effective_user:
        with context.services.session() as session:
            user = get_user(session, update.effective_user.id)
            if user is not None:
                tz_name = user.timezone
        context.user_data["tz"] = tz_name
    when = update.effective_message.date if update.effective_message else None
    return (when or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(tz_name))


async def dispatch(update: Update, context: BotContext, result: NluResult) -> None:
    """Send an NLU result to the feature that handles its intent."""
    message = update.effective_message
    assert message is not None
    intent = result["intent"]["name"]
    handler = INTENT_HANDLERS.get(intent)
    if handler is not None:
        await handler(update, context, result)
    elif intent == "help":
        await message.reply_text(texts.HELP)
    else:
        await context.bot.send_message(
            message.chat_id, SMALL_TALK.get(intent, SMALL_TALK["out_of_scope"])
        )


async def on_text(update: Update, context: BotContext) -> None:
    """Route a text message: pending input, then NLU intent."""
    message = update.effective_message
    assert message is not None and message.text is not None
    text = clean_text(message.text)
    if not text:
        await message.reply_text(texts.EMPTY)
        return
    for interceptor in INTERCEPTORS:
        if await interceptor(update, context, text):
            return
    now = user_now(context, update)
    result = context.services.get_nlu().parse(text, now=now)
    threshold = context.services.settings.confidence_threshold
    if result["intent"]["confidence"] < threshold and result["intent"]["name"] not in SMALL_TALK:
        await _ask_which(update, context, text, result)
        return
    await dispatch(update, context, result)


async def _ask_which(update: Update, context: BotContext, text: str, result: NluResult) -> None:
    """Offer the two likeliest readings as buttons."""
    message = update.effective_message
    assert message is not None
    options = [r["name"] for r in result.get("intent_ranking", []) if r["name"] in INTENT_LABELS][
        :2
    ]
    if not options:
        await message.reply_text(NOT_UNDERSTOOD_NONE)
        return
    context.user_data["unclear"] = {"text": text, "entities": result.get("entities", [])}
    rows = [[InlineKeyboardButton(INTENT_LABELS[o], callback_data=f"nlu:{o}")] for o in options]
    rows.append([InlineKeyboardButton(REPHRASE_OTHER, callback_data="nlu:other")])
    await message.reply_text(NOT_UNDERSTOOD, reply_markup=InlineKeyboardMarkup(rows))


async def on_reading_chosen(update: Update, context: BotContext) -> None:
    """Re-dispatch an unclear message with the reading the user picked."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    intent = query.data.split(":", 1)[1]
    pending = context.user_data.pop("unclear", None)
    if intent not in INTENT_LABELS or pending is None:
        assert query.message is not None
        await context.bot.send_message(query.message.chat.id, REPHRASE_PROMPT)
        return
    now = user_now(context, update)
    result = context.services.get_nlu().parse(pending["text"], now=now, intent=intent)
    await dispatch(update, context, result)


def register(app: AppType) -> None:
    """Add the free-text router and the reading buttons."""
    app.add_handler(CallbackQueryHandler(on_reading_chosen, pattern=r"^nlu:"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
