"""Journal stats: counts, ratios, periods, comparison, yearly target, advice and rendering."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import holidays
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.services import Services
from core.settings import Settings
from db.models import Activity, Company, FollowUp, User
from journal import stats_texts as T
from journal.export import export_rows, totals
from journal.sample_data import generate_journal
from journal.stats import (
    Counts,
    advise,
    compute_counts,
    compute_ratios,
    period_bounds,
    previous_period,
    render_formulas,
    render_stats,
    stats_report,
    visit_target,
)

TODAY = date(2026, 3, 10)  # a Tuesday
MON, TUE = date(2026, 3, 9), date(2026, 3, 10)
NB = T.NBSP


def _user(session: Session, telegram_id: int, name: str = "Julie") -> User:
    """Create an onboarded rep."""
    user = User(telegram_id=telegram_id, display_name=name, onboarded=True)
    session.add(user)
    session.flush()
    return user


def _add(session: Session, user: User, kind: str, day: date, outcome: str | None = None, **kw):  # type: ignore[no-untyped-def]
    """Add one activity (done unless told otherwise)."""
    for key in ("amount", "distance_km"):
        if kw.get(key) is not None:
            kw[key] = Decimal(str(kw[key]))
    activity = Activity(user_id=user.id, kind=kind, day=day, outcome=outcome, **kw)
    activity.status = kw.get("status", "done")
    session.add(activity)
    return activity


def _build_journal(session: Session) -> tuple[int, int]:
    """The hand-built journal of the expected values below; returns (rep, other rep)."""
    rep, other = _user(session, 1), _user(session, 2, "Marc")
    # current week to date: Monday 9 and Tuesday 10 March 2026
    _add(session, rep, "call", MON, "injoignable")
    _add(session, rep, "call", MON, "injoignable")
    _add(session, rep, "call", MON, "rdv")
    _add(session, rep, "call", MON, "rdv")
    _add(session, rep, "call", MON, "refus")
    _add(session, rep, "call", TUE, None)  # no outcome: reached
    _add(session, rep, "call", TUE, "rappel")
    _add(session, rep, "visit", MON, "devis", amount=5000, distance_km=40)
    _add(session, rep, "visit", MON, "commande", amount=12000, distance_km=20)
    _add(session, rep, "visit", TUE, "rdv", distance_km=60)
    _add(session, rep, "visit", TUE, "interesse")
    _add(session, rep, "task", TUE, note="Préparer le devis")
    # excluded: planned, deleted, other rep, outside the week
    _add(session, rep, "visit", TUE, "commande", amount=99999, distance_km=500, status="planned")
    _add(session, rep, "call", MON, "rdv", deleted_at=datetime(2026, 3, 9, 18, 0))
    _add(session, other, "visit", MON, "commande", amount=7000, distance_km=10)
    _add(session, rep, "visit", date(2026, 3, 8), "commande", amount=1000)  # Sunday before
    # previous week, same length (Monday 2 and Tuesday 3 March)
    _add(session, rep, "call", date(2026, 3, 2), "injoignable")
    _add(session, rep, "call", date(2026, 3, 2), "injoignable")
    _add(session, rep, "call", date(2026, 3, 2), "interesse")
    _add(session, rep, "call", date(2026, 3, 3), "interesse")
    _add(session, rep, "call", date(2026, 3, 3), "rdv")
    _add(session, rep, "visit", date(2026, 3, 3), "devis", amount=3000, distance_km=30)
    _add(session, rep, "visit", date(2026, 3, 3), "commande", amount=6000, distance_km=30)
    # previous week but after its "same length" window: not compared
    _add(session, rep, "visit", date(2026, 3, 4), "commande", amount=50000)
    session.flush()
    return rep.id, other.id


@pytest.fixture
def journal(services: Services) -> Iterator[tuple[Services, int, int]]:
    """Services with the hand-built journal committed."""
    with services.session() as session:
        rep, other = _build_journal(session)
    yield services, rep, other


def _settings(services: Services, **changes: object) -> Settings:
    """The test settings with some values changed."""
    return dataclasses.replace(services.settings, **changes)  # type: ignore[arg-type]


# --- counts -------------------------------------------------------------------------------


def test_counts_exact_on_hand_built_journal(journal: tuple[Services, int, int]) -> None:
    services, rep, other = journal
    with services.session() as session:
        counts = compute_counts(session, [rep, other, 999], MON, TUE)
    assert counts[rep] == Counts(
        activities=12,
        calls_made=7,
        calls_reached=5,
        appointments=3,
        visits=4,
        quotes=1,
        orders=1,
        revenue=Decimal("12000.00"),
        km=Decimal("120.0"),
        field_days=2,
    )
    assert counts[other] == Counts(
        activities=1,
        visits=1,
        orders=1,
        revenue=Decimal("7000.00"),
        km=Decimal("10.0"),
        field_days=1,
    )
    assert counts[999] == Counts() and counts[999].empty


def test_counts_is_one_sql_query(journal: tuple[Services, int, int]) -> None:
    services, rep, other = journal
    statements: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(services.engine, "before_cursor_execute", record)
    try:
        with services.session() as session:
            compute_counts(session, [rep, other], date(2026, 1, 1), TUE)
    finally:
        event.remove(services.engine, "before_cursor_execute", record)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert "GROUP BY" in selects[0].upper() and "sum(" in selects[0].lower()


def test_counts_previous_window_and_year(journal: tuple[Services, int, int]) -> None:
    services, rep, _ = journal
    with services.session() as session:
        previous = compute_counts(session, [rep], *previous_period("semaine", TODAY))[rep]
        year = compute_counts(session, [rep], date(2026, 1, 1), TODAY)[rep]
    assert (previous.calls_made, previous.calls_reached, previous.appointments) == (5, 3, 1)
    assert (previous.visits, previous.quotes, previous.orders) == (2, 1, 1)
    assert previous.revenue == Decimal("6000.00") and previous.field_days == 1
    assert year.visits == 4 + 1 + 2 + 1
    assert year.revenue == Decimal("12000") + 1000 + 6000 + 50000


# --- ratios -------------------------------------------------------------------------------


def test_each_ratio_exact(journal: tuple[Services, int, int]) -> None:
    services, rep, _ = journal
    with services.session() as session:
        counts = compute_counts(session, [rep], MON, TUE)[rep]
    ratios = compute_ratios(counts, cost_per_km=0.5, cost_per_field_day=30)
    assert ratios.contact_rate.value == pytest.approx(5 / 7)
    assert ratios.appointment_rate.value == pytest.approx(3 / 5)
    assert ratios.visit_efficiency.value == pytest.approx(1 / 4)
    assert ratios.conversion_rate.value == pytest.approx(1.0)
    assert ratios.average_order.value == pytest.approx(12000)
    assert ratios.cost_per_visit is not None
    assert ratios.cost_per_visit.value == pytest.approx((120 * 0.5 + 2 * 30) / 4)
    assert [r.code for r in ratios.all()] == [
        "contact_rate",
        "appointment_rate",
        "visit_efficiency",
        "conversion_rate",
        "average_order",
        "cost_per_visit",
    ]
    for ratio in ratios.all():
        assert ratio.label and ratio.full_label and "÷" in ratio.formula(0.5, 30)
    assert "0,50 €/km" in ratios.cost_per_visit.formula(0.5, 30)


def test_zero_denominators_give_none() -> None:
    ratios = compute_ratios(Counts(), cost_per_km=0.4)
    assert all(r.value is None for r in ratios.all())
    assert ratios.cost_per_visit is not None and ratios.cost_per_visit.value is None
    only_calls = compute_ratios(Counts(activities=3, calls_made=3))
    assert only_calls.contact_rate.value == 0
    assert only_calls.appointment_rate.value is None  # no call reached
    assert only_calls.cost_per_visit is None  # no cost configured


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        ("semaine", date(2026, 3, 10), (date(2026, 3, 9), date(2026, 3, 10))),
        ("semaine", date(2026, 3, 9), (date(2026, 3, 9), date(2026, 3, 9))),
        ("semaine", date(2026, 1, 1), (date(2025, 12, 29), date(2026, 1, 1))),
        ("mois", date(2026, 3, 10), (date(2026, 3, 1), date(2026, 3, 10))),
        ("trimestre", date(2026, 5, 15), (date(2026, 4, 1), date(2026, 5, 15))),
        ("trimestre", date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
        ("annee", date(2026, 3, 10), (date(2026, 1, 1), date(2026, 3, 10))),
    ],
)
def test_period_bounds(kind: str, today: date, expected: tuple[date, date]) -> None:
    assert period_bounds(kind, today) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        ("semaine", date(2026, 3, 10), (date(2026, 3, 2), date(2026, 3, 3))),
        # crossing the year end: Thursday 1 January compared with Mon 22 - Thu 25 December
        ("semaine", date(2026, 1, 1), (date(2025, 12, 22), date(2025, 12, 25))),
        ("semaine", date(2026, 3, 15), (date(2026, 3, 2), date(2026, 3, 8))),
        ("mois", date(2026, 3, 10), (date(2026, 2, 1), date(2026, 2, 10))),
        ("mois", date(2026, 1, 20), (date(2025, 12, 1), date(2025, 12, 20))),
        ("mois", date(2026, 3, 30), (date(2026, 2, 1), date(2026, 2, 28))),  # clamped
        ("mois", date(2026, 4, 30), (date(2026, 3, 1), date(2026, 3, 31))),  # full month
        ("trimestre", date(2026, 1, 15), (date(2025, 10, 1), date(2025, 10, 15))),
        ("trimestre", date(2026, 5, 31), (date(2026, 1, 1), date(2026, 2, 28))),
        ("trimestre", date(2026, 6, 30), (date(2026, 1, 1), date(2026, 3, 31))),
        ("annee", date(2026, 3, 10), (date(2025, 1, 1), date(2025, 3, 10))),
        ("annee", date(2028, 2, 29), (date(2027, 1, 1), date(2027, 2, 28))),
    ],
)
def test_previous_period_same_length(kind: str, today: date, expected: tuple[date, date]) -> None:
    assert previous_period(kind, today) == expected  # type: ignore[arg-type]


def test_previous_full_period_and_bad_kind() -> None:
    assert previous_period("semaine", TODAY, to_date=False) == (date(2026, 3, 2), date(2026, 3, 8))
    assert previous_period("trimestre", date(2026, 2, 3), to_date=False) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )
    with pytest.raises(ValueError):
        period_bounds("jour", TODAY)  # type: ignore[arg-type]


# --- report, comparison, target, advice ---------------------------------------------------


def test_report_compares_with_previous_week(journal: tuple[Services, int, int]) -> None:
    services, rep, _ = journal
    with services.session() as session:
        report = stats_report(session, rep, "semaine", TODAY, services.settings)
    assert (report.start, report.end) == (MON, TUE)
    assert (report.previous_start, report.previous_end) == (date(2026, 3, 2), date(2026, 3, 3))
    d = report.deltas
    assert d["calls_made"].change == pytest.approx(40.0)  # 7 vs 5
    assert d["visits"].change == pytest.approx(100.0)  # 4 vs 2
    assert d["revenue"].change == pytest.approx(100.0)  # 12 000 vs 6 000
    assert d["contact_rate"].unit == "pts"
    assert d["contact_rate"].change == pytest.approx((5 / 7 - 3 / 5) * 100)
    assert d["appointment_rate"].change == pytest.approx((3 / 5 - 1 / 3) * 100)
    assert d["conversion_rate"].change == pytest.approx(0.0)
    assert report.visits_per_field_day == 2.0


def test_no_comparison_when_previous_period_is_empty(journal: tuple[Services, int, int]) -> None:
    services, rep, _ = journal
    with services.session() as session:
        report = stats_report(session, rep, "mois", TODAY, services.settings)
    assert report.previous_counts.empty
    assert all(delta.change is None for delta in report.deltas.values())
    assert T.NO_COMPARISON.format(previous="le mois précédent") in render_stats(report)


def test_yearly_visit_target_prorata(journal: tuple[Services, int, int]) -> None:
    services, rep, _ = journal
    with services.session() as session:
        report = stats_report(session, rep, "semaine", TODAY, services.settings)
    fr = holidays.France(years=2026)
    worked = [
        date(2026, 1, 1) + timedelta(days=i)
        for i in range(365)
        if (date(2026, 1, 1) + timedelta(days=i)).weekday() < 5
        and date(2026, 1, 1) + timedelta(days=i) not in fr
    ]
    elapsed = sum(1 for d in worked if d <= TODAY)
    target = report.target
    assert target.visits == 8
    assert target.elapsed_share == pytest.approx(elapsed / len(worked))
    assert target.expected == pytest.approx(308 * elapsed / len(worked))
    assert target.expected_high == pytest.approx(440 * elapsed / len(worked))
    assert target.weeks_elapsed == pytest.approx(44 * elapsed / len(worked))
    assert target.gap == round(8 - target.expected)


def test_visit_target_end_of_year_and_high_range() -> None:
    end = visit_target(300, date(2026, 12, 31), 308)
    assert end.elapsed_share == pytest.approx(1.0) and end.gap == -8
    assert visit_target(0, date(2026, 6, 1), 500).yearly_high == 500


def test_advice_only_under_threshold(journal: tuple[Services, int, int]) -> None:
    services, rep, _ = journal
    with services.session() as session:
        low = stats_report(session, rep, "semaine", TODAY, services.settings)
        high = stats_report(
            session, rep, "semaine", TODAY, _settings(services, ratio_alert_threshold=0.75)
        )
    # default 20 %: every rate is above; only the 2 visits per field day (< 4) is flagged
    assert [a.code for a in low.advice] == ["visits_per_field_day"]
    # 75 %: contact (71 % on 7 calls) and appointments (60 % on 5) are under; visit efficiency
    # (25 %) is computed over 4 visits only, too few to advise; conversion (100 %) is fine
    assert [a.code for a in high.advice] == [
        "contact_rate",
        "appointment_rate",
        "visits_per_field_day",
    ]
    text = render_stats(high)
    assert T.SECTION_ADVICE in text and "mardi et jeudi" in text and "accroche" in text
    assert T.SECTION_ADVICE not in render_stats(dataclasses.replace(low, advice=[]))


def test_advise_pure_threshold_is_strict() -> None:
    counts = Counts(activities=40, calls_made=20, calls_reached=4, visits=10, quotes=10, orders=1)
    ratios = compute_ratios(counts)
    codes = [a.code for a in advise(ratios, 0.2, quote_followup_days=5)]
    assert codes == ["conversion_rate"]  # contact rate is exactly 20 %: not under
    assert "sous 5 jours" in advise(ratios, 0.2, quote_followup_days=5)[0].text
    assert [a.code for a in advise(ratios, 0.21)] == ["contact_rate", "conversion_rate"]
    assert advise(ratios, 0.0) == []


# --- rendering ----------------------------------------------------------------------------


def test_render_stats_french_formatting(journal: tuple[Services, int, int]) -> None:
    services, rep, _ = journal
    settings = _settings(services, cost_per_km=0.5, cost_per_field_day=30.0)
    with services.session() as session:
        report = stats_report(session, rep, "semaine", TODAY, settings)
    text = render_stats(report)
    assert text.startswith("📊 Vos chiffres — Semaine du 09/03 au 10/03/2026")
    assert "Comparé à la semaine précédente, même durée (02/03 → 03/03)." in text
    assert f"• Appels : 7, dont 5 aboutis · ↗{NB}+40{NB}%" in text
    assert f"• CA signé : 12{NB}000{NB}€ · ↗{NB}+100{NB}%" in text
    assert "• Visites : 4 en 2 j terrain (2,0/j, repère 4)" in text
    assert f"• Taux de contact : 71{NB}% (5/7) · ↗{NB}+11{NB}pts" in text
    assert f"• Transformation : 100{NB}% (1/1) · =" in text
    assert f"• Coût par visite : 30{NB}€" in text
    assert f"• Kilomètres : 120{NB}km" in text
    assert "🎯 Objectif annuel de visites" in text and "8 visites depuis le 1er janvier" in text
    assert T.FORMULAS_HINT in text
    assert max(len(line) for line in text.splitlines()) < 400


def test_render_formulas_states_each_formula(journal: tuple[Services, int, int]) -> None:
    services, rep, _ = journal
    settings = _settings(services, cost_per_km=0.5, cost_per_field_day=30.0)
    with services.session() as session:
        report = stats_report(session, rep, "semaine", TODAY, settings)
        bare = stats_report(session, rep, "semaine", TODAY, services.settings)
    text = render_formulas(report)
    assert "Taux de contacts = appels aboutis ÷ appels passés × 100" in text
    assert f"→ 5 ÷ 7 = 71{NB}%" in text
    assert "Taux de transformation = commandes ÷ devis × 100" in text
    assert "Taux d'efficacité des visites = devis ÷ visites × 100" in text
    assert f"→ (120,0 × 0,50 + 2 × 30,00) ÷ 4 = 30{NB}€" in text
    assert "308 à 440" in text and f"sous 20{NB}%" in text
    assert T.COST_NOT_CONFIGURED in render_formulas(bare)


def test_empty_journal_message(services: Services) -> None:
    with services.session() as session:
        rep = _user(session, 5)
        report = stats_report(session, rep.id, "semaine", TODAY, services.settings)
    assert report.empty
    text = render_stats(report)
    assert text.startswith("Aucune activité sur la période (Semaine du 09/03 au 10/03/2026)")
    assert "vu Dupont SA" in text
    assert "Pour mémoire" not in text
    assert "Taux de contacts = " in render_formulas(report)  # formulas still render


def test_empty_period_mentions_previous(journal: tuple[Services, int, int]) -> None:
    services, rep, _ = journal
    with services.session() as session:
        report = stats_report(session, rep, "semaine", date(2026, 3, 17), services.settings)
    text = render_stats(report)
    assert text.startswith("Aucune activité sur la période")
    assert "Pour mémoire, la semaine précédente : 4 visite(s), 7 appel(s)." in text


def test_number_formatting() -> None:
    assert T.format_money(Decimal("12000")) == f"12{NB}000{NB}€"
    assert T.format_money(1234567.5) == f"1{NB}234{NB}568{NB}€"
    assert T.format_pct(0.45) == f"45{NB}%"
    assert T.format_pct(0.004) == f"0,4{NB}%"
    assert T.format_pct(None) == "—"
    assert T.format_number(4.25, 1) == "4,3"
    assert T.format_number(-0.2) == "0"
    assert T.format_signed(-4.4) == "−4" and T.format_signed(12) == "+12"
    assert T.quarter_name(date(2026, 2, 1)) == "1er trimestre 2026"


# --- sample data --------------------------------------------------------------------------


def test_sample_journal_is_deterministic_and_consistent(services: Services) -> None:
    start, end = date(2025, 9, 1), date(2026, 3, 10)
    with services.session() as session:
        first, second = _user(session, 7), _user(session, 8)
        made = generate_journal(session, first, 400, start, end, seed=42)
        generate_journal(session, second, 400, start, end, seed=42)
    assert made.activities == 400 and made.companies >= 5 and made.followups > 0
    with services.session() as session:

        def shape(user_id: int) -> list[tuple[object, ...]]:
            rows = session.execute(
                select(
                    Activity.day,
                    Activity.kind,
                    Activity.status,
                    Activity.outcome,
                    Activity.amount,
                    Activity.distance_km,
                    Activity.raw_text,
                )
                .where(Activity.user_id == user_id)
                .order_by(Activity.id)
            )
            return [tuple(r) for r in rows]

        assert shape(first.id) == shape(second.id)
        counts = compute_counts(session, [first.id], start, end)[first.id]
        rows = export_rows(session, first.id, start, end)
        n_companies = session.scalar(
            select(Company.id).where(Company.owner_id == first.id).order_by(Company.id.desc())
        )
        n_followups = len(
            session.scalars(select(FollowUp).where(FollowUp.user_id == first.id)).all()
        )
    assert n_companies is not None and n_followups == made.followups
    expected = totals(rows)  # the same definitions, recomputed in Python
    assert (counts.calls_made, counts.calls_reached, counts.appointments) == (
        expected.calls,
        expected.calls_reached,
        expected.appointments,
    )
    assert (counts.visits, counts.quotes, counts.orders) == (
        expected.visits,
        expected.quotes,
        expected.orders,
    )
    assert counts.revenue == expected.revenue and counts.km == expected.km
    # plausible mix: a third of calls unanswered, visits mostly on worked days
    assert 0.5 < counts.calls_reached / counts.calls_made < 0.8
    assert counts.visits > 80 and counts.orders > 5 and counts.revenue > 0
    assert all(r.day.weekday() < 5 for r in rows)
