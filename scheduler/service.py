"""The scheduler tick: derive due pushes from the database, claim each once, send within limits."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import DeferredPush, FollowUp, Push, Team, User
from scheduler import rules
from scheduler.sender import BLOCKED, SENT, PushSender

if TYPE_CHECKING:
    from telegram import Bot

    from bot.services import Services

log = logging.getLogger(__name__)


@dataclass
class Outgoing:
    """A claimed push ready to be rendered and sent."""

    push_id: int
    due: rules.DuePush
    payload: dict[str, Any] = field(default_factory=dict)


def load_schedules(session: Session) -> list[rules.UserSchedule]:
    """Every active, onboarded user's push settings (one query)."""
    rows = session.execute(
        select(
            User.id,
            User.telegram_id,
            User.timezone,
            User.evening_time,
            User.morning_time,
            User.working_days,
            User.paused_until,
        ).where(User.active.is_(True), User.onboarded.is_(True))
    ).all()
    return [
        rules.UserSchedule(r[0], r[1], r[2], r[3], r[4], rules.parse_days(r[5]), r[6])
        for r in rows
    ]


def due_team_summaries(
    session: Session, now_utc: datetime, grace: timedelta
) -> list[rules.DuePush]:
    """Monday summaries of every team whose manager is active."""
    rows = session.execute(
        select(
            Team.id,
            Team.summary_time,
            User.id,
            User.telegram_id,
            User.timezone,
            User.evening_time,
            User.morning_time,
            User.working_days,
            User.paused_until,
        )
        .join(User, User.id == Team.manager_id)
        .where(User.active.is_(True), User.onboarded.is_(True))
    ).all()
    out = []
    for team_id, at, user_id, telegram_id, tz, evening, morning, days, paused in rows:
        manager = rules.UserSchedule(
            user_id, telegram_id, tz, evening, morning, rules.parse_days(days), paused
        )
        due = rules.team_summary_due(team_id, manager, at, now_utc, grace)
        if due is not None:
            out.append(due)
    return out


def due_reminders(
    session: Session, now_utc: datetime, before: timedelta, grace: timedelta
) -> list[rules.DuePush]:
    """Timed follow-ups whose reminder time has come."""
    today = now_utc.date()
    rows = session.execute(
        select(
            FollowUp.id,
            FollowUp.due_date,
            FollowUp.due_time,
            User.id,
            User.telegram_id,
            User.timezone,
        )
        .join(User, User.id == FollowUp.user_id)
        .where(
            FollowUp.status == "open",
            FollowUp.deleted_at.is_(None),
            FollowUp.due_time.is_not(None),
            FollowUp.due_date.between(today - timedelta(days=1), today + timedelta(days=1)),
            User.active.is_(True),
        )
    ).all()
    out = []
    for followup_id, due_day, due_time, user_id, telegram_id, tz in rows:
        at = rules.reminder_due(due_day, due_time, tz, now_utc, before, grace)
        if at is not None:
            key = rules.reminder_key(
                followup_id, rules.local_instant(due_day, due_time, ZoneInfo(tz))
            )
            out.append(rules.DuePush(user_id, telegram_id, rules.REMINDER, key, at, due_day))
    return out


def due_deferred(session: Session, now_utc: datetime) -> list[rules.DuePush]:
    """ "Plus tard" pushes whose time has come."""
    rows = session.execute(
        select(
            DeferredPush.id,
            DeferredPush.kind,
            DeferredPush.key,
            DeferredPush.due_at,
            User.id,
            User.telegram_id,
        )
        .join(User, User.id == DeferredPush.user_id)
        .where(DeferredPush.due_at <= now_utc.replace(tzinfo=None), User.active.is_(True))
    ).all()
    return [
        rules.DuePush(
            user_id,
            telegram_id,
            kind,
            key,
            due_at.replace(tzinfo=UTC),
            date.fromisoformat(key.split(":")[1][:10]),
        )
        for _id, kind, key, due_at, user_id, telegram_id in rows
    ]


def claim(session: Session, pushes: list[rules.DuePush]) -> list[Outgoing]:
    """Record each push under its unique key; only the pushes this call inserted are returned.

    An insert that conflicts means another run (a restart, a second process) already has it.
    """
    if not pushes:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    by_key = {(p.user_id, p.kind, p.key): p for p in pushes}
    claimed: list[Outgoing] = []
    values = [
        {"user_id": p.user_id, "kind": p.kind, "key": p.key, "status": "pending"}
        for p in by_key.values()
    ]
    for start in range(0, len(values), 1000):
        statement = (
            insert(Push)
            .values(values[start : start + 1000])
            .on_conflict_do_nothing(index_elements=["user_id", "kind", "key"])
            .returning(Push.id, Push.user_id, Push.kind, Push.key)
        )
        for push_id, user_id, kind, key in session.execute(statement).all():
            claimed.append(Outgoing(push_id, by_key[(user_id, kind, key)]))
    return claimed


