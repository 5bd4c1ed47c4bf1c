"""Webhook mode: a receiver checks Telegram's secret and routes each chat to one of N bot workers.

Design (sticky routing, no new table):

* The receiver answers Telegram's POSTs. It rejects a missing or wrong
  ``X-Telegram-Bot-Api-Secret-Token`` with 403, picks the worker that owns the update's chat
  by rendezvous hashing (``owner``), forwards the raw update over HTTP and answers Telegram
  200 only once the worker has processed it. Any failure answers 503: Telegram keeps the
  update and sends it again later, and the gate refuses updates whose effects are committed
  (``processed_updates``), exactly like the polling runner confirming its offset after
  processing.
* Telegram sends the next update of a chat only after a 2xx for the previous one, so
  answering after processing keeps each chat in order. A worker also runs each chat's updates
  one at a time, the lowest update_id first among those waiting (a button press and a
  message can be in flight together: Telegram queues them separately).
* A chat always lands on the same worker, so PTB's in-memory state (conversations,
  user_data) stays with the only process that reads it. For the same reason each worker's
  scheduler tick derives the pushes of the chats it owns (the evening prompt leaves state
  that the user's answer needs); the claim (INSERT … ON CONFLICT DO NOTHING) still makes each
  push go out once when ownership overlaps (a rolling deploy, a restart within the grace).
* Kept replies (outbox) are taken by deleting their row first, so two processes never resend
  the same reply.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import hashlib
import heapq
import hmac
import json
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector, web
from sqlalchemy import delete, select, text
from telegram import Update

from bot.persistence import persist
from bot.process import setup_logging, stop_event
from scheduler import rules
from scheduler.sender import PushSender
from scheduler.service import (
    Outgoing,
    Scheduler,
    claim,
    due_deferred,
    due_reminders,
    due_team_summaries,
    load_schedules,
)

if TYPE_CHECKING:
    from telegram import Bot

    from bot.context import AppType, BotContext
    from bot.services import Services
    from core.settings import Settings

log = logging.getLogger("bot.webhook")
update_log = logging.getLogger("bot.webhook.updates")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SHARD_HEADER = "X-Salescoach-Shard"
TICK_JOB = "scheduler-tick"
PUSH_RATE = 27.0  # scheduler.sender's pace for one process, split between the workers
MIGRATION_LOCK = 0x5A1E5C0A  # pg_advisory_lock key serialising schema upgrades at start-up
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    """A setting of the webhook mode is missing or invalid (message in French)."""


# ------------------------------------------------------------------ routing


def owner(chat_id: int, count: int) -> int:
    """Return the worker index owning a chat (rendezvous hashing: resizing moves ~1/N chats)."""
    if count <= 1:
        return 0

    def weight(index: int) -> bytes:
        return hashlib.blake2b(f"{chat_id}/{index}".encode(), digest_size=8).digest()

    return max(range(count), key=weight)


def routing_id(update: Update) -> int:
    """Return the chat an update belongs to (its user when it has no chat), 0 for neither."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


