"""History of a rep's entries: list, soft delete with a day to undo, reload for editing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import Activity, Company, Contact, FollowUp
from journal.card import Card

UNDO_WINDOW = timedelta(days=1)


def list_entries(
    session: Session, user_id: int, offset: int, limit: int
) -> tuple[list[Activity], int]:
    """Return a page of the user's live entries (newest first) and the total count."""
    live = (Activity.user_id == user_id, Activity.deleted_at.is_(None))
    total = session.scalar(select(func.count()).select_from(Activity).where(*live)) or 0
    rows = session.scalars(
        select(Activity)
        .where(*live)
        .order_by(Activity.day.desc(), Activity.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def own_activity(session: Session, user_id: int, activity_id: int) -> Activity | None:
    """Return the activity only if it belongs to the user."""
    activity = session.get(Activity, activity_id)
    return activity if activity is not None and activity.user_id == user_id else None


def soft_delete(
    session: Session, user_id: int, activity_id: int, now: datetime
) -> Activity | None:
    """Hide an entry and its follow-ups; it can be restored for a day."""
    activity = own_activity(session, user_id, activity_id)
    if activity is None or activity.deleted_at is not None:
        return None
    stamp = now.replace(tzinfo=None)
    activity.deleted_at = stamp
    session.execute(
        update(FollowUp)
        .where(FollowUp.activity_id == activity.id, FollowUp.deleted_at.is_(None))
        .values(deleted_at=stamp)
    )
    return activity


def undo_delete(
    session: Session, user_id: int, activity_id: int, now: datetime
) -> Activity | None:
    """Restore an entry deleted less than a day ago (None when too late or not found)."""
    activity = own_activity(session, user_id, activity_id)
    if activity is None or activity.deleted_at is None:
        return None
    if now.replace(tzinfo=None) - activity.deleted_at > UNDO_WINDOW:
        return None
    stamp = activity.deleted_at
    activity.deleted_at = None
    session.execute(
        update(FollowUp)
        .where(FollowUp.activity_id == activity.id, FollowUp.deleted_at == stamp)
        .values(deleted_at=None)
    )
    return activity


def card_from_activity(session: Session, activity: Activity) -> Card:
    """Reload a stored entry into a card for correction."""
    company = session.get(Company, activity.company_id) if activity.company_id else None
    contact = session.get(Contact, activity.contact_id) if activity.contact_id else None
    followup = session.scalar(
        select(FollowUp).where(FollowUp.activity_id == activity.id, FollowUp.deleted_at.is_(None))
    )
    intent = {"visit": "log_visit", "call": "log_call"}.get(activity.kind, "plan_activity")
    if activity.status == "planned":
        intent = "plan_activity"
    return Card(
        intent=intent,
        kind=activity.kind,
        status=activity.status,
        raw_text=activity.raw_text or "",
        company=company.name if company else None,
        company_id=company.id if company else None,
        person=contact.name if contact else None,
        contact_id=contact.id if contact else None,
        role=contact.role_code if contact else None,
        day=activity.day.isoformat(),
        at_time=activity.at_time.strftime("%H:%M") if activity.at_time else None,
        outcome=activity.outcome,
        amount=float(activity.amount) if activity.amount is not None else None,
        followup=followup.due_date.isoformat() if followup else None,
        followup_time=followup.due_time.strftime("%H:%M")
        if followup and followup.due_time
        else None,
        city=activity.city,
        km=float(activity.distance_km) if activity.distance_km is not None else None,
        objections=(activity.objections or "").split(",") if activity.objections else [],
        activity_id=activity.id,
        skipped=["company_match"],
    )
