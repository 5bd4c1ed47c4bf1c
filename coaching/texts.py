"""All French texts shown to trainees: scoring feedback, rubric, drills, progress and errors."""

from __future__ import annotations

# --------------------------------------------------------------------------- labels

CATEGORY_LABELS: dict[str, str] = {
    "prix": "prix",
    "concurrent": "concurrent en place",
    "timing": "moment / délai",
    "besoin": "absence de besoin",
    "confiance": "confiance",
    "decision": "pouvoir de décision",
}

TECHNIQUE_LABELS: dict[str, str] = {
    "ecoute": "écoute",
    "reformulation": "reformulation",
    "question": "question de découverte",
    "boomerang": "retournement (boomerang)",
    "compensation": "compensation",
    "preuve": "preuve",
    "fractionnement": "fractionnement du prix / retour sur investissement",
    "contrepartie": "concession contre contrepartie",
    "report": "report",
    "conclusion": "étape suivante",
}

FAULT_LABELS: dict[str, str] = {
    "denigrement": "dénigrement",
    "contradiction": "contradiction frontale",
    "concession_gratuite": "concession gratuite",
    "hors_sujet": "hors sujet",
    "trop_court": "réponse trop courte",
}

MOTIVE_LABELS: dict[str, str] = {
    "securite": "sécurité",
    "orgueil": "orgueil",
    "nouveaute": "nouveauté",
    "confort": "confort",
    "argent": "argent",
    "sympathie": "sympathie",
}

ROLE_LABELS: dict[str, str] = {
    "gerant": "gérant(e)",
    "acheteur": "acheteur",
    "dsi": "DSI",
    "daf": "DAF",
    "directeur_technique": "directeur technique",
    "responsable_achats": "responsable achats",
    "elu": "maire / élu",
    "directeur_general": "directeur général",
    "drh": "DRH",
    "responsable_production": "responsable de production",
    "responsable_logistique": "responsable logistique",
    "directeur_etablissement": "directeur d'établissement",
    "pharmacien": "pharmacien titulaire",
    "exploitant": "exploitant agricole",
}

SECTOR_LABELS: dict[str, str] = {
    "informatique": "informatique",
    "restauration": "restauration",
    "industrie": "industrie",
    "collectivite": "collectivité",
    "btp": "BTP",
    "sante": "santé",
    "commerce": "commerce",
    "transport": "transport et logistique",
    "services": "services aux entreprises",
    "energie": "énergie",
    "hotellerie": "hôtellerie",
    "agriculture": "agriculture",
}

# --------------------------------------------------------------------------- rubric

CRITERION_LABELS: dict[str, str] = {
    "ecouter": "Écouter",
    "explorer": "Explorer",
    "traiter": "Traiter",
    "prouver": "Prouver",
    "avancer": "Avancer",
    "pertinence": "Pertinence",
}

