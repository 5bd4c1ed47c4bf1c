"""French texts, answer words and formatting of the coaching checklists (engine in checklist.py)."""

from __future__ import annotations

from datetime import date

NBSP = "\u00a0"
from journal.texts import DAYS_SHORT, MONTHS  # noqa: E402  (shared French calendar words)

# --- kinds ------------------------------------------------------------------------------

KIND_LABELS = {
    "preparer": "préparation de visite",
    "decouvrir": "découverte",
    "argumenter": "argumentaire",
    "negocier": "négociation",
    "conclure": "conclusion",
    "debrief": "débrief",
}
# Words that name a checklist, checked in this order on accent-free lower-case text: the
# specific kinds first, "préparer" last ("prépa négo" is a negotiation checklist).
KIND_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "debrief",
        (
            r"de ?brief\w*",
            r"bilan",
            r"comptes? ?-?rendus?",
            r"cr de (ma|mon|la|le)",
            r"faire le point",
            r"retour sur (ma|mon|la|le) (visite|rdv|rendez)",
        ),
    ),
    ("negocier", (r"nego\w*", r"marchand\w*")),
    (
        "conclure",
        (r"conclu\w*", r"closing", r"closer", r"signature", r"signer", r"emporter l.affaire"),
    ),
    (
        "argumenter",
        (
            r"argument\w*",
            r"presenter (l |mon |ma |notre |une )?offre",
            r"presentation (de |d )(l |mon |ma |notre )?offre",
            r"pitch\w*",
            r"soutenance",
        ),
    ),
    (
        "decouvrir",
        (
            r"decouv\w*",
            r"qqoqcp",
            r"soncas",
            r"questions? (a |de )?(poser|decouverte)",
            r"quelles questions",
            r"que (dois-je|je dois|dois je) demander",
        ),
    ),
    (
        "preparer",
        (
            r"prepa\w*",
            r"prepar\w*",
            r"avant (ma |mon |le |la |les |un |une |de |d |l )?"
            r"(visite|rdv|rendez|entretien|aller|voir|passer)",
        ),
    ),
)
NEXT_KIND = {
    "preparer": "decouvrir",
    "decouvrir": "argumenter",
    "argumenter": "negocier",
    "negocier": "conclure",
    "conclure": "debrief",
}

# --- answer words (compared on accent-free lower-case text, punctuation removed) ----------

CHECK_WORDS = {
    "done": (
        "fait",
        "faite",
        "c est fait",
        "deja fait",
        "ok",
        "oui",
        "ouais",
        "yes",
        "done",
        "fini",
        "termine",
        "pret",
        "prete",
        "valide",
        "c est bon",
        "✅",
        "✔",
        "✔️",
        "👍",
    ),
    "todo": (
        "a faire",
        "afaire",
        "non",
        "pas encore",
        "pas fait",
        "todo",
        "plus tard",
        "a voir",
        "⏳",
        "❌",
    ),
    "na": (
        "n a",
        "na",
        "n/a",
        "pas concerne",
        "non concerne",
        "pas applicable",
        "non applicable",
        "sans objet",
        "inutile",
        "➖",
    ),
}
# Words that answer any item as "not applicable" (also text items, so only explicit ones).
NA_WORDS = ("n a", "na", "n/a", "pas concerne", "non concerne", "sans objet", "non applicable")
COMMAND_WORDS = {
    "skip": ("passer", "passe", "je passe", "skip", "suivant", "suivante"),
    "why": ("pourquoi", "pourquoi ?", "why", "?", "explique", "a quoi ca sert"),
    "back": ("retour", "precedent", "precedente", "back", "revenir", "en arriere"),
}
NO_CHOICE_WORDS = ("aucune", "aucun", "rien", "aucune objection", "pas d objection", "non")

# --- buttons ----------------------------------------------------------------------------

BTN_DONE = "✅ Fait"
BTN_TODO = "⏳ À faire"
BTN_NA = "➖ Pas concerné"
BTN_WHY = "💡 Pourquoi ?"
BTN_SKIP = "⏭️ Passer"
BTN_BACK = "↩️ Retour"
BTN_VALIDATE = "✔️ Valider"
BTN_NONE = "Aucune"
BTN_PREFILL = "📒 Reprendre : {value}"
SELECTED_MARK = "☑️ "

