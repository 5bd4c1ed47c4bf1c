"""Shared fixtures: real databases (SQLite and PostgreSQL), the NLU, and the in-process bot."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app import build_application
from bot.driver import Driver
from bot.localapi import LocalBotApi
from bot.services import Services
from core.settings import Settings, load_settings
from db import make_engine, upgrade
from db.models import Base

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)
PG_ADMIN_URL = os.environ.get(
    "SALESCOACH_TEST_PG", "postgresql+psycopg://root:salescoach@127.0.0.1:5432/postgres"
)


def _pg_available() -> bool:
    """Say whether the test PostgreSQL server answers."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate one SQLite file once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """Create one migrated PostgreSQL database for the session, dropped at the end."""
    if not _pg_available():
        if os.environ.get("SALESCOACH_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL is required but does not answer at {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL not running (make test starts it)")
    name = f"salescoach_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _emptied(url: str) -> str:
    """Empty every table of a migrated PostgreSQL database; return its URL."""
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """The session's migrated PostgreSQL database, emptied for this test."""
    yield _emptied(pg_database)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite file copy or truncated PostgreSQL."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    yield _emptied(request.getfixturevalue("pg_database"))


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the test database, with defaults elsewhere."""
    return load_settings(
        environ={
            "DATABASE_URL": db_url,
            "NLU_MODEL_DIR": str(Path(__file__).resolve().parent.parent / "var" / "nlu"),
        }
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Services on the test database."""
    engine = make_engine(settings.database_url)
    services = Services.create(settings, engine=engine)
    yield services
    services.close()


@pytest.fixture(scope="session")
def nlu_interpreter():  # type: ignore[no-untyped-def]
    """The embedded NLU, trained once (cached on disk by data hash)."""
    from nlu.embedded import EmbeddedInterpreter

    root = Path(__file__).resolve().parent.parent / "var" / "nlu"
    return EmbeddedInterpreter.load_or_train(root)


@pytest.fixture
async def bot(services: Services, nlu_interpreter) -> AsyncIterator[Driver]:  # type: ignore[no-untyped-def]
    """The real Application with a recording Bot API, driven in-process."""
    services.nlu = nlu_interpreter
    api = LocalBotApi()
    app = build_application(services.settings, request=api, services=services)
    async with app:
        yield Driver(app, api)


async def onboard(
    driver: Driver, user_id: int, role: str = "Commercial", name: str = "Camille"
) -> None:
    """Run /start and pick a name and a role."""
    await driver.send(user_id, "/start", first_name=name)
    await driver.press(user_id, "Utiliser")
    await driver.press(user_id, role)
