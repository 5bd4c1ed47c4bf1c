"""Alerts at the top of the manager's summary: pure rules over the per-rep figures.

Each alert names the rep and says why in French:

* ``inactive`` — no done activity on the last N working days before today (N = 3; days the
  rep was paused or before they joined do not count; today is not over, so it is left out);
* ``overdue`` — more than N open follow-ups due before today (N = 5);
* ``ratio_drop`` — contact rate, appointment rate or conversion down by more than 30 % on
  the pooled ratio of the 4 previous weeks, both sides computed over at least 5 cases;
* ``no_plan`` — N working days in a row of the week (N = 2) whose next working day had
  nothing planned before the evening ended (see ``team.summary`` for the exact rule);
* ``visit_pace`` — visits since 1 January (or since the rep joined) under the pro-rata of the
  yearly target over the worked days elapsed (44 weeks × 7 visits = 308, the guide's low range).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from journal import stats_texts as JT
from journal.calendar import is_working_day
from journal.stats import WORKING_WEEKS_PER_YEAR
from team import texts as T

if TYPE_CHECKING:
    from team.summary import RepSummary

ALERT_ORDER = ("inactive", "overdue", "no_plan", "ratio_drop", "visit_pace")
DROP_RATIO_CODES = ("contact_rate", "appointment_rate", "conversion_rate")


@dataclass(frozen=True)
class AlertThresholds:
    """When an alert fires; the defaults follow the brief and the exam guide."""

    days_without_activity: int = 3
    max_overdue: int = 5
    ratio_drop: float = 0.30
    days_without_plan: int = 2
    yearly_visit_target: int = 308
    baseline_weeks: int = 4  # the ratio-drop reference: pooled ratios of these weeks
    min_sample: int = 5  # no ratio alert over fewer cases (1 call out of 2…)
    inactivity_lookback_days: int = 90  # how far back the last activity is looked for
    quote_lookback_days: int = 90  # older quotes without follow-up are deemed lost
    unreported_lookback_days: int = 30  # planned entries older than this are ignored

    @classmethod
    def from_settings(cls, settings: Any) -> AlertThresholds:
        """Thresholds from the settings' team_* values when they exist, else the defaults."""
        base = cls()
        return cls(
            days_without_activity=int(
                getattr(settings, "team_days_without_activity", base.days_without_activity)
            ),
            max_overdue=int(getattr(settings, "team_max_overdue_followups", base.max_overdue)),
            ratio_drop=float(getattr(settings, "team_ratio_drop", base.ratio_drop)),
            days_without_plan=int(
                getattr(settings, "team_days_without_plan", base.days_without_plan)
            ),
            yearly_visit_target=int(
                getattr(settings, "yearly_visit_target", base.yearly_visit_target)
            ),
        )


@dataclass(frozen=True)
class Alert:
    """One alert about one rep, with its reason in French."""

    code: str
    user_id: int
    name: str
    text: str
    detail: str = ""  # the figure in short, for the grouped form of big teams ("3 j")

    @property
    def line(self) -> str:
        """The alert as shown at the top of the summary."""
        return T.ALERT_LINE.format(name=self.name, text=self.text)


@dataclass(frozen=True)
class VisitPace:
    """Visits since 1 January (or since joining) against the pro-rata of the yearly target."""

    visits: int
    since: date
    yearly_target: int
    share: float  # share of the year's worked days elapsed since `since`, 0..1

    @property
    def expected(self) -> float:
        """Visits expected to date."""
        return self.yearly_target * self.share

    @property
    def weeks_elapsed(self) -> float:
        """Worked weeks elapsed, out of 44."""
        return WORKING_WEEKS_PER_YEAR * self.share

    @property
    def gap(self) -> int:
        """Visits ahead (positive) or behind (negative) the pro-rata, rounded."""
        return round(self.visits - self.expected)


# --- calendar helpers -------------------------------------------------------------------------


