"""Scheduler in Telegram: evening plan-tomorrow, morning digest, reminders, /reglages, the tick job."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AppType, BotContext
from bot.handlers import common, router
from bot.handlers import journal as journal_handlers
from core.accounts import get_user
from db.models import Company, DeferredPush, FollowUp, User
from journal import crm
from journal import texts as jt
from journal.calendar import next_working_day
from journal.card import Card, card_from_nlu
from nlu.normalize import resolve_date
from scheduler import rules
from scheduler import texts as T
from scheduler.service import Scheduler

log = logging.getLogger(__name__)
B = InlineKeyboardButton
EVENING_STATE = "evening_plan"
DRAFT = "plan_draft"
SETTINGS_STATE = "settings_input"
_SPLIT = re.compile(r"\s*(?:[,;\n]|\bpuis\b|\bet ensuite\b|\s\+\s)\s*", re.IGNORECASE)
_DAY_WORDS = re.compile(
    r"\b(demain|apr[eè]s[- ]?demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"\d{1,2}/\d{1,2}|\d{1,2} (janv|f[ée]v|mars|avr|mai|juin|juil|ao[uû]t|sept|oct|nov|d[ée]c)\w*|dans \d+)\b",
    re.IGNORECASE,
)
TIMEZONES = (
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Zurich",
    "America/Montreal",
    "Indian/Reunion",
    "America/Martinique",
)
EVENING_CHOICES = ("17:00", "17:30", "18:00", "18:30", "19:00")
MORNING_CHOICES = ("07:30", "08:00", "08:30", "09:00")


class PushRenderer:
    """Turn a due push into a message, reading the user's journal."""

    def __init__(self, app: AppType) -> None:
        self.app = app

    def render(
        self, session: Session, due: rules.DuePush
    ) -> tuple[str, InlineKeyboardMarkup | None] | None:
        """Return the text and buttons of a push, or None when there is nothing to say."""
        user = session.get(User, due.user_id)
        if user is None:
            return None
        if due.kind in (rules.EVENING, rules.LATER):
            return evening_message(session, user, due.local_day)
        if due.kind == rules.MORNING:
            return morning_message(session, user, due.local_day)
        if due.kind == rules.TEAM:
            from bot.handlers.teams import summary_message

            team_id = int(due.key.rsplit(":", 1)[1])
            services = self.app.bot_data["services"]
            built = summary_message(services, team_id, previous_week=True, today=due.local_day)
            if built is None:
                return None
            text, photos = built
            return text, None, photos  # type: ignore[return-value]
        if due.kind == rules.REMINDER:
            followup_id = int(due.key.split(":")[1])
            followup = session.get(FollowUp, followup_id)
            if followup is None or followup.status != "open" or followup.deleted_at is not None:
                return None
            company = session.get(Company, followup.company_id) if followup.company_id else None
            label = jt.followup_label(company.name if company else None, followup.note)
            minutes = self.app.bot_data["services"].settings.reminder_minutes_before
            return T.REMINDER.format(minutes=minutes, label=label), _followup_buttons(
                [(1, followup.id)]
            )
        return None

    def after_send(self, due: rules.DuePush) -> None:
        """After an evening prompt, the next free text of the user is read as the plan."""
        if due.kind in (rules.EVENING, rules.LATER):
            schedule_days = self.app.bot_data["services"].settings.working_days
            day = rules.next_planning_day(due.local_day, schedule_days)
            self.app.user_data[due.telegram_id][EVENING_STATE] = {"day": day.isoformat()}
            self.app.mark_data_for_update_persistence(user_ids=due.telegram_id)


def evening_message(session: Session, user: User, today: date) -> tuple[str, InlineKeyboardMarkup]:
    """The plan-tomorrow question, showing what is already there and overdue follow-ups."""
    day = rules.next_planning_day(today, rules.parse_days(user.working_days))
    items = crm.agenda(session, user.id, day, today)
    planned = [i for i in items if i.kind == "activity" or (i.kind == "followup" and i.day == day)]
    overdue = [i for i in items if i.overdue]
    label = jt.fmt_date(day)
    if any(i.kind == "activity" for i in planned):
        lines = "\n".join(
            f"• {i.at.strftime('%Hh%M') + ' ' if i.at else ''}{i.label}" for i in planned
        )
        text = T.EVENING_ALREADY.format(day=label[:1].upper() + label[1:], items=lines)
    else:
        text = T.EVENING_PROMPT.format(day=label)
    if overdue:
        text += T.EVENING_OVERDUE.format(items="\n".join(f"• {i.label}" for i in overdue[:10]))
    markup = InlineKeyboardMarkup(
        [
            [
                B(T.BUTTON_NOTHING, callback_data=f"ev:none:{day.isoformat()}"),
                B(T.BUTTON_LATER, callback_data=f"ev:later:{day.isoformat()}"),
            ]
        ]
    )
    return text, markup


