"""Time stats_report + render_stats on a 5,000-entry journal, on SQLite and PostgreSQL.

Target: p99 ≤ 50 ms per call on each database (50 timed runs cycling through week, month,
quarter and year, after 3 warm-up runs). PostgreSQL is measured when SALESCOACH_TEST_PG is
set or --pg [URL] is given; the script creates and drops its own database there.

    .venv/bin/python bench/journal_stats_bench.py [--pg [URL]] [--runs 50] [--entries 5000]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.settings import Settings  # noqa: E402
from db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from db.models import User  # noqa: E402
from journal.sample_data import generate_journal  # noqa: E402
from journal.stats import PERIOD_KINDS, render_stats, stats_report  # noqa: E402

TARGET_MS = 50.0
DEFAULT_PG = "postgresql+psycopg://root:salescoach@127.0.0.1:5432/postgres"
TODAY = date(2026, 3, 10)
START = date(2024, 3, 11)  # two years of journal: about 10 entries per worked day
WARMUP = 3
SETTINGS = Settings(cost_per_km=0.35, cost_per_field_day=45.0, ratio_alert_threshold=0.3)


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(url: str, entries: int, runs: int) -> dict[str, float]:
    """Migrate, fill one rep's journal, then time stats_report + render_stats."""
    upgrade(url)
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    try:
        started = time.perf_counter()
        with maker() as session:
            user = User(telegram_id=1, display_name="Bench", onboarded=True)
            session.add(user)
            session.flush()
            generate_journal(session, user, entries, START, TODAY, seed=2026)
            session.commit()
            user_id = user.id
        fill_s = time.perf_counter() - started
        timings: list[float] = []
        for run in range(WARMUP + runs):
            kind = PERIOD_KINDS[run % len(PERIOD_KINDS)]
            begin = time.perf_counter()
            with maker() as session:
                report = stats_report(session, user_id, kind, TODAY, SETTINGS)  # type: ignore[arg-type]
                render_stats(report)
            elapsed = (time.perf_counter() - begin) * 1000
            if run >= WARMUP:
                timings.append(elapsed)
    finally:
        engine.dispose()
    return {
        "fill_s": fill_s,
        "p50": statistics.median(timings),
        "p99": _percentile(timings, 0.99),
        "mean": statistics.fmean(timings),
    }


def measure_sqlite(entries: int, runs: int) -> dict[str, float]:
    """Run the measure on a SQLite file in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        return measure(f"sqlite:///{tmp}/bench.sqlite3", entries, runs)


def measure_postgres(admin_url: str, entries: int, runs: int) -> dict[str, float]:
    """Run the measure on a fresh PostgreSQL database, dropped afterwards."""
    name = f"salescoach_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
            return measure(url, entries, runs)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    """Print the figures beside the target; exit 1 when it is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", nargs="?", const=DEFAULT_PG, default=None, metavar="URL")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args(argv)
    pg_url = args.pg or os.environ.get("SALESCOACH_TEST_PG")

    results = {"sqlite": measure_sqlite(args.entries, args.runs)}
    if pg_url:
        results["postgresql"] = measure_postgres(pg_url, args.entries, args.runs)

    print(
        f"stats_report + render_stats, {args.entries} entries for one rep, "
        f"{args.runs} runs (week, month, quarter, year in turn)"
    )
    print(f"{'database':<12}{'fill (s)':>10}{'p50 (ms)':>10}{'p99 (ms)':>10}  target p99")
    missed = []
    for name, figures in results.items():
        ok = figures["p99"] <= TARGET_MS
        missed += [] if ok else [name]
        print(
            f"{name:<12}{figures['fill_s']:>10.1f}{figures['p50']:>10.1f}{figures['p99']:>10.1f}"
            f"  ≤ {TARGET_MS:.0f} ms {'ok' if ok else 'MISSED'}"
        )
    parts = ", ".join(f"{n} p99 {f['p99']:.1f} ms" for n, f in results.items())
    if not pg_url:
        parts += " (PostgreSQL not measured: --pg or SALESCOACH_TEST_PG)"
    verdict = "ok" if not missed else f"MISSED on {', '.join(missed)}"
    print(f"summary: journal stats {verdict} — {parts}, target ≤ {TARGET_MS:.0f} ms")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
