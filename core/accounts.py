"""User accounts: lookup, onboarding and roles."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from db.models import User

if TYPE_CHECKING:
    from core.settings import Settings

ROLES = ("rep", "trainee", "manager")

# Users already loaded while handling the current Telegram update: the gate and then the
# handlers each open their own short session and all ask for the sender; the row is read
# once per update and the same object is handed to each later session.
_UPDATE_USERS: ContextVar[dict[int, User] | None] = ContextVar("update_users", default=None)


def remember_users_for_this_update() -> None:
    """Start a per-update cache of users (called by the gate, first thing in an update)."""
    _UPDATE_USERS.set({})


def forget_cached_users() -> None:
    """Drop the cache (a bulk statement may have changed users behind its back)."""
    cache = _UPDATE_USERS.get()
    if cache:
        cache.clear()


def get_user(session: Session, telegram_id: int) -> User | None:
    """Return the user with this Telegram id, or None for a stranger."""
    cache = _UPDATE_USERS.get()
    if cache is not None and (cached := cache.get(telegram_id)) is not None:
        state = inspect(cached)
        if state.session is session:
            return cached
        # Detached from a closed session with every column still loaded (not expired by a
        # rollback, not deleted): it joins this session as it is, without a query.
        if state.detached and not state.expired_attributes and not state.was_deleted:
            session.add(cached)
            return cached
    user = session.scalar(select(User).where(User.telegram_id == telegram_id))
    if cache is not None and user is not None:
        cache[telegram_id] = user
    return user


def ensure_user(
    session: Session,
    telegram_id: int,
    display_name: str,
    timezone: str,
    *,
    defaults: Settings | None = None,
) -> User:
    """Return the user, creating a not-yet-onboarded row on first contact.

    A new row takes the configured push schedule (evening prompt, morning digest, working
    days) from `defaults`; without it, the model's own defaults.
    """
    user = get_user(session, telegram_id)
    if user is None:
        user = User(
            telegram_id=telegram_id,
            display_name=display_name[:120],
            timezone=timezone,
            onboarded=False,
        )
        if defaults is not None:
            user.evening_time = defaults.evening_prompt
            user.morning_time = defaults.morning_digest
            user.working_days = ",".join(str(day) for day in defaults.working_days)
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