def payload_routing_id(data: Any) -> int:
    """Parse a raw update and return its routing id (ValueError if it is not an update)."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise ValueError("not a Telegram update")
    update = Update.de_json(dict(data), None)
    if update is None:
        raise ValueError("not a Telegram update")
    return routing_id(update)


def secret_ok(request: web.Request, secret: str) -> bool:
    """Compare the secret token header in constant time."""
    given = request.headers.get(SECRET_HEADER, "")
    return hmac.compare_digest(given.encode(), secret.encode())


# ------------------------------------------------------------------ worker side


class ChatSequencer:
    """Run each chat's updates one at a time, the lowest update_id first among those waiting."""

    def __init__(self, handle: Callable[[Update], Awaitable[None]]) -> None:
        self._handle = handle
        self._waiting: dict[int, list[tuple[int, Update]]] = {}
        self._futures: dict[int, asyncio.Future[None]] = {}
        self._runners: dict[int, asyncio.Task[None]] = {}

    @property
    def inflight(self) -> int:
        """Return how many updates are queued or being processed."""
        return len(self._futures)

    async def submit(self, chat_id: int, update: Update) -> None:
        """Queue an update and wait until it is processed (a copy in flight shares the wait)."""
        future = self._futures.get(update.update_id)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._futures[update.update_id] = future
            heapq.heappush(self._waiting.setdefault(chat_id, []), (update.update_id, update))
            if chat_id not in self._runners:
                self._runners[chat_id] = asyncio.create_task(
                    self._run(chat_id), name=f"chat-{chat_id}"
                )
        await asyncio.shield(future)

    async def _run(self, chat_id: int) -> None:
        """Drain one chat's heap; the task ends when nothing is waiting."""
        heap = self._waiting[chat_id]
        try:
            while heap:
                update_id, update = heapq.heappop(heap)
                future = self._futures[update_id]
                try:
                    await self._handle(update)
                except Exception as exc:
                    future.set_exception(exc)
                    future.exception()  # retrieved: the waiter may be gone
                else:
                    future.set_result(None)
                finally:
                    future.cancel()  # no-op once resolved; wakes the waiter on cancellation
                    del self._futures[update_id]
        finally:
            for update_id, _update in heap:
                self._futures.pop(update_id).cancel()
            del self._waiting[chat_id]
            del self._runners[chat_id]

    async def drain(self) -> None:
        """Wait until every queued update is processed."""
        while self._runners:
            await asyncio.gather(*list(self._runners.values()), return_exceptions=True)


class ShardScheduler(Scheduler):
    """The scheduler tick for the chats this worker owns; claims keep each push to one send."""

    def __init__(
        self,
        services: Services,
        bot: Bot,
        renderer: Any,
        owns: Callable[[int], bool],
        workers: int = 1,
    ) -> None:
        # Telegram's ~30 messages/s is per bot token: the workers share scheduler.sender's 27/s.
        super().__init__(services, bot, renderer, PushSender(rate=PUSH_RATE / max(workers, 1)))
        self.owns = owns

    def collect(self, now_utc: datetime) -> list[Outgoing]:
        """Find what is due for owned chats and claim it, in one transaction.

        Mirrors Scheduler.collect (every due_* source), keeping owned chats only; deferred
        rows are deleted for owned users only, since other workers have not claimed theirs.
        """
        from db.models import DeferredPush

        with self.services.session() as session:
            due = [
                push
                for schedule in load_schedules(session)
                if self.owns(schedule.telegram_id)
                for push in rules.due_pushes(schedule, now_utc, self.grace)
            ]
            due += [
                push
                for push in due_reminders(session, now_utc, self.before, self.grace)
                + due_team_summaries(session, now_utc, self.grace)
                if self.owns(push.telegram_id)
            ]
            deferred = [p for p in due_deferred(session, now_utc) if self.owns(p.telegram_id)]
            due += deferred
            claimed = claim(session, due)
            if deferred:
                session.execute(
                    delete(DeferredPush).where(
                        DeferredPush.due_at <= now_utc.replace(tzinfo=None),
                        DeferredPush.user_id.in_({p.user_id for p in deferred}),
                    )
                )
        self._last_due = len(due)
        return claimed


async def flush_owned_outbox(
    services: Services, bot: Bot, owns: Callable[[int], bool], limit: int = 100
) -> int:
    """Send kept replies of owned chats again, each taken by deleting its row first."""
    from bot.outbox import MAX_ATTEMPTS
    from db.models import OutboxMessage

    with services.session(record_update=False) as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.chat_id)
            .where(OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(OutboxMessage.id)
        ).all()
    sent = 0
    for row_id, chat_id in [r for r in rows if owns(r[1])][:limit]:
        with services.session(record_update=False) as session:
            taken = session.execute(
                delete(OutboxMessage)
                .where(OutboxMessage.id == row_id)
                .returning(OutboxMessage.method, OutboxMessage.payload, OutboxMessage.attempts)
            ).first()
        if taken is None:
            continue  # another process took it
        method, payload, attempts = taken
        try:
            await bot.send_message(
                chat_id, payload.get("text", ""), reply_markup=payload.get("reply_markup")
            )
        except Exception:
            with services.session(record_update=False) as session:
                session.add(
                    OutboxMessage(
                        chat_id=chat_id, method=method, payload=payload, attempts=attempts + 1
                    )
                )
            continue
        sent += 1
    return sent


