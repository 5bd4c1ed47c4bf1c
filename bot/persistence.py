"""PTB persistence backed by the database (conversation state survives restarts)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from db import run_blocking
from db.models import ConversationState

log = logging.getLogger(__name__)


def _encode(value: Any) -> str:
    """Return the canonical JSON text of a value (unknown objects become strings)."""
    try:
        return json.dumps(value, default=str, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        log.warning("dropping non-JSON state")
        return "{}"


def _insert(dialect: str) -> Any:
    """Return the dialect's INSERT that supports ON CONFLICT."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def conversation_key(name: str, key: ConversationKey) -> str:
    """Row key of one conversation of one handler (one row each: no shared row to lock)."""
    return f"{CONV_PREFIX}{name}:{json.dumps(list(key))}"


CONV_PREFIX = "conv:"


async def persist(app: Any) -> None:
    """Hand PTB's changed state to the persistence and commit it (before confirming updates)."""
    await app.update_persistence()
    persistence = app.persistence
    if isinstance(persistence, DbPersistence):
        await persistence.write_pending_async()


class DbPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Store user data, chat data and conversations in the conversation_state table."""

    def __init__(self, maker: sessionmaker[Session], update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, callback_data=False),
            update_interval=update_interval,
        )
        self._maker = maker
        # JSON last written per row key: PTB hands over every active user's data after each
        # update, most of it unchanged, and an unchanged row is not written again.
        self._written: dict[str, str] = {}
        # Rows staged by PTB's update_* calls (None: delete), written in one transaction.
        self._pending: dict[str, str | None] = {}
        self._flush: asyncio.Task[None] | None = None
        self._write_lock = asyncio.Lock()

    @property
    def _engine(self) -> Engine:
        """The engine behind the sessionmaker."""
        engine = self._maker.kw["bind"]
        assert isinstance(engine, Engine)
        return engine

    def _load_prefix(self, prefix: str) -> dict[str, Any]:
        """Load every row whose key starts with the prefix (and remember what is stored)."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(ConversationState.key, ConversationState.data).where(
                    ConversationState.key.startswith(prefix, autoescape=True)
                )
            ).all()
        for key, data in rows:
            self._written[key] = _encode(data)
        return {key[len(prefix) :]: data for key, data in rows}

    def _save(self, key: str, data: Any) -> None:
        """Stage one row for writing, unless it is unchanged."""
        text = _encode(data)
        if key not in self._pending and self._written.get(key) == text:
            return
        self._pending[key] = text
        self._schedule()

    def _drop(self, key: str) -> None:
        """Stage the deletion of one row."""
        self._pending[key] = None
        self._schedule()

    def _schedule(self) -> None:
        """Write the staged rows right after the current round of updates, in one transaction."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside the event loop: write at once
            self.write_pending()
            return
        if self._flush is None or self._flush.done():
            self._flush = loop.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        """Let PTB hand over every change of this round, then write them together."""
        await asyncio.sleep(0)
        try:
            await self.write_pending_async()
        except Exception:  # kept staged; the next round or write_pending() retries
            log.exception("could not write the conversation state; will retry")

    def write_pending(self) -> None:
        """Commit every staged row now (before confirming updates to Telegram)."""
        pending = self._take()
        if pending:
            self._commit(pending)

    async def write_pending_async(self) -> None:
        """Commit every staged row; with PostgreSQL the wait happens in a worker thread."""
        async with self._write_lock:  # one write at a time: a key's versions stay in order
            pending = self._take()
            if pending:
                await run_blocking(self._engine, self._commit, pending)

    def _take(self) -> dict[str, str | None]:
        """Take the staged rows (on the event loop thread)."""
        pending, self._pending = self._pending, {}
        return pending

    def _commit(self, pending: dict[str, str | None]) -> None:
        """Write taken rows and record them, or stage them again on failure."""
        try:
            self._write(pending)
        except Exception:
            for key, text in pending.items():  # newer changes staged meanwhile win
                self._pending.setdefault(key, text)
            raise
        for key, text in pending.items():
            if text is None:
                self._written.pop(key, None)
            else:
                self._written[key] = text

    def _write(self, pending: dict[str, str | None]) -> None:
        """One transaction: the deletions, then one multi-row upsert (any thread)."""
        upserts = {key: text for key, text in pending.items() if text is not None}
        drops = [key for key, text in pending.items() if text is None]
        engine = self._engine
        with engine.begin() as conn:
            if drops:
                conn.execute(delete(ConversationState).where(ConversationState.key.in_(drops)))
            if upserts:
                # INSERT … ON CONFLICT: several processes may write the same key.
                statement = _insert(engine.dialect.name)(ConversationState).values(
                    [{"key": key, "data": json.loads(text)} for key, text in upserts.items()]
                )
                conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=["key"],
                        set_={"data": statement.excluded.data, "updated_at": func.now()},
                    )
                )

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        """Return every user's data."""
        return {int(k): dict(v) for k, v in self._load_prefix("user:").items()}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        """Return every chat's data."""
        return {int(k): dict(v) for k, v in self._load_prefix("chat:").items()}

    async def get_bot_data(self) -> dict[Any, Any]:
        """Bot data is not persisted (services live there)."""
        return {}

    async def get_callback_data(self) -> CDCData | None:
        """Callback data is not persisted."""
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        """Return the states of one conversation handler."""
        rows = self._load_prefix(f"{CONV_PREFIX}{name}:")
        return {
            tuple(json.loads(field)): row["state"]
            for field, row in rows.items()
            if isinstance(row, dict) and "state" in row
        }

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Store (or forget, when it ended) one conversation's state in its own row."""
        row_key = conversation_key(name, key)
        if new_state is None:
            self._drop(row_key)
        else:
            self._save(row_key, {"state": new_state})

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """Store one user's data."""
        self._save(f"user:{user_id}", data)

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Store one chat's data."""
        self._save(f"chat:{chat_id}", data)

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Bot data is not persisted."""

    async def update_callback_data(self, data: CDCData) -> None:
        """Callback data is not persisted."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Forget a chat."""
        self._drop(f"chat:{chat_id}")

    async def drop_user_data(self, user_id: int) -> None:
        """Forget a user."""
        self._drop(f"user:{user_id}")

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Nothing to refresh: this process is the only writer of a user's state."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Nothing to refresh."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Nothing to refresh."""

    async def flush(self) -> None:
        """Write what is still staged (PTB calls this when the application stops)."""
        await self.write_pending_async()
