"""Time the manager's team summary on a team of 50 reps with one year of history.

About 100,000 activities, 20,000 follow-ups, 12,500 companies, drills and checklist runs are
bulk-inserted (realistic field patterns: calls every day, visits on field days, the next day
planned the evening before by disciplined reps, quotes followed up or left to rot, a few
idle or paused reps). Then, on SQLite (temporary file) and on PostgreSQL (own database,
created, ANALYZEd after loading as autovacuum would, and dropped):

* ``team_summary`` + ``render_summary``: p50 and p99 over --runs runs after 3 warm-ups,
  alternating the current week (to date) and the previous full week; target ≤ 300 ms;
* ``funnel_png`` and ``activity_png``: p99 over 10 runs each; target ≤ 500 ms.

PostgreSQL is measured when SALESCOACH_TEST_PG is set or --pg [URL] is given. "cpu p50" is
this process's CPU time per summary (SQLite's work included, the PostgreSQL server's not):
other jobs on a shared machine inflate wall times far more than it. --profile prints the
time spent in each query step (to see which one would need an index).

    .venv/bin/python bench/summary_bench.py [--pg [URL]] [--runs 20] [--reps 50] [--profile]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.settings import Settings  # noqa: E402
from db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from db.models import (  # noqa: E402
    Activity,
    ChecklistRun,
    Company,
    Contact,
    DrillAttempt,
    FollowUp,
    Team,
    User,
)
from journal.calendar import is_working_day  # noqa: E402
from journal.sample_data import (  # noqa: E402
    CALL_OUTCOMES,
    CITIES,
    FIRST_NAMES,
    SURNAMES,
    TRADES,
    VISIT_OUTCOMES,
)
from team import AlertThresholds, render_summary, team_summary  # noqa: E402
from team.charts import activity_png, funnel_png  # noqa: E402
from team.summary import tg_length  # noqa: E402

SUMMARY_MS, CHART_MS = 300.0, 500.0
DEFAULT_PG = "postgresql+psycopg://root:salescoach@127.0.0.1:5432/postgres"
TODAY = date(2026, 11, 26)  # a Thursday late in the year: the year-to-date scans are long
PARIS = ZoneInfo("Europe/Paris")
WARMUP = 3
CHART_RUNS = 10
COMPANIES_PER_REP = 250
SETTINGS = Settings(cost_per_km=0.35, cost_per_field_day=45.0)
THRESHOLDS = AlertThresholds()
CHUNK = 5000


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# --- data -----------------------------------------------------------------------------------


@dataclass
class Dataset:
    """Rows to bulk-insert, with explicit ids."""

    team: dict[str, Any]
    users: list[dict[str, Any]] = field(default_factory=list)
    companies: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    drills: list[dict[str, Any]] = field(default_factory=list)
    checklists: list[dict[str, Any]] = field(default_factory=list)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    """Draw one value from (value, weight) pairs."""
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _utc(day: date, hour: int, minute: int) -> datetime:
    """Naive UTC instant of a Paris wall-clock time (created_at is stored so)."""
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
    return local.astimezone(UTC).replace(tzinfo=None)


def _amount(rng: random.Random) -> Decimal:
    """A B2B deal size: log-normal around 6,000 €, rounded to 50 €."""
    value = min(max(math.exp(rng.gauss(math.log(6000), 0.9)), 300), 150_000)
    return Decimal(round(value / 50) * 50)


def generate(n_reps: int, per_rep: int, seed: int = 2026) -> Dataset:
    """One year of a team's field activity, ending on TODAY (planning included)."""
    rng = random.Random(seed)
    start = TODAY - timedelta(days=364)
    days = [start + timedelta(days=i) for i in range(365 + 2)]
    worked = [d for d in days if is_working_day(d)]
    data = Dataset(team={"id": 1, "name": "Région Rhône-Alpes", "invite_code": "BENCH"})
    # calls, visits and tasks per worked day, scaled to about per_rep entries a year
    scale = per_rep / (len([d for d in worked if d < TODAY]) * 7.9)
    activity_id = followup_id = 0
    for rep in range(1, n_reps + 1):
        discipline = rng.uniform(0.45, 0.97)  # share of evenings the next day gets planned
        idle_from = TODAY - timedelta(days=6) if rep % 17 == 0 else None  # stopped logging
        paused = TODAY + timedelta(days=5) if rep % 23 == 0 else None  # on holiday
        data.users.append(
            {
                "id": rep,
                "telegram_id": 10_000 + rep,
                "display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                "role": "rep",
                "team_id": 1,
                "timezone": "Europe/Paris",
                "working_days": "1,2,3,4,5",
                "paused_until": paused,
                "onboarded": True,
                "active": True,
                "created_at": datetime.combine(start - timedelta(days=30), clock(9)),
            }
        )
        first_company = len(data.companies) + 1
        km_of: dict[int, int] = {}
        for index in range(COMPANIES_PER_REP):
            company_id = first_company + index
            city, km = rng.choice(CITIES)
            name = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)} {company_id}"
            data.companies.append(
                {
                    "id": company_id,
                    "owner_id": rep,
                    "name": name,
                    "norm_name": name.lower(),
                    "city": city,
                    "created_at": datetime.combine(start, clock(8)),
                }
            )
            data.contacts.append(
                {
                    "id": company_id,
                    "company_id": company_id,
                    "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                    "role_code": "achats",
                }
            )
            km_of[company_id] = km
        ids = list(range(first_company, first_company + COMPANIES_PER_REP))
        weights = [1 / (i + 1) ** 0.7 for i in range(len(ids))]  # a few key accounts
        previous_day: date | None = None
        for day in worked:
            if day > TODAY + timedelta(days=1):
                break
            evening = previous_day or day - timedelta(days=1)
            previous_day = day
            if (idle_from and day >= idle_from) or (paused and day >= TODAY - timedelta(days=2)):
                continue
            future = day > TODAY or (day == TODAY and rng.random() < 0.5)
            planned_ahead = rng.random() < discipline
            n_calls = 0 if future else round(rng.randint(3, 7) * scale)
            field_day = rng.random() < 0.6
            n_visits = round(rng.randint(2, 5) * scale) if field_day else 0
            n_tasks = 1 if rng.random() < 0.8 * scale else 0
            entries = [("call", n) for n in range(n_calls)]
            entries += [("visit", n) for n in range(n_visits)]
            entries += [("task", n) for n in range(n_tasks)]
            for kind, _ in entries:
                company = rng.choices(ids, weights)[0]
                hour, minute = rng.randint(8, 17), rng.choice((0, 15, 30, 45))
                ahead = kind != "call" and planned_ahead
                if ahead:
                    created = _utc(evening, rng.randint(17, 20), rng.randint(0, 59))
                else:
                    created = _utc(day, hour, minute) + timedelta(minutes=rng.randint(5, 240))
                status, outcome, amount, km = "done", None, None, None
                if future or (kind != "call" and rng.random() < 0.03):
                    status = "planned"
                elif kind == "task":
                    status = "done" if rng.random() < 0.5 else "planned"
                else:
                    outcome = _pick(rng, CALL_OUTCOMES if kind == "call" else VISIT_OUTCOMES)
                    if outcome in ("devis", "commande") and rng.random() < 0.9:
                        amount = _amount(rng)
                    if kind == "visit":
                        km = Decimal(round(2 * km_of[company] * rng.uniform(0.9, 1.15)))
                activity_id += 1
                deleted = created + timedelta(hours=2) if rng.random() < 0.01 else None
                data.activities.append(
                    {
                        "id": activity_id,
                        "user_id": rep,
                        "kind": kind,
                        "status": status,
                        "day": day,
                        "at_time": clock(hour, minute),
                        "outcome": outcome,
                        "amount": amount,
                        "distance_km": km,
                        "company_id": company,
                        "contact_id": company,
                        "raw_text": f"{kind} {company}",
                        "created_at": created,
                        "deleted_at": deleted,
                    }
                )
                wants = {"devis": 1.0, "rappel": 0.45}.get(outcome or "", 0.0)
                if status == "done" and deleted is None and rng.random() < wants:
                    due = day + timedelta(days=7)
                    done = due < TODAY and rng.random() < 0.88
                    followup_id += 1
                    data.followups.append(
                        {
                            "id": followup_id,
                            "user_id": rep,
                            "company_id": company,
                            "activity_id": activity_id,
                            "due_date": due,
                            "status": "done" if done else "open",
                            "done_at": _utc(due, 10, 0) if done else None,
                            "created_at": created,
                        }
                    )
            if not future and rng.random() < 0.3:
                data.drills.append(
                    {
                        "user_id": rep,
                        "objection_id": f"prix_{rng.randint(1, 12)}",
                        "category": "prix",
                        "score": round(rng.uniform(3, 10), 1),
                        "answer": "",
                        "techniques": [],
                        "faults": [],
                        "motives": [],
                        "created_at": _utc(day, 12, rng.randint(0, 59)),
                    }
                )
            if not future and rng.random() < 0.15:
                data.checklists.append(
                    {
                        "user_id": rep,
                        "kind": rng.choice(("preparer", "negocier", "debrief")),
                        "status": rng.choice(("done", "done", "open")),
                        "state": {},
                        "started_at": _utc(day, 8, rng.randint(0, 59)),
                    }
                )
    return data


