"""Realistic, deterministic sample journals (companies, contacts, calls, visits, follow-ups)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from db.models import Activity, Company, Contact, FollowUp, User
from journal.calendar import is_working_day
from journal.crm import norm_name

# A territory around Lyon: (city, one-way km from the rep's base).
CITIES: tuple[tuple[str, int], ...] = (
    ("Lyon", 6),
    ("Villeurbanne", 9),
    ("Vénissieux", 12),
    ("Bron", 11),
    ("Saint-Priest", 17),
    ("Meyzieu", 21),
    ("Décines-Charpieu", 15),
    ("Rillieux-la-Pape", 13),
    ("Givors", 26),
    ("Vienne", 34),
    ("Villefranche-sur-Saône", 36),
    ("Tarare", 45),
    ("Bourgoin-Jallieu", 47),
    ("Saint-Étienne", 62),
    ("Mâcon", 71),
    ("Bourg-en-Bresse", 82),
    ("Roanne", 88),
    ("Valence", 104),
    ("Grenoble", 112),
    ("Chambéry", 118),
    ("Annecy", 141),
)
SURNAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Girard",
    "Bonnet",
    "Marchal",
    "Gaillard",
    "Brun",
    "Meunier",
)
FIRST_NAMES = (
    "Julie",
    "Thomas",
    "Camille",
    "Nicolas",
    "Sophie",
    "Julien",
    "Isabelle",
    "Laurent",
    "Nathalie",
    "Franck",
    "Céline",
    "Stéphane",
    "Hélène",
    "Olivier",
    "Sandrine",
    "Fabrice",
    "Aurélie",
    "Mathieu",
    "Élodie",
    "Romain",
    "Valérie",
    "Sébastien",
    "Claire",
    "Jérôme",
    "Karine",
    "David",
    "Émilie",
    "Pascal",
)
TRADES = (
    "Boulangerie",
    "Menuiserie",
    "Transports",
    "Garage",
    "Imprimerie",
    "Fonderie",
    "Biscuiterie",
    "Laboratoire",
    "Cabinet",
    "Plasturgie",
    "Chaudronnerie",
    "Brasserie",
    "Clinique vétérinaire",
    "Pharmacie",
    "Hôtel",
    "Électricité",
    "Maçonnerie",
    "Mécanique de précision",
)
FORMS = ("SA", "SARL", "SAS", "& Fils", "", "", "")
BRANDS = (
    "Sorelia",
    "Nexalia",
    "Bricoman",
    "Alpitech",
    "Rhodanor",
    "Lugdunum Services",
    "Dauphinoise d'Emballage",
    "Savoie Froid",
    "Ondalys",
    "Vercors Outillage",
    "Beaujolais Logistique",
    "Forez Industrie",
)
ROLES = (
    ("achats", 35),
    ("direction", 30),
    ("technique", 15),
    ("finance", 8),
    ("commercial", 7),
    ("assistant", 5),
)
CALL_OUTCOMES = (
    ("injoignable", 35),
    ("rdv", 14),
    ("rappel", 15),
    ("refus", 14),
    ("interesse", 12),
    ("devis", 6),
    ("commande", 1),
    (None, 3),
)
VISIT_OUTCOMES = (
    ("devis", 30),
    ("commande", 12),
    ("interesse", 20),
    ("rdv", 8),
    ("refus", 12),
    ("rappel", 10),
    (None, 8),
)
KINDS = (("call", 55), ("visit", 35), ("task", 10))
OBJECTIONS = ("prix", "concurrent", "timing", "besoin", "confiance", "decision")
OUTCOME_WORDS = {
    "injoignable": "messagerie",
    "rdv": "RDV pris",
    "rappel": "à rappeler",
    "refus": "pas intéressé",
    "interesse": "intéressé",
    "devis": "devis {amount}",
    "commande": "commande signée {amount}",
    None: "",
}
NOTES = (
    "Budget voté en septembre.",
    "Contrat actuel chez un concurrent jusqu'en juin.",
    "Le DG décide seul, l'acheteur prépare.",
    "Veut un essai sur un site avant de s'engager.",
    "Demande une remise de 5 % sur volume.",
    "Projet d'agrandissement de l'atelier.",
    "Très satisfait du dernier SAV.",
    "Relancer avec la nouvelle gamme.",
)
TASKS = (
    "Préparer la proposition",
    "Envoyer la documentation",
    "Mettre à jour le fichier prospects",
    "Préparer la tournée de la semaine",
)


@dataclass(frozen=True)
class GeneratedJournal:
    """What generate_journal inserted."""

    companies: int
    contacts: int
    activities: int
    followups: int


def _pick(rng: random.Random, weighted: tuple[tuple[object, int], ...]) -> object:
    """Draw one value from (value, weight) pairs."""
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights)[0]


def _company_name(rng: random.Random, used: set[str]) -> str:
    """A French company name not used yet."""
    for _ in range(50):
        if rng.random() < 0.15:
            name = f"Groupe {rng.choice(BRANDS)}" if rng.random() < 0.3 else rng.choice(BRANDS)
        else:
            form = rng.choice(FORMS)
            name = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)} {form}".strip()
        if name not in used:
            used.add(name)
            return name
    name = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)} {len(used)}"
    used.add(name)
    return name


def _amount(rng: random.Random) -> Decimal:
    """A B2B deal size: log-normal around 6 000 €, rounded to 50 €, 300 € to 150 000 €."""
    value = math.exp(rng.gauss(math.log(6000), 0.9))
    value = min(max(value, 300), 150_000)
    return Decimal(round(value / 50) * 50).quantize(Decimal("0.01"))


def _working_days(start: date, end: date) -> list[date]:
    """Worked days between start and end, or every day if there are none."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    worked = [d for d in days if is_working_day(d)]
    return worked or days


