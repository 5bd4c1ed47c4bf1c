"""An in-process stand-in for the Telegram Bot API, used by the console chat and fast tests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "SalesCoach",
    "username": "salescoach_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class SentMessage:
    """One call of the bot to the API that shows something to a user."""

    method: str
    chat_id: int | None
    message_id: int | None
    text: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    parse_mode: str | None = None
    file_name: str | None = None
    file_bytes: bytes | None = None

    def button_labels(self) -> list[str]:
        """Return the labels of the inline buttons, row by row."""
        return [b.get("text", "") for row in self.buttons for b in row]

    def button_data(self, label: str) -> str:
        """Return the callback data of the button whose label contains the given text."""
        for row in self.buttons:
            for b in row:
                if label.lower() in b.get("text", "").lower() and "callback_data" in b:
                    return str(b["callback_data"])
        raise KeyError(f"no button {label!r} in {self.button_labels()}")


class LocalBotApi(BaseRequest):
    """Answer Bot API calls in memory and record what the bot shows to users."""

    def __init__(self, on_send: Callable[[SentMessage], None] | None = None) -> None:
        self.sent: list[SentMessage] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_id: dict[int, int] = {}
        self.on_send = on_send
        self.fail_next: list[tuple[int, dict[str, Any]]] = []

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float | None:
        """Return the default read timeout."""
        return 5.0

    def _message(self, chat_id: int, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """Build and store a Message object as Telegram would return it."""
        message_id = self._next_id.get(chat_id, 100) + 1
        self._next_id[chat_id] = message_id
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Utilisateur"},
            "from": BOT_USER,
            **extra,
        }
        if "text" in params:
            message["text"] = params["text"]
        if params.get("reply_markup"):
            message["reply_markup"] = _as_obj(params["reply_markup"])
        self.messages[(chat_id, message_id)] = message
        return message

    def _record(self, method: str, params: dict[str, Any], message_id: int | None) -> None:
        """Record a visible message and notify the listener."""
        markup = _as_obj(params.get("reply_markup")) or {}
        sent = SentMessage(
            method=method,
            chat_id=_int(params.get("chat_id")),
            message_id=message_id,
            text=str(params.get("text") or params.get("caption") or ""),
            buttons=markup.get("inline_keyboard", []) if isinstance(markup, dict) else [],
            parse_mode=params.get("parse_mode"),
        )
        self.sent.append(sent)
        if self.on_send:
            self.on_send(sent)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answer one API call."""
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        self.calls.append((api_method, params))
        if self.fail_next:
            status, body = self.fail_next.pop(0)
            return status, json.dumps(body).encode()
        result: Any = True
        if api_method == "getMe":
            result = BOT_USER
        elif api_method == "getUpdates":
            result = []
        elif api_method in ("sendMessage", "sendPhoto", "sendDocument"):
            chat_id = int(params["chat_id"])
            extra: dict[str, Any] = {}
            if api_method != "sendMessage":
                extra["caption"] = params.get("caption", "")
            result = self._message(chat_id, params, **extra)
            self._record(api_method, params, result["message_id"])
            if api_method != "sendMessage" and request_data and request_data.multipart_data:
                part = next(iter(request_data.multipart_data.values()))
                self.sent[-1].file_name = str(part[0])
                self.sent[-1].file_bytes = part[1] if isinstance(part[1], bytes) else None
        elif api_method in ("editMessageText", "editMessageReplyMarkup"):
            chat_id = int(params["chat_id"])
            message_id = int(params["message_id"])
            stored = self.messages.get((chat_id, message_id))
            if stored is None:
                return 400, json.dumps(
                    {
                        "ok": False,
                        "error_code": 400,
                        "description": "Bad Request: message to edit not found",
                    }
                ).encode()
            if "text" in params:
                stored["text"] = params["text"]
            stored.pop("reply_markup", None)
            if params.get("reply_markup"):
                stored["reply_markup"] = _as_obj(params["reply_markup"])
            if "text" not in params:
                params = {**params, "text": stored.get("text", "")}
            self._record(api_method, params, message_id)
            result = stored
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def texts(self, chat_id: int | None = None) -> list[str]:
        """Return the texts shown to a chat (all chats when None)."""
        return [s.text for s in self.sent if chat_id is None or s.chat_id == chat_id]

    def last(self, chat_id: int | None = None) -> SentMessage:
        """Return the last message shown to a chat."""
        for sent in reversed(self.sent):
            if chat_id is None or sent.chat_id == chat_id:
                return sent
        raise AssertionError("the bot sent nothing")

    def stored_message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """Return the Message object as stored (for building callback queries)."""
        return self.messages[(chat_id, message_id)]


def _as_obj(value: Any) -> Any:
    """Decode a JSON string parameter if needed."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _int(value: Any) -> int | None:
    """Return an int or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
