"""Run the Application: Telegram long polling (offset confirmed after processing) or console chat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import warnings
from collections.abc import Collection
from typing import Any, TextIO

from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut

from bot.app import post_init
from bot.context import AppType
from bot.driver import Driver
from bot.handlers.gate import set_high_water
from bot.localapi import LocalBotApi, SentMessage
from bot.persistence import persist
from bot.process import stop_event

log = logging.getLogger(__name__)
# Pipeline.poll calls getUpdates through do_api_request so as to decode only new updates.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.get_updates'")

CONSOLE_USER_ID = 1
CONSOLE_BANNER = (
    "SalesCoach — console (aucun TELEGRAM_TOKEN défini).\n"
    "Écrivez comme dans Telegram ; tapez le numéro d'un bouton pour le choisir ; "
    "Ctrl-D ou /quitter pour sortir.\n"
)


POLL_GAP = 0.03
"""Seconds between two polls while updates are still being handled (see Pipeline)."""
MAX_IN_FLIGHT = 80
"""Above this many updates in progress, the next poll waits (getUpdates returns ≤ 100)."""


POLL_ERRORS = (Conflict, RetryAfter, NetworkError, TimedOut)
"""What a getUpdates call can fail with (poll_failed says what to do)."""


async def poll_failed(exc: BaseException, backoff: float) -> float | None:
    """Wait as a failed getUpdates asks; return the next backoff, or None to stop (409)."""
    if isinstance(exc, Conflict):
        log.error(
            "un webhook est actif ou un autre processus lit déjà les messages de ce bot : "
            "supprimez le webhook (deleteWebhook) ou lancez python -m bot.webhook"
        )
        return None
    if isinstance(exc, RetryAfter):
        await asyncio.sleep(float(exc.retry_after if isinstance(exc.retry_after, int) else 1))
        return backoff
    log.warning("getUpdates failed; retrying in %.0f s", backoff)
    await asyncio.sleep(backoff)
    return min(backoff * 2, 30)


def next_offset(in_flight: Collection[int], last_taken: int | None) -> int | None:
    """The getUpdates offset that confirms exactly the finished updates.

    Telegram confirms every update below the offset: the oldest update still in progress,
    else the one after the last update taken (None before the first poll).
    """
    if in_flight:
        return min(in_flight)
    return None if last_taken is None else last_taken + 1


def decode_update(item: dict[str, Any], bot: Any) -> Update | None:
    """Decode one raw update; None (logged with its id) when PTB cannot read it.

    A newer Bot API can send what this PTB version rejects (a missing field it requires):
    that update is skipped instead of stopping every chat's updates behind it.
    """
    try:
        return Update.de_json(item, bot)
    except Exception as exc:
        log.warning(
            "update %s skipped: not readable (%s: %s)",
            item.get("update_id"),
            type(exc).__name__,
            str(exc)[:200],
        )
        return None


class Pipeline:
    """Updates being handled: chats in parallel, each chat's updates in order.

    Telegram's getUpdates confirms every update below the offset it is given, so an update
    in progress must stay at or above the offset: the next poll starts at the oldest update
    still in progress, and what Telegram sends again is skipped. A slow update (a send
    waiting out a 429, say) holds back the confirmation of the ones after it, never their
    handling, and a crash makes Telegram redeliver whatever was not finished.
    """

    def __init__(self, app: AppType) -> None:
        self.app = app
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self.last_taken: int | None = None
        self.unreadable: list[int] = []
        self._tails: dict[int, asyncio.Task[None]] = {}

    @property
    def offset(self) -> int | None:
        """The getUpdates offset: confirms exactly the updates that are finished."""
        return next_offset(self.in_flight, self.last_taken)

    async def poll(self, timeout: int) -> list[Update]:
        """getUpdates from the offset; only updates not taken yet are decoded."""
        raw = await self.app.bot.do_api_request(
            "get_updates",
            api_kwargs={
                "offset": self.offset,
                "timeout": timeout,
                "allowed_updates": list(Update.ALL_TYPES),
            },
            read_timeout=timeout + 10,
        )
        updates = []
        for item in raw:
            if not self._new(item["update_id"]):
                continue
            update = decode_update(item, self.app.bot)
            if update is None:  # skipped; take() counts it as taken
                self.unreadable.append(int(item["update_id"]))
            else:
                updates.append(update)
        return updates

    def _new(self, update_id: int) -> bool:
        """Whether an update was not taken yet (Telegram resends those in progress)."""
        return self.last_taken is None or int(update_id) > self.last_taken

    def take(self, updates: list[Update]) -> None:
        """Start handling the updates not taken yet."""
        for update in updates:
            if not self._new(update.update_id):
                continue
            self.last_taken = update.update_id
            chat = update.effective_chat
            chat_id = chat.id if chat else 0
            task = asyncio.create_task(self._handle(update, self._tails.get(chat_id)))
            self._tails[chat_id] = task
            self.in_flight[update.update_id] = task
            task.add_done_callback(lambda _t, u=update.update_id, c=chat_id: self._done(u, c, _t))
        # Unreadable updates are confirmed like finished ones (nothing to wait for).
        for update_id in self.unreadable:
            if self._new(update_id):
                self.last_taken = update_id
        self.unreadable.clear()

    async def _handle(self, update: Update, previous: asyncio.Task[None] | None) -> None:
        """Handle one update after the chat's previous one."""
        if previous is not None:
            await asyncio.wait({previous})
        try:
            await self.app.process_update(update)
        except Exception:
            log.exception("update %d failed", update.update_id)

    def _done(self, update_id: int, chat_id: int, task: asyncio.Task[None]) -> None:
        """Forget a finished update (and its chat's tail when it was the last one)."""
        self.in_flight.pop(update_id, None)
        if self._tails.get(chat_id) is task:
            del self._tails[chat_id]

    async def settle(self, timeout: float | None) -> None:
        """Wait until nothing is in progress, or for `timeout` seconds."""
        if self.in_flight:
            await asyncio.wait(list(self.in_flight.values()), timeout=timeout)


