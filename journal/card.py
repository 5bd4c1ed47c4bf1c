"""The card of a reported or planned activity: built from NLU, completed and corrected (pure)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from journal.calendar import add_working_days, next_working_day
from nlu.normalize import (
    clean_company,
    normalize_outcome,
    normalize_role,
    parse_amount,
    resolve_date,
)

OUTCOMES = ("rdv", "devis", "commande", "refus", "rappel", "injoignable", "interesse")
ROLES = ("direction", "achats", "technique", "finance", "commercial", "assistant")
INTENT_KIND = {"log_visit": "visit", "log_call": "call", "plan_activity": "task"}
EDITABLE = ("company", "person", "day", "outcome", "amount", "followup", "city", "km")
OPTIONAL = ("person", "outcome", "amount", "followup", "city", "km")
MAX_NAME = 120

_CALL_WORDS = re.compile(r"\b(appel\w*|t[ée]l\w*|rappeler|coup de fil|phoning|visio)\b", re.I)
_VISIT_WORDS = re.compile(r"\b(rdv|rendez|visite\w*|passer|voir|r[ée]union|d[ée]mo)\b", re.I)


@dataclass
class Card:
    """What the bot understood of one activity, before the user validates it."""

    intent: str
    kind: str
    status: str
    raw_text: str
    company: str | None = None
    company_id: int | None = None
    person: str | None = None
    contact_id: int | None = None
    role: str | None = None
    day: str | None = None  # ISO date
    at_time: str | None = None  # HH:MM
    outcome: str | None = None
    amount: float | None = None
    followup: str | None = None  # ISO date
    followup_time: str | None = None
    followup_proposed: bool = False
    city: str | None = None
    km: float | None = None
    objections: list[str] = field(default_factory=list)
    activity_id: int | None = None  # set when editing a stored entry
    skipped: list[str] = field(default_factory=list)

    @property
    def is_plan(self) -> bool:
        """Say whether this card plans a future activity."""
        return self.status == "planned"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (stored in the user's conversation state)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Card:
        """Rebuild a card from its dict."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def missing(self) -> str | None:
        """Return the next essential field still missing, or None."""
        if not self.company and not (self.is_plan and self.kind == "task"):
            return "company"
        if not self.is_plan and self.outcome is None and "outcome" not in self.skipped:
            return "outcome"
        if self.is_plan and not self.day:
            return "day"
        return None

    def skip(self, name: str) -> None:
        """Leave an optional field empty on purpose."""
        if name not in self.skipped:
            self.skipped.append(name)


def _split_when(value: str) -> tuple[str, str | None]:
    """Split an ISO date or date-time value into date and HH:MM."""
    if "T" in value:
        day, hhmm = value.split("T", 1)
        return day, hhmm[:5]
    return value, None


def card_from_nlu(result: dict[str, Any], now: datetime) -> Card:
    """Build a card from an NLU result."""
    intent = result["intent"]["name"]
    text = result.get("text", "")
    kind = INTENT_KIND.get(intent, "task")
    status = "planned" if intent == "plan_activity" else "done"
    if intent == "plan_activity":
        kind = (
            "call"
            if _CALL_WORDS.search(text)
            else "visit"
            if _VISIT_WORDS.search(text)
            else "task"
        )
    card = Card(intent=intent, kind=kind, status=status, raw_text=text[:4096])
    for entity in result.get("entities", []):
        name, value = entity["entity"], entity["value"]
        if name == "company" and not card.company:
            card.company = str(value)[:MAX_NAME]
        elif name == "person" and not card.person:
            card.person = str(value)[:MAX_NAME]
        elif name == "role" and not card.role and value in ROLES:
            card.role = str(value)
        elif name == "outcome" and value in OUTCOMES:
            card.outcome = _stronger_outcome(card.outcome, str(value))
        elif name == "amount" and card.amount is None:
            card.amount = float(value)
        elif name == "when" and not card.day:
            card.day, card.at_time = _split_when(str(value))
        elif name == "followup" and not card.followup:
            card.followup, card.followup_time = _split_when(str(value))
        elif name == "city" and not card.city:
            card.city = str(value)[:MAX_NAME]
        elif name == "distance" and card.km is None:
            card.km = float(value)
        elif name == "objection" and value not in card.objections:
            card.objections.append(str(value))
    if not card.day and not card.is_plan:
        card.day = now.date().isoformat()
    return card


