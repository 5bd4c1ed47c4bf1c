"""HTTP to the Bot API over aiohttp, with retries of 429, 5xx, timeouts and connection resets.

PTB's default transport is httpx; under load its pure-Python HTTP/1.1 stack cost about as
much CPU as the bot's own work, so the bot talks to Telegram through aiohttp (C parser,
keep-alive pool) behind PTB's ``BaseRequest`` interface. ``RetryingRequest`` adds the fault
handling: a 429 waits the ``retry_after`` Telegram asked for (only this send waits, other
users are served meanwhile), 5xx answers, timeouts and resets back off exponentially, both
with a cap. A send that still fails is logged with the chat id by the caller's error handler
and kept in the outbox for retry.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

RETRY_STATUSES = {500, 502, 503, 504}
SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}
USER_AGENT = "salescoach (python-telegram-bot, aiohttp)"


def _seconds(value: Any, default: float | None) -> float | None:
    """Return a timeout argument in seconds (PTB passes DEFAULT_NONE when unset)."""
    if isinstance(value, int | float) or value is None:
        return value
    return default


@lru_cache(maxsize=64)
def env_proxy(scheme: str, host: str) -> str | None:
    """Return the proxy the environment sets for a host (HTTPS_PROXY, NO_PROXY…), or None.

    aiohttp's ``trust_env`` looks this up, and reads ~/.netrc, on every request: under load
    that was 6 % of the bot's CPU. The bot talks to one host, so it is looked up once.
    """
    if urllib.request.proxy_bypass(host):
        return None
    return urllib.request.getproxies().get(scheme)


class AiohttpRequest(BaseRequest):
    """PTB request backed by one aiohttp session with a keep-alive connection pool."""

    def __init__(
        self,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """Default read timeout in seconds (PTB adds the long-polling timeout to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session inside the running event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, keepalive_timeout=30),
                headers={"User-Agent": USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the raw body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = (
            request_data.multipart_data if request_data and request_data.contains_files else None
        )
        write_default = self._media_write_timeout if files else self._write_timeout
        read = _seconds(read_timeout, self._read_timeout)
        write = _seconds(write_timeout, write_default)
        connect = _seconds(connect_timeout, self._connect_timeout)
        pool = _seconds(pool_timeout, self._pool_timeout)
        # aiohttp has no write timeout: it bounds the whole exchange instead.
        parts = [t for t in (read, write, connect, pool) if t is not None]
        timeout = aiohttp.ClientTimeout(
            total=sum(parts) if len(parts) == 4 else None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_read=read,
        )
        body: Any = None
        headers: dict[str, str] = {}
        if files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():  # type: ignore[union-attr]
                form.add_field(name, value)
            for name, (file_name, content, mime_type) in files.items():
                form.add_field(name, content, filename=file_name, content_type=mime_type)
            body = form
        elif request_data is not None and request_data.parameters:
            body = request_data.json_payload
            headers["Content-Type"] = "application/json"
        parts_url = urlsplit(url)
        proxy = env_proxy(parts_url.scheme, parts_url.hostname or "")
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=proxy
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


class RetryingRequest(AiohttpRequest):
    """AiohttpRequest that retries 429 after ``retry_after`` and transient failures with backoff."""

    def __init__(
        self,
        *args: Any,
        attempts: int = 4,
        base_delay: float = 0.5,
        max_retry_after: float = 30.0,
        on_give_up: Callable[[str, dict[str, Any]], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_retry_after = max_retry_after
        self.on_give_up = on_give_up

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send, waiting out 429s and retrying 5xx answers, timeouts and resets."""
        api_method = url.rsplit("/", 1)[-1]
        delay = self.base_delay
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
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
                if api_method == "getUpdates" or last:
                    self._give_up(api_method, request_data)
                    raise
                wait = delay
            else:
                if status == 429 and api_method != "getUpdates":
                    retry_after = _retry_after(body)
                    if last or retry_after > self.max_retry_after:
                        self._give_up(api_method, request_data)
                        return status, body
                    log.warning("%s: 429, retrying in %.0f s", api_method, retry_after)
                    wait = retry_after
                elif status in RETRY_STATUSES and not last:
                    wait = delay
                else:
                    if status in RETRY_STATUSES:
                        self._give_up(api_method, request_data)
                    return status, body
            await asyncio.sleep(wait)
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


def _retry_after(body: bytes) -> float:
    """Read ``parameters.retry_after`` from a 429 answer (1 s when absent or unreadable)."""
    try:
        value = json.loads(body)["parameters"]["retry_after"]
        return max(float(value), 0.0)
    except (ValueError, KeyError, TypeError):
        return 1.0
