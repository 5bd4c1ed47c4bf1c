"""Tests of the fake Telegram Bot API server, driven by real python-telegram-bot objects."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from fakegram import FakeTelegram, FakeTelegramClient, RateLimits, WaitTimeout
from fakegram.errors import ControlError
from fakegram.formatting import ParseError, render

TOKEN = "123456789:TEST-token_for-fakegram"
USER = 1001
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x03"
    + b"\x08\x06\x00\x00\x00" * 4
)
ROOT = Path(__file__).resolve().parents[1]


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    """Build a one-row inline keyboard from (text, callback_data) pairs."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


def seconds(value: object) -> float:
    """Return RetryAfter.retry_after in seconds (int, or timedelta with PTB_TIMEDELTA)."""
    total = getattr(value, "total_seconds", None)
    return float(total()) if total else float(value)  # type: ignore[arg-type]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A fake server on a free port."""
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def client(fake: FakeTelegram) -> AsyncIterator[FakeTelegramClient]:
    """A control client bound to the fake server."""
    async with FakeTelegramClient(fake.url) as c:
        yield c


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A real PTB Bot pointed at the fake server."""
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as b:
        yield b


async def test_get_me_and_send_message_with_keyboard(
    fake: FakeTelegram, client: FakeTelegramClient, bot: Bot
) -> None:
    """getMe answers the bot user; sendMessage returns a full Message and is recorded."""
    assert fake.base_url.endswith("/bot") and fake.port
    assert bot.id == 123456789 and bot.username
    await client.send_message(USER, "bonjour", first_name="Alice")
    msg = await bot.send_message(USER, "Choisis :", reply_markup=keyboard(("Oui", "yes")))
    assert msg.message_id == 2  # ids increment per chat, user message was 1
    assert msg.chat.first_name == "Alice" and msg.chat.type == "private"
    assert msg.from_user.id == bot.id and msg.text == "Choisis :"
    assert msg.reply_markup.inline_keyboard[0][0].callback_data == "yes"
    other = await bot.send_message(USER + 1, "salut")
    assert other.message_id == 1
    records = await client.sent(USER)
    assert len(records) == 1
    rec = records[0]
    assert rec["method"] == "sendMessage" and rec["message_id"] == 2
    assert rec["reply_markup"]["inline_keyboard"][0][0] == {"text": "Oui", "callback_data": "yes"}
    assert [r["chat_id"] for r in await client.sent()] == [USER, USER + 1]
    assert await client.sent(since=rec["seq"]) == (await client.sent(USER + 1))


async def test_edit_message_text_and_reply_markup(client: FakeTelegramClient, bot: Bot) -> None:
    """Edits update the stored message; identical edits are rejected like Telegram."""
    msg = await bot.send_message(USER, "v1", reply_markup=keyboard(("A", "a")))
    edited = await bot.edit_message_text("v2", chat_id=USER, message_id=msg.message_id)
    assert edited.text == "v2" and edited.reply_markup is None  # keyboard dropped
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("v2", chat_id=USER, message_id=msg.message_id)
    await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=keyboard(("B", "b")))
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    state = await client.chat(USER)
    assert state["messages"][0]["text"] == "v2"
    assert state["messages"][0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"
    methods = [r["method"] for r in await client.sent(USER)]
    assert methods == ["sendMessage", "editMessageText", "editMessageReplyMarkup"]
    assert await bot.delete_message(USER, msg.message_id)
    assert (await client.chat(USER))["messages"] == []


async def test_send_photo_and_document_bytes(client: FakeTelegramClient, bot: Bot) -> None:
    """Uploads (multipart) are recorded with filename, size and retrievable bytes."""
    photo = await bot.send_photo(USER, photo=PNG, caption="<b>Ventes</b>", parse_mode="HTML")
    assert photo.photo[-1].width == 2 and photo.photo[-1].height == 3
    assert photo.caption == "Ventes"
    data = b"PK\x03\x04 fake xlsx"
    doc = await bot.send_document(USER, document=io.BytesIO(data), filename="rapport.xlsx")
    assert doc.document.file_name == "rapport.xlsx" and doc.document.file_size == len(data)
    rec_photo, rec_doc = await client.sent(USER)
    assert rec_photo["method"] == "sendPhoto" and rec_photo["photo"]["size"] == len(PNG)
    assert rec_photo["text"] == "<b>Ventes</b>" and rec_photo["rendered"] == "Ventes"
    assert rec_doc["document"]["filename"] == "rapport.xlsx"
    assert rec_doc["document"]["size"] == len(data)
    assert await client.file_bytes(rec_doc["document"]["file_id"]) == data
    tg_file = await bot.get_file(doc.document.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == data
    again = await bot.send_photo(USER, photo=photo.photo[-1].file_id)  # resend by file_id
    assert again.photo[-1].file_id == photo.photo[-1].file_id


async def test_get_updates_offset_semantics(
    fake: FakeTelegram, client: FakeTelegramClient, bot: Bot
) -> None:
    """Unconfirmed updates are redelivered; updates below the offset are gone for good."""
    ids = [(await client.send_message(USER, f"m{i}"))["update_id"] for i in range(3)]
    first = await bot.get_updates()
    assert [u.update_id for u in first] == ids
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(limit=1)] == ids[:1]
    second = await bot.get_updates(offset=ids[1])
    assert [u.update_id for u in second] == ids[1:]
    assert second[0].message.text == "m1"
    info = await client.updates()
    assert info["confirmed"] == ids[:1] and info["pending"] == ids[1:]
    assert info["offset"] == ids[1]
    assert await bot.get_updates(offset=ids[-1] + 1) == ()
    assert await bot.get_updates(offset=ids[0]) == ()  # confirmed ones never come back
    info = await client.updates()
    assert info["pending"] == [] and info["confirmed"] == ids


async def test_long_polling_returns_as_soon_as_an_update_arrives(
    client: FakeTelegramClient, bot: Bot
) -> None:
    """A long poll waits for the timeout but returns immediately on a new update."""
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()
    assert time.monotonic() - started >= 0.25
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await client.send_message(USER, "réveil")
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 2
    assert updates[0].message.text == "réveil"


async def test_concurrent_get_updates_conflict(fake: FakeTelegram, bot: Bot) -> None:
    """A second getUpdates terminates the first with 409, like two bot instances."""
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    async with Bot(TOKEN, base_url=fake.base_url) as other:
        await other.get_updates(timeout=0)
    with pytest.raises(Conflict):
        await asyncio.wait_for(poll, 5)


async def test_application_polling_end_to_end(
    fake: FakeTelegram, client: FakeTelegramClient
) -> None:
    """A real PTB Application answers a command and a button press through the fake."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(
            f"Bonjour {update.effective_user.first_name}, args={context.args}",
            reply_markup=keyboard(("Oui", "yes"), ("Non", "no")),
        )

    async def button(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Noté")
        await query.edit_message_text(f"Choix : {query.data}")

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_chat.send_action("typing")
        await update.message.reply_text(f"Reçu : {update.message.text}")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=5)
        try:
            replies = await client.ask(USER, "/start demo", first_name="Bob")
            assert replies[0]["text"] == "Bonjour Bob, args=['demo']"
            message_id = replies[0]["message_id"]
            edits = await client.click(USER, message_id, "no")
            assert edits[0]["method"] == "editMessageText"
            assert edits[0]["text"] == "Choix : no"
            answers = await client.sent(USER, methods="answerCallbackQuery")
            assert answers[0]["text"] == "Noté"
            echoed = await client.ask(USER, "Salut")  # chat action is left out by default
            assert [r["method"] for r in echoed] == ["sendMessage"]
            assert echoed[0]["text"] == "Reçu : Salut"
            everything = await client.sent(USER, methods="*")
            assert "sendChatAction" in {r["method"] for r in everything}
            pressed = await client.press(USER, message_id, "yes", force=True)
            await client.wait_confirmed(pressed["update_id"], timeout=5)
        finally:
            await app.updater.stop()
            await app.stop()
    stats = await client.stats()
    assert stats["calls"]["getMe"] >= 1 and stats["calls"]["sendMessage"] == 2