def load(engine: Engine, data: Dataset) -> None:
    """Bulk-insert the dataset, fix PostgreSQL sequences, then ANALYZE (PostgreSQL)."""
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (Team, [data.team]),
        (User, data.users),
        (Company, data.companies),
        (Contact, data.contacts),
        (Activity, data.activities),
        (FollowUp, data.followups),
        (DrillAttempt, data.drills),
        (ChecklistRun, data.checklists),
    ]
    with engine.begin() as conn:
        for model, rows in tables:
            for offset in range(0, len(rows), CHUNK):
                conn.execute(insert(model), rows[offset : offset + CHUNK])
        if engine.dialect.name == "postgresql":
            for model, _ in tables:
                name = model.__tablename__
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                    )
                )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


# --- measures -------------------------------------------------------------------------------


PROFILED = (
    "_visits_ytd",
    "_last_activity",
    "compute_counts",
    "_load_members",
    "_planning",
    "_overdue",
    "_drills",
    "_checklists",
    "_accounts",
    "_quotes_after_orders",
    "_unreported",
    "compute_alerts",
)


@contextmanager
def step_timer(store: dict[str, list[float]]) -> Iterator[None]:
    """Time each query step of team.summary (its fetches included), by function name."""
    import team.summary as module

    originals = {name: getattr(module, name) for name in PROFILED}

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            begin = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                store[name].append((time.perf_counter() - begin) * 1000)

        return timed

    for name, fn in originals.items():
        setattr(module, name, wrap(name, fn))
    try:
        yield
    finally:
        for name, fn in originals.items():
            setattr(module, name, fn)


