"""Cold start of the bot process to "ready" (polling a fake Bot API) and its resident memory.

Targets (issue 3): ready in ≤ 5 s, ≤ 250 MB before the NLU model is loaded.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fakegram.server import FakeTelegram  # noqa: E402

TARGET_READY_S = 5.0
TARGET_CORE_RSS_MB = 250.0


async def measure() -> dict[str, float]:
    """Start the bot against the fake API and time it until it polls."""
    with tempfile.TemporaryDirectory() as tmp:
        return await _measure_in(tmp)


async def _measure_in(tmp: str) -> dict[str, float]:
    """Run one cold start with its database in a temporary folder."""
    async with FakeTelegram() as fake:
        env = {
            **os.environ,
            "TELEGRAM_TOKEN": "123456:BENCH",
            "TELEGRAM_BASE_URL": fake.base_url,
            "TELEGRAM_BASE_FILE_URL": fake.base_file_url,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "LOG_LEVEL": "INFO",
        }
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        figures: dict[str, float] = {}
        assert proc.stderr is not None
        loop = asyncio.get_running_loop()
        try:
            while True:
                line = await loop.run_in_executor(None, proc.stderr.readline)
                if not line:
                    raise RuntimeError("the bot exited before it was ready")
                now = time.perf_counter() - started
                core = re.search(r"startup core_ready rss_mb=(\d+)", line)
                nlu = re.search(r"startup nlu_ready rss_mb=(\d+)", line)
                if core:
                    figures["core_ready_s"], figures["core_rss_mb"] = now, float(core[1])
                if nlu:
                    figures["nlu_ready_s"], figures["nlu_rss_mb"] = now, float(nlu[1])
                if "bot ready, polling" in line:
                    figures["ready_s"] = now
                    break
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        return figures


def main() -> int:
    """Print the figures beside the targets; exit 1 when one is missed."""
    figures = asyncio.run(measure())
    ok_ready = figures["ready_s"] <= TARGET_READY_S
    ok_rss = figures["core_rss_mb"] <= TARGET_CORE_RSS_MB
    print(f"{'measure':<36}{'value':>10}  target")
    print(f"{'cold start to ready (s)':<36}{figures['ready_s']:>10.2f}  ≤ {TARGET_READY_S}")
    print(f"{'  of which core ready (s)':<36}{figures['core_ready_s']:>10.2f}")
    print(
        f"{'RSS before NLU load (MB)':<36}{figures['core_rss_mb']:>10.0f}  ≤ {TARGET_CORE_RSS_MB:.0f}"
    )
    print(f"{'RSS with NLU loaded (MB)':<36}{figures.get('nlu_rss_mb', 0):>10.0f}")
    ok = ok_ready and ok_rss
    print(
        f"startup: {'OK' if ok else 'MISSED'} — ready in {figures['ready_s']:.2f} s, "
        f"{figures['core_rss_mb']:.0f} MB before NLU, {figures.get('nlu_rss_mb', 0):.0f} MB with it"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
