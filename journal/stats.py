"""Prospecting counts, ratios, comparison, yearly visit target and advice of a rep's journal.

Pure domain: one aggregate SQL query per period (identical on SQLite and PostgreSQL), then
plain dataclasses and a French renderer for a phone screen. The French texts live in
``journal.stats_texts``.

Definitions (the ones every screen states):

* only ``done``, non-deleted activities count; planned ones and tasks feed no ratio;
* a call is "reached" unless its outcome is ``injoignable`` (a call logged without outcome
  counts as reached: the rep spoke to someone but noted nothing);
* appointments = outcome ``rdv`` on calls and visits; quotes = outcome ``devis`` and orders =
  outcome ``commande`` whatever the kind; revenue = sum of the amounts of the orders;
* field days = distinct days with at least one visit.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, get_args

from sqlalchemy import Date, Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.settings import Settings
from db.models import Activity, User
from journal import stats_texts as T
from journal.calendar import is_working_day

PeriodKind = Literal["semaine", "mois", "trimestre", "annee"]
PERIOD_KINDS: tuple[str, ...] = get_args(PeriodKind)

WORKING_WEEKS_PER_YEAR = 44
YEARLY_VISITS_HIGH = WORKING_WEEKS_PER_YEAR * 10  # 440, high range of the marking guide
VISITS_PER_FIELD_DAY = 4
MIN_SAMPLE = 5  # no advice on a ratio computed over fewer cases (0 reached out of 1 call…)
RATE_CODES = ("contact_rate", "appointment_rate", "visit_efficiency", "conversion_rate")
TRACKED_COUNTS = ("calls_made", "appointments", "visits", "quotes", "orders", "revenue")

# --- periods ------------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    """Reject an unknown period kind."""
    if kind not in PERIOD_KINDS:
        raise ValueError(f"unknown period kind {kind!r}, expected one of {PERIOD_KINDS}")


def _shift_months(day: date, months: int) -> date:
    """Move by whole months, clamping the day to the target month's length (31/03 → 28/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _period_start(kind: str, today: date) -> date:
    """First day of the period of this kind that contains today."""
    if kind == "semaine":
        return today - timedelta(days=today.weekday())
    if kind == "mois":
        return today.replace(day=1)
    if kind == "trimestre":
        return date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return date(today.year, 1, 1)


def _period_months(kind: str) -> int:
    """Length of a month-based period kind in months."""
    return {"mois": 1, "trimestre": 3, "annee": 12}[kind]


def _full_period_end(kind: str, start: date) -> date:
    """Last day of the full period starting on start."""
    if kind == "semaine":
        return start + timedelta(days=6)
    return _shift_months(start, _period_months(kind)) - timedelta(days=1)


def period_bounds(kind: PeriodKind, today: date) -> tuple[date, date]:
    """Current period to date: (Monday / 1st of month / 1st of quarter / 1st January, today)."""
    _check_kind(kind)
    return _period_start(kind, today), today


def previous_period(kind: PeriodKind, today: date, to_date: bool = True) -> tuple[date, date]:
    """The previous period of the same kind, truncated to the same elapsed length.

    With ``to_date`` (the default) a week-to-date on Tuesday is compared with last Monday and
    Tuesday, a month-to-date on the 10th with the 1st–10th of the previous month, and so on:
    the end is today moved back by one period (7 days, 1, 3 or 12 months, the day clamped to
    the shorter month: 31/03 → 28/02). When today is the last day of its period, the whole
    previous period is returned (30/04 → all of March, not 1–30 March). Without ``to_date``,
    the whole previous period is returned.
    """
    _check_kind(kind)
    start = _period_start(kind, today)
    if kind == "semaine":
        prev_start = start - timedelta(days=7)
        prev_end_same = today - timedelta(days=7)
    else:
        prev_start = _shift_months(start, -_period_months(kind))
        prev_end_same = _shift_months(today, -_period_months(kind))
    full_end = _full_period_end(kind, prev_start)
    if not to_date or today == _full_period_end(kind, start):
        return prev_start, full_end
    return prev_start, min(prev_end_same, full_end)


