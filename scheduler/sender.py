"""Sends within Telegram's limits: under 30 messages/s overall, one per second per chat.

About 27 per second keeps a margin under the ~30/s Telegram tolerates. One dispatcher task releases queued sends at a steady pace, measured when each send
actually starts, so a stalled event loop never turns into a burst; 429 ``retry_after``
pauses the dispatcher, 403 marks the chat blocked, network errors retry with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

log = logging.getLogger(__name__)

SENT, BLOCKED, FAILED = "sent", "blocked", "failed"


@dataclass
class _Job:
    """One queued send."""

    chat_id: int
    call: Callable[[], Awaitable[Any]]
    future: asyncio.Future[str]
    attempts: int = 0
    not_before: float = 0.0
    backoff: float = field(default=1.0)


class PushSender:
    """Steady global pace, per-chat spacing, 429-aware, bounded retries."""

    def __init__(
        self, rate: float = 27.0, per_chat_interval: float = 1.0, max_attempts: int = 6
    ) -> None:
        self.interval = 1.0 / rate
        self.per_chat_interval = per_chat_interval
        self.max_attempts = max_attempts
        self._queue: deque[_Job] = deque()
        self._wakeup = asyncio.Event()
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}
        self._dispatcher: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self.stats = {"sent": 0, "retry_after": 0, "errors": 0, "blocked": 0}

    async def send(self, chat_id: int, call: Callable[[], Awaitable[Any]]) -> str:
        """Queue one send call and wait for its outcome: sent, blocked or failed."""
        loop = asyncio.get_running_loop()
        job = _Job(chat_id, call, loop.create_future())
        self._queue.append(job)
        self._wakeup.set()
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name="push-sender")
        return await job.future

    async def _dispatch(self) -> None:
        """Release queued sends one interval apart."""
        next_slot = 0.0
        while self._queue:
            now = time.monotonic()
            job = self._pick(now)
            if job is None:
                waits = [
                    max(j.not_before, self._chat_next.get(j.chat_id, 0.0)) for j in self._queue
                ]
                await self._sleep(min(waits) - now)
                continue
            ready = max(next_slot, self._paused_until)
            if ready > now:
                self._queue.appendleft(job)
                await self._sleep(ready - now)
                continue
            next_slot = now + self.interval
            self._chat_next[job.chat_id] = now + self.per_chat_interval
            task = asyncio.create_task(self._run(job))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    def _pick(self, now: float) -> _Job | None:
        """Take the first queued send whose chat and retry time allow it now."""
        for _ in range(min(len(self._queue), 200)):
            job = self._queue.popleft()
            if job.not_before <= now and self._chat_next.get(job.chat_id, 0.0) <= now:
                return job
            self._queue.append(job)
        return None

    async def _sleep(self, seconds: float) -> None:
        """Sleep, waking early when a send is queued."""
        self._wakeup.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout=max(seconds, 0.001))

    async def _run(self, job: _Job) -> None:
        """Run one attempt; requeue it on 429 or network errors."""
        job.attempts += 1
        try:
            await job.call()
        except RetryAfter as exc:
            raw = exc.retry_after
            wait = raw.total_seconds() if hasattr(raw, "total_seconds") else float(raw)
            self.stats["retry_after"] += 1
            self._paused_until = max(self._paused_until, time.monotonic() + wait)
            self._retry(job, 0.0)
            return
        except Forbidden:
            self.stats["blocked"] += 1
            job.future.set_result(BLOCKED)
            return
        except BadRequest:
            self.stats["errors"] += 1
            log.warning("push to chat %s rejected by Telegram", job.chat_id)
            job.future.set_result(FAILED)
            return
        except (TimedOut, NetworkError):
            self.stats["errors"] += 1
            self._retry(job, job.backoff)
            job.backoff = min(job.backoff * 2, 30.0)
            return
        self.stats["sent"] += 1
        job.future.set_result(SENT)

    def _retry(self, job: _Job, delay: float) -> None:
        """Put a job back in the queue, or give up after max_attempts."""
        if job.attempts >= self.max_attempts:
            log.warning("push to chat %s failed after %d attempts", job.chat_id, job.attempts)
            job.future.set_result(FAILED)
            return
        job.not_before = time.monotonic() + delay
        self._queue.appendleft(job)
        self._wakeup.set()
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name="push-sender")