RUBRIC_TITLE = "📋 Barème des réponses aux objections (sur 10)"
RUBRIC_INTRO = (
    "Chaque réponse est lue comme le ferait un formateur : une objection est écoutée "
    "complètement, prise en compte, puis traitée pour rassurer et convaincre."
)
RUBRIC_CRITERIA: dict[str, str] = {
    "ecouter": (
        "Écouter ({cap} pts max) : accuser réception (« je comprends », « c'est une vraie "
        "question ») +{ecoute} ; reformuler pour vérifier (« si je comprends bien… ») "
        "+{reformulation}."
    ),
    "explorer": (
        "Explorer ({cap} pts max) : poser une vraie question de découverte (« par rapport à "
        "quoi ? », « qu'est-ce qui vous fait dire ça ? ») +{question}."
    ),
    "traiter": (
        "Traiter ({cap} pts max) : retourner l'objection en raison d'acheter +{boomerang}, "
        "compenser (« certes…, en revanche… ») +{compensation}, ne concéder que contre une "
        "contrepartie +{contrepartie}, ramener le prix à l'usage ou au retour sur investissement "
        "+{fractionnement}, reporter poliment le point +{report}. À défaut, un argument qui parle "
        "au mobile d'achat de l'acheteur (SONCAS) +{motive}."
    ),
    "prouver": (
        "Prouver ({cap} pts max) : chiffre, référence client, témoignage, essai ou garantie "
        "+{preuve}."
    ),
    "avancer": (
        "Avancer ({cap} pts max) : proposer une étape suivante concrète (essai, rendez-vous, "
        "commande) +{conclusion}."
    ),
}
RUBRIC_RELEVANCE = "Pertinence (+{points}) : la réponse parle bien de l'objection posée."
RUBRIC_FAULTS_TITLE = "Fautes :"
RUBRIC_FAULTS: dict[str, str] = {
    "denigrement": "Dénigrer un concurrent : −{points}.",
    "contradiction": "Contredire frontalement (« vous avez tort », « c'est faux ») : −{points}.",
    "concession_gratuite": "Accorder une remise ou un geste sans contrepartie : −{points}.",
    "hors_sujet": "Répondre à côté de l'objection : note plafonnée à {cap}.",
    "trop_court": "Répondre trop court (« ok », « non », « bah si ») : note plafonnée à {cap}.",
}
RUBRIC_FOOTER = (
    "Le total est plafonné à 10 et arrondi au demi-point. "
    "À partir de {strong}, l'acheteur considère que son objection est traitée."
)

# --------------------------------------------------------------------------- feedback

FEEDBACK_GOOD_PREFIX = "✅ Points forts : "
FEEDBACK_MISSING_PREFIX = "🔧 À travailler : "
FEEDBACK_TIP_PREFIX = "💡 Conseil : "
FEEDBACK_DETAIL_PREFIX = "🧮 Détail : "
FEEDBACK_NOTHING_GOOD = "pas encore de technique de traitement repérée."
FEEDBACK_NOTHING_MISSING = "rien d'essentiel, c'est une réponse complète."
FEEDBACK_PERFECT_TIP = (
    "Gardez ce fil : une objection à la fois, écoutée jusqu'au bout, traitée avec une preuve "
    "et conclue par une étape datée."
)
FEEDBACK_TOTAL = "total {score}/10"
FEEDBACK_MISSING = "il manque {items}."
FEEDBACK_QUOTE = "{problem} (« {quote} »)"

TECHNIQUE_PRAISE: dict[str, str] = {
    "ecoute": "vous montrez que vous avez entendu l'objection",
    "reformulation": "vous reformulez pour vérifier ce qui freine vraiment",
    "question": "vous posez une question pour découvrir ce qu'il y a derrière l'objection",
    "boomerang": "vous retournez l'objection en raison d'acheter",
    "compensation": "vous concédez un point et lui opposez un avantage",
    "preuve": "vous apportez une preuve concrète",
    "fractionnement": "vous ramenez le prix à l'usage ou au retour sur investissement",
    "contrepartie": "vous ne cédez qu'en échange d'une contrepartie",
    "report": "vous reportez poliment le point pour y revenir au bon moment",
    "conclusion": "vous proposez une étape suivante",
}

MISSING_ELEMENTS: dict[str, str] = {
    "ecouter": "montrer que l'objection a été entendue (accusé de réception ou reformulation)",
    "explorer": "une question pour comprendre ce qui se cache derrière l'objection",
    "traiter": "un vrai traitement de l'objection (retournement, compensation, contrepartie…)",
    "prouver": "une preuve (chiffre, référence client, essai, garantie)",
    "avancer": "une proposition d'étape suivante",
}

FAULT_FEEDBACK: dict[str, str] = {
    "denigrement": "vous dénigrez un concurrent : l'acheteur se sent jugé sur ses choix.",
    "contradiction": "vous contredisez l'acheteur de front : il va se braquer.",
    "concession_gratuite": "vous cédez sans rien obtenir en échange.",
    "hors_sujet": "la réponse ne traite pas l'objection posée.",
    "trop_court": "la réponse est trop courte pour traiter quoi que ce soit.",
}

