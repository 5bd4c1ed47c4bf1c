"""French texts of the manager's team summary, its alerts, charts and export."""

from __future__ import annotations

from datetime import date

from journal.stats_texts import NBSP, format_day, format_day_short

# Telegram's limit is 4,096 characters counted in UTF-16 code units (an emoji counts two);
# the renderer stays a little under it.
TELEGRAM_LIMIT = 4096
MESSAGE_BUDGET = 4000

WEEKDAYS_SHORT = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")


def day_label(day: date) -> str:
    """Short French day: "mar. 10/03"."""
    return f"{WEEKDAYS_SHORT[day.weekday()]} {format_day_short(day)}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """French noun agreement: 0 and 1 take the singular ("1 devis", "0 relance")."""
    return singular if abs(count) < 2 else (plural_form or singular + "s")


# --- header -------------------------------------------------------------------------------

HEADER = "📋 {team}Bilan de l'équipe — semaine du {start} au {end}"
HEADER_TEAM = "{name} · "
HEADER_PARTIAL = "Arrêté au {today} · {reps} {reps_word}"
HEADER_FULL = "{reps} {reps_word}"
HEADER_NO_MEMBER = "Aucun commercial dans l'équipe pour l'instant : partagez le code d'invitation."


def header_span(start: date, end: date) -> tuple[str, str]:
    """Start and end of the week in the title: ("09/03", "15/03/2026")."""
    return format_day_short(start), format_day(end)


# --- alerts -------------------------------------------------------------------------------

SECTION_ALERTS = "⚠️ Alertes ({count})"
NO_ALERT = "✅ Aucune alerte cette semaine."
ALERT_LINE = "⚠️ {name} : {text}"

ALERT_INACTIVE = "aucune activité notée depuis {days} jours ouvrés (dernière le {last})."
ALERT_INACTIVE_NEVER = "aucune activité notée depuis au moins {days} jours ouvrés."
ALERT_OVERDUE = "{count} relances en retard (seuil : {limit})."
ALERT_RATIO_DROP = (
    "{label} en baisse de {drop}"
    + NBSP
    + "% : {current} cette semaine ({num}/{den}) contre {baseline} "
    "sur les {weeks} semaines précédentes."
)
ALERT_NO_PLAN = "{days} jours ouvrés d'affilée sans planifier le lendemain ({dates})."
ALERT_VISIT_PACE = (
    "visites en dessous du rythme : {visits} depuis le {since} pour {expected} attendues à "
    "date (objectif {target}/an, {weeks} semaines travaillées sur 44)."
)

# grouped form, when one line per alert does not fit (big teams)
ALERT_GROUP_LINE = "⚠️ {heading} — {count} {reps_word} : {items}"
ALERT_GROUP_ITEM = "{name} ({detail})"
ALERT_GROUP_MORE = "… +{count}"
ALERT_GROUPS = {
    "inactive": "Aucune activité depuis {days_without_activity} jours ouvrés ou plus",
    "overdue": "Plus de {max_overdue} relances en retard",
    "no_plan": "{days_without_plan} jours ouvrés d'affilée ou plus sans plan du lendemain",
    "ratio_drop": (
        "Ratio en baisse de plus de {drop}" + NBSP + "% vs les {baseline_weeks} semaines "
        "précédentes"
    ),
    "visit_pace": "Visites sous le rythme de {target}/an (faites/attendues)",
}
DETAIL_DAYS = "{days}" + NBSP + "j"
DETAIL_DROP = "{ratio} −{drop}" + NBSP + "%"
DETAIL_PACE = "{visits}/{expected}"
RATIO_SHORT_NAMES = {
    "contact_rate": "contact",
    "appointment_rate": "RDV",
    "conversion_rate": "transfo.",
}

# --- per rep --------------------------------------------------------------------------------

SECTION_REPS_COMPACT = "👤 Par commercial (app. = appels, vis. = visites, cde = commandes)"
REP_NAME = "👤 {name}{flag}"
REP_FLAG = " ⚠️{count}"
REP_LINE_CALLS = (
    "📞 {calls} {calls_word}, {reached} {reached_word} · 🚗 {visits} {visits_word}{km}"
)
REP_KM = ", {km}" + NBSP + "km"
REP_LINE_RESULTS = "🤝 {rdv} RDV · 📄 {quotes} devis · ✅ {orders} {orders_word}{revenue}"
REP_REVENUE = ", {amount}"
REP_LINE_DISCIPLINE = "🗓️ Plan du lendemain {planning} · ⏰ {overdue} {overdue_word} en retard"
REP_PLANNING = "{planned}/{eligible}" + NBSP + "j"
REP_PLANNING_NONE = "—"
REP_LINE_COACHING = "🎓 {drills} {drills_word}{average} · ☑️ {checklists} {checklists_word}"
REP_DRILL_AVERAGE = ", moy. {score}/10"
REP_COMPACT = (
    "• {name}{flag} : {calls} app. ({reached}) · {visits} vis. · {rdv} RDV · {quotes} devis · "
    "{orders} cde{revenue} · plan {planning} · {overdue} en retard"
)
REP_COMPACT_REVENUE = " · {amount}"
REPS_TRUNCATED = (
    "… {count} autre(s) commercial(aux) non détaillé(s) ici (les plus en alerte d'abord) : "
    "tout est dans l'export Excel."
)

WORDS = {
    "call": ("appel", "appels"),
    "reached": ("abouti", "aboutis"),
    "visit": ("visite", "visites"),
    "order": ("commande", "commandes"),
    "followup": ("relance", "relances"),
    "drill": ("entraînement", "entraînements"),
    "checklist": ("checklist", "checklists"),
    "rep": ("commercial", "commerciaux"),
}


def word(code: str, count: int) -> str:
    """The noun of a count, agreed ("1 appel", "2 appels")."""
    singular, plural_form = WORDS[code]
    return plural(count, singular, plural_form)


# --- team totals --------------------------------------------------------------------------

SECTION_TOTALS = "👥 Total équipe"

# --- ratios -------------------------------------------------------------------------------

SECTION_RATIOS = "📈 Ratios de l'équipe"
RATIOS_COMPARED = "(évolution vs semaine précédente, même durée : {start} → {end})"
RATIOS_NO_COMPARISON = "(pas d'activité la semaine précédente : pas de comparaison)"
RATIO_LINE = "• {label} ({formula}) : {value}{detail}{delta}"
RATIO_SHORT_FORMULAS = {
    "contact_rate": "aboutis ÷ appels",
    "appointment_rate": "RDV ÷ appels aboutis",
    "visit_efficiency": "devis ÷ visites",
    "conversion_rate": "commandes ÷ devis",
    "average_order": "CA ÷ commandes",
    "cost_per_visit": "coût terrain ÷ visites",
}

# --- funnel -------------------------------------------------------------------------------

SECTION_FUNNEL = "🔻 Entonnoir (contacts = appels aboutis + visites)"
FUNNEL_LABELS = {
    "contacts": "Contacts",
    "appointments": "RDV",
    "quotes": "Devis",
    "orders": "Commandes",
}
FUNNEL_STEP = "{label} {value}"
FUNNEL_RATE = " ({rate})"
FUNNEL_ARROW = " → "

# --- accounts -----------------------------------------------------------------------------

SECTION_ACCOUNTS = "🏢 Portefeuilles"
ACCOUNT_HEAD = "• {name} — {share} des comptes vus en 30{nbsp}j ({contacted}/{companies})"
ACCOUNT_HEAD_EMPTY = "• {name} — aucun compte en portefeuille"
ACCOUNT_MOST = "⭐ {company} ({count} en 90{nbsp}j)"
ACCOUNT_LEAST = "💤 {company} ({since})"
ACCOUNT_LEAST_SINCE = "rien depuis le {day}"
ACCOUNT_LEAST_NEVER = "jamais contacté"
ACCOUNT_ROTTING = "🧊 {count} devis sans suite : {amount}{examples}"
ACCOUNT_ROTTING_EXAMPLES = " ({items})"
ACCOUNT_UNREPORTED = "📌 {text} non renseigné(es)"
ACCOUNT_UNREPORTED_VISITS = "{count} visite(s) prévue(s)"
ACCOUNT_UNREPORTED_CALLS = "{count} appel(s) prévu(s)"
ACCOUNT_COMPACT = "• {name} : {share} vus (30{nbsp}j) · 🧊 {rotting} ({amount}) · 📌 {unreported}"
ACCOUNTS_TEAM = (
    "Équipe : {share} des comptes vus en 30{nbsp}j · 🧊 {rotting} devis sans suite "
    "({amount}) · 📌 {unreported} prévu(s) non renseigné(s)"
)
ACCOUNTS_LEGEND = (
    "🧊 devis des {days} derniers jours sans commande ni relance ouverte · 📌 visites ou "
    "appels prévus à une date passée, jamais renseignés"
)
ACCOUNTS_TRUNCATED = (
    "… {count} autre(s) portefeuille(s) (les plus gros devis sans suite d'abord) : voir "
    "l'export Excel."
)

# --- charts ---------------------------------------------------------------------------------

CHART_FUNNEL_TITLE = "Entonnoir de l'équipe\nsemaine du {start} au {end}"
CHART_FUNNEL_RATE = "{rate} {of_previous}"
CHART_FUNNEL_OF_PREVIOUS = {
    "appointments": "des contacts",
    "quotes": "des RDV",
    "orders": "des devis",
}
CHART_ACTIVITY_TITLE = "Activité par commercial — semaine du {start} au {end}"
CHART_SERIES = {
    "calls_made": "Appels",
    "visits": "Visites",
    "quotes": "Devis",
    "orders": "Commandes",
}
CHART_EMPTY = "Aucune activité notée cette semaine"
CHART_COUNT_AXIS = "Nombre"

# --- export ---------------------------------------------------------------------------------

UNNAMED_REP = "Commercial n°{id}"
