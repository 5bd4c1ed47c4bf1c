"""Webhook mode end to end: a receiver, two worker processes, one PostgreSQL, the fake Bot API.

fakegram stores setWebhook but never pushes updates, so the test plays Telegram's webhook
side: it reads fakegram's update queue and POSTs each update to the receiver with the secret
token, one update at a time per Telegram queue (a chat's messages; a user's button presses),
the next only after a 2xx, queues in parallel — what the Bot API server does.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import create_engine, func, select, update

from bot import texts
from bot.webhook import SECRET_HEADER, ShardScheduler, owner
from db.models import Activity, ProcessedUpdate, Push, User
from fakegram.client import FakeTelegramClient
from fakegram.server import FakeTelegram
from journal.calendar import is_working_day
from scheduler.service import Scheduler
from tests.e2e import ROOT, buttons, data_of

TOKEN = "123456:HOOK"
SECRET = "webhook-Secret_42"
PUBLIC_URL = "https://bot.example.test/telegram"
PARIS = ZoneInfo("Europe/Paris")
ALL_DAYS = (1, 2, 3, 4, 5, 6, 7)
NAMES = ("Camille", "Hugo", "Inès", "Louis")
HANDLED = re.compile(r"update (\d+) chat (-?\d+) handled by worker (\d+)/(\d+)")
JSON = dict[str, Any]


def _pick_users() -> list[int]:
    """Two Telegram user ids owned by each worker."""
    picked: dict[int, list[int]] = {0: [], 1: []}
    candidate = 70_001
    while any(len(ids) < 2 for ids in picked.values()):
        shard = picked[owner(candidate, 2)]
        if len(shard) < 2:
            shard.append(candidate)
        candidate += 1
    return [picked[0][0], picked[1][0], picked[0][1], picked[1][1]]


def _evening_target() -> tuple[str, str | None]:
    """Return PUSH_GRACE_MINUTES for the workers and a skip reason (public holidays)."""
    today = (datetime.now(PARIS) - timedelta(minutes=1)).date()
    if is_working_day(today, ALL_DAYS):
        return "60", None
    if is_working_day(today - timedelta(days=1), ALL_DAYS):
        return "1500", None  # today is a holiday: yesterday's evening, within a 25 h grace
    return "60", "today and yesterday are French public holidays: no evening push is due"


@dataclass
class Proc:
    """A process started by the test and its log file."""

    proc: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        """Return what the process logged."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not stop within 30 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def _start(args: list[str], env: dict[str, str], log_path: Path) -> Proc:
    """Start `python -m bot.webhook ...` from the project root."""
    handle = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.webhook", *args],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    return Proc(proc, log_path)


async def _wait_port(port_file: Path, proc: Proc, timeout: float = 60.0) -> int:
    """Wait until a process wrote its port file."""
    deadline = time.monotonic() + timeout
    while not port_file.exists():
        if proc.proc.poll() is not None:
            raise RuntimeError(f"exited early:\n{proc.log()[-3000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready:\n{proc.log()[-3000:]}")
        await asyncio.sleep(0.1)
    return int(port_file.read_text())


def _chat_of(update: JSON) -> int:
    """Return the chat of a message or button-press update."""
    if "callback_query" in update:
        return int(update["callback_query"]["message"]["chat"]["id"])
    return int(update["message"]["chat"]["id"])


