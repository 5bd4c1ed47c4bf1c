"""Teams in Telegram: /equipe for managers (create, members, invite link, summary, export)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AppType, BotContext
from bot.handlers import router
from core import team_texts as T
from core.accounts import get_user
from core.teams import (
    TeamError,
    create_team,
    managed_team,
    members,
    regenerate_code,
    remove_member,
)
from db.models import Team, User
from journal.export import to_xlsx_multi
from journal.stats import period_bounds
from team.alerts import AlertThresholds
from team.charts import activity_png, funnel_png
from team.summary import render_summary, team_export_sheets, team_summary

B = InlineKeyboardButton


def invite_link(bot_username: str | None, code: str) -> str:
    """The deep link that opens the bot with the invite code."""
    return f"https://t.me/{bot_username or 'salescoach_bot'}?start={code}"


async def team_command(update: Update, context: BotContext) -> None:
    """/equipe [creer Nom | membres | code | export période]."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    args = context.args or []
    action = args[0].lower() if args else ""
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        assert user is not None
        if action in ("creer", "créer"):
            try:
                team = create_team(session, user, " ".join(args[1:]))
            except TeamError as exc:
                key = str(exc)
                current = session.get(Team, user.team_id) if user.team_id else None
                text = getattr(T, key).format(team=current.name if current else "")
                await message.reply_text(text)
                return
            link = invite_link(context.bot.username, team.invite_code)
            await message.reply_text(
                T.CREATED.format(team=team.name, link=link, code=team.invite_code)
            )
            return
        team = managed_team(session, user)
        if team is None:
            await message.reply_text(_refusal(session, user))
            return
        if action == "membres":
            text, markup = members_view(session, team, context.bot.username)
            await message.reply_text(text, reply_markup=markup)
            return
        if action == "code":
            code = regenerate_code(session, team)
            await message.reply_text(
                T.NEW_CODE.format(link=invite_link(context.bot.username, code), code=code)
            )
            return
        if action == "export":
            await send_export(update, context, session, team, args[1] if len(args) > 1 else "mois")
            return
        if action:
            await message.reply_text(T.USAGE)
            return
        team_id = team.id
    await send_summary(
        context, update.effective_chat.id if update.effective_chat else user.telegram_id, team_id
    )


def _refusal(session, user: User) -> str:  # type: ignore[no-untyped-def]
    """Explain politely why /equipe shows nothing to this user."""
    if user.role == "manager":
        return T.NO_TEAM_YET
    if user.team_id:
        team = session.get(Team, user.team_id)
        return T.REP_TEAM.format(team=team.name if team else "?")
    return T.NOT_MANAGER


def members_view(
    session, team: Team, bot_username: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:  # type: ignore[no-untyped-def]
    """List members with a remove button each."""
    people = members(session, team)
    if not people:
        return T.MEMBERS_EMPTY.format(link=invite_link(bot_username, team.invite_code)), None
    lines = [T.MEMBERS_TITLE.format(team=team.name, count=len(people))]
    rows = []
    for n, person in enumerate(people, start=1):
        lines.append(
            T.MEMBER_LINE.format(
                n=n, name=person.display_name, role=T.ROLE_NAMES.get(person.role, person.role)
            )
        )
        rows.append([B(T.BUTTON_REMOVE.format(n=n), callback_data=f"eq:rm:{person.id}")])
    return "\n".join(lines), InlineKeyboardMarkup(rows[:40])


async def on_team_button(update: Update, context: BotContext) -> None:
    """Remove a member (with confirmation), checked against the presser's team on every press."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    parts = query.data.split(":")
    if len(parts) != 3 or not parts[2].isdigit():
        await query.answer(T.REMOVE_GONE)
        return
    action, member_id = parts[1], int(parts[2])
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        team = managed_team(session, user) if user else None
        member = session.get(User, member_id)
        if (
            team is None
            or member is None
            or member.team_id != team.id
            or member.id == team.manager_id
        ):
            await query.answer(T.REMOVE_GONE, show_alert=True)
            return
        name = member.display_name
        if action == "rm":
            text = T.REMOVE_CONFIRM.format(name=name)
            markup = InlineKeyboardMarkup(
                [
                    [
                        B(T.BUTTON_YES, callback_data=f"eq:ok:{member_id}"),
                        B(T.BUTTON_NO, callback_data=f"eq:no:{member_id}"),
                    ]
                ]
            )
        elif action == "ok":
            remove_member(session, team, member_id)
            text, markup = T.REMOVED.format(name=name), None
        else:
            text, markup = T.KEPT, None
    await query.answer()
    await context.bot.send_message(update.effective_user.id, text, reply_markup=markup)


async def send_export(
    update: Update, context: BotContext, session, team: Team, period: str
) -> None:  # type: ignore[no-untyped-def]
    """Send the team's journal as XLSX: one sheet per rep plus totals."""
    today = router.user_now(context, update).date()
    kind = period if period in ("semaine", "mois", "trimestre", "annee") else "mois"
    start, end = period_bounds(kind, today)  # type: ignore[arg-type]
    people = [(m.id, m.display_name) for m in members(session, team)]
    sheets = team_export_sheets(session, people, start, end)
    assert update.effective_chat is not None
    if not any(sheets.values()):
        await context.bot.send_message(update.effective_chat.id, T.EXPORT_EMPTY)
        return
    data = to_xlsx_multi(sheets)
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(BytesIO(data), filename=f"equipe-{start.isoformat()}-{end.isoformat()}.xlsx"),
        caption=T.EXPORT_CAPTION.format(
            team=team.name, start=start.strftime("%d/%m/%Y"), end=end.strftime("%d/%m/%Y")
        ),
    )


def week_start(day: date) -> date:
    """Monday of the week of a day."""
    return day - timedelta(days=day.weekday())


async def send_summary(context: BotContext, chat_id: int, team_id: int) -> bool:
    """Compute and send the team summary (current week to date) with its two charts."""
    message = summary_message(
        context.application.bot_data["services"], team_id, previous_week=False
    )
    if message is None:
        return False
    text, photos = message
    await context.bot.send_message(chat_id, text)
    for name, data in photos:
        await context.bot.send_photo(chat_id, InputFile(BytesIO(data), filename=name))
    return True


def summary_message(
    services: Any, team_id: int, *, previous_week: bool, today: date | None = None
) -> tuple[str, list[tuple[str, bytes]]] | None:
    """The summary text and its charts, for the current week or the previous full week."""
    with services.session() as session:
        team = session.get(Team, team_id)
        if team is None:
            return None
        manager = session.get(User, team.manager_id) if team.manager_id else None
        tz = ZoneInfo(manager.timezone if manager else services.settings.default_timezone)
        today = today or datetime.now(tz).date()
        start = week_start(today) - timedelta(days=7) if previous_week else week_start(today)
        reference = start + timedelta(days=6) if previous_week else today
        people = [m.id for m in members(session, team)]
        summary = team_summary(
            session,
            people,
            start,
            reference,
            services.settings,
            AlertThresholds(),
            team_name=team.name,
        )
        text = render_summary(summary)
    return text, [("entonnoir.png", funnel_png(summary)), ("activite.png", activity_png(summary))]


def register(app: AppType) -> None:
    """Wire /equipe and its buttons."""
    app.add_handler(CommandHandler("equipe", team_command))
    app.add_handler(CallbackQueryHandler(on_team_button, pattern=r"^eq:"))
