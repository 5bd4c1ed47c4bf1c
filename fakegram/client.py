"""Async httpx client for the control API of the fake Telegram server."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

import httpx

from fakegram.errors import ControlError, WaitTimeout

__all__ = ["FakeTelegramClient"]

JSONDict = dict[str, Any]


class FakeTelegramClient:
    """Talks to ``/control/*`` as Telegram users would talk to the bot."""

    def __init__(
        self,
        base: str,
        *,
        timeout: float = 30.0,
        max_connections: int = 200,
    ) -> None:
        """`base` is the server root (``http://127.0.0.1:PORT``; a trailing ``/bot`` is stripped)."""
        base = base.rstrip("/")
        if base.endswith("/bot"):
            base = base[: -len("/bot")]
        self.base = base
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            base_url=base,
            timeout=timeout,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            trust_env=False,
        )

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> FakeTelegramClient:
        """Use as an async context manager."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close on exit."""
        await self.aclose()

    # ------------------------------------------------------------------ plumbing

    async def _call(
        self,
        verb: str,
        path: str,
        *,
        json: JSONDict | None = None,
        params: JSONDict | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Call a control endpoint and decode its JSON; raise ControlError/WaitTimeout."""
        if params is not None:
            params = {k: v for k, v in params.items() if v is not None}
        if json is not None:
            json = {k: v for k, v in json.items() if v is not None}
        response = await self._http.request(
            verb,
            f"/control/{path}",
            json=json,
            params=params,
            timeout=self._timeout if timeout is None else timeout,
        )
        payload = response.json()
        if response.status_code == 408 and "records" in payload:
            raise WaitTimeout(payload.get("error", "timeout"), payload["records"])
        if response.status_code >= 400:
            raise ControlError(response.status_code, payload.get("error", response.text))
        return payload

    @staticmethod
    def _methods(methods: Iterable[str] | str | None) -> str | None:
        """Encode a methods filter."""
        if methods is None or isinstance(methods, str):
            return methods
        return ",".join(methods)

    # ------------------------------------------------------------------ users → bot

    async def send_message(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        chat_id: int | None = None,
        chat_type: str | None = None,
        edit_of: int | None = None,
        reply_to: int | None = None,
        **extra: Any,
    ) -> JSONDict:
        """Inject a user text; returns ``{update_id, message_id, chat_id, seq}``."""
        body = {
            "user_id": user_id,
            "text": text,
            "first_name": first_name,
            "chat_id": chat_id,
            "chat_type": chat_type,
            "edit_of": edit_of,
            "reply_to": reply_to,
            **extra,
        }
        return await self._call("POST", "message", json=body)

    async def edit_message(
        self, user_id: int, message_id: int, text: str, **extra: Any
    ) -> JSONDict:
        """Inject an edited_message update for a previous user message."""
        return await self.send_message(user_id, text, edit_of=message_id, **extra)

    async def send_command(
        self, user_id: int, command: str, args: str | None = None, **extra: Any
    ) -> JSONDict:
        """Inject ``/command args`` with its bot_command entity."""
        body = {"user_id": user_id, "command": command, "args": args, **extra}
        return await self._call("POST", "command", json=body)

    async def send_content(
        self, user_id: int, kind: str, *, data: bytes | None = None, **extra: Any
    ) -> JSONDict:
        """Inject photo/sticker/voice/document/location/contact/video/audio/... content."""
        body: JSONDict = {"user_id": user_id, "kind": kind, **extra}
        if data is not None:
            body["data_b64"] = base64.b64encode(data).decode()
        return await self._call("POST", "content", json=body)

    async def press(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        force: bool = False,
    ) -> JSONDict:
        """Press an inline button; returns ``{update_id, callback_query_id, seq}``."""
        body = {
            "user_id": user_id,
            "message_id": message_id,
            "data": data,
            "chat_id": chat_id,
            "force": force or None,
        }
        return await self._call("POST", "callback", json=body)

    async def inject_update(self, update: JSONDict) -> JSONDict:
        """Inject a raw update (update_id is assigned by the server)."""
        return await self._call("POST", "update", json={"update": update})

    # ------------------------------------------------------------------ bot → users

    async def sent(
        self,
        chat_id: int | None = None,
        since: int = 0,
        *,
        methods: Iterable[str] | str | None = None,
        limit: int | None = None,
    ) -> list[JSONDict]:
        """Records with seq > since (``methods="*"`` includes chat actions and callback answers)."""
        params = {
            "chat_id": chat_id,
            "since": since,
            "methods": self._methods(methods),
            "limit": limit,
        }
        return (await self._call("GET", "sent", params=params))["records"]

    async def wait(
        self,
        chat_id: int | None = None,
        count: int = 1,
        since: int = 0,
        timeout: float = 10.0,
        *,
        methods: Iterable[str] | str | None = None,
    ) -> list[JSONDict]:
        """Wait server-side for >= count records after `since`; raise WaitTimeout otherwise."""
        params = {
            "chat_id": chat_id,
            "count": count,
            "since": since,
            "timeout": timeout,
            "methods": self._methods(methods),
        }
        payload = await self._call("GET", "wait", params=params, timeout=timeout + 10.0)
        return payload["records"]

    async def ask(
        self,
        user_id: int,
        text: str,
        count: int = 1,
        timeout: float = 10.0,
        **extra: Any,
    ) -> list[JSONDict]:
        """Send a user text (or /command) and return the bot's next `count` records in that chat."""
        injected = await self.send_message(user_id, text, **extra)
        return await self.wait(injected["chat_id"], count, injected["seq"], timeout)

    async def click(
        self,
        user_id: int,
        message_id: int,
        data: str,
        count: int = 1,
        timeout: float = 10.0,
        *,
        methods: Iterable[str] | str | None = None,
        **extra: Any,
    ) -> list[JSONDict]:
        """Press a button and return the bot's next `count` records in that chat."""
        pressed = await self.press(user_id, message_id, data, **extra)
        chat_id = extra.get("chat_id") or user_id
        return await self.wait(chat_id, count, pressed["seq"], timeout, methods=methods)

    async def updates(self) -> JSONDict:
        """Pending/delivered/confirmed update ids and the confirmed offset."""
        return await self._call("GET", "updates")

    async def wait_confirmed(self, update_id: int, timeout: float = 10.0) -> JSONDict:
        """Wait until the bot confirmed `update_id` (next getUpdates offset)."""
        return await self._call(
            "GET",
            "wait_confirmed",
            params={"update_id": update_id, "timeout": timeout},
            timeout=timeout + 10.0,
        )

    async def chat(self, chat_id: int) -> JSONDict:
        """Chat object and its current messages (after edits/deletions)."""
        return await self._call("GET", "chat", params={"chat_id": chat_id})

    async def commands(self) -> list[JSONDict]:
        """Command lists registered with setMyCommands."""
        return (await self._call("GET", "commands"))["commands"]

    async def file_bytes(self, file_id: str) -> bytes:
        """Bytes of a file uploaded by the bot (or injected)."""
        response = await self._http.get(f"/control/files/{file_id}")
        if response.status_code != 200:
            raise ControlError(response.status_code, response.text)
        return response.content

    async def stats(self) -> JSONDict:
        """Counts per method, errors, 429s and max per-second send rates."""
        return await self._call("GET", "stats")

    async def health(self) -> JSONDict:
        """Liveness probe."""
        return await self._call("GET", "health")

    # ------------------------------------------------------------------ faults and settings

    async def fault(
        self,
        kind: str,
        *,
        method: str | None = None,
        chat_id: int | None = None,
        count: int = 1,
        retry_after: int | None = None,
        delay: float | None = None,
    ) -> JSONDict:
        """Make the next `count` matching calls fail (429/500/502/timeout/reset)."""
        body = {
            "kind": kind,
            "method": method,
            "chat_id": chat_id,
            "count": count,
            "retry_after": retry_after,
            "delay": delay,
        }
        return await self._call("POST", "faults", json=body)

    async def faults(self) -> list[JSONDict]:
        """Faults still armed."""
        return (await self._call("GET", "faults"))["faults"]

    async def reset(self) -> JSONDict:
        """Clear all server state (update ids and record seqs keep increasing)."""
        return await self._call("POST", "reset", json={})

    async def block(self, user_id: int) -> JSONDict:
        """Simulate the user blocking the bot (sends answer 403)."""
        return await self._call("POST", "block", json={"user_id": user_id})

    async def unblock(self, user_id: int) -> JSONDict:
        """Undo `block`."""
        return await self._call("POST", "unblock", json={"user_id": user_id})

    async def set_rate_limit(
        self,
        enabled: bool = True,
        *,
        global_per_second: int | None = None,
        chat_per_second: int | None = None,
        group_per_minute: int | None = None,
    ) -> JSONDict:
        """Switch Telegram's send limits on/off and tune them."""
        body = {
            "enabled": enabled,
            "global_per_second": global_per_second,
            "chat_per_second": chat_per_second,
            "group_per_minute": group_per_minute,
        }
        return await self._call("POST", "rate_limit", json=body)
