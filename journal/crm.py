"""Companies, contacts, activities and follow-ups of a rep, like a small CRM."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from rapidfuzz import fuzz, process
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import Activity, Company, Contact, FollowUp, User
from journal import texts
from journal.card import Card, parse_time

LEGAL_SUFFIXES = re.compile(
    r"\b(sa|sas|sasu|sarl|eurl|sci|snc|ets|etablissements|groupe|ste|societe|et fils|& fils)\b"
)
FUZZY_THRESHOLD = 80
GENERIC_WORDS = {
    "industries", "industrie", "france", "services", "service", "transports", "transport",
    "materiaux", "distribution", "solutions", "conseil", "batiment", "btp", "international",
    "entreprise", "et", "fils", "freres", "cie", "garage", "boulangerie", "mairie", "de", "du",
    "des", "la", "le", "les", "clinique", "cabinet", "hotel", "restaurant", "pharmacie",
}  # fmt: skip


def core_name(normalised: str) -> str:
    """Drop generic words ("industries", "transports") so that they do not drive matching."""
    core = " ".join(w for w in normalised.split() if w not in GENERIC_WORDS)
    return core or normalised


def norm_name(name: str) -> str:
    """Normalise a company or contact name for matching (case, accents, legal forms)."""
    text = unicodedata.normalize("NFKD", name.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w&]+", " ", text)
    stripped = LEGAL_SUFFIXES.sub(" ", text)
    return " ".join((stripped if stripped.strip() else text).split())


@dataclass(frozen=True)
class Match:
    """A known company that may be the one the user meant."""

    company_id: int
    name: str
    score: float
    exact: bool


def match_company(session: Session, owner_id: int, typed: str, limit: int = 3) -> list[Match]:
    """Return the rep's companies close to a typed name, best first."""
    companies = session.execute(
        select(Company.id, Company.name, Company.norm_name).where(Company.owner_id == owner_id)
    ).all()
    if not companies:
        return []
    wanted = norm_name(typed)
    exact = [c for c in companies if c.norm_name == wanted]
    if exact:
        return [Match(c.id, c.name, 100.0, True) for c in exact[:1]]
    choices = {c.id: core_name(c.norm_name) for c in companies}
    names = {c.id: c.name for c in companies}
    found = process.extract(
        core_name(wanted), choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=FUZZY_THRESHOLD
    )
    return [Match(key, names[key], score, False) for _, score, key in found]


def get_or_create_company(session: Session, owner_id: int, name: str, city: str | None) -> Company:
    """Return the rep's company with this exact normalised name, creating it if new."""
    normalised = norm_name(name)
    company = session.scalar(
        select(Company).where(Company.owner_id == owner_id, Company.norm_name == normalised)
    )
    if company is None:
        company = Company(owner_id=owner_id, name=name.strip(), norm_name=normalised, city=city)
        session.add(company)
        session.flush()
    elif city and not company.city:
        company.city = city
    return company


def owned_company(session: Session, owner_id: int, company_id: int) -> Company | None:
    """Return a company only if it belongs to this rep (access control)."""
    company = session.get(Company, company_id)
    return company if company is not None and company.owner_id == owner_id else None


def match_contact(session: Session, company_id: int, typed: str) -> Contact | None:
    """Return the company's contact whose name matches the typed one closely."""
    contacts = session.scalars(select(Contact).where(Contact.company_id == company_id)).all()
    wanted = norm_name(typed)
    best: tuple[float, Contact] | None = None
    for contact in contacts:
        score = fuzz.WRatio(wanted, norm_name(contact.name))
        if score >= 85 and (best is None or score > best[0]):
            best = (score, contact)
    return best[1] if best else None


def last_contact(session: Session, user_id: int, company_id: int) -> Contact | None:
    """Return the contact of the latest activity with this company, for reuse."""
    return session.scalar(
        select(Contact)
        .join(Activity, Activity.contact_id == Contact.id)
        .where(
            Activity.user_id == user_id,
            Activity.company_id == company_id,
            Activity.deleted_at.is_(None),
        )
        .order_by(Activity.day.desc(), Activity.id.desc())
        .limit(1)
    )


