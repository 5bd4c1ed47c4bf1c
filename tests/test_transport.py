"""The bot process's plumbing: proxy settings read once, the start-up heap kept out of the GC."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.request import env_proxy
from core.heap import freeze_startup_heap


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
