"""Shared pieces of the rule layer: the Span type, offset-preserving folding, number words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from text_to_num import text2num

from nlu.normalize.lexicon import NUMBER_WORDS

MAX_NUMBER_DIGITS = 15
MAX_NUMBER_WORDS = 10


@dataclass(frozen=True)
class Span:
    """An entity found in a text: type, character offsets, normalised value and surface text."""

    entity: str
    start: int
    end: int
    value: str | int | float
    text: str

    def as_entity(self) -> dict[str, Any]:
        """Return the entity in the contract's (Rasa) shape."""
        return {"entity": self.entity, "start": self.start, "end": self.end, "value": self.value}


def _build_fold_table() -> dict[int, str]:
    """Map accented Latin letters, odd apostrophes, spaces and dashes to one ASCII char each."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()
        if base.isascii() and base.isalpha() and base != char:
            table[code] = base
    for char in "’‘ʼ`´′ʹ＇":
        table[ord(char)] = "'"
    for (
        char
    ) in "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000\t\r\f\v":
        table[ord(char)] = " "
    for char in "‐‑‒–—―−":
        table[ord(char)] = "-"
    table[ord("œ")] = "o"
    table[ord("æ")] = "a"
    table[ord("ß")] = "s"
    table[ord("ø")] = "o"
    table[ord("ł")] = "l"
    table[ord("đ")] = "d"
    table[ord("ı")] = "i"
    return table


_FOLD_TABLE = _build_fold_table()


def fold(text: str) -> str:
    """Lower-case and strip accents without changing the length, so offsets stay valid."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.translate(_FOLD_TABLE)


def make_span(text: str, entity: str, start: int, end: int, value: str | int | float) -> Span:
    """Build a span whose ``text`` is the exact slice of the message."""
    return Span(entity=entity, start=start, end=end, value=value, text=text[start:end])


def to_number(value: Decimal) -> int | float:
    """Return an int when the value is integral, else a float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def parse_digits(raw: str) -> Decimal | None:
    """Parse "12 000", "3.500", "1,5", "12.50" (French and English habits) into a Decimal."""
    compact = re.sub(r"[\s'\u00a0\u202f]", "", raw)
    if not compact or len(re.sub(r"\D", "", compact)) > MAX_NUMBER_DIGITS:
        return None
    if "," in compact:
        # "1,5" decimal comma; any dots are thousands separators ("1.234,5").
        compact = compact.replace(".", "").replace(",", ".", 1).replace(",", "")
    elif compact.count(".") == 1:
        whole, frac = compact.split(".")
        if len(frac) == 3 and whole and whole[0] != "0":
            compact = whole + frac  # "3.500" is three thousand five hundred
    elif compact.count(".") > 1:
        compact = compact.replace(".", "")
    try:
        return Decimal(compact)
    except InvalidOperation:
        return None


_NUMBER_WORD_ALT = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
NUMBER_WORD = rf"(?:{_NUMBER_WORD_ALT})(?![a-z])"
# A run of French number words: "deux cent cinquante", "quatre-vingt-dix", "vingt et un".
NUMBER_WORDS_RUN = (
    rf"(?<![a-z]){NUMBER_WORD}(?:[\s-]+(?:et[\s-]+)?{NUMBER_WORD}){{0,{MAX_NUMBER_WORDS}}}"
)


def words_to_number(raw: str) -> int | None:
    """Convert French number words with text2num, dropping leading words it cannot read."""
    words = [
        "zéro" if w == "zero" else w for w in re.split(r"[\s-]+", raw.strip().lower()) if w
    ]
    for first in range(len(words)):
        chunk = words[first:]
        if chunk[0] == "et":
            continue
        try:
            return int(text2num(" ".join(chunk), "fr"))
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            continue
    return None
