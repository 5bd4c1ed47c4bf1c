"""Every French text of the journal feature (cards, questions, agenda, history, CRM)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journal.card import Card

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DAYS_SHORT = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip

KIND_DONE = {"visit": "Visite", "call": "Appel", "task": "Action"}
KIND_PLANNED = {"visit": "Visite prévue", "call": "Appel prévu", "task": "Action prévue"}
OUTCOME_LABELS = {
    "rdv": "RDV obtenu",
    "devis": "Devis",
    "commande": "Commande signée",
    "refus": "Refus / perdu",
    "rappel": "À rappeler",
    "injoignable": "Injoignable / messagerie",
    "interesse": "Intéressé",
}
ROLE_LABELS = {
    "direction": "direction",
    "achats": "achats",
    "technique": "technique",
    "finance": "finance",
    "commercial": "commercial",
    "assistant": "assistant·e",
}
OBJECTION_LABELS = {
    "prix": "prix",
    "concurrent": "concurrent en place",
    "timing": "pas le moment",
    "besoin": "pas de besoin",
    "confiance": "confiance",
    "decision": "pas décideur",
}
FIELD_LABELS = {
    "company": "Entreprise",
    "person": "Contact",
    "day": "Date",
    "outcome": "Résultat",
    "amount": "Montant",
    "followup": "Relance",
    "city": "Ville",
    "km": "Km",
}

BUTTON_VALIDATE = "✅ Valider"
BUTTON_FIX = "✏️ Corriger"
BUTTON_CANCEL = "✖️ Annuler"
BUTTON_SKIP = "Passer"
BUTTON_STOP = "Abandonner la saisie"
BUTTON_BACK = "↩️ Retour à la fiche"
BUTTON_NEW_COMPANY = "Non, nouvelle : « {name} »"
BUTTON_SAME_CONTACT = "👤 Même contact : {name}"
BUTTON_RESUME = "Reprendre la saisie ({company})"
BUTTON_DROP = "Abandonner"
BUTTON_DONE = "✅ Fait"
BUTTON_POSTPONE = "⏭ Reporter"

ASK = {
    "company": "Avec quelle entreprise ? (tapez son nom)",
    "outcome": "Quel a été le résultat ? Choisissez ou écrivez-le.",
    "day": "Pour quand ? (ex. « demain 10h », « jeudi », « le 12/03 »)",
    "person": "Quel est le nom du contact ? (ex. « M. Martin », « Julie Garnier »)",
    "amount": "Quel montant ? (ex. « 12k€ », « 3 500 € »)",
    "followup": "Quelle date de relance ? (ex. « jeudi », « dans 15 jours », « le 12/03 »)",
    "city": "Quelle ville ?",
    "km": "Combien de kilomètres ? (ex. « 45 km »)",
}
EXPECTED = {
    "company": "J'attends le nom de l'entreprise, par exemple « Dupont SA » ou « Mairie de Bron ».",
    "outcome": (
        "J'attends le résultat du contact : RDV obtenu, devis, commande, refus, à rappeler, "
        "injoignable ou intéressé."
    ),
    "day": "J'attends une date : « demain », « jeudi 14h », « le 12/03 », « dans 3 jours »…",
    "person": "J'attends un nom de personne, par exemple « M. Martin ».",
    "amount": "J'attends un montant en euros, par exemple « 12k€ » ou « 3 500 € ».",
    "followup": "J'attends une date de relance : « jeudi », « dans 15 jours », « le 12/03 »…",
    "city": "J'attends un nom de ville.",
    "km": "J'attends un nombre de kilomètres, par exemple « 45 km ».",
}
NOT_FITTING = "Je n'ai pas compris cette valeur. {expected}"
NOT_FITTING_TWICE = "{expected}\nVous pouvez aussi passer ce champ ou abandonner la saisie."
NOT_FITTING_TWICE_REQUIRED = "{expected}\nVous pouvez aussi abandonner la saisie."
SKIP_REFUSED = "Ce champ est indispensable : donnez-le ou tapez /annuler."
PICK_FIELD = "Que voulez-vous corriger ?"
TYPE_NEW_VALUE = "Nouvelle valeur pour « {field} » :"
COMPANY_CHOICE = "Vous parlez de l'une de ces entreprises ?"
SAVED = "✅ C'est enregistré : {summary}."
SAVED_FOLLOWUP = "🔔 Relance prévue le {date}."
UPDATED = "✅ Entrée mise à jour : {summary}."
CARD_CANCELLED = "✖️ Saisie annulée, rien n'a été enregistré."
CARD_EXPIRED = "Cette fiche n'est plus en cours (déjà validée ou annulée)."
PENDING_OFFER = "Vous aviez une saisie en cours ({company}). On la reprend ?"
NO_PENDING = "Il n'y a plus de saisie en cours."
UNKNOWN_COMPANY = "l'entreprise à préciser"

AGENDA_TITLE = "📋 {day}"
AGENDA_EMPTY = "Rien de prévu {day}. Dites-moi par exemple « demain 10h RDV chez Dupont à Lyon »."
AGENDA_OVERDUE = "⚠️ En retard ({date}) — "
AGENDA_DONE = "✅ Fait : {label}"
AGENDA_POSTPONED = "⏭ Reporté au {date} : {label}"
AGENDA_GONE = "Cet élément n'existe plus ou ne vous appartient pas."

FICHE_USAGE = "Donnez le nom du client : /fiche Dupont"
FICHE_NOT_FOUND = "Je ne trouve pas « {name} » dans vos clients."
FICHE_PICK = "Plusieurs clients correspondent :"
FICHE_TITLE = "🏢 {name}{city}"
FICHE_CONTACTS = "👥 Contacts : {contacts}"
FICHE_NO_CONTACT = "👥 Aucun contact enregistré"
FICHE_LAST = "🕘 Dernières actions :"
FICHE_QUOTES = "💶 Devis ouverts : {quotes}"
FICHE_NO_QUOTE = "💶 Aucun devis ouvert"
FICHE_NEXT = "🔔 Prochaine relance : {next}"
FICHE_NO_NEXT = "🔔 Aucune relance prévue"

HISTORY_TITLE = "🕘 Vos dernières saisies (page {page}) :"
HISTORY_EMPTY = "Votre journal est vide. Racontez-moi votre dernière visite pour commencer."
HISTORY_PREV = "◀️ Plus récentes"
HISTORY_NEXT = "Plus anciennes ▶️"
HISTORY_EDIT = "✏️ {n}"
HISTORY_DELETE = "🗑 {n}"
DELETE_CONFIRM = "Supprimer cette entrée ?\n{summary}"
DELETE_YES = "Oui, supprimer"
DELETE_NO = "Non, garder"
DELETED = "🗑 Entrée supprimée. Vous pouvez l'annuler pendant 24 h."
UNDO_DELETE = "↩️ Annuler la suppression"
RESTORED = "↩️ Entrée restaurée : {summary}."
UNDO_TOO_LATE = "La suppression date de plus de 24 h : elle ne peut plus être annulée."
KEPT = "Entrée conservée."


def fmt_date(day: date | str | None, with_weekday: bool = True) -> str:
    """Format a date the French way: "jeu. 12 mars"."""
    if day is None:
        return "—"
    if isinstance(day, str):
        day = date.fromisoformat(day)
    base = f"{day.day} {MONTHS[day.month - 1]}"
    if day.year != date.today().year:
        base += f" {day.year}"
    return f"{DAYS_SHORT[day.weekday()]} {base}" if with_weekday else base


def fmt_short(day: date) -> str:
    """Format a date as dd/mm."""
    return day.strftime("%d/%m")


def fmt_amount(amount: float | int | None) -> str:
    """Format euros the French way: "12 000 €"."""
    if amount is None:
        return "—"
    value = float(amount)
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") + " €"


def fmt_km(km: float | None) -> str:
    """Format kilometres."""
    if km is None:
        return "—"
    return f"{km:g} km".replace(".", ",")


def relative_day(day: date, today: date) -> str:
    """Say "aujourd'hui", "demain", or the date."""
    delta = (day - today).days
    if delta == 0:
        return f"aujourd'hui ({fmt_date(day)})"
    if delta == 1:
        return f"demain ({fmt_date(day)})"
    if delta == -1:
        return f"hier ({fmt_date(day)})"
    return f"le {fmt_date(day)}"


def render_card(card: Card, *, last_contact: str | None = None) -> str:
    """Show what was understood, field by field."""
    title = (KIND_PLANNED if card.is_plan else KIND_DONE)[card.kind]
    lines = [f"📝 {title} — à valider"]
    lines.append(
        f"🏢 {card.company or '❓ entreprise ?'}" + (f" ({card.city})" if card.city else "")
    )
    if card.person:
        role = f" — {ROLE_LABELS[card.role]}" if card.role in ROLE_LABELS else ""
        lines.append(f"👤 {card.person}{role}")
    elif card.role:
        lines.append(f"👤 contact {ROLE_LABELS.get(card.role, card.role)}")
    when = fmt_date(card.day) if card.day else "❓ date ?"
    if card.at_time:
        when += f" à {card.at_time.replace(':', 'h')}"
    lines.append(f"📅 {when}")
    if not card.is_plan:
        lines.append(f"🎯 Résultat : {OUTCOME_LABELS.get(card.outcome or '', '❓')}")
    if card.amount is not None:
        lines.append(f"💶 {fmt_amount(card.amount)}")
    if card.followup:
        proposed = " (proposée, modifiable)" if card.followup_proposed else ""
        at = f" à {card.followup_time.replace(':', 'h')}" if card.followup_time else ""
        lines.append(f"🔔 Relance : {fmt_date(card.followup)}{at}{proposed}")
    if card.km is not None:
        lines.append(f"🚗 {fmt_km(card.km)}")
    if card.objections:
        lines.append(
            "🧱 Objections : " + ", ".join(OBJECTION_LABELS.get(o, o) for o in card.objections)
        )
    if last_contact and not card.person:
        lines.append(f"(Dernier contact chez ce client : {last_contact})")
    return "\n".join(lines)


def summary(card: Card) -> str:
    """One line: "visite chez Dupont SA le lun. 9 mars (devis, 12 000 €)"."""
    kind = {"visit": "visite", "call": "appel", "task": "action"}[card.kind]
    if card.is_plan:
        kind += " prévue" if card.kind != "call" else " prévu"
    text = f"{kind} chez {card.company or UNKNOWN_COMPANY} le {fmt_date(card.day)}"
    if card.at_time:
        text += f" à {card.at_time.replace(':', 'h')}"
    details = [OUTCOME_LABELS[card.outcome].lower()] if card.outcome in OUTCOME_LABELS else []
    if card.amount is not None:
        details.append(fmt_amount(card.amount))
    if details:
        text += f" ({', '.join(details)})"
    return text


def followup_note(card: Card) -> str:
    """What a follow-up is about: "devis 12 000 € du 13/10"."""
    what = {"devis": "devis", "rappel": "rappel", "injoignable": "rappel (injoignable)"}.get(
        card.outcome or "", "suivi"
    )
    parts = [what]
    if card.amount is not None:
        parts.append(fmt_amount(card.amount))
    if card.day:
        parts.append(f"du {fmt_short(date.fromisoformat(card.day))}")
    return " ".join(parts)


def followup_label(company: str | None, note: str | None) -> str:
    """Agenda label of a follow-up: "Relance Dupont SA — devis 12 000 € du 13/10"."""
    label = f"Relance {company or 'client'}"
    return f"{label} — {note}" if note else label


def planned_label(kind: str, company: str | None, city: str | None) -> str:
    """Agenda label of a planned activity."""
    what = {"visit": "Visite", "call": "Appel", "task": "Action"}.get(kind, "Action")
    label = f"{what} {company or ''}".strip()
    return f"{label} ({city})" if city else label


STATS_PERIODS = {"semaine": "Semaine", "mois": "Mois", "trimestre": "Trimestre", "annee": "Année"}
STATS_FORMULAS_BUTTON = "ℹ️ Formules"
STATS_USAGE = (
    "Période inconnue. Essayez /stats semaine, /stats mois, /stats trimestre ou /stats annee."
)
EXPORT_EMPTY = "Votre journal est vide : rien à exporter pour l'instant."
EXPORT_CAPTION_CSV = "📄 Votre journal ({count} lignes) au format CSV (Excel, LibreOffice)."
EXPORT_CAPTION_XLSX = "📊 Le même journal au format Excel."
