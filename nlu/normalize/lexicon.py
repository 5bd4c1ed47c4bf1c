"""French word lists and phrase patterns of the rule-based entity layer, kept in one place.

Every pattern is matched against *folded* text: lower case, accents removed, typographic
apostrophes turned into ``'`` and unusual spaces into ``' '`` (see ``common.fold``).
In the phrase patterns of the code tables (roles, outcomes, objections) a plain space
stands for "one or more spaces" and an apostrophe for "an optional apostrophe" (write
``\x27`` for a plain one); the rest is ordinary regex syntax (no literal spaces or
apostrophes inside ``[...]``, no space before a quantifier).
"""

from __future__ import annotations

# --------------------------------------------------------------------------- dates

WEEKDAYS: dict[str, int] = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}

# Only accepted when followed by a time or a day number, by "prochain"/"dernier", written
# with a dot ("jeu.") or right after a follow-up cue ("relance ven").
WEEKDAY_ABBREVIATIONS: dict[str, int] = {
    "lun": 0,
    "mar": 1,
    "mer": 2,
    "jeu": 3,
    "ven": 4,
    "sam": 5,
    "dim": 6,
}

MONTHS: dict[str, int] = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}

# Relative day phrases (regex over folded text) -> (offset in days from today, part of day).
# Longer phrases first: "avant-hier" before "hier", "apres-demain" before "demain".
RELATIVE_DAYS: tuple[tuple[str, int, str | None], ...] = (
    (r"avant[\s-]*hier", -2, None),
    (r"apr(?:es|\.)?[\s-]*dem(?:ain|\.)?", 2, None),
    (r"aujourd\s*'?\s*hui|aujourdhui|auj|ajd|ce\s+jour|tantot", 0, None),
    (r"ce\s+matin|cette\s+matinee", 0, "matin"),
    (r"cet?\s+apres[\s-]*midi|cette\s+apres[\s-]*midi|cet?\s+aprem|cet\s+am", 0, "aprem"),
    (r"ce\s+midi", 0, "midi"),
    (r"ce\s+soir|cette\s+soiree|cette\s+nuit", 0, "soir"),
    (r"t(?:ou)?t\s+a\s+l\s*'?\s*heure", 0, None),
    (r"hier", -1, None),
    (r"demain", 1, None),
)

# A part of the day written after a date ("demain matin", "jeudi aprem"): absorbed into the
# date. Only "midi" and "minuit" carry a time; the others only give ``default_time`` a hint.
PARTS_OF_DAY: tuple[tuple[str, str], ...] = (
    (r"(?:en\s+)?fin\s+de\s+(?:journee|soiree)", "soir"),
    (
        r"(?:en\s+)?(?:fin|debut)\s+d'\s*apres[\s-]*midi|(?:en\s+)?(?:fin|debut)\s+d'\s*aprem",
        "aprem",
    ),
    (r"(?:en\s+)?(?:fin|debut)\s+de\s+matinee", "matin"),
    (r"(?:dans\s+la\s+|en\s+)?matinee|matin|mat", "matin"),
    (r"(?:dans\s+l'\s*|en\s+)?apres[\s-]*midi|aprem|am", "aprem"),
    (r"(?:en\s+)?soiree|soir", "soir"),
    (r"midi", "midi"),
    (r"minuit", "minuit"),
)
PART_TIMES: dict[str, str] = {"midi": "12:00", "minuit": "00:00"}
# Times used by ``resolve_date(..., default_time=True)`` when no time is written.
DEFAULT_PART_TIMES: dict[str, str] = {
    "matin": "09:00",
    "midi": "12:00",
    "aprem": "14:00",
    "soir": "18:00",
    "minuit": "00:00",
}
DEFAULT_TIME = "09:00"

# Weekday modifiers -> resolution rule.
WEEKDAY_MODIFIERS: tuple[tuple[str, str], ...] = (
    (r"(?:de\s+la\s+)?sem(?:aine|\.)?\s+(?:prochaine|pro|suivante|d'apres)", "next_week"),
    (r"(?:de\s+la\s+)?sem(?:aine|\.)?\s+(?:derniere|passee|precedente)", "last_week"),
    (r"en\s+huit", "in_eight"),
    (r"prochaine?|pro|suivante?|qui\s+vient", "next"),
    (r"derniere?|passee?", "last"),
)

NEXT_WEEK = r"(?:la\s+|cette\s+)?sem(?:aine|\.)?\s+(?:prochaine|pro|suivante|d'apres)"
LAST_WEEK = r"(?:la\s+)?sem(?:aine|\.)?\s+(?:derniere|passee|precedente)"

