"""Sends within Telegram's limits: about 25 messages/s overall, one per second per chat."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

log = logging.getLogger(__name__)

SENT, BLOCKED, FAILED = "sent", "blocked", "failed"


class PushSender:
    """A global token bucket plus a per-chat spacing, honouring 429 retry_after."""

    def __init__(
        self, rate: float = 25.0, per_chat_interval: float = 1.0, max_attempts: int = 6
    ) -> None:
        self.interval = 1.0 / rate
        self.per_chat_interval = per_chat_interval
        self.max_attempts = max_attempts
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        self._lock = asyncio.Lock()
        self.stats = {"sent": 0, "retry_after": 0, "errors": 0, "blocked": 0}

    async def _acquire(self, chat_id: int) -> None:
        """Wait for a global slot and for this chat's spacing."""
        async with self._lock:
            now = time.monotonic()
            start = max(
                now, self._next_slot, self._paused_until, self._chat_next.get(chat_id, 0.0)
            )
            self._next_slot = start + self.interval
            self._chat_next[chat_id] = start + self.per_chat_interval
        delay = start - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def send(self, chat_id: int, call: Callable[[], Awaitable[Any]]) -> str:
        """Run one send call with limits and retries; return sent, blocked or failed."""
        backoff = 1.0
        for _attempt in range(self.max_attempts):
            await self._acquire(chat_id)
            try:
                await call()
                self.stats["sent"] += 1
                return SENT
            except RetryAfter as exc:
                wait = (
                    exc.retry_after.total_seconds()
                    if hasattr(exc.retry_after, "total_seconds")
                    else float(exc.retry_after)
                )
                self.stats["retry_after"] += 1
                async with self._lock:
                    self._paused_until = max(self._paused_until, time.monotonic() + wait)
            except Forbidden:
                self.stats["blocked"] += 1
                return BLOCKED
            except BadRequest:
                self.stats["errors"] += 1
                log.warning("push to chat %s rejected by Telegram", chat_id)
                return FAILED
            except (TimedOut, NetworkError):
                self.stats["errors"] += 1
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
        log.warning("push to chat %s failed after %d attempts", chat_id, self.max_attempts)
        return FAILED
