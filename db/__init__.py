"""Database access: one engine and one sessionmaker per process, migrations by Alembic."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

DEFAULT_THREADS = 2
"""Threads running PostgreSQL work off the event loop (setting database.threads).

Each thread needs Python's GIL to turn rows into objects, and so does the event loop: on the
load test (2 cores, back-to-back runs) 2 threads gave a reply p99 of 68–108 ms, 1 thread
268 ms (the queries queue up), 3 threads 147 ms; asyncio's default pool (6 threads) gave
116–670 ms over the session.
"""
_threads = DEFAULT_THREADS
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def set_threads(count: int) -> None:
    """Set how many threads run database work (the next call starts the new pool)."""
    global _threads, _executor
    with _executor_lock:
        count = max(1, count)
        if count != _threads and _executor is not None:
            _executor.shutdown(wait=False)
            _executor = None
        _threads = count


def _database_executor() -> ThreadPoolExecutor:
    """Return the process's database threads, started on first use."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=_threads, thread_name_prefix="db")
        return _executor


def make_engine(url: str) -> Engine:
    """Create the engine, with SQLite tuned for a bot (WAL, foreign keys, busy timeout)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # No pool_pre_ping: it costs a round trip on every checkout, that is several per update.
    # A connection broken by a server restart fails one update (the user is asked to try
    # again) and SQLAlchemy then replaces every pooled connection.
    return create_engine(url, pool_size=10, max_overflow=10, pool_recycle=3600)


async def run_blocking(engine: Engine, fn: Callable[..., T], *args: Any) -> T:
    """Run database work off the event loop when the database is a server.

    A PostgreSQL query waits on the network and on the server; in a worker thread that wait
    no longer holds up the event loop. SQLite calls are in-process and short, so they run
    in place (a thread hop would cost more than it saves).
    """
    if engine.dialect.name == "sqlite":
        return fn(*args)
    # Like asyncio.to_thread, with the caller's context (the update being handled).
    call = functools.partial(contextvars.copy_context().run, fn, *args)
    return await asyncio.get_running_loop().run_in_executor(_database_executor(), call)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return a sessionmaker whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Any:
    """Return the Alembic configuration for this database URL."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema to Alembic's head (or to a given revision)."""
    from alembic import command

    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Downgrade the schema to a given revision."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)
