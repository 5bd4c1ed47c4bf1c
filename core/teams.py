"""Teams: creation by a manager, invite codes, members, removal (domain, no Telegram)."""

from __future__ import annotations

import secrets
import string

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Team, User

_ALPHABET = string.ascii_uppercase + string.digits


class TeamError(Exception):
    """A team operation is not allowed; the message is a key of core.team_texts."""


def new_code() -> str:
    """Return a fresh, hard-to-guess invite code."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))


def create_team(session: Session, manager: User, name: str) -> Team:
    """Create a team led by this manager, who joins it."""
    if manager.role != "manager":
        raise TeamError("NOT_MANAGER")
    if manager.team_id is not None:
        raise TeamError("ALREADY_HAS_TEAM")
    name = " ".join(name.split())[:120]
    if not name:
        raise TeamError("NAME_MISSING")
    team = Team(name=name, invite_code=new_code(), manager_id=manager.id)
    session.add(team)
    session.flush()
    manager.team_id = team.id
    return team


def managed_team(session: Session, user: User) -> Team | None:
    """Return the team this user manages, or None."""
    if user.role != "manager" or user.team_id is None:
        return None
    team = session.get(Team, user.team_id)
    return team if team is not None and team.manager_id == user.id else None


def members(session: Session, team: Team, *, include_manager: bool = False) -> list[User]:
    """Return the team's members (reps and trainees), by name."""
    query = select(User).where(User.team_id == team.id).order_by(User.display_name, User.id)
    rows = session.scalars(query).all()
    return [u for u in rows if include_manager or u.id != team.manager_id]


def regenerate_code(session: Session, team: Team) -> str:
    """Replace the invite code (the old link stops working)."""
    team.invite_code = new_code()
    return team.invite_code


def remove_member(session: Session, team: Team, member_id: int) -> User | None:
    """Take a member out of the team; their data no longer reaches the manager."""
    member = session.get(User, member_id)
    if member is None or member.team_id != team.id or member.id == team.manager_id:
        return None
    member.team_id = None
    return member


def join_team(session: Session, user: User, code: str) -> Team:
    """Join the team of an invite code (one team per user)."""
    team = session.scalar(select(Team).where(Team.invite_code == code.strip()))
    if team is None:
        raise TeamError("CODE_UNKNOWN")
    if user.team_id is not None and user.team_id != team.id:
        raise TeamError("ALREADY_IN_TEAM")
    user.team_id = team.id
    return team