@dataclass
class TelegramSide:
    """Plays Telegram's webhook delivery from fakegram's update queue."""

    bot_api: str
    webhook: str
    http: httpx.AsyncClient
    held_chats: set[int] = field(default_factory=set)
    held: dict[int, list[JSON]] = field(default_factory=lambda: defaultdict(list))
    updates: dict[int, JSON] = field(default_factory=dict)
    statuses: list[tuple[int, int]] = field(default_factory=list)
    _queues: dict[tuple[str, int], asyncio.Queue[JSON]] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def post(self, update: JSON, secret: str | None = SECRET) -> int:
        """POST one update to the receiver as Telegram does; return the HTTP status."""
        headers = {} if secret is None else {SECRET_HEADER: secret}
        response = await self.http.post(self.webhook, json=update, headers=headers)
        self.statuses.append((update["update_id"], response.status_code))
        return response.status_code

    async def _deliver(self, queue: asyncio.Queue[JSON]) -> None:
        """One Telegram queue: the next update only after a 2xx for the previous one."""
        while True:
            update = await queue.get()
            while await self.post(update) != 200:
                await asyncio.sleep(0.2)  # Telegram sends a failed update again later

    async def _pump(self) -> None:
        """Read fakegram's queue with getUpdates and dispatch to the Telegram queues."""
        offset = 0
        while True:
            response = await self.http.post(
                f"{self.bot_api}/getUpdates", json={"offset": offset, "timeout": 1}
            )
            for raw in response.json()["result"]:
                offset = raw["update_id"] + 1
                self.updates[raw["update_id"]] = raw
                chat = _chat_of(raw)
                if chat in self.held_chats:
                    self.held[chat].append(raw)
                    continue
                key = ("callback", chat) if "callback_query" in raw else ("message", chat)
                if key not in self._queues:
                    self._queues[key] = asyncio.Queue()
                    self._tasks.append(asyncio.create_task(self._deliver(self._queues[key])))
                self._queues[key].put_nowait(raw)

    def start(self) -> None:
        """Start reading the update queue."""
        self._tasks.append(asyncio.create_task(self._pump()))

    async def aclose(self) -> None:
        """Stop every delivery task."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


@asynccontextmanager
async def cluster(
    database_url: str, tmp_path: Path, grace: str
) -> AsyncIterator[tuple[FakeTelegram, Proc, Proc, int, int]]:
    """Fake API + receiver with two workers + a duplicate worker 0 (a deploy overlap)."""
    async with FakeTelegram() as fake:
        env = {
            **os.environ,
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": fake.base_url,
            "TELEGRAM_BASE_FILE_URL": fake.base_file_url,
            "DATABASE_URL": database_url,
            "NLU_MODEL_DIR": str(ROOT / "var" / "nlu"),
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_URL": PUBLIC_URL,
            "PUSH_GRACE_MINUTES": grace,
            "LOG_LEVEL": "INFO",
        }
        receiver = _start(
            ["receiver", "--port", "0", "--port-file", str(tmp_path / "receiver.port")],
            env,
            tmp_path / "receiver.log",
        )
        dup_file = str(tmp_path / "duplicate.port")
        duplicate = _start(
            ["worker", "--index", "0", "--count", "2", "--port", "0", "--port-file", dup_file],
            env,
            tmp_path / "duplicate.log",
        )
        try:
            receiver_port, duplicate_port = await asyncio.gather(
                _wait_port(tmp_path / "receiver.port", receiver),
                _wait_port(tmp_path / "duplicate.port", duplicate),
            )
            yield fake, receiver, duplicate, receiver_port, duplicate_port
        finally:
            await asyncio.gather(
                asyncio.to_thread(receiver.stop), asyncio.to_thread(duplicate.stop)
            )


async def _ask(
    users: FakeTelegramClient, uid: int, message: str, count: int = 1
) -> tuple[int, list[JSON]]:
    """Send a text; return its update id and the bot's next sendMessage records."""
    sent = await users.send_message(uid, message, first_name=NAMES[uid % len(NAMES)])
    records = await users.wait(uid, count, sent["seq"], 30, methods="sendMessage")
    return sent["update_id"], records


async def _click(
    users: FakeTelegramClient, uid: int, record: JSON, label: str, count: int = 1
) -> tuple[int, list[JSON]]:
    """Press a button; return its update id and the bot's next sendMessage records."""
    pressed = await users.press(uid, record["message_id"], data_of(record, label))
    records = await users.wait(uid, count, pressed["seq"], 30, methods="sendMessage")
    return pressed["update_id"], records


async def _journey(users: FakeTelegramClient, uid: int) -> list[int]:
    """Onboard, log a visit, then three quick messages; return the update ids that wrote."""
    _, [welcome] = await _ask(users, uid, "/start")
    assert "comment dois-je vous appeler" in welcome["text"]
    _, [ask_role] = await _click(users, uid, welcome, "Utiliser")
    role_id, [ready] = await _click(users, uid, ask_role, "Commercial")
    assert "prêt" in ready["text"]
    _, [card] = await _ask(users, uid, f"vu Garage {uid} hier, devis 12k€")
    assert f"Garage {uid}" in card["text"]
    saved_id, [saved, debrief] = await _click(users, uid, card, "Valider", count=2)
    assert "enregistré" in saved["text"] and "débrief" in debrief["text"].lower()
    # A user typing fast: three updates queued at Telegram before the first is answered.
    first = await users.send_message(uid, "/aide")
    await users.send_content(uid, "photo")
    await users.send_content(uid, "sticker")
    replies = await users.wait(uid, 3, first["seq"], 30, methods="sendMessage")
    assert _kinds(replies) == ["aide", "photo", "sticker"], replies
    return [role_id, saved_id]


def _kinds(records: list[JSON]) -> list[str]:
    """Name the replies of /aide, a photo and a sticker."""
    out = []
    for record in records:
        body = record["text"] or ""
        if "sais faire" in body:
            out.append("aide")
        elif "photos" in body:
            out.append("photo")
        elif "autocollant" in body:
            out.append("sticker")
        else:
            out.append("other")
    return out


