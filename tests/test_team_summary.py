"""Team summary: per-rep figures, ratios and deltas, funnel, planning, accounts, alerts, render."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import holidays
import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.services import Services
from core.settings import Settings
from db.models import Activity, ChecklistRun, Company, DrillAttempt, FollowUp, User
from journal.export import to_xlsx_multi
from journal.stats import Counts
from team import AlertThresholds, TeamSummary, render_summary, team_export_sheets, team_summary
from team.alerts import visit_pace
from team.charts import activity_png, funnel_png
from team.summary import AccountRef, RottingQuote, tg_length

MON, TUE, WED, THU, FRI = (date(2026, 3, d) for d in (9, 10, 11, 12, 13))
TODAY = FRI  # the summary is read on Friday: Monday to Thursday are over
JOINED = datetime(2025, 1, 1, 9, 0)
PNG = b"\x89PNG\r\n\x1a\n"
PACE = AlertThresholds(yearly_visit_target=20)  # Julie is ahead of 20 a year, Marc behind


@dataclass
class Team:
    """Ids of the hand-built team."""

    services: Services
    julie: int
    marc: int
    zoe: int  # removed from the team: never in member_ids
    companies: dict[str, int]

    @property
    def members(self) -> list[int]:
        """The current members."""
        return [self.julie, self.marc]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A naive UTC timestamp, as the database stores created_at."""
    return datetime(day.year, day.month, day.day, hour, minute)


def _user(session: Session, telegram_id: int, name: str) -> User:
    """A rep who joined long ago."""
    user = User(telegram_id=telegram_id, display_name=name, onboarded=True, created_at=JOINED)
    session.add(user)
    session.flush()
    return user


def _company(session: Session, owner: User, name: str) -> Company:
    """A company of the rep's portfolio."""
    company = Company(owner_id=owner.id, name=name, norm_name=name.lower())
    session.add(company)
    session.flush()
    return company


def _act(  # type: ignore[no-untyped-def]
    session: Session,
    user: User,
    kind: str,
    day: date,
    outcome: str | None = None,
    company: Company | None = None,
    created: datetime | None = None,
    **kw,
) -> Activity:
    """One activity, done unless told otherwise, created on its day at 10:00 UTC by default."""
    for key in ("amount", "distance_km"):
        if kw.get(key) is not None:
            kw[key] = Decimal(str(kw[key]))
    activity = Activity(
        user_id=user.id,
        kind=kind,
        day=day,
        outcome=outcome,
        company_id=company.id if company else None,
        created_at=created or _at(day, 10),
        status=kw.pop("status", "done"),
        **kw,
    )
    session.add(activity)
    return activity


def _followup(  # type: ignore[no-untyped-def]
    session: Session, user: User, due: date, company: Company | None = None, **kw
) -> None:
    """One follow-up, open unless told otherwise."""
    session.add(
        FollowUp(
            user_id=user.id,
            company_id=company.id if company else None,
            due_date=due,
            status=kw.pop("status", "open"),
            created_at=_at(due - timedelta(days=7), 9),
            **kw,
        )
    )


