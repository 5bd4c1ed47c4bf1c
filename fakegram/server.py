"""Fake Telegram Bot API server (aiohttp) for end-to-end tests and benchmarks.

Bot side: ``/bot<TOKEN>/<method>`` and ``/file/bot<TOKEN>/<path>`` like api.telegram.org.
Control side: JSON endpoints under ``/control/`` used by tests acting as Telegram users.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import inspect
import itertools
import json
import math
import re
import socket
import struct
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from fakegram.errors import ApiError, ControlError, WaitTimeout
from fakegram.formatting import ParseError, render

if TYPE_CHECKING:
    from fakegram.client import FakeTelegramClient

__all__ = ["HOST", "FakeTelegram", "Fault", "RateLimits"]

HOST = "127.0.0.1"
JSONDict = dict[str, Any]

CHAT_TYPES = ("private", "group", "supergroup", "channel")
CONTENT_KINDS = (
    "photo",
    "sticker",
    "voice",
    "document",
    "location",
    "contact",
    "video",
    "audio",
    "video_note",
    "animation",
)
FAULT_KINDS = ("429", "500", "502", "timeout", "reset")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Methods subject to the send rate limits (and counted in the per-second send stats).
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVoice",
        "sendVideo",
        "sendAnimation",
        "sendSticker",
    }
)
# Recorded but left out of /control/sent and /control/wait unless asked for explicitly.
QUIET_METHODS = frozenset({"sendChatAction", "answerCallbackQuery"})
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# Form fields always kept as strings (never JSON-decoded).
_TEXT_FIELDS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "inline_message_id",
        "file_id",
        "photo",
        "document",
        "audio",
        "voice",
        "video",
        "animation",
        "sticker",
        "thumbnail",
        "url",
        "parse_mode",
        "action",
        "language_code",
        "description",
        "short_description",
        "name",
        "title",
        "secret_token",
        "emoji",
        "message_effect_id",
        "business_connection_id",
    }
)
# Fields holding JSON objects/arrays, decoded when they arrive as JSON strings.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
        "media",
        "message_ids",
    }
)
_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")
_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_MEDIA_METHODS = {
    "sendPhoto": "photo",
    "sendDocument": "document",
    "sendAudio": "audio",
    "sendVoice": "voice",
    "sendVideo": "video",
    "sendAnimation": "animation",
    "sendSticker": "sticker",
}
_DEFAULT_MIME = {
    "photo": "image/jpeg",
    "document": "application/octet-stream",
    "audio": "audio/mpeg",
    "voice": "audio/ogg",
    "video": "video/mp4",
    "animation": "video/mp4",
    "sticker": "image/webp",
    "video_note": "video/mp4",
}
_PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@dataclass
class RateLimits:
    """Telegram's send limits enforced when rate limiting is on (sliding windows)."""

    global_per_second: int = 30
    chat_per_second: int = 1
    group_per_minute: int = 20


@dataclass
class Fault:
    """An injected failure applied to the next `count` matching Bot API calls."""

    id: int
    kind: str
    count: int = 1
    method: str | None = None
    chat_id: int | None = None
    retry_after: int = 1
    delay: float = 5.0

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Tell whether this fault applies to a call (no method = any method but getUpdates)."""
        if self.count <= 0:
            return False
        if self.method is None:
            if method == "getUpdates":
                return False
        elif self.method != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class _Chat:
    """A chat known to the fake server."""

    id: int
    type: str
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    title: str | None = None
    next_message_id: int = 1

    def as_dict(self) -> JSONDict:
        """Return the Telegram Chat object."""
        out: JSONDict = {"id": self.id, "type": self.type}
        if self.type == "private":
            out["first_name"] = self.first_name or f"User{self.id}"
            if self.last_name:
                out["last_name"] = self.last_name
        else:
            out["title"] = self.title or f"{self.type.capitalize()} {self.id}"
        if self.username:
            out["username"] = self.username
        return out


@dataclass
class _Upload:
    """A file part received in a multipart request."""

    filename: str
    mime_type: str
    data: bytes


@dataclass
class _StoredFile:
    """A file known to the server (uploaded by the bot or injected for a user)."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    filename: str | None
    mime_type: str
    file_path: str
    url: str | None = None

    def info(self) -> JSONDict:
        """Return the record/inspection view of the file (without bytes)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "filename": self.filename,
            "mime_type": self.mime_type,
            "size": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
            "file_path": self.file_path,
            "url": self.url,
        }


@dataclass
class _Callback:
    """A callback query delivered to the bot."""

    chat_id: int
    user_id: int
    message_id: int
    answered: bool = False


class _Signal:
    """Broadcast wake-up for waiters (an asyncio.Event swapped on every notify)."""

    def __init__(self) -> None:
        """Create the first event."""
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until `predicate()` is true or `timeout` expires; return the predicate."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


def _prune(window: deque[float], older_than: float) -> None:
    """Drop timestamps older than `older_than` from a sliding window."""
    while window and window[0] <= older_than:
        window.popleft()


def _as_int(value: Any) -> int | None:
    """Convert an int-like value to int, or return None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _utf16_len(text: str) -> int:
    """Return the length of a string in UTF-16 code units (Telegram offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _command_entities(text: str) -> list[JSONDict]:
    """Return the bot_command entities Telegram would attach to a user text."""
    return [
        {
            "type": "bot_command",
            "offset": _utf16_len(text[: m.start()]),
            "length": _utf16_len(m.group(0)),
        }
        for m in _COMMAND_RE.finditer(text)
    ]


def _decode_form_value(key: str, value: str) -> Any:
    """Decode a form value the way PTB encodes it (JSON for non-string values)."""
    if key in _TEXT_FIELDS or not value:
        return value
    if (
        value[0] in '{["'
        or value in ("true", "false", "null")
        or _NUMBER_RE.fullmatch(value) is not None
    ):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _image_size(data: bytes) -> tuple[int, int]:
    """Return (width, height) of PNG/JPEG bytes, or (100, 100) if unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return 100, 100


def _has_button(message: JSONDict, data: str) -> bool:
    """Tell whether a message has an inline button carrying `data` as callback_data."""
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if isinstance(button, dict) and button.get("callback_data") == data:
                return True
    return False


def _json_response(payload: Any, status: int = 200) -> web.Response:
    """Serialize a JSON response quickly."""
    return web.Response(
        body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
    )