FAULT_TIPS: dict[str, str] = {
    "denigrement": (
        "Ne parlez jamais mal d'un concurrent : valorisez ce qui vous distingue avec des faits, "
        "par exemple « ce que nos clients apprécient, c'est… »."
    ),
    "contradiction": (
        "Remplacez « vous avez tort » par une question : « Qu'est-ce qui vous fait dire ça ? », "
        "puis apportez un fait."
    ),
    "concession_gratuite": (
        "Toute concession se paie : « Je peux faire un effort si vous vous engagez sur deux ans "
        "ou sur un volume. »"
    ),
    "hors_sujet": (
        "Partez des mots de l'acheteur : reformulez son objection avant d'argumenter, "
        "par exemple « Si je comprends bien, c'est … qui vous freine ? »."
    ),
    "trop_court": (
        "Développez en trois temps : j'entends, je questionne, je réponds avec une preuve."
    ),
}

DETAIL_PENALTY = "{fault} −{points}"
DETAIL_CAP = "{fault} : plafond {cap}"
DETAIL_MOTIVE = "argument adapté au mobile d'achat"

MISSING_TIPS: dict[str, str] = {
    "ecouter": (
        "Commencez par accuser réception : « Je comprends, c'est une vraie question. » "
        "L'acheteur doit sentir que son objection a été entendue jusqu'au bout."
    ),
    "explorer": (
        "Creusez avant de répondre : « Par rapport à quoi ? » ou « Qu'est-ce qui vous fait "
        "dire ça ? » vous donne la vraie raison de l'objection."
    ),
    "prouver": (
        "Appuyez votre réponse sur une preuve : un chiffre mesuré, un client comparable qu'il peut "
        "appeler, un essai ou une garantie écrite."
    ),
    "avancer": (
        "Terminez par une étape concrète et datée : « Je vous propose un essai de deux semaines, "
        "on le démarre lundi ? »"
    ),
}

TREAT_TIPS: dict[str, str] = {
    "prix": (
        "Ramenez le prix à l'usage (par jour, par utilisateur) ou au retour sur investissement, "
        "et ne baissez jamais sans contrepartie."
    ),
    "concurrent": (
        "Respectez le choix actuel et proposez-vous en complément, sur un point précis où vous "
        "apportez plus."
    ),
    "timing": (
        "Montrez ce que coûte l'attente (retournement) ou proposez une petite étape qui ne "
        "demande presque pas de temps."
    ),
    "besoin": (
        "Faites découvrir le besoin par des questions sur la situation réelle, puis retournez "
        "l'objection : « C'est justement quand… que… »."
    ),
    "confiance": (
        "Rassurez par des faits vérifiables : références à appeler, garantie écrite, essai "
        "sans engagement."
    ),
    "decision": (
        "Identifiez qui décide et sur quels critères, puis proposez de préparer ou de présenter "
        "le dossier ensemble."
    ),
    "": (
        "Traitez l'objection elle-même : retournez-la, compensez-la par un avantage ou "
        "demandez une contrepartie."
    ),
}

MOTIVE_TIPS: dict[str, str] = {
    "securite": "Derrière cette objection, il y a un besoin de sécurité : rassurez (garantie, référence, essai).",
    "orgueil": "L'acheteur tient à son image et à son expertise : valorisez-le plutôt que de le contredire.",
    "nouveaute": "L'acheteur est sensible à la nouveauté : montrez ce que votre offre apporte de neuf.",
    "confort": "L'acheteur cherche le confort : montrez que votre solution lui simplifie la vie.",
    "argent": "L'acheteur raisonne en argent : parlez coût total, économies et retour sur investissement.",
    "sympathie": "L'acheteur attache de l'importance à la relation : montrez votre proximité et votre suivi.",
}