# --- counts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Volumes of one rep over a period (done, non-deleted activities)."""

    activities: int = 0
    calls_made: int = 0
    calls_reached: int = 0
    appointments: int = 0
    visits: int = 0
    quotes: int = 0
    orders: int = 0
    revenue: Decimal = Decimal("0.00")
    km: Decimal = Decimal("0.0")
    field_days: int = 0

    @property
    def empty(self) -> bool:
        """Say whether nothing was done on the period."""
        return self.activities == 0

    def value(self, code: str) -> float:
        """Return one count as a float, by attribute name."""
        return float(getattr(self, code))


def _dec(value: object, places: int) -> Decimal:
    """Normalise a SQL sum (int, float on SQLite, Decimal on PostgreSQL, None) to a Decimal."""
    if value is None:
        value = 0
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(quantum)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END), portable across SQLite and PostgreSQL."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@lru_cache(maxsize=1)
def _counts_statement() -> Select[Any]:
    """Build (once) the grouped aggregate query behind compute_counts, with bound parameters."""
    is_call = Activity.kind == "call"
    is_visit = Activity.kind == "visit"
    outcome = Activity.outcome
    return (
        select(
            Activity.user_id,
            func.count(Activity.id),
            _count_if(is_call),
            _count_if(and_(is_call, or_(outcome.is_(None), outcome != "injoignable"))),
            _count_if(and_(Activity.kind.in_(("call", "visit")), outcome == "rdv")),
            _count_if(is_visit),
            _count_if(outcome == "devis"),
            _count_if(outcome == "commande"),
            func.sum(case((outcome == "commande", Activity.amount))),
            func.sum(Activity.distance_km),
            func.count(case((is_visit, Activity.day)).distinct()),
        )
        .where(
            Activity.user_id.in_(bindparam("user_ids", expanding=True)),
            Activity.day >= bindparam("start", type_=Date),
            Activity.day <= bindparam("end", type_=Date),
            Activity.status == "done",
            Activity.deleted_at.is_(None),
        )
        .group_by(Activity.user_id)
    )


def compute_counts(
    session: Session, user_ids: Iterable[int], start: date, end: date
) -> dict[int, Counts]:
    """Count each rep's activity between start and end inclusive, in one aggregate query.

    Every requested user is in the result (zero counts when nothing was done).
    """
    ids = sorted(set(user_ids))
    result = {user_id: Counts() for user_id in ids}
    if not ids or end < start:
        return result
    params = {"user_ids": ids, "start": start, "end": end}
    for row in session.execute(_counts_statement(), params):
        (user_id, total, made, reached, rdv, visits, quotes, orders, revenue, km, days) = row
        result[user_id] = Counts(
            activities=int(total),
            calls_made=int(made),
            calls_reached=int(reached),
            appointments=int(rdv),
            visits=int(visits),
            quotes=int(quotes),
            orders=int(orders),
            revenue=_dec(revenue, 2),
            km=_dec(km, 1),
            field_days=int(days),
        )
    return result


# --- ratios -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """One ratio: value (None when the denominator is 0) with what it was computed from."""

    code: str
    value: float | None
    numerator: float
    denominator: float
    unit: Literal["rate", "money"]

    @property
    def label(self) -> str:
        """Short French label for the stats screen."""
        return T.RATIO_LABELS[self.code]

    @property
    def full_label(self) -> str:
        """French label as in the training material."""
        return T.RATIO_FULL_LABELS[self.code]

    @property
    def is_rate(self) -> bool:
        """Say whether the value is a 0..1 rate (else an amount in euros)."""
        return self.unit == "rate"

    def formula(self, cost_per_km: float = 0.0, cost_per_field_day: float = 0.0) -> str:
        """The formula used, in French."""
        return T.RATIO_FORMULAS[self.code].format(
            cost_per_km=T.format_number(cost_per_km, 2),
            cost_per_field_day=T.format_number(cost_per_field_day, 2),
        )