class Worker:
    """One bot process: the real Application fed by the receiver, plus its share of the ticks."""

    def __init__(self, app: AppType, index: int, count: int, secret: str) -> None:
        from bot.handlers.plan import PushRenderer

        self.app = app
        self.index = index
        self.count = count
        self.secret = secret
        self.services: Services = app.bot_data["services"]
        self.chats = ChatSequencer(self._process)
        self.scheduler = ShardScheduler(
            self.services, app.bot, PushRenderer(app), self.owns, workers=count
        )
        app.bot_data["scheduler"] = self.scheduler  # what plan.get_scheduler returns
        self.ready = False
        self.stopping = False
        self.handled = 0

    @property
    def shard(self) -> str:
        """Return "index/count"."""
        return f"{self.index}/{self.count}"

    def owns(self, chat_id: int) -> bool:
        """Say whether this worker owns a chat."""
        return owner(chat_id, self.count) == self.index

    def install_tick(self) -> None:
        """Replace the stock minute tick (it flushes every chat's outbox) by the sharded one."""
        queue = self.app.job_queue
        if queue is None:
            log.warning("no job queue: pushes only go out through POST /tick")
            return
        for job in queue.get_jobs_by_name(TICK_JOB):
            job.schedule_removal()
        queue.run_repeating(
            self._tick_job,
            interval=60,
            first=61 - datetime.now(UTC).second,
            name=TICK_JOB,
            job_kwargs={"misfire_grace_time": 55, "coalesce": True, "max_instances": 1},
        )

    async def tick(self) -> dict[str, int]:
        """Run one scheduler tick for the owned chats, then retry their kept replies."""
        result = await self.scheduler.tick()
        flushed = await flush_owned_outbox(self.services, self.app.bot, self.owns)
        return {**dataclasses.asdict(result), "outbox_sent": flushed}

    async def _tick_job(self, _context: BotContext) -> None:
        """The job-queue callback of the minute tick."""
        await self.tick()

    async def _process(self, update: Update) -> None:
        """Process one update and commit its persisted state before answering."""
        started = time.monotonic()
        await self.app.process_update(update)
        await persist(self.app)
        self.handled += 1
        update_log.info(
            "update %d chat %d handled by worker %s in %.0f ms",
            update.update_id,
            routing_id(update),
            self.shard,
            (time.monotonic() - started) * 1000,
        )

    async def on_update(self, request: web.Request) -> web.Response:
        """POST /update: process one update forwarded by a receiver, answer once done."""
        if not secret_ok(request, self.secret):
            return web.Response(status=403)
        if not self.ready or self.stopping:
            return web.Response(status=503, text="not ready")
        shard = request.headers.get(SHARD_HEADER)
        if shard is not None and shard != self.shard:
            log.error("update routed to shard %s reached worker %s", shard, self.shard)
            return web.Response(status=409, text=f"this is worker {self.shard}")
        try:
            update = Update.de_json(await request.json(), self.app.bot)
        except Exception:
            return web.Response(status=400, text="not a Telegram update")
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        chat_id = routing_id(update)
        if not self.owns(chat_id):
            log.error("chat %d is not owned by worker %s", chat_id, self.shard)
            return web.Response(status=409, text=f"chat not owned by worker {self.shard}")
        try:
            await self.chats.submit(chat_id, update)
        except Exception:
            log.exception("update %d failed", update.update_id)
            return web.Response(status=500)
        return web.json_response({"ok": True})

    async def on_tick(self, request: web.Request) -> web.Response:
        """POST /tick: run a scheduler tick now (operations and tests)."""
        if not secret_ok(request, self.secret):
            return web.Response(status=403)
        if not self.ready:
            return web.Response(status=503)
        return web.json_response(await self.tick())

    async def on_health(self, _request: web.Request) -> web.Response:
        """GET /health: readiness and shard."""
        body = {
            "ready": self.ready and not self.stopping,
            "index": self.index,
            "count": self.count,
            "pid": os.getpid(),
            "inflight": self.chats.inflight,
            "handled": self.handled,
        }
        return web.json_response(body, status=200 if body["ready"] else 503)

    def web_app(self) -> web.Application:
        """Return the worker's HTTP routes."""
        web_app = web.Application(client_max_size=10 * 1024 * 1024)
        web_app.router.add_post("/update", self.on_update)
        web_app.router.add_post("/tick", self.on_tick)
        web_app.router.add_get("/health", self.on_health)
        return web_app

    async def serve(self, host: str, port: int, port_file: str | None) -> None:
        """Run until SIGTERM/SIGINT (or the parent receiver dies), then drain and stop."""
        from bot.app import post_init

        stop = stop_event()
        watcher = _watch_parent(stop)
        async with self.app:
            await post_init(self.app)
            await self.app.start()
            runner = web.AppRunner(self.web_app(), access_log=None, shutdown_timeout=60)
            await runner.setup()
            site = web.TCPSite(runner, host, port)
            await site.start()
            bound = _bound_port(runner, port)
            self.ready = True
            if port_file:
                _write_port_file(port_file, bound)
            log.info("webhook worker %s ready on %s:%d", self.shard, host, bound)
            await stop.wait()
            log.info("webhook worker %s stopping: draining in-flight updates", self.shard)
            self.stopping = True
            await runner.cleanup()  # stop listening, wait for the requests being handled
            await self.chats.drain()
            await persist(self.app)
            await self.app.stop()
        if watcher is not None:
            watcher.cancel()
        log.info("webhook worker %s stopped cleanly", self.shard)


