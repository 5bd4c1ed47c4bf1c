"""French texts of the core conversation (onboarding, help, errors, gatekeeping)."""

from __future__ import annotations

ROLE_LABELS = {
    "rep": "Commercial terrain",
    "trainee": "Stagiaire / étudiant",
    "manager": "Manager",
}

WELCOME = (
    "Bonjour ! Je suis SalesCoach, votre assistant de terrain.\n"
    "Je note vos visites et vos appels, je vous rappelle vos relances, je vous aide à "
    "préparer vos rendez-vous et je vous entraîne à traiter les objections.\n\n"
    "Pour commencer, comment dois-je vous appeler ?"
)
USE_TELEGRAM_NAME = "Utiliser « {name} »"
ASK_ROLE = "Enchanté, {name} ! Quel est votre rôle ?"
NAME_INVALID = "Donnez-moi juste votre prénom ou votre nom (60 caractères au plus)."
ROLE_INVALID = "Choisissez votre rôle avec un des boutons ci-dessous."
ONBOARDED = (
    "C'est noté : {role}. Vous êtes prêt·e !\n\n"
    "Racontez-moi simplement votre journée, par exemple :\n"
    "« vu Dupont SA hier, devis 12k€, relance jeudi »\n\n"
    "Tapez /aide pour voir tout ce que je sais faire."
)
ONBOARDED_MANAGER = (
    "C'est noté : {role}.\n\n"
    "Créez votre équipe avec « /equipe creer Nom de l'équipe » : je vous donnerai un lien "
    "d'invitation pour vos commerciaux. Tapez /aide pour le reste."
)
JOINED_TEAM = "Vous avez rejoint l'équipe « {team} »."
TEAM_CODE_UNKNOWN = (
    "Ce code d'invitation ne correspond à aucune équipe. Demandez un nouveau lien à votre manager."
)
ALREADY_IN_TEAM = "Vous faites déjà partie de l'équipe « {team} » : un seul rattachement possible."
WELCOME_BACK = "Re-bonjour {name} ! Que puis-je faire pour vous ? (/aide pour la liste)"

HELP = (
    "Voici ce que je sais faire :\n\n"
    "📝 Noter une visite ou un appel : « vu Dupont SA hier, devis 12k€, relance jeudi »\n"
    "📞 Un appel : « appelé Garnier, messagerie »\n"
    "🗓 Planifier : « demain 10h RDV chez Bricoman à Lyon »\n"
    "📋 Mon agenda : « j'ai quoi demain ? » ou /agenda\n"
    "📊 Mes chiffres et ratios : « mes stats du mois » ou /stats\n"
    "🏢 Une fiche client : /fiche Dupont\n"
    "🕘 Mon historique : /historique — export : /export\n"
    "🎯 S'entraîner aux objections : « entraîne-moi sur les objections prix » ou /entrainement\n"
    "📈 Mes progrès : /progres — le barème : /bareme — le classement : /classement\n"
    "✅ Préparer un rendez-vous : « aide-moi à préparer ma visite chez Dupont » ou /checklist\n"
    "⚙️ Mes rappels (soir, matin, congés) : /reglages\n"
    "👥 Managers : /equipe\n"
    "🔒 Mes données personnelles : /mesdonnees\n\n"
    "À tout moment, /annuler arrête ce qui est en cours."
)

