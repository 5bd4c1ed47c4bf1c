"""User accounts: lookup, onboarding and roles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import User

ROLES = ("rep", "trainee", "manager")


def get_user(session: Session, telegram_id: int) -> User | None:
    """Return the user with this Telegram id, or None for a stranger."""
    return session.scalar(select(User).where(User.telegram_id == telegram_id))


def ensure_user(session: Session, telegram_id: int, display_name: str, timezone: str) -> User:
    """Return the user, creating a not-yet-onboarded row on first contact."""
    user = get_user(session, telegram_id)
    if user is None:
        user = User(
            telegram_id=telegram_id,
            display_name=display_name[:120],
            timezone=timezone,
            onboarded=False,
        )
        session.add(user)
        session.flush()
    return user


def finish_onboarding(session: Session, user: User, name: str, role: str) -> User:
    """Store the name and role chosen during onboarding."""
    if role not in ROLES:
        raise ValueError(role)
    user.display_name = name.strip()[:120] or user.display_name
    user.role = role
    user.onboarded = True
    user.active = True
    return user