# ------------------------------------------------------------------ receiver side


@dataclass
class WorkerRef:
    """Where the receiver sends one shard's updates (and the process, when it spawned it)."""

    index: int
    url: str = ""
    proc: asyncio.subprocess.Process | None = None
    started_at: float = 0.0


class Receiver:
    """The Telegram-facing HTTP endpoint: check the secret, route by chat, answer once processed."""

    def __init__(
        self,
        secret: str,
        path: str,
        workers: list[WorkerRef],
        *,
        forward_timeout: float = 50.0,
        spawn_dir: Path | None = None,
    ) -> None:
        self.secret = secret
        self.path = path
        self.workers = workers
        self.forward_timeout = forward_timeout
        self.spawn_dir = spawn_dir
        self.http: ClientSession | None = None
        self.stopping = False
        self.counts = {"forwarded": 0, "refused": 0, "failed": 0}
        self._supervisors: list[asyncio.Task[None]] = []

    async def on_update(self, request: web.Request) -> web.Response:
        """POST <path>: one update from Telegram."""
        if not secret_ok(request, self.secret):
            self.counts["refused"] += 1
            log.warning("refused a webhook call without the right secret from %s", request.remote)
            return web.Response(status=403)
        body = await request.read()
        try:
            chat_id = payload_routing_id(json.loads(body))
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not a Telegram update")
        index = owner(chat_id, len(self.workers))
        worker = self.workers[index]
        if self.stopping or not worker.url or self.http is None:
            self.counts["failed"] += 1
            return web.Response(status=503, headers={"Retry-After": "1"})
        headers = {
            SECRET_HEADER: self.secret,
            SHARD_HEADER: f"{index}/{len(self.workers)}",
            "Content-Type": "application/json",
        }
        try:
            async with self.http.post(f"{worker.url}/update", data=body, headers=headers) as resp:
                status = resp.status
        except (ClientError, TimeoutError) as exc:
            self.counts["failed"] += 1
            log.warning(
                "worker %d unreachable (%s): Telegram will retry", index, type(exc).__name__
            )
            return web.Response(status=503, headers={"Retry-After": "1"})
        if status == 200:
            self.counts["forwarded"] += 1
            return web.Response(status=200)
        if status == 400:
            log.error("worker %d cannot read an update; dropped: %s", index, body[:200])
            return web.Response(status=200)  # sending it again would not help
        self.counts["failed"] += 1
        log.warning("worker %d answered %d: Telegram will retry", index, status)
        return web.Response(status=503, headers={"Retry-After": "1"})

    async def on_health(self, _request: web.Request) -> web.Response:
        """GET /health: for the load balancer (200 while the receiver accepts updates)."""
        up = sum(1 for w in self.workers if w.url)
        status = 503 if self.stopping else 200
        return web.json_response({"workers": len(self.workers), "up": up}, status=status)

    async def on_status(self, request: web.Request) -> web.Response:
        """GET /status: workers and counters (needs the secret header)."""
        if not secret_ok(request, self.secret):
            return web.Response(status=403)
        workers = [
            {"index": w.index, "url": w.url, "pid": w.proc.pid if w.proc else None}
            for w in self.workers
        ]
        return web.json_response({"workers": workers, **self.counts})

    def web_app(self) -> web.Application:
        """Return the receiver's HTTP routes."""
        web_app = web.Application(client_max_size=10 * 1024 * 1024)
        web_app.router.add_post(self.path, self.on_update)
        web_app.router.add_get("/health", self.on_health)
        web_app.router.add_get("/status", self.on_status)
        return web_app

    # ---------------------------------------------------------- local workers

    async def start_local(self, ref: WorkerRef) -> None:
        """Spawn `python -m bot.webhook worker` for one shard and wait until it listens."""
        assert self.spawn_dir is not None
        port_file = self.spawn_dir / f"worker-{ref.index}.port"
        port_file.unlink(missing_ok=True)
        env = {**os.environ, "WEBHOOK_PARENT_PID": str(os.getpid())}
        ref.url = ""
        ref.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.webhook",
            "worker",
            "--index",
            str(ref.index),
            "--count",
            str(len(self.workers)),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--port-file",
            str(port_file),
            env=env,
        )
        ref.started_at = time.monotonic()
        deadline = time.monotonic() + 180
        while not port_file.exists():
            if ref.proc.returncode is not None:
                raise RuntimeError(f"worker {ref.index} exited with code {ref.proc.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"worker {ref.index} not ready after 180 s")
            await asyncio.sleep(0.1)
        ref.url = f"http://127.0.0.1:{int(port_file.read_text())}"
        log.info(
            "worker %d/%d up at %s (pid %d)", ref.index, len(self.workers), ref.url, ref.proc.pid
        )

    async def supervise(self, ref: WorkerRef) -> None:
        """Restart a spawned worker that dies, with a capped backoff."""
        backoff = 1.0
        while not self.stopping and ref.proc is not None:
            code = await ref.proc.wait()
            if self.stopping:
                return
            ref.url = ""  # its chats get 503 (Telegram retries) until it is back
            if time.monotonic() - ref.started_at > 60:
                backoff = 1.0
            log.error(
                "worker %d exited with code %s; restarting in %.0f s", ref.index, code, backoff
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            if self.stopping:
                return
            try:
                await self.start_local(ref)
            except Exception as exc:
                log.error("worker %d did not restart: %s", ref.index, exc)
                if ref.proc is not None and ref.proc.returncode is None:
                    ref.proc.kill()  # hung at start-up: the next turn starts it again

    async def stop_local(self) -> None:
        """SIGTERM every spawned worker (they drain), SIGKILL those still alive after 60 s."""
        for task in self._supervisors:
            task.cancel()
        procs = [w.proc for w in self.workers if w.proc and w.proc.returncode is None]
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 60)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()

    async def wait_remote(self, timeout: float = 30.0) -> None:
        """Wait (bounded) until remote workers answer /health with the expected shard."""
        assert self.http is not None
        deadline = time.monotonic() + timeout
        pending = list(self.workers)
        while pending and time.monotonic() < deadline:
            for ref in list(pending):
                with contextlib.suppress(ClientError, TimeoutError, ValueError, KeyError):
                    async with self.http.get(f"{ref.url}/health") as resp:
                        body = await resp.json()
                        if resp.status == 200:
                            if (body["index"], body["count"]) != (ref.index, len(self.workers)):
                                raise ConfigError(
                                    f"le worker {ref.url} est {body['index']}/{body['count']}, "
                                    f"attendu {ref.index}/{len(self.workers)} (ordre de "
                                    "WEBHOOK_WORKER_URLS)"
                                )
                            pending.remove(ref)
            if pending:
                await asyncio.sleep(0.5)
        for ref in pending:
            log.warning("worker %s not ready yet; its chats get 503 until it is", ref.url)

    async def serve(
        self, host: str, port: int, port_file: str | None, register: Callable[[], Awaitable[None]]
    ) -> None:
        """Start (or reach) the workers, listen, register the webhook, run until SIGTERM."""
        stop = stop_event()
        self.http = ClientSession(
            connector=TCPConnector(limit=200),
            timeout=ClientTimeout(total=self.forward_timeout),
        )
        try:
            if self.spawn_dir is not None:
                await asyncio.gather(*(self.start_local(ref) for ref in self.workers))
                self._supervisors = [
                    asyncio.create_task(self.supervise(ref)) for ref in self.workers
                ]
            else:
                await self.wait_remote()
            runner = web.AppRunner(self.web_app(), access_log=None, shutdown_timeout=60)
            await runner.setup()
            site = web.TCPSite(runner, host, port)
            await site.start()
            bound = _bound_port(runner, port)
            await register()
            if port_file:
                _write_port_file(port_file, bound)
            log.info(
                "webhook receiver ready on %s:%d%s with %d workers",
                host,
                bound,
                self.path,
                len(self.workers),
            )
            await stop.wait()
            log.info("webhook receiver stopping")
            self.stopping = True
            await runner.cleanup()  # stop listening; updates being forwarded finish first
        finally:
            self.stopping = True
            if self.spawn_dir is not None:
                await self.stop_local()
                shutil.rmtree(self.spawn_dir, ignore_errors=True)
            await self.http.close()
        log.info("webhook receiver stopped cleanly")


async def register_webhook(
    settings: Settings, url: str, secret: str, max_connections: int = 40
) -> None:
    """Tell Telegram where to POST updates, with the secret token it must send back."""
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(
        settings.telegram_token,
        base_url=settings.telegram_base_url,
        base_file_url=settings.file_base_url,
    )
    try:
        async with bot:
            await bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                max_connections=max_connections,
            )
        log.info("webhook registered with Telegram: %s", url)
    except TelegramError as exc:
        log.error("setWebhook failed (%s); updates keep going to the previous setting", exc)