def parse_working_days(raw: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    """The rep's ISO weekdays from "1,2,3,4,5", or the default when empty or invalid."""
    try:
        days = tuple(sorted({int(d) for d in (raw or "").split(",") if d.strip()}))
    except ValueError:
        days = ()
    return days if days and all(1 <= d <= 7 for d in days) else default


@lru_cache(maxsize=256)
def _worked_to(year: int, until: date | None, working_days: tuple[int, ...]) -> int:
    """Worked days from 1 January to until (inclusive), or of the whole year."""
    day, last = date(year, 1, 1), until or date(year, 12, 31)
    count = 0
    while day <= last:
        count += is_working_day(day, working_days)
        day += timedelta(days=1)
    return count


def working_days_between(
    first: date, last: date, working_days: tuple[int, ...], paused_until: date | None = None
) -> list[date]:
    """Worked days from first to last inclusive, skipping paused days (up to paused_until)."""
    days = []
    day = first
    if paused_until is not None and day <= paused_until:
        day = paused_until + timedelta(days=1)
    while day <= last:
        if is_working_day(day, working_days):
            days.append(day)
        day += timedelta(days=1)
    return days


def visit_pace(
    visits: int,
    today: date,
    yearly_target: int,
    working_days: tuple[int, ...],
    joined: date | None = None,
) -> VisitPace:
    """Pro-rata of the yearly target over the worked days elapsed (since joining this year)."""
    jan1 = date(today.year, 1, 1)
    since = joined if joined is not None and jan1 < joined <= today else jan1
    total = _worked_to(today.year, None, working_days) or 1
    elapsed = _worked_to(today.year, today, working_days)
    before = _worked_to(today.year, since - timedelta(days=1), working_days) if since > jan1 else 0
    return VisitPace(visits, since, yearly_target, max(0, elapsed - before) / total)


def longest_run(days: Sequence[date], missed: Iterable[date]) -> tuple[date, ...]:
    """The longest run of consecutive entries of days that are all in missed (first found)."""
    missing = set(missed)
    best: list[date] = []
    current: list[date] = []
    for day in days:
        if day in missing:
            current.append(day)
            if len(current) > len(best):
                best = list(current)
        else:
            current = []
    return tuple(best)


# --- rules --------------------------------------------------------------------------------------


def _inactive(rep: RepSummary, thresholds: AlertThresholds) -> Alert | None:
    """No done activity on the last N working days before today."""
    if rep.idle_working_days < thresholds.days_without_activity:
        return None
    if rep.last_activity is None:
        text = T.ALERT_INACTIVE_NEVER.format(days=rep.idle_working_days)
    else:
        text = T.ALERT_INACTIVE.format(
            days=rep.idle_working_days, last=T.day_label(rep.last_activity)
        )
    detail = T.DETAIL_DAYS.format(days=rep.idle_working_days)
    return Alert("inactive", rep.user_id, rep.name, text, detail)


def _overdue(rep: RepSummary, thresholds: AlertThresholds) -> Alert | None:
    """More than N overdue follow-ups."""
    if rep.overdue_followups <= thresholds.max_overdue:
        return None
    text = T.ALERT_OVERDUE.format(count=rep.overdue_followups, limit=thresholds.max_overdue)
    return Alert("overdue", rep.user_id, rep.name, text, str(rep.overdue_followups))


def ratio_drop(
    current_value: float | None,
    current_den: float,
    baseline_value: float | None,
    baseline_den: float,
    thresholds: AlertThresholds,
) -> float | None:
    """The relative drop (0..1) when it exceeds the threshold on enough cases, else None."""
    if current_value is None or baseline_value is None or baseline_value <= 0:
        return None
    if current_den < thresholds.min_sample or baseline_den < thresholds.min_sample:
        return None
    drop = 1 - current_value / baseline_value
    return drop if drop > thresholds.ratio_drop else None


def _ratio_drops(rep: RepSummary, thresholds: AlertThresholds) -> list[Alert]:
    """Contact, appointment and conversion rates down by more than 30 % on the baseline."""
    alerts = []
    for code in DROP_RATIO_CODES:
        current, baseline = rep.ratios.get(code), rep.baseline_ratios.get(code)
        if current is None or baseline is None:
            continue
        drop = ratio_drop(
            current.value, current.denominator, baseline.value, baseline.denominator, thresholds
        )
        if drop is None:
            continue
        text = T.ALERT_RATIO_DROP.format(
            label=current.label,
            drop=JT.format_number(drop * 100),
            current=JT.format_pct(current.value),
            num=JT.format_number(current.numerator),
            den=JT.format_number(current.denominator),
            baseline=JT.format_pct(baseline.value),
            weeks=thresholds.baseline_weeks,
        )
        detail = T.DETAIL_DROP.format(
            ratio=T.RATIO_SHORT_NAMES[code], drop=JT.format_number(drop * 100)
        )
        alerts.append(Alert("ratio_drop", rep.user_id, rep.name, text, detail))
    return alerts


def _no_plan(rep: RepSummary, thresholds: AlertThresholds) -> Alert | None:
    """N working days in a row without the next day planned."""
    run = rep.planning.longest_gap
    if thresholds.days_without_plan <= 0 or len(run) < thresholds.days_without_plan:
        return None
    dates = ", ".join(T.day_label(day) for day in run)
    text = T.ALERT_NO_PLAN.format(days=len(run), dates=dates)
    detail = T.DETAIL_DAYS.format(days=len(run))
    return Alert("no_plan", rep.user_id, rep.name, text, detail)


def _visit_pace(rep: RepSummary, thresholds: AlertThresholds) -> Alert | None:
    """Visits since 1 January under the pro-rata of the yearly target."""
    pace = rep.pace
    if pace.yearly_target <= 0 or pace.gap >= 0:
        return None
    text = T.ALERT_VISIT_PACE.format(
        visits=JT.format_number(pace.visits),
        since=JT.format_day_short(pace.since),
        expected=JT.format_number(pace.expected),
        target=JT.format_number(pace.yearly_target),
        weeks=JT.format_number(pace.weeks_elapsed, 1),
    )
    detail = T.DETAIL_PACE.format(
        visits=JT.format_number(pace.visits), expected=JT.format_number(pace.expected)
    )
    return Alert("visit_pace", rep.user_id, rep.name, text, detail)


def compute_alerts(reps: Iterable[RepSummary], thresholds: AlertThresholds) -> list[Alert]:
    """Every alert of the team, most serious kind first, then by rep in summary order."""
    found: list[Alert] = []
    for rep in reps:
        for alert in (
            _inactive(rep, thresholds),
            _overdue(rep, thresholds),
            _no_plan(rep, thresholds),
            *_ratio_drops(rep, thresholds),
            _visit_pace(rep, thresholds),
        ):
            if alert is not None:
                found.append(alert)
    order = {code: index for index, code in enumerate(ALERT_ORDER)}
    return sorted(found, key=lambda a: order[a.code])  # stable: rep order kept within a kind
