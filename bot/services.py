"""Long-lived services of the bot, created in post_init and closed in post_shutdown."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from core.accounts import forget_cached_users
from core.settings import Settings
from db import make_engine, make_sessionmaker, run_blocking, set_threads

if TYPE_CHECKING:
    from core.cpu import CpuPool
    from nlu.interpreter import Interpreter

log = logging.getLogger(__name__)
T = TypeVar("T")

# The Telegram update being handled: the first transaction with effects records its id,
# so that a redelivered update (after a crash) is recognised and not applied twice.
CURRENT_UPDATE: ContextVar[dict[str, Any] | None] = ContextVar("current_update", default=None)


def _mark_written(session: Session, _context: Any) -> None:
    """Remember that this session wrote something (a flush with changes)."""
    session.info["wrote"] = True


def _mark_bulk_write(state: Any) -> None:
    """Remember bulk UPDATE / DELETE / INSERT statements too."""
    if state.is_update or state.is_delete or state.is_insert:
        state.session.info["wrote"] = True
        if state.is_update or state.is_delete:
            forget_cached_users()  # users read earlier in this update may be out of date


def _tracked(maker: sessionmaker[Session]) -> sessionmaker[Session]:
    """Make the sessions of this sessionmaker note whether they wrote anything."""
    event.listen(maker, "after_flush", _mark_written)
    event.listen(maker, "do_orm_execute", _mark_bulk_write)
    return maker


@dataclass
class Services:
    """What handlers and jobs need: settings, database and NLU."""

    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    reader: sessionmaker[Session]
    nlu: Interpreter | None = None
    cpu: CpuPool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings, engine: Engine | None = None) -> Services:
        """Create the engine and sessionmaker for these settings."""
        engine = engine or make_engine(settings.database_url)
        set_threads(settings.database_threads)
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=_tracked(make_sessionmaker(engine)),
            # same pool, autocommit: no BEGIN and COMMIT round trips for a short read
            reader=_tracked(
                make_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
            ),
        )

    @contextmanager
    def session(self, *, record_update: bool = True, reads: bool = False) -> Iterator[Session]:
        """Open one session for an update or a job; commit on success, roll back on error.

        ``reads=True`` is for a session that only reads (or writes one row at most): its
        statements run in autocommit mode, without BEGIN and COMMIT round trips.
        """
        maker = self.reader if reads else self.sessionmaker
        with maker() as session:
            try:
                yield session
                current = CURRENT_UPDATE.get()
                wrote = session.info.get("wrote") or bool(
                    session.new or session.dirty or session.deleted
                )
                if record_update and current is not None and not current["recorded"] and wrote:
                    from db.models import ProcessedUpdate

                    session.add(ProcessedUpdate(update_id=current["id"]))
                    current["recorded"] = True
                session.commit()
            except BaseException:
                session.rollback()
                raise

    async def run_db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a function that uses the database, off the event loop with PostgreSQL."""
        return await run_blocking(self.engine, fn, *args)

    def get_nlu(self) -> Interpreter:
        """Return the NLU interpreter, loading it on first use."""
        if self.nlu is None:
            from nlu import load_interpreter

            self.nlu = load_interpreter(self.settings)
        return self.nlu

    def start_workers(self) -> None:
        """Start the scoring worker processes (none when scoring_processes is 0)."""
        if self.cpu is None and self.settings.scoring_processes > 0:
            from core.cpu import CpuPool

            self.cpu = CpuPool(self.settings.scoring_processes)
            self.cpu.start()

    async def score_answer(self, prompt: str, answer: str, category: str | None) -> dict[str, Any]:
        """Score a drill answer, in a worker process when there is one."""
        from coaching.scoring import score_answer

        if self.cpu is None:
            return score_answer(prompt, answer, category)
        return await self.cpu.run(score_answer, prompt, answer, category)

    def close(self) -> None:
        """Stop the workers and release the database pool."""
        if self.cpu is not None:
            self.cpu.close()
            self.cpu = None
        self.engine.dispose()