# ------------------------------------------------------------------ helpers


def _watch_parent(stop: asyncio.Event) -> asyncio.Task[None] | None:
    """Stop a spawned worker whose receiver died (WEBHOOK_PARENT_PID)."""
    parent = os.environ.get("WEBHOOK_PARENT_PID", "")
    if not parent.isdigit():
        return None

    async def watch() -> None:
        while not stop.is_set():
            if os.getppid() != int(parent):
                log.warning("receiver %s is gone: stopping", parent)
                stop.set()
            await asyncio.sleep(1)

    return asyncio.create_task(watch())


def _bound_port(runner: web.AppRunner, requested: int) -> int:
    """Return the port actually bound (for --port 0)."""
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return requested


def _write_port_file(path: str, port: int) -> None:
    """Write the port atomically, once the socket listens."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(str(port), encoding="ascii")
    os.replace(tmp, target)


def _secret() -> str:
    """Return WEBHOOK_SECRET, checked against Telegram's rules for secret_token."""
    secret = os.environ.get("WEBHOOK_SECRET", "")
    if not _SECRET_RE.match(secret):
        raise ConfigError(
            "WEBHOOK_SECRET manquant ou invalide (1 à 256 caractères parmi A-Z, a-z, 0-9, _ et -)."
        )
    return secret