class FakeTelegram:
    """In-memory fake of the Telegram Bot API plus a control API for tests."""

    def __init__(
        self,
        *,
        port: int = 0,
        token: str | None = None,
        rate_limit: bool = False,
        limits: RateLimits | None = None,
        strict_chats: bool = False,
        bot_username: str = "salescoach_test_bot",
        bot_first_name: str = "SalesCoach",
    ) -> None:
        """Configure the server; `token=None` accepts any token, `port=0` picks a free port."""
        self.requested_port = port
        self.token = token
        self.rate_limit = rate_limit
        self.limits = limits or RateLimits()
        self.strict_chats = strict_chats
        bot_id = _as_int((token or "").split(":", 1)[0]) or 7000000001
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.port: int | None = None
        self._bound_token: str | None = token
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._closing_event = asyncio.Event()
        self._started_at = time.time()
        # Counters that stay monotonic across /control/reset (clients keep offsets/seqs).
        self._next_update_id = 1
        self._seq = 0
        self._poll_generation = 0
        self._ids = itertools.count(1)
        # Persistent wake-up channels (never replaced, so pending waits survive a reset).
        self._updates_signal = _Signal()
        self._confirm_signal = _Signal()
        self._record_signal = _Signal()
        self._chat_signals: dict[int, _Signal] = {}
        self._methods: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {}
        self._register_methods()
        self._init_state()

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """Root URL of the server (what FakeTelegramClient expects)."""
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url`` (``.../bot``; PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for PTB's ``base_file_url``."""
        return f"{self.url}/file/bot"

    def make_app(self) -> web.Application:
        """Build the aiohttp application serving the Bot API and the control API."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_bot_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file_download)
        control: list[tuple[str, str, Callable[[web.Request], Any]]] = [
            ("GET", "health", self._c_health),
            ("POST", "message", self._c_message),
            ("POST", "command", self._c_command),
            ("POST", "content", self._c_content),
            ("POST", "callback", self._c_callback),
            ("POST", "update", self._c_update),
            ("GET", "sent", self._c_sent),
            ("GET", "wait", self._c_wait),
            ("GET", "updates", self._c_updates),
            ("GET", "wait_confirmed", self._c_wait_confirmed),
            ("GET", "stats", self._c_stats),
            ("GET", "chat", self._c_chat),
            ("GET", "commands", self._c_commands),
            ("GET", "faults", self._c_list_faults),
            ("POST", "faults", self._c_add_fault),
            ("POST", "reset", self._c_reset),
            ("POST", "block", self._c_block),
            ("POST", "unblock", self._c_unblock),
            ("POST", "rate_limit", self._c_rate_limit),
        ]
        for verb, name, handler in control:
            app.router.add_route(verb, f"/control/{name}", self._control(handler))
        app.router.add_get("/control/files/{file_id}", self._c_file)
        return app

    async def start(self) -> None:
        """Start listening on 127.0.0.1 (free port if `port=0`)."""
        self._closing = False
        self._closing_event = asyncio.Event()
        # Fresh wake-up channels bound to the running loop (nobody can be waiting yet).
        self._updates_signal = _Signal()
        self._confirm_signal = _Signal()
        self._record_signal = _Signal()
        self._chat_signals = {}
        self._runner = web.AppRunner(
            self.make_app(), access_log=None, shutdown_timeout=0.5, handle_signals=False
        )
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, HOST, self.requested_port, backlog=4096, reuse_address=True
        )
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Release pending waits and stop the server."""
        self._closing = True
        self._closing_event.set()
        self._notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop the server."""
        await self.stop()

    def client(self, **kwargs: Any) -> FakeTelegramClient:
        """Return a FakeTelegramClient bound to this server."""
        from fakegram.client import FakeTelegramClient

        return FakeTelegramClient(self.url, **kwargs)

    # ------------------------------------------------------------------ state

    def _init_state(self) -> None:
        """(Re)create all per-run state; monotonic counters and signals are kept."""
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, JSONDict] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._raw_texts: dict[tuple[int, int], tuple[str | None, str | None]] = {}
        self._callbacks: dict[str, _Callback] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, str] = {}
        self._updates: deque[JSONDict] = deque()
        self._delivered: set[int] = set()
        self._confirmed: list[int] = []
        self._dropped: list[int] = []
        self._filtered = 0
        self._confirmed_offset = getattr(self, "_confirmed_offset", 0)
        self._allowed_updates: frozenset[str] | None = None
        self._records: list[JSONDict] = []
        self._records_by_chat: dict[int | None, list[JSONDict]] = {}
        self._faults: list[Fault] = []
        self._blocked: set[int] = set()
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._descriptions: dict[str, str] = {}
        self._webhook_url = ""
        self._calls: Counter[str] = Counter()
        self._errors: Counter[str] = Counter()
        self._responses_429 = 0
        self._rate_limited = 0
        self._faults_triggered = 0
        self._updates_injected = 0
        self._win_global: deque[float] = deque()
        self._win_chat: dict[int, deque[float]] = {}
        self._win_group: dict[int, deque[float]] = {}
        self._max_rate_global = 0
        self._max_rate_chat = 0
        self._max_rate_chat_id: int | None = None

    def reset(self) -> None:
        """Clear chats, messages, updates, records, faults, blocks and stats."""
        self._init_state()
        self._notify_all()

    def _notify_all(self) -> None:
        """Wake every waiter so it re-evaluates its condition."""
        self._updates_signal.notify()
        self._confirm_signal.notify()
        self._record_signal.notify()
        for signal in self._chat_signals.values():
            signal.notify()

    def _user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        """Return (and remember) the Telegram User object of a fake user."""
        user = self._users.get(user_id)
        if user is None:
            user = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name or f"User{user_id}",
                "language_code": language_code or "fr",
            }
            self._users[user_id] = user
        if first_name:
            user["first_name"] = first_name
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat_for(self, user: JSONDict, chat_id: int | None, chat_type: str) -> _Chat:
        """Return the chat a user writes in, creating it if needed."""
        if chat_type not in CHAT_TYPES:
            raise ControlError(400, f"chat_type must be one of {CHAT_TYPES}")
        if chat_id is None:
            if chat_type == "private":
                chat_id = user["id"]
            elif chat_type == "group":
                chat_id = -int(user["id"])
            else:
                chat_id = -1_000_000_000_000 - int(user["id"])
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = _Chat(id=chat_id, type=chat_type)
            self._chats[chat_id] = chat
        elif chat.type != chat_type:
            raise ControlError(400, f"chat {chat_id} already exists with type {chat.type}")
        if chat.type == "private":
            chat.first_name = user.get("first_name")
            chat.last_name = user.get("last_name")
            chat.username = user.get("username")
        return chat

    def _resolve_chat(self, params: JSONDict) -> _Chat:
        """Return the chat targeted by a Bot API call (400 if unknown in strict mode)."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = _as_int(raw)
        if chat_id is None:
            name = str(raw).lstrip("@").lower()
            for chat in self._chats.values():
                if chat.username and chat.username.lower() == name:
                    return chat
            raise ApiError(400, "Bad Request: chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            if self.strict_chats or chat_id == 0:
                raise ApiError(400, "Bad Request: chat not found")
            if chat_id > 0:
                chat_type = "private"
            elif chat_id > -1_000_000_000_000:
                chat_type = "group"
            else:
                chat_type = "supergroup"
            chat = _Chat(id=chat_id, type=chat_type)
            user = self._users.get(chat_id)
            if user is not None:
                chat.first_name = user.get("first_name")
            self._chats[chat_id] = chat
        return chat

    def _new_message(self, chat: _Chat, sender: JSONDict | None, **fields: Any) -> JSONDict:
        """Create and store a message in `chat` (ids increment per chat)."""
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message: JSONDict = {"message_id": message_id}
        if sender is not None:
            message["from"] = sender
        elif chat.type == "channel":
            message["sender_chat"] = chat.as_dict()
        message["chat"] = chat.as_dict()
        message["date"] = int(time.time())
        message.update(fields)
        self._messages[(chat.id, message_id)] = message
        return message

    def _store_file(
        self,
        kind: str,
        data: bytes,
        filename: str | None,
        mime_type: str | None,
        url: str | None = None,
    ) -> _StoredFile:
        """Store bytes under a new file_id and file_path."""
        n = next(self._ids)
        ext = ""
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        stored = _StoredFile(
            file_id=f"FAKE-{kind}-{n}",
            file_unique_id=f"U{n}",
            kind=kind,
            data=data,
            filename=filename,
            mime_type=mime_type or _DEFAULT_MIME.get(kind, "application/octet-stream"),
            file_path=f"{kind}s/file_{n}{ext}",
            url=url,
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.file_path] = stored.file_id
        return stored

    @staticmethod
    def _media_object(kind: str, stored: _StoredFile) -> Any:
        """Return the Telegram media object (PhotoSize list, Document, Voice...) for a file."""
        base: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if kind == "photo":
            width, height = _image_size(stored.data)
            return [{**base, "width": width, "height": height}]
        if kind == "sticker":
            return {
                **base,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
        base["mime_type"] = stored.mime_type
        if kind in ("document", "audio", "video", "animation") and stored.filename:
            base["file_name"] = stored.filename
        if kind in ("audio", "voice", "video", "animation", "video_note"):
            base["duration"] = 3
        if kind in ("video", "animation"):
            base.update(width=640, height=360)
        if kind == "video_note":
            base["length"] = 240
            base.pop("mime_type", None)
        return base

    # ------------------------------------------------------------------ updates

    def _push_update(self, kind: str, payload: JSONDict) -> int | None:
        """Queue an update for getUpdates; None if filtered out by allowed_updates."""
        allowed = self._allowed_updates or DEFAULT_ALLOWED_UPDATES
        if kind not in allowed:
            self._filtered += 1
            return None
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, kind: payload})
        self._updates_injected += 1
        self._updates_signal.notify()
        return update_id

    def _confirm(self, offset: int | None) -> None:
        """Apply getUpdates offset semantics: updates with id < offset are dropped for good."""
        if not offset:
            return
        updates = self._updates
        if offset > 0:
            while updates and updates[0]["update_id"] < offset:
                update_id = updates.popleft()["update_id"]
                self._delivered.discard(update_id)
                self._confirmed.append(update_id)
            self._confirmed_offset = max(self._confirmed_offset, offset)
        else:
            while len(updates) > -offset:
                update_id = updates.popleft()["update_id"]
                self._delivered.discard(update_id)
                self._confirmed.append(update_id)
            if updates:
                self._confirmed_offset = max(self._confirmed_offset, updates[0]["update_id"])
        self._confirm_signal.notify()

    def is_confirmed(self, update_id: int) -> bool:
        """Tell whether an update was confirmed (or dropped) by the bot."""
        if update_id >= self._next_update_id:
            return False
        return not self._updates or update_id < self._updates[0]["update_id"]

    def updates_info(self) -> JSONDict:
        """Return pending/delivered/confirmed update ids and the confirmed offset."""
        return {
            "pending": [u["update_id"] for u in self._updates],
            "delivered": sorted(self._delivered),
            "confirmed": list(self._confirmed),
            "dropped": list(self._dropped),
            "filtered": self._filtered,
            "offset": self._confirmed_offset,
            "next_update_id": self._next_update_id,
            "allowed_updates": sorted(self._allowed_updates) if self._allowed_updates else None,
        }

    async def wait_confirmed(self, update_id: int, timeout: float = 10.0) -> bool:
        """Wait until the bot confirmed `update_id` through a getUpdates offset."""
        return await self._confirm_signal.wait_for(
            lambda: self._closing or self.is_confirmed(update_id), timeout
        )

    # ------------------------------------------------------------------ injection (users)

    def inject_message(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        edit_of: int | None = None,
        reply_to: int | None = None,
        entities: list[JSONDict] | None = None,
        parse_commands: bool = True,
    ) -> JSONDict:
        """Simulate a user text (or an edit of one); returns update_id, message_id, chat_id, seq."""
        if not isinstance(text, str) or not text:
            raise ControlError(400, "text must be a non-empty string")
        user = self._user(user_id, first_name, last_name, username, language_code)
        chat = self._chat_for(user, chat_id, chat_type)
        if entities is None and parse_commands:
            entities = _command_entities(text)
        sender = None if chat.type == "channel" else user
        if edit_of is not None:
            original = self._messages.get((chat.id, edit_of))
            if original is None:
                raise ControlError(404, f"message {edit_of} not found in chat {chat.id}")
            if sender is not None and (original.get("from") or {}).get("id") != user_id:
                raise ControlError(400, f"message {edit_of} was not sent by user {user_id}")
            message = {k: v for k, v in original.items() if k != "entities"}
            message["text"] = text
            message["edit_date"] = int(time.time())
            if entities:
                message["entities"] = entities
            self._messages[(chat.id, edit_of)] = message
            kind = "edited_channel_post" if chat.type == "channel" else "edited_message"
        else:
            fields: JSONDict = {"text": text}
            if entities:
                fields["entities"] = entities
            if reply_to is not None:
                replied = self._messages.get((chat.id, reply_to))
                if replied is None:
                    raise ControlError(404, f"message {reply_to} not found in chat {chat.id}")
                fields["reply_to_message"] = replied
            message = self._new_message(chat, sender, **fields)
            kind = "channel_post" if chat.type == "channel" else "message"
        update_id = self._push_update(kind, message)
        return {
            "update_id": update_id,
            "message_id": message["message_id"],
            "chat_id": chat.id,
            "seq": self._seq,
        }

    def inject_command(
        self, user_id: int, command: str, args: str | None = None, **kwargs: Any
    ) -> JSONDict:
        """Simulate a user command such as ``/start arg`` (with its bot_command entity)."""
        text = command if command.startswith("/") else f"/{command}"
        if args:
            text = f"{text} {args}"
        if _COMMAND_RE.match(text) is None:
            raise ControlError(400, f"not a valid bot command: {text!r}")
        kwargs["parse_commands"] = True
        kwargs.pop("entities", None)
        return self.inject_message(user_id, text, **kwargs)

    def inject_content(
        self,
        user_id: int,
        kind: str,
        *,
        caption: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        data: bytes | None = None,
        latitude: float = 48.8566,
        longitude: float = 2.3522,
        first_name: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> JSONDict:
        """Simulate a non-text user message (photo, sticker, voice, document, location...)."""
        if kind not in CONTENT_KINDS:
            raise ControlError(400, f"kind must be one of {CONTENT_KINDS}")
        user = self._user(user_id, first_name)
        chat = self._chat_for(user, chat_id, chat_type)
        fields: JSONDict = {}
        if kind == "location":
            fields["location"] = {"latitude": latitude, "longitude": longitude}
        elif kind == "contact":
            fields["contact"] = {
                "phone_number": "+33600000000",
                "first_name": user["first_name"],
                "user_id": user_id,
            }
        else:
            if data is None:
                data = _PNG_1X1 if kind == "photo" else b"fake-" + kind.encode() + b"-content"
            if kind == "document" and file_name is None:
                file_name = "document.pdf"
                mime_type = mime_type or "application/pdf"
            stored = self._store_file(kind, data, file_name, mime_type)
            fields[kind] = self._media_object(kind, stored)
        if caption and kind not in ("sticker", "location", "contact", "video_note"):
            fields["caption"] = caption
        sender = None if chat.type == "channel" else user
        message = self._new_message(chat, sender, **fields)
        update_id = self._push_update(
            "channel_post" if chat.type == "channel" else "message", message
        )
        return {
            "update_id": update_id,
            "message_id": message["message_id"],
            "chat_id": chat.id,
            "seq": self._seq,
        }

    def press_button(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        force: bool = False,
        first_name: str | None = None,
    ) -> JSONDict:
        """Simulate an inline button press on a recorded bot message (forged only if `force`)."""
        user = self._user(user_id, first_name)
        target = user_id if chat_id is None else chat_id
        message = self._messages.get((target, message_id))
        if message is None:
            if not force:
                raise ControlError(404, f"message {message_id} not found in chat {target}")
            chat = self._chats.get(target) or self._chat_for(user, target, "private")
            message = {"message_id": message_id, "chat": chat.as_dict(), "date": 0}
        elif not force:
            chat = self._chats[target]
            if chat.type == "private" and target != user_id:
                raise ControlError(400, f"user {user_id} cannot see private chat {target}")
            if not _has_button(message, data):
                raise ControlError(
                    400, f"message {message_id} has no button with callback_data {data!r}"
                )
        query_id = str(4_000_000_000_000 + next(self._ids))
        query = {
            "id": query_id,
            "from": user,
            "message": dict(message),
            "chat_instance": str(abs(hash((self.bot_user["id"], target))) % 10**18),
            "data": data,
        }
        self._callbacks[query_id] = _Callback(
            chat_id=target, user_id=user_id, message_id=message_id
        )
        update_id = self._push_update("callback_query", query)
        return {"update_id": update_id, "callback_query_id": query_id, "seq": self._seq}

    def inject_update(self, update: JSONDict) -> JSONDict:
        """Queue a raw update (``update_id`` is assigned); the escape hatch for exotic types."""
        kinds = [k for k in update if k != "update_id"]
        if len(kinds) != 1 or not isinstance(update[kinds[0]], dict):
            raise ControlError(400, "update must contain exactly one update object")
        update_id = self._push_update(kinds[0], update[kinds[0]])
        return {"update_id": update_id, "seq": self._seq}

    # ------------------------------------------------------------------ records

    def _record(self, method: str, chat_id: int | None, **fields: Any) -> JSONDict:
        """Append a record of something the bot did and wake the waiters."""
        self._seq += 1
        record: JSONDict = {
            "seq": self._seq,
            "method": method,
            "chat_id": chat_id,
            "message_id": None,
            "text": None,
            "rendered": None,
            "reply_markup": None,
            "parse_mode": None,
            "time": time.time(),
        }
        record.update(fields)
        self._records.append(record)
        self._records_by_chat.setdefault(chat_id, []).append(record)
        self._record_signal.notify()
        signal = self._chat_signals.get(chat_id) if chat_id is not None else None
        if signal is not None:
            signal.notify()
        return record

    def _pool(self, chat_id: int | None) -> list[JSONDict]:
        """Return the record list of one chat (or of all chats)."""
        if chat_id is None:
            return self._records
        return self._records_by_chat.get(chat_id, [])

    @staticmethod
    def _first_after(pool: list[JSONDict], since: int) -> int:
        """Return the index of the first record with seq > since (records are seq-ordered)."""
        lo, hi = 0, len(pool)
        while lo < hi:
            mid = (lo + hi) // 2
            if pool[mid]["seq"] <= since:
                lo = mid + 1
            else:
                hi = mid
        return lo

    @staticmethod
    def _wanted(record: JSONDict, methods: set[str] | None) -> bool:
        """Apply the methods filter (None = everything but QUIET_METHODS, "*" = all)."""
        if methods is None:
            return record["method"] not in QUIET_METHODS
        return "*" in methods or record["method"] in methods

    def sent(
        self,
        chat_id: int | None = None,
        since: int = 0,
        methods: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[JSONDict]:
        """Return records with seq > since (quiet methods only when listed in `methods`)."""
        pool = self._pool(chat_id)
        wanted = None if methods is None else set(methods)
        out: list[JSONDict] = []
        for record in itertools.islice(pool, self._first_after(pool, since), None):
            if self._wanted(record, wanted):
                out.append(record)
                if limit is not None and len(out) >= limit:
                    break
        return out

    async def wait_sent(
        self,
        chat_id: int | None = None,
        count: int = 1,
        since: int = 0,
        timeout: float = 10.0,
        methods: Iterable[str] | None = None,
    ) -> list[JSONDict]:
        """Wait until at least `count` matching records exist after `since`; raise WaitTimeout."""
        wanted = None if methods is None else set(methods)
        if chat_id is None:
            signal = self._record_signal
        else:
            signal = self._chat_signals.get(chat_id)
            if signal is None:
                signal = self._chat_signals[chat_id] = _Signal()
        found: list[JSONDict] = []
        scanned: list[JSONDict] | None = None
        position = 0

        def ready() -> bool:
            # Incremental scan: only records appended since the previous wake-up are examined.
            nonlocal scanned, position
            pool = self._pool(chat_id)
            if pool is not scanned:  # first call, or the state was reset
                scanned, position = pool, self._first_after(pool, since)
                found.clear()
            for record in itertools.islice(pool, position, None):
                if self._wanted(record, wanted):
                    found.append(record)
            position = len(pool)
            return len(found) >= count or self._closing

        if await signal.wait_for(ready, timeout) and len(found) >= count:
            return found
        raise WaitTimeout(
            f"expected {count} record(s) for chat {chat_id} after seq {since}, got {len(found)}",
            found,
        )

    @property
    def last_seq(self) -> int:
        """Sequence number of the latest record."""
        return self._seq

    def stats(self) -> JSONDict:
        """Return call counts, error counts, 429s and max per-second send rates."""
        return {
            "calls": dict(self._calls),
            "errors": dict(self._errors),
            "responses_429": self._responses_429,
            "rate_limited": self._rate_limited,
            "faults_triggered": self._faults_triggered,
            "max_rate_global": self._max_rate_global,
            "max_rate_chat": self._max_rate_chat,
            "max_rate_chat_id": self._max_rate_chat_id,
            "updates_injected": self._updates_injected,
            "updates_pending": len(self._updates),
            "records": len(self._records),
            "last_seq": self._seq,
            "chats": len(self._chats),
            "uptime": round(time.time() - self._started_at, 3),
            "rate_limit": {"enabled": self.rate_limit, **asdict(self.limits)},
        }

    def chat_state(self, chat_id: int) -> JSONDict:
        """Return a chat and its current messages (after edits and deletions)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ControlError(404, f"chat {chat_id} not found")
        messages = [m for (cid, _), m in self._messages.items() if cid == chat_id]
        messages.sort(key=lambda m: m["message_id"])
        return {"chat": chat.as_dict(), "blocked": chat_id in self._blocked, "messages": messages}

    def file_bytes(self, file_id: str) -> bytes:
        """Return the bytes of a stored file."""
        stored = self._files.get(file_id)
        if stored is None:
            raise ControlError(404, f"file {file_id} not found")
        return stored.data

    # ------------------------------------------------------------------ faults, blocks, limits

    def add_fault(
        self,
        kind: str,
        *,
        count: int = 1,
        method: str | None = None,
        chat_id: int | None = None,
        retry_after: int = 1,
        delay: float = 5.0,
    ) -> Fault:
        """Make the next `count` matching Bot API calls fail with `kind`."""
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ControlError(400, f"kind must be one of {FAULT_KINDS}")
        canonical = None
        if method:
            entry = self._methods.get(method.lower())
            if entry is None:
                raise ControlError(400, f"unknown Bot API method {method!r}")
            canonical = entry[0]
        fault = Fault(
            id=next(self._ids),
            kind=kind,
            count=int(count),
            method=canonical,
            chat_id=chat_id,
            retry_after=int(retry_after),
            delay=float(delay),
        )
        self._faults.append(fault)
        return fault

    def _take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        """Consume one use of the first fault matching this call."""
        for fault in self._faults:
            if fault.matches(method, chat_id):
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
                self._faults_triggered += 1
                return fault
        return None

    def block(self, user_id: int) -> None:
        """Make every call targeting this chat answer 403 (bot blocked by the user)."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """Undo `block`."""
        self._blocked.discard(user_id)

    def set_rate_limit(self, enabled: bool, limits: RateLimits | None = None) -> None:
        """Switch Telegram's send limits on or off at runtime."""
        self.rate_limit = enabled
        if limits is not None:
            self.limits = limits

    def _check_rate(self, chat_id: int | None) -> int | None:
        """Return retry_after seconds if a send to `chat_id` now would exceed the limits."""
        now = time.monotonic()
        waits: list[float] = []
        _prune(self._win_global, now - 1.0)
        if len(self._win_global) >= self.limits.global_per_second:
            waits.append(self._win_global[0] + 1.0 - now)
        if chat_id is not None:
            chat = self._chats.get(chat_id)
            if chat is not None and chat.type != "private":
                window = self._win_group.get(chat_id)
                if window is not None:
                    _prune(window, now - 60.0)
                    if len(window) >= self.limits.group_per_minute:
                        waits.append(window[0] + 60.0 - now)
            window = self._win_chat.get(chat_id)
            if window is not None and (chat is None or chat.type == "private"):
                _prune(window, now - 1.0)
                if len(window) >= self.limits.chat_per_second:
                    waits.append(window[0] + 1.0 - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def _note_send(self, chat_id: int | None) -> None:
        """Account an accepted send in the sliding windows and the max-rate stats."""
        now = time.monotonic()
        _prune(self._win_global, now - 1.0)
        self._win_global.append(now)
        self._max_rate_global = max(self._max_rate_global, len(self._win_global))
        if chat_id is None:
            return
        window = self._win_chat.get(chat_id)
        if window is None:
            window = self._win_chat[chat_id] = deque()
        _prune(window, now - 1.0)
        window.append(now)
        if len(window) > self._max_rate_chat:
            self._max_rate_chat = len(window)
            self._max_rate_chat_id = chat_id
        chat = self._chats.get(chat_id)
        if chat is not None and chat.type != "private":
            group = self._win_group.get(chat_id)
            if group is None:
                group = self._win_group[chat_id] = deque()
            _prune(group, now - 60.0)
            group.append(now)

    # ------------------------------------------------------------------ Bot API plumbing

    def _register_methods(self) -> None:
        """Build the case-insensitive method table."""
        table: dict[str, Callable[[JSONDict], Any]] = {
            "getMe": self._m_get_me,
            "getUpdates": self._m_get_updates,
            "sendMessage": self._m_send_message,
            "editMessageText": self._m_edit_message_text,
            "editMessageCaption": self._m_edit_message_caption,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "deleteMessage": self._m_delete_message,
            "deleteMessages": self._m_delete_messages,
            "answerCallbackQuery": self._m_answer_callback_query,
            "sendChatAction": self._m_send_chat_action,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "setMyDescription": self._m_set_description("description"),
            "setMyShortDescription": self._m_set_description("short_description"),
            "setMyName": self._m_set_description("name"),
            "getMyDescription": self._m_get_description("description"),
            "getMyShortDescription": self._m_get_description("short_description"),
            "getMyName": self._m_get_description("name"),
            "setChatMenuButton": self._m_true,
            "getChatMenuButton": lambda _p: {"type": "commands"},
            "deleteWebhook": self._m_delete_webhook,
            "setWebhook": self._m_set_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "getChat": self._m_get_chat,
            "getFile": self._m_get_file,
            "close": self._m_true,
            "logOut": self._m_true,
        }
        for method, kind in _MEDIA_METHODS.items():
            table[method] = self._m_send_media(method, kind)
        self._methods = {name.lower(): (name, handler) for name, handler in table.items()}

    async def _read_params(self, request: web.Request) -> JSONDict:
        """Merge query string and JSON/form/multipart body into one decoded dict."""
        params: JSONDict = {k: _decode_form_value(k, v) for k, v in request.query.items()}
        if not request.body_exists:
            return params
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except ValueError as exc:
                raise ApiError(400, "Bad Request: can't parse JSON body") from exc
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON body must be an object")
            for key, value in body.items():
                if key in _JSON_FIELDS and isinstance(value, str):
                    with contextlib.suppress(ValueError):
                        value = json.loads(value)
                params[key] = value
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            uploads: dict[str, _Upload] = {}
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = _Upload(
                        filename=value.filename or key,
                        mime_type=value.content_type or "application/octet-stream",
                        data=value.file.read(),
                    )
                else:
                    params[key] = _decode_form_value(key, str(value))
            for key, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://"):
                    name = value[len("attach://") :]
                    if name in uploads:
                        params[key] = uploads[name]
            for key, upload in uploads.items():
                params.setdefault(key, upload)
        return params

    def _bind_token(self, token: str) -> None:
        """Take the bot id from the first token seen when any token is accepted."""
        if self._bound_token is None:
            self._bound_token = token
            bot_id = _as_int(token.split(":", 1)[0])
            if bot_id:
                self.bot_user["id"] = bot_id

    def _target_chat_id(self, method: str, params: JSONDict) -> int | None:
        """Return the chat a Bot API call targets (for faults, blocks and limits)."""
        if method == "answerCallbackQuery":
            callback = self._callbacks.get(str(params.get("callback_query_id")))
            return callback.chat_id if callback else None
        chat_id = _as_int(params.get("chat_id"))
        if chat_id is None and isinstance(params.get("chat_id"), str):
            name = params["chat_id"].lstrip("@").lower()
            for chat in self._chats.values():
                if chat.username and chat.username.lower() == name:
                    return chat.id
        return chat_id

    def _error(self, exc: ApiError) -> web.Response:
        """Count and answer a Bot API error."""
        self._errors[str(exc.code)] += 1
        if exc.code == 429:
            self._responses_429 += 1
        return _json_response(exc.payload(), status=exc.code)

    @staticmethod
    def _reset_connection(request: web.Request) -> None:
        """Close the client connection abruptly (TCP RST), without any HTTP response."""
        transport = request.transport
        if transport is None:
            return
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

    async def _handle_bot_api(self, request: web.Request) -> web.StreamResponse:
        """Dispatch ``/bot<TOKEN>/<method>`` like api.telegram.org."""
        entry = self._methods.get(request.match_info["method"].lower())
        if entry is None:
            return self._error(ApiError(404, "Not Found"))
        token = request.match_info["token"]
        if self.token is None:
            self._bind_token(token)
        elif token != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        method, handler = entry
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            return self._error(exc)
        self._calls[method] += 1
        chat_id = self._target_chat_id(method, params)
        fault = self._take_fault(method, chat_id)
        if fault is not None:
            if fault.kind == "reset":
                self._errors["reset"] += 1
                self._reset_connection(request)
                raise asyncio.CancelledError
            if fault.kind == "timeout":
                self._errors["timeout"] += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing_event.wait(), fault.delay)
            elif fault.kind == "429":
                return self._error(
                    ApiError(
                        429,
                        f"Too Many Requests: retry after {fault.retry_after}",
                        {"retry_after": fault.retry_after},
                    )
                )
            elif fault.kind == "500":
                return self._error(ApiError(500, "Internal Server Error"))
            else:
                return self._error(ApiError(502, "Bad Gateway"))
        if chat_id is not None and chat_id in self._blocked and method != "getChat":
            return self._error(ApiError(403, "Forbidden: bot was blocked by the user"))
        if self.rate_limit and method in SEND_METHODS:
            retry_after = self._check_rate(chat_id)
            if retry_after is not None:
                self._rate_limited += 1
                return self._error(
                    ApiError(
                        429,
                        f"Too Many Requests: retry after {retry_after}",
                        {"retry_after": retry_after},
                    )
                )
        try:
            result = handler(params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return self._error(exc)
        if method in SEND_METHODS:
            self._note_send(chat_id)
        return _json_response({"ok": True, "result": result})

    async def _handle_file_download(self, request: web.Request) -> web.StreamResponse:
        """Serve ``/file/bot<TOKEN>/<file_path>``."""
        if self.token is not None and request.match_info["token"] != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        file_id = self._file_paths.get(request.match_info["path"])
        if file_id is None:
            return self._error(ApiError(404, "Not Found"))
        stored = self._files[file_id]
        return web.Response(body=stored.data, content_type=stored.mime_type)

    # ------------------------------------------------------------------ Bot API methods

    def _m_true(self, _params: JSONDict) -> bool:
        """Accept and ignore."""
        return True

    def _m_get_me(self, _params: JSONDict) -> JSONDict:
        """getMe."""
        return self.bot_user

    async def _m_get_updates(self, params: JSONDict) -> list[JSONDict]:
        """getUpdates with offset confirmation, limit and long polling."""
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset"))
        limit = _as_int(params.get("limit")) or 100
        limit = min(max(limit, 1), 100)
        try:
            timeout = max(0.0, float(params.get("timeout") or 0))
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "Bad Request: wrong timeout") from exc
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()
        if not self._updates and timeout > 0:
            await self._updates_signal.wait_for(
                lambda: (
                    bool(self._updates) or self._poll_generation != generation or self._closing
                ),
                timeout,
            )
        if self._poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        batch = list(itertools.islice(self._updates, limit))
        self._delivered.update(u["update_id"] for u in batch)
        return batch

    def _render(self, text: str, parse_mode: Any, *, caption: bool = False) -> str:
        """Validate formatting and length like Telegram; return the plain text."""
        try:
            rendered = render(text, str(parse_mode) if parse_mode else None)
        except ParseError as exc:
            raise ApiError(400, f"Bad Request: {exc}") from exc
        if caption:
            if _utf16_len(rendered) > 1024:
                raise ApiError(400, "Bad Request: message caption is too long")
        else:
            if not rendered.strip():
                raise ApiError(400, "Bad Request: message text is empty")
            if _utf16_len(rendered) > 4096:
                raise ApiError(400, "Bad Request: message is too long")
        return rendered

    @staticmethod
    def _check_markup(markup: Any) -> JSONDict | None:
        """Validate a reply_markup object like Telegram."""
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button")
            actions = (
                "callback_data",
                "url",
                "switch_inline_query",
                "switch_inline_query_current_chat",
                "web_app",
                "login_url",
                "pay",
                "callback_game",
                "copy_text",
                "switch_inline_query_chosen_chat",
            )
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not str(button.get("text") or ""):
                        raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
                    if not any(a in button for a in actions):
                        raise ApiError(
                            400, "Bad Request: text buttons are unallowed in the inline keyboard"
                        )
                    if "callback_data" in button:
                        data = button["callback_data"]
                        if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    if "url" in button and not str(button["url"]):
                        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError(400, "Bad Request: can't parse keyboard button")
        return markup

    def _bot_owned(self, params: JSONDict, verb: str) -> tuple[_Chat, int, JSONDict]:
        """Return (chat, message_id, message) of a bot message targeted by an edit/delete."""
        chat = self._resolve_chat(params)
        message_id = _as_int(params.get("message_id"))
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = self._messages.get((chat.id, message_id))
        if message is None:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        return chat, message_id, message

    def _m_send_message(self, params: JSONDict) -> JSONDict:
        """sendMessage."""
        chat = self._resolve_chat(params)
        text = params.get("text")
        if text is None or text == "":
            raise ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        parse_mode = params.get("parse_mode") or None
        entities = params.get("entities")
        rendered = self._render(text, None if entities else parse_mode)
        markup = self._check_markup(params.get("reply_markup"))
        fields: JSONDict = {"text": rendered}
        if entities:
            fields["entities"] = entities
        if markup and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        replied = self._reply_target(chat, params)
        if replied is not None:
            fields["reply_to_message"] = replied
        message = self._new_message(chat, self.bot_user, **fields)
        self._raw_texts[(chat.id, message["message_id"])] = (text, parse_mode)
        self._record(
            "sendMessage",
            chat.id,
            message_id=message["message_id"],
            text=text,
            rendered=rendered,
            reply_markup=markup,
            parse_mode=parse_mode,
            params=self._public_params(params),
        )
        return message

    def _reply_target(self, chat: _Chat, params: JSONDict) -> JSONDict | None:
        """Return the message a send replies to (400 if missing and not allowed)."""
        reply = params.get("reply_parameters")
        allow = bool(params.get("allow_sending_without_reply"))
        message_id = _as_int(params.get("reply_to_message_id"))
        if isinstance(reply, dict):
            message_id = _as_int(reply.get("message_id"))
            allow = allow or bool(reply.get("allow_sending_without_reply"))
        if message_id is None:
            return None
        replied = self._messages.get((chat.id, message_id))
        if replied is None and not allow:
            raise ApiError(400, "Bad Request: message to be replied not found")
        return replied

    @staticmethod
    def _public_params(params: JSONDict) -> JSONDict:
        """Return the call parameters with uploaded bytes replaced by a short description."""
        out: JSONDict = {}
        for key, value in params.items():
            if isinstance(value, _Upload):
                out[key] = {"filename": value.filename, "size": len(value.data)}
            else:
                out[key] = value
        return out

    def _m_edit_message_text(self, params: JSONDict) -> Any:
        """editMessageText (the inline keyboard is removed unless reply_markup is given)."""
        text = params.get("text")
        if text is None or text == "":
            raise ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        parse_mode = params.get("parse_mode") or None
        entities = params.get("entities")
        rendered = self._render(text, None if entities else parse_mode)
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            self._record("editMessageText", None, text=text, rendered=rendered)
            return True
        chat, message_id, message = self._bot_owned(params, "edit")
        if (message.get("from") or {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        inline = markup if markup and "inline_keyboard" in markup else None
        key = (chat.id, message_id)
        if (
            message.get("text") == rendered
            and message.get("reply_markup") == inline
            and self._raw_texts.get(key) == (text, parse_mode)
        ):
            raise ApiError(400, _NOT_MODIFIED)
        edited = {k: v for k, v in message.items() if k not in ("reply_markup", "entities")}
        edited["text"] = rendered
        edited["edit_date"] = int(time.time())
        if entities:
            edited["entities"] = entities
        if inline is not None:
            edited["reply_markup"] = inline
        self._messages[key] = edited
        self._raw_texts[key] = (text, parse_mode)
        self._record(
            "editMessageText",
            chat.id,
            message_id=message_id,
            text=text,
            rendered=rendered,
            reply_markup=markup,
            parse_mode=parse_mode,
            params=self._public_params(params),
        )
        return edited

    def _m_edit_message_caption(self, params: JSONDict) -> Any:
        """editMessageCaption."""
        caption = str(params.get("caption") or "")
        parse_mode = params.get("parse_mode") or None
        rendered = self._render(caption, parse_mode, caption=True)
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        chat, message_id, message = self._bot_owned(params, "edit")
        if (message.get("from") or {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        if "text" in message:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        inline = markup if markup and "inline_keyboard" in markup else None
        if message.get("caption", "") == rendered and message.get("reply_markup") == inline:
            raise ApiError(400, _NOT_MODIFIED)
        edited = {k: v for k, v in message.items() if k not in ("reply_markup", "caption")}
        if rendered:
            edited["caption"] = rendered
        edited["edit_date"] = int(time.time())
        if inline is not None:
            edited["reply_markup"] = inline
        self._messages[(chat.id, message_id)] = edited
        self._record(
            "editMessageCaption",
            chat.id,
            message_id=message_id,
            text=caption,
            rendered=rendered,
            reply_markup=markup,
            parse_mode=parse_mode,
        )
        return edited

    def _m_edit_message_reply_markup(self, params: JSONDict) -> Any:
        """editMessageReplyMarkup (no reply_markup = remove the inline keyboard)."""
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        chat, message_id, message = self._bot_owned(params, "edit")
        if (message.get("from") or {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        inline = markup if markup and "inline_keyboard" in markup else None
        if message.get("reply_markup") == inline:
            raise ApiError(400, _NOT_MODIFIED)
        edited = {k: v for k, v in message.items() if k != "reply_markup"}
        edited["edit_date"] = int(time.time())
        if inline is not None:
            edited["reply_markup"] = inline
        self._messages[(chat.id, message_id)] = edited
        self._record(
            "editMessageReplyMarkup",
            chat.id,
            message_id=message_id,
            text=edited.get("text"),
            rendered=edited.get("text"),
            reply_markup=markup,
        )
        return edited

    def _m_delete_message(self, params: JSONDict) -> bool:
        """deleteMessage."""
        chat, message_id, _message = self._bot_owned(params, "delete")
        del self._messages[(chat.id, message_id)]
        self._raw_texts.pop((chat.id, message_id), None)
        self._record("deleteMessage", chat.id, message_id=message_id)
        return True

    def _m_delete_messages(self, params: JSONDict) -> bool:
        """deleteMessages (missing ids are skipped, like Telegram)."""
        chat = self._resolve_chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise ApiError(400, "Bad Request: message identifiers are not specified")
        for raw in ids:
            message_id = _as_int(raw)
            if message_id is not None and self._messages.pop((chat.id, message_id), None):
                self._raw_texts.pop((chat.id, message_id), None)
                self._record("deleteMessage", chat.id, message_id=message_id)
        return True

    def _m_answer_callback_query(self, params: JSONDict) -> bool:
        """answerCallbackQuery (each query can be answered once)."""
        query_id = str(params.get("callback_query_id") or "")
        callback = self._callbacks.get(query_id)
        if callback is None or callback.answered:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        callback.answered = True
        text = params.get("text")
        self._record(
            "answerCallbackQuery",
            callback.chat_id,
            message_id=callback.message_id,
            text=None if text is None else str(text),
            rendered=None if text is None else str(text),
            callback_query_id=query_id,
            show_alert=bool(params.get("show_alert")),
            url=params.get("url"),
        )
        return True

    def _m_send_chat_action(self, params: JSONDict) -> bool:
        """sendChatAction."""
        chat = self._resolve_chat(params)
        action = str(params.get("action") or "")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._record("sendChatAction", chat.id, action=action)
        return True

    def _m_send_media(self, method: str, kind: str) -> Callable[[JSONDict], JSONDict]:
        """Build the handler of sendPhoto/sendDocument/... for one media kind."""

        def handler(params: JSONDict) -> JSONDict:
            chat = self._resolve_chat(params)
            value = params.get(kind)
            if value is None or value == "":
                raise ApiError(400, f"Bad Request: there is no {kind} in the request")
            if isinstance(value, _Upload):
                if not value.data:
                    raise ApiError(400, "Bad Request: file must be non-empty")
                stored = self._store_file(kind, value.data, value.filename, value.mime_type)
            elif str(value) in self._files:
                stored = self._files[str(value)]
            elif str(value).startswith(("http://", "https://")):
                stored = self._store_file(
                    kind, b"", str(value).rsplit("/", 1)[-1] or None, None, url=str(value)
                )
            else:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            caption = params.get("caption")
            caption = None if caption is None else str(caption)
            parse_mode = params.get("parse_mode") or None
            rendered = None
            fields: JSONDict = {kind: self._media_object(kind, stored)}
            if caption:
                rendered = self._render(
                    caption, None if params.get("caption_entities") else parse_mode, caption=True
                )
                fields["caption"] = rendered
            markup = self._check_markup(params.get("reply_markup"))
            if markup and "inline_keyboard" in markup:
                fields["reply_markup"] = markup
            replied = self._reply_target(chat, params)
            if replied is not None:
                fields["reply_to_message"] = replied
            message = self._new_message(chat, self.bot_user, **fields)
            self._record(
                method,
                chat.id,
                message_id=message["message_id"],
                text=caption,
                rendered=rendered,
                reply_markup=markup,
                parse_mode=parse_mode,
                **{kind: stored.info()},
                params=self._public_params(params),
            )
            return message

        return handler

    def _m_set_my_commands(self, params: JSONDict) -> bool:
        """setMyCommands (validates names and descriptions like Telegram)."""
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        cleaned: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand")
            name = str(item.get("command") or "").lstrip("/")
            description = str(item.get("description") or "")
            if _BOT_COMMAND_NAME_RE.fullmatch(name) is None:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self._commands[self._commands_key(params)] = cleaned
        self._record("setMyCommands", None, commands=cleaned, params=self._public_params(params))
        return True

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        """Return the (scope, language) key of a command list."""
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _m_get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        """getMyCommands."""
        return self._commands.get(self._commands_key(params), [])

    def _m_delete_my_commands(self, params: JSONDict) -> bool:
        """deleteMyCommands."""
        self._commands.pop(self._commands_key(params), None)
        return True

    def _m_set_description(self, field_name: str) -> Callable[[JSONDict], bool]:
        """Build a setMyDescription-like handler."""

        def handler(params: JSONDict) -> bool:
            lang = str(params.get("language_code") or "")
            self._descriptions[f"{field_name}:{lang}"] = str(params.get(field_name) or "")
            return True

        return handler

    def _m_get_description(self, field_name: str) -> Callable[[JSONDict], JSONDict]:
        """Build a getMyDescription-like handler."""

        def handler(params: JSONDict) -> JSONDict:
            lang = str(params.get("language_code") or "")
            value = self._descriptions.get(f"{field_name}:{lang}")
            if value is None and field_name == "name":
                value = self.bot_user["first_name"]
            return {field_name: value or ""}

        return handler

    def _m_delete_webhook(self, params: JSONDict) -> bool:
        """deleteWebhook (drop_pending_updates clears the queue)."""
        self._webhook_url = ""
        if params.get("drop_pending_updates") in (True, "true", "True", 1):
            while self._updates:
                update_id = self._updates.popleft()["update_id"]
                self._delivered.discard(update_id)
                self._dropped.append(update_id)
            self._confirmed_offset = max(self._confirmed_offset, self._next_update_id)
            self._confirm_signal.notify()
        return True

    def _m_set_webhook(self, params: JSONDict) -> bool:
        """setWebhook (stored only: updates are never pushed to it)."""
        url = str(params.get("url") or "")
        self._webhook_url = url
        if params.get("drop_pending_updates") in (True, "true", "True", 1):
            self._m_delete_webhook({"drop_pending_updates": True})
            self._webhook_url = url
        return True

    def _m_get_webhook_info(self, _params: JSONDict) -> JSONDict:
        """getWebhookInfo."""
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _m_get_chat(self, params: JSONDict) -> JSONDict:
        """getChat (ChatFullInfo)."""
        chat = self._resolve_chat(params)
        return {**chat.as_dict(), "accent_color_id": 0, "max_reaction_count": 11}

    def _m_get_file(self, params: JSONDict) -> JSONDict:
        """getFile."""
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    # ------------------------------------------------------------------ control API

    def _control(self, handler: Callable[[web.Request], Any]) -> Callable[[web.Request], Any]:
        """Wrap a control handler: JSON out, ControlError/ValueError → 4xx JSON."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                result = await handler(request)
            except ControlError as exc:
                return _json_response({"ok": False, "error": exc.message}, exc.status)
            except WaitTimeout as exc:
                return _json_response(
                    {
                        "ok": False,
                        "error": str(exc),
                        "records": exc.records,
                        "last_seq": self._seq,
                    },
                    408,
                )
            except (KeyError, TypeError, ValueError) as exc:
                return _json_response({"ok": False, "error": f"bad request: {exc!r}"}, 400)
            if isinstance(result, web.StreamResponse):
                return result
            return _json_response(result)

        return wrapped

    @staticmethod
    async def _body(request: web.Request) -> JSONDict:
        """Read a JSON object body (empty body = {})."""
        raw = await request.read()
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise ControlError(400, "body must be JSON") from exc
        if not isinstance(body, dict):
            raise ControlError(400, "body must be a JSON object")
        return body

    @staticmethod
    def _int_arg(source: Any, key: str, default: int | None = None) -> int | None:
        """Read an optional int argument."""
        value = source.get(key)
        if value is None or value == "":
            return default
        parsed = _as_int(value)
        if parsed is None:
            raise ControlError(400, f"{key} must be an integer")
        return parsed

    def _required_int(self, source: Any, key: str) -> int:
        """Read a mandatory int argument."""
        value = self._int_arg(source, key)
        if value is None:
            raise ControlError(400, f"{key} is required")
        return value

    @staticmethod
    def _methods_arg(request: web.Request) -> list[str] | None:
        """Parse the comma-separated ``methods`` query argument."""
        raw = request.query.get("methods")
        if not raw:
            return None
        return [m.strip() for m in raw.split(",") if m.strip()]

    async def _c_health(self, _request: web.Request) -> JSONDict:
        """Liveness probe."""
        return {"ok": True, "port": self.port}

    def _user_kwargs(self, body: JSONDict) -> JSONDict:
        """Extract the common user/chat options of injection endpoints."""
        return {
            "first_name": body.get("first_name"),
            "last_name": body.get("last_name"),
            "username": body.get("username"),
            "language_code": body.get("language_code"),
            "chat_id": self._int_arg(body, "chat_id"),
            "chat_type": body.get("chat_type") or "private",
        }

    async def _c_message(self, request: web.Request) -> JSONDict:
        """Inject a user text message (or an edit with ``edit_of``)."""
        body = await self._body(request)
        return self.inject_message(
            self._required_int(body, "user_id"),
            body.get("text"),
            edit_of=self._int_arg(body, "edit_of"),
            reply_to=self._int_arg(body, "reply_to"),
            entities=body.get("entities"),
            parse_commands=body.get("parse_commands", True) is not False,
            **self._user_kwargs(body),
        )

    async def _c_command(self, request: web.Request) -> JSONDict:
        """Inject a user command (``text`` or ``command`` + ``args``)."""
        body = await self._body(request)
        command = body.get("command") or body.get("text")
        if not isinstance(command, str) or not command:
            raise ControlError(400, "command (or text) is required")
        return self.inject_command(
            self._required_int(body, "user_id"),
            command,
            body.get("args"),
            **self._user_kwargs(body),
        )

    async def _c_content(self, request: web.Request) -> JSONDict:
        """Inject a non-text user message."""
        body = await self._body(request)
        data = None
        if body.get("data_b64"):
            data = base64.b64decode(body["data_b64"])
        kwargs = self._user_kwargs(body)
        return self.inject_content(
            self._required_int(body, "user_id"),
            str(body.get("kind") or ""),
            caption=body.get("caption"),
            file_name=body.get("file_name"),
            mime_type=body.get("mime_type"),
            data=data,
            latitude=float(body.get("latitude", 48.8566)),
            longitude=float(body.get("longitude", 2.3522)),
            first_name=kwargs["first_name"],
            chat_id=kwargs["chat_id"],
            chat_type=kwargs["chat_type"],
        )

    async def _c_callback(self, request: web.Request) -> JSONDict:
        """Press an inline button."""
        body = await self._body(request)
        data = body.get("data")
        if not isinstance(data, str):
            raise ControlError(400, "data must be a string")
        return self.press_button(
            self._required_int(body, "user_id"),
            self._required_int(body, "message_id"),
            data,
            chat_id=self._int_arg(body, "chat_id"),
            force=bool(body.get("force")),
            first_name=body.get("first_name"),
        )

    async def _c_update(self, request: web.Request) -> JSONDict:
        """Inject a raw update."""
        body = await self._body(request)
        update = body.get("update", body)
        if not isinstance(update, dict):
            raise ControlError(400, "update must be an object")
        return self.inject_update(update)

    async def _c_sent(self, request: web.Request) -> JSONDict:
        """List records."""
        query = request.query
        records = self.sent(
            self._int_arg(query, "chat_id"),
            self._int_arg(query, "since", 0) or 0,
            self._methods_arg(request),
            self._int_arg(query, "limit"),
        )
        return {"records": records, "last_seq": self._seq}

    async def _c_wait(self, request: web.Request) -> JSONDict:
        """Wait (server side) for `count` new records."""
        query = request.query
        timeout = float(query.get("timeout") or 10.0)
        records = await self.wait_sent(
            self._int_arg(query, "chat_id"),
            self._int_arg(query, "count", 1) or 1,
            self._int_arg(query, "since", 0) or 0,
            timeout,
            self._methods_arg(request),
        )
        return {"records": records, "last_seq": self._seq}

    async def _c_updates(self, _request: web.Request) -> JSONDict:
        """Pending/confirmed update ids and offset."""
        return self.updates_info()

    async def _c_wait_confirmed(self, request: web.Request) -> JSONDict:
        """Wait until an update is confirmed by the bot."""
        update_id = self._required_int(request.query, "update_id")
        timeout = float(request.query.get("timeout") or 10.0)
        if not await self.wait_confirmed(update_id, timeout):
            raise ControlError(408, f"update {update_id} not confirmed within {timeout}s")
        return {"update_id": update_id, "confirmed": True}

    async def _c_stats(self, _request: web.Request) -> JSONDict:
        """Statistics."""
        return self.stats()

    async def _c_chat(self, request: web.Request) -> JSONDict:
        """Chat and current messages."""
        return self.chat_state(self._required_int(request.query, "chat_id"))

    async def _c_commands(self, request: web.Request) -> JSONDict:
        """Registered bot commands per (scope, language)."""
        return {
            "commands": [
                {"scope": json.loads(scope), "language_code": lang, "commands": commands}
                for (scope, lang), commands in self._commands.items()
            ]
        }

    async def _c_list_faults(self, _request: web.Request) -> JSONDict:
        """Pending faults."""
        return {"faults": [asdict(f) for f in self._faults]}

    async def _c_add_fault(self, request: web.Request) -> JSONDict:
        """Register a fault."""
        body = await self._body(request)
        fault = self.add_fault(
            str(body.get("kind") or ""),
            count=self._int_arg(body, "count", 1) or 1,
            method=body.get("method"),
            chat_id=self._int_arg(body, "chat_id"),
            retry_after=self._int_arg(body, "retry_after", 1) or 1,
            delay=float(body.get("delay", 5.0)),
        )
        return asdict(fault)

    async def _c_reset(self, _request: web.Request) -> JSONDict:
        """Clear all state."""
        self.reset()
        return {"ok": True, "last_seq": self._seq, "next_update_id": self._next_update_id}

    async def _c_block(self, request: web.Request) -> JSONDict:
        """Block the bot for a user."""
        body = await self._body(request)
        user_id = self._int_arg(body, "user_id") or self._required_int(body, "chat_id")
        self.block(user_id)
        return {"ok": True, "blocked": sorted(self._blocked)}

    async def _c_unblock(self, request: web.Request) -> JSONDict:
        """Unblock the bot for a user."""
        body = await self._body(request)
        user_id = self._int_arg(body, "user_id") or self._required_int(body, "chat_id")
        self.unblock(user_id)
        return {"ok": True, "blocked": sorted(self._blocked)}

    async def _c_rate_limit(self, request: web.Request) -> JSONDict:
        """Switch rate limiting on/off and tune the limits."""
        body = await self._body(request)
        limits = RateLimits(
            global_per_second=int(body.get("global_per_second", self.limits.global_per_second)),
            chat_per_second=int(body.get("chat_per_second", self.limits.chat_per_second)),
            group_per_minute=int(body.get("group_per_minute", self.limits.group_per_minute)),
        )
        self.set_rate_limit(bool(body.get("enabled", True)), limits)
        return {"enabled": self.rate_limit, **asdict(self.limits)}

    async def _c_file(self, request: web.Request) -> web.StreamResponse:
        """Raw bytes of a stored file."""
        stored = self._files.get(request.match_info["file_id"])
        if stored is None:
            return _json_response({"ok": False, "error": "file not found"}, 404)
        return web.Response(body=stored.data, content_type=stored.mime_type)