def _build(session: Session) -> tuple[int, int, int, dict[str, int]]:
    """The hand-built team whose expected figures the tests below state."""
    julie, marc, zoe = (
        _user(session, 1, "Julie"),
        _user(session, 2, "Marc"),
        _user(session, 3, "Zoé"),
    )
    c = {
        name: _company(session, julie, name)
        for name in ("Dupont", "Garnier", "Leroy", "Moreau", "Petit", "Vieux", "Oublié")
    }
    martin, bernard = _company(session, marc, "Martin"), _company(session, marc, "Bernard")
    zoe_co = _company(session, zoe, "Zèbre")

    # Julie, this week -------------------------------------------------------------------
    for outcome in ("injoignable", "injoignable", "rdv", "refus"):
        _act(session, julie, "call", MON, outcome)
    _act(session, julie, "visit", MON, "devis", c["Dupont"], amount=5000, distance_km=30)
    # planned on Monday evening (18:30 UTC = 19:30 in Paris), then reported: Monday planned
    tuesday_order = {"amount": 8000, "distance_km": 20}
    _act(session, julie, "visit", TUE, "commande", c["Garnier"], _at(MON, 18, 30), **tuesday_order)
    _act(session, julie, "call", TUE, "rdv", c["Leroy"])
    # Wednesday's first entry was typed at 00:30 in Paris (23:30 UTC on Tuesday): too late
    _act(session, julie, "task", WED, None, c["Dupont"], _at(TUE, 23, 30), status="planned")
    _act(session, julie, "visit", WED, "interesse", c["Dupont"], distance_km=10)
    _act(session, julie, "visit", WED, None, c["Leroy"], _at(WED, 8), status="planned")
    _act(session, julie, "call", THU, "interesse", c["Leroy"], _at(WED, 17))
    _act(session, julie, "call", THU, None, c["Leroy"], _at(THU, 7), status="planned")
    _act(session, julie, "visit", FRI, None, c["Petit"], _at(THU, 20), status="planned")
    # excluded everywhere: deleted, and an old planned visit beyond the 30-day lookback
    _act(
        session,
        julie,
        "visit",
        TUE,
        "commande",
        c["Dupont"],
        amount=99999,
        deleted_at=_at(TUE, 12),
    )
    _act(session, julie, "visit", WED, None, c["Dupont"], status="planned", deleted_at=_at(WED, 9))
    _act(session, julie, "visit", date(2026, 1, 5), None, c["Petit"], status="planned")
    # Julie, the previous week (also the start of the 4-week baseline) --------------------
    for outcome in ["interesse"] * 7 + ["rdv"] * 3:
        _act(session, julie, "call", date(2026, 3, 3), outcome)
    for name, amount in (
        ("Dupont", 1000),
        ("Garnier", 7000),
        ("Leroy", 2000),
        ("Moreau", 4000),
        ("Petit", None),
    ):
        _act(
            session,
            julie,
            "visit",
            date(2026, 3, 4),
            "devis",
            c[name],
            amount=amount,
            distance_km=10,
        )
    _act(session, julie, "call", date(2026, 2, 16), "commande", c["Moreau"], amount=1500)
    _act(session, julie, "visit", date(2025, 10, 1), "devis", c["Vieux"], amount=9000)
    # Julie's follow-ups: 5 overdue (the threshold, no alert), others not counted
    for day in (1, 5, 10, 11, 12):
        _followup(session, julie, date(2026, 3, day))
    _followup(session, julie, TODAY)  # due today: not overdue
    _followup(session, julie, date(2026, 3, 16), c["Leroy"])  # keeps Leroy's quote alive
    _followup(session, julie, date(2026, 3, 2), c["Petit"], status="done", done_at=_at(MON, 9))
    _followup(session, julie, date(2026, 3, 3), c["Petit"], deleted_at=_at(MON, 9))

    # Marc: Monday only this week, nothing planned afterwards -----------------------------
    for outcome in ("injoignable",) * 3 + ("interesse",) * 2:
        _act(session, marc, "call", MON, outcome, martin)
    _act(session, marc, "visit", MON, "devis", bernard, amount=3000, distance_km=40)
    for outcome in ("injoignable",) * 6 + ("interesse",) * 4:
        _act(session, marc, "call", date(2026, 3, 5), outcome)
    _followup(session, marc, date(2026, 3, 12), bernard)
    for day in (2, 3, 4, 5, 6):
        _followup(session, marc, date(2026, 3, day))

    # coaching: the drill window follows Paris time ---------------------------------------
    for moment, score in ((_at(date(2026, 3, 8), 23, 30), 6.0), (_at(WED, 10), 8.0)):
        session.add(
            DrillAttempt(
                user_id=julie.id,
                objection_id="p1",
                category="prix",
                score=score,
                created_at=moment,
            )
        )
    session.add(  # Sunday 23:30 in Paris: the week before
        DrillAttempt(
            user_id=julie.id,
            objection_id="p2",
            category="prix",
            score=2.0,
            created_at=_at(date(2026, 3, 8), 22, 30),
        )
    )
    session.add(
        ChecklistRun(user_id=julie.id, kind="negocier", status="done", started_at=_at(TUE, 9))
    )
    session.add(
        ChecklistRun(user_id=marc.id, kind="preparer", status="open", started_at=_at(THU, 9))
    )
    session.add(
        ChecklistRun(
            user_id=marc.id, kind="debrief", status="done", started_at=_at(date(2026, 3, 2), 9)
        )
    )

    # Zoé left the team: everything of hers must stay out ---------------------------------
    for day in (MON, TUE, WED, THU):
        _act(session, zoe, "visit", day, "commande", zoe_co, amount=10000, distance_km=50)
        _act(session, zoe, "call", day, "rdv", zoe_co)
    _act(session, zoe, "visit", WED, None, zoe_co, status="planned")
    for day in range(1, 11):
        _followup(session, zoe, date(2026, 3, day), zoe_co)
    session.add(
        DrillAttempt(
            user_id=zoe.id, objection_id="p1", category="prix", score=9.0, created_at=_at(TUE, 9)
        )
    )
    session.add(ChecklistRun(user_id=zoe.id, kind="negocier", started_at=_at(TUE, 9)))
    session.flush()
    return (
        julie.id,
        marc.id,
        zoe.id,
        {k: v.id for k, v in c.items()} | {"Martin": martin.id, "Bernard": bernard.id},
    )