async def test_callback_press_and_forgery(client: FakeTelegramClient, bot: Bot) -> None:
    """Presses deliver the recorded message; unknown buttons need force=True."""
    msg = await bot.send_message(USER, "Menu", reply_markup=keyboard(("Go", "go:1")))
    pressed = await client.press(USER, msg.message_id, "go:1")
    (update,) = await bot.get_updates(offset=pressed["update_id"])
    query = update.callback_query
    assert query.data == "go:1" and query.from_user.id == USER
    assert query.message.message_id == msg.message_id and query.message.text == "Menu"
    assert query.message.reply_markup.inline_keyboard[0][0].text == "Go"
    assert await query.answer()
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()  # a query can be answered only once
    with pytest.raises(ControlError) as exc_info:
        await client.press(USER, msg.message_id, "admin:delete_all")
    assert exc_info.value.status == 400
    with pytest.raises(ControlError):
        await client.press(USER + 1, msg.message_id, "go:1", chat_id=USER)  # someone else
    with pytest.raises(ControlError):
        await client.press(USER, 999, "go:1")
    forged = await client.press(USER, msg.message_id, "admin:delete_all", force=True)
    forged_ghost = await client.press(USER, 999, "x", force=True)
    updates = await bot.get_updates(offset=forged["update_id"])
    assert updates[0].callback_query.data == "admin:delete_all"
    ghost = updates[1].callback_query
    assert ghost.id == forged_ghost["callback_query_id"]
    assert ghost.message.message_id == 999 and not ghost.message.is_accessible