def upgrade_locked(url: str) -> None:
    """Upgrade the schema, one process at a time on PostgreSQL (workers start together)."""
    from sqlalchemy import create_engine

    from db import upgrade

    if not url.startswith("postgresql"):
        upgrade(url)
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            conn.commit()
            try:
                upgrade(url)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                conn.commit()
    finally:
        engine.dispose()


def _load_settings() -> Settings:
    """Read .env, config.yml and the environment like `python -m bot`."""
    from bot.__main__ import _load_dotenv
    from core.settings import ConfigError as SettingsError
    from core.settings import load_settings

    _load_dotenv()
    try:
        return load_settings()
    except SettingsError as exc:
        raise ConfigError(str(exc)) from None


def run_worker(args: argparse.Namespace) -> int:
    """Entry point of `python -m bot.webhook worker`."""
    setup_logging(f"worker {args.index}/{args.count}")
    settings = _load_settings()
    secret = _secret()
    if not settings.telegram_token:
        raise ConfigError("TELEGRAM_TOKEN manquant : le mode webhook parle à Telegram.")
    if not 0 <= args.index < args.count:
        raise ConfigError(f"--index {args.index} hors de 0..{args.count - 1}.")
    if args.count > 1 and not settings.database_url.startswith("postgresql"):
        raise ConfigError(
            "plusieurs workers partagent une base : DATABASE_URL doit être PostgreSQL."
        )
    try:
        upgrade_locked(settings.database_url)
    except Exception as exc:
        raise ConfigError(
            f"base de données inaccessible ({type(exc).__name__}). "
            f"Vérifiez DATABASE_URL ({settings.database_url.split('@')[-1]})."
        ) from None
    from bot.app import build_application

    worker = Worker(build_application(settings), args.index, args.count, secret)
    worker.install_tick()
    asyncio.run(worker.serve(args.host, args.port, args.port_file))
    return 0


