"""Codes shared by the scoring engine, the objection bank and the drills (see the contract)."""

from __future__ import annotations

from pathlib import Path

CATEGORIES: tuple[str, ...] = ("prix", "concurrent", "timing", "besoin", "confiance", "decision")
TECHNIQUES: tuple[str, ...] = (
    "ecoute",
    "reformulation",
    "question",
    "boomerang",
    "compensation",
    "preuve",
    "fractionnement",
    "contrepartie",
    "report",
    "conclusion",
)
MOTIVES: tuple[str, ...] = ("securite", "orgueil", "nouveaute", "confort", "argent", "sympathie")
FAULTS: tuple[str, ...] = (
    "denigrement",
    "contradiction",
    "concession_gratuite",
    "hors_sujet",
    "trop_court",
)
BUYER_ROLES: tuple[str, ...] = (
    "gerant",
    "acheteur",
    "dsi",
    "daf",
    "directeur_technique",
    "responsable_achats",
    "elu",
    "directeur_general",
    "drh",
    "responsable_production",
    "responsable_logistique",
    "directeur_etablissement",
    "pharmacien",
    "exploitant",
)
SECTORS: tuple[str, ...] = (
    "informatique",
    "restauration",
    "industrie",
    "collectivite",
    "btp",
    "sante",
    "commerce",
    "transport",
    "services",
    "energie",
    "hotellerie",
    "agriculture",
)

DATA_DIR = Path(__file__).resolve().parent / "data"
BANK_PATH = DATA_DIR / "objections.yml"
BANK_SCHEMA_PATH = DATA_DIR / "objections.schema.json"
LEXICON_PATH = DATA_DIR / "lexicon.yml"
GRADED_PATH = DATA_DIR / "graded_answers.yml"

STRONG_ANSWER = 7.0
"""Score from which the buyer accepts the answer in a drill."""

POOR_ANSWER = 6.0
"""Score under which an objection comes back for spaced repetition."""