# "dans 15 jours", "d'ici une semaine", "sous 8 jours" (forward) / "il y a 3 jours" (back).
SPAN_FORWARD_CUES = r"dans|d'ici(?:\s+a)?|sous|en\s+l'espace\s+de"
SPAN_BACKWARD_CUES = r"il\s+y\s+a|y\s+a|ya"
SPAN_UNITS: dict[str, str] = {
    "jours": "day",
    "jour": "day",
    "j": "day",
    "semaines": "week",
    "semaine": "week",
    "sem": "week",
    "mois": "month",
    "ans": "year",
    "an": "year",
    "annees": "year",
    "annee": "year",
}
# Single-word spans: "sous huitaine", "dans une quinzaine".
SPAN_NOUNS: dict[str, tuple[int, str]] = {
    "huitaine": (8, "day"),
    "quinzaine": (15, "day"),
}

# Words that make a time ("2h", "14h") a duration rather than a moment.
DURATION_BEFORE = (
    r"(?:pendant|durant|depuis|pdt|environ|env|en|fait|passe|perdu|pris|presque|dans|sous"
    r"|d'ici|toutes\s+les|tous\s+les|chaque|par|plus\s+de|moins\s+de|de\s+plus\s+de|bien)"
)
DURATION_AFTER = (
    r"(?:de|d')\s*(?:route|trajet|voiture|conduite|bouchons?|rdv|reunion|discussion|visite"
    r"|attente|travail|boulot|demo|presentation|formation|pause|retard|rendez-vous|appel"
    r"|entretien|negociation|negos?)|/|par\s|sur\s"
)

# Next-step cues that make a date a `followup` when they appear in the few words before it.
# Verb forms whose accented spelling is a past participle ("relancé", "recontacté"): a cue
# only when the original text has no "é" at the end.
FOLLOWUP_VERB_CUES = r"relance[rz]?|relances|recontacte[rz]?|recontactera[is]?"
FOLLOWUP_CUES = (
    r"rel\.?|a\s+relancer|relancera[is]?|rappel(?:er|le|les|lera[is]?|lerons|lez|s)?"
    r"|recontacter|re\s*contacter|revoir|revoit|revoient|revoie|revoyons|a\s+revoir"
    r"|on\s+se\s+(?:voit|revoit|rappelle|recontacte|reparle|cale|capte|tel)"
    r"|se\s+(?:revoir|rappeler|reparler)"
    r"|reviens?\s+vers|revient\s+vers|revenir\s+vers|redonne(?:r|ra)?|me\s+confirme"
    r"|(?:rdv|rendez[\s-]*vous)\s+avec|(?:me|nous)\s+(?:recoit|recoivent|recevra|recevront)"
    r"|re[\s-]*tenter|reessayer|rappellerai|repasse[rz]?|repasserai|retourne[rz]?|retournerai"
    r"|revenir|reviendrai"
    r"|doit\s+me\s+(?:rappeler|recontacter|repondre|redonner|confirmer)"
    r"|prochaine?\s+(?:rdv|rendez[\s-]*vous|etape|point|visite|contact|rencontre|echange|appel|reunion)"
    r"|rdv\s+(?:pris|cale|fixe|obtenu|prevu|programme|confirme|planifie|booke|ok|valide|accepte)"
    r"|(?:pris|cale|fixe|obtenu|decroche|booke|planifie)\s+(?:un\s+|le\s+|mon\s+|notre\s+)?rdv"
    r"|rendez[\s-]*vous\s+(?:pris|cale|fixe|obtenu|prevu)"
    r"|point\s+(?:prevu|tel|telephonique|cale|fixe)|faire\s+(?:un|le)\s+point"
    r"|devis\s+a\s+(?:envoyer|faire|remettre|rendre|chiffrer)|envoyer\s+(?:le\s+|un\s+|mon\s+|son\s+)?devis"
    r"|envoi\s+(?:du\s+)?devis|r2|r3|deadline|echeance|a\s+rappeler|a\s+recontacter"
)
# Cues that only count right before the date (at most two words in between).
FOLLOWUP_NEAR_CUES = r"point|avant|pour|signature|livraison|reponse|retour|suite"
# "rdv" alone: a follow-up in a call report, after the report's own date, or when it is not
# the report's first word ("vu Dupont, rdv jeudi" but not "rdv chez Dupont jeudi").
FOLLOWUP_WEAK_CUES = r"rdv|r\.d\.v\.?|rendez[\s-]*vous"

# Words that, with no intent, make a bare weekday or date a future one.
FUTURE_HINTS = (
    r"prochaine?|demain|vais|va|allons|dois|doit|faut|prevu|prevoir|planifie[rz]?|programme[rz]?"
    r"|a\s+faire|ai\s+quoi|agenda|planning|rappeler|relancer|recontacter|pense\s+a|n'oublie"
)

