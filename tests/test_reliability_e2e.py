"""Crash, restart and Telegram faults, end to end: the bot process over HTTP, killed with SIGKILL."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot import texts
from db.models import Activity, OutboxMessage
from fakegram.server import FakeTelegram
from tests.e2e import data_of, start_bot, wait_ready

pytestmark = pytest.mark.e2e
U = 4242


def count(db_url: str, model: type) -> int:
    """Count rows with a fresh connection."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        value = conn.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return value


async def onboard_over_http(users, user_id: int = U) -> None:  # type: ignore[no-untyped-def]
    """Run /start, name and role over HTTP."""
    [welcome] = await users.ask(user_id, "/start", timeout=30)
    [ask_role] = await users.click(
        user_id,
        welcome["message_id"],
        data_of(welcome, "Utiliser"),
        timeout=30,
        methods="sendMessage",
    )
    await users.click(
        user_id,
        ask_role["message_id"],
        data_of(ask_role, "Commercial"),
        timeout=30,
        methods="sendMessage",
    )


async def test_sigkill_after_commit_before_reply_then_restart(db_url: str, tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        bot = start_bot(fake, db_url, tmp_path)
        try:
            await wait_ready(bot)
            async with fake.client() as users:
                await onboard_over_http(users)
                [card] = await users.ask(
                    U, "vu Dupont SA hier, devis 12k€, relance jeudi", timeout=30
                )
                # The confirmation send hangs: the visit is committed, the reply not delivered.
                await users.fault("timeout", method="sendMessage", chat_id=U, count=1, delay=20)
                await users.press(U, card["message_id"], data_of(card, "Valider"))
                for _ in range(200):
                    if count(db_url, Activity) == 1:
                        break
                    await asyncio.sleep(0.05)
                assert count(db_url, Activity) == 1
                bot.kill(signal.SIGKILL)
                before = (await users.sent(U, methods="sendMessage"))[-1]["seq"]
                restarted = start_bot(fake, db_url, tmp_path)
                try:
                    await wait_ready(restarted)
                    # Telegram redelivers the unconfirmed press: recognised, not applied twice.
                    records = await users.wait(U, 1, before, timeout=30, methods="sendMessage")
                    assert any(r["text"] == texts.ALREADY_DONE for r in records)
                    assert count(db_url, Activity) == 1
                    # The conversation goes on after the restart.
                    [reply] = await users.ask(U, "/aide", timeout=30)
                    assert "vu Dupont SA hier" in reply["text"]
                finally:
                    await restarted.stop()
        finally:
            if bot.proc.poll() is None:
                bot.kill(signal.SIGKILL)


async def test_sigkill_with_a_pending_card_then_validate_after_restart(
    db_url: str, tmp_path: Path
) -> None:
    async with FakeTelegram() as fake:
        bot = start_bot(fake, db_url, tmp_path)
        try:
            await wait_ready(bot)
            async with fake.client() as users:
                await onboard_over_http(users)
                [card] = await users.ask(U, "vu Dupont SA hier, devis 12k€", timeout=30)
                await asyncio.sleep(0.3)  # let the offset of that batch be confirmed
                bot.kill(signal.SIGKILL)
                restarted = start_bot(fake, db_url, tmp_path)
                try:
                    await wait_ready(restarted)
                    replies = await users.click(
                        U,
                        card["message_id"],
                        data_of(card, "Valider"),
                        timeout=30,
                        methods="sendMessage",
                    )
                    assert "enregistré" in replies[0]["text"]
                    assert count(db_url, Activity) == 1
                finally:
                    await restarted.stop()
        finally:
            if bot.proc.poll() is None:
                bot.kill(signal.SIGKILL)


async def test_sends_retried_on_5xx_and_kept_when_they_finally_fail(
    db_url: str, tmp_path: Path
) -> None:
    async with FakeTelegram() as fake:
        bot = start_bot(fake, db_url, tmp_path)
        try:
            await wait_ready(bot)
            async with fake.client() as users:
                await onboard_over_http(users)
                await users.fault("502", method="sendMessage", chat_id=U, count=2)
                [reply] = await users.ask(U, "/aide", timeout=30)
                assert "vu Dupont SA hier" in reply["text"]
                await users.fault("500", method="sendMessage", chat_id=U, count=40)
                await users.send_message(U, "/aide")
                for _ in range(300):
                    if count(db_url, OutboxMessage) >= 1:
                        break
                    await asyncio.sleep(0.1)
                assert count(db_url, OutboxMessage) >= 1
                assert "kept in the outbox" in bot.log()
        finally:
            await bot.stop()


async def test_429_waits_retry_after_for_that_send_only(db_url: str, tmp_path: Path) -> None:
    """A 429 delays the reply it hit by retry_after; another user is answered meanwhile."""
    other = U + 1
    async with FakeTelegram() as fake:
        bot = start_bot(fake, db_url, tmp_path)
        try:
            await wait_ready(bot)
            async with fake.client() as users:
                await onboard_over_http(users)
                await onboard_over_http(users, other)
                await users.fault("429", method="sendMessage", chat_id=U, count=1, retry_after=3)
                slowed = await users.send_message(U, "/aide")
                [quick] = await users.ask(other, "/aide", timeout=30)
                [delayed] = await users.wait(U, 1, slowed["seq"], timeout=30)
                assert (
                    "vu Dupont SA hier" in quick["text"] and "vu Dupont SA hier" in delayed["text"]
                )
                assert quick["seq"] < delayed["seq"]
                assert (await users.stats())["responses_429"] == 1
                assert count(db_url, OutboxMessage) == 0
        finally:
            await bot.stop()


def _children(pid: int) -> list[int]:
    """Live child processes of a process, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


async def test_scoring_worker_does_not_outlive_a_killed_bot(db_url: str, tmp_path: Path) -> None:
    """SIGKILL leaves no orphan: the scoring worker process ends with the bot."""
    async with FakeTelegram() as fake:
        bot = start_bot(fake, db_url, tmp_path)
        try:
            await wait_ready(bot)
            workers: list[int] = []
            for _ in range(100):
                workers = _children(bot.proc.pid)
                if workers:
                    break
                await asyncio.sleep(0.1)
            assert workers, "the bot starts a scoring worker process"
            bot.kill(signal.SIGKILL)
            alive = workers
            for _ in range(100):
                alive = [pid for pid in workers if _running(pid)]
                if not alive:
                    break
                await asyncio.sleep(0.1)
            assert alive == []
        finally:
            if bot.proc.poll() is None:
                bot.kill(signal.SIGKILL)


async def test_sigterm_stops_cleanly(db_url: str, tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        bot = start_bot(fake, db_url, tmp_path)
        await wait_ready(bot)
        assert await bot.stop() == 0
        assert "bot stopped cleanly" in bot.log()
