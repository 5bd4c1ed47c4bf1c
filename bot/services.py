"""Long-lived services of the bot, created in post_init and closed in post_shutdown."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.settings import Settings
from db import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from nlu.interpreter import Interpreter

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What handlers and jobs need: settings, database and NLU."""

    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    nlu: Interpreter | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings, engine: Engine | None = None) -> Services:
        """Create the engine and sessionmaker for these settings."""
        engine = engine or make_engine(settings.database_url)
        return cls(settings=settings, engine=engine, sessionmaker=make_sessionmaker(engine))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open one session for an update or a job; commit on success, roll back on error."""
        with self.sessionmaker() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def get_nlu(self) -> Interpreter:
        """Return the NLU interpreter, loading it on first use."""
        if self.nlu is None:
            from nlu import load_interpreter

            self.nlu = load_interpreter(self.settings)
        return self.nlu

    def close(self) -> None:
        """Release the database pool."""
        self.engine.dispose()