_OUTCOME_RANK = {
    code: rank
    for rank, code in enumerate(
        ("injoignable", "interesse", "rappel", "refus", "rdv", "devis", "commande")
    )
}


def _stronger_outcome(current: str | None, new: str) -> str:
    """Keep the most advanced outcome when a message names several (devis beats rappel)."""
    if current is None:
        return new
    return new if _OUTCOME_RANK[new] > _OUTCOME_RANK[current] else current


def propose_followup(
    card: Card,
    today: date,
    *,
    quote_days: int = 7,
    callback_days: int = 7,
    unreachable_days: int = 2,
    working_days: tuple[int, ...] = (1, 2, 3, 4, 5),
) -> None:
    """Propose a default follow-up for devis, rappel and injoignable; move any onto a worked day."""
    if card.is_plan:
        return
    if card.followup is None:
        base = date.fromisoformat(card.day) if card.day else today
        base = max(base, today)
        if card.outcome == "devis":
            card.followup = next_working_day(
                base + timedelta(days=quote_days), working_days
            ).isoformat()
        elif card.outcome == "rappel":
            card.followup = next_working_day(
                base + timedelta(days=callback_days), working_days
            ).isoformat()
        elif card.outcome == "injoignable":
            card.followup = add_working_days(base, unreachable_days, working_days).isoformat()
        else:
            return
        card.followup_proposed = True
        return
    moved = next_working_day(date.fromisoformat(card.followup), working_days)
    card.followup = moved.isoformat()


class FieldError(ValueError):
    """A typed answer does not fit the field."""


def parse_field(name: str, text: str, now: datetime, *, plan: bool = False) -> Any:
    """Parse a typed value for a field with the NLU's normalisers; raise FieldError if it does not fit."""
    text = text.strip()
    if not text:
        raise FieldError(name)
    if name == "company":
        value = clean_company(text)
        if not value or len(value) > MAX_NAME or not re.search(r"\w", value):
            raise FieldError(name)
        return value
    if name in ("person", "city"):
        if len(text) > MAX_NAME or not re.search(r"[^\W\d_]", text):
            raise FieldError(name)
        return text
    if name == "outcome":
        code = text if text in OUTCOMES else normalize_outcome(text)
        if code is None:
            raise FieldError(name)
        return code
    if name == "role":
        code = text if text in ROLES else normalize_role(text)
        if code is None:
            raise FieldError(name)
        return code
    if name == "amount":
        amount = parse_amount(text)
        if amount is None:
            bare = re.fullmatch(r"\d[\d\s.,]*", text)
            amount = float(bare[0].replace(" ", "").replace(",", ".")) if bare else None
        if amount is None or amount < 0:
            raise FieldError(name)
        return float(amount)
    if name == "km":
        match = re.search(r"\d+(?:[.,]\d+)?", text)
        if not match or float(match[0].replace(",", ".")) > 5000:
            raise FieldError(name)
        return float(match[0].replace(",", "."))
    if name in ("day", "followup"):
        direction = "future" if plan or name == "followup" else "past"
        value = resolve_date(text, now, direction)  # type: ignore[arg-type]
        if value is None:
            raise FieldError(name)
        return value
    raise FieldError(name)


def apply_field(card: Card, name: str, value: Any) -> None:
    """Set a parsed value on the card."""
    if name in ("day", "followup"):
        day, hhmm = _split_when(str(value))
        if name == "day":
            card.day, card.at_time = day, hhmm or card.at_time
        else:
            card.followup, card.followup_time = day, hhmm
            card.followup_proposed = False
    elif name == "company":
        card.company, card.company_id = value, None
        card.person, card.contact_id = (card.person, None)
    elif name == "person":
        card.person, card.contact_id = value, None
    else:
        setattr(card, name, value)


def parse_time(value: str | None) -> time | None:
    """Parse HH:MM."""
    if not value:
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))