def _ratio(code: str, numerator: float, denominator: float, unit: str = "rate") -> Ratio:
    """Divide, or give None when the denominator is 0."""
    value = numerator / denominator if denominator else None
    return Ratio(code, value, numerator, denominator, unit)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Ratios:
    """The prospecting ratios of one period."""

    contact_rate: Ratio
    appointment_rate: Ratio
    visit_efficiency: Ratio
    conversion_rate: Ratio
    average_order: Ratio
    cost_per_visit: Ratio | None  # None when no cost is configured

    def all(self) -> list[Ratio]:
        """Every computed ratio, in display order."""
        items = [
            self.contact_rate,
            self.appointment_rate,
            self.visit_efficiency,
            self.conversion_rate,
            self.average_order,
        ]
        if self.cost_per_visit is not None:
            items.append(self.cost_per_visit)
        return items

    def get(self, code: str) -> Ratio | None:
        """Return a ratio by code."""
        return next((r for r in self.all() if r.code == code), None)


def compute_ratios(
    counts: Counts, cost_per_km: float = 0.0, cost_per_field_day: float = 0.0
) -> Ratios:
    """Compute the ratios of a period from its counts."""
    cost: Ratio | None = None
    if cost_per_km > 0 or cost_per_field_day > 0:
        total = float(counts.km) * cost_per_km + counts.field_days * cost_per_field_day
        cost = _ratio("cost_per_visit", total, counts.visits, "money")
    return Ratios(
        contact_rate=_ratio("contact_rate", counts.calls_reached, counts.calls_made),
        appointment_rate=_ratio("appointment_rate", counts.appointments, counts.calls_reached),
        visit_efficiency=_ratio("visit_efficiency", counts.quotes, counts.visits),
        conversion_rate=_ratio("conversion_rate", counts.orders, counts.quotes),
        average_order=_ratio("average_order", float(counts.revenue), counts.orders, "money"),
        cost_per_visit=cost,
    )


# --- comparison ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Delta:
    """Change from the previous period: points for rates, percent for volumes and euros."""

    code: str
    current: float | None
    previous: float | None
    change: float | None  # None when there is nothing to compare with
    unit: Literal["pts", "%"]


def _count_delta(code: str, current: float, previous: float) -> Delta:
    """Relative change of a volume, in percent (None when the previous one is 0)."""
    change = (current - previous) / previous * 100 if previous else None
    return Delta(code, current, previous, change, "%")


def compare(
    counts: Counts, previous_counts: Counts, ratios: Ratios, previous_ratios: Ratios
) -> dict[str, Delta]:
    """Deltas of the tracked volumes (in %) and of the rates (in points)."""
    deltas = {
        code: _count_delta(code, counts.value(code), previous_counts.value(code))
        for code in TRACKED_COUNTS
    }
    for current, previous in zip(ratios.all(), previous_ratios.all(), strict=False):
        if current.is_rate:
            change = None
            if current.value is not None and previous.value is not None:
                change = (current.value - previous.value) * 100
            deltas[current.code] = Delta(
                current.code, current.value, previous.value, change, "pts"
            )
        else:
            cur, prev = current.value, previous.value
            change = (cur - prev) / prev * 100 if cur is not None and prev else None
            deltas[current.code] = Delta(current.code, cur, prev, change, "%")
    return deltas


# --- yearly visit target ------------------------------------------------------------------


@lru_cache(maxsize=64)
def _working_days(year: int, until: date | None, working_days: tuple[int, ...]) -> int:
    """Worked days of a year (weekends and French public holidays excluded), up to until."""
    day, last = date(year, 1, 1), until or date(year, 12, 31)
    count = 0
    while day <= last:
        count += is_working_day(day, working_days)
        day += timedelta(days=1)
    return count


@dataclass(frozen=True)
class VisitTarget:
    """Visits of the year to date against the pro-rata of the yearly target."""

    year: int
    visits: int
    yearly_target: int
    yearly_high: int
    elapsed_share: float  # share of the year's worked days elapsed, 0..1

    @property
    def weeks_elapsed(self) -> float:
        """Worked weeks elapsed, out of 44."""
        return WORKING_WEEKS_PER_YEAR * self.elapsed_share

    @property
    def expected(self) -> float:
        """Visits expected to date for the yearly target."""
        return self.yearly_target * self.elapsed_share

    @property
    def expected_high(self) -> float:
        """Visits expected to date for the high range (440 a year)."""
        return self.yearly_high * self.elapsed_share

    @property
    def gap(self) -> int:
        """Visits ahead (positive) or behind (negative) the pro-rata, rounded."""
        return round(self.visits - self.expected)


