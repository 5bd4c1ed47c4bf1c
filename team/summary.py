"""The manager's weekly team summary: per-rep figures, team ratios, funnel, accounts, alerts.

Everything is computed with grouped aggregate queries over the members (at most 16 queries
whatever the team size; no activity row is loaded into Python, the largest result is one
small row per company of the members), identical on SQLite and PostgreSQL. Definitions
(shown, shortened, in the rendered summary):

* volumes and ratios are those of ``journal.stats`` (done, non-deleted activities);
* the week is [week_start, week_start + 6], cut at today when earlier; the previous week is
  the same days seven days before; the ratio-drop baseline is the 4 weeks before week_start;
* planning discipline: a worked day D of the week counts as planned when the rep's next
  worked day had at least one non-deleted activity (planned or done, any kind) created before
  the end of D in the rep's timezone; D is eligible once over (D < today) and when the rep
  was neither paused nor not yet in the bot;
* overdue follow-ups: open, not deleted, due before today;
* drills and checklists: attempts made and checklist runs started in the week, in the rep's
  timezone (their timestamps are naive UTC);
* account view: share of the rep's companies with a done activity in the last 30 days; most
  contacted = most done activities in the last 90 days; least = longest without a done
  activity (never first); "rotting" quotes = a done ``devis`` of the last 90 days for a
  company with no ``commande`` on or after its day and no open follow-up; planned visits and
  calls dated before today (last 30 days) are "not reported".
"""

from __future__ import annotations

import dataclasses
import heapq
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.types import NullType

from core.settings import Settings
from db.models import Activity, ChecklistRun, Company, DrillAttempt, FollowUp, User
from journal import stats_texts as JT
from journal.calendar import next_working_day
from journal.export import ExportRow, export_rows
from journal.stats import Counts, Delta, Ratio, Ratios, compare, compute_counts, compute_ratios
from scheduler.rules import local_instant
from team import texts as T
from team.alerts import (
    ALERT_ORDER,
    Alert,
    AlertThresholds,
    VisitPace,
    compute_alerts,
    longest_run,
    parse_working_days,
    visit_pace,
    working_days_between,
)

CONTACT_WINDOW_DAYS = 30
FREQUENCY_WINDOW_DAYS = 90
TOP_ACCOUNTS = 3
TOP_ROTTING = 3
RECENT_DAYS = 14  # the last activity is looked for here first
QUOTE_CLOSING_OUTCOMES = ("commande",)
UNREPORTED_KINDS = ("visit", "call")

# --- dataclasses --------------------------------------------------------------------------


@dataclass(frozen=True)
class Planning:
    """Planning discipline of one rep over the week's elapsed worked days."""

    eligible: tuple[date, ...] = ()
    planned: tuple[date, ...] = ()

    @property
    def eligible_days(self) -> int:
        """Worked days of the week that are over (the denominator)."""
        return len(self.eligible)

    @property
    def planned_days(self) -> int:
        """Eligible days whose next worked day was planned in time."""
        return len(self.planned)

    @property
    def missed(self) -> tuple[date, ...]:
        """Eligible days without the next worked day planned."""
        done = set(self.planned)
        return tuple(d for d in self.eligible if d not in done)

    @property
    def longest_gap(self) -> tuple[date, ...]:
        """The longest run of consecutive missed eligible days."""
        return longest_run(self.eligible, self.missed)

    @property
    def share(self) -> float | None:
        """Planned share of the eligible days (None when no day is over yet)."""
        return self.planned_days / self.eligible_days if self.eligible else None


@dataclass(frozen=True)
class AccountRef:
    """One company of a rep's portfolio with its contact frequency."""

    company_id: int
    name: str
    activities_90d: int
    last_contact: date | None


@dataclass(frozen=True)
class RottingQuote:
    """A company with quotes but no order after them and no open follow-up."""

    company_id: int
    name: str
    last_quote: date
    quotes: int
    amount: Decimal  # the largest of these quotes (0 when none carried an amount)


@dataclass(frozen=True)
class AccountView:
    """What a rep does with their portfolio."""

    companies: int = 0
    contacted_30d: int = 0
    most_contacted: tuple[AccountRef, ...] = ()
    least_contacted: tuple[AccountRef, ...] = ()
    rotting_count: int = 0
    rotting_amount: Decimal = Decimal("0.00")
    rotting: tuple[RottingQuote, ...] = ()
    unreported_visits: int = 0
    unreported_calls: int = 0

    @property
    def contacted_share(self) -> float | None:
        """Share of the portfolio contacted in the last 30 days (None without companies)."""
        return self.contacted_30d / self.companies if self.companies else None

    @property
    def unreported(self) -> int:
        """Planned visits and calls dated before today, still not reported."""
        return self.unreported_visits + self.unreported_calls


@dataclass(frozen=True)
class RepSummary:
    """One rep's week."""

    user_id: int
    name: str
    counts: Counts
    ratios: Ratios
    baseline_counts: Counts
    baseline_ratios: Ratios
    planning: Planning
    overdue_followups: int
    drills: int
    drill_score_sum: float
    checklists: int
    checklists_done: int
    accounts: AccountView
    last_activity: date | None
    idle_working_days: int
    pace: VisitPace
    working_days: tuple[int, ...]
    paused_until: date | None = None
    alerts: tuple[Alert, ...] = ()

    @property
    def drill_average(self) -> float | None:
        """Average drill score of the week, out of 10."""
        return self.drill_score_sum / self.drills if self.drills else None


@dataclass(frozen=True)
class FunnelStage:
    """One stage of the funnel with its rate from the previous stage."""

    code: str
    value: int
    rate: float | None  # None for the first stage or when the previous stage is 0

    @property
    def label(self) -> str:
        """French label of the stage."""
        return T.FUNNEL_LABELS[self.code]


