"""Polling on several cores: routing of raw updates, the process count, and the real processes."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.shards import raw_routing_id, resolve_processes
from bot.webhook import owner, routing_id
from core.settings import ConfigError, Settings, load_settings
from fakegram.server import FakeTelegram
from tests.e2e import start_bot, wait_ready

SENDER = {"id": 501, "is_bot": False, "first_name": "Julie"}
PRIVATE = {"id": 501, "type": "private", "first_name": "Julie"}
GROUP = {"id": -100777, "type": "supergroup", "title": "Équipe Rhône"}
MESSAGE = {"message_id": 9, "date": 1_790_000_000, "chat": PRIVATE, "from": SENDER, "text": "x"}

RAW_UPDATES: list[tuple[str, dict[str, Any], int]] = [
    ("private message", {"update_id": 1, "message": MESSAGE}, 501),
    ("group message", {"update_id": 2, "message": {**MESSAGE, "chat": GROUP}}, -100777),
    ("edited message", {"update_id": 3, "edited_message": {**MESSAGE, "edit_date": 1}}, 501),
    (
        "channel post",
        {
            "update_id": 4,
            "channel_post": {
                "message_id": 1,
                "date": 1,
                "chat": {"id": -100888, "type": "channel", "title": "Annonces"},
                "text": "x",
            },
        },
        -100888,
    ),
    (
        "button press",
        {
            "update_id": 5,
            "callback_query": {
                "id": "q1",
                "from": SENDER,
                "chat_instance": "ci",
                "data": "card:ok",
                "message": MESSAGE,
            },
        },
        501,
    ),
    (
        "inline button (no message)",
        {
            "update_id": 6,
            "callback_query": {
                "id": "q2",
                "from": SENDER,
                "chat_instance": "ci",
                "inline_message_id": "im",
                "data": "x",
            },
        },
        501,
    ),
    (
        "bot blocked",
        {
            "update_id": 7,
            "my_chat_member": {
                "chat": PRIVATE,
                "from": SENDER,
                "date": 1,
                "old_chat_member": {
                    "status": "member",
                    "user": {"id": 42, "is_bot": True, "first_name": "SalesCoach"},
                },
                "new_chat_member": {
                    "status": "kicked",
                    "until_date": 0,
                    "user": {"id": 42, "is_bot": True, "first_name": "SalesCoach"},
                },
            },
        },
        501,
    ),
    (
        "inline query (decoded by PTB)",
        {"update_id": 8, "inline_query": {"id": "i", "from": SENDER, "query": "", "offset": ""}},
        501,
    ),
    (
        "poll state (no chat, no user)",
        {
            "update_id": 9,
            "poll": {
                "id": "p",
                "question": "?",
                "options": [],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            },
        },
        0,
    ),
    ("unknown kind", {"update_id": 10, "something_new": {"chat": {"id": 5}}}, 0),
]


@pytest.mark.parametrize(("item", "expected"), [(u, e) for _, u, e in RAW_UPDATES])
def test_raw_routing_matches_the_workers_view(item: dict[str, Any], expected: int) -> None:
    """The poller routes a raw update to the chat its worker will see after decoding."""
    assert raw_routing_id(item) == expected
    update = Update.de_json(dict(item), None)
    assert update is not None
    assert routing_id(update) == expected


def test_an_update_ptb_cannot_read_routes_to_chat_zero() -> None:
    """A Bot API newer than PTB (a field it requires is missing): no crash, chat 0."""
    item = {"update_id": 11, "poll": {"id": "p", "question": "?", "options": []}}
    with pytest.raises(TypeError):
        Update.de_json(dict(item), None)
    assert raw_routing_id(item) == 0


def _settings(url: str, processes: str | None = None) -> Settings:
    environ = {"DATABASE_URL": url}
    if processes is not None:
        environ["BOT_PROCESSES"] = processes
    return load_settings(environ=environ)


def test_process_count_follows_the_database_and_the_cores() -> None:
    pg = "postgresql+psycopg://u:p@db/salescoach"
    assert resolve_processes(_settings("sqlite:///x.sqlite3"), cpus=8) == 1
    assert resolve_processes(_settings("sqlite:///x.sqlite3", "4"), cpus=8) == 1
    assert resolve_processes(_settings(pg), cpus=2) == 2
    assert resolve_processes(_settings(pg), cpus=16) == 4
    assert resolve_processes(_settings(pg, "auto"), cpus=1) == 1
    assert resolve_processes(_settings(pg, "1"), cpus=8) == 1
    assert resolve_processes(_settings(pg, "3"), cpus=2) == 3


@pytest.mark.parametrize("value", ["zéro", "-1", "33", "1.5"])
def test_bad_process_count_is_a_french_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="BOT_PROCESSES"):
        _settings("sqlite:///x.sqlite3", value)


def test_routing_spreads_chats_over_the_workers() -> None:
    counts = [0, 0]
    for chat in range(7_000_000, 7_000_400):
        counts[owner(chat, 2)] += 1
    assert min(counts) > 150


# ------------------------------------------------------------------ real processes


def _children(pid: int) -> list[int]:
    """Direct children of a process, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(stat[1]) == pid and stat[0] != "Z":
                found.append(int(entry.name))
    return found