def visit_target(
    visits_ytd: int,
    today: date,
    yearly_target: int,
    working_days: tuple[int, ...] = (1, 2, 3, 4, 5),
) -> VisitTarget:
    """Compare visits of the year to date with the target spread over the year's worked days."""
    total = _working_days(today.year, None, working_days) or 1
    elapsed = _working_days(today.year, today, working_days)
    return VisitTarget(
        year=today.year,
        visits=visits_ytd,
        yearly_target=yearly_target,
        yearly_high=max(YEARLY_VISITS_HIGH, yearly_target),
        elapsed_share=elapsed / total,
    )


# --- advice -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Advice:
    """One line of French advice about a weak ratio."""

    code: str
    text: str


def advise(
    ratios: Ratios,
    threshold: float,
    counts: Counts | None = None,
    quote_followup_days: int = 7,
    min_sample: int = MIN_SAMPLE,
) -> list[Advice]:
    """One advice per rate strictly under the threshold, computed over at least min_sample cases.

    With counts, a field-organisation advice is added when visits per field day stay under 4
    over at least two field days.
    """
    found: list[Advice] = []
    for ratio in ratios.all():
        if not ratio.is_rate or ratio.value is None or ratio.denominator < min_sample:
            continue
        if ratio.value < threshold:
            text = T.ADVICE_LINE.format(
                label=ratio.label,
                value=T.format_pct(ratio.value),
                advice=T.ADVICE[ratio.code].format(followup_days=quote_followup_days),
            )
            found.append(Advice(ratio.code, text))
    if counts is not None and counts.field_days >= 2:
        per_day = counts.visits / counts.field_days
        if per_day < VISITS_PER_FIELD_DAY:
            text = T.ADVICE_VISITS_PER_DAY.format(per_day=T.format_number(per_day, 1))
            found.append(Advice("visits_per_field_day", text))
    return found


# --- report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsReport:
    """Everything the stats screen and the formulas screen show, for one rep and period."""

    user_id: int
    kind: PeriodKind
    today: date
    start: date
    end: date
    previous_start: date
    previous_end: date
    counts: Counts
    previous_counts: Counts
    ratios: Ratios
    previous_ratios: Ratios
    deltas: dict[str, Delta]
    target: VisitTarget
    advice: list[Advice] = field(default_factory=list)
    threshold: float = 0.2
    cost_per_km: float = 0.0
    cost_per_field_day: float = 0.0

    @property
    def empty(self) -> bool:
        """Say whether nothing was done on the period."""
        return self.counts.empty

    @property
    def visits_per_field_day(self) -> float | None:
        """Visits per day with at least one visit (the guide plans 4)."""
        if not self.counts.field_days:
            return None
        return self.counts.visits / self.counts.field_days


def _user_working_days(
    session: Session, user_id: int, default: tuple[int, ...]
) -> tuple[int, ...]:
    """The rep's worked ISO weekdays ("1,2,3,4,5"), or the default."""
    raw = session.scalar(select(User.working_days).where(User.id == user_id))
    try:
        days = tuple(sorted({int(d) for d in (raw or "").split(",") if d.strip()}))
    except ValueError:
        days = ()
    return days if days and all(1 <= d <= 7 for d in days) else default


def stats_report(
    session: Session, user_id: int, kind: PeriodKind, today: date, settings: Settings
) -> StatsReport:
    """Build the stats of one rep for the current period to date, compared with the previous."""
    start, end = period_bounds(kind, today)
    prev_start, prev_end = previous_period(kind, today)
    counts = compute_counts(session, [user_id], start, end)[user_id]
    previous_counts = compute_counts(session, [user_id], prev_start, prev_end)[user_id]
    if kind == "annee":
        year_counts = counts
    else:
        year_counts = compute_counts(session, [user_id], date(today.year, 1, 1), today)[user_id]
    working_days = _user_working_days(session, user_id, settings.working_days)
    ratios = compute_ratios(counts, settings.cost_per_km, settings.cost_per_field_day)
    previous_ratios = compute_ratios(
        previous_counts, settings.cost_per_km, settings.cost_per_field_day
    )
    return StatsReport(
        user_id=user_id,
        kind=kind,
        today=today,
        start=start,
        end=end,
        previous_start=prev_start,
        previous_end=prev_end,
        counts=counts,
        previous_counts=previous_counts,
        ratios=ratios,
        previous_ratios=previous_ratios,
        deltas=compare(counts, previous_counts, ratios, previous_ratios),
        target=visit_target(year_counts.visits, today, settings.yearly_visit_target, working_days),
        advice=advise(
            ratios, settings.ratio_alert_threshold, counts, settings.quote_followup_days
        ),
        threshold=settings.ratio_alert_threshold,
        cost_per_km=settings.cost_per_km,
        cost_per_field_day=settings.cost_per_field_day,
    )