def _followup_buttons(pairs: list[tuple[int, int]]) -> InlineKeyboardMarkup:
    """Fait / +1 jour / +1 semaine for each numbered follow-up."""
    return InlineKeyboardMarkup(
        [
            [
                B(T.BUTTON_DONE.format(n=n), callback_data=f"fu:done:{fid}"),
                B(T.BUTTON_PLUS_DAY.format(n=n), callback_data=f"fu:d1:{fid}"),
                B(T.BUTTON_PLUS_WEEK.format(n=n), callback_data=f"fu:w1:{fid}"),
            ]
            for n, fid in pairs
        ][:30]
    )


def morning_message(
    session: Session, user: User, today: date
) -> tuple[str, InlineKeyboardMarkup] | None:
    """Follow-ups due today and overdue, each with its buttons; None when there are none."""
    rows = session.execute(
        select(FollowUp, Company.name)
        .outerjoin(Company, Company.id == FollowUp.company_id)
        .where(
            FollowUp.user_id == user.id,
            FollowUp.status == "open",
            FollowUp.deleted_at.is_(None),
            FollowUp.due_date <= today,
        )
        .order_by(FollowUp.due_date, FollowUp.due_time.nulls_first(), FollowUp.id)
    ).all()
    if not rows:
        return None
    lines = [T.MORNING_TITLE]
    pairs = []
    for n, (followup, company) in enumerate(rows[:30], start=1):
        late = (
            T.MORNING_OVERDUE.format(date=jt.fmt_short(followup.due_date))
            if followup.due_date < today
            else ""
        )
        at = followup.due_time.strftime("%Hh%M ") if followup.due_time else ""
        lines.append(f"{n}. {late}{at}{jt.followup_label(company, followup.note)}")
        pairs.append((n, followup.id))
    return "\n".join(lines), _followup_buttons(pairs)


def get_scheduler(app: AppType) -> Scheduler:
    """Return the app's scheduler, creating it on first use."""
    scheduler = app.bot_data.get("scheduler")
    if scheduler is None:
        scheduler = Scheduler(app.bot_data["services"], app.bot, PushRenderer(app))
        app.bot_data["scheduler"] = scheduler
    return scheduler


async def tick_job(context: BotContext) -> None:
    """Every minute: ask the database what is due and send it; retry kept replies."""
    from bot import outbox

    await get_scheduler(context.application).tick()  # type: ignore[arg-type]
    await outbox.flush(context.application.bot_data["services"], context.bot)


# ------------------------------------------------------------------ evening answers


def split_plan(text: str) -> list[str]:
    """Split "9h RDV Leroy à Bron, 11h appeler Garnier, aprem prospection" into items."""
    return [part.strip() for part in _SPLIT.split(text) if len(part.strip()) >= 3][:12]


def plan_cards(context: BotContext, update: Update, text: str, day: date) -> list[Card]:
    """Parse each item with the NLU as a plan for the given day."""
    now = router.user_now(context, update)
    cards = []
    for item in split_plan(text):
        item_now = (
            now
            if _DAY_WORDS.search(item)
            else datetime.combine(day, time(0, 0), tzinfo=now.tzinfo)
        )
        result = context.services.get_nlu().parse(item, now=item_now, intent="plan_activity")
        card = card_from_nlu(result, item_now)
        card.day = card.day or day.isoformat()
        cards.append(card)
    return cards