CANCELLED = "C'est annulé. Je reste à votre disposition."
NOTHING_TO_CANCEL = "Il n'y a rien en cours à annuler."
UNKNOWN_COMMAND = (
    "Je ne connais pas la commande {command}. Tapez /aide pour voir ce que je sais faire."
)
UNSUPPORTED_CONTENT = {
    "photo": "Je ne sais pas encore lire les photos. Décrivez-moi plutôt la situation en quelques mots.",
    "sticker": "Joli autocollant ! Mais je ne comprends que le texte : écrivez-moi ce que vous voulez noter.",
    "voice": "Je ne sais pas encore écouter les messages vocaux. Pouvez-vous me l'écrire ?",
    "video": "Je ne sais pas lire les vidéos. Écrivez-moi ce que vous voulez noter.",
    "document": "Je ne traite pas les fichiers reçus. Écrivez-moi ce que vous voulez noter.",
    "location": "Merci pour la position, mais je ne m'en sers pas encore : indiquez la ville en texte.",
    "other": "Je ne comprends que les messages texte. Écrivez-moi ce que vous voulez noter.",
}
PENDING_KEPT = "\n\n(Votre saisie en cours est conservée.)"
NOT_REGISTERED = "Bonjour ! Je ne vous connais pas encore. Tapez /start pour créer votre compte en quelques secondes."
GROUPS_UNSUPPORTED = (
    "Je fonctionne uniquement en conversation privée : écrivez-moi directement, vos données restent "
    "confidentielles."
)
RATE_LIMITED = (
    "Doucement 🙂 vous m'écrivez très vite. Patientez quelques secondes et je suis à vous."
)
INTERNAL_ERROR = "Oups, un souci technique de mon côté. Votre message n'a pas été perdu : réessayez dans un instant."
UNAVAILABLE = "Service momentanément indisponible, réessayez dans un instant."
TOO_LONG = "Votre message est très long : je n'en ai lu que le début."
EMPTY = "Je n'ai rien reçu de lisible. Écrivez-moi en quelques mots ce que vous voulez faire."
EDIT_IGNORED = (
    "Je ne tiens pas compte des messages modifiés : envoyez-moi plutôt un nouveau message "
    "avec la correction."
)
UNKNOWN_BUTTON = "Ce bouton n'est plus valable. Reprenez depuis le dernier message."

COMMANDS = [
    ("start", "Démarrer / créer mon compte"),
    ("aide", "Ce que je sais faire"),
    ("agenda", "Mon agenda (aujourd'hui, demain, une date)"),
    ("stats", "Mes chiffres et ratios de prospection"),
    ("fiche", "La fiche d'un client"),
    ("historique", "Mes dernières saisies"),
    ("export", "Exporter mon journal (CSV, Excel)"),
    ("entrainement", "S'entraîner aux objections"),
    ("bareme", "Le barème des réponses aux objections"),
    ("progres", "Mes progrès aux entraînements"),
    ("classement", "Le classement de mon équipe"),
    ("checklist", "Préparer ou débriefer un rendez-vous"),
    ("reglages", "Mes rappels du soir et du matin"),
    ("equipe", "Mon équipe (managers)"),
    ("mesdonnees", "Exporter ou effacer mes données"),
    ("annuler", "Annuler ce qui est en cours"),
]

PRIVACY_MENU = (
    "🔒 Vos données personnelles\n"
    "Vous pouvez télécharger tout ce que je conserve sur vous, ou tout effacer définitivement "
    "(journal, clients, contacts, entraînements, réglages)."
)
PRIVACY_EXPORT = "📦 Exporter mes données"
PRIVACY_ERASE = "🗑 Tout effacer"
PRIVACY_CONFIRM = (
    "⚠️ Tout effacer ? Votre journal, vos clients, vos contacts et vos entraînements seront supprimés "
    "définitivement. Cette action est irréversible."
)
PRIVACY_CONFIRM_YES = "Oui, tout effacer"
PRIVACY_CONFIRM_NO = "Non, garder"
PRIVACY_EXPORT_CAPTION = "📦 Toutes vos données, au format JSON."
PRIVACY_ERASED = "🗑 Vos données ont été effacées. Tapez /start si vous souhaitez recommencer."
PRIVACY_KEPT = "Rien n'a été effacé."
ALREADY_DONE = (
    "✅ Ce message était déjà pris en compte (reçu deux fois) : rien n'a été enregistré en double."
)
