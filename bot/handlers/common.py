"""Help, cancel, unknown commands, unsupported content and the one error handler."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot import texts
from bot.context import AppType, BotContext

log = logging.getLogger(__name__)

# Keys of user_data that hold a conversation in progress; features append theirs.
PENDING_KEYS: list[str] = []


def chat_of(update: Update) -> int:
    """Return the chat of an update (every handled update has one)."""
    assert update.effective_chat is not None
    return update.effective_chat.id


def sender_of(update: Update) -> int:
    """Return the Telegram id of the user behind an update."""
    assert update.effective_user is not None
    return update.effective_user.id


async def help_command(update: Update, context: BotContext) -> None:
    """List what the bot does, with one example each."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(texts.HELP)


async def cancel(update: Update, context: BotContext) -> int:
    """Leave any conversation in progress."""
    had_pending = any([context.user_data.pop(key, None) is not None for key in PENDING_KEYS])
    for key in ("onboarding_name", "invite_code"):
        had_pending = context.user_data.pop(key, None) is not None or had_pending
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        texts.CANCELLED if had_pending else texts.NOTHING_TO_CANCEL
    )
    return ConversationHandler.END


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command the bot does not know."""
    message = update.effective_message
    assert message is not None
    command = (message.text or "/").split()[0][:40]
    await message.reply_text(texts.UNKNOWN_COMMAND.format(command=command))


def _pending_note(context: BotContext) -> str:
    """Say that a pending entry is kept, when there is one."""
    return texts.PENDING_KEPT if any(context.user_data.get(k) for k in PENDING_KEYS) else ""


async def unsupported_content(update: Update, context: BotContext) -> None:
    """Explain that only text is understood."""
    message = update.effective_message
    assert message is not None
    kind = "other"
    for attr in ("photo", "sticker", "voice", "video", "document", "location"):
        if getattr(message, attr, None):
            kind = attr
            break
    if message.video_note or message.audio:
        kind = "voice"
    await message.reply_text(texts.UNSUPPORTED_CONTENT[kind] + _pending_note(context))


async def error_handler(update: object, context: BotContext) -> None:
    """Log the error first, then tell the user in French without internals."""
    user_id = (
        update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    )
    log.error("error while handling an update (user %s)", user_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    text = (
        texts.UNAVAILABLE if isinstance(context.error, OperationalError) else texts.INTERNAL_ERROR
    )
    try:
        await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # the error reply itself failed: already logged above
        log.exception("could not tell user %s about the error", user_id)


def register_first(app: AppType) -> None:
    """Add /help, which works in every state."""
    app.add_handler(CommandHandler(["aide", "help"], help_command))


def register_last(app: AppType) -> None:
    """Add /cancel outside conversations, then the catch-alls."""
    app.add_handler(CommandHandler(["cancel", "annuler", "stop"], cancel))
    app.add_handler(
        MessageHandler(
            filters.PHOTO
            | filters.Sticker.ALL
            | filters.VOICE
            | filters.VIDEO
            | filters.VIDEO_NOTE
            | filters.AUDIO
            | filters.Document.ALL
            | filters.LOCATION
            | filters.CONTACT
            | filters.ANIMATION,
            unsupported_content,
        )
    )
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    # Anything else a private chat can carry (polls, dice, empty texts…): one clear answer.
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, unsupported_content))
    app.add_error_handler(error_handler)