def _time(
    fn: Callable[[], Any], runs: int, warmup: int, cpu: list[float] | None = None
) -> tuple[list[float], Any]:
    """Run fn warmup + runs times; return the wall times in ms and the last result.

    cpu, when given, receives this process's CPU time of each timed run (on SQLite the
    database work included): a figure the other jobs of a shared machine barely move.
    """
    timings, result = [], None
    for run in range(warmup + runs):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        result = fn()
        elapsed = (time.perf_counter() - begin) * 1000
        if run >= warmup:
            timings.append(elapsed)
            if cpu is not None:
                cpu.append((time.process_time() - begin_cpu) * 1000)
    return timings, result


def measure(url: str, data: Dataset, runs: int, profile: bool) -> dict[str, Any]:
    """Migrate, load, then time the summary and the charts."""
    upgrade(url)
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    try:
        started = time.perf_counter()
        load(engine, data)
        fill_s = time.perf_counter() - started
        ids = [u["id"] for u in data.users]
        monday = TODAY - timedelta(days=TODAY.weekday())
        weeks = [monday, monday - timedelta(days=7)]
        state = {"run": 0}

        def summary_once() -> Any:
            week = weeks[state["run"] % len(weeks)]
            state["run"] += 1
            with maker() as session:
                summary = team_summary(
                    session, ids, week, TODAY, SETTINGS, THRESHOLDS, team_name=data.team["name"]
                )
            return summary, render_summary(summary)

        statements: dict[str, list[float]] = defaultdict(list)
        cpu: list[float] = []
        if profile:
            with step_timer(statements):
                timings, (summary, message) = _time(summary_once, runs, WARMUP, cpu)
        else:
            timings, (summary, message) = _time(summary_once, runs, WARMUP, cpu)
        funnel_t, _ = _time(lambda: funnel_png(summary), CHART_RUNS, 1)
        activity_t, _ = _time(lambda: activity_png(summary), CHART_RUNS, 1)
    finally:
        engine.dispose()
    return {
        "fill_s": fill_s,
        "p50": statistics.median(timings),
        "p99": _percentile(timings, 0.99),
        "cpu_p50": statistics.median(cpu),
        "funnel_p99": _percentile(funnel_t, 0.99),
        "activity_p99": _percentile(activity_t, 0.99),
        "length": tg_length(message),
        "alerts": len(summary.alerts),
        "statements": statements,
        "message": message,
    }