def run_receiver(args: argparse.Namespace) -> int:
    """Entry point of `python -m bot.webhook receiver`."""
    setup_logging("receiver")
    secret = _secret()
    public_url = os.environ.get("WEBHOOK_URL", "")
    path = args.path or (urlsplit(public_url).path if public_url else "") or "/telegram"
    urls = [u.strip().rstrip("/") for u in (args.worker_urls or "").split(",") if u.strip()]
    if urls:
        workers = [WorkerRef(i, url) for i, url in enumerate(urls)]
        spawn_dir = None
    else:
        if args.workers < 1:
            raise ConfigError("--workers doit valoir au moins 1.")
        workers = [WorkerRef(i) for i in range(args.workers)]
        spawn_dir = Path(tempfile.mkdtemp(prefix="salescoach-webhook-"))
    settings = _load_settings() if public_url else None

    async def register() -> None:
        if settings is not None:
            await register_webhook(settings, public_url, secret, args.max_connections)

    receiver = Receiver(secret, path, workers, spawn_dir=spawn_dir)
    try:
        asyncio.run(receiver.serve(args.host, args.port, args.port_file, register))
    except (RuntimeError, TimeoutError) as exc:
        log.error("receiver stopped: %s", exc)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the receiver or one worker."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.webhook", description=(__doc__ or "").split("\n")[0]
    )
    sub = parser.add_subparsers(dest="role", required=True)
    rec = sub.add_parser("receiver", help="Telegram-facing HTTP endpoint (spawns workers)")
    rec.add_argument("--host", default=os.environ.get("WEBHOOK_HOST", "127.0.0.1"))
    rec.add_argument("--port", type=int, default=int(os.environ.get("WEBHOOK_PORT", "8080")))
    rec.add_argument("--port-file", help="write the bound port here once listening")
    rec.add_argument("--path", help="URL path Telegram POSTs to (default: WEBHOOK_URL's path)")
    rec.add_argument("--workers", type=int, default=2, help="local worker processes to spawn")
    rec.add_argument(
        "--worker-urls",
        default=os.environ.get("WEBHOOK_WORKER_URLS", ""),
        help="comma-separated URLs of workers 0..N-1 started elsewhere (no spawning)",
    )
    rec.add_argument(
        "--max-connections",
        type=int,
        default=int(os.environ.get("WEBHOOK_MAX_CONNECTIONS", "40")),
        help="setWebhook max_connections",
    )
    wrk = sub.add_parser("worker", help="one bot process behind a receiver")
    wrk.add_argument("--index", type=int, default=int(os.environ.get("WEBHOOK_WORKER_INDEX", "0")))
    wrk.add_argument("--count", type=int, default=int(os.environ.get("WEBHOOK_WORKER_COUNT", "1")))
    wrk.add_argument("--host", default=os.environ.get("WEBHOOK_WORKER_HOST", "127.0.0.1"))
    wrk.add_argument(
        "--port", type=int, default=int(os.environ.get("WEBHOOK_WORKER_PORT", "8081"))
    )
    wrk.add_argument("--port-file", help="write the bound port here once ready")
    args = parser.parse_args(argv)
    try:
        return run_receiver(args) if args.role == "receiver" else run_worker(args)
    except ConfigError as exc:
        print(f"Erreur de configuration : {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
