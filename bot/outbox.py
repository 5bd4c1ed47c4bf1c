"""Replies whose send finally failed: kept in the database and sent again later."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from db.models import OutboxMessage

if TYPE_CHECKING:
    from telegram import Bot

    from bot.services import Services

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def writer(services: Services) -> Callable[[str, dict[str, Any]], None]:
    """Return the callback that keeps a failed send (logged with its chat id)."""

    def keep(method: str, params: dict[str, Any]) -> None:
        chat_id = int(params.get("chat_id", 0))
        log.error("send %s to chat %s failed after retries; kept in the outbox", method, chat_id)
        if method != "sendMessage":
            return  # files are not kept: the user is told to ask again by the error handler
        with services.session(record_update=False) as session:
            session.add(OutboxMessage(chat_id=chat_id, method=method, payload=params))

    return keep


async def flush(services: Services, bot: Bot, limit: int = 100) -> int:
    """Try to send kept replies again; return how many went out."""
    with services.session(record_update=False) as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
        pending = [(r.id, r.chat_id, r.payload) for r in rows]
    sent = 0
    for row_id, chat_id, payload in pending:
        try:
            await bot.send_message(
                chat_id, payload.get("text", ""), reply_markup=payload.get("reply_markup")
            )
        except Exception:
            with services.session(record_update=False) as session:
                row = session.get(OutboxMessage, row_id)
                if row is not None:
                    row.attempts += 1
            continue
        with services.session(record_update=False) as session:
            row = session.get(OutboxMessage, row_id)
            if row is not None:
                session.delete(row)
        sent += 1
    return sent
