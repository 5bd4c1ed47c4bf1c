"""Clean a company name found by a statistical extractor."""

from __future__ import annotations

import re
import unicodedata

from nlu.normalize.common import fold
from nlu.normalize.lexicon import COMPANY_DOTTED_ENDINGS, COMPANY_PREFIXES

_PREFIX_RE = re.compile(
    "(?:"
    + "|".join(
        re.escape(p).replace(r"\ ", r"\s+") + (r"\s*" if p.endswith("'") else r"\s+")
        for p in sorted(COMPANY_PREFIXES, key=len, reverse=True)
    )
    + ")",
    re.ASCII,
)
MAX_PREFIXES = 4  # "de chez la société ..." at most
_LEADING_JUNK = set(" ,;:!?«»\"'“”-–—.*·•")
_TRAILING_JUNK = set(" ,;:!?«»\"'“”-–—…*·•")


def _is_junk(char: str, junk: set[str]) -> bool:
    """Say whether a character is trimmed from the ends of a name."""
    return char in junk or char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim spaces, quotes, punctuation and invisible characters from both ends."""
    while start < end and _is_junk(text[start], _LEADING_JUNK):
        start += 1
    while end > start:
        char = text[end - 1]
        if _is_junk(char, _TRAILING_JUNK):
            end -= 1
            continue
        if char == ".":
            last_word = text[start : end - 1].split()[-1:] or [""]
            word = last_word[0]
            if "." in word or fold(word) in COMPANY_DOTTED_ENDINGS:
                break  # "Dupont S.A." / "Martin & Cie."
            end -= 1
            continue
        break
    return start, end


def clean_company(text: str) -> str:
    """Strip a leading "chez", "la société", "l'entreprise", article and trailing punctuation."""
    if not isinstance(text, str) or not text:
        return ""
    folded = fold(text)
    start, end = _trim(text, 0, len(text))
    for _ in range(MAX_PREFIXES):
        m = _PREFIX_RE.match(folded, start, end)
        if m is None or m.end() >= end:
            break
        new_start, new_end = _trim(text, m.end(), end)
        if new_start >= new_end:
            break
        start, end = new_start, new_end
    return text[start:end]