@pytest.fixture
def team(services: Services) -> Iterator[Team]:
    """Services with the hand-built team committed."""
    with services.session() as session:
        julie, marc, zoe, companies = _build(session)
    yield Team(services, julie, marc, zoe, companies)


def _summary(team: Team, thresholds: AlertThresholds = PACE, **kw) -> TeamSummary:  # type: ignore[no-untyped-def]
    """The team summary of the week of 9 March, read on Friday 13."""
    members = kw.pop("members", team.members)
    today = kw.pop("today", TODAY)
    with team.services.session() as session:
        return team_summary(session, members, MON, today, team.services.settings, thresholds, **kw)


def _rep(summary: TeamSummary, user_id: int):  # type: ignore[no-untyped-def]
    """One rep of the summary."""
    return next(r for r in summary.reps if r.user_id == user_id)


# --- per-rep figures ------------------------------------------------------------------------


def test_week_bounds_and_rep_order(team: Team) -> None:
    s = _summary(team)
    assert (s.week_start, s.week_end, s.end, s.today) == (MON, date(2026, 3, 15), FRI, FRI)
    assert (s.previous_start, s.previous_end) == (date(2026, 3, 2), date(2026, 3, 6))
    assert (s.baseline_start, s.baseline_end) == (date(2026, 2, 9), date(2026, 3, 8))
    assert s.partial and [r.name for r in s.reps] == ["Julie", "Marc"]


def test_rep_counts_exact(team: Team) -> None:
    s = _summary(team)
    julie, marc = _rep(s, team.julie), _rep(s, team.marc)
    assert julie.counts == Counts(
        activities=9,
        calls_made=6,
        calls_reached=4,
        appointments=2,
        visits=3,
        quotes=1,
        orders=1,
        revenue=Decimal("8000.00"),
        km=Decimal("60.0"),
        field_days=3,
    )
    assert marc.counts == Counts(
        activities=6,
        calls_made=5,
        calls_reached=2,
        visits=1,
        quotes=1,
        km=Decimal("40.0"),
        field_days=1,
    )


def test_planning_discipline_uses_the_reps_timezone(team: Team) -> None:
    s = _summary(team)
    julie, marc = _rep(s, team.julie).planning, _rep(s, team.marc).planning
    # Monday ✓ (Tuesday planned at 19:30), Tuesday ✗ (Wednesday's first entry at 00:30 in
    # Paris), Wednesday ✓, Thursday ✓; Friday is today, not over yet
    assert julie.eligible == (MON, TUE, WED, THU)
    assert julie.planned == (MON, WED, THU) and julie.missed == (TUE,)
    assert julie.longest_gap == (TUE,) and julie.share == pytest.approx(0.75)
    assert marc.planned == () and marc.longest_gap == (MON, TUE, WED, THU)
    assert s.planning.planned_days == 3 and s.planning.eligible_days == 8


