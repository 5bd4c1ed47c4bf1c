"""Run the Application: Telegram long polling (offset confirmed after processing) or console chat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections import defaultdict
from typing import TextIO

from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut

from bot.app import post_init
from bot.context import AppType
from bot.driver import Driver
from bot.localapi import LocalBotApi, SentMessage

log = logging.getLogger(__name__)

CONSOLE_USER_ID = 1
CONSOLE_BANNER = (
    "SalesCoach — console (aucun TELEGRAM_TOKEN défini).\n"
    "Écrivez comme dans Telegram ; tapez le numéro d'un bouton pour le choisir ; "
    "Ctrl-D ou /quitter pour sortir.\n"
)


async def _process_batch(app: AppType, updates: list[Update]) -> None:
    """Process a batch: chats in parallel, each chat's updates in order."""
    by_chat: dict[int, list[Update]] = defaultdict(list)
    for update in updates:
        chat = update.effective_chat
        by_chat[chat.id if chat else 0].append(update)

    async def run_chat(chat_updates: list[Update]) -> None:
        for update in chat_updates:
            await app.process_update(update)

    await asyncio.gather(*(run_chat(u) for u in by_chat.values()))
    await app.update_persistence()


async def run_polling(app: AppType, poll_timeout: int = 10) -> None:
    """Poll Telegram and confirm each batch only once its effects are committed."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with app:
        await post_init(app)
        await app.start()
        offset: int | None = None
        backoff = 1.0
        log.info("bot ready, polling")
        while not stop.is_set():
            poll = asyncio.create_task(
                app.bot.get_updates(
                    offset=offset, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
                )
            )
            stopper = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({poll, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if poll not in done:
                poll.cancel()
                break
            try:
                updates = poll.result()
            except Conflict:
                log.error(
                    "un webhook est actif ou un autre processus lit déjà les messages de ce bot : "
                    "supprimez le webhook (deleteWebhook) ou lancez python -m bot.webhook"
                )
                break
            except RetryAfter as exc:
                await asyncio.sleep(
                    float(exc.retry_after if isinstance(exc.retry_after, int) else 1)
                )
                continue
            except (NetworkError, TimedOut):
                log.warning("getUpdates failed; retrying in %.0f s", backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30)
                continue
            backoff = 1.0
            if not updates:
                continue
            # SIGTERM during a batch: the batch is drained before stopping.
            await _process_batch(app, list(updates))
            offset = updates[-1].update_id + 1
        if offset is not None:
            with contextlib.suppress(Exception):
                await app.bot.get_updates(offset=offset, timeout=0)
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
