"""Which pushes are due for a user at an instant: pure rules, correct across DST changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from journal.calendar import is_working_day, next_working_day

EVENING = "evening"
MORNING = "morning"
REMINDER = "reminder"
LATER = "later"
TEAM = "team"


@dataclass(frozen=True)
class UserSchedule:
    """A user's push settings."""

    user_id: int
    telegram_id: int
    timezone: str
    evening: time
    morning: time
    working_days: tuple[int, ...]
    paused_until: date | None = None


@dataclass(frozen=True)
class DuePush:
    """One push to send: its unique key, its kind and when it was due (UTC)."""

    user_id: int
    telegram_id: int
    kind: str
    key: str
    due_at: datetime
    local_day: date


def parse_days(text: str) -> tuple[int, ...]:
    """Parse "1,2,3,4,5" into ISO weekdays."""
    return tuple(sorted({int(d) for d in text.split(",") if d.strip().isdigit()})) or (
        1,
        2,
        3,
        4,
        5,
    )


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Return the UTC instant of a local wall-clock time (a time skipped by DST moves forward)."""
    local = datetime.combine(day, at, tzinfo=tz)
    roundtrip = local.astimezone(UTC).astimezone(tz)
    if roundtrip.replace(tzinfo=None) != local.replace(tzinfo=None):
        # 02:30 on the spring-forward night does not exist: use the first valid minute after.
        local = (local + timedelta(hours=1)).replace(fold=0)
    return local.astimezone(UTC)


def is_paused(schedule: UserSchedule, day: date) -> bool:
    """Say whether the user asked for no pushes on this day (holidays)."""
    return schedule.paused_until is not None and day <= schedule.paused_until


def due_pushes(schedule: UserSchedule, now_utc: datetime, grace: timedelta) -> list[DuePush]:
    """Return the evening and morning pushes due now (within the grace period after their time)."""
    tz = ZoneInfo(schedule.timezone)
    local_today = now_utc.astimezone(tz).date()
    out: list[DuePush] = []
    for day in (local_today - timedelta(days=1), local_today):
        if not is_working_day(day, schedule.working_days) or is_paused(schedule, day):
            continue
        for kind, at in ((EVENING, schedule.evening), (MORNING, schedule.morning)):
            due_at = local_instant(day, at, tz)
            if due_at <= now_utc <= due_at + grace:
                out.append(
                    DuePush(
                        schedule.user_id,
                        schedule.telegram_id,
                        kind,
                        f"{kind}:{day.isoformat()}",
                        due_at,
                        day,
                    )
                )
    return out


def reminder_key(followup_id: int, due: datetime) -> str:
    """Unique key of a timed follow-up reminder."""
    return f"{REMINDER}:{followup_id}:{due.strftime('%Y%m%d%H%M')}"


def reminder_due(
    due_day: date,
    due_time: time,
    tz_name: str,
    now_utc: datetime,
    before: timedelta,
    grace: timedelta,
) -> datetime | None:
    """Return the reminder instant if it is due now, else None."""
    at = local_instant(due_day, due_time, ZoneInfo(tz_name)) - before
    return at if at <= now_utc <= at + grace else None


def next_planning_day(today: date, working_days: tuple[int, ...]) -> date:
    """The next working day after today: the day the evening prompt plans."""
    return next_working_day(today + timedelta(days=1), working_days)


def team_summary_due(
    team_id: int,
    manager: UserSchedule,
    at: time,
    now_utc: datetime,
    grace: timedelta,
) -> DuePush | None:
    """The manager's weekly summary: Monday at the team's time, in the manager's timezone."""
    tz = ZoneInfo(manager.timezone)
    local_today = now_utc.astimezone(tz).date()
    for day in (local_today - timedelta(days=1), local_today):
        if day.weekday() != 0:
            continue
        due_at = local_instant(day, at, tz)
        if due_at <= now_utc <= due_at + grace:
            key = f"{TEAM}:{day.isoformat()}:{team_id}"
            return DuePush(manager.user_id, manager.telegram_id, TEAM, key, due_at, day)
    return None