def _clock(rng: random.Random, first: int, last: int) -> time:
    """A quarter-hour time between two hours."""
    minutes = rng.randrange(first * 60, last * 60, 15)
    return time(minutes // 60, minutes % 60)


def _money_words(amount: Decimal | None) -> str:
    """How a rep types an amount: "12k€", "850 €"."""
    if amount is None:
        return ""
    if amount >= 1000:
        thousands = amount / 1000
        text = f"{thousands:.1f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{text}k€"
    return f"{int(amount)} €"


def generate_journal(
    session: Session,
    user: User,
    n_activities: int,
    start: date,
    end: date,
    seed: int = 0,
) -> GeneratedJournal:
    """Insert a plausible journal for user between start and end; same seed, same journal.

    Calls and visits are spread over worked days; outcomes follow field-like frequencies
    (a third of calls unanswered, a third of visits ending in a quote); quotes and orders carry
    amounts, visits carry round-trip km; a few entries are planned or deleted, and quotes,
    call-backs and unanswered calls get follow-ups.
    """
    if user.id is None:
        session.flush()
    rng = random.Random(seed)
    days = _working_days(start, end)
    n_companies = max(5, min(400, n_activities // 8))
    used: set[str] = set()
    companies: list[tuple[Company, int, list[Contact]]] = []
    for _ in range(n_companies):
        city, km = rng.choice(CITIES)
        name = _company_name(rng, used)
        company = Company(owner_id=user.id, name=name, norm_name=norm_name(name), city=city)
        contacts = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            contact = Contact(
                company=company,
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                role_code=str(_pick(rng, ROLES)),
            )
            contacts.append(contact)
        companies.append((company, km, contacts))
        session.add(company)
    session.flush()

    activities: list[Activity] = []
    followups: list[FollowUp] = []
    for _ in range(n_activities):
        day = rng.choice(days)
        kind = str(_pick(rng, KINDS))
        company, one_way_km, contacts = rng.choice(companies)
        contact = rng.choice(contacts)
        activity = Activity(
            user_id=user.id,
            kind=kind,
            status="done",
            day=day,
            company_id=company.id,
            contact_id=contact.id,
        )
        if kind == "task":
            activity.status = "planned" if rng.random() < 0.6 else "done"
            activity.at_time = _clock(rng, 8, 18) if rng.random() < 0.5 else None
            activity.note = f"{rng.choice(TASKS)} — {company.name}"
            activity.raw_text = activity.note
        else:
            activity.at_time = _clock(rng, 8, 18 if kind == "call" else 17)
            planned = rng.random() < 0.03
            outcome = (
                None
                if planned
                else _pick(rng, CALL_OUTCOMES if kind == "call" else VISIT_OUTCOMES)
            )
            activity.status = "planned" if planned else "done"
            activity.outcome = outcome  # type: ignore[assignment]
            if outcome in ("devis", "commande") and rng.random() < 0.9:
                activity.amount = _amount(rng)
            if kind == "visit" and not planned and rng.random() < 0.95:
                activity.distance_km = Decimal(round(2 * one_way_km * rng.uniform(0.9, 1.15)))
                activity.city = company.city
            objection_odds = {"refus": 0.7, "devis": 0.3, "interesse": 0.2, "rappel": 0.2}
            if rng.random() < objection_odds.get(str(outcome), 0.0):
                picked = rng.sample(OBJECTIONS, rng.choice((1, 1, 2)))
                activity.objections = ",".join(picked)
            if rng.random() < 0.3:
                activity.note = rng.choice(NOTES)
            verb = "appelé" if kind == "call" else "vu"
            words = OUTCOME_WORDS[outcome].format(amount=_money_words(activity.amount))  # type: ignore[index]
            if planned:
                verb, words = ("appeler" if kind == "call" else "RDV chez"), ""
            activity.raw_text = ", ".join(
                p for p in (f"{verb} {contact.name} chez {company.name}", words) if p
            )
        moment = datetime.combine(day, activity.at_time or time(18, 0))
        activity.created_at = moment + timedelta(minutes=rng.randrange(5, 240))
        if rng.random() < 0.01:
            activity.deleted_at = activity.created_at + timedelta(days=1)
        activities.append(activity)
    activities.sort(key=lambda a: (a.day, a.at_time or time(23, 59)))
    session.add_all(activities)
    session.flush()

    delays = {"devis": 7, "rappel": 7, "injoignable": 2}
    for activity in activities:
        delay = delays.get(activity.outcome or "")
        if delay is None or activity.status != "done" or activity.deleted_at is not None:
            continue
        if activity.outcome == "injoignable" and rng.random() < 0.5:
            continue
        due = activity.day + timedelta(days=delay)
        done = due < end and rng.random() < 0.7
        followups.append(
            FollowUp(
                user_id=user.id,
                company_id=activity.company_id,
                activity_id=activity.id,
                due_date=due,
                status="done" if done else "open",
                note="Relancer le devis" if activity.outcome == "devis" else None,
                done_at=datetime.combine(due, time(10, 0)) if done else None,
                created_at=activity.created_at,
            )
        )
    session.add_all(followups)
    session.flush()
    n_contacts = sum(len(c) for _, _, c in companies)
    return GeneratedJournal(n_companies, n_contacts, len(activities), len(followups))