def test_followups_drills_checklists(team: Team) -> None:
    s = _summary(team)
    julie, marc = _rep(s, team.julie), _rep(s, team.marc)
    assert (julie.overdue_followups, marc.overdue_followups, s.overdue_followups) == (5, 6, 11)
    assert (julie.drills, julie.drill_average) == (2, pytest.approx(7.0))
    assert (marc.drills, marc.drill_average) == (0, None)
    assert (julie.checklists, julie.checklists_done, marc.checklists) == (1, 1, 1)
    assert (s.drills, s.drill_average, s.checklists) == (2, pytest.approx(7.0), 2)


def test_idle_days_and_pace(team: Team) -> None:
    s = _summary(team)
    julie, marc = _rep(s, team.julie), _rep(s, team.marc)
    assert (julie.last_activity, julie.idle_working_days) == (THU, 0)
    assert (marc.last_activity, marc.idle_working_days) == (MON, 3)
    assert (julie.pace.visits, marc.pace.visits) == (8, 1)
    fr = holidays.France(years=2026)
    worked = [
        date(2026, 1, 1) + timedelta(days=i)
        for i in range(365)
        if (date(2026, 1, 1) + timedelta(days=i)).weekday() < 5
        and date(2026, 1, 1) + timedelta(days=i) not in fr
    ]
    share = sum(d <= TODAY for d in worked) / len(worked)
    assert julie.pace.expected == pytest.approx(20 * share)
    assert julie.pace.gap > 0 > marc.pace.gap


# --- team totals, ratios, deltas, funnel ----------------------------------------------------


def test_team_totals_ratios_and_deltas(team: Team) -> None:
    s = _summary(team)
    t = s.totals
    assert (t.calls_made, t.calls_reached, t.appointments, t.visits) == (11, 6, 2, 4)
    assert (t.quotes, t.orders, t.revenue, t.km) == (2, 1, Decimal("8000.00"), Decimal("100.0"))
    p = s.previous_totals
    assert (p.calls_made, p.calls_reached, p.appointments, p.visits, p.quotes, p.orders) == (
        20,
        14,
        3,
        5,
        5,
        0,
    )
    assert s.ratios.contact_rate.value == pytest.approx(6 / 11)
    assert s.ratios.appointment_rate.value == pytest.approx(2 / 6)
    assert s.ratios.visit_efficiency.value == pytest.approx(2 / 4)
    assert s.ratios.conversion_rate.value == pytest.approx(1 / 2)
    assert s.ratios.average_order.value == pytest.approx(8000)
    d = s.deltas
    assert d["contact_rate"].change == pytest.approx((6 / 11 - 14 / 20) * 100)
    assert d["appointment_rate"].change == pytest.approx((2 / 6 - 3 / 14) * 100)
    assert d["visit_efficiency"].change == pytest.approx((0.5 - 1.0) * 100)
    assert d["conversion_rate"].change == pytest.approx(50.0)
    assert d["contact_rate"].unit == "pts" and d["average_order"].change is None


def test_funnel(team: Team) -> None:
    s = _summary(team)
    assert [(f.code, f.value) for f in s.funnel] == [
        ("contacts", 10),
        ("appointments", 2),
        ("quotes", 2),
        ("orders", 1),
    ]
    assert [f.rate for f in s.funnel] == [None, pytest.approx(0.2), pytest.approx(1.0), 0.5]
    assert [f.label for f in s.funnel] == ["Contacts", "RDV", "Devis", "Commandes"]


# --- account view -------------------------------------------------------------------------