def measure_sqlite(data: Dataset, runs: int, profile: bool) -> dict[str, Any]:
    """Run the measure on a SQLite file in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        return measure(f"sqlite:///{tmp}/bench.sqlite3", data, runs, profile)


def measure_postgres(admin_url: str, data: Dataset, runs: int, profile: bool) -> dict[str, Any]:
    """Run the measure on a fresh PostgreSQL database, dropped afterwards."""
    name = f"salescoach_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
            return measure(url, data, runs, profile)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _print_profile(name: str, statements: dict[str, list[float]]) -> None:
    """Median time of each query step of a summary (compute_counts is called 3 times)."""
    print(f"\n{name}: median time per call of each step (ms)")
    for key, values in sorted(statements.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {statistics.median(values):7.2f}  {key}")


def main(argv: list[str] | None = None) -> int:
    """Print the figures beside the targets; exit 1 when one is missed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pg", nargs="?", const=DEFAULT_PG, default=None, metavar="URL")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--per-rep", type=int, default=2000, help="activities per rep a year")
    parser.add_argument("--profile", action="store_true", help="time each query step")
    parser.add_argument("--show", action="store_true", help="print the rendered summary")
    args = parser.parse_args(argv)
    pg_url = args.pg or os.environ.get("SALESCOACH_TEST_PG")

    started = time.perf_counter()
    data = generate(args.reps, args.per_rep)
    gen_s = time.perf_counter() - started
    print(
        f"team of {len(data.users)} reps, one year to {TODAY:%d/%m/%Y}: "
        f"{len(data.activities):,} activities, {len(data.followups):,} follow-ups, "
        f"{len(data.companies):,} companies, {len(data.drills):,} drills, "
        f"{len(data.checklists):,} checklist runs (generated in {gen_s:.1f} s)"
    )
    results = {"sqlite": measure_sqlite(data, args.runs, args.profile)}
    if pg_url:
        results["postgresql"] = measure_postgres(pg_url, data, args.runs, args.profile)

    print(
        f"team_summary + render_summary: {args.runs} runs after {WARMUP} warm-ups "
        f"(current week to date and previous week in turn); charts: {CHART_RUNS} runs each"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (other jobs slow wall times)")
    header = (
        f"{'database':<12}{'fill (s)':>9}{'p50 (ms)':>10}{'p99 (ms)':>10}{'cpu p50':>9}  "
        f"{'target':<10}"
        f"{'funnel p99':>11}{'activity p99':>13}  {'target':<9}{'chars':>6}{'alerts':>7}"
    )
    print(header)
    missed: list[str] = []
    for name, r in results.items():
        ok_summary = r["p99"] <= SUMMARY_MS
        ok_charts = max(r["funnel_p99"], r["activity_p99"]) <= CHART_MS
        missed += [] if ok_summary else [f"{name} summary"]
        missed += [] if ok_charts else [f"{name} charts"]
        print(
            f"{name:<12}{r['fill_s']:>9.1f}{r['p50']:>10.1f}{r['p99']:>10.1f}"
            f"{r['cpu_p50']:>9.1f}  "
            f"{'≤ 300 ' + ('ok' if ok_summary else 'MISSED'):<10}"
            f"{r['funnel_p99']:>11.1f}{r['activity_p99']:>13.1f}  "
            f"{'≤ 500 ' + ('ok' if ok_charts else 'MISSED'):<9}{r['length']:>6}{r['alerts']:>7}"
        )
    if args.profile:
        for name, r in results.items():
            _print_profile(name, r["statements"])
    if args.show:
        print("\n" + results["sqlite"]["message"])
    parts = ", ".join(
        f"{n} summary p99 {r['p99']:.0f} ms, charts p99 "
        f"{max(r['funnel_p99'], r['activity_p99']):.0f} ms"
        for n, r in results.items()
    )
    if not pg_url:
        parts += " (PostgreSQL not measured: --pg or SALESCOACH_TEST_PG)"
    verdict = "ok" if not missed else f"MISSED ({', '.join(missed)})"
    print(
        f"summary: team summary {verdict} — {parts}; targets ≤ {SUMMARY_MS:.0f} ms and "
        f"≤ {CHART_MS:.0f} ms"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