@dataclass
class TickResult:
    """What one tick did."""

    due: int = 0
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    blocked: int = 0


class Scheduler:
    """Periodic tick over the database; safe to run in several processes at once."""

    def __init__(
        self, services: Services, bot: Bot, renderer: Any, sender: PushSender | None = None
    ):
        self.services = services
        self.bot = bot
        self.renderer = renderer
        self.sender = sender or PushSender()
        settings = services.settings
        self.grace = timedelta(minutes=settings.push_grace_minutes)
        self.before = timedelta(minutes=settings.reminder_minutes_before)

    def collect(self, now_utc: datetime) -> list[Outgoing]:
        """Find what is due and claim it, in one transaction."""
        with self.services.session() as session:
            due: list[rules.DuePush] = []
            for schedule in load_schedules(session):
                due.extend(rules.due_pushes(schedule, now_utc, self.grace))
            due.extend(due_reminders(session, now_utc, self.before, self.grace))
            due.extend(due_team_summaries(session, now_utc, self.grace))
            deferred = due_deferred(session, now_utc)
            due.extend(deferred)
            claimed = claim(session, due)
            if deferred:
                session.execute(
                    delete(DeferredPush).where(DeferredPush.due_at <= now_utc.replace(tzinfo=None))
                )
        self._last_due = len(due)
        return claimed

    async def tick(self, now_utc: datetime | None = None) -> TickResult:
        """Claim due pushes, then send them concurrently through the rate limiter."""
        now_utc = now_utc or datetime.now(UTC)
        # Database work off the event loop (PostgreSQL): a tick that finds every user's
        # evening prompt due must not stall the replies to the users who are typing.
        claimed = await self.services.run_db(self.collect, now_utc)
        result = TickResult(due=self._last_due, claimed=len(claimed))
        if not claimed:
            return result
        outcomes = await asyncio.gather(*(self._deliver(item) for item in claimed))
        for outcome in outcomes:
            setattr(result, outcome, getattr(result, outcome) + 1)
        if result.claimed:
            log.info(
                "scheduler tick: %d due, %d claimed, %d sent, %d skipped, %d failed, %d blocked",
                result.due,
                result.claimed,
                result.sent,
                result.skipped,
                result.failed,
                result.blocked,
            )
        return result

    async def _deliver(self, item: Outgoing) -> str:
        """Render and send one push, then record its status."""
        message = await self.services.run_db(self._render, item)  # keep the event loop free
        if message is None:
            await self.services.run_db(self._mark, item.push_id, "skipped")
            return "skipped"
        text, markup, *extra = message
        photos: list[tuple[str, bytes]] = extra[0] if extra else []

        async def call() -> Any:
            return await self.bot.send_message(item.due.telegram_id, text, reply_markup=markup)

        outcome = await self.sender.send(item.due.telegram_id, call)
        for name, data in photos if outcome == SENT else []:

            async def photo(name: str = name, data: bytes = data) -> Any:
                from telegram import InputFile

                return await self.bot.send_photo(
                    item.due.telegram_id, InputFile(data, filename=name)
                )

            await self.sender.send(item.due.telegram_id, photo)
        if outcome == SENT:
            await self.services.run_db(self._mark, item.push_id, "sent")
            self.renderer.after_send(item.due)
            return "sent"
        if outcome == BLOCKED:
            await self.services.run_db(self._mark, item.push_id, "blocked", item.due.user_id)
            return "blocked"
        log.warning("push %s to user %s kept as failed for retry", item.due.key, item.due.user_id)
        await self.services.run_db(self._mark, item.push_id, "failed")
        return "failed"

    def _render(self, item: Outgoing) -> Any:
        """Build a push's message from the database (runs in a worker thread)."""
        with self.services.session() as session:
            return self.renderer.render(session, item.due)

    def _mark(self, push_id: int, status: str, blocked_user: int | None = None) -> None:
        """Record the push's final status (and a user who blocked the bot as inactive)."""
        with self.services.session() as session:
            if blocked_user is not None:
                session.execute(update(User).where(User.id == blocked_user).values(active=False))
            session.execute(
                update(Push)
                .where(Push.id == push_id)
                .values(status=status, sent_at=datetime.now(UTC).replace(tzinfo=None))
            )
