"""Stats with the trade's ratios, export, and the history with edit, delete and undo."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AppType, BotContext
from bot.handlers import journal as journal_handlers
from bot.handlers import router
from bot.services import Services
from core.accounts import get_user
from journal import history, texts
from journal.export import export_rows, to_csv, to_xlsx
from journal.stats import render_empty, render_formulas, render_stats, stats_report

B = InlineKeyboardButton
PAGE = 5
_PERIOD_WORDS = [
    ("trimestre", re.compile(r"trimestr", re.I)),
    ("annee", re.compile(r"\b(ann[ée]e|an|annuel)\b", re.I)),
    ("semaine", re.compile(r"semaine|hebdo", re.I)),
    ("mois", re.compile(r"\bmois\b|mensuel", re.I)),
]


def period_from_text(text: str, default: str = "mois") -> str:
    """Pick the stats period named in a message."""
    for kind, pattern in _PERIOD_WORDS:
        if pattern.search(text):
            return kind
    return default


def _stats_markup(kind: str) -> InlineKeyboardMarkup:
    """Period switches and the formulas button."""
    periods = [
        B(("• " if k == kind else "") + label, callback_data=f"st:p:{k}")
        for k, label in texts.STATS_PERIODS.items()
    ]
    return InlineKeyboardMarkup(
        [periods, [B(texts.STATS_FORMULAS_BUTTON, callback_data=f"st:f:{kind}")]]
    )


def _report(services: Services, telegram_id: int, kind: str, today: date) -> Any:
    """Compute a user's stats report of a period."""
    with services.session() as session:
        user = get_user(session, telegram_id)
        assert user is not None
        return stats_report(session, user.id, kind, today, services.settings)  # type: ignore[arg-type]


async def send_stats(
    update: Update, context: BotContext, kind: str, formulas: bool = False
) -> None:
    """Compute and show the stats of a period."""
    assert update.effective_user is not None and update.effective_chat is not None
    today = router.user_now(context, update).date()
    report = await context.services.run_db(
        _report, context.services, update.effective_user.id, kind, today
    )
    if formulas:
        await context.bot.send_message(update.effective_chat.id, render_formulas(report))
        return
    if report.empty:
        await context.bot.send_message(
            update.effective_chat.id, render_empty(report), reply_markup=_stats_markup(kind)
        )
        return
    await context.bot.send_message(
        update.effective_chat.id, render_stats(report), reply_markup=_stats_markup(kind)
    )


async def on_stats_intent(update: Update, context: BotContext, result: dict[str, Any]) -> None:
    """Answer "mes stats", "mon taux de transfo ce mois-ci"."""
    await send_stats(update, context, period_from_text(result.get("text", "")))


async def stats_command(update: Update, context: BotContext) -> None:
    """/stats [semaine|mois|trimestre|annee]."""
    arg = " ".join(context.args or [])
    kind = period_from_text(arg, default="") if arg else "mois"
    if not kind:
        assert update.effective_message is not None
        await update.effective_message.reply_text(texts.STATS_USAGE)
        return
    await send_stats(update, context, kind)