INPUT_FEEDBACK: dict[str, str] = {
    "empty": "Je n'ai rien reçu : écrivez votre réponse à l'acheteur en une ou plusieurs phrases.",
    "no_text": "Votre message ne contient pas de mots : écrivez votre réponse à l'acheteur en français.",
    "command": "C'est une commande, pas une réponse à l'objection.",
    "english": "Votre réponse semble être en anglais : l'entraînement se fait en français.",
    "language": "Je ne reconnais pas du français dans votre réponse : répondez à l'acheteur en français.",
}

# --------------------------------------------------------------------------- model answers

GENERIC_MODEL_ANSWERS: dict[str, str] = {
    "prix": (
        "Je comprends, le budget compte. Par rapport à quoi trouvez-vous l'offre chère : une autre "
        "proposition ou le budget prévu ? Rapporté à vos utilisateurs, cela représente moins de "
        "2 € par jour, et nos clients le rentabilisent en moins d'un an. Je vous propose de "
        "refaire le calcul ensemble sur vos chiffres, jeudi ?"
    ),
    "concurrent": (
        "C'est une bonne chose d'avoir un fournisseur qui vous donne satisfaction. Qu'est-ce que "
        "vous appréciez chez lui, et y a-t-il un point que vous aimeriez améliorer ? Plusieurs "
        "clients nous ont pris en complément sur ce point précis, avec des résultats mesurés. Je "
        "vous propose un essai sur un périmètre réduit, sans rien changer au reste."
    ),
    "timing": (
        "Je comprends, vous avez d'autres priorités en ce moment. Justement, qu'est-ce qui vous "
        "coûte le plus de temps aujourd'hui sur ce sujet ? Nos clients ont démarré par une étape "
        "de trente minutes, sans perturber leurs projets. Je vous propose un court point la "
        "semaine prochaine, mardi ou jeudi ?"
    ),
    "besoin": (
        "C'est une bonne nouvelle si tout fonctionne bien aujourd'hui. Comment gérez-vous les "
        "situations où … ne se passe pas comme prévu ? C'est justement là que notre solution "
        "aide : un client comparable a gagné 15 % de temps sur ce poste. Je vous propose de le "
        "tester un mois pour en juger sur pièces."
    ),
    "confiance": (
        "Vous avez raison d'être prudent, c'est une question légitime. Qu'est-ce qui vous "
        "rassurerait : des références, une garantie, un essai ? Je peux vous mettre en relation "
        "avec deux clients de votre secteur, et notre engagement de résultat est écrit dans le "
        "contrat. Je vous propose de les appeler avant de décider."
    ),
    "decision": (
        "Je comprends, c'est une décision qui se prend à plusieurs. Sur quels critères votre "
        "direction va-t-elle trancher ? Je vous prépare une synthèse d'une page avec le coût par "
        "mois et deux références comparables. Je vous propose de la présenter ensemble lors d'un "
        "rendez-vous de trente minutes."
    ),
    "": (
        "Je comprends votre remarque, c'est une vraie question. Si je reformule, c'est … qui vous "
        "freine ? Qu'est-ce qui vous ferait changer d'avis ? Un client comparable a obtenu des "
        "résultats mesurés avec notre solution. Je vous propose d'en parler avec lui, puis de "
        "faire un essai."
    ),
}

# --------------------------------------------------------------------------- drill

DRILL_INTRO = "🎭 Entraînement aux objections — catégorie : {category} (difficulté {difficulty}/3)"
DRILL_SCENE = "🏷️ {sector} · {role}\n👤 {buyer}\n💼 {offer}"
DRILL_BUYER_SAYS = "🗣️ L'acheteur : « {text} »"
DRILL_YOUR_TURN = "À vous : répondez comme en rendez-vous."
DRILL_SCORE_LINE = "📊 Note : {score}/10"
DRILL_INSIST_FOLLOW_UP = "Vous ne répondez pas vraiment à ma question. {text}"
DRILL_CONVINCED = "Bon, sur ce point, vous m'avez convaincu."
DRILL_NEXT_OBJECTION = "Autre chose toutefois : {text}"
DRILL_NOT_SCORED = "⚠️ {reason} (réponse non notée, l'acheteur attend toujours votre réponse.)"
DRILL_NOT_STARTED = "Aucun entraînement en cours : lancez-en un nouveau."
DRILL_ALREADY_FINISHED = "Cet entraînement est terminé : lancez-en un nouveau."

DEBRIEF_TITLE = "🏁 Débrief de l'entraînement"
DEBRIEF_AVERAGE = "Moyenne : {average}/10 sur {count} échange(s)."
DEBRIEF_BEST = "Votre point fort : {technique}."
DEBRIEF_WORST = "À travailler en priorité : {technique}."
DEBRIEF_NO_TECHNIQUE = "aucune technique repérée pour l'instant"
DEBRIEF_FAULTS = "Fautes relevées : {faults}."
DEBRIEF_MOTIVE = "Mobile d'achat (SONCAS) derrière l'objection : {motive}. {tip}"
DEBRIEF_TIP = "Conseil pour la prochaine fois : {tip}"
DEBRIEF_MODEL = "Exemple de réponse modèle : « {answer} »"
DEBRIEF_OUTCOME_WON = "Résultat : l'acheteur a été convaincu. 🎉"
DEBRIEF_OUTCOME_OPEN = "Résultat : l'objection n'est pas encore levée, on la retravaillera."

TECHNIQUE_TIPS: dict[str, str] = {
    "ecoute": "Commencez chaque réponse par un accusé de réception sincère.",
    "reformulation": "Reformulez l'objection avec vos mots et faites-la valider avant de répondre.",
    "question": "Posez une question ouverte avant d'argumenter (« par rapport à quoi ? »).",
    "boomerang": "Cherchez en quoi l'objection est justement une raison d'acheter.",
    "compensation": "Reconnaissez le point faible puis opposez-lui un avantage (« certes…, en revanche… »).",
    "preuve": "Appuyez chaque argument sur une preuve : chiffre, client, essai ou garantie.",
    "fractionnement": "Ramenez le prix à l'unité d'usage ou au retour sur investissement.",
    "contrepartie": "N'accordez rien sans contrepartie : volume, durée ou conditions de paiement.",
    "report": "Si le point arrive trop tôt, reportez-le poliment et revenez-y.",
    "conclusion": "Terminez toujours par une étape suivante concrète et datée.",
}

# --------------------------------------------------------------------------- progress

TREND_LABELS: dict[str, str] = {
    "up": "en progression",
    "down": "en baisse",
    "flat": "stable",
    "unknown": "pas encore assez d'entraînements",
}
WEAKEST_CATEGORY = "Catégorie la plus faible : {category} ({average}/10)."
WEAKEST_TECHNIQUE = "Technique la moins utilisée : {technique}."
WEAKEST_NONE = "Pas encore assez d'entraînements pour repérer un point faible."
CHART_TITLE = "Vos notes par catégorie d'objection"
CHART_XLABEL = "Date"
CHART_YLABEL = "Note /10"
CHART_EMPTY = "Pas encore d'entraînement"
CHART_TARGET = "objectif 7/10"

# --------------------------------------------------------------------------- bank errors

