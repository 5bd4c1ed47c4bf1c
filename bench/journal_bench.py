"""Journal benchmark through the real Application: message-in to card-out, and /stats.

Targets (issue 6): card latency with the embedded NLU p50 ≤ 30 ms, p99 ≤ 100 ms;
/stats on a journal of 5,000 entries ≤ 50 ms, on SQLite and on PostgreSQL.
PostgreSQL is measured when SALESCOACH_TEST_PG is set or --pg [URL] is given.
"""

from __future__ import annotations

import argparse
import asyncio
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

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.driver import Driver  # noqa: E402
from bot.localapi import LocalBotApi  # noqa: E402
from bot.services import Services  # noqa: E402
from core.settings import load_settings  # noqa: E402
from db import upgrade  # noqa: E402
from db.models import User  # noqa: E402
from journal.sample_data import generate_journal  # noqa: E402
from nlu.training_data import load_training_data  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://root:salescoach@127.0.0.1:5432/postgres"
CARD_P50, CARD_P99, STATS_MS = 30.0, 100.0, 50.0


def pct(values: list[float], q: float) -> float:
    """Return a quantile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(url: str, entries: int) -> dict[str, float]:
    """Measure card latency and /stats on one database."""
    upgrade(url)
    settings = load_settings(
        environ={"DATABASE_URL": url, "NLU_MODEL_DIR": str(ROOT / "var" / "nlu")}
    )
    services = Services.create(settings)
    services.get_nlu()
    api = LocalBotApi()
    app = build_application(settings, request=api, services=services)
    messages = [
        e.text
        for e in load_training_data(ROOT / "nlu" / "data" / "test_nlu.yml").examples
        if e.intent in ("log_visit", "log_call", "plan_activity")
    ]
    async with app:
        driver = Driver(app, api)
        await driver.send(1, "/start")
        await driver.press(1, "Utiliser")
        await driver.press(1, "Commercial")
        card_ms: list[float] = []
        for n, message in enumerate(messages * 3):
            user = 1000 + n % 50
            if n < 50:
                await driver.send(user, "/start")
                await driver.press(user, "Utiliser")
                await driver.press(user, "Commercial")
            started = time.perf_counter()
            await driver.send(user, message)
            card_ms.append((time.perf_counter() - started) * 1000)
            await driver.send(user, "/annuler")
        with services.session() as session:
            user_row = session.scalar(select(User).where(User.telegram_id == 1))
            assert user_row is not None
            generate_journal(session, user_row, entries, date(2025, 11, 1), date.today(), seed=7)
        if url.startswith("postgresql"):
            with services.engine.connect() as conn:
                conn.execute(text("ANALYZE"))  # as autovacuum would after a bulk load
        stats_ms: list[float] = []
        for n in range(40):
            started = time.perf_counter()
            await driver.send(
                1, ["/stats semaine", "/stats mois", "/stats trimestre", "/stats annee"][n % 4]
            )
            if n >= 4:
                stats_ms.append((time.perf_counter() - started) * 1000)
    services.close()
    return {
        "card_p50": statistics.median(card_ms),
        "card_p99": pct(card_ms, 0.99),
        "stats_p50": statistics.median(stats_ms),
        "stats_p99": pct(stats_ms, 0.99),
    }


def on_postgres(admin_url: str, entries: int) -> dict[str, float]:
    """Run on a fresh PostgreSQL database, dropped afterwards."""
    name = f"salescoach_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        return asyncio.run(run(url, entries))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    """Print the figures beside the targets; exit 1 when one is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", nargs="?", const=DEFAULT_PG, default=None, metavar="URL")
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = asyncio.run(run(f"sqlite:///{tmp}/bench.sqlite3", args.entries))
    pg_url = args.pg or os.environ.get("SALESCOACH_TEST_PG")
    if pg_url:
        results["postgresql"] = on_postgres(pg_url, args.entries)
    print(
        f"{'database':<12}{'card p50':>10}{'card p99':>10}{'stats p50':>11}{'stats p99':>11}  (ms)"
    )
    missed = []
    for name, f in results.items():
        print(
            f"{name:<12}{f['card_p50']:>10.1f}{f['card_p99']:>10.1f}{f['stats_p50']:>11.1f}{f['stats_p99']:>11.1f}"
        )
        if f["card_p50"] > CARD_P50 or f["card_p99"] > CARD_P99:
            missed.append(f"{name} card")
        if f["stats_p99"] > STATS_MS:
            missed.append(f"{name} stats")
    print(f"{'targets':<12}{'≤ 30':>10}{'≤ 100':>10}{'':>11}{'≤ 50':>11}")
    parts = ", ".join(
        f"{n}: card p50 {f['card_p50']:.1f} / p99 {f['card_p99']:.1f} ms, /stats p99 {f['stats_p99']:.1f} ms"
        for n, f in results.items()
    )
    print(f"journal_bench: {'OK' if not missed else 'MISSED ' + ', '.join(missed)} — {parts}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