def _users_on_both_shards() -> list[int]:
    """Two users owned by worker 0 and two by worker 1."""
    picked: dict[int, list[int]] = {0: [], 1: []}
    for user in range(6100, 6200):
        if len(picked[owner(user, 2)]) < 2:
            picked[owner(user, 2)].append(user)
    return picked[0] + picked[1]


@pytest.mark.postgres
@pytest.mark.e2e
async def test_two_workers_answer_every_chat_in_order_then_stop_cleanly(
    pg_url: str, tmp_path: Path
) -> None:
    users = _users_on_both_shards()
    async with FakeTelegram() as fake:
        bot = start_bot(fake, pg_url, tmp_path, BOT_PROCESSES="2", SCORING_PROCESSES="0")
        try:
            await wait_ready(bot)
            assert "bot ready, polling (2 processes)" in bot.log()
            assert len(_children(bot.proc.pid)) == 2
            async with fake.client() as client:
                # Every user sends three updates at once: each chat's replies keep their order.
                for user in users:
                    for text_ in ("/start", "/aide", "/annuler"):
                        await client.send_message(user, text_)
                for user in users:
                    records = await client.wait(user, 3, timeout=30, methods="sendMessage")
                    assert "SalesCoach" in records[0]["text"]
                    assert len(records) == 3
                    await asyncio.sleep(0.3)
                    assert len(await client.sent(user, methods="sendMessage")) == 3
            assert await bot.stop(signal.SIGTERM) == 0
            log = bot.log()
            assert "bot worker 0/2 stopped cleanly" in log
            assert "bot worker 1/2 stopped cleanly" in log
            assert "bot stopped cleanly" in log
        finally:
            if bot.proc.poll() is None:
                bot.kill(signal.SIGKILL)


@pytest.mark.postgres
@pytest.mark.e2e
async def test_a_dead_worker_stops_the_bot_and_nothing_is_lost(
    pg_url: str, tmp_path: Path
) -> None:
    user = _users_on_both_shards()[0]
    async with FakeTelegram() as fake:
        bot = start_bot(fake, pg_url, tmp_path, BOT_PROCESSES="2", SCORING_PROCESSES="0")
        try:
            await wait_ready(bot)
            workers = _children(bot.proc.pid)
            assert len(workers) == 2
            os.kill(workers[0], signal.SIGKILL)
            code = await asyncio.to_thread(bot.proc.wait, 60)
            assert code == 1
            assert "exited; stopping" in bot.log()
            assert _children(bot.proc.pid) == []
            async with fake.client() as client:
                # Sent while the bot is down: Telegram keeps it for the restarted bot.
                await client.send_message(user, "/start")
                restarted = start_bot(
                    fake, pg_url, tmp_path, BOT_PROCESSES="2", SCORING_PROCESSES="0"
                )
                try:
                    await wait_ready(restarted)
                    [welcome] = await client.wait(user, 1, timeout=30, methods="sendMessage")
                    assert "SalesCoach" in welcome["text"]
                finally:
                    await restarted.stop()
        finally:
            if bot.proc.poll() is None:
                bot.kill(signal.SIGKILL)


@pytest.mark.postgres
@pytest.mark.e2e
@pytest.mark.parametrize("processes", ["1", "2"])
async def test_an_unreadable_update_is_skipped_and_the_next_answered(
    pg_url: str, tmp_path: Path, processes: str
) -> None:
    user = _users_on_both_shards()[0]
    async with FakeTelegram() as fake:
        bot = start_bot(fake, pg_url, tmp_path, BOT_PROCESSES=processes, SCORING_PROCESSES="0")
        try:
            await wait_ready(bot)
            async with fake.client() as client:
                bad = await client.inject_update({"poll": {"id": "p", "question": "?"}})
                [welcome] = await client.ask(user, "/start", timeout=30)
                assert "SalesCoach" in welcome["text"]
                await client.wait_confirmed(bad["update_id"], timeout=30)
            assert bot.proc.poll() is None
            assert "skipped: not readable" in bot.log()
            assert await bot.stop(signal.SIGTERM) == 0
        finally:
            if bot.proc.poll() is None:
                bot.kill(signal.SIGKILL)


def test_settings_default_is_auto() -> None:
    assert load_settings(environ={}).bot_processes == 0