def _handled(log: str) -> list[tuple[int, int, int]]:
    """Return (update_id, chat_id, worker) of every update the workers logged as handled."""
    return [(int(u), int(c), int(w)) for u, c, w, _n in HANDLED.findall(log)]


def _is_evening(record: JSON) -> bool:
    """Say whether a record is the evening plan-tomorrow push (its buttons start with ev:)."""
    markup = record.get("reply_markup") or {}
    return any(
        str(button.get("callback_data", "")).startswith("ev:")
        for row in markup.get("inline_keyboard", [])
        for button in row
    )


@pytest.mark.e2e
@pytest.mark.postgres
async def test_webhook_receiver_two_workers_one_postgres(pg_url: str, tmp_path: Path) -> None:
    grace, skip_reason = _evening_target()
    if skip_reason:
        pytest.skip(skip_reason)
    uids = _pick_users()
    async with (
        cluster(pg_url, tmp_path, grace) as (fake, receiver, duplicate, port, duplicate_port),
        fake.client() as users,
        httpx.AsyncClient(timeout=60, trust_env=False) as http,
    ):
        webhook = f"http://127.0.0.1:{port}/telegram"
        bot_api = f"{fake.base_url}{TOKEN}"

        # The receiver registered the webhook with the secret at start-up.
        info = (await http.post(f"{bot_api}/getWebhookInfo")).json()["result"]
        assert info["url"] == PUBLIC_URL
        # fakegram refuses getUpdates while a webhook is set; the test reads the queue instead.
        await http.post(f"{bot_api}/deleteWebhook")
        telegram = TelegramSide(bot_api, webhook, http)
        telegram.start()

        status = (
            await http.get(f"http://127.0.0.1:{port}/status", headers={SECRET_HEADER: SECRET})
        ).json()
        worker_urls = [w["url"] for w in status["workers"]]
        assert len(worker_urls) == 2

        # A wrong or missing secret token is refused with 403 and has no effect.
        forged = {
            "update_id": 999_999,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": uids[0], "type": "private"},
                "from": {"id": uids[0], "is_bot": False, "first_name": "Eve"},
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        assert await telegram.post(forged, secret="wrong") == 403
        assert await telegram.post(forged, secret=None) == 403
        direct = await http.post(
            f"{worker_urls[0]}/update", json=forged, headers={SECRET_HEADER: "x"}
        )
        assert direct.status_code == 403
        assert (await http.get(f"http://127.0.0.1:{port}/status")).status_code == 403

        # Four users, interleaved: onboarding, a visit validated, three quick messages.
        wrote = await asyncio.gather(*(_journey(users, uid) for uid in uids))

        # Overlapping deliveries of one chat: update 1 is slow (its reply is held 1.5 s by the
        # fake API); 3 then 2 arrive meanwhile. The worker runs them 1, 2, 3.
        slow_user = uids[1]
        telegram.held_chats.add(slow_user)
        since = fake.last_seq
        first = await users.send_message(slow_user, "/aide")
        await users.send_content(slow_user, "photo")
        await users.send_content(slow_user, "sticker")
        while len(telegram.held[slow_user]) < 3:
            await asyncio.sleep(0.05)
        u1, u2, u3 = telegram.held[slow_user]
        assert u1["update_id"] == first["update_id"]
        await users.fault("timeout", method="sendMessage", chat_id=slow_user, delay=1.5)
        t1 = asyncio.create_task(telegram.post(u1))
        await asyncio.sleep(0.4)
        t3 = asyncio.create_task(telegram.post(u3))
        await asyncio.sleep(0.2)
        t2 = asyncio.create_task(telegram.post(u2))
        assert await asyncio.gather(t1, t2, t3) == [200, 200, 200]
        overlap = await users.sent(slow_user, since, methods="sendMessage")
        assert _kinds(overlap) == ["aide", "photo", "sticker"]
        telegram.held_chats.discard(slow_user)

        # Telegram sends an update again (our 200 was lost): refused, effects not applied twice.
        valider = telegram.updates[wrote[0][1]]
        since = fake.last_seq
        assert await telegram.post(valider) == 200
        [again] = await users.wait(uids[0], 1, since, 30, methods="sendMessage")
        assert again["text"] == texts.ALREADY_DONE

        engine = create_engine(pg_url)
        with engine.connect() as conn:
            processed = set(conn.scalars(select(ProcessedUpdate.update_id)))
            activities = conn.scalar(select(func.count()).select_from(Activity))
        assert processed == {u for ids in wrote for u in ids}
        assert activities == len(uids)

        # Every update handled exactly once, each chat by its owner, in update_id order.
        handled = _handled(receiver.log())
        once = dict.fromkeys(telegram.updates, 1)
        once[valider["update_id"]] = 2  # the redelivery, refused by the gate
        assert Counter(u for u, _c, _w in handled) == once  # the forged update: absent
        assert {w for _u, _c, w in handled} == {0, 1}
        for uid in uids:
            assert {w for _u, c, w in handled if c == uid} == {owner(uid, 2)}
            ids = [u for u, c, _w in handled if c == uid]
            if uid == uids[0]:
                assert ids.pop() == valider["update_id"]
            assert ids == sorted(ids), (uid, ids)
        assert "handled by worker" not in duplicate.log()  # the duplicate gets no updates
        for uid in uids:
            replies = await users.sent(uid, methods="sendMessage")
            count = 9 + (3 if uid == slow_user else 0) + (1 if uid == uids[0] else 0)
            assert len(replies) == count, (uid, [r["text"][:30] for r in replies])

        # Pushes: an evening prompt due one minute ago for every user; worker 0, worker 1 and
        # a second worker 0 (a deploy overlap) all tick, twice: one prompt per user.
        due = (datetime.now(PARIS) - timedelta(minutes=1)).replace(second=0, microsecond=0)
        day = due.date() if grace == "60" else due.date() - timedelta(days=1)
        with engine.begin() as conn:
            conn.execute(
                update(User).values(
                    timezone="Europe/Paris",
                    evening_time=due.time(),
                    working_days="1,2,3,4,5,6,7",
                    paused_until=day - timedelta(days=1),
                )
            )
        since = fake.last_seq
        tick_urls = [*worker_urls, f"http://127.0.0.1:{duplicate_port}"]
        for _round in range(2):
            results = await asyncio.gather(
                *(http.post(f"{url}/tick", headers={SECRET_HEADER: SECRET}) for url in tick_urls)
            )
            assert [r.status_code for r in results] == [200, 200, 200]
            ticks = [r.json() for r in results]
            # The two workers 0 find the same pushes due; only claims keep them to one send.
            assert ticks[0]["due"] == ticks[2]["due"] >= 2 and ticks[1]["due"] >= 2
        assert (await http.post(f"{tick_urls[0]}/tick")).status_code == 403
        pushed = await _evening_prompts(users, since, len(uids))
        await asyncio.sleep(1.0)  # a second prompt, if any, would show up now
        pushed = await _evening_prompts(users, since, len(uids))
        assert sorted(r["chat_id"] for r in pushed) == sorted(uids)
        with engine.connect() as conn:
            rows = conn.execute(
                select(Push.user_id, Push.status).where(Push.kind == "evening")
            ).all()
        assert len(rows) == len(uids) and {status for _u, status in rows} == {"sent"}

        # The owner sent the prompt, so the owner reads the answer as tomorrow's plan.
        planner = uids[1]  # worker 1: the duplicate worker 0 cannot have sent its prompt
        _, [draft] = await _ask(users, planner, "9h visite chez Leroy à Bron, 11h appeler Garnier")
        assert any(d.startswith("pl:") for _label, d in buttons(draft)), draft["text"]
        engine.dispose()
        await telegram.aclose()
        _assert_no_errors(receiver.log() + duplicate.log())


def _assert_no_errors(log: str) -> None:
    """Fail on any ERROR or traceback the receiver or the workers logged."""
    errors = [line for line in log.splitlines() if " ERROR " in line or "Traceback" in line]
    hint = ""
    if "conversation_state_pkey" in log:
        hint = (
            "\nbot/persistence.py writes the shared conv:<name> row without an upsert or a row "
            "lock: two workers raced (docs/deployment.md, caveats)."
        )
    assert not errors, "\n".join(errors[:20]) + hint


async def _evening_prompts(users: FakeTelegramClient, since: int, at_least: int) -> list[JSON]:
    """Wait (10 s at most) for evening prompts sent after `since` and return them all."""
    deadline = time.monotonic() + 10
    while True:
        records = await users.sent(since=since, methods="sendMessage")
        pushed = [r for r in records if _is_evening(r)]
        if len(pushed) >= at_least or time.monotonic() > deadline:
            return pushed
        await asyncio.sleep(0.2)


def test_shard_scheduler_mirrors_every_due_source() -> None:
    """ShardScheduler.collect copies Scheduler.collect: a new due_* source must be added there."""

    def sources(method: object) -> set[str]:
        code = inspect.getsource(method)  # type: ignore[arg-type]
        return set(re.findall(r"\b(load_schedules|due_\w+)\(", code))

    assert sources(Scheduler.collect) == sources(ShardScheduler.collect)
