"""End-to-end harness: the real bot process polling the fake Bot API over HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakegram.client import FakeTelegramClient
from fakegram.server import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class BotProcess:
    """A running bot process and what it needs to be restarted."""

    proc: subprocess.Popen[str]
    env: dict[str, str]
    log_path: Path

    def kill(self, sig: int = signal.SIGKILL) -> int:
        """Kill the process at once (SIGKILL) and return its exit code."""
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signal the process and wait without blocking the event loop (the fake API runs there)."""
        self.proc.send_signal(sig)
        return await asyncio.to_thread(self.proc.wait, 60)

    def log(self) -> str:
        """Return what the process logged."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_bot(
    fake: FakeTelegram, database_url: str, workdir: Path, **extra_env: str
) -> BotProcess:
    """Start `python -m bot` against the fake API."""
    env = {
        **os.environ,
        "TELEGRAM_TOKEN": "123456:E2E",
        "TELEGRAM_BASE_URL": fake.base_url,
        "TELEGRAM_BASE_FILE_URL": fake.base_file_url,
        "TELEGRAM_POLL_TIMEOUT": "1",
        "DATABASE_URL": database_url,
        "NLU_MODEL_DIR": str(ROOT / "var" / "nlu"),
        "LOG_LEVEL": "INFO",
        **extra_env,
    }
    log_path = workdir / f"bot-{len(list(workdir.glob('bot-*.log')))}.log"
    handle = log_path.open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return BotProcess(proc, env, log_path)


async def wait_ready(bot: BotProcess, timeout: float = 60.0) -> None:
    """Wait until the bot logs that it polls."""
    for _ in range(int(timeout * 10)):
        if "bot ready, polling" in bot.log():
            return
        if bot.proc.poll() is not None:
            raise RuntimeError(f"bot exited early:\n{bot.log()[-3000:]}")
        await asyncio.sleep(0.1)
    raise TimeoutError(f"bot not ready:\n{bot.log()[-3000:]}")


@asynccontextmanager
async def running_bot(
    database_url: str, workdir: Path, **extra_env: str
) -> AsyncIterator[tuple[FakeTelegram, FakeTelegramClient, BotProcess]]:
    """Fake API + bot process + a client for simulated users; everything stopped after."""
    async with FakeTelegram() as fake:
        bot = start_bot(fake, database_url, workdir, **extra_env)
        try:
            await wait_ready(bot)
            async with fake.client() as users:
                yield fake, users, bot
        finally:
            if bot.proc.poll() is None:
                await bot.stop(signal.SIGTERM)


def buttons(record: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (label, callback_data) of a sent record's inline keyboard."""
    markup = record.get("reply_markup") or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


def data_of(record: dict[str, Any], label: str) -> str:
    """Return the callback data of a button by part of its label."""
    for text, data in buttons(record):
        if label.lower() in text.lower():
            return data
    raise KeyError(f"{label!r} not in {buttons(record)}")