def render_draft(day: date, cards: list[Card]) -> tuple[str, InlineKeyboardMarkup]:
    """The list of planned items with per-item correction."""
    lines = [T.PLAN_LIST_TITLE.format(day=jt.fmt_date(day))]
    rows = [[B(T.BUTTON_VALIDATE_ALL, callback_data="pl:all:0")]]
    for n, card in enumerate(cards, start=1):
        at = card.at_time.replace(":", "h") + " " if card.at_time else ""
        other_day = (
            f" ({jt.fmt_date(card.day)})" if card.day and card.day != day.isoformat() else ""
        )
        what = jt.planned_label(card.kind, card.company, card.city)
        unclear = f" {T.PLAN_ITEM_UNCLEAR}" if card.missing() else ""
        lines.append(f"{n}. {at}{what}{other_day}{unclear}")
        rows.append(
            [
                B(T.BUTTON_EDIT_ITEM.format(n=n), callback_data=f"pl:e:{n}"),
                B(T.BUTTON_DROP_ITEM.format(n=n), callback_data=f"pl:x:{n}"),
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def evening_input(update: Update, context: BotContext, text: str) -> bool:
    """Read the answer to the evening question as a list of planned items."""
    state = context.user_data.get(EVENING_STATE)
    if not state or context.user_data.get("drill"):
        return False  # no prompt pending, or a drill answer is expected first
    now = router.user_now(context, update)
    result = context.services.get_nlu().parse(text, now=now)
    if (
        result["intent"]["name"] in journal_handlers.OTHER_REQUESTS
        and result["intent"]["confidence"] >= 0.75
    ):
        return False  # a question, not a plan: the router answers it, the prompt stays open
    if result["intent"]["name"] in ("deny", "goodbye") and len(text.split()) <= 4:
        context.user_data.pop(EVENING_STATE, None)
        await context.bot.send_message(
            update.effective_chat.id, T.NOTHING_NOTED.format(day=jt.fmt_date(state["day"]))
        )  # type: ignore[union-attr]
        return True
    day = date.fromisoformat(state["day"])
    cards = plan_cards(context, update, text, day)
    if not cards:
        return False
    context.user_data.pop(EVENING_STATE, None)
    context.user_data[DRAFT] = {"day": day.isoformat(), "cards": [c.to_dict() for c in cards]}
    message, markup = render_draft(day, cards)
    await context.bot.send_message(update.effective_chat.id, message, reply_markup=markup)  # type: ignore[union-attr]
    return True


async def on_evening_button(update: Update, context: BotContext) -> None:
    """Rien de prévu / Plus tard (1 h)."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    _, action, day = [*query.data.split(":", 2), "", ""][:3]
    await query.answer()
    await journal_handlers.close_buttons(query)
    context.user_data.pop(EVENING_STATE, None)
    if action == "none":
        await context.bot.send_message(
            update.effective_user.id, T.NOTHING_NOTED.format(day=jt.fmt_date(day))
        )
        return
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        assert user is not None
        due_at = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)
        today = router.user_now(context, update).date()
        session.add(
            DeferredPush(
                user_id=user.id,
                kind=rules.LATER,
                key=f"later:{today.isoformat()}:{due_at:%H%M}",
                due_at=due_at,
            )
        )
    await context.bot.send_message(update.effective_user.id, T.LATER_NOTED)


async def on_plan_button(update: Update, context: BotContext) -> None:
    """Validate all, correct one or drop one item of the evening plan."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    draft = context.user_data.get(DRAFT)
    if not draft:
        await query.answer(T.PLAN_GONE)
        return
    await query.answer()
    _, action, raw = [*query.data.split(":"), "", ""][:3]
    cards = [Card.from_dict(c) for c in draft["cards"]]
    day = date.fromisoformat(draft["day"])
    chat_id = update.effective_user.id
    index = int(raw) - 1 if raw.isdigit() else -1
    if action == "all":
        complete = [c for c in cards if c.missing() is None]
        with context.services.session() as session:
            user = get_user(session, update.effective_user.id)
            assert user is not None
            for card in complete:
                crm.save_card(session, user, card, update_id=update.update_id)
        context.user_data.pop(DRAFT, None)
        await journal_handlers.close_buttons(query)
        await context.bot.send_message(
            chat_id, T.PLAN_SAVED.format(count=len(complete), day=jt.fmt_date(day))
        )
        for card in cards:
            if card.missing() is not None:
                cid = journal_handlers.new_card_id()
                journal_handlers.store_card(context, cid, card)
                await journal_handlers.advance(update, context, cid)
        return
    if not 0 <= index < len(cards):
        await context.bot.send_message(chat_id, T.PLAN_GONE)
        return
    card = cards.pop(index)
    draft["cards"] = [c.to_dict() for c in cards]
    if action == "e":
        cid = journal_handlers.new_card_id()
        journal_handlers.store_card(context, cid, card)
        await journal_handlers.advance(update, context, cid)
    else:
        await context.bot.send_message(chat_id, T.PLAN_ITEM_DROPPED.format(n=index + 1))
    if cards:
        message, markup = render_draft(day, cards)
        await context.bot.send_message(chat_id, message, reply_markup=markup)
    else:
        context.user_data.pop(DRAFT, None)


async def on_followup_button(update: Update, context: BotContext) -> None:
    """Fait / +1 jour / +1 semaine on a follow-up of the digest."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    parts = query.data.split(":")
    if len(parts) != 3 or not parts[2].isdigit():
        await query.answer(T.FOLLOWUP_GONE)
        return
    action, followup_id = parts[1], int(parts[2])
    now = router.user_now(context, update)
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        assert user is not None
        days = rules.parse_days(user.working_days)
        if action == "done":
            row = crm.mark_followup_done(session, user.id, followup_id, now)
        else:
            step = timedelta(days=1 if action == "d1" else 7)
            target = next_working_day(max(now.date(), _due(session, followup_id)) + step, days)
            row = crm.postpone_followup(session, user.id, followup_id, target)
        label = ""
        if row is not None:
            company = session.get(Company, row.company_id) if row.company_id else None
            label = jt.followup_label(company.name if company else None, row.note)
            new_day = row.due_date
    if row is None:
        await query.answer(T.FOLLOWUP_GONE, show_alert=True)
        return
    await query.answer()
    text = (
        T.FOLLOWUP_DONE.format(label=label)
        if action == "done"
        else T.FOLLOWUP_MOVED.format(date=jt.fmt_date(new_day), label=label)
    )
    await context.bot.send_message(update.effective_user.id, text)


def _due(session: Session, followup_id: int) -> date:
    """Return a follow-up's due date (today's when missing)."""
    followup = session.get(FollowUp, followup_id)
    return followup.due_date if followup else date.today()


# ------------------------------------------------------------------ settings


def settings_text(user: User) -> str:
    """Render the settings screen."""
    days = rules.parse_days(user.working_days)
    pause = (
        T.PAUSE_UNTIL.format(date=jt.fmt_date(user.paused_until))
        if user.paused_until
        else T.PAUSE_NONE
    )
    return T.SETTINGS_TITLE.format(
        evening=user.evening_time.strftime("%H:%M"),
        morning=user.morning_time.strftime("%H:%M"),
        days=" ".join(T.DAY_NAMES[d - 1] for d in days),
        tz=user.timezone,
        pause=pause,
    )


def settings_markup(user: User) -> InlineKeyboardMarkup:
    """Buttons of the settings screen."""
    rows = [
        [B(T.BUTTON_EVENING, callback_data="rg:ev"), B(T.BUTTON_MORNING, callback_data="rg:mo")],
        [B(T.BUTTON_DAYS, callback_data="rg:days"), B(T.BUTTON_TZ, callback_data="rg:tz")],
        [
            B(T.BUTTON_RESUME, callback_data="rg:resume")
            if user.paused_until
            else B(T.BUTTON_PAUSE, callback_data="rg:pause")
        ],
    ]
    return InlineKeyboardMarkup(rows)


async def settings_command(update: Update, context: BotContext) -> None:
    """/reglages: show and change the push settings."""
    assert update.effective_user is not None and update.effective_chat is not None
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        assert user is not None
        text, markup = settings_text(user), settings_markup(user)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def on_settings_button(update: Update, context: BotContext) -> None:
    """Handle the settings buttons."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    await query.answer()
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    chat_id = update.effective_user.id
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        assert user is not None
        if action in ("ev", "mo"):
            choices = EVENING_CHOICES if action == "ev" else MORNING_CHOICES
            context.user_data[SETTINGS_STATE] = action
            markup = InlineKeyboardMarkup(
                [[B(c, callback_data=f"rg:set{action}:{c.replace(':', 'h')}") for c in choices]]
            )
            await context.bot.send_message(chat_id, T.ASK_TIME, reply_markup=markup)
            return
        if action == "tz":
            context.user_data[SETTINGS_STATE] = "tz"
            markup = InlineKeyboardMarkup(
                [[B(tz, callback_data=f"rg:settz:{tz}")] for tz in TIMEZONES]
            )
            await context.bot.send_message(chat_id, T.ASK_TZ, reply_markup=markup)
            return
        if action == "pause":
            context.user_data[SETTINGS_STATE] = "pause"
            await context.bot.send_message(chat_id, T.ASK_PAUSE)
            return
        if action == "resume":
            user.paused_until = None
        elif action == "days" or action == "day":
            if action == "day" and len(parts) == 3 and parts[2].isdigit():
                days = set(rules.parse_days(user.working_days)) ^ {int(parts[2])}
                user.working_days = ",".join(str(d) for d in sorted(days)) or user.working_days
            current = rules.parse_days(user.working_days)
            markup = InlineKeyboardMarkup(
                [
                    [
                        B(
                            ("✅ " if d in current else "▫️ ") + T.DAY_NAMES[d - 1],
                            callback_data=f"rg:day:{d}",
                        )
                        for d in range(1, 8)
                    ],
                    [B(T.BUTTON_BACK, callback_data="rg:show")],
                ]
            )
            await context.bot.send_message(chat_id, T.ASK_DAYS, reply_markup=markup)
            return
        elif action in ("setev", "setmo") and len(parts) == 3:
            value = _parse_time(parts[2])
            if value is not None:
                if action == "setev":
                    user.evening_time = value
                else:
                    user.morning_time = value
        elif action == "settz" and len(parts) >= 3:
            tz = ":".join(parts[2:])
            if tz in TIMEZONES:
                user.timezone = tz
                context.user_data["tz"] = tz
        context.user_data.pop(SETTINGS_STATE, None)
        text, markup = settings_text(user), settings_markup(user)
    await context.bot.send_message(chat_id, text, reply_markup=markup)


def _parse_time(text: str) -> time | None:
    """Parse 18:15, 18h15, 18h."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*[:h]\s*(\d{2})?\s*", text)
    if not match or int(match[1]) > 23 or int(match[2] or 0) > 59:
        return None
    return time(int(match[1]), int(match[2] or 0))


async def settings_input(update: Update, context: BotContext, text: str) -> bool:
    """Typed values for the settings screen (time, timezone, pause date)."""
    state = context.user_data.get(SETTINGS_STATE)
    if not state:
        return False
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)  # type: ignore[union-attr]
        assert user is not None
        if state in ("ev", "mo"):
            value = _parse_time(text)
            if value is None:
                await context.bot.send_message(chat_id, T.BAD_TIME)
                return True
            if state == "ev":
                user.evening_time = value
            else:
                user.morning_time = value
        elif state == "tz":
            try:
                ZoneInfo(text.strip())
            except (ZoneInfoNotFoundError, ValueError):
                await context.bot.send_message(chat_id, T.BAD_TZ)
                return True
            user.timezone = text.strip()
            context.user_data["tz"] = user.timezone
        elif state == "pause":
            value = resolve_date(text, router.user_now(context, update), "future")
            if value is None:
                await context.bot.send_message(chat_id, T.BAD_DATE)
                return True
            user.paused_until = date.fromisoformat(value[:10])
        context.user_data.pop(SETTINGS_STATE, None)
        reply = T.SAVED + "\n\n" + settings_text(user)
        markup = settings_markup(user)
    await context.bot.send_message(chat_id, reply, reply_markup=markup)
    return True


def register(app: AppType) -> None:
    """Wire the evening plan, the digest buttons, /reglages and the minute tick."""
    for interceptor in (settings_input, evening_input):
        if interceptor not in router.INTERCEPTORS:
            router.INTERCEPTORS.insert(0, interceptor)
    common.PENDING_KEYS.extend(
        k for k in (EVENING_STATE, DRAFT, SETTINGS_STATE) if k not in common.PENDING_KEYS
    )
    app.add_handler(CommandHandler("reglages", settings_command))
    app.add_handler(CallbackQueryHandler(on_evening_button, pattern=r"^ev:"))
    app.add_handler(CallbackQueryHandler(on_plan_button, pattern=r"^pl:"))
    app.add_handler(CallbackQueryHandler(on_followup_button, pattern=r"^fu:"))
    app.add_handler(CallbackQueryHandler(on_settings_button, pattern=r"^rg:"))
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            tick_job,
            interval=60,
            first=61 - datetime.now(UTC).second,  # aligned on the minute, one second after
            name="scheduler-tick",
            # APScheduler's default misfire_grace_time of 1 s would silently skip a late tick.
            job_kwargs={"misfire_grace_time": 55, "coalesce": True, "max_instances": 1},
        )