# Words allowed between a date and the time after it ("jeudi a 14h", "le 12/03 vers 9h"),
# between a time and the date after it ("14h le 12"), and inside a time range ("14h-16h").
DAY_TIME_CONNECTORS = r"a|vers|des|pour|de|entre|aux?\s+alentours\s+de|sur\s+les|sur\s+le\s+coup\s+de|au|en|dans\s+la"
TIME_DAY_CONNECTORS = r"le|pour"
TIME_RANGE_CONNECTORS = r"-|a|et|jusqu'\s*a|au"

# --------------------------------------------------------------------------- numbers

NUMBER_WORDS: tuple[str, ...] = (
    "zero",
    "un",
    "une",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "vingt",
    "vingts",
    "trente",
    "quarante",
    "cinquante",
    "soixante",
    "septante",
    "huitante",
    "octante",
    "nonante",
    "cent",
    "cents",
    "mille",
    "milles",
    "million",
    "millions",
    "milliard",
    "milliards",
)

CURRENCY_WORDS = r"€|euros?|eur|balles|boules|e(?=\s*(?:ht|ttc)(?![a-z]))"
THOUSAND_WORDS = r"k|kilo[\s-]*euros?|keuros?|keur"
MILLION_WORDS = r"m|mio|millions?|md|mds|milliards?|mrd"
TAX_WORDS = r"h\.?t\.?|t\.?t\.?c\.?|hors\s+taxes?|toutes\s+taxes\s+comprises"
DISTANCE_WORDS = r"km|kms|kilometres?|bornes"

# --------------------------------------------------------------------------- codes

ROLE_PATTERNS: dict[str, tuple[str, ...]] = {
    "direction": (
        "dg",
        "pdg",
        "p dg",
        "ceo",
        "gerante?s?",
        "co gerante?",
        "cogerante?",
        "patron(?:ne)?s?",
        "big boss",
        "boss",
        "directeur general",
        "directrice generale",
        "dir gen",
        "direction generale",
        "presidente?",
        "dirigeante?s?",
        "fondateur",
        "fondatrice",
        "co fondateur",
        "chef d'entreprise",
        "proprio",
        "proprietaire",
        "proviseur",
        "proviseure",
        "dir",
        "directeur(?! (?:achats?|des achats|technique|informatique|financier|administratif"
        "|commercial|des ventes|de production|des travaux|industriel|d'usine|r&d))",
        "directrice(?! (?:achats?|des achats|technique|informatique|financiere|administrative"
        "|commerciale|des ventes|de production|des travaux|industrielle))",
        "directeur (?:de la |de l'|du |de |d')?(?:magasin|agence|site|etablissement|societe"
        "|entreprise|boite|filiale|succursale)",
        "directrice (?:de la |de l'|du |de |d')?(?:magasin|agence|site|etablissement|societe"
        "|entreprise|boite|filiale|succursale)",
        "responsable (?:de la |de l'|du |de |d')?(?:magasin|agence|site|etablissement)",
    ),
    "achats": (
        "acheteur",
        "acheteuse",
        "acheteurs",
        "acheteuses",
        "resp(?:onsable)?\\.? (?:des |du service )?achats?",
        "resp\\.? achats?",
        "service (?:des )?achats?",
        "dir(?:ecteur|ectrice|\\.)? (?:des )?achats?",
        "chef (?:des )?achats",
        "approvisionneur",
        "approvisionneuse",
        "responsable (?:des )?approvisionnements?",
        "resp appro",
        "acheteur projet",
        "category manager",
        "purchasing manager",
        "procurement",
    ),
    "technique": (
        "dsi",
        "cto",
        "rsi",
        "resp(?:onsable)?\\.? (?:technique|tech|info|informatique|it|travaux|maintenance"
        "|production|prod|atelier|bureau d'etudes?|be|methodes|qualite|exploitation|si)",
        "dir(?:ecteur|ectrice|\\.)? (?:technique|tech|informatique|des systemes d'information"
        "|de production|des travaux|industriel(?:le)?|d'usine|r&d|des operations)",
        "ingenieure?s?",
        "inge",
        "informaticien(?:ne)?s?",
        "technicien(?:ne)?s?",
        "chef d'atelier",
        "chef de chantier",
        "chef de projet technique",
        "conducteur de travaux",
        "conductrice de travaux",
        "chef de fabrication",
        "chef de production",
        "service technique",
        "service informatique",
    ),
    "finance": (
        "daf",
        "raf",
        "cfo",
        "comptables?",
        "expert comptable",
        "directeur (?:administratif et )?financier",
        "directrice (?:administrative et )?financiere",
        "directeur administratif",
        "directrice administrative",
        "dir(?:\\.)? fin(?:ancier)?",
        "resp(?:onsable)?\\.? (?:financier|financiere|finance|finances|compta|comptable|admin"
        "|administratif|administrative|administratif et financier|administrative et financiere)",
        "tresoriere?",
        "controleur de gestion",
        "controleuse de gestion",
        "service (?:compta|comptabilite|financier)",
        "la compta",
        "chef comptable",
    ),
    "commercial": (
        "directeur commercial",
        "directrice commerciale",
        "dir co",
        "dir com",
        "dircom",
        "dir\\.? (?:commercial|commerciale|co|com)",
        "resp(?:onsable)?\\.? (?:commercial|commerciale|ventes|des ventes|vente|com)",
        "directeur des ventes",
        "directrice des ventes",
        "chef des ventes",
        "sales manager",
        "head of sales",
        "key account manager",
        "kam",
        "responsable grands comptes",
        "directeur commercial et marketing",
    ),
    "assistant": (
        "secretaire",
        "secretariat",
        "assistante?s?",
        "assistante? de direction",
        "standardiste",
        "office manager",
        "hotesse d'accueil",
        "hote d'accueil",
    ),
}

