"""Every French text of the scheduler and the settings screen."""

from __future__ import annotations

EVENING_PROMPT = (
    "🌇 C'est l'heure de préparer {day}.\n"
    "Qu'avez-vous prévu ? Écrivez tout en un message, par exemple :\n"
    "« 9h RDV Leroy à Bron, 11h appeler Garnier, aprem prospection zone nord »"
)
EVENING_ALREADY = "🌇 {day} est déjà planifié :\n{items}\n\nQuelque chose à ajouter ? Écrivez-le, ou touchez « Rien de prévu »."
EVENING_OVERDUE = "\n\n⚠️ Relances en retard :\n{items}"
BUTTON_NOTHING = "Rien de prévu"
BUTTON_LATER = "Plus tard (1 h)"
NOTHING_NOTED = "C'est noté, rien de plus pour {day}. Bonne soirée !"
LATER_NOTED = "Je vous le redemande dans une heure."
PLAN_LIST_TITLE = "🗓 Votre plan pour {day} :"
PLAN_ITEM_UNCLEAR = "(à préciser)"
BUTTON_VALIDATE_ALL = "✅ Tout valider"
BUTTON_EDIT_ITEM = "✏️ {n}"
BUTTON_DROP_ITEM = "✖️ {n}"
PLAN_SAVED = "✅ {count} action(s) planifiée(s) pour {day}. Bonne soirée !"
PLAN_ITEM_DROPPED = "Élément {n} retiré."
PLAN_EMPTY = "Il ne reste rien dans ce plan."
PLAN_GONE = "Ce plan n'est plus en cours."

MORNING_TITLE = "☀️ Bonjour ! Vos relances du jour :"
MORNING_OVERDUE = "⚠️ en retard depuis le {date} — "
BUTTON_DONE = "✅ Fait {n}"
BUTTON_PLUS_DAY = "+1 jour {n}"
BUTTON_PLUS_WEEK = "+1 semaine {n}"
FOLLOWUP_DONE = "✅ Relance faite : {label}"
FOLLOWUP_MOVED = "⏭ Relance déplacée au {date} : {label}"
FOLLOWUP_GONE = "Cette relance n'existe plus ou ne vous appartient pas."

REMINDER = "⏰ Dans {minutes} min : {label}"

SETTINGS_TITLE = (
    "⚙️ Vos réglages\n"
    "🌇 Question du soir : {evening}\n"
    "☀️ Récapitulatif du matin : {morning}\n"
    "📅 Jours travaillés : {days}\n"
    "🌍 Fuseau horaire : {tz}\n"
    "🏖 {pause}"
)
PAUSE_NONE = "Pas de pause en cours"
PAUSE_UNTIL = "En pause jusqu'au {date} inclus"
BUTTON_EVENING = "🌇 Heure du soir"
BUTTON_MORNING = "☀️ Heure du matin"
BUTTON_DAYS = "📅 Jours"
BUTTON_TZ = "🌍 Fuseau"
BUTTON_PAUSE = "🏖 Pause (congés)"
BUTTON_RESUME = "▶️ Reprendre les rappels"
BUTTON_BACK = "↩️ Retour"
ASK_TIME = "Choisissez l'heure, ou tapez-la (ex. 18:15) :"
ASK_TZ = "Choisissez votre fuseau horaire, ou tapez-le (ex. Europe/Paris) :"
ASK_PAUSE = "Jusqu'à quel jour inclus ? (ex. « 28/08 », « vendredi », « dans 15 jours »)"
ASK_DAYS = "Touchez les jours pour les activer ou les désactiver :"
BAD_TIME = "Je n'ai pas compris l'heure. Tapez-la sous la forme 18:15."
BAD_TZ = (
    "Fuseau inconnu. Exemples : Europe/Paris, Europe/Brussels, America/Montreal, Indian/Reunion."
)
BAD_DATE = "Je n'ai pas compris la date. Exemple : « 28/08 » ou « dans 15 jours »."
SAVED = "✅ Réglage enregistré."
DAY_NAMES = ("Lun", "Mar", "Mer", "Jeu", "Ven", "Sam", "Dim")