@dataclass(frozen=True)
class TeamSummary:
    """Everything the renderer, the charts and the alerts need for one team and week."""

    team_name: str
    week_start: date
    week_end: date
    end: date
    today: date
    previous_start: date
    previous_end: date
    baseline_start: date
    baseline_end: date
    reps: tuple[RepSummary, ...]
    totals: Counts
    previous_totals: Counts
    ratios: Ratios
    previous_ratios: Ratios
    deltas: dict[str, Delta]
    funnel: tuple[FunnelStage, ...]
    alerts: tuple[Alert, ...]
    thresholds: AlertThresholds
    cost_per_km: float = 0.0
    cost_per_field_day: float = 0.0

    @property
    def partial(self) -> bool:
        """Say whether the week is cut at today."""
        return self.end < self.week_end

    @property
    def overdue_followups(self) -> int:
        """Overdue follow-ups of the whole team."""
        return sum(r.overdue_followups for r in self.reps)

    @property
    def drills(self) -> int:
        """Drill attempts of the team in the week."""
        return sum(r.drills for r in self.reps)

    @property
    def drill_average(self) -> float | None:
        """Average score of the team's drill attempts."""
        total = sum(r.drill_score_sum for r in self.reps)
        return total / self.drills if self.drills else None

    @property
    def checklists(self) -> int:
        """Checklist runs started by the team in the week."""
        return sum(r.checklists for r in self.reps)

    @property
    def planning(self) -> Planning:
        """Team planning discipline (days of every rep pooled; dates are not unique)."""
        eligible = tuple(d for r in self.reps for d in r.planning.eligible)
        planned = tuple(d for r in self.reps for d in r.planning.planned)
        return Planning(eligible, planned)

    @property
    def accounts(self) -> AccountView:
        """Team account view (sums; no per-company lists)."""
        return AccountView(
            companies=sum(r.accounts.companies for r in self.reps),
            contacted_30d=sum(r.accounts.contacted_30d for r in self.reps),
            rotting_count=sum(r.accounts.rotting_count for r in self.reps),
            rotting_amount=sum((r.accounts.rotting_amount for r in self.reps), Decimal("0.00")),
            unreported_visits=sum(r.accounts.unreported_visits for r in self.reps),
            unreported_calls=sum(r.accounts.unreported_calls for r in self.reps),
        )


# --- helpers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Member:
    """What the summary needs to know about a member."""

    user_id: int
    name: str
    working_days: tuple[int, ...]
    tz: ZoneInfo
    joined: date | None
    paused_until: date | None


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END), portable."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _zone(name: str | None, default: str) -> ZoneInfo:
    """The rep's timezone, or the default when unknown."""
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def _utc_midnight(day: date, tz: ZoneInfo) -> datetime:
    """Naive UTC instant of local midnight at the start of day (as created_at is stored)."""
    return local_instant(day, time(0, 0), tz).replace(tzinfo=None)


def _dec(value: object, places: int = 2) -> Decimal:
    """A SQL sum or max (int, float, Decimal, None) as a Decimal."""
    return Decimal(str(value or 0)).quantize(Decimal(1).scaleb(-places))


def _day(value: object) -> date | None:
    """A SQL date (date, or ISO text from a SQLite aggregate) as a date."""
    if value is None or isinstance(value, date):
        return value  # type: ignore[return-value]
    return date.fromisoformat(str(value)[:10])


def _moment(value: object) -> datetime | None:
    """A SQL timestamp (datetime, or text from a SQLite aggregate) as a naive datetime."""
    if value is None or isinstance(value, datetime):
        return value  # type: ignore[return-value]
    return datetime.fromisoformat(str(value))