# Bare "rdv" as an outcome: only in reports, and not when it names the visit itself.
RDV_WORD = r"(?:rdv|r\.d\.v\.?|rendez vous|rendezvous|rencard)(?! chez)"
RDV_NOT_OUTCOME_BEFORE = (
    r"(?:de|du|en|mon|ton|son|au|apres|avant|pendant|sortie?|sortant|sors|sorti|retour|mes"
    r"|prochain|prochaine"
    r"|ses|des|le|ce|quel|quels|aux|premier|1er)"
)

OUTCOME_PATTERNS: dict[str, tuple[str, ...]] = {
    "rdv": (
        "(?:rdv|rendez vous|r1|r2) (?:pris|prise|obtenu|cale|fixe|ok|confirme|accepte|planifie"
        "|programme|decroche|valide|booke|pose)",
        "(?:decroche|obtenu|pris|cale|fixe|eu|booke|pose|arrache|programme|planifie|accepte)"
        " (?:un |le |mon |notre |1 )?(?:(?:nouveau|second|deuxieme|2e|2eme) )?"
        "(?:rdv|rendez vous|r2|r1)",
        "ok pour (?:un |le |une )?(?:rdv|rendez vous|rencontre|visite|demo|r2)",
        "d'accord pour (?:un |le |une )?(?:rdv|rendez vous|rencontre|visite|demo|r2)",
        "(?:nouveau|second|deuxieme|2e|2eme|autre) (?:rdv|rendez vous)",
        "accepte de (?:me |nous )?(?:recevoir|rencontrer|voir)",
        "(?:veut|souhaite|aimerait) (?:me |nous )?(?:rencontrer|recevoir|revoir)",
        "(?:me|nous) (?:recoit|recoivent|recevra|recevront)",
        "(?:va|vont|veut|doit) (?:me|nous) recevoir",
        "demo (?:prevue|calee|fixee|planifiee|programmee)",
    ),
    "devis": (
        "devis",
        "(?:devis|dvis|offre|proposition|propal) (?:envoyee?|demandee?|a faire|a envoyer|en cours|faite?"
        "|remise?|transmise?|a chiffrer|a preparer|a refaire|demande par \\w+)",
        "dvis",
        "devi",
        "deivs",
        "dev[iy]s",
        "proposition(?: commerciale| de prix| tarifaire| chiffree)?",
        "propal",
        "propale",
        "offre(?: de prix| commerciale| chiffree| tarifaire)?",
        "chiffrage",
        "a chiffrer",
        "chiffrer",
        "cotation",
        "demande (?:de |les |des )?(?:prix|tarifs?|cotation)",
        "grille tarifaire",
        "(?:veut|demande|attend|souhaite) (?:nos |les |des |une )?(?:tarifs|prix|offre)",
        "envoyer (?:les |nos )?tarifs",
    ),
    "commande": (
        "commandes?",
        "(?:commande|cde|bdc|bon de commande) (?:signee?|passee?|validee?|confirmee?|ferme|ok|recue?|prise?"
        "|en cours|faite?)",
        "cdes?",
        "cmde?s?",
        "bdc(?: signe)?",
        "b\\.d\\.c\\.?",
        "bon de commande(?: signe)?",
        "signee?s?",
        "(?:contrat|devis|accord|deal|affaire|bdc|proposition|offre) (?:signee?|valide|accepte"
        "|conclue?|gagnee?|close)",
        "a signe",
        "c'est signe",
        "a commande",
        "passe commande",
        "passer commande",
        "vente (?:conclue|faite|realisee)",
        "affaire (?:conclue|gagnee|faite)",
        "deal (?:conclu|gagne|close)",
        "closee?",
        "affaire dans le sac",
        "ok pour (?:le|la|notre|mon|leur) (?:devis|proposition|offre|commande)",
        "(?:veut|va|vont|souhaite|souhaitent|veulent) (?:passer )?commander",
        "recommandee?s?",
        "(?:ils|il|elle|elles|on) prenn?(?:en)?[dt]s? (?:le|la|les|l'|un|une|deux|trois|\\d+)",
        "validee?s? par",
        "dans la poche",
    ),
    "refus": (
        "pas (?:vraiment |du tout |tres |trop |plus |encore |franchement )?inter+es+ee?s?",
        "peu inter+es+ee?s?",
        "inter+es+ee?s? pas",
        "(?:ca |cela )?ne (?:l'|les |nous |me |lui |leur )?inter+es+e(?:nt)? (?:pas|plus|guere)",
        "(?:ca |cela )?(?:l'|les |nous |me |lui |leur )inter+es+e(?:nt)? pas",
        "refus",
        "refuse(?:e|s)?",
        "a refuse",
        "perdue?(?! (?:du|de|d'|mon|ma|mes|\\d|une?|des|le|la|les|beaucoup|pas|temps|trop))",
        "affaire perdue",
        "deal perdu",
        "c'est mort",
        "c'est cuit",
        "mort(?=\\s*(?:[,.;!?\\n]|$))",
        "non merci",
        "ne veut (?:pas|rien|plus)(?: (?:entendre parler|donner suite|de nous|changer))?",
        "veut (?:pas|rien|plus)",
        "ne souhaite pas(?: donner suite| poursuivre)?",
        "aucun inter+et",
        "pas d'inter+et",
        "pas (?:preneur|preneuse|partant|partante|ouvert|ouverte|chaud|chaude)",
        "pas pour (?:eux|lui|elle|nous)",
        "niet",
        "sans suite",
        "classe sans suite",
        "pas de suite",
        "echec",
        "a dit non",
        "c'est non",
        "c non",
        "rien a faire",
        "pas convaincue?s?",
        "m'a dit non",
        "(?:m'a )?raccroche(?: au nez)?",
        "fin de non recevoir",
        "porte fermee",
        "ferme(?: la porte)",
        "no go",
        "nogo",
    ),
    "rappel": (
        "a rappeler",
        "a recontacter",
        "a relancer",
        "a revoir",
        "(?:me |nous )?rappellera",
        "rappel",
        "rappels",
        "rappeler(?= (?:dans|plus tard|en |apres|la semaine|le mois|l'an|debut|fin|vers|d'ici))",
        "(?:me |nous |le |la |les )rappeler",
        "(?:me |nous )rappelle(?:ra)?",
        "(?:doit|va|devra) (?:me |nous )?rappeler",
        "on se rappelle",
        "recontacter",
        "me recontacte(?:ra)?",
        "(?:relancer|relance) (?:plus tard|dans|en |apres|d'ici|vers)",
        "reprendre contact",
        "revenir vers (?:lui|elle|eux)",
        "revient vers (?:moi|nous)",
        "reviendra vers (?:moi|nous)",
        "rappeler plus tard",
    ),
    "injoignable": (
        "messagerie",
        "msgerie",
        "repondeur",
        "injoignables?",
        "pas joignable",
        "pas de reponse",
        "aucune reponse",
        "sans reponse",
        "ne repond (?:pas|plus|jamais)",
        "(?:repond|decroche) pas",
        "pas (?:repondu|decroche)",
        "n'a pas (?:repondu|decroche)",
        "ne decroche (?:pas|jamais)",
        "absente?s?",
        "pas (?:dispo|disponible)s?",
        "indispo(?:nible)?s?",
        "personne (?:ne repond|ne decroche|n'a repondu|n'a decroche|au bout|de dispo"
        "|pour (?:me )?(?:recevoir|repondre))",
        "(?:n'y |y )?(?:a|avait) personne",
        "(?:il )?n'y (?:a|avait) personne",
        "trouve personne",
        "tombe sur personne",
        "personne(?<!la\\x20personne)(?<!une\\x20personne)(?<!cette\\x20personne)"
        "(?<!les\\x20personne)(?<!des\\x20personne)(?<!autre\\x20personne)"
        "(?<!bonne\\x20personne)(?=\\s*(?:[,.;!?\\n]|$))",
        "sonne dans le vide",
        "laisse (?:un |une |\\d+ |deux |trois )?(?:messages?|msgs?|mess|vocal|vocaux|mots?)",
        "(?:message|msg|mess|vocal) laisse",
        "boite vocale",
        "bv",
        "tombe sur (?:la |sa |le |son )?(?:messagerie|repondeur|boite vocale)",
        "ligne occupee",
        "occupee?",
        "en conges?",
        "en vacances",
        "en deplacement",
        "en arret maladie",
        "n'etait pas la",
        "pas la(?=\\s*(?:[,.;!?\\n]|$))",
        "numero (?:non attribue|faux|errone|invalide)",
        "faux numero",
        "fermee?",
        "en (?:reunion|rdv|clientele|rendez vous|seminaire|formation)",
        "pas reussi a (?:le |la |les )?joindre",
        "jamais pu (?:l'avoir|avoir|le joindre|la joindre|joindre)",
        "pas pu (?:le |la |les )?joindre",
        "impossible (?:de le |de la |de les |a )?joindre",
    ),
    "interesse": (
        "inter+es+ee?s?",
        "tres inter+es+ee?s?",
        "semble inter+es+ee?s?",
        "inter+es+ant",
        "(?:ca |cela )?l'inter+es+e",
        "chaude?s?",
        "tres chaude?",
        "piste chaude",
        "lead chaud",
        "ouverte?s?(?=\\s*(?:[,.;!?\\n]|$))",
        "(?:tres |plutot |assez |semble |reste )ouverte?s?",
        "ouverte?s? (?:a|aux|pour) (?:la |l'|une |nos |notre |discuter|echanger|une discussion)",
        "a l'air (?:partant|partante|chaud|chaude|interesse|interessee|motive|motivee)",
        "partante?s?",
        "bon (?:feeling|feel|contact|accueil|echange|rdv|premier contact)",
        "tres bon (?:feeling|contact|accueil|echange)",
        "receptif",
        "receptive",
        "emballee?",
        "seduite?",
        "motivee?",
        "curieux",
        "curieuse",
        "montre de l'inter+et",
        "(?:de |un |beaucoup d')inter+et",
        "positif",
        "positive",
        "pret a signer",
        "prete a signer",
        "a suivre",
        "prospect chaud",
        "bonne piste",
        "ca accroche",
        "(?:gros|vrai|reel|fort|grand) inter+et",
        "bonne ecoute",
        "ok sur le principe",
        "ok pour (?:un|une) (?:essai|test|demo|demonstration)",
        "hesite(?:nt)?(?: encore)?",
        "(?:veu[lt]e?n?t?|doi[vt]e?n?t?|va|vont) (?:y )?reflechir",
        "reflechi(?:t|ssent|ssons)",
        "contente?s? (?:de|du) (?:la |l')?(?:demo|presentation|visite|proposition|offre|essai)",
        "accroche",
    ),
}

