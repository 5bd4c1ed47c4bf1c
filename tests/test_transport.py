"""The bot process's plumbing: proxy settings, the start-up heap, the database threads."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar

import pytest
from sqlalchemy import create_engine

from bot.request import env_proxy
from core.heap import freeze_startup_heap
from db import DEFAULT_THREADS, run_blocking, set_threads

UPDATE: ContextVar[str] = ContextVar("update", default="none")


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A clean proxy environment and an empty env_proxy cache."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    env_proxy.cache_clear()
    yield monkeypatch
    env_proxy.cache_clear()


def test_no_proxy_configured(proxy_env: pytest.MonkeyPatch) -> None:
    assert env_proxy("https", "api.telegram.org") is None


def test_https_proxy_from_the_environment(proxy_env: pytest.MonkeyPatch) -> None:
    proxy_env.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    proxy_env.setenv("HTTP_PROXY", "http://plain.example:8080")
    assert env_proxy("https", "api.telegram.org") == "http://proxy.example:3128"
    assert env_proxy("http", "127.0.0.1") == "http://plain.example:8080"


def test_no_proxy_bypasses_listed_hosts(proxy_env: pytest.MonkeyPatch) -> None:
    proxy_env.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    proxy_env.setenv("NO_PROXY", "localhost,.internal.example")
    assert env_proxy("https", "bot.internal.example") is None
    assert env_proxy("https", "localhost") is None
    assert env_proxy("https", "api.telegram.org") == "http://proxy.example:3128"


def test_proxy_looked_up_once_per_host(proxy_env: pytest.MonkeyPatch) -> None:
    proxy_env.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    for _ in range(50):
        env_proxy("https", "api.telegram.org")
    info = env_proxy.cache_info()
    assert (info.misses, info.hits) == (1, 49)


def test_startup_heap_is_frozen_and_later_objects_are_collected() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    try:
        freeze_startup_heap()
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # every module and object loaded so far
        Node()  # a reference cycle created after start-up
        assert gc.collect() >= 1  # is still found and freed
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def _where() -> tuple[str, str]:
    """The thread running this and the update it sees; holds the thread a moment."""
    time.sleep(0.05)
    return threading.current_thread().name, UPDATE.get()


async def test_postgresql_work_runs_on_the_database_threads_with_the_callers_context() -> None:
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connects
    UPDATE.set("update 42")
    set_threads(DEFAULT_THREADS)
    seen = await asyncio.gather(*(run_blocking(engine, _where) for _ in range(6)))
    threads = {name for name, _ in seen}
    assert len(threads) == DEFAULT_THREADS == 2
    assert all(name.startswith("db") for name in threads)
    assert {update for _, update in seen} == {"update 42"}
    set_threads(1)
    seen = await asyncio.gather(*(run_blocking(engine, _where) for _ in range(3)))
    assert len({name for name, _ in seen}) == 1
    set_threads(DEFAULT_THREADS)
    engine.dispose()


async def test_sqlite_work_runs_in_place() -> None:
    engine = create_engine("sqlite://")
    name, _update = await run_blocking(engine, _where)
    assert name == threading.current_thread().name
    engine.dispose()
