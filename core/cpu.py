"""CPU-heavy work in worker processes, so that the event loop keeps answering everyone.

Scoring a drill answer runs a full spaCy pipeline (about 6 ms, and 4 to 5 s to load the
model the first time): inside the bot process that would stall every other user for as
long. A small process pool, started with the bot and warmed up in the background, runs
it instead; the event loop only awaits the result.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: end this worker as soon as the bot process is gone.

    A bot killed with SIGKILL (or stopping without waiting for its pool) would otherwise
    leave its workers running, each holding a loaded spaCy model.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _warm_up() -> None:
    """Load what scoring needs (spaCy model, lexicon, objection bank) in the worker."""
    from coaching.scoring import score_answer
    from core.heap import freeze_startup_heap

    score_answer("C'est trop cher.", "Je comprends : trop cher par rapport à quoi ?", "prix")
    freeze_startup_heap()


def _log_warm_up(future: Future[None]) -> None:
    """Say when the workers are ready, or why they could not load their models."""
    if future.cancelled():
        return
    if future.exception() is not None:
        log.error("CPU workers could not warm up: %s", future.exception())
    else:
        log.info("startup scoring_ready")


class CpuPool:
    """A pool of worker processes (spawned, not forked: the bot holds sockets and threads)."""

    def __init__(self, processes: int) -> None:
        self.processes = max(1, processes)
        self._executor: ProcessPoolExecutor | None = None
        self._warm: Future[None] | None = None

    def start(self) -> None:
        """Start the workers and load the models in the background."""
        if self._executor is not None:
            return
        self._executor = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        self._warm = self._executor.submit(_warm_up)
        self._warm.add_done_callback(_log_warm_up)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a picklable function in a worker; a dead pool is replaced once."""
        for attempt in (1, 2):
            if self._executor is None:
                self.start()
            assert self._executor is not None
            try:
                return await asyncio.wrap_future(self._executor.submit(fn, *args))
            except BrokenProcessPool:
                log.error("a CPU worker process died; restarting the pool")
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def ready(self) -> None:
        """Wait until the workers have loaded their models."""
        if self._warm is not None:
            await asyncio.wrap_future(self._warm)

    def close(self) -> None:
        """Stop the workers without waiting for queued work."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = None
        self._warm = None