# --- steps ------------------------------------------------------------------------------

HEADER = "{emoji} {title}{company} — {position}/{total}"
HEADER_COMPANY = " · {company}"
HINTS = {
    "check": "Fait, à faire ou pas concerné ?",
    "number": "Réponds par un nombre{unit}.",
    "amount": "Un montant : 12k€, 3 500 €, 800…",
    "date": "Une date : jeudi, 12/03, dans 15 jours…",
    "text": "Réponds en quelques mots.",
    "choice": "Appuie sur un bouton ou tape son numéro.",
    "choice_multiple": "Coche une ou plusieurs réponses, puis « Valider » (ou tape « 1, 3 »).",
}
JOURNAL_FACT = "📒 D'après ton journal : {fact}"
CURRENT_ANSWER = "Réponse actuelle : {value}"
SELECTION = "Sélection : {labels}"
OPTION_LINE = "{number}. {label}"
WHY_PREFIX = "💡 {why}"
NO_WHY = "Pas d'explication particulière pour ce point : il parle de lui-même."
RESUME = "On reprend ta checklist où tu l'avais laissée."
NOTHING_RUNNING = (
    "Aucune checklist en cours. Dis-moi par exemple « prépa visite Dupont » ou « débrief »."
)
UNKNOWN_KIND = "Je ne connais pas cette checklist. Au choix : {kinds}."
FINISHED_TITLE = "🎉 Checklist terminée !"
ALREADY_FINISHED = "Cette checklist est déjà terminée. Voici le bilan :"

# --- recap at start ---------------------------------------------------------------------

RECAP_TITLE = "Ce que je sais déjà de {company} :"
RECAP_EMPTY = "Je n'ai encore rien sur {company} dans ton journal : on part de zéro."
RECAP_NO_COMPANY = "Checklist sans client précis : réponds selon ton prochain rendez-vous."
RECAP_LINES = {
    "contacts": "👤 Contacts : {value}",
    "last_activities": "🕑 Derniers échanges : {value}",
    "open_quotes": "📄 Devis en cours : {value}",
    "overdue_followups": "⚠️ Relances en retard : {value}",
    "last_outcome": "🎯 Dernier résultat : {value}",
    "last_amount": "💶 Dernier montant : {value}",
}
INTRO_LINE = "{emoji} {title} — {count} points. {intro}"
RECAP_MAX_ENTRIES = 3

ROLE_LABELS = {
    "direction": "direction",
    "achats": "achats",
    "technique": "technique",
    "finance": "finance",
    "commercial": "commercial",
    "assistant": "assistant·e",
}
OUTCOME_LABELS = {
    "rdv": "RDV obtenu",
    "devis": "devis",
    "commande": "commande signée",
    "refus": "refus",
    "rappel": "à rappeler",
    "injoignable": "injoignable",
    "interesse": "intéressé",
}

# --- errors (French explanation of what is expected) ------------------------------------

ERR_EMPTY = "Je n'ai rien reçu. {hint}"
ERR_CHECK = "Je n'ai pas compris. Réponds « fait », « à faire » ou « pas concerné » (ou utilise les boutons)."
ERR_NUMBER = "J'attends un nombre, par exemple « 5 » ou « 2,5 »."
ERR_NUMBER_RANGE = "J'attends un nombre entre {low} et {high}{unit}."
ERR_NUMBER_MIN = "J'attends un nombre d'au moins {low}{unit}."
ERR_NUMBER_MAX = "J'attends un nombre d'au plus {high}{unit}."
ERR_AMOUNT = "Je n'ai pas compris le montant. Exemples : « 12k€ », « 3 500 € », « 800 »."
ERR_DATE = "Je n'ai pas compris la date. Exemples : « jeudi », « 12/03 », « dans 15 jours »."
ERR_DATE_PAST = "Cette date ({day}) est déjà passée : donne une date à venir."
ERR_DATE_FUTURE = "Cette date ({day}) est dans le futur : donne une date passée."
ERR_TEXT_LONG = "C'est un peu long ({length} caractères) : résume en {limit} caractères maximum."
ERR_CHOICE = "Je n'ai pas reconnu « {text} ». Choisis parmi :\n{options}"
ERR_BUTTON = "Ce bouton ne correspond pas à la question en cours."
ERR_NO_PREFILL = "Je n'ai rien dans ton journal à reprendre pour ce point."
ERR_FIRST_ITEM = "Tu es déjà au premier point."