async def run_polling(app: AppType, poll_timeout: int = 10) -> None:
    """Poll Telegram and confirm each update only once its effects are committed."""
    stop = stop_event()
    async with app:
        await post_init(app)
        set_high_water(app)  # this process is the only consumer of the bot's updates
        await app.start()
        pipeline = Pipeline(app)
        backoff = 1.0
        log.info("bot ready, polling")
        while not stop.is_set():
            if pipeline.in_flight:
                await pipeline.settle(POLL_GAP)
                while len(pipeline.in_flight) >= MAX_IN_FLIGHT and not stop.is_set():
                    await pipeline.settle(POLL_GAP)
            # The next poll confirms what is finished: its conversation state is written first.
            try:
                await persist(app)
            except Exception:
                log.exception("conversation state not written; the next poll waits")
                await asyncio.sleep(1.0)
                continue
            # Long polling only when nothing is in progress: otherwise Telegram answers at
            # once anyway, with the updates still in progress.
            timeout = 0 if pipeline.in_flight else poll_timeout
            poll = asyncio.create_task(pipeline.poll(timeout))
            stopper = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({poll, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if poll not in done:
                poll.cancel()
                break
            try:
                updates = poll.result()
            except POLL_ERRORS as exc:
                retry = await poll_failed(exc, backoff)
                if retry is None:
                    break
                backoff = retry
                continue
            backoff = 1.0
            pipeline.take(list(updates))
        # SIGTERM: the updates in progress are finished and confirmed before stopping.
        await pipeline.settle(None)
        with contextlib.suppress(Exception):
            await persist(app)
        if pipeline.offset is not None:
            with contextlib.suppress(Exception):
                await app.bot.get_updates(offset=pipeline.offset, timeout=0)
        await app.stop()
    log.info("bot stopped cleanly")


def _render(sent: SentMessage, out: TextIO, choices: list[tuple[int, str]]) -> None:
    """Print one bot message with its buttons as numbered choices."""
    if sent.method == "editMessageReplyMarkup" and not sent.buttons:
        return
    label = "(modifié) " if sent.method.startswith("edit") else ""
    text = sent.text
    if sent.file_name:
        text = f"{text}\n[fichier envoyé : {sent.file_name}]"
    out.write(f"\n🤖 {label}{text}\n")
    choices.clear()
    for n, button in enumerate((b for row in sent.buttons for b in row), start=1):
        if "callback_data" in button:
            choices.append((sent.message_id or 0, str(button["callback_data"])))
            out.write(f"   [{n}] {button['text']}\n")
        elif "url" in button:
            out.write(f"   ({button['text']} : {button['url']})\n")
    out.flush()


async def run_console(
    app: AppType, api: LocalBotApi, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> None:
    """Chat with the bot in the terminal through the very same Application."""
    choices: list[tuple[int, str]] = []
    api.on_send = lambda sent: _render(sent, out, choices)
    driver = Driver(app, api)
    out.write(CONSOLE_BANNER)
    out.flush()
    async with app:
        await post_init(app)
        await app.start()
        await driver.send(CONSOLE_USER_ID, "/start")
        while True:
            out.write("\n👤 ")
            out.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            text = line.rstrip("\n")
            if text.strip() in ("/quitter", "/quit", "/exit"):
                break
            if text.strip().isdigit() and 1 <= int(text.strip()) <= len(choices):
                message_id, data = choices[int(text.strip()) - 1]
                await driver.press_data(CONSOLE_USER_ID, message_id, data)
            elif text.strip():
                await driver.send(CONSOLE_USER_ID, text)
        await app.stop()
    out.write("\nÀ bientôt !\n")