# --- rendering ----------------------------------------------------------------------------


def _delta_text(delta: Delta | None) -> str:
    """ " · ↗ +5 pts" or "" when there is nothing to compare with."""
    if delta is None or delta.change is None:
        return ""
    rounded = round(delta.change)
    arrow = T.ARROW_UP if rounded > 0 else T.ARROW_DOWN if rounded < 0 else T.ARROW_FLAT
    if rounded == 0:
        return T.LINE_DELTA.format(arrow=arrow, nbsp="", change="").rstrip()
    unit = T.UNIT_POINTS if delta.unit == "pts" else T.UNIT_PERCENT
    change = f"{T.format_signed(delta.change)}{T.NBSP}{unit}"
    return T.LINE_DELTA.format(arrow=arrow, nbsp=T.NBSP, change=change)


def _ratio_value(ratio: Ratio) -> str:
    """The ratio's value, French formatted."""
    if ratio.value is None:
        return "—"
    return T.format_pct(ratio.value) if ratio.is_rate else T.format_money(ratio.value)


def _ratio_detail(ratio: Ratio) -> str:
    """ " (15/20)" after a rate, " (aucun appel)" when not computable."""
    if ratio.value is None:
        return f" ({T.RATIO_EMPTY[ratio.code]})"
    if ratio.is_rate:
        return f" ({T.format_number(ratio.numerator)}/{T.format_number(ratio.denominator)})"
    return ""


def _comparison_line(report: StatsReport) -> str:
    """Which previous period the arrows compare with."""
    previous = T.PREVIOUS_NOUNS[report.kind]
    if report.previous_counts.empty:
        return T.NO_COMPARISON.format(previous=previous)
    _, full_end = previous_period(report.kind, report.today, to_date=False)
    template = T.COMPARED_WITH_FULL if report.previous_end == full_end else T.COMPARED_WITH
    return template.format(
        previous=previous,
        start=T.format_day_short(report.previous_start),
        end=T.format_day_short(report.previous_end),
    )


def _target_lines(target: VisitTarget) -> list[str]:
    """The yearly visit target block."""
    lines = [
        T.SECTION_TARGET,
        T.TARGET_LINE.format(
            visits=T.format_number(target.visits),
            expected=T.format_number(target.expected),
            weeks=T.format_number(target.weeks_elapsed, 1),
            target=T.format_number(target.yearly_target),
        ),
    ]
    if target.gap > 0:
        lines.append(T.TARGET_AHEAD.format(gap=T.format_number(target.gap)))
    elif target.gap < 0:
        lines.append(T.TARGET_BEHIND.format(gap=T.format_number(-target.gap)))
    else:
        lines.append(T.TARGET_ON_PACE)
    if target.yearly_high > target.yearly_target:
        lines.append(
            T.TARGET_HIGH.format(
                high=T.format_number(target.yearly_high),
                expected=T.format_number(target.expected_high),
            )
        )
    return lines


def render_empty(report: StatsReport) -> str:
    """The message for a period without any activity, with how to log one."""
    text = T.EMPTY.format(title=T.period_title(report.kind, report.start, report.end))
    if not report.previous_counts.empty:
        text += "\n\n" + T.EMPTY_PREVIOUS.format(
            previous=T.PREVIOUS_NOUNS[report.kind],
            visits=T.format_number(report.previous_counts.visits),
            calls=T.format_number(report.previous_counts.calls_made),
        )
    return text


