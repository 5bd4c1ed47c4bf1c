"""Text normalisation shared by the lexicons, the bank lookup and the analysis."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans(
    {"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "′": "'", "–": "-", "—": "-"}
)
_LIGATURES = {"œ": "oe", "æ": "ae", "ﬁ": "fi", "ﬂ": "fl"}
_NON_WORD = re.compile(r"[^a-z0-9%€]+")


def normalise(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes and ligatures."""
    text = text.translate(_APOSTROPHES).lower()
    for ligature, plain in _LIGATURES.items():
        text = text.replace(ligature, plain)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def match_key(text: str) -> str:
    """Return a punctuation-free key used to recognise a known sentence."""
    return _NON_WORD.sub(" ", normalise(text)).strip()


def has_letters(text: str) -> bool:
    """Tell whether the text contains at least one letter."""
    return any(char.isalpha() for char in text)
