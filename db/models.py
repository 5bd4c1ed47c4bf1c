"""SQLAlchemy 2.x data model of the bot (schema managed by Alembic)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Team(Base):
    """A sales team led by one manager."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    invite_code: Mapped[str] = mapped_column(String(32), unique=True)
    manager_id: Mapped[int | None] = mapped_column(Integer, index=True)  # users.id
    summary_time: Mapped[time] = mapped_column(Time, default=time(8, 0))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class User(Base):
    """A Telegram user of the bot: rep, trainee or manager."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(16), default="rep")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    evening_time: Mapped[time] = mapped_column(Time, default=time(17, 30))
    morning_time: Mapped[time] = mapped_column(Time, default=time(8, 30))
    working_days: Mapped[str] = mapped_column(String(16), default="1,2,3,4,5")
    paused_until: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True)
    leaderboard_opt_out: Mapped[bool] = mapped_column(default=False)
    onboarded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])


class Company(Base):
    """A client or prospect organisation in a rep's portfolio."""

    __tablename__ = "companies"
    __table_args__ = (Index("ix_companies_owner_norm", "owner_id", "norm_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    norm_name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    contacts: Mapped[list[Contact]] = relationship(back_populates="company")


class Contact(Base):
    """A contact person inside a company."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role_code: Mapped[str | None] = mapped_column(String(16))
    anonymised: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    company: Mapped[Company] = relationship(back_populates="contacts")


class Activity(Base):
    """A visit, a call or a planned task in a rep's journal."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_user_day", "user_id", "day"),
        Index("ix_activities_user_kind_day", "user_id", "kind", "day"),
        Index("ix_activities_company_day", "company_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(8))  # visit | call | task
    status: Mapped[str] = mapped_column(String(8), default="done")  # done | planned
    day: Mapped[date] = mapped_column(Date)
    at_time: Mapped[time | None] = mapped_column(Time)
    outcome: Mapped[str | None] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    distance_km: Mapped[Decimal | None] = mapped_column(Numeric(9, 1))
    city: Mapped[str | None] = mapped_column(String(120))
    objections: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    raw_text: Mapped[str | None] = mapped_column(Text)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    company: Mapped[Company | None] = relationship()
    contact: Mapped[Contact | None] = relationship()


class FollowUp(Base):
    """A next step (relance, rappel) due on a date."""

    __tablename__ = "followups"
    __table_args__ = (Index("ix_followups_user_status_due", "user_id", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    due_date: Mapped[date] = mapped_column(Date)
    due_time: Mapped[time | None] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | done
    note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    company: Mapped[Company | None] = relationship()
    activity: Mapped[Activity | None] = relationship()


class DrillAttempt(Base):
    """One scored answer of a trainee to an objection."""

    __tablename__ = "drill_attempts"
    __table_args__ = (Index("ix_drill_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    objection_id: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column()
    techniques: Mapped[list[Any]] = mapped_column(default=list)
    faults: Mapped[list[Any]] = mapped_column(default=list)
    motives: Mapped[list[Any]] = mapped_column(default=list)
    answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class ChecklistRun(Base):
    """A negotiation checklist being filled or finished by a user."""

    __tablename__ = "checklist_runs"
    __table_args__ = (Index("ix_checklist_user_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(24))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | done | cancelled
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class ProcessedUpdate(Base):
    """A Telegram update whose effects are committed (idempotency on redelivery)."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Push(Base):
    """A scheduled push recorded before it is sent, so it is never sent twice."""

    __tablename__ = "pushes"
    __table_args__ = (UniqueConstraint("user_id", "kind", "key", name="uq_push_user_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending | sent | failed
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class DeferredPush(Base):
    """A one-off push asked for later ("Plus tard (1 h)"), claimed by the scheduler tick."""

    __tablename__ = "deferred_pushes"
    __table_args__ = (Index("ix_deferred_due", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(DateTime)  # UTC, naive
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class OutboxMessage(Base):
    """A reply whose send finally failed, kept to be sent again by the scheduler tick."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    method: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class ConversationState(Base):
    """Persisted bot state (PTB persistence backed by the database)."""

    __tablename__ = "conversation_state"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )
