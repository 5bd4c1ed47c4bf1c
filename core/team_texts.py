"""French texts of team management (creation, invitations, members, access refusals)."""

from __future__ import annotations

NOT_MANAGER = (
    "Le suivi d'équipe est réservé aux managers. Vous voyez vos propres chiffres avec /stats."
)
REP_TEAM = "Vous faites partie de l'équipe « {team} ». Le récapitulatif d'équipe est réservé à votre manager."
NO_TEAM_YET = "Vous n'avez pas encore d'équipe. Créez-la avec « /equipe creer Nom de l'équipe »."
ALREADY_HAS_TEAM = "Vous gérez déjà une équipe : « {team} »."
NAME_MISSING = "Donnez un nom à l'équipe : « /equipe creer Équipe Rhône »."
CREATED = (
    "✅ Équipe « {team} » créée.\n\n"
    "Lien d'invitation à transmettre à vos commerciaux :\n{link}\n\n"
    "Ou code à saisir après /start : {code}\n"
    "Gérer l'équipe : /equipe membres, /equipe code (nouveau lien), /equipe export."
)
NEW_CODE = "🔑 Nouveau lien d'invitation (l'ancien ne fonctionne plus) :\n{link}\nCode : {code}"
MEMBERS_TITLE = "👥 Équipe « {team} » — {count} membre(s) :"
MEMBERS_EMPTY = "Personne n'a encore rejoint l'équipe. Partagez le lien : {link}"
MEMBER_LINE = "{n}. {name} ({role})"
BUTTON_REMOVE = "Retirer {n}"
REMOVE_CONFIRM = "Retirer {name} de l'équipe ? Ses données ne vous seront plus transmises."
BUTTON_YES = "Oui, retirer"
BUTTON_NO = "Non"
REMOVED = "{name} ne fait plus partie de l'équipe."
REMOVE_GONE = "Ce membre n'est plus dans votre équipe."
KEPT = "Rien n'a changé."
USAGE = (
    "Commandes d'équipe : /equipe (récapitulatif), /equipe creer Nom, /equipe membres, "
    "/equipe code, /equipe export [semaine|mois|trimestre]"
)
EXPORT_CAPTION = (
    "📊 Journal de l'équipe « {team} » du {start} au {end} (une feuille par commercial)."
)
EXPORT_EMPTY = "Aucune activité dans l'équipe sur cette période."
ROLE_NAMES = {"rep": "commercial", "trainee": "stagiaire", "manager": "manager"}