# --- summary ----------------------------------------------------------------------------

SUMMARY_TITLE = "📋 Bilan · {title}{company}"
SUMMARY_PROGRESS = "Checklist en cours : {answered}/{total} points vus."
SUMMARY_READY = "✅ Prêt ({count}/{total}) :"
SUMMARY_TODO = "⏳ À faire ({count}) :"
SUMMARY_MISSING = "❓ Sans réponse ({count}) :"
SUMMARY_NA = "➖ Pas concerné : {labels}"
SUMMARY_NOTHING_READY = "✅ Prêt : rien pour l'instant."
SUMMARY_ITEM = "• {label}"
SUMMARY_ITEM_VALUE = "• {label} : {value}"
SUMMARY_COUNTERPARTS = "🤝 Contreparties prévues : {value}"
SUMMARY_COUNTERPARTS_MISSING = (
    "🤝 Contreparties : aucune prévue ⚠️ — ne cède rien sans contrepartie."
)
SUMMARY_WALK_AWAY = "🛑 Seuil de rupture : {value}"
SUMMARY_WALK_AWAY_MISSING = "🛑 Seuil de rupture : non défini ⚠️ — fixe-le avant l'entretien."
SUMMARY_PRICE_ORDER = "⚠️ Ton prix de départ ({start}) est sous ton seuil de rupture ({walk})."
SUMMARY_TARGET_ORDER = "⚠️ Ton prix visé ({target}) est sous ton seuil de rupture ({walk})."
SUMMARY_NEXT = "➡️ Prochaines étapes :"
SUMMARY_NEXT_VALUE = "• {label} : {value}"
SUMMARY_NEXT_TODO = "• Compléter : {labels}"
SUMMARY_NEXT_KIND = "• Checklist suivante conseillée : {kind}"
SUMMARY_NEXT_NONE = "• Rien de prévu : fixe une suite avec le client."
SUMMARY_JOURNAL = "📒 Le journal sera mis à jour : {fields}"
JOURNAL_FIELD_LABELS = {
    "outcome": "résultat",
    "amount": "montant",
    "followup": "relance",
    "objections": "objections",
    "note": "note",
}
VALUE_MAX = 80
NOTE_LINE = "{label} : {value}"
STATUS_LABELS = {
    "done": "fait",
    "todo": "à faire",
    "na": "pas concerné",
    "skipped": "passé, sans réponse",
}
NONE_SELECTED = "aucune"

# --- load errors (developer-facing, one line each: file, item, problem, fix) ------------

