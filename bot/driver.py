"""Drive the real Application in-process: build Telegram updates, feed them, read replies.

Used by the console chat and by the fast tests; both go through the very same handlers.
"""

from __future__ import annotations

import itertools
import random
import time
from typing import Any

from telegram import Update

from bot.context import AppType
from bot.localapi import LocalBotApi, SentMessage
from bot.persistence import persist

_CONTENT: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]},
    "sticker": {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "su1",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    },
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "vu1", "duration": 3}},
    "document": {"document": {"file_id": "d1", "file_unique_id": "du1", "file_name": "x.pdf"}},
    "location": {"location": {"latitude": 45.76, "longitude": 4.83}},
    "video": {
        "video": {"file_id": "vd", "file_unique_id": "vdu", "width": 1, "height": 1, "duration": 1}
    },
}


class Driver:
    """Feed updates from simulated users to an Application wired to a LocalBotApi."""

    def __init__(self, app: AppType, api: LocalBotApi) -> None:
        self.app = app
        self.api = api
        # Telegram's update ids are unique per bot; start anywhere so that two drivers on one
        # database (a restart in a test) never reuse an id already recorded as processed.
        self._update_ids = itertools.count(random.randint(10**6, 10**9))
        self._message_ids = itertools.count(1)

    def _user(self, user_id: int, first_name: str) -> dict[str, Any]:
        """Return a Telegram User object."""
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "fr"}

    def message_update(
        self,
        user_id: int,
        text: str | None = None,
        *,
        first_name: str = "Camille",
        chat_type: str = "private",
        chat_id: int | None = None,
        content: str | None = None,
        edited: bool = False,
        date: int | None = None,
    ) -> dict[str, Any]:
        """Build a raw message update as Telegram would send it."""
        chat: dict[str, Any] = {"id": chat_id or user_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "Groupe"
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": date or int(time.time()),
            "chat": chat,
        }
        if chat_type != "channel":
            message["from"] = self._user(user_id, first_name)
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if content:
            message.update(_CONTENT[content])
        key = "message"
        if edited:
            key = "edited_message"
            message["edit_date"] = message["date"]
        if chat_type == "channel":
            key = "channel_post"
        return {"update_id": next(self._update_ids), key: message}

    def callback_update(
        self, user_id: int, message_id: int, data: str, *, first_name: str = "Camille"
    ) -> dict[str, Any]:
        """Build a button press on a message the bot sent."""
        stored = self.api.messages.get((user_id, message_id)) or {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "text": "",
        }
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._update_ids)),
                "from": self._user(user_id, first_name),
                "chat_instance": str(user_id),
                "message": stored,
                "data": data,
            },
        }

    async def feed(self, raw: dict[str, Any]) -> list[SentMessage]:
        """Process one raw update and return what the bot showed in response."""
        before = len(self.api.sent)
        await self.app.process_update(Update.de_json(raw, self.app.bot))
        await persist(self.app)
        return self.api.sent[before:]

    async def send(self, user_id: int, text: str, **kwargs: Any) -> list[SentMessage]:
        """Send a text message from a user."""
        return await self.feed(self.message_update(user_id, text, **kwargs))

    async def content(self, user_id: int, kind: str) -> list[SentMessage]:
        """Send a photo, sticker, voice note, document, location or video."""
        return await self.feed(self.message_update(user_id, None, content=kind))

    async def press(
        self, user_id: int, label: str, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """Press the button whose label contains ``label`` on the last message with buttons."""
        if message is None:
            candidates = [s for s in self.api.sent if s.chat_id == user_id and s.buttons]
            if not candidates:
                raise AssertionError("no message with buttons")
            message = candidates[-1]
        assert message.message_id is not None
        data = message.button_data(label)
        return await self.feed(self.callback_update(user_id, message.message_id, data))

    async def press_data(self, user_id: int, message_id: int, data: str) -> list[SentMessage]:
        """Press a button by its raw callback data (also forged data)."""
        return await self.feed(self.callback_update(user_id, message_id, data))
