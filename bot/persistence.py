"""PTB persistence backed by the database (conversation state survives restarts)."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from db.models import ConversationState

log = logging.getLogger(__name__)


def _jsonable(value: Any) -> Any:
    """Return a JSON-safe copy of a value (unknown objects are dropped with a warning)."""
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        log.warning("dropping non-JSON state")
        return {}


def _insert(session: Session) -> Any:
    """Return the dialect's INSERT that supports ON CONFLICT."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class DbPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Store user data, chat data and conversations in the conversation_state table."""

    def __init__(self, maker: sessionmaker[Session], update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, callback_data=False),
            update_interval=update_interval,
        )
        self._maker = maker

    def _load_prefix(self, prefix: str) -> dict[str, Any]:
        """Load every row whose key starts with the prefix."""
        with self._maker() as session:
            rows = session.scalars(
                select(ConversationState).where(ConversationState.key.startswith(prefix))
            ).all()
            return {row.key[len(prefix) :]: row.data for row in rows}

    def _save(self, key: str, data: Any) -> None:
        """Upsert one row (INSERT … ON CONFLICT: several processes may write the same key)."""
        with self._maker() as session, session.begin():
            statement = _insert(session)(ConversationState).values(key=key, data=_jsonable(data))
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["key"],
                    set_={"data": statement.excluded.data, "updated_at": func.now()},
                )
            )

    def _drop(self, key: str) -> None:
        """Delete one row."""
        with self._maker() as session, session.begin():
            session.execute(delete(ConversationState).where(ConversationState.key == key))

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
        raw = self._load_prefix(f"conv:{name}").get("", {})
        return {tuple(json.loads(k)): v for k, v in raw.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Store one conversation's new state; the shared row is locked while it is rewritten."""
        row_key = f"conv:{name}"
        with self._maker() as session, session.begin():
            session.execute(
                _insert(session)(ConversationState)
                .values(key=row_key, data={})
                .on_conflict_do_nothing(index_elements=["key"])
            )
            row = session.scalars(
                select(ConversationState).where(ConversationState.key == row_key).with_for_update()
            ).one()
            conversations = dict(row.data)
            field = json.dumps(list(key))
            if new_state is None:
                conversations.pop(field, None)
            else:
                conversations[field] = new_state
            row.data = _jsonable(conversations)

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
        """Every write is already committed."""