def save_card(session: Session, user: User, card: Card, update_id: int | None = None) -> Activity:
    """Store a validated card: company, contact, activity and follow-up (caller commits)."""
    assert card.day and (card.company or card.missing() is None)
    company: Company | None = None
    if card.company_id is not None:
        company = owned_company(session, user.id, card.company_id)
        if company is None:
            raise PermissionError("company of another user")
    elif card.company:
        company = get_or_create_company(session, user.id, card.company, card.city)
    contact: Contact | None = None
    if company is not None and card.contact_id is not None:
        contact = session.get(Contact, card.contact_id)
        if contact is None or contact.company_id != company.id:
            contact = None
    if company is not None and contact is None and card.person:
        contact = match_contact(session, company.id, card.person)
        if contact is None:
            contact = Contact(company_id=company.id, name=card.person, role_code=card.role)
            session.add(contact)
            session.flush()
    if contact is not None and card.role and not contact.role_code:
        contact.role_code = card.role
    activity = session.get(Activity, card.activity_id) if card.activity_id else None
    if activity is not None and activity.user_id != user.id:
        raise PermissionError("activity of another user")
    if activity is None:
        activity = Activity(user_id=user.id, update_id=update_id)
        session.add(activity)
    activity.kind = card.kind
    activity.status = card.status
    activity.day = date.fromisoformat(card.day)
    activity.at_time = parse_time(card.at_time)
    activity.outcome = card.outcome
    activity.amount = Decimal(str(card.amount)) if card.amount is not None else None
    activity.distance_km = Decimal(str(card.km)) if card.km is not None else None
    activity.city = card.city
    activity.objections = ",".join(card.objections) or None
    activity.raw_text = card.raw_text
    activity.company_id = company.id if company else None
    activity.contact_id = contact.id if contact else None
    session.flush()
    if card.followup:
        existing = session.scalar(
            select(FollowUp).where(FollowUp.activity_id == activity.id, FollowUp.status == "open")
        )
        followup = existing or FollowUp(user_id=user.id, activity_id=activity.id)
        followup.company_id = company.id if company else None
        followup.due_date = date.fromisoformat(card.followup)
        followup.due_time = parse_time(card.followup_time)
        followup.note = texts.followup_note(card)
        if existing is None:
            session.add(followup)
    session.flush()
    return activity


def mark_followup_done(
    session: Session, user_id: int, followup_id: int, now: datetime
) -> FollowUp | None:
    """Close one of the user's follow-ups."""
    followup = session.get(FollowUp, followup_id)
    if followup is None or followup.user_id != user_id or followup.deleted_at is not None:
        return None
    followup.status = "done"
    followup.done_at = now.replace(tzinfo=None)
    return followup


def postpone_followup(
    session: Session, user_id: int, followup_id: int, new_day: date
) -> FollowUp | None:
    """Move one of the user's follow-ups to another day."""
    followup = session.get(FollowUp, followup_id)
    if followup is None or followup.user_id != user_id or followup.deleted_at is not None:
        return None
    followup.due_date = new_day
    followup.status = "open"
    return followup


def mark_planned_done(session: Session, user_id: int, activity_id: int) -> Activity | None:
    """Mark a planned activity of the user as done."""
    activity = session.get(Activity, activity_id)
    if activity is None or activity.user_id != user_id or activity.deleted_at is not None:
        return None
    activity.status = "done"
    return activity


def postpone_activity(
    session: Session, user_id: int, activity_id: int, new_day: date
) -> Activity | None:
    """Move a planned activity of the user to another day."""
    activity = session.get(Activity, activity_id)
    if activity is None or activity.user_id != user_id or activity.deleted_at is not None:
        return None
    activity.day = new_day
    return activity


@dataclass(frozen=True)
class AgendaItem:
    """One line of the agenda: a planned activity or a follow-up."""

    kind: str  # "activity" | "followup"
    item_id: int
    day: date
    at: time | None
    label: str
    overdue: bool


def agenda(session: Session, user_id: int, day: date, today: date) -> list[AgendaItem]:
    """Planned activities and follow-ups of a day, plus overdue follow-ups when it is today or later."""
    items: list[AgendaItem] = []
    planned = session.execute(
        select(Activity, Company.name)
        .outerjoin(Company, Company.id == Activity.company_id)
        .where(
            Activity.user_id == user_id,
            Activity.status == "planned",
            Activity.day == day,
            Activity.deleted_at.is_(None),
        )
    ).all()
    for activity, company in planned:
        items.append(
            AgendaItem(
                "activity",
                activity.id,
                activity.day,
                activity.at_time,
                texts.planned_label(activity.kind, company, activity.city),
                False,
            )
        )
    due = FollowUp.due_date == day
    if day == today:
        due = FollowUp.due_date <= today
    elif day > today:
        due = or_(FollowUp.due_date == day, FollowUp.due_date < today)
    followups = session.execute(
        select(FollowUp, Company.name)
        .outerjoin(Company, Company.id == FollowUp.company_id)
        .where(
            FollowUp.user_id == user_id,
            FollowUp.status == "open",
            FollowUp.deleted_at.is_(None),
            due,
        )
        .order_by(FollowUp.due_date)
    ).all()
    for followup, company in followups:
        items.append(
            AgendaItem(
                "followup",
                followup.id,
                followup.due_date,
                followup.due_time,
                texts.followup_label(company, followup.note),
                followup.due_date < today,
            )
        )
    items.sort(key=lambda i: (not i.overdue, i.at or time(23, 59), i.day, i.label))
    return items


def postpone_target(day: date, days: int = 1) -> date:
    """Return the next working day after ``day`` plus ``days - 1`` days."""
    from journal.calendar import next_working_day

    return next_working_day(day + timedelta(days=days))
