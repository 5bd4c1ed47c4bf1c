"""French texts and number formatting of the stats, ratios, advice and journal export."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# A no-break space between digit groups and before units ("12 000 €", "45 %"): a phone never
# wraps a number in two.
from journal.texts import MONTHS

NBSP = "\u00a0"
MINUS = "\u2212"


# --- number formatting ------------------------------------------------------------------


def _round(value: float | Decimal, places: int) -> Decimal:
    """Round half up (not banker's rounding) to a number of decimal places."""
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value: float | Decimal | int, places: int = 0) -> str:
    """French number: "12 000", "4,5" (no-break space between thousands, decimal comma)."""
    rounded = _round(value, places)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    sign = "-" if rounded < 0 else ""
    text = f"{abs(rounded):,.{places}f}"
    integer, _, decimals = text.partition(".")
    integer = integer.replace(",", NBSP)
    return f"{sign}{integer},{decimals}" if decimals else f"{sign}{integer}"


def format_money(value: float | Decimal | int) -> str:
    """Whole euros the French way: "12 000 €"."""
    return f"{format_number(value)}{NBSP}€"


def format_pct(ratio: float | None) -> str:
    """A ratio 0..1 as a French percentage: 0.45 → "45 %"; None → "—"."""
    if ratio is None:
        return "—"
    places = 1 if 0 < abs(ratio) < 0.01 else 0
    return f"{format_number(ratio * 100, places)}{NBSP}%"


def format_signed(value: float, places: int = 0) -> str:
    """A signed French number with a true minus sign: "+5", "−12", "0"."""
    text = format_number(value, places)
    if text.startswith("-"):
        return MINUS + text[1:]
    return text if text.strip("0,") == "" else "+" + text


def format_day(day: date) -> str:
    """French short date: 09/03/2026."""
    return day.strftime("%d/%m/%Y")


def format_day_short(day: date) -> str:
    """French day and month: 09/03."""
    return day.strftime("%d/%m")


# --- periods ------------------------------------------------------------------------------

PREVIOUS_NOUNS = {
    "semaine": "la semaine précédente",
    "mois": "le mois précédent",
    "trimestre": "le trimestre précédent",
    "annee": "l'année précédente",
}


def quarter_name(day: date) -> str:
    """French name of a quarter: "1er trimestre 2026", "3e trimestre 2025"."""
    number = (day.month - 1) // 3 + 1
    suffix = "er" if number == 1 else "e"
    return f"{number}{suffix} trimestre {day.year}"


def period_title(kind: str, start: date, end: date) -> str:
    """Heading of a period: "Semaine du 09/03 au 10/03/2026", "Mars 2026 (au 10/03)"."""
    span = f"du {format_day_short(start)} au {format_day(end)}"
    if kind == "semaine":
        return f"Semaine {span}" if start != end else f"Semaine : {format_day(end)}"
    if kind == "mois":
        return f"{MONTHS[start.month - 1].capitalize()} {start.year} ({span})"
    if kind == "trimestre":
        return f"{quarter_name(start).capitalize()} ({span})"
    return f"Année {start.year} ({span})"


# --- counts and ratios --------------------------------------------------------------------

HEADER = "📊 Vos chiffres — {title}"
COMPARED_WITH = "Comparé à {previous}, même durée ({start} → {end})."
COMPARED_WITH_FULL = "Comparé à {previous} ({start} → {end})."
NO_COMPARISON = "Pas d'activité notée sur {previous} : pas de comparaison."

SECTION_ACTIVITY = "Activité"
SECTION_RATIOS = "Ratios"
SECTION_TARGET = "🎯 Objectif annuel de visites"
SECTION_ADVICE = "💡 Conseils"