def name_key(name: str) -> str:
    """Sort key of a name, accents and case ignored ("Élodie" between "Eddy" and "Emma")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sum_counts(items: Iterable[Counts]) -> Counts:
    """Add per-rep counts into team counts."""
    values: dict[str, Any] = {f.name: f.default for f in fields(Counts)}
    for counts in items:
        for f in fields(Counts):
            values[f.name] = values[f.name] + getattr(counts, f.name)
    return Counts(**values)


def funnel(counts: Counts) -> tuple[FunnelStage, ...]:
    """Contacts (calls reached + visits) → appointments → quotes → orders."""
    values = [
        ("contacts", counts.calls_reached + counts.visits),
        ("appointments", counts.appointments),
        ("quotes", counts.quotes),
        ("orders", counts.orders),
    ]
    stages = []
    previous: int | None = None
    for code, value in values:
        rate = value / previous if previous else None
        stages.append(FunnelStage(code, value, rate))
        previous = value
    return tuple(stages)


def _load_members(
    session: Session, member_ids: Sequence[int], settings: Settings
) -> list[_Member]:
    """The members that exist, sorted by name (one query)."""
    rows = session.execute(
        select(
            User.id,
            User.display_name,
            User.working_days,
            User.timezone,
            User.created_at,
            User.paused_until,
        ).where(User.id.in_(sorted(set(member_ids))))
    ).all()
    members = []
    for user_id, name, days, tz, created, paused in rows:
        created_at = _moment(created)
        members.append(
            _Member(
                user_id=user_id,
                name=(name or "").strip() or T.UNNAMED_REP.format(id=user_id),
                working_days=parse_working_days(days, settings.working_days),
                tz=_zone(tz, settings.default_timezone),
                joined=created_at.date() if created_at else None,
                paused_until=_day(paused),
            )
        )
    members.sort(key=lambda m: (name_key(m.name), m.user_id))
    return members


def _window(
    members: Sequence[_Member],
    user_col: Any,
    moment_col: Any,
    start: date,
    end: date,
) -> ColumnElement[bool]:
    """Members' timestamps within [start, end] in each member's local time (one OR per zone)."""
    by_zone: dict[str, list[_Member]] = defaultdict(list)
    for member in members:
        by_zone[member.tz.key].append(member)
    clauses = []
    for group in by_zone.values():
        tz = group[0].tz
        clauses.append(
            and_(
                user_col.in_([m.user_id for m in group]),
                moment_col >= _utc_midnight(start, tz),
                moment_col < _utc_midnight(end + timedelta(days=1), tz),
            )
        )
    return or_(*clauses)


# --- queries ------------------------------------------------------------------------------


def _visits_ytd(session: Session, ids: list[int], today: date) -> dict[int, int]:
    """Done visits since 1 January, per rep (an index on (user_id, kind, day) serves it)."""
    rows = session.execute(
        select(Activity.user_id, func.count(Activity.id))
        .where(
            Activity.user_id.in_(ids),
            Activity.kind == "visit",
            Activity.day >= date(today.year, 1, 1),
            Activity.day <= today,
            Activity.status == "done",
            Activity.deleted_at.is_(None),
        )
        .group_by(Activity.user_id)
    )
    return {user_id: int(count) for user_id, count in rows}


def _last_activity(
    session: Session, ids: list[int], today: date, lookback: int
) -> dict[int, date]:
    """Last done activity day per rep: the last two weeks first, then further back for the
    reps with nothing there (at most lookback days)."""
    result: dict[int, date] = {}
    windows = [(today - timedelta(days=min(RECENT_DAYS, lookback)), today)]
    if lookback > RECENT_DAYS:
        windows.append((today - timedelta(days=lookback), windows[0][0] - timedelta(days=1)))
    missing = list(ids)
    for first, last in windows:
        if not missing:
            break
        rows = session.execute(
            select(Activity.user_id, func.max(Activity.day))
            .where(
                Activity.user_id.in_(missing),
                Activity.day >= first,
                Activity.day <= last,
                Activity.status == "done",
                Activity.deleted_at.is_(None),
            )
            .group_by(Activity.user_id)
        )
        for user_id, day in rows:
            found = _day(day)
            if found is not None:
                result[user_id] = found
        missing = [i for i in missing if i not in result]
    return result


def _planning(
    session: Session,
    members: Sequence[_Member],
    start: date,
    end: date,
    today: date,
) -> dict[int, Planning]:
    """Planning discipline per rep, from one (user, day, min(created_at)) aggregate."""
    wanted: dict[int, list[tuple[date, date]]] = {}
    last_needed = start
    for m in members:
        pairs = []
        first = max(start, m.joined) if m.joined and m.joined <= today else start
        for day in working_days_between(
            first, min(end, today - timedelta(days=1)), m.working_days
        ):
            nxt = next_working_day(day + timedelta(days=1), m.working_days)
            if m.paused_until is not None and (day <= m.paused_until or nxt <= m.paused_until):
                continue
            pairs.append((day, nxt))
            last_needed = max(last_needed, nxt)
        wanted[m.user_id] = pairs
    result = {m.user_id: Planning() for m in members}
    if not any(wanted.values()):
        return result
    rows = session.execute(
        select(Activity.user_id, Activity.day, func.min(Activity.created_at))
        .where(
            Activity.user_id.in_([m.user_id for m in members if wanted[m.user_id]]),
            Activity.day > start,
            Activity.day <= last_needed,
            Activity.deleted_at.is_(None),
        )
        .group_by(Activity.user_id, Activity.day)
    )
    first_entry = {(user_id, _day(day)): _moment(created) for user_id, day, created in rows}
    for m in members:
        planned = []
        for day, nxt in wanted[m.user_id]:
            created = first_entry.get((m.user_id, nxt))
            if created is not None and created < _utc_midnight(day + timedelta(days=1), m.tz):
                planned.append(day)
        result[m.user_id] = Planning(tuple(d for d, _ in wanted[m.user_id]), tuple(planned))
    return result


def _overdue(session: Session, ids: list[int], today: date) -> dict[int, int]:
    """Open follow-ups due before today, per rep."""
    rows = session.execute(
        select(FollowUp.user_id, func.count(FollowUp.id))
        .where(
            FollowUp.user_id.in_(ids),
            FollowUp.status == "open",
            FollowUp.due_date < today,
            FollowUp.deleted_at.is_(None),
        )
        .group_by(FollowUp.user_id)
    )
    return {user_id: int(count) for user_id, count in rows}


def _drills(
    session: Session, members: Sequence[_Member], start: date, end: date
) -> dict[int, tuple[int, float]]:
    """Drill attempts of the week per rep: (count, sum of scores)."""
    rows = session.execute(
        select(DrillAttempt.user_id, func.count(DrillAttempt.id), func.sum(DrillAttempt.score))
        .where(_window(members, DrillAttempt.user_id, DrillAttempt.created_at, start, end))
        .group_by(DrillAttempt.user_id)
    )
    return {user_id: (int(count), float(total or 0)) for user_id, count, total in rows}


def _checklists(
    session: Session, members: Sequence[_Member], start: date, end: date
) -> dict[int, tuple[int, int]]:
    """Checklist runs started in the week per rep: (started, finished)."""
    rows = session.execute(
        select(
            ChecklistRun.user_id,
            func.count(ChecklistRun.id),
            _count_if(ChecklistRun.status == "done"),
        )
        .where(_window(members, ChecklistRun.user_id, ChecklistRun.started_at, start, end))
        .group_by(ChecklistRun.user_id)
    )
    return {user_id: (int(started), int(done)) for user_id, started, done in rows}


def _accounts(
    session: Session, ids: list[int], today: date, quote_lookback: int
) -> dict[int, AccountView]:
    """Per rep: portfolio coverage, most and least contacted companies, rotting quotes.

    One aggregate over the members' done activities of the last 90 days (or of the quote
    lookback when longer), grouped by company and joined to every company of the members;
    the last contact of a company quiet for 90 days is looked up company by company (index
    on activities.company_id). A company has a rotting quote when its last quote is more
    recent than its last order and it has no open follow-up; the count and the largest
    amount of those quotes come from a second, tiny aggregate over these companies only.
    """
    d30 = today - timedelta(days=CONTACT_WINDOW_DAYS - 1)
    d90 = today - timedelta(days=FREQUENCY_WINDOW_DAYS - 1)
    dq = today - timedelta(days=quote_lookback - 1)
    is_order = Activity.outcome.in_(QUOTE_CLOSING_OUTCOMES)
    is_quote = and_(Activity.outcome == "devis", Activity.day >= dq)
    recent = (
        select(
            Activity.company_id.label("company_id"),
            _count_if(Activity.day >= d90).label("n90"),
            func.max(case((Activity.day >= d90, Activity.day))).label("last_day"),
            func.max(case((is_quote, Activity.day))).label("last_quote"),
            _count_if(is_quote).label("quotes"),
            func.max(case((is_quote, Activity.amount))).label("quote_max"),
            func.max(case((is_order, Activity.day))).label("last_order"),
        )
        .where(
            Activity.user_id.in_(ids),
            Activity.company_id.is_not(None),
            Activity.status == "done",
            Activity.deleted_at.is_(None),
            Activity.day >= min(d90, dq),
            Activity.day <= today,
        )
        .group_by(Activity.company_id)
        .subquery()
    )
    older = aliased(Activity)
    last_before = (
        select(func.max(older.day))
        .where(
            older.company_id == Company.id,
            older.status == "done",
            older.deleted_at.is_(None),
            older.day < d90,
        )
        .scalar_subquery()
    )
    followed_up = (
        select(FollowUp.company_id.label("company_id"))
        .where(
            FollowUp.user_id.in_(ids),
            FollowUp.status == "open",
            FollowUp.deleted_at.is_(None),
            FollowUp.company_id.is_not(None),
        )
        .group_by(FollowUp.company_id)
        .subquery()
    )
    raw = NullType()  # values as the driver gives them: no per-row conversion of 10⁴ rows
    last_contact = func.coalesce(recent.c.last_day, last_before)
    per_company = (
        select(
            Company.id.label("id"),
            Company.owner_id.label("owner_id"),
            type_coerce(func.coalesce(recent.c.n90, 0), raw).label("n90"),
            type_coerce(last_contact, raw).label("last"),
            type_coerce(recent.c.last_quote, raw).label("last_quote"),
            type_coerce(recent.c.last_order, raw).label("last_order"),
            type_coerce(recent.c.quotes, raw).label("quotes"),
            type_coerce(recent.c.quote_max, raw).label("quote_max"),
            followed_up.c.company_id.label("followed"),
        )
        .outerjoin(recent, recent.c.company_id == Company.id)
        .outerjoin(followed_up, followed_up.c.company_id == Company.id)
        .where(Company.owner_id.in_(ids))
    )
    # one small row per company; the top and bottom three per rep are picked in Python.
    # Measured: cheaper than window functions over every company on SQLite, and on
    # PostgreSQL ranking on the server costs as much as moving the rows.
    rows = session.connection().execute(per_company).all()  # fetchall, not row by row
    by_owner: dict[int, list[tuple[int, int, int, Any]]] = defaultdict(list)
    rotting: dict[int, tuple[Any, int, Decimal]] = {}  # company → (last quote, n, max)
    reordered: list[int] = []  # rotting companies with an older order: recount their quotes
    # raw dates are ISO strings on SQLite and dates on PostgreSQL: compare like with like
    sample = next((row[3] for row in rows if row[3] is not None), None)
    since_30: Any = d30.isoformat() if isinstance(sample, str) else d30
    for row in rows:
        company_id, owner_id, n90, last, last_quote, last_order, n, top, follow_up = row
        # contacted in the last 30 days ⟺ last contact on or after d30
        recent_30 = 1 if last is not None and last >= since_30 else 0
        by_owner[owner_id].append((company_id, n90, recent_30, last))
        if last_quote is None or follow_up is not None:
            continue
        if last_order is None:
            rotting[company_id] = (last_quote, int(n), _dec(top))
        elif last_order < last_quote:
            rotting[company_id] = (last_quote, int(n), _dec(top))
            reordered.append(company_id)
    for company_id, (n, top) in _quotes_after_orders(session, reordered, dq, today).items():
        rotting[company_id] = (rotting[company_id][0], n, top)
    picked: dict[int, tuple[int, int, list[Any], list[Any], tuple[int, Decimal, list[Any]]]] = {}
    for owner_id, items in by_owner.items():
        most = heapq.nlargest(
            TOP_ACCOUNTS, (x for x in items if x[1] > 0), key=lambda x: (x[1], x[3], -x[0])
        )
        least = heapq.nsmallest(
            TOP_ACCOUNTS, items, key=lambda x: (x[3] is not None, x[3] or "", x[1], x[0])
        )
        contacted = sum(1 for x in items if x[2] > 0)
        rotten = [(x[0], *rotting[x[0]]) for x in items if x[0] in rotting]
        top = heapq.nsmallest(TOP_ROTTING, rotten, key=_rotting_order)
        amount = sum((x[3] for x in rotten), Decimal("0.00"))
        picked[owner_id] = (len(items), contacted, most, least, (len(rotten), amount, top))
    wanted = {
        x[0] for _, _, most, least, (_, _, top) in picked.values() for x in (*most, *least, *top)
    }
    names: dict[int, str] = {}
    if wanted:
        query = select(Company.id, Company.name).where(Company.id.in_(sorted(wanted)))
        names = dict(session.execute(query).tuples().all())

    def ref(item: tuple[int, int, int, Any]) -> AccountRef:
        """An AccountRef from a picked row."""
        return AccountRef(item[0], names.get(item[0], ""), item[1], _day(item[3]))

    views = {}
    for owner_id, (total, contacted, most, least, (n_rotten, amount, top)) in picked.items():
        views[owner_id] = AccountView(
            companies=total,
            contacted_30d=contacted,
            most_contacted=tuple(ref(x) for x in most),
            least_contacted=tuple(ref(x) for x in least),
            rotting_count=n_rotten,
            rotting_amount=amount,
            rotting=tuple(
                RottingQuote(x[0], names.get(x[0], ""), _day(x[1]) or today, x[2], x[3])
                for x in top
            ),
        )
    return views


def _rotting_order(item: tuple[int, Any, int, Decimal]) -> tuple[Decimal, str, int]:
    """Largest amount first, then the oldest quote."""
    return (-item[3], str(item[1]), item[0])


def _quotes_after_orders(
    session: Session, companies: list[int], since: date, today: date
) -> dict[int, tuple[int, Decimal]]:
    """For rotting companies that also ordered in the window: how many of their quotes have
    no order on or after their day, and the largest amount among these."""
    if not companies:
        return {}
    order = aliased(Activity)
    ordered_since = (
        select(order.id)
        .where(
            order.company_id == Activity.company_id,
            order.outcome.in_(QUOTE_CLOSING_OUTCOMES),
            order.status == "done",
            order.deleted_at.is_(None),
            order.day >= Activity.day,
        )
        .exists()
    )
    rows = session.execute(
        select(Activity.company_id, func.count(Activity.id), func.max(Activity.amount))
        .where(
            Activity.company_id.in_(companies),
            Activity.outcome == "devis",
            Activity.status == "done",
            Activity.deleted_at.is_(None),
            Activity.day >= since,
            Activity.day <= today,
            ~ordered_since,
        )
        .group_by(Activity.company_id)
    )
    return {company_id: (int(n), _dec(amount)) for company_id, n, amount in rows}


def _unreported(
    session: Session, ids: list[int], today: date, lookback: int
) -> dict[int, tuple[int, int]]:
    """Planned visits and calls dated before today (within lookback), per rep."""
    rows = session.execute(
        select(
            Activity.user_id,
            _count_if(Activity.kind == "visit"),
            _count_if(Activity.kind == "call"),
        )
        .where(
            Activity.user_id.in_(ids),
            Activity.status == "planned",
            Activity.kind.in_(UNREPORTED_KINDS),
            Activity.deleted_at.is_(None),
            Activity.day < today,
            Activity.day >= today - timedelta(days=lookback),
        )
        .group_by(Activity.user_id)
    )
    return {user_id: (int(visits), int(calls)) for user_id, visits, calls in rows}


def _idle_working_days(member: _Member, last: date | None, today: date, lookback: int) -> int:
    """Worked days strictly between the last activity (or joining, or pause) and today."""
    start = today - timedelta(days=lookback)
    if last is not None:
        start = last + timedelta(days=1)
    if member.joined is not None and member.joined <= today:
        start = max(start, member.joined)
    days = working_days_between(
        start, today - timedelta(days=1), member.working_days, member.paused_until
    )
    return len(days)


# --- the summary --------------------------------------------------------------------------


def team_summary(
    session: Session,
    member_ids: Sequence[int],
    week_start: date,
    today: date,
    settings: Settings,
    thresholds: AlertThresholds | None = None,
    *,
    team_name: str = "",
) -> TeamSummary:
    """Build the team's summary for the week starting week_start, as of today.

    member_ids are the current members (a removed member is simply left out); ids without a
    user are ignored. Read-only; on PostgreSQL it turns JIT off for the current transaction
    (``SET LOCAL jit = off``). Raises ValueError when today is before week_start.
    """
    if today < week_start:
        raise ValueError("today is before the start of the week")
    thresholds = thresholds or AlertThresholds.from_settings(settings)
    week_end = week_start + timedelta(days=6)
    end = min(week_end, today)
    prev_start, prev_end = week_start - timedelta(days=7), end - timedelta(days=7)
    base_start = week_start - timedelta(days=7 * thresholds.baseline_weeks)
    base_end = week_start - timedelta(days=1)
    cost_km, cost_day = settings.cost_per_km, settings.cost_per_field_day

    if session.get_bind().dialect.name == "postgresql":
        # These are short aggregate queries: the JIT compiler (on by default since PostgreSQL
        # 12) costs more than it saves here (~35 ms on a 50-rep team). Transaction-scoped.
        session.execute(text("SET LOCAL jit = off"))
    members = _load_members(session, member_ids, settings) if member_ids else []
    ids = [m.user_id for m in members]
    reps: list[RepSummary] = []
    counts: dict[int, Counts] = {}
    previous: dict[int, Counts] = {}
    if ids:
        counts = compute_counts(session, ids, week_start, end)
        previous = compute_counts(session, ids, prev_start, prev_end)
        baseline = compute_counts(session, ids, base_start, base_end)
        lookback = thresholds.inactivity_lookback_days
        visits_ytd = _visits_ytd(session, ids, today)
        last_days = _last_activity(session, ids, today, lookback)
        planning = _planning(session, members, week_start, end, today)
        overdue = _overdue(session, ids, today)
        drills = _drills(session, members, week_start, end)
        checklists = _checklists(session, members, week_start, end)
        accounts = _accounts(session, ids, today, thresholds.quote_lookback_days)
        unreported = _unreported(session, ids, today, thresholds.unreported_lookback_days)
        for m in members:
            last = last_days.get(m.user_id)
            account = accounts.get(m.user_id, AccountView())
            un_visits, un_calls = unreported.get(m.user_id, (0, 0))
            n_drills, score_sum = drills.get(m.user_id, (0, 0.0))
            started, finished = checklists.get(m.user_id, (0, 0))
            reps.append(
                RepSummary(
                    user_id=m.user_id,
                    name=m.name,
                    counts=counts[m.user_id],
                    ratios=compute_ratios(counts[m.user_id], cost_km, cost_day),
                    baseline_counts=baseline[m.user_id],
                    baseline_ratios=compute_ratios(baseline[m.user_id], cost_km, cost_day),
                    planning=planning[m.user_id],
                    overdue_followups=overdue.get(m.user_id, 0),
                    drills=n_drills,
                    drill_score_sum=score_sum,
                    checklists=started,
                    checklists_done=finished,
                    accounts=dataclasses.replace(
                        account, unreported_visits=un_visits, unreported_calls=un_calls
                    ),
                    last_activity=last,
                    idle_working_days=_idle_working_days(m, last, today, lookback),
                    pace=visit_pace(
                        visits_ytd.get(m.user_id, 0),
                        today,
                        thresholds.yearly_visit_target,
                        m.working_days,
                        m.joined,
                    ),
                    working_days=m.working_days,
                    paused_until=m.paused_until,
                )
            )
    alerts = compute_alerts(reps, thresholds)
    by_rep: dict[int, list[Alert]] = defaultdict(list)
    for alert in alerts:
        by_rep[alert.user_id].append(alert)
    reps = [dataclasses.replace(r, alerts=tuple(by_rep[r.user_id])) for r in reps]

    totals = sum_counts(counts.values())
    previous_totals = sum_counts(previous.values())
    ratios = compute_ratios(totals, cost_km, cost_day)
    previous_ratios = compute_ratios(previous_totals, cost_km, cost_day)
    return TeamSummary(
        team_name=team_name,
        week_start=week_start,
        week_end=week_end,
        end=end,
        today=today,
        previous_start=prev_start,
        previous_end=prev_end,
        baseline_start=base_start,
        baseline_end=base_end,
        reps=tuple(reps),
        totals=totals,
        previous_totals=previous_totals,
        ratios=ratios,
        previous_ratios=previous_ratios,
        deltas=compare(totals, previous_totals, ratios, previous_ratios),
        funnel=funnel(totals),
        alerts=tuple(alerts),
        thresholds=thresholds,
        cost_per_km=cost_km,
        cost_per_field_day=cost_day,
    )


# --- export -------------------------------------------------------------------------------


def team_export_sheets(
    session: Session, members: Sequence[tuple[int, str]], start: date, end: date
) -> dict[str, list[ExportRow]]:
    """One journal per rep, keyed by a unique display name, ready for ``to_xlsx_multi``."""
    ids = [user_id for user_id, _ in members]
    zones = dict(
        session.execute(select(User.id, User.timezone).where(User.id.in_(ids))).tuples().all()
    )
    sheets: dict[str, list[ExportRow]] = {}
    for user_id, name in members:
        base = (name or "").strip() or T.UNNAMED_REP.format(id=user_id)
        key, number = base, 2
        while key in sheets:
            key, number = f"{base} ({number})", number + 1
        tz = _zone(zones.get(user_id), "Europe/Paris").key
        sheets[key] = export_rows(session, user_id, start, end, tz=tz)
    return sheets


# --- rendering ----------------------------------------------------------------------------


def tg_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _n(value: float | int | Decimal, places: int = 0) -> str:
    """French number."""
    return JT.format_number(value, places)


def _delta(delta: Delta | None) -> str:
    """ " ↗ +5 pts" or "" when there is nothing to compare with."""
    if delta is None or delta.change is None:
        return ""
    rounded = round(delta.change)
    if rounded == 0:
        return f" {JT.ARROW_FLAT}"
    arrow = JT.ARROW_UP if rounded > 0 else JT.ARROW_DOWN
    unit = JT.UNIT_POINTS if delta.unit == "pts" else JT.UNIT_PERCENT
    return f" {arrow}{JT.NBSP}{JT.format_signed(delta.change)}{JT.NBSP}{unit}"


def _ratio_value(ratio: Ratio) -> str:
    """Value of a ratio, French formatted."""
    if ratio.value is None:
        return "—"
    return JT.format_pct(ratio.value) if ratio.is_rate else JT.format_money(ratio.value)


def _planning_text(planning: Planning) -> str:
    """ "3/4 j" or "—" when no day is over yet."""
    if not planning.eligible:
        return T.REP_PLANNING_NONE
    return T.REP_PLANNING.format(planned=planning.planned_days, eligible=planning.eligible_days)


def _activity_lines(
    counts: Counts, planning: Planning, overdue: int, drills: int, avg: float | None, runs: int
) -> list[str]:
    """The four lines of volumes, discipline and coaching (a rep or the team)."""
    km = T.REP_KM.format(km=_n(counts.km)) if counts.km else ""
    revenue = T.REP_REVENUE.format(amount=JT.format_money(counts.revenue)) if counts.orders else ""
    average = T.REP_DRILL_AVERAGE.format(score=_n(avg, 1)) if avg is not None else ""
    return [
        T.REP_LINE_CALLS.format(
            calls=_n(counts.calls_made),
            calls_word=T.word("call", counts.calls_made),
            reached=_n(counts.calls_reached),
            reached_word=T.word("reached", counts.calls_reached),
            visits=_n(counts.visits),
            visits_word=T.word("visit", counts.visits),
            km=km,
        ),
        T.REP_LINE_RESULTS.format(
            rdv=_n(counts.appointments),
            quotes=_n(counts.quotes),
            orders=_n(counts.orders),
            orders_word=T.word("order", counts.orders),
            revenue=revenue,
        ),
        T.REP_LINE_DISCIPLINE.format(
            planning=_planning_text(planning),
            overdue=_n(overdue),
            overdue_word=T.word("followup", overdue),
        ),
        T.REP_LINE_COACHING.format(
            drills=_n(drills),
            drills_word=T.word("drill", drills),
            average=average,
            checklists=_n(runs),
            checklists_word=T.word("checklist", runs),
        ),
    ]


def _rep_block(rep: RepSummary) -> list[str]:
    """Full per-rep block."""
    flag = T.REP_FLAG.format(count=len(rep.alerts)) if rep.alerts else ""
    return [
        T.REP_NAME.format(name=rep.name, flag=flag),
        *_activity_lines(
            rep.counts,
            rep.planning,
            rep.overdue_followups,
            rep.drills,
            rep.drill_average,
            rep.checklists,
        ),
    ]


def _rep_compact(rep: RepSummary) -> str:
    """One-line per-rep summary."""
    c = rep.counts
    flag = T.REP_FLAG.format(count=len(rep.alerts)) if rep.alerts else ""
    revenue = T.REP_COMPACT_REVENUE.format(amount=JT.format_money(c.revenue)) if c.orders else ""
    return T.REP_COMPACT.format(
        name=_short(rep.name, 24),
        flag=flag,
        calls=_n(c.calls_made),
        reached=_n(c.calls_reached),
        visits=_n(c.visits),
        rdv=_n(c.appointments),
        quotes=_n(c.quotes),
        orders=_n(c.orders),
        revenue=revenue,
        planning=_planning_text(rep.planning),
        overdue=_n(rep.overdue_followups),
    )


def _short(name: str, limit: int = 28) -> str:
    """A company name cut for a phone line."""
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _account_block(rep: RepSummary, today: date) -> list[str]:
    """Full per-rep account view."""
    a = rep.accounts
    if not a.companies:
        return [T.ACCOUNT_HEAD_EMPTY.format(name=rep.name)]
    lines = [
        T.ACCOUNT_HEAD.format(
            name=rep.name,
            share=JT.format_pct(a.contacted_share),
            nbsp=JT.NBSP,
            contacted=_n(a.contacted_30d),
            companies=_n(a.companies),
        )
    ]
    parts = []
    if a.most_contacted:
        top = a.most_contacted[0]
        parts.append(
            T.ACCOUNT_MOST.format(
                company=_short(top.name), count=_n(top.activities_90d), nbsp=JT.NBSP
            )
        )
    shown = {ref.company_id for ref in a.most_contacted[:1]}
    least = next((r for r in a.least_contacted if r.company_id not in shown), None)
    asleep = least is not None and (
        least.last_contact is None
        or (today - least.last_contact).days >= CONTACT_WINDOW_DAYS  # only a dormant account
    )
    if least is not None and asleep:
        since = (
            T.ACCOUNT_LEAST_SINCE.format(day=JT.format_day(least.last_contact))
            if least.last_contact
            else T.ACCOUNT_LEAST_NEVER
        )
        parts.append(T.ACCOUNT_LEAST.format(company=_short(least.name), since=since))
    if parts:
        lines.append("  " + " · ".join(parts))
    if a.rotting_count:
        items = ", ".join(
            f"{_short(q.name, 22)} {JT.format_money(q.amount)}" if q.amount else _short(q.name, 22)
            for q in a.rotting[:2]
        )
        lines.append(
            "  "
            + T.ACCOUNT_ROTTING.format(
                count=_n(a.rotting_count),
                amount=JT.format_money(a.rotting_amount),
                examples=T.ACCOUNT_ROTTING_EXAMPLES.format(items=items) if items else "",
            )
        )
    if a.unreported:
        texts = []
        if a.unreported_visits:
            texts.append(T.ACCOUNT_UNREPORTED_VISITS.format(count=_n(a.unreported_visits)))
        if a.unreported_calls:
            texts.append(T.ACCOUNT_UNREPORTED_CALLS.format(count=_n(a.unreported_calls)))
        lines.append("  " + T.ACCOUNT_UNREPORTED.format(text=" et ".join(texts)))
    return lines


def _account_compact(rep: RepSummary) -> str:
    """One-line per-rep account view."""
    a = rep.accounts
    return T.ACCOUNT_COMPACT.format(
        name=_short(rep.name, 24),
        share=JT.format_pct(a.contacted_share),
        nbsp=JT.NBSP,
        rotting=_n(a.rotting_count),
        amount=JT.format_money(a.rotting_amount),
        unreported=_n(a.unreported),
    )


def _header(summary: TeamSummary) -> list[str]:
    """Title and scope lines."""
    start, end = T.header_span(summary.week_start, summary.week_end)
    team = T.HEADER_TEAM.format(name=summary.team_name) if summary.team_name else ""
    n = len(summary.reps)
    reps = T.word("rep", n)
    scope = (
        T.HEADER_PARTIAL.format(today=T.day_label(summary.end), reps=n, reps_word=reps)
        if summary.partial
        else T.HEADER_FULL.format(reps=n, reps_word=reps)
    )
    return [T.HEADER.format(team=team, start=start, end=end), scope]


def _alert_groups(summary: TeamSummary, budget: int) -> list[str]:
    """Alerts grouped by kind, one line each with the reps' names, cut to fit budget."""
    th = summary.thresholds
    values = {
        "days_without_activity": th.days_without_activity,
        "max_overdue": th.max_overdue,
        "days_without_plan": th.days_without_plan,
        "drop": JT.format_number(th.ratio_drop * 100),
        "baseline_weeks": th.baseline_weeks,
        "target": JT.format_number(th.yearly_visit_target),
    }
    # kind → rep → details, in summary order (a rep may have several ratio drops)
    groups: dict[str, dict[int, tuple[str, list[str]]]] = defaultdict(dict)
    for alert in summary.alerts:
        name, details = groups[alert.code].setdefault(alert.user_id, (alert.name, []))
        details.append(alert.detail)
    lines = [T.SECTION_ALERTS.format(count=len(summary.alerts))]
    per_line = max(80, (budget - tg_length(lines[0])) // max(1, len(groups)) - 1)
    order = {code: index for index, code in enumerate(ALERT_ORDER)}
    for code, by_rep in sorted(groups.items(), key=lambda item: order.get(item[0], 99)):
        heading = T.ALERT_GROUPS[code].format(**values)
        count = len(by_rep)
        head = T.ALERT_GROUP_LINE.format(
            heading=heading, count=count, reps_word=T.word("rep", count), items=""
        )
        items: list[str] = []
        for index, (name, details) in enumerate(by_rep.values()):
            item = T.ALERT_GROUP_ITEM.format(name=_short(name, 20), detail=", ".join(details))
            rest = count - index - 1
            more = ", " + T.ALERT_GROUP_MORE.format(count=rest) if rest else ""
            if items and tg_length(head + ", ".join([*items, item]) + more) > per_line:
                items.append(T.ALERT_GROUP_MORE.format(count=count - index))
                break
            items.append(item)
        lines.append(head + ", ".join(items))
    return lines


def _alert_lines(summary: TeamSummary, budget: int) -> list[str]:
    """One line per alert when they fit in budget, else one line per kind of alert."""
    if not summary.alerts:
        return [T.NO_ALERT]
    lines = [T.SECTION_ALERTS.format(count=len(summary.alerts))]
    lines += [alert.line for alert in summary.alerts]
    if tg_length("\n".join(lines)) <= budget:
        return lines
    return _alert_groups(summary, budget)


def _totals_lines(summary: TeamSummary) -> list[str]:
    """Team totals section."""
    return [
        T.SECTION_TOTALS,
        *_activity_lines(
            summary.totals,
            summary.planning,
            summary.overdue_followups,
            summary.drills,
            summary.drill_average,
            summary.checklists,
        ),
    ]


def _ratio_lines(summary: TeamSummary) -> list[str]:
    """Team ratios with their change in points and a short formula."""
    if summary.previous_totals.empty:
        compared = T.RATIOS_NO_COMPARISON
    else:
        compared = T.RATIOS_COMPARED.format(
            start=JT.format_day_short(summary.previous_start),
            end=JT.format_day_short(summary.previous_end),
        )
    lines = [T.SECTION_RATIOS, compared]
    for ratio in summary.ratios.all():
        detail = ""
        if ratio.value is not None and ratio.is_rate:
            detail = f" ({_n(ratio.numerator)}/{_n(ratio.denominator)})"
        lines.append(
            T.RATIO_LINE.format(
                label=ratio.label,
                value=_ratio_value(ratio),
                detail=detail,
                delta=_delta(summary.deltas.get(ratio.code)),
                formula=T.RATIO_SHORT_FORMULAS[ratio.code],
            )
        )
    return lines


def _funnel_lines(summary: TeamSummary) -> list[str]:
    """Funnel section on one line."""
    steps = []
    for stage in summary.funnel:
        step = T.FUNNEL_STEP.format(label=stage.label, value=_n(stage.value))
        if stage.rate is not None:
            step += T.FUNNEL_RATE.format(rate=JT.format_pct(stage.rate))
        steps.append(step)
    return [T.SECTION_FUNNEL, T.FUNNEL_ARROW.join(steps)]


def _accounts_team_line(summary: TeamSummary) -> str:
    """Team-wide account figures in one line."""
    a = summary.accounts
    return T.ACCOUNTS_TEAM.format(
        share=JT.format_pct(a.contacted_share),
        nbsp=JT.NBSP,
        rotting=_n(a.rotting_count),
        amount=JT.format_money(a.rotting_amount),
        unreported=_n(a.unreported),
    )


def _join(sections: Sequence[Sequence[str]]) -> str:
    """Sections separated by a blank line."""
    return "\n\n".join("\n".join(lines) for lines in sections if lines)


def _fit(
    head: list[str], items: Sequence[Sequence[str]], more: str, budget: int
) -> list[str] | None:
    """A section with as many items as fit in budget, plus a "… N more" line; None if none fits."""
    lines = list(head)
    used = tg_length("\n".join(lines))
    for index, item in enumerate(items):
        size = tg_length("\n".join(item)) + 1
        rest = len(items) - index - 1
        tail = tg_length(more.format(count=rest)) + 1 if rest else 0
        if used + size + tail > budget:
            if index == 0:
                return None
            lines.append(more.format(count=len(items) - index))
            return lines
        lines.extend(item)
        used += size
    return lines


def render_summary(summary: TeamSummary, limit: int = T.MESSAGE_BUDGET) -> str:
    """The summary as one French plain-text message under Telegram's 4,096 characters.

    Alerts come first, then one block per rep, team totals, ratios with their change and
    formula, the funnel and the account view. When everything does not fit, per-rep detail
    falls back to one line per rep (reps with the most alerts first) and is cut with a note.
    """
    header = _header(summary)
    if not summary.reps:
        return _join([header, [T.HEADER_NO_MEMBER]])
    totals, ratios, funnel_ = _totals_lines(summary), _ratio_lines(summary), _funnel_lines(summary)
    fixed = tg_length(_join([header, totals, ratios, funnel_])) + 8  # 4 blank-line joins
    alerts = _alert_lines(summary, max(300, (limit - fixed) // 3))
    alerts_len = tg_length("\n".join(alerts)) + 2

    reps = list(summary.reps)
    rep_blocks = [_rep_block(rep) for rep in reps]
    legend = T.ACCOUNTS_LEGEND.format(days=summary.thresholds.quote_lookback_days)
    full_accounts = [T.SECTION_ACCOUNTS, legend]
    for rep in reps:
        full_accounts.extend(_account_block(rep, summary.today))
    text = _join([header, alerts, *rep_blocks, totals, ratios, funnel_, full_accounts])
    if tg_length(text) <= limit:
        return text

    ranked = sorted(reps, key=lambda r: (-len(r.alerts), name_key(r.name), r.user_id))
    at_risk = sorted(
        reps,
        key=lambda r: (
            -r.accounts.rotting_amount,
            -r.accounts.rotting_count,
            -r.accounts.unreported,
            r.accounts.contacted_share if r.accounts.contacted_share is not None else 2.0,
            name_key(r.name),
        ),
    )
    accounts_head = [T.SECTION_ACCOUNTS, _accounts_team_line(summary)]
    compact_accounts = [[_account_compact(r)] for r in at_risk]
    accounts_all = [*accounts_head, *(item[0] for item in compact_accounts)]
    text = _join([header, alerts, *rep_blocks, totals, ratios, funnel_, accounts_all])
    if tg_length(text) <= limit:
        return text

    remaining = limit - fixed - alerts_len - 4
    compact_reps = [[_rep_compact(r)] for r in ranked]
    reps_all = [T.SECTION_REPS_COMPACT, *(item[0] for item in compact_reps)]
    if tg_length("\n".join(reps_all)) + tg_length("\n".join(accounts_all)) + 2 <= remaining:
        reps_lines, accounts_lines = reps_all, accounts_all
    else:
        reps_budget = (remaining * 3) // 5
        reps_lines = _fit(
            [T.SECTION_REPS_COMPACT], compact_reps, T.REPS_TRUNCATED, reps_budget
        ) or [T.SECTION_REPS_COMPACT, T.REPS_TRUNCATED.format(count=len(reps))]
        left = remaining - tg_length("\n".join(reps_lines)) - 2
        accounts_lines = (
            _fit(accounts_head, compact_accounts, T.ACCOUNTS_TRUNCATED, left) or accounts_head
        )
    return _clip(
        _join([header, alerts, reps_lines, totals, ratios, funnel_, accounts_lines]), limit
    )


def _clip(text: str, limit: int) -> str:
    """Drop trailing lines until the text fits (a safety net: the budgets keep it under)."""
    lines = text.splitlines()
    while len(lines) > 1 and tg_length("\n".join([*lines, "…"])) > limit:
        lines.pop()
    return text if tg_length(text) <= limit else "\n".join([*lines, "…"])


__all__ = [
    "AccountRef",
    "AccountView",
    "FunnelStage",
    "Planning",
    "RepSummary",
    "RottingQuote",
    "TeamSummary",
    "funnel",
    "render_summary",
    "sum_counts",
    "team_export_sheets",
    "team_summary",
    "tg_length",
]