# Who a contact "must see" before deciding ("doit voir avec son associé / le DG / sa banque").
DECISION_PEOPLE = (
    "(?:dg|pdg|gerante?|daf|dsi|directeur(?: general| financier| technique| commercial| achats?"
    "| administratif)?|directrice|boss|president|associee?s?|patron(?:ne)?|chef|hierarchie|siege"
    "|direction|n\\+1|superieur|conseil(?: d'administration| d'admin)?|comite|femme|mari|banquier"
    "|banque|comptable|expert comptable|collegues?|equipe|maison mere|groupe|responsable|resp"
    "|proprio|codir|board|service achats|achats|elus?|mairie|centrale)"
)

DECISION_DETERMINER = "(?:(?:son|sa|ses|le|la|les|leur|mon|ma|un|une) |l')?"

OBJECTION_PATTERNS: dict[str, tuple[str, ...]] = {
    "prix": (
        "trop chere?s?",
        "chere?s?",
        "c'est cher",
        "hors de prix",
        "prix(?: trop)? eleves?",
        "prix",
        "tarifs? (?:trop )?eleves?",
        "trop eleves?",
        "tarifs? trop hauts?",
        "moins cher(?:e|s)? (?:ailleurs|chez (?:le |un )?concurrent|en face)",
        "trouve moins cher",
        "concurrent moins cher",
        "hors budget",
        "pas (?:de|le|du) budget",
        "manque de budget",
        "sans budget",
        "budget (?:serre|limite|insuffisant|depasse|epuise|restreint|contraint|trop juste|bloque"
        "|gele|consomme|trop court|pas valide)",
        "pas les moyens",
        "pas d'argent",
        "pas de (?:sous|tresorerie|fonds)",
        "n'a pas les moyens",
        "trop couteux",
        "couteux",
        "pas donne",
        "(?:veut|demande|exige) (?:une |un )?(?:remise|rabais|ristourne|geste)",
        "rabais",
        "marge trop faible",
    ),
    "concurrent": (
        "deja (?:un |une |son |sa |ses |leur |des )?(?:fournisseurs?|prestataires?|prestas?"
        "|partenaires?|solutions?|installateurs?|grossistes?|distributeurs?|outils?)",
        "deja (?:en contrat|sous contrat|client de|clients de|chez)",
        "concurrente?s?",
        "concurrence",
        "(?:travaille|bosse)(?:nt)? (?:deja |exclusivement |uniquement |depuis \\w+ ans )?avec"
        "(?: (?:un|le|son|leur|des) (?:concurrent|fournisseur|prestataire)s?)?",
        "(?:contrat en cours|sous contrat|en contrat|contrat) avec(?: (?:un|le|son|leur|des) (?:concurrent|fournisseur|prestataire)s?)?",
        "contrat en cours",
        "sous contrat",
        "engagee?s? (?:avec|chez|jusqu)",
        "(?:satisfaite?s?|contente?s?|ravie?s?) (?:de|par|avec) (?:son|leur|ses|sa|leurs)"
        " (?:fournisseurs?|prestataires?|prestas?|partenaires?|solutions?|actuel)",
        "(?:fournisseur|prestataire|presta|partenaire) (?:actuel|historique|habituel|attitre)",
        "fideles? a (?:son|sa|leur|leurs|ses)(?: \\w+)?",
        "engagee?s? (?:avec|chez) \\w+(?: jusqu(?:'en|'a| en| a) \\w+)?",
        "(?:passe|achete|commande) (?:deja )?chez (?:un )?(?:concurrent|autre)",
        "lie (?:a|avec) (?:un|son|leur)",
    ),
    "timing": (
        "pas le (?:bon )?moment",
        "mauvais moment",
        "pas maintenant",
        "pas pour (?:le moment|l'instant|maintenant|tout de suite|cette annee)",
        "plus tard",
        "on verra(?: (?:en|a|apres|plus tard|l'an|l'annee|a la rentree|dans) \\w+)?",
        "pas prioritaire",
        "pas (?:une|la) priorite",
        "pas dans (?:les|ses|leurs) priorites",
        "trop tot",
        "pas avant(?: (?:le|la|l'|les|fin|debut|mi))? \\w+(?: \\d{4})?",
        "rappele[rz] moi (?:dans|plus tard|en|l'an|l'annee) \\w+(?: \\w+)?",
        "l'annee prochaine",
        "l'an prochain",
        "a la rentree",
        "apres l'ete",
        "apres les (?:vacances|fetes)",
        "(?:projet|achat|investissement|decision|budget) (?:reporte|gele|en pause|en stand by|suspendu)",
        "(?:attend|attendent|attendre) (?:le vote|la validation|l'arbitrage) du budget",
        "vote du budget",
        "budget (?:pas (?:encore )?(?:vote|valide|debloque)|boucle|non vote|pas voté)",
        "(?:marche|appel d'offres?) en cours",
        "on en reparle(?: (?:en|a|apres|dans) \\w+)?",
        "en plein (?:demenagement|travaux|rachat|inventaire|restructuration|reorganisation|rush|bilan)",
        "pas pressee?s?",
        "rien avant",
        "timing",
        "debordee?s?",
        "trop (?:occupee?|charge|chargee|deborde)",
        "temps de (?:la )?reflexion",
    ),
    "besoin": (
        "pas (?:de |le |vraiment |du tout |trop )?besoins?",
        "n'en a pas besoin",
        "n'en ont pas besoin",
        "n'a pas (?:de |le )?besoin",
        "aucun besoin",
        "besoins? (?:deja )?(?:couvert|satisfait|comble)s?",
        "pas (?:d'|l')utilite",
        "(?:ne )?voi(?:t|ent|s) pas l'inter+et",
        "deja equipee?s?",
        "aucune utilite",
        "(?:ca )?(?:ne )?(?:sert|servirait) a rien",
        "pas utile",
        "inutile",
        "pas (?:concernee?|pertinent)",
        "(?:a )?(?:deja )?(?:tout )?ce qu'il (?:lui )?faut",
        "pas d'usage",
    ),
    "confiance": (
        "(?:ne )?(?:nous|vous|me|la boite|notre societe) connai(?:s|t|ssent) pas",
        "connai(?:s|t|ssent) pas (?:notre|la|ma|nos|votre) (?:societe|boite|marque|entreprise|produits?)",
        "(?:veut|veulent|voir|demande|demandent) (?:des |nos |vos )?references",
        "(?:pas|aucune|manque de) confiance",
        "(?:se )?mefie",
        "mefiante?s?",
        "mefiance",
        "jamais entendu parler",
        "mauvaises? experiences?(?: avec (?:un|le|son|leur|des|notre) (?:concurrent|fournisseur|prestataire)s?)?",
        "mauvais(?:es?)? (?:retours?|souvenirs?|image|reputation|echos?)",
        "(?:pas de|manque de|aucune) references?",
        "sceptique",
        "des doutes",
        "doute(?:s)? sur",
        "pas rassuree?s?",
        "peur (?:de|du|d')",
        "s'est fait avoir",
    ),
    "decision": (
        "(?:doit|dois|doivent|devra|devait|faut|veut|veulent|va|vont) (?:d'abord |en )?(?:voir|checker"
        "|verifier|discuter|parler|en parler|en discuter)(?: ca| cela| le dossier| la proposition"
        "| le devis| l'offre)? (?:avec|a|au|aux|aupres de)(?: "
        + DECISION_DETERMINER
        + DECISION_PEOPLE
        + ")?",
        "(?:doit|dois|doivent|devra|devait|faut|veut|veulent|va|vont) (?:d'abord )?(?:valider|faire valider"
        "|consulter|soumettre|remonter|presenter)(?: ca| cela| le dossier| la proposition| le devis"
        "| l'offre)?(?: (?:a|au|aux|avec|par|aupres de) "
        + DECISION_DETERMINER
        + DECISION_PEOPLE
        + ")?",
        "voi[rt] avec (?:son|sa|ses|le|la|leur) " + DECISION_PEOPLE,
        "(?:c'est |c )?(?:pas (?:moi|lui|elle|eux|nous) |(?:le|la|l'|leur|son|sa) "
        "(?:[a-z]+(?:\\x27[a-z]+)? ){0,4}?)"
        "qui (?:decide|decident|tranche|tranchent|valide|valident|choisit|choisissent|achete"
        "|achetent|signe|signent)",
        "feu vert",
        "en attente (?:du|de la|de l') (?:feu vert|validation|accord)(?: (?:du|de la|de l'|de son|de sa) \\w+)?",
        "en parler (?:a|avec) (?:son|sa|ses|leur) \\w+",
        "pas (?:le|la|un|une) (?:decideur|decideuse|decisionnaire|bon interlocuteur|bonne"
        " interlocutrice)",
        "pas decisionnaire",
        "pas (?:lui|elle|eux) qui decidee?n?t?",
        "ne decide pas",
        "decision (?:en|du|au|par le|par la|de la|de son) (?:comite|siege|conseil|groupe|codir"
        "|direction|board|national|dg|associe)",
        "decide en comite",
        "passer? (?:en|par le|par la|par une) (?:comite|commission|centrale|siege|codir|conseil)",
        "validation (?:du|de la|de son|de sa|par le|par la|interne|hierarchique|de l')(?: \\w+)?",
        "attend (?:la validation|l'accord|le feu vert|le go)(?: (?:du|de la|de son|de sa) \\w+)?",
        "accord (?:du|de la|de son|de sa) (?:dg|siege|direction|patron|boss|associe|groupe|daf)",
        "remonter (?:au|a la) (?:siege|direction|dg|groupe)",
        "centrale d'achats?",
        "referencement (?:national|groupe|centrale)",
        "pas (?:lui|elle) qui signe",
    ),
}