LOAD_TITLE = "Checklists invalides ({count} erreur(s)) :"
LOAD_LINE = "{file} — {where} : {problem}. Correction : {fix}."
LOAD_WHERE_ITEM = "point « {item} »"
LOAD_WHERE_INDEX = "point n°{index}"
LOAD_WHERE_TOP = "en-tête"
LOAD_YAML = "YAML illisible ({detail})"
LOAD_YAML_FIX = "vérifiez l'indentation, les deux-points et les guillemets"
LOAD_NOT_MAPPING = "le fichier doit être un dictionnaire (kind:, title:, items:…)"
LOAD_NOT_MAPPING_FIX = "reprenez la structure d'un fichier existant, par exemple preparer.yml"
LOAD_REQUIRED = "clé « {key} » manquante"
LOAD_REQUIRED_FIX = "ajoutez « {key}: … »"
LOAD_UNKNOWN_KEY = "clé inconnue « {key} »"
LOAD_UNKNOWN_KEY_FIX = "supprimez-la ou utilisez une clé permise : {allowed}"
LOAD_ENUM = "« {key} » vaut {value!r}, valeur non permise"
LOAD_ENUM_FIX = "valeurs possibles : {allowed}"
LOAD_TYPE = "« {key} » doit être de type {expected}"
LOAD_TYPE_FIX = "écrivez une valeur de type {expected}"
LOAD_TOO_LONG = "« {key} » fait {length} caractères (maximum {limit})"
LOAD_TOO_LONG_FIX = "raccourcissez à {limit} caractères, il doit tenir sur un écran de téléphone"
LOAD_TOO_SHORT = "« {key} » est trop court (minimum {limit} caractères)"
LOAD_TOO_SHORT_FIX = "complétez le texte"
LOAD_ITEMS_COUNT = "« {key} » contient {count} élément(s), il en faut entre {low} et {high}"
LOAD_ITEMS_COUNT_FIX = "ajoutez ou retirez des éléments"
LOAD_PATTERN = "« {key} » vaut {value!r}, format invalide"
LOAD_PATTERN_FIX = (
    "minuscules sans accent, chiffres et _, en commençant par une lettre (ex. seuil_rupture)"
)
LOAD_OTHER = "« {key} » : {detail}"
LOAD_OTHER_FIX = "comparez avec checklist.schema.json"
LOAD_DUPLICATE_ID = "l'id est déjà utilisé par un autre point"
LOAD_DUPLICATE_ID_FIX = "donnez un id unique à chaque point"
LOAD_DUPLICATE_OPTION = "le code d'option « {code} » apparaît deux fois"
LOAD_DUPLICATE_OPTION_FIX = "donnez un code unique à chaque option"
LOAD_RESERVED_OPTION = "le code d'option « {code} » est réservé aux boutons de navigation"
LOAD_RESERVED_OPTION_FIX = "choisissez un autre code que : {reserved}"
LOAD_ONLY_FOR = "« {key} » ne s'utilise qu'avec type: {types}"
LOAD_ONLY_FOR_FIX = "supprimez « {key} » ou changez le type"
LOAD_MIN_MAX = "« min » ({low}) est plus grand que « max » ({high})"
LOAD_MIN_MAX_FIX = "inversez les deux valeurs"
LOAD_JOURNAL_KIND = "« journal_field » n'est permis que dans la checklist debrief"
LOAD_JOURNAL_KIND_FIX = "supprimez « journal_field »"
LOAD_JOURNAL_TYPE = "journal_field: {field} demande type: {expected}"
LOAD_JOURNAL_TYPE_FIX = "mettez type: {expected}"
LOAD_JOURNAL_CODES = "journal_field: {field} n'accepte que les codes {allowed} (trouvé : {found})"
LOAD_JOURNAL_CODES_FIX = "renommez les codes d'option en codes du journal"
LOAD_JOURNAL_MULTIPLE = "journal_field: objections demande multiple: true"
LOAD_JOURNAL_MULTIPLE_FIX = "ajoutez « multiple: true »"
LOAD_JOURNAL_DUPLICATE = "journal_field: {field} est déjà porté par un autre point"
LOAD_JOURNAL_DUPLICATE_FIX = "un seul point par champ du journal (sauf note)"
LOAD_SKIP_REF = "skip_if renvoie à « {ref} », qui n'est pas un point à choix placé avant"
LOAD_SKIP_REF_FIX = "référencez l'id d'un point de type choice situé plus haut"
LOAD_SKIP_CODES = "skip_if cite des codes inconnus de « {ref} » : {codes}"
LOAD_SKIP_CODES_FIX = "utilisez les codes d'option de « {ref} »"
LOAD_KIND_NAME = "le fichier s'appelle {stem}.yml mais déclare kind: {kind}"
LOAD_KIND_NAME_FIX = "renommez le fichier en {kind}.yml ou corrigez kind"
LOAD_MISSING_KIND = "aucun fichier pour la checklist « {kind} »"
LOAD_MISSING_KIND_FIX = "ajoutez {kind}.yml dans {directory}"
LOAD_NO_DIRECTORY = "dossier introuvable"
LOAD_NO_DIRECTORY_FIX = "indiquez le dossier qui contient les fichiers .yml des checklists"

# --- formatting -------------------------------------------------------------------------


def format_number(value: float | int) -> str:
    """French number: "12 000", "2,5" (no-break space between thousands, decimal comma)."""
    number = float(value)
    if number == int(number):
        text = f"{int(number):,}"
    else:
        text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", NBSP)


def format_money(value: float | int) -> str:
    """Euros the French way: "12 000 €"."""
    return f"{format_number(value)}{NBSP}€"