def test_account_view(team: Team) -> None:
    s = _summary(team)
    c = team.companies
    a = _rep(s, team.julie).accounts
    assert (a.companies, a.contacted_30d) == (7, 5)
    assert a.contacted_share == pytest.approx(5 / 7)
    # Leroy and Dupont both have 3 entries in 90 days: the most recent contact comes first
    assert a.most_contacted == (
        AccountRef(c["Leroy"], "Leroy", 3, THU),
        AccountRef(c["Dupont"], "Dupont", 3, WED),
        AccountRef(c["Garnier"], "Garnier", 2, TUE),
    )
    assert a.least_contacted == (
        AccountRef(c["Oublié"], "Oublié", 0, None),
        AccountRef(c["Vieux"], "Vieux", 0, date(2025, 10, 1)),
        AccountRef(c["Petit"], "Petit", 1, date(2026, 3, 4)),
    )
    # Dupont: two quotes, no order; Moreau: its order predates the quote; Petit: its only
    # follow-ups are done or deleted. Garnier ordered, Leroy has an open follow-up, Vieux's
    # quote is older than 90 days.
    assert (a.rotting_count, a.rotting_amount) == (3, Decimal("9000.00"))
    assert a.rotting == (
        RottingQuote(c["Dupont"], "Dupont", MON, 2, Decimal("5000.00")),
        RottingQuote(c["Moreau"], "Moreau", date(2026, 3, 4), 1, Decimal("4000.00")),
        RottingQuote(c["Petit"], "Petit", date(2026, 3, 4), 1, Decimal("0.00")),
    )
    assert (a.unreported_visits, a.unreported_calls) == (1, 1)
    m = _rep(s, team.marc).accounts
    assert (m.companies, m.contacted_30d, m.rotting_count, m.unreported) == (2, 2, 0, 0)
    assert [r.name for r in m.most_contacted] == ["Martin", "Bernard"]
    assert [r.name for r in m.least_contacted] == ["Bernard", "Martin"]
    team_view = s.accounts
    assert (team_view.companies, team_view.contacted_30d, team_view.rotting_count) == (9, 7, 3)


# --- alerts -------------------------------------------------------------------------------


def _codes(summary: TeamSummary, user_id: int) -> list[str]:
    """Codes of one rep's alerts."""
    return [a.code for a in summary.alerts if a.user_id == user_id]


def test_alerts_fire_when_the_data_calls_for_it(team: Team) -> None:
    s = _summary(team)
    assert _codes(s, team.marc) == ["inactive", "overdue", "no_plan", "visit_pace"]
    assert _codes(s, team.julie) == ["ratio_drop"]
    assert [a.code for a in s.alerts] == [
        "inactive",
        "overdue",
        "no_plan",
        "ratio_drop",
        "visit_pace",
    ]
    texts = {(a.user_id, a.code): a.text for a in s.alerts}
    assert texts[team.marc, "inactive"] == (
        "aucune activité notée depuis 3 jours ouvrés (dernière le lun. 09/03)."
    )
    assert texts[team.marc, "overdue"] == "6 relances en retard (seuil : 5)."
    assert texts[team.marc, "no_plan"] == (
        "4 jours ouvrés d'affilée sans planifier le lendemain "
        "(lun. 09/03, mar. 10/03, mer. 11/03, jeu. 12/03)."
    )
    assert texts[team.julie, "ratio_drop"].startswith("Taux de contact en baisse de 33\u00a0% :")
    assert "67\u00a0% cette semaine (4/6) contre 100\u00a0%" in texts[team.julie, "ratio_drop"]
    assert texts[team.marc, "visit_pace"].startswith(
        "visites en dessous du rythme : 1 depuis le 01/01"
    )
    assert [a.code for a in _rep(s, team.marc).alerts] == _codes(s, team.marc)


def test_alerts_stay_quiet_below_thresholds(team: Team) -> None:
    loose = AlertThresholds(
        days_without_activity=4,
        max_overdue=6,
        ratio_drop=0.34,
        days_without_plan=5,
        yearly_visit_target=0,
    )
    assert _summary(team, loose).alerts == ()
    # the default visit target (308 a year) puts both reps behind the pace
    s = _summary(team, AlertThresholds())
    assert _codes(s, team.julie) == ["ratio_drop", "visit_pace"]


def test_pause_silences_inactivity_and_planning(team: Team) -> None:
    with team.services.session() as session:
        session.get(User, team.marc).paused_until = WED  # type: ignore[union-attr]
    s = _summary(team)
    marc = _rep(s, team.marc)
    assert marc.idle_working_days == 1  # Thursday only
    assert marc.planning.eligible == (THU,) and marc.planning.longest_gap == (THU,)
    assert _codes(s, team.marc) == ["overdue", "visit_pace"]


