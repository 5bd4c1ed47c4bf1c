"""HTTP to the Bot API with retries: 5xx, timeouts and connection resets back off and retry.

429 is left to PTB's AIORateLimiter (which honours ``retry_after``); a send that still fails
is logged with the chat id by the caller's error handler and kept in the outbox for retry.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger(__name__)

RETRY_STATUSES = {500, 502, 503, 504}
SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}


class RetryingRequest(HTTPXRequest):
    """HTTPXRequest that retries transient failures with exponential backoff and a cap."""

    def __init__(
        self,
        *args: Any,
        attempts: int = 4,
        base_delay: float = 0.5,
        on_give_up: Callable[[str, dict[str, Any]], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.attempts = attempts
        self.base_delay = base_delay
        self.on_give_up = on_give_up

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
        """Send, retrying 5xx answers, timeouts and resets."""
        api_method = url.rsplit("/", 1)[-1]
        delay = self.base_delay
        for attempt in range(1, self.attempts + 1):
            try:
                status, body = await super().do_request(
                    url,
                    method,
                    request_data,
                    read_timeout,
                    write_timeout,
                    connect_timeout,
                    pool_timeout,
                )
            except (TimedOut, NetworkError):
                if api_method == "getUpdates" or attempt == self.attempts:
                    self._give_up(api_method, request_data)
                    raise
            else:
                if status not in RETRY_STATUSES or attempt == self.attempts:
                    if status in RETRY_STATUSES:
                        self._give_up(api_method, request_data)
                    return status, body
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8.0)
        raise AssertionError("unreachable")

    def _give_up(self, api_method: str, request_data: RequestData | None) -> None:
        """Hand a send that finally failed to the outbox."""
        if api_method in SEND_METHODS and request_data is not None and self.on_give_up:
            try:
                self.on_give_up(
                    api_method, json.loads(json.dumps(request_data.parameters, default=str))
                )
            except Exception:  # the outbox is best effort; the error handler logs the failure
                log.exception("could not keep a failed send for retry")
