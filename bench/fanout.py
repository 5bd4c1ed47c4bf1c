"""Fan-out of pushes due at the same minute, through a rate-limited fake Bot API on loopback.

Targets (issue 7): every push delivered exactly once, all within N / 25 s of the due minute
(400 s for 10,000 users), no 429 left unhandled; start-up catch-up ≤ 5 s; the scheduler's
extra resident memory ≤ 150 MB. The fake server runs in its own process, enforcing about
30 messages/s overall and 1 per second per chat, and answers 429 beyond.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.handlers.plan import get_scheduler  # noqa: E402
from bot.services import Services  # noqa: E402
from core.settings import load_settings  # noqa: E402
from db import upgrade  # noqa: E402
from db.models import Push, User  # noqa: E402


def rss_mb() -> float:
    """Resident memory of this process."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def run(users: int, tmp: str) -> dict[str, float]:
    """Create the users, start the fake API, catch up and deliver; return the figures."""
    port_file = Path(tmp) / "port"
    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fakegram",
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--rate-limit",
        ],
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            await asyncio.sleep(0.1)
        base = f"http://127.0.0.1:{port_file.read_text().strip()}"
        url = f"sqlite:///{tmp}/fanout.sqlite3"
        upgrade(url)
        settings = load_settings(
            environ={
                "DATABASE_URL": url,
                "TELEGRAM_TOKEN": "123456:FANOUT",
                "TELEGRAM_BASE_URL": f"{base}/bot",
                "NLU_MODEL_DIR": str(ROOT / "var" / "nlu"),
            }
        )
        services = Services.create(settings)
        with services.session() as session:
            session.execute(
                insert(User),
                [
                    {
                        "telegram_id": 10_000_000 + n,
                        "display_name": f"Rep {n}",
                        "role": "rep",
                        "timezone": "Europe/Paris",
                        "evening_time": dtime(17, 30),
                        "morning_time": dtime(8, 30),
                        "working_days": "1,2,3,4,5",
                        "onboarded": True,
                        "active": True,
                    }
                    for n in range(users)
                ],
            )
        app = build_application(settings, services=services, preload_nlu=False)
        async with app:
            before = rss_mb()
            scheduler = get_scheduler(app)
            due_minute = datetime(2026, 3, 10, 16, 30, tzinfo=UTC)  # 17:30 in Paris
            started = time.perf_counter()
            claimed = scheduler.collect(due_minute + timedelta(seconds=1))
            catch_up_s = time.perf_counter() - started
            after_collect = rss_mb()
            delays: list[float] = []
            deliver_started = time.perf_counter()

            async def deliver(item):  # type: ignore[no-untyped-def]
                outcome = await scheduler._deliver(item)
                delays.append(
                    time.perf_counter() - deliver_started + 1
                )  # the tick ran 30 s after due
                return outcome

            outcomes = Counter(await asyncio.gather(*(deliver(item) for item in claimed)))
            total_s = time.perf_counter() - deliver_started
            peak = rss_mb()
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            stats = (await client.get("/control/stats")).json()
            records = (
                await client.get("/control/sent", params={"methods": "sendMessage"})
            ).json()["records"]
        per_chat = Counter(r["chat_id"] for r in records)
        with services.session() as session:
            statuses = Counter(session.scalars(select(Push.status)).all())
        services.close()
        return {
            "users": users,
            "claimed": len(claimed),
            "delivered_chats": len(per_chat),
            "duplicates": sum(c - 1 for c in per_chat.values() if c > 1),
            "sent": outcomes.get("sent", 0),
            "failed": outcomes.get("failed", 0) + statuses.get("failed", 0),
            "responses_429": stats.get("responses_429", 0),
            "catch_up_s": catch_up_s,
            "deliver_s": total_s,
            "p95_delay_s": statistics.quantiles(delays, n=20)[18] if len(delays) > 1 else 0.0,
            "max_delay_s": max(delays) if delays else 0.0,
            "extra_rss_mb": max(after_collect, peak) - before,
            "max_rate_global": stats.get("max_rate_global", 0),
            "max_rate_chat": stats.get("max_rate_chat", 0),
        }
    finally:
        fake.terminate()
        fake.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Print the figures beside the targets; exit 1 when one is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        f = asyncio.run(run(args.users, tmp))
    window = args.users / 25
    checks = [
        ("pushes claimed", f["claimed"], f"= {args.users}", f["claimed"] == args.users),
        (
            "chats that got exactly one",
            f["delivered_chats"],
            f"= {args.users}",
            f["delivered_chats"] == args.users,
        ),
        ("duplicates", f["duplicates"], "= 0", f["duplicates"] == 0),
        ("failed (429 left unhandled…)", f["failed"], "= 0", f["failed"] == 0),
        ("429 answered and retried", f["responses_429"], "(info)", True),
        (
            "last delivery after due (s)",
            f["max_delay_s"],
            f"≤ {window:.0f}",
            f["max_delay_s"] <= window,
        ),
        ("p95 delay after due (s)", f["p95_delay_s"], "(info)", True),
        ("start-up catch-up (s)", f["catch_up_s"], "≤ 5", f["catch_up_s"] <= 5),
        ("scheduler extra RSS (MB)", f["extra_rss_mb"], "≤ 150", f["extra_rss_mb"] <= 150),
        ("max sends/s seen by the API", f["max_rate_global"], "(≈ 25)", True),
    ]
    print(f"{'measure':<34}{'value':>12}  target")
    for name, value, target, _ok in checks:
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"{name:<34}{shown:>12}  {target}")
    missed = [name for name, _v, _t, ok in checks if not ok]
    print(
        f"fanout: {'OK' if not missed else 'MISSED ' + ', '.join(missed)} — {args.users} users, "
        f"last push {f['max_delay_s']:.0f} s after due (≤ {window:.0f}), p95 {f['p95_delay_s']:.0f} s, "
        f"catch-up {f['catch_up_s']:.2f} s, +{f['extra_rss_mb']:.0f} MB"
    )
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in f.items()}))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