BANK_ERROR_HEADER = "Banque d'objections invalide ({path}) :"
BANK_ERROR_LINE = "- {where} : {problem}. Correction : {fix}"
BANK_WHERE_ENTRY = "objection « {id} » (n° {index})"
BANK_WHERE_ENTRY_NO_ID = "objection n° {index} (sans id)"
BANK_WHERE_FILE = "fichier"
BANK_FILE_MISSING = "Banque d'objections introuvable : {path}."
BANK_YAML_ERROR = "Banque d'objections illisible ({path}) : YAML invalide ({error})."
BANK_FIX_REQUIRED = "ajoutez le champ « {field} »"
BANK_FIX_ENUM = "utilisez l'une des valeurs : {values}"
BANK_FIX_TYPE = "le champ « {field} » doit être de type {type}"
BANK_FIX_EXTRA = "retirez le champ inconnu ({fields}) ou corrigez sa faute de frappe"
BANK_FIX_LENGTH = "respectez la longueur attendue ({detail})"
BANK_FIX_RANGE = "donnez une valeur {operator} {value}"
BANK_FIX_ONE_OF = "donnez soit « follow_up » (nouvelle objection), soit « moves_on » (l'acheteur passe à la suite), pas les deux"
BANK_FIX_PATTERN = "l'id doit avoir la forme catégorie-nn, par exemple « prix-07 »"
BANK_FIX_DUPLICATE = "donnez un id unique à chaque objection"
BANK_FIX_GENERIC = "corrigez la valeur selon objections.schema.json"
BANK_PROBLEM_DUPLICATE = "id « {id} » déjà utilisé"
BANK_PROBLEM_ID_CATEGORY = "l'id « {id} » ne commence pas par sa catégorie « {category} »"
BANK_FIX_ID_CATEGORY = "renommez l'id en « {category}-nn » ou corrigez la catégorie"

# --------------------------------------------------------------------------- drills in Telegram

CATEGORY_EMOJIS: dict[str, str] = {
    "prix": "💶",
    "concurrent": "🏁",
    "timing": "⏳",
    "besoin": "🤷",
    "confiance": "🤝",
    "decision": "🧑‍⚖️",
}
DRILL_CATEGORY_BUTTON = "{emoji} {label}"
DRILL_BTN_AUTO = "🎲 Au choix (mes points faibles)"
DRILL_CHOOSE_CATEGORY = "🎯 Sur quel type d'objection voulez-vous vous entraîner ?"
DRILL_UNKNOWN_CATEGORY = (
    "Je ne connais pas de catégorie d'objection « {text} ». Choisissez-en une ci-dessous :"
)
DRILL_OPEN_OFFER = (
    "Vous avez un entraînement en cours ({category}, {done} réponse(s) notée(s) sur {total}). "
    "Vous le reprenez ou vous en commencez un nouveau ?"
)
DRILL_BTN_RESUME = "▶️ Reprendre ({category})"
DRILL_BTN_NEW = "🆕 Nouvel entraînement"
DRILL_EXCHANGE = "Échange {number}/{total}"
DRILL_RESUMED = "▶️ On reprend là où vous en étiez."
DRILL_AUTO_FIRST = "🎲 Catégorie choisie pour commencer : {category}."
DRILL_AUTO_WEAK = "🎲 Catégorie choisie d'après vos résultats : {category}."
DRILL_REPEAT_NOTE = (
    "🔁 Objection à retravailler : elle avait été mal traitée, elle revient pour ancrer "
    "la bonne réponse."
)
DRILL_FOUND_TECHNIQUES = "🧩 Techniques repérées : {items}"
DRILL_FOUND_MOTIVES = "🎯 Mobiles d'achat (SONCAS) abordés : {items}"
DRILL_FOUND_FAULTS = "⛔ Fautes : {items}"
DRILL_NONE_FEMININE = "aucune"
DRILL_NONE_MASCULINE = "aucun"
DRILL_MODEL_ANSWER = "📝 Réponse modèle : « {answer} »"
DRILL_FINISHED_NEXT = (
    "Un autre entraînement : /entrainement · Vos progrès : /progres · Le barème : /bareme"
)
DRILL_TOO_LONG = (
    "Votre réponse est trop longue ({length} caractères) : en rendez-vous, on répond en "
    "quelques phrases. Reformulez en moins de {limit} caractères."
)
DRILL_PAUSED_OFFER = (
    "⏸ Votre entraînement ({category}) est en pause : l'acheteur attend toujours votre réponse."
)
DRILL_BTN_RESUME_PAUSED = "▶️ Reprendre l'entraînement"
DRILL_STOPPED = "⏹ Entraînement arrêté."
DRILL_STOPPED_RESUME = (
    "Il reste ouvert : tapez /entrainement puis « Reprendre » pour continuer là où vous en étiez."
)
DRILL_REFUSED = "Ce bouton ne correspond à aucun entraînement à vous."
DRILL_CLOSED = "Cet entraînement est terminé : lancez-en un nouveau avec /entrainement."
DRILL_START_EXPIRED = "Ce choix n'est plus valable : tapez /entrainement pour recommencer."