def test_new_rep_is_not_flagged_inactive(team: Team) -> None:
    with team.services.session() as session:
        session.get(User, team.marc).created_at = _at(THU, 8)  # type: ignore[union-attr]
    s = _summary(team)
    marc = _rep(s, team.marc)
    assert marc.idle_working_days == 1 and marc.planning.eligible == (THU,)
    assert marc.pace.since == THU


def test_thresholds_from_settings() -> None:
    assert AlertThresholds.from_settings(Settings(yearly_visit_target=440)) == AlertThresholds(
        yearly_visit_target=440
    )
    custom = SimpleNamespace(
        team_days_without_activity=2,
        team_max_overdue_followups=9,
        team_ratio_drop=0.5,
        team_days_without_plan=3,
        yearly_visit_target=308,
    )
    assert AlertThresholds.from_settings(custom) == AlertThresholds(
        days_without_activity=2, max_overdue=9, ratio_drop=0.5, days_without_plan=3
    )


def test_visit_pace_pro_rata_since_joining() -> None:
    days = (1, 2, 3, 4, 5)
    full = visit_pace(0, date(2026, 12, 31), 308, days)
    assert full.share == pytest.approx(1.0) and full.expected == pytest.approx(308)
    late = visit_pace(10, date(2026, 12, 31), 308, days, joined=date(2026, 7, 1))
    assert 0.45 < late.share < 0.55 and late.since == date(2026, 7, 1)


# --- removed member, query shape ----------------------------------------------------------


def test_removed_member_contributes_nothing(team: Team) -> None:
    with_zoe = _summary(team, members=[*team.members, team.zoe])
    assert with_zoe.totals.orders == 1 + 4 and len(with_zoe.reps) == 3
    s = _summary(team)
    assert team.zoe not in {r.user_id for r in s.reps}
    assert s.totals.orders == 1 and s.totals.revenue == Decimal("8000.00")
    assert s.overdue_followups == 11 and s.drills == 2 and s.checklists == 2
    assert s.accounts.companies == 9 and s.accounts.unreported == 2
    assert all(a.user_id != team.zoe for a in s.alerts)
    assert "Zoé" not in render_summary(s)


def _selects(team: Team, members: list[int]) -> list[str]:
    """The SELECT statements run by one team_summary."""
    statements: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(team.services.engine, "before_cursor_execute", record)
    try:
        _summary(team, members=members)
    finally:
        event.remove(team.services.engine, "before_cursor_execute", record)
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def test_aggregate_queries_only_and_constant_count(team: Team) -> None:
    two = _selects(team, team.members)
    three = _selects(team, [*team.members, team.zoe])
    assert len(two) == len(three) <= 16
    on_activities = [s for s in two if "FROM activities" in s]
    assert on_activities and all(
        "GROUP BY" in s.upper() or "count(" in s.lower() for s in on_activities
    )


def test_empty_team_and_bad_dates(team: Team) -> None:
    s = _summary(team, members=[])
    assert s.reps == () and s.totals == Counts() and s.alerts == ()
    assert "Aucun commercial" in render_summary(s)
    with pytest.raises(ValueError):
        _summary(team, today=MON - timedelta(days=1))


def test_full_week_read_the_next_monday(team: Team) -> None:
    s = _summary(team, today=date(2026, 3, 16))
    assert not s.partial and s.end == date(2026, 3, 15)
    julie = _rep(s, team.julie)
    assert julie.planning.eligible == (MON, TUE, WED, THU, FRI)
    assert julie.planning.planned == (MON, WED, THU)  # nothing for Monday 16 yet
    assert "Arrêté" not in render_summary(s)


# --- rendering ----------------------------------------------------------------------------


