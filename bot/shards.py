"""Polling on several cores: one light poller process, N bot workers sharing the chats.

One bot process runs its handlers on one event loop, and Python runs one thread at a time:
at a hundred updates a second the handlers (SQLAlchemy, PTB, NLU) keep that one core busy
and replies queue up. Telegram allows one getUpdates consumer per token, so the poller is
the only process talking to getUpdates and it does nothing else:

* it spawns ``count`` workers (``python -m bot.shards --worker I --count N --fd FD``), each
  the real Application (``updater(None)``) fed over a socket pair, one JSON line per batch;
* it routes each raw update to the worker owning its chat (``bot.webhook.owner``, the same
  rendezvous hashing as the webhook mode), so a chat's PTB state (conversations, user_data,
  rate limiter) lives in one process, and that process runs the chat's updates in order;
* a worker answers ``{"done": [ids]}`` once the updates are processed *and* their
  conversation state is committed; only then does the next getUpdates offset confirm them.
  What a crash interrupts is redelivered by Telegram, and the gate's processed-update ids
  (recorded in the transaction of the effects) keep it from being applied twice.

Each worker runs the minute tick for the chats it owns, pushes claimed through the database
(``bot.webhook.ShardScheduler``). A worker dies with the poller (``PR_SET_PDEATHSIG``), like
the threads of a single process would; SIGTERM on the poller stops polling, lets the workers
finish what they hold, confirms it to Telegram, then closes the workers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import logging
import os
import signal
import socket
import sys
import warnings
from collections import defaultdict
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from telegram import Update

from bot.process import setup_logging, stop_event
from bot.runner import POLL_ERRORS, next_offset, poll_failed
from bot.webhook import owner

if TYPE_CHECKING:
    from bot.context import AppType
    from core.settings import Settings

log = logging.getLogger("bot.shards")
# The poller calls getUpdates through do_api_request: raw dicts, no PTB objects to build.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.get_updates'")

POLL_GAP = 0.03
"""Seconds between two polls while updates are still being handled (as bot.runner)."""
MAX_IN_FLIGHT = 80
"""Above this many updates in progress, the next poll waits (getUpdates returns ≤ 100)."""
REPORT_GAP = 0.025
"""Seconds a worker gathers finished updates before writing their state and reporting them."""
READY_TIMEOUT = 180.0
"""Seconds the poller waits for its workers to load before giving up."""
PR_SET_PDEATHSIG = 1

# Update fields whose value carries the chat as ``chat`` (Telegram Bot API 9.x).
_CHAT_FIELDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "message_reaction",
    "message_reaction_count",
    "chat_boost",
    "removed_chat_boost",
)


def raw_routing_id(item: dict[str, Any]) -> int:
    """Return the chat of a raw update (its user without a chat), like webhook.routing_id.

    The common kinds are read from the JSON directly; anything else is decoded by PTB, so
    the answer always matches what the worker's ``routing_id`` sees.
    """
    for field in _CHAT_FIELDS:
        value = item.get(field)
        if isinstance(value, dict):
            chat = value.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
            break
    query = item.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict):
            chat = message.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
        sender = query.get("from")
        if message is None and isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    from bot.webhook import routing_id

    try:
        update = Update.de_json(dict(item), None)
    except Exception:
        return 0
    return 0 if update is None else routing_id(update)


def resolve_processes(settings: Settings, cpus: int | None = None) -> int:
    """Return how many bot processes poll: the setting, or one per core with PostgreSQL."""
    if not settings.database_url.startswith("postgresql"):
        return 1  # SQLite has one writer at a time: more processes would only wait on it
    if settings.bot_processes:
        return settings.bot_processes
    if cpus is None:
        try:
            cpus = len(os.sched_getaffinity(0))  # the cores this process may run on
        except (AttributeError, OSError):
            cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


# ------------------------------------------------------------------ poller side


class WorkerLink:
    """One worker process and the socket the poller talks to it through."""

    def __init__(
        self,
        index: int,
        proc: asyncio.subprocess.Process,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.index = index
        self.proc = proc
        self.reader = reader
        self.writer = writer
        self.ready = asyncio.Event()

    def send(self, items: list[dict[str, Any]]) -> None:
        """Hand a batch of raw updates to the worker (one JSON line)."""
        self.writer.write(json.dumps(items, ensure_ascii=False).encode() + b"\n")


class Poller:
    """getUpdates for the workers: routes by chat, confirms only what they report done."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.links: list[WorkerLink] = []
        self.in_flight: set[int] = set()
        self.last_taken: int | None = None
        self.idle = asyncio.Event()
        self.idle.set()
        self.failed = asyncio.Event()
        self.closing = False
        self._readers: list[asyncio.Task[None]] = []

    @property
    def offset(self) -> int | None:
        """The getUpdates offset: confirms exactly the updates reported done."""
        return next_offset(self.in_flight, self.last_taken)

    async def spawn(self) -> None:
        """Start the workers and wait until each has loaded and says it is ready."""
        for index in range(self.count):
            mine, theirs = socket.socketpair()
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.shards",
                "--worker",
                str(index),
                "--count",
                str(self.count),
                "--fd",
                str(theirs.fileno()),
                "--parent",
                str(os.getpid()),
                pass_fds=(theirs.fileno(),),
            )
            theirs.close()
            link = WorkerLink(index, proc, *await asyncio.open_connection(sock=mine))
            self.links.append(link)
            self._readers.append(asyncio.create_task(self._read(link), name=f"shard-{index}"))

        async def all_ready() -> None:
            for link in self.links:
                await link.ready.wait()

        await self.unless_failed(all_ready(), READY_TIMEOUT)
        if self.failed.is_set() or not all(link.ready.is_set() for link in self.links):
            raise RuntimeError("a bot worker did not start (see its log lines above)")

    async def unless_failed(self, waited: Awaitable[Any], timeout: float | None) -> None:
        """Wait for `waited`, until a worker fails, or for `timeout` seconds."""
        task = asyncio.ensure_future(waited)
        failed = asyncio.create_task(self.failed.wait())
        await asyncio.wait({task, failed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        task.cancel()
        failed.cancel()

    async def _read(self, link: WorkerLink) -> None:
        """Take the worker's messages: ready, then the ids of finished updates."""
        while True:
            line = await link.reader.readline()
            if not line:
                break
            message = json.loads(line)
            if message.get("ready"):
                link.ready.set()
            for update_id in message.get("done", ()):
                self.in_flight.discard(int(update_id))
            if not self.in_flight:
                self.idle.set()
        if not self.closing and not self.failed.is_set():
            log.error("bot worker %d/%d exited; stopping", link.index, self.count)
        self.failed.set()

    def take(self, items: list[dict[str, Any]]) -> None:
        """Hand the updates not taken yet to the workers owning their chats."""
        batches: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for item in items:
            update_id = int(item["update_id"])
            if self.last_taken is not None and update_id <= self.last_taken:
                continue  # still in progress: Telegram sends it again until confirmed
            self.last_taken = update_id
            self.in_flight.add(update_id)
            batches[owner(raw_routing_id(item), self.count)].append(item)
        if self.in_flight:
            self.idle.clear()
        for index, batch in batches.items():
            self.links[index].send(batch)

    async def settle(self, timeout: float | None) -> None:
        """Wait until nothing is in progress (or a worker failed), or for `timeout` seconds."""
        if self.in_flight:
            await self.unless_failed(self.idle.wait(), timeout)

    async def close_workers(self, timeout: float = 60.0) -> None:
        """End the workers' input (they finish, write their state, exit) and reap them."""
        self.closing = True
        for link in self.links:
            with contextlib.suppress(Exception):
                link.writer.write_eof()
        for link in self.links:
            try:
                await asyncio.wait_for(link.proc.wait(), timeout)
            except TimeoutError:
                log.error("bot worker %d/%d did not stop: killed", link.index, self.count)
                with contextlib.suppress(ProcessLookupError):
                    link.proc.kill()
                await link.proc.wait()
        for task in self._readers:
            task.cancel()
        for link in self.links:
            link.writer.close()


async def run_sharded(settings: Settings, count: int) -> int:
    """Poll Telegram for `count` worker processes; return the exit code."""
    from telegram import Bot

    from bot.request import AiohttpRequest

    stop = stop_event()
    poller = Poller(count)
    bot = Bot(
        settings.telegram_token,
        base_url=settings.telegram_base_url,
        base_file_url=settings.file_base_url,
        request=AiohttpRequest(connection_pool_size=2),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )
    code = 0
    try:
        await poller.spawn()
    except RuntimeError as exc:
        log.error("%s", exc)
        await poller.close_workers(timeout=10)
        return 1
    async with bot:
        log.info("bot ready, polling (%d processes)", count)
        backoff = 1.0
        while not stop.is_set() and not poller.failed.is_set():
            if poller.in_flight:
                await poller.settle(POLL_GAP)
                while len(poller.in_flight) >= MAX_IN_FLIGHT and not stop.is_set():
                    await poller.settle(POLL_GAP)
                    if poller.failed.is_set():
                        break
            if poller.failed.is_set():
                break
            # Long polling only when nothing is in progress: otherwise Telegram answers at
            # once anyway, with the updates still in progress.
            timeout = 0 if poller.in_flight else settings.poll_timeout
            poll = asyncio.create_task(
                bot.do_api_request(
                    "get_updates",
                    api_kwargs={
                        "offset": poller.offset,
                        "timeout": timeout,
                        "allowed_updates": list(Update.ALL_TYPES),
                    },
                    read_timeout=timeout + 10,
                )
            )
            stopper = asyncio.create_task(stop.wait())
            failed = asyncio.create_task(poller.failed.wait())
            done, _ = await asyncio.wait(
                {poll, stopper, failed}, return_when=asyncio.FIRST_COMPLETED
            )
            stopper.cancel()
            failed.cancel()
            if poll not in done:
                poll.cancel()
                break
            try:
                items = poll.result()
            except POLL_ERRORS as exc:
                retry = await poll_failed(exc, backoff)
                if retry is None:
                    code = 1
                    break
                backoff = retry
                continue
            backoff = 1.0
            poller.take(list(items))
        if poller.failed.is_set():
            code = 1
        else:
            # SIGTERM: the updates in progress are finished and confirmed before stopping.
            while poller.in_flight and not poller.failed.is_set():
                await poller.settle(None)
        if poller.offset is not None:
            with contextlib.suppress(Exception):
                await bot.do_api_request(
                    "get_updates", api_kwargs={"offset": poller.offset, "timeout": 0}
                )
    await poller.close_workers()
    log.info("bot stopped cleanly" if code == 0 else "bot stopped: a worker failed")
    return code


# ------------------------------------------------------------------ worker side


def _die_with_parent(parent: int) -> None:
    """Be killed as soon as the poller dies, as the threads of one process would be."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the poller died before prctl took effect
        os._exit(1)


class ShardWorker:
    """One bot process fed by the poller: chats in parallel, each chat's updates in order."""

    def __init__(self, app: AppType, index: int, count: int) -> None:
        from bot.webhook import ChatSequencer, Worker

        self.app = app
        self.index = index
        self.count = count
        # The webhook worker brings the sharded minute tick (owned chats, claimed pushes).
        self.shard = Worker(app, index, count, secret="")
        self.chats = ChatSequencer(self._process)
        self.finished: list[int] = []
        self.has_finished = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()
        self.writer: asyncio.StreamWriter | None = None

    async def _process(self, update: Update) -> None:
        """Process one update (a failure is logged: the update counts as handled)."""
        try:
            await self.app.process_update(update)
        except Exception:
            log.exception("update %d failed", update.update_id)

    async def _run_one(self, chat_id: int, update: Update) -> None:
        """Run an update after its chat's earlier ones, then report it finished."""
        try:
            await self.chats.submit(chat_id, update)
        except Exception:
            log.exception("update %d failed", update.update_id)
        finally:
            self.finished.append(update.update_id)
            self.has_finished.set()

    async def report(self) -> None:
        """Commit the conversation state of finished updates, then report them done."""
        from bot.persistence import persist

        while True:
            await self.has_finished.wait()
            # One state write per REPORT_GAP at most, as the single process writes once per
            # poll: a transaction per finished update would cost more than the updates.
            await asyncio.sleep(REPORT_GAP)
            self.has_finished.clear()
            done, self.finished = self.finished, []
            while True:
                try:
                    await persist(self.app)
                    break
                except Exception:
                    log.exception("conversation state not written; retrying")
                    await asyncio.sleep(1.0)
            assert self.writer is not None
            self.writer.write(json.dumps({"done": done}).encode() + b"\n")

    async def serve(self, sock: socket.socket) -> None:
        """Process what the poller sends until it closes the socket, then stop cleanly."""
        from bot.app import post_init
        from bot.handlers.gate import set_high_water
        from bot.persistence import persist
        from bot.runner import decode_update
        from bot.webhook import routing_id

        # SIGTERM/SIGINT (a whole process group signalled) are caught and left to the poller:
        # it stops polling, waits for what this worker holds, then closes the socket.
        stop_event()
        self.shard.install_tick()
        async with self.app:
            await post_init(self.app)
            set_high_water(self.app)  # the poller is the only consumer of the bot's updates
            await self.app.start()
            services = self.app.bot_data["services"]
            if services.cpu is not None:
                # Ready means warm: the poller starts taking updates once every worker has
                # its scoring model loaded (Telegram keeps the updates meanwhile).
                with contextlib.suppress(Exception):  # logged by the pool; it retries
                    await services.cpu.ready()
            reader, self.writer = await asyncio.open_connection(sock=sock)
            reporter = asyncio.create_task(self.report())
            self.writer.write(b'{"ready": true}\n')
            log.info("bot worker %d/%d ready", self.index, self.count)
            while line := await reader.readline():
                for item in json.loads(line):
                    update = decode_update(item, self.app.bot)
                    if update is None:  # nothing to handle; confirmed with the others
                        self.finished.append(int(item["update_id"]))
                        self.has_finished.set()
                        continue
                    task = asyncio.create_task(self._run_one(routing_id(update), update))
                    self.tasks.add(task)
                    task.add_done_callback(self.tasks.discard)
            # The poller closed the socket (stopping): finish, write the state, stop.
            if self.tasks:
                await asyncio.wait(list(self.tasks))
            await self.chats.drain()
            reporter.cancel()
            await persist(self.app)
            await self.app.stop()
        log.info("bot worker %d/%d stopped cleanly", self.index, self.count)


def run_worker(index: int, count: int, fd: int, parent: int) -> int:
    """Entry point of one worker process."""
    _die_with_parent(parent)
    setup_logging(f"worker {index}/{count}")
    from bot.__main__ import _load_dotenv
    from core.settings import load_settings

    _load_dotenv()
    settings = load_settings()  # the poller checked it already
    from bot.app import build_application

    worker = ShardWorker(build_application(settings), index, count)
    asyncio.run(worker.serve(socket.socket(fileno=fd)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the worker's command line (the poller starts workers; people run python -m bot)."""
    parser = argparse.ArgumentParser(prog="python -m bot.shards", description=__doc__)
    parser.add_argument("--worker", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    return run_worker(args.worker, args.count, args.fd, args.parent)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