# Negated or harmless phrases that must not produce a code; they win over shorter matches.
BLOCKER_PATTERNS: dict[str, tuple[str, ...]] = {
    "outcome": (
        "pas (?:de |encore de |d'|encore d')(?:devis|rdv|rendez vous|commande|cde|proposition|offre"
        "|reponse definitive)",
        "sans (?:devis|rdv|commande)",
        "pas (?:encore )?signee?",
        "n'a pas (?:encore )?signe",
        "rien (?:de )?signe",
        "relance[rz]? (?:pour |par tel pour |par telephone pour )?(?:le|mon|son|du|ce) devis",
        "pour (?:le|relancer le|relancer son) devis",
        "fait (?:trop )?chaud",
        "la personne",
        "une personne",
    ),
    "objection": (
        "pas (?:si |trop |tres |plus )?chere?s?",
        "prix (?:ok|correct|corrects|bon|valide|accepte|n'est pas (?:un |le )?(?:probleme|souci))",
        "bon prix",
        "meilleur prix",
        "liste de prix",
        "prix (?:catalogue|public|unitaire)",
        "cher (?:monsieur|madame|client|ami)",
    ),
    "role": (),
}

# Extra bare keywords accepted only in `start_drill` ("entraine-moi sur les objections prix").
DRILL_OBJECTION_PATTERNS: dict[str, tuple[str, ...]] = {
    "prix": ("budget", "tarifs?", "couts?"),
    "concurrent": ("fournisseurs?",),
    "timing": ("temps", "delai", "moment", "plus tard"),
    "besoin": ("besoins?", "utilite"),
    "confiance": ("confiance", "credibilite", "notoriete"),
    "decision": ("decisions?", "decideur", "decisionnaire", "validation", "hierarchie"),
}


# --------------------------------------------------------------------------- companies

# Leading words stripped from a company name (matched on folded text, repeatedly):
# "chez la société Dupont" -> "Dupont". "Ets", "SARL", "Groupe", "Mairie de" are kept.
COMPANY_PREFIXES: tuple[str, ...] = (
    "de chez",
    "chez",
    "la societe",
    "la ste",
    "societe",
    "ste",
    "l'entreprise",
    "entreprise",
    "la boite",
    "le client",
    "la cliente",
    "le prospect",
    "les",
    "la",
    "le",
    "l'",
)
# Trailing "." kept after these legal-form abbreviations ("Martin & Cie.").
COMPANY_DOTTED_ENDINGS: frozenset[str] = frozenset({"cie", "co", "inc", "ltd", "corp", "bros"})