# --------------------------------------------------------------------------- /progres

PROGRESS_NONE = (
    "Vous n'avez pas encore de réponse notée. Lancez-vous avec /entrainement : vos moyennes, "
    "votre tendance et votre graphique de progression apparaîtront ici."
)
PROGRESS_TITLE = "📈 Vos progrès ({count} réponse(s) notée(s))"
PROGRESS_CATEGORIES = "Moyenne par catégorie d'objection :"
PROGRESS_CATEGORY_LINE = "• {category} : {average}/10 ({count} réponse(s))"
PROGRESS_TECHNIQUES = "Moyenne des réponses qui utilisent chaque technique :"
PROGRESS_TECHNIQUE_LINE = "• {technique} : {average}/10 ({count} fois)"
PROGRESS_TECHNIQUES_NONE = "• aucune technique repérée pour l'instant"
PROGRESS_TREND = "Tendance : {trend}."
PROGRESS_WEAKEST = "🔎 {text}"
PROGRESS_DUE = (
    "🔁 {count} objection(s) à retravailler aujourd'hui : « Au choix » dans /entrainement "
    "commence par elles."
)
PROGRESS_NEXT = "Prochain entraînement conseillé : {category} (/entrainement)."
PROGRESS_CAPTION = "Vos notes par catégorie dans le temps (objectif : 7/10)."

# --------------------------------------------------------------------------- /classement

LEADERBOARD_DAYS = 30
LEADERBOARD_NO_TEAM = (
    "Le classement compare les membres d'une même équipe, et vous n'êtes rattaché·e à aucune "
    "équipe pour l'instant. Demandez à votre manager son lien d'invitation. Vos propres "
    "résultats restent visibles dans /progres."
)
LEADERBOARD_TITLE = "🏆 Classement de l'équipe « {team} » ({days} derniers jours)"
LEADERBOARD_LINE = "{rank} {name} : {average}/10 · {count} réponse(s) notée(s){you}"
LEADERBOARD_YOU = " (vous)"
LEADERBOARD_MEDALS: tuple[str, ...] = ("🥇", "🥈", "🥉")
LEADERBOARD_RANK = "{rank}."
LEADERBOARD_EMPTY = (
    "Personne dans l'équipe n'a encore de réponse notée ces {days} derniers jours. "
    "Lancez le mouvement : /entrainement"
)
LEADERBOARD_FOOTER = (
    "Moyenne des notes aux entraînements sur {days} jours. Pour ne plus y figurer : "
    "/classement off"
)
LEADERBOARD_YOU_HIDDEN = (
    "Vous n'apparaissez pas dans ce classement (/classement on pour y figurer)."
)
LEADERBOARD_OFF = (
    "C'est noté : vous n'apparaissez plus dans le classement de l'équipe. Vos résultats restent "
    "visibles pour vous dans /progres. (/classement on pour revenir)"
)
LEADERBOARD_ON = "C'est noté : vous apparaissez de nouveau dans le classement de l'équipe."
LEADERBOARD_USAGE = (
    "/classement affiche le classement de votre équipe ; /classement off pour ne plus y "
    "figurer, /classement on pour y revenir."
)