LINE_CALLS = "• Appels : {made}, dont {reached} aboutis"
LINE_APPOINTMENTS = "• RDV obtenus : {count}"
LINE_VISITS = "• Visites : {count}"
LINE_VISITS_DAYS = "• Visites : {count} en {days} j terrain ({per_day}/j, repère 4)"
LINE_QUOTES = "• Devis : {count}"
LINE_ORDERS = "• Commandes : {count}"
LINE_REVENUE = "• CA signé : {amount}"
LINE_KM = "• Kilomètres : {km}{nbsp}km"
LINE_RATIO = "• {label} : {value}{detail}"
LINE_DELTA = " · {arrow}{nbsp}{change}"
ARROW_UP = "↗"
ARROW_DOWN = "↘"
ARROW_FLAT = "="
UNIT_POINTS = "pts"
UNIT_PERCENT = "%"

RATIO_LABELS = {
    "contact_rate": "Taux de contact",
    "appointment_rate": "Prise de RDV",
    "visit_efficiency": "Efficacité des visites",
    "conversion_rate": "Transformation",
    "average_order": "Panier moyen",
    "cost_per_visit": "Coût par visite",
}
RATIO_FULL_LABELS = {
    "contact_rate": "Taux de contacts",
    "appointment_rate": "Taux de prise de rendez-vous",
    "visit_efficiency": "Taux d'efficacité des visites",
    "conversion_rate": "Taux de transformation",
    "average_order": "Panier moyen",
    "cost_per_visit": "Coût de revient d'une visite",
}
RATIO_FORMULAS = {
    "contact_rate": "appels aboutis ÷ appels passés × 100",
    "appointment_rate": "RDV obtenus (au téléphone ou en visite) ÷ appels aboutis × 100",
    "visit_efficiency": "devis ÷ visites × 100",
    "conversion_rate": "commandes ÷ devis × 100",
    "average_order": "CA signé ÷ nombre de commandes",
    "cost_per_visit": (
        "(km × {cost_per_km} €/km + jours terrain × {cost_per_field_day} €/jour) ÷ visites"
    ),
}
RATIO_NOTES = {
    "contact_rate": "Un appel est « abouti » sauf s'il est noté injoignable (messagerie, absent…).",
    "appointment_rate": (
        "Les RDV pris en fin de visite comptent aussi : le taux peut dépasser 100 %."
    ),
    "visit_efficiency": "Certains manuels le calculent en commandes ÷ RDV effectués.",
    "conversion_rate": "Certains manuels rapportent les commandes aux visites plutôt qu'aux devis.",
    "average_order": "",
    "cost_per_visit": "Un jour terrain = un jour avec au moins une visite.",
}
RATIO_EMPTY = {
    "contact_rate": "aucun appel",
    "appointment_rate": "aucun appel abouti",
    "visit_efficiency": "aucune visite",
    "conversion_rate": "aucun devis",
    "average_order": "aucune commande",
    "cost_per_visit": "aucune visite",
}
COST_NOT_CONFIGURED = (
    "Coût par visite : indiquez vos coûts (COST_PER_KM, COST_PER_FIELD_DAY) pour le calculer."
)

# --- yearly visit target ------------------------------------------------------------------

TARGET_LINE = (
    "{visits} visites depuis le 1er janvier pour {expected} attendues au prorata "
    "({weeks} sem. travaillées sur 44, objectif {target}/an)."
)
TARGET_AHEAD = "✅ En avance de {gap} visite(s)."
TARGET_ON_PACE = "✅ Dans le rythme."
TARGET_BEHIND = "⚠️ Retard de {gap} visite(s) sur le rythme."
TARGET_HIGH = "Fourchette haute ({high}/an) : {expected} visites attendues à date."

# --- advice -------------------------------------------------------------------------------

ADVICE_LINE = "• {label} à {value} : {advice}"
ADVICE = {
    "contact_rate": (
        "appelez quand les décideurs décrochent — mardi et jeudi de 8 h 30 à 10 h, ou après "
        "17 h — et demandez la ligne directe ou le portable au standard."
    ),
    "appointment_rate": (
        "retravaillez l'accroche de votre script (un bénéfice client en 20 secondes) et "
        "proposez deux créneaux précis plutôt que « quand seriez-vous disponible ? »."
    ),
    "visit_efficiency": (
        "qualifiez avant de vous déplacer (besoin, budget, décideur, délai) et concluez chaque "
        "visite par un engagement daté : devis, essai ou second RDV."
    ),
    "conversion_rate": (
        "qualifiez mieux avant de chiffrer, présentez le devis de vive voix et relancez chaque "
        "devis sous {followup_days} jours."
    ),
}
ADVICE_VISITS_PER_DAY = (
    "• Moins de 4 visites par jour terrain ({per_day}) : regroupez vos RDV par secteur "
    "(tournée en marguerite ou en trèfle) et calez les prises de RDV sur les zones déjà prévues."
)

