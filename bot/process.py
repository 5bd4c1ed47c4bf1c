"""What every bot process does the same way: its log format and its stop signals."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal


def setup_logging(tag: str | None = None) -> None:
    """Log at LOG_LEVEL (INFO by default), each line tagged with the process role if any."""
    role = f"[{tag}] " if tag else ""
    logging.basicConfig(
        format=f"%(asctime)s %(levelname)s {role}%(name)s: %(message)s",
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def stop_event() -> asyncio.Event:
    """Return an event set by SIGTERM or SIGINT (call inside the running event loop)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Event loops without Unix signal support (Windows) raise NotImplementedError:
        # there Ctrl-C stops the process the default way.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