async def on_stats_button(update: Update, context: BotContext) -> None:
    """Switch period or show the formulas."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, kind = [*query.data.split(":"), "", ""][:3]
    if kind not in texts.STATS_PERIODS:
        await query.answer()
        return
    await query.answer()
    await send_stats(update, context, kind, formulas=action == "f")


async def export_command(update: Update, context: BotContext) -> None:
    """/export: the journal as CSV and XLSX."""
    assert update.effective_user is not None and update.effective_chat is not None
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        assert user is not None
        rows = export_rows(session, user.id, tz=user.timezone)
    if not rows:
        await context.bot.send_message(update.effective_chat.id, texts.EXPORT_EMPTY)
        return
    stamp = date.today().isoformat()
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(BytesIO(to_csv(rows)), filename=f"journal-{stamp}.csv"),
        caption=texts.EXPORT_CAPTION_CSV.format(count=len(rows)),
    )
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(BytesIO(to_xlsx(rows)), filename=f"journal-{stamp}.xlsx"),
        caption=texts.EXPORT_CAPTION_XLSX,
    )


async def history_command(update: Update, context: BotContext) -> None:
    """/historique: the latest entries, paginated."""
    await show_history(update, context, 0)


async def show_history(update: Update, context: BotContext, page: int) -> None:
    """Show one page of entries with edit and delete buttons."""
    assert update.effective_user is not None and update.effective_chat is not None
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        assert user is not None
        entries, total = history.list_entries(session, user.id, page * PAGE, PAGE)
        cards = [history.card_from_activity(session, a) for a in entries]
    if not entries:
        await context.bot.send_message(update.effective_chat.id, texts.HISTORY_EMPTY)
        return
    lines = [texts.HISTORY_TITLE.format(page=page + 1)]
    rows = []
    for n, (activity, card) in enumerate(zip(entries, cards, strict=True), start=page * PAGE + 1):
        lines.append(f"{n}. {texts.summary(card)}")
        rows.append(
            [
                B(texts.HISTORY_EDIT.format(n=n), callback_data=f"h:e:{activity.id}"),
                B(texts.HISTORY_DELETE.format(n=n), callback_data=f"h:d:{activity.id}"),
            ]
        )
    nav = []
    if page > 0:
        nav.append(B(texts.HISTORY_PREV, callback_data=f"h:p:{page - 1}"))
    if (page + 1) * PAGE < total:
        nav.append(B(texts.HISTORY_NEXT, callback_data=f"h:p:{page + 1}"))
    if nav:
        rows.append(nav)
    await context.bot.send_message(
        update.effective_chat.id, "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows)
    )


async def on_history_button(update: Update, context: BotContext) -> None:
    """Page, edit, delete (with confirmation) and undo, each checked against the presser."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    parts = query.data.split(":")
    if len(parts) != 3 or not parts[2].lstrip("-").isdigit():
        await query.answer(texts.AGENDA_GONE)
        return
    action, number = parts[1], int(parts[2])
    chat_id = update.effective_chat.id if update.effective_chat else update.effective_user.id
    if action == "p":
        await query.answer()
        await show_history(update, context, max(number, 0))
        return
    now = router.user_now(context, update)
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        assert user is not None
        activity = history.own_activity(session, user.id, number)
        if activity is None:
            await query.answer(texts.AGENDA_GONE, show_alert=True)
            return
        card = history.card_from_activity(session, activity)
        if action == "d":
            answer = texts.DELETE_CONFIRM.format(summary=texts.summary(card))
            markup = InlineKeyboardMarkup(
                [
                    [
                        B(texts.DELETE_YES, callback_data=f"h:y:{number}"),
                        B(texts.DELETE_NO, callback_data=f"h:n:{number}"),
                    ]
                ]
            )
        elif action == "y":
            done = history.soft_delete(session, user.id, number, now)
            answer = texts.DELETED if done else texts.AGENDA_GONE
            markup = (
                InlineKeyboardMarkup([[B(texts.UNDO_DELETE, callback_data=f"h:u:{number}")]])
                if done
                else None
            )
        elif action == "u":
            done = history.undo_delete(session, user.id, number, now)
            answer = (
                texts.RESTORED.format(summary=texts.summary(card)) if done else texts.UNDO_TOO_LATE
            )
            markup = None
        elif action == "n":
            answer, markup = texts.KEPT, None
        elif action == "e":
            answer, markup = "", None
        else:
            await query.answer(texts.AGENDA_GONE)
            return
    await query.answer()
    if action == "e":
        cid = journal_handlers.new_card_id()
        journal_handlers.store_card(context, cid, card)
        await journal_handlers.advance(update, context, cid)
        return
    await context.bot.send_message(chat_id, answer, reply_markup=markup)


def register(app: AppType) -> None:
    """Wire stats, export and history."""
    router.INTENT_HANDLERS["ask_stats"] = on_stats_intent
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CommandHandler("historique", history_command))
    app.add_handler(CallbackQueryHandler(on_stats_button, pattern=r"^st:"))
    app.add_handler(CallbackQueryHandler(on_history_button, pattern=r"^h:"))