FORMULAS_HINT = "ℹ️ Le détail des calculs est à un clic : « Formules »."

# --- formulas screen ----------------------------------------------------------------------

FORMULAS_HEADER = "🧮 Vos ratios, formule par formule\n{title}"
FORMULA_LINE = "{label} = {formula}"
FORMULA_APPLIED = "   → {numerator} ÷ {denominator} = {value}"
FORMULA_APPLIED_COST = (
    "   → ({km} × {cost_per_km} + {days} × {cost_per_field_day}) ÷ {visits} = {value}"
)
FORMULA_NO_VALUE = "   → non calculable : {reason}"
FORMULA_NOTE = "   À savoir : {note}"
FORMULAS_TARGET = (
    "Objectif annuel : {target} visites (repère : 44 semaines travaillées × 7 à 10 visites, "
    "soit 308 à 440). Visites attendues à date = objectif × jours ouvrés écoulés ÷ jours "
    "ouvrés de l'année (week-ends et jours fériés exclus)."
)
FORMULAS_PER_DAY = (
    "Visites par jour terrain = visites ÷ jours avec au moins une visite (repère : 4)."
)
FORMULAS_COMPARISON = (
    "Évolution : en points pour les taux (45 % → 50 % = +5 pts), en % pour les volumes."
)
FORMULAS_ADVICE = "Un conseil s'affiche sous {threshold} (sur au moins {min_sample} cas)."

# --- empty journal ------------------------------------------------------------------------

EMPTY = (
    "Aucune activité sur la période ({title}).\n\n"
    "Pour noter une visite ou un appel, racontez-le-moi simplement, par exemple :\n"
    "« vu Dupont SA à Lyon, devis 12 k€, relance jeudi »\n"
    "« appelé Garnier, RDV mardi 10 h »\n"
    "Vos chiffres et vos ratios apparaîtront ici."
)
EMPTY_PREVIOUS = "Pour mémoire, {previous} : {visits} visite(s), {calls} appel(s)."

# --- export -------------------------------------------------------------------------------

EXPORT_HEADERS = (
    "Date",
    "Heure",
    "Type",
    "Statut",
    "Entreprise",
    "Ville",
    "Contact",
    "Fonction",
    "Résultat",
    "Montant (€)",
    "Km",
    "Objections",
    "Note",
    "Message d'origine",
    "Saisi le",
)
KIND_LABELS = {"visit": "Visite", "call": "Appel", "task": "Tâche"}
STATUS_LABELS = {"done": "Fait", "planned": "Prévu"}
OUTCOME_LABELS = {
    "rdv": "RDV obtenu",
    "devis": "Devis",
    "commande": "Commande",
    "refus": "Refus",
    "rappel": "À rappeler",
    "injoignable": "Injoignable",
    "interesse": "Intéressé",
}
ROLE_LABELS = {
    "direction": "Direction",
    "achats": "Achats",
    "technique": "Technique",
    "finance": "Finance",
    "commercial": "Commercial",
    "assistant": "Assistanat",
}
OBJECTION_LABELS = {
    "prix": "Prix",
    "concurrent": "Concurrent en place",
    "timing": "Pas le moment",
    "besoin": "Pas de besoin",
    "confiance": "Confiance",
    "decision": "Pas décideur",
}
TOTALS_SHEET = "Totaux"
TOTALS_HEADERS = (
    "Commercial",
    "Appels",
    "Appels aboutis",
    "RDV obtenus",
    "Visites",
    "Devis",
    "Commandes",
    "CA signé (€)",
    "Km",
)
TOTALS_ALL = "Total équipe"