def test_render_summary_content(team: Team) -> None:
    text = render_summary(_summary(team, team_name="Lyon Est"))
    assert tg_length(text) < 4096
    lines = text.splitlines()
    assert lines[0] == "📋 Lyon Est · Bilan de l'équipe — semaine du 09/03 au 15/03/2026"
    assert lines[1] == "Arrêté au ven. 13/03 · 2 commerciaux"
    assert lines[3] == "⚠️ Alertes (5)"
    assert (
        lines[4]
        == "⚠️ Marc : aucune activité notée depuis 3 jours ouvrés (dernière le lun. 09/03)."
    )
    assert text.index("Alertes") < text.index("👤 Julie") < text.index("👥 Total équipe")
    assert text.index("Total équipe") < text.index("📈 Ratios") < text.index("🔻 Entonnoir")
    assert text.index("🔻 Entonnoir") < text.index("🏢 Portefeuilles")
    assert "📞 6 appels, 4 aboutis · 🚗 3 visites, 60\u00a0km" in text
    assert "🤝 2 RDV · 📄 1 devis · ✅ 1 commande, 8\u00a0000\u00a0€" in text
    assert "🗓️ Plan du lendemain 3/4\u00a0j · ⏰ 5 relances en retard" in text
    assert "🎓 2 entraînements, moy. 7,0/10 · ☑️ 1 checklist" in text
    assert "• Taux de contact (aboutis ÷ appels) : 55\u00a0% (6/11) ↘\u00a0−15\u00a0pts" in text
    assert "• Transformation (commandes ÷ devis) : 50\u00a0% (1/2) ↗\u00a0+50\u00a0pts" in text
    assert (
        "Contacts 10 → RDV 2 (20\u00a0%) → Devis 2 (100\u00a0%) → Commandes 1 (50\u00a0%)" in text
    )
    assert "• Julie — 71\u00a0% des comptes vus en 30\u00a0j (5/7)" in text
    assert "⭐ Leroy (3 en 90\u00a0j) · 💤 Oublié (jamais contacté)" in text
    assert (
        "🧊 3 devis sans suite : 9\u00a0000\u00a0€ (Dupont 5\u00a0000\u00a0€, Moreau 4\u00a0000\u00a0€)"
        in text
    )
    assert "📌 1 visite(s) prévue(s) et 1 appel(s) prévu(s) non renseigné(es)" in text


def _big_team(summary: TeamSummary, size: int) -> TeamSummary:
    """The summary with its reps cloned into a team of size reps (long names, alerts)."""
    reps = []
    alerts = []
    for index in range(size):
        source = summary.reps[index % len(summary.reps)]
        name = f"{source.name} Longuenom-Dessaint-Marchal {index:02d}"
        rep_alerts = tuple(
            dataclasses.replace(a, user_id=1000 + index, name=name) for a in source.alerts
        )
        alerts.extend(rep_alerts)
        reps.append(
            dataclasses.replace(source, user_id=1000 + index, name=name, alerts=rep_alerts)
        )
    return dataclasses.replace(summary, reps=tuple(reps), alerts=tuple(alerts))


@pytest.mark.parametrize("size", [3, 8, 20, 50, 200])
def test_render_fits_telegram_for_big_teams(team: Team, size: int) -> None:
    big = _big_team(_summary(team, AlertThresholds()), size)
    text = render_summary(big)
    assert tg_length(text) < 4096 and len(text) < 4096
    assert "👥 Total équipe" in text and "🔻 Entonnoir" in text and "📈 Ratios" in text
    assert "⚠️ Alertes" in text
    if size >= 20:
        assert "autre(s) commercial(aux) non détaillé(s)" in text
        alerts = text.split("\n\n")[1]
        assert "⚠️ Aucune activité depuis 3 jours ouvrés ou plus — " in alerts
        assert "⚠️ Plus de 5 relances en retard — " in alerts and "… +" in alerts


# --- charts and export --------------------------------------------------------------------


def test_charts_are_png(team: Team) -> None:
    s = _summary(team)
    for chart in (funnel_png(s), activity_png(s)):
        assert chart.startswith(PNG) and len(chart) > 2000
    big = _big_team(s, 50)
    assert activity_png(big).startswith(PNG)
    empty = _summary(team, members=[])
    assert funnel_png(empty).startswith(PNG) and activity_png(empty).startswith(PNG)


def test_export_sheets(team: Team) -> None:
    with team.services.session() as session:
        sheets = team_export_sheets(
            session, [(team.julie, "Julie"), (team.marc, "Julie")], MON, FRI
        )
    assert list(sheets) == ["Julie", "Julie (2)"]
    assert len(sheets["Julie"]) == 13  # 9 done + 4 planned this week, deleted ones left out
    assert len(sheets["Julie (2)"]) == 6
    assert to_xlsx_multi(sheets).startswith(b"PK")