async def test_faults_429_500_502_and_timeout(client: FakeTelegramClient, bot: Bot) -> None:
    """Faults hit the next `count` matching calls, then calls succeed again."""
    await client.fault("429", method="sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as exc_info:
        await bot.send_message(USER, "a")
    assert seconds(exc_info.value.retry_after) == 7
    await client.fault("500", method="sendMessage", count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Internal Server Error"):
            await bot.send_message(USER, "b")
    await client.fault("502", chat_id=USER + 5)
    await bot.send_message(USER, "other chat unaffected")
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await bot.send_message(USER + 5, "c")
    await client.fault("timeout", method="sendMessage", delay=1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "slow", read_timeout=0.2)
    await client.fault("reset", method="sendChatAction")
    with pytest.raises(NetworkError):
        await bot.send_chat_action(USER, "typing")
    assert await client.faults() == []
    ok = await bot.send_message(USER, "ok")
    assert ok.text == "ok"
    # the timed-out request is still processed once the delay elapses, like Telegram
    texts = [r["text"] for r in await client.wait(USER, count=3, timeout=5)]
    assert texts == ["other chat unaffected", "ok", "slow"]
    stats = await client.stats()
    assert stats["responses_429"] == 1 and stats["errors"]["500"] == 2
    assert stats["faults_triggered"] == 6


async def test_rate_limit_answers_429() -> None:
    """With rate limiting, >1 msg/s per private chat and >30 msg/s overall get 429."""
    async with (
        FakeTelegram(rate_limit=True) as fake,
        Bot(TOKEN, base_url=fake.base_url) as bot,
        fake.client() as client,
    ):
        await bot.send_message(USER, "1")
        with pytest.raises(RetryAfter) as exc_info:
            await bot.send_message(USER, "2")
        assert seconds(exc_info.value.retry_after) >= 1
        for chat in range(2, 31):
            await bot.send_message(USER + chat, "x")
        with pytest.raises(RetryAfter):
            await bot.send_message(USER + 99, "31st")
        stats = await client.stats()
        assert stats["responses_429"] == 2 and stats["rate_limited"] == 2
        assert stats["max_rate_global"] == 30 and stats["max_rate_chat"] == 1
        await client.set_rate_limit(False)
        await bot.send_message(USER, "unlimited")
        await client.set_rate_limit(True, global_per_second=1000, chat_per_second=3)
        assert fake.limits == RateLimits(1000, 3, 20)


async def test_blocked_user_gets_403(client: FakeTelegramClient, bot: Bot) -> None:
    """Blocking makes sends to that chat fail with Forbidden until unblocked."""
    await client.block(USER)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER, "coucou")
    await bot.send_message(USER + 1, "others still fine")
    await client.unblock(USER)
    await bot.send_message(USER, "coucou")
    assert (await client.stats())["errors"]["403"] == 1


async def test_formatting_is_validated(bot: Bot) -> None:
    """Broken HTML / MarkdownV2 is rejected like Telegram does."""
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "a < b <br>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(USER, "Objectif atteint.", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=keyboard(("x", "d" * 65)))
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    msg = await bot.send_message(USER, "*Objectif* atteint\\.", parse_mode="MarkdownV2")
    assert msg.text == "Objectif atteint."


def test_render_plain_text() -> None:
    """The formatting module returns Telegram's plain text."""
    assert render("<b>a</b> &lt;3 &amp; <a href='x'>lien</a>", "HTML") == "a <3 & lien"
    assert render("__u__ ||s|| `co\\`de` [t](http://x.y/\\))", "MarkdownV2") == "u s co`de t"
    assert render("*gras* _it_", "Markdown") == "gras it"
    with pytest.raises(ParseError):
        render("<b>open", "HTML")
    with pytest.raises(ParseError):
        render("*open", "MarkdownV2")


async def test_commands_and_misc_methods(client: FakeTelegramClient, bot: Bot) -> None:
    """setMyCommands/getMyCommands/deleteMyCommands, webhook and chat actions."""
    from telegram import BotCommand

    assert await bot.set_my_commands([BotCommand("start", "Démarrer"), BotCommand("aide", "?")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "aide"]
    assert (await client.commands())[0]["commands"][1]["command"] == "aide"
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "majuscule")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.send_chat_action(USER, "typing")
    with pytest.raises(BadRequest):
        await bot.send_chat_action(USER, "dancing")
    assert await bot.close() and await bot.log_out()


async def test_raw_http_shapes(fake: FakeTelegram) -> None:
    """JSON and form bodies are accepted; unknown methods answer 404 Not Found."""
    async with httpx.AsyncClient(base_url=f"{fake.base_url}{TOKEN}") as http:
        response = await http.post("/unknownMethod", json={})
        assert response.status_code == 404
        assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
        response = await http.post(
            "/sendMessage", json={"chat_id": USER, "text": "json", "reply_markup": markup}
        )
        body = response.json()
        assert body["ok"] and body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"]
        response = await http.post("/SENDMESSAGE", data={"chat_id": str(USER), "text": "123"})
        assert response.json()["result"]["text"] == "123"
        response = await http.post("/sendMessage", data={"chat_id": str(USER)})
        assert response.status_code == 400
        assert response.json()["description"] == "Bad Request: message text is empty"


async def test_injected_content_groups_and_edits(client: FakeTelegramClient, bot: Bot) -> None:
    """Unsupported content, group chats and edited messages parse as PTB updates."""
    for kind in ("photo", "sticker", "voice", "document", "location"):
        await client.send_content(USER, kind)
    group = await client.send_command(USER, "stats@salescoach_test_bot", chat_type="group")
    sent = await client.send_message(USER, "typo")
    edit = await client.edit_message(USER, sent["message_id"], "fixed")
    updates = await bot.get_updates()
    msgs = [u.effective_message for u in updates]
    assert msgs[0].photo and msgs[1].sticker and msgs[2].voice
    assert msgs[3].document.file_name == "document.pdf"
    assert msgs[4].location.latitude
    assert msgs[5].chat.type == "group" and msgs[5].chat.id == group["chat_id"] < 0
    assert msgs[5].entities[0].type == "bot_command"
    assert msgs[5].entities[0].length == len("/stats@salescoach_test_bot")
    assert updates[-1].edited_message.text == "fixed"
    assert updates[-1].edited_message.message_id == edit["message_id"] == sent["message_id"]
    voice = await bot.get_file(msgs[2].voice.file_id)
    assert await voice.download_as_bytearray()
    with pytest.raises(ControlError):
        await client.send_content(USER, "hologram")


async def test_wait_timeout_and_reset(
    fake: FakeTelegram, client: FakeTelegramClient, bot: Bot
) -> None:
    """Waits time out with what arrived; reset clears state but keeps ids increasing."""
    await bot.send_message(USER, "un")
    with pytest.raises(WaitTimeout) as exc_info:
        await client.wait(USER, count=2, timeout=0.2)
    assert [r["text"] for r in exc_info.value.records] == ["un"]
    waiter = asyncio.create_task(client.wait(USER, count=2, timeout=5))
    await asyncio.sleep(0.05)
    await bot.send_message(USER, "deux")
    assert [r["text"] for r in await waiter] == ["un", "deux"]
    before = await client.send_message(USER, "x")
    await client.reset()
    assert await client.sent() == [] and (await client.stats())["calls"] == {}
    after = await client.send_message(USER, "y")
    assert after["update_id"] > before["update_id"]
    rec = fake.sent()
    assert rec == []
    msg = await bot.send_message(USER, "trois")
    assert (await client.sent())[0]["seq"] > 2 and msg.message_id == 2


async def test_standalone_writes_port_file(tmp_path: Path) -> None:
    """``python -m fakegram --port 0 --port-file`` binds a port and writes it."""
    port_file = tmp_path / "port"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fakegram", "--port", "0", "--port-file", str(port_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while not port_file.exists():
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "port file not written"
            await asyncio.sleep(0.05)
        port = int(port_file.read_text())
        assert port > 0
        async with FakeTelegramClient(f"http://127.0.0.1:{port}") as c:
            assert (await c.health())["port"] == port
            async with Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot") as bot:
                await c.send_message(USER, "hello")
                assert (await bot.get_updates())[0].message.text == "hello"
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 0, stderr.decode()
