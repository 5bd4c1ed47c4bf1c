"""Personal data (RGPD): export everything about a user, erase it, anonymise old contacts."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from db.models import (
    Activity,
    ChecklistRun,
    Company,
    Contact,
    ConversationState,
    DeferredPush,
    DrillAttempt,
    FollowUp,
    Push,
    Team,
    User,
)

ANONYMISED_NAME = "Contact anonymisé"


def _row(obj: Any) -> dict[str, Any]:
    """Turn a mapped object into a JSON-safe dict."""
    out: dict[str, Any] = {}
    for column in obj.__table__.columns:
        value = getattr(obj, column.key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[column.key] = value
    return out


def export_user_data(session: Session, user: User) -> bytes:
    """Everything stored about a user, as UTF-8 JSON."""
    companies = session.scalars(select(Company).where(Company.owner_id == user.id)).all()
    company_ids = [c.id for c in companies]
    data = {
        "utilisateur": _row(user),
        "entreprises": [_row(c) for c in companies],
        "contacts": [
            _row(c)
            for c in session.scalars(
                select(Contact).where(Contact.company_id.in_(company_ids))
            ).all()
        ]
        if company_ids
        else [],
        "activites": [
            _row(a)
            for a in session.scalars(select(Activity).where(Activity.user_id == user.id)).all()
        ],
        "relances": [
            _row(f)
            for f in session.scalars(select(FollowUp).where(FollowUp.user_id == user.id)).all()
        ],
        "entrainements": [
            _row(d)
            for d in session.scalars(
                select(DrillAttempt).where(DrillAttempt.user_id == user.id)
            ).all()
        ],
        "checklists": [
            _row(r)
            for r in session.scalars(
                select(ChecklistRun).where(ChecklistRun.user_id == user.id)
            ).all()
        ],
        "envois_programmes": [
            _row(p) for p in session.scalars(select(Push).where(Push.user_id == user.id)).all()
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def erase_user(session: Session, user: User) -> None:
    """Delete the user and everything they entered (caller commits)."""
    company_ids = select(Company.id).where(Company.owner_id == user.id)
    session.execute(
        update(ChecklistRun)
        .where(ChecklistRun.company_id.in_(company_ids))
        .values(company_id=None)
    )
    for model in (FollowUp, DrillAttempt, ChecklistRun, Push, DeferredPush):
        session.execute(delete(model).where(model.user_id == user.id))
    session.execute(delete(Activity).where(Activity.user_id == user.id))
    session.execute(delete(Contact).where(Contact.company_id.in_(company_ids)))
    session.execute(delete(Company).where(Company.owner_id == user.id))
    session.execute(
        delete(ConversationState).where(
            ConversationState.key.in_(
                [f"user:{user.telegram_id}", f"chat:{user.telegram_id}", f"drill:{user.id}"]
            )
        )
    )
    session.execute(update(Team).where(Team.manager_id == user.id).values(manager_id=None))
    session.delete(user)


def anonymise_old_contacts(session: Session, today: date, retention_days: int) -> int:
    """Anonymise contact names of companies with no activity within the retention period."""
    limit = today - timedelta(days=retention_days)
    recent = exists().where(Activity.company_id == Contact.company_id, Activity.day >= limit)
    result = session.execute(
        update(Contact)
        .where(
            Contact.anonymised.is_(False),
            Contact.created_at < datetime.combine(limit, datetime.min.time()),
            ~recent,
        )
        .values(name=ANONYMISED_NAME, anonymised=True)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