def format_day(day: date | str) -> str:
    """A date the French way: "jeu. 12 mars" (the year only when it is not the current one)."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    text = f"{DAYS_SHORT[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return text if day.year == date.today().year else f"{text} {day.year}"


def format_unit(unit: str | None) -> str:
    """Unit suffix after a number: " %" or " semaines"; empty when there is none."""
    return f"{NBSP}{unit}" if unit else ""


def shorten(text: str, limit: int = VALUE_MAX) -> str:
    """Cut a text to `limit` characters on a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut or text[: limit - 1]}…"


# --- Telegram (bot/handlers/checklists.py) ----------------------------------------------

ASK_KIND = "Quelle checklist veux-tu ouvrir ?"
ASK_KIND_FOR = "Quelle checklist pour {company} ?"
KIND_BUTTON = "{emoji} {title}"
ASK_COMPANY = "Pour quel client ? Écris son nom, ou choisis « Sans client précis »."
BTN_NO_COMPANY = "Sans client précis"
COMPANY_CHOICE = "J'ai plusieurs clients proches de « {typed} ». Lequel ?"
BTN_COMPANY = "🏢 {name}"
BTN_NEW_COMPANY = "➕ Nouveau : {name}"
ERR_COMPANY = (
    "Je n'ai pas compris le nom du client. Écris-le simplement, par exemple « Dupont SA »."
)
START_EXPIRED = "Cette demande n'est plus en cours. Tape /checklist pour recommencer."

OPEN_RUNS_ONE = "Tu as une checklist en cours. On la reprend ?"
OPEN_RUNS_MANY = "Tu as {count} checklists en cours. Laquelle reprendre ?"
BTN_RESUME_RUN = "▶️ Reprendre {kind} ({company})"
BTN_NEW_RUN = "🆕 Nouvelle checklist"
NO_COMPANY_LABEL = "sans client"
PAUSED_OFFER = "Ta checklist {kind} ({company}) est en pause. On la reprend ?"
CANCEL_NOTE = "Ta checklist {kind} ({company}) reste ouverte : tape /checklist pour la reprendre."

RUN_REFUSED = (
    "Ce bouton ne correspond à aucune checklist ouverte à ton nom : je n'ai rien modifié."
)
RUN_CLOSED = "Cette checklist est déjà terminée. Tape /checklist pour en commencer une autre."
STALE_BUTTON = "Cette question est déjà passée : réponds au dernier message de la checklist."

DEBRIEF_OFFER = "Faire le débrief de cette visite ?"
BTN_DEBRIEF_YES = "📝 Oui, débriefer"
BTN_DEBRIEF_LATER = "Plus tard"
DEBRIEF_LATER = "D'accord. Quand tu veux, écris « débrief de ma visite chez {company} »."
DEBRIEF_GONE = (
    "Cette visite n'est plus dans ton journal (ou n'est pas à ton nom) : pas de débrief."
)
DEBRIEF_LINKED = (
    "📒 Débrief relié à ta visite du {day} chez {company} : le journal sera mis à jour à la fin."
)
DEBRIEF_UNLINKED = (
    "ℹ️ Pas de visite chez {company} notée ces {days} derniers jours : ce débrief ne modifiera "
    "pas ton journal (note d'abord la visite, par exemple « vu {company} ce matin »)."
)
JOURNAL_UPDATED = "📒 Journal mis à jour : visite du {day} chez {company}."
JOURNAL_FOLLOWUP = "🔔 Relance prévue le {day}."
JOURNAL_NOT_LINKED = "ℹ️ Aucune visite liée à ce débrief : ton journal n'a pas été modifié."
JOURNAL_GONE = "⚠️ La visite liée n'existe plus : ton journal n'a pas été modifié."
NOTE_SEPARATOR = "\n\n"

# Journal facts shown in the recap of the first step ("visite du 3 mars : devis 12 000 €").
FACT_KINDS = {"visit": "visite", "call": "appel", "task": "action"}
FACT_ACTIVITY = "{kind} du {day}"
FACT_DETAILS = " : {details}"
FACT_QUOTE = "devis {amount} du {day}"
FACT_QUOTE_NO_AMOUNT = "devis du {day}"
FACT_FOLLOWUP = "relance {note} prévue le {day}"
FACT_FOLLOWUP_NO_NOTE = "relance prévue le {day}"


def format_day_plain(day: date | str) -> str:
    """A date without weekday: "3 mars" (the year only when it is not the current one)."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return text if day.year == date.today().year else f"{text} {day.year}"