def render_stats(report: StatsReport) -> str:
    """The stats screen: volumes, ratios with their change, yearly target, advice (French)."""
    if report.empty:
        return render_empty(report)
    c, d = report.counts, report.deltas
    lines = [
        T.HEADER.format(title=T.period_title(report.kind, report.start, report.end)),
        _comparison_line(report),
        "",
        T.SECTION_ACTIVITY,
        T.LINE_CALLS.format(
            made=T.format_number(c.calls_made), reached=T.format_number(c.calls_reached)
        )
        + _delta_text(d.get("calls_made")),
        T.LINE_APPOINTMENTS.format(count=T.format_number(c.appointments))
        + _delta_text(d.get("appointments")),
    ]
    per_day = report.visits_per_field_day
    if per_day is None:
        visits = T.LINE_VISITS.format(count=T.format_number(c.visits))
    else:
        visits = T.LINE_VISITS_DAYS.format(
            count=T.format_number(c.visits),
            days=T.format_number(c.field_days),
            per_day=T.format_number(per_day, 1),
        )
    lines += [
        visits + _delta_text(d.get("visits")),
        T.LINE_QUOTES.format(count=T.format_number(c.quotes)) + _delta_text(d.get("quotes")),
        T.LINE_ORDERS.format(count=T.format_number(c.orders)) + _delta_text(d.get("orders")),
        T.LINE_REVENUE.format(amount=T.format_money(c.revenue)) + _delta_text(d.get("revenue")),
    ]
    if c.km:
        lines.append(T.LINE_KM.format(km=T.format_number(c.km), nbsp=T.NBSP))
    lines += ["", T.SECTION_RATIOS]
    for ratio in report.ratios.all():
        lines.append(
            T.LINE_RATIO.format(
                label=ratio.label, value=_ratio_value(ratio), detail=_ratio_detail(ratio)
            )
            + _delta_text(d.get(ratio.code))
        )
    lines += ["", *_target_lines(report.target)]
    if report.advice:
        lines += ["", T.SECTION_ADVICE, *(a.text for a in report.advice)]
    lines += ["", T.FORMULAS_HINT]
    return "\n".join(lines)


def _applied(report: StatsReport, ratio: Ratio) -> str:
    """The formula applied to this period's figures."""
    if ratio.value is None:
        return T.FORMULA_NO_VALUE.format(reason=T.RATIO_EMPTY[ratio.code])
    value = _ratio_value(ratio)
    if ratio.code == "cost_per_visit":
        c = report.counts
        return T.FORMULA_APPLIED_COST.format(
            km=T.format_number(c.km, 1),
            cost_per_km=T.format_number(report.cost_per_km, 2),
            days=T.format_number(c.field_days),
            cost_per_field_day=T.format_number(report.cost_per_field_day, 2),
            visits=T.format_number(c.visits),
            value=value,
        )
    numerator = (
        T.format_money(ratio.numerator) if not ratio.is_rate else T.format_number(ratio.numerator)
    )
    return T.FORMULA_APPLIED.format(
        numerator=numerator, denominator=T.format_number(ratio.denominator), value=value
    )


def render_formulas(report: StatsReport) -> str:
    """The formulas screen: each ratio's definition, applied to this period's figures."""
    lines = [T.FORMULAS_HEADER.format(title=T.period_title(report.kind, report.start, report.end))]
    for ratio in report.ratios.all():
        lines += [
            "",
            T.FORMULA_LINE.format(
                label=ratio.full_label,
                formula=ratio.formula(report.cost_per_km, report.cost_per_field_day),
            ),
            _applied(report, ratio),
        ]
        if T.RATIO_NOTES[ratio.code]:
            lines.append(T.FORMULA_NOTE.format(note=T.RATIO_NOTES[ratio.code]))
    if report.ratios.cost_per_visit is None:
        lines += ["", T.COST_NOT_CONFIGURED]
    lines += [
        "",
        T.FORMULAS_PER_DAY,
        T.FORMULAS_TARGET.format(target=T.format_number(report.target.yearly_target)),
        T.FORMULAS_COMPARISON,
        T.FORMULAS_ADVICE.format(threshold=T.format_pct(report.threshold), min_sample=MIN_SAMPLE),
    ]
    return "\n".join(lines)
