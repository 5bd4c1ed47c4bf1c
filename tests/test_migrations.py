"""Alembic migrations: the models match head, and data migrations keep what users had."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bot.persistence import DbPersistence
from db import downgrade, make_engine, make_sessionmaker, upgrade
from db.models import Base, ConversationState
from tests.conftest import PG_ADMIN_URL, _pg_available


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema yet), SQLite or PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.sqlite3"
        return
    if not _pg_available():
        pytest.skip("PostgreSQL not running")
    name = f"salescoach_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_models_match_the_migrations_at_head(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


async def test_conversations_split_into_rows_and_back(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0004")
    engine = make_engine(empty_db_url)
    old = {"[11, 11]": "CARD", "[12, 12]": 3}
    with engine.begin() as conn:
        conn.execute(
            ConversationState.__table__.insert(),
            [
                {"key": "conv:journal", "data": old},
                {"key": "user:11", "data": {"card": {"company": "Dupont SA"}}},
            ],
        )

    upgrade(empty_db_url)
    with engine.connect() as conn:
        rows = dict(conn.execute(select(ConversationState.key, ConversationState.data)).all())
    assert rows == {
        "conv:journal:[11, 11]": {"state": "CARD"},
        "conv:journal:[12, 12]": {"state": 3},
        "user:11": {"card": {"company": "Dupont SA"}},
    }
    persistence = DbPersistence(make_sessionmaker(engine))
    assert await persistence.get_conversations("journal") == {(11, 11): "CARD", (12, 12): 3}
    assert await persistence.get_user_data() == {11: {"card": {"company": "Dupont SA"}}}

    downgrade(empty_db_url, "0004")
    with engine.connect() as conn:
        rows = dict(conn.execute(select(ConversationState.key, ConversationState.data)).all())
    assert rows["conv:journal"] == old and rows["user:11"] == {"card": {"company": "Dupont SA"}}
    engine.dispose()


async def test_persistence_writes_only_what_changed(services) -> None:  # type: ignore[no-untyped-def]
    persistence = DbPersistence(services.sessionmaker)
    statements: list[str] = []

    from sqlalchemy import event

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(services.engine, "before_cursor_execute", count)
    await persistence.update_user_data(7, {"a": 1})
    await persistence.update_user_data(7, {"a": 1})  # unchanged: not written again
    await persistence.update_conversation("drill", (7, 7), "ANSWER")
    await persistence.update_conversation("journal", (7, 7), "CARD")
    await persistence.update_conversation("drill", (7, 7), None)
    persistence.write_pending()  # one transaction: the DELETE, then one multi-row upsert
    event.remove(services.engine, "before_cursor_execute", count)
    assert len(statements) == 2
    persistence.write_pending()  # nothing staged any more
    await persistence.update_user_data(7, {"a": 1})  # unchanged since written
    assert persistence._pending == {}

    fresh = DbPersistence(services.sessionmaker)
    assert await fresh.get_user_data() == {7: {"a": 1}}
    assert await fresh.get_conversations("drill") == {}
    assert await fresh.get_conversations("journal") == {(7, 7): "CARD"}
    # A handler name that is a prefix of another does not see the other's rows.
    assert await fresh.get_conversations("journ") == {}
