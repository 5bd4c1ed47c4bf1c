"""one row per conversation

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 12:50:00

Conversation states used to live in one JSON row per handler (``conv:<name>``), rewritten
and locked on every state change; they now have one row each (``conv:<name>:<chat, user>``
holding ``{"state": …}``). Data migration only: the table keeps its columns.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_table = sa.table(
    "conversation_state",
    sa.column("key", sa.String(120)),
    sa.column("data", sa.JSON()),
)


def _rows(prefix: str) -> list[tuple[str, object]]:
    """Read the conversation rows (key, decoded data)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_table.c.key, _table.c.data).where(_table.c.key.like(f"{prefix}%"))
    ).all()
    return [(key, json.loads(data) if isinstance(data, str) else data) for key, data in rows]


def upgrade() -> None:
    """Split each handler's row into one row per conversation."""
    for key, data in _rows("conv:"):
        if key.count(":") != 1 or not isinstance(data, dict):
            continue
        op.execute(_table.delete().where(_table.c.key == key))
        new_rows = [
            {"key": f"{key}:{field}", "data": {"state": state}} for field, state in data.items()
        ]
        if new_rows:
            op.bulk_insert(_table, new_rows)


def downgrade() -> None:
    """Merge the per-conversation rows back into one row per handler."""
    merged: dict[str, dict[str, object]] = {}
    for key, data in _rows("conv:"):
        name, _sep, field = key[len("conv:") :].partition(":")
        if not field or not isinstance(data, dict):
            continue
        merged.setdefault(f"conv:{name}", {})[field] = data.get("state")
        op.execute(_table.delete().where(_table.c.key == key))
    if merged:
        op.bulk_insert(_table, [{"key": k, "data": v} for k, v in merged.items()])
