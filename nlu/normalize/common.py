"""Shared pieces of the rule layer: the Span type, offset-preserving folding, number words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from text_to_num import text2num

from nlu.normalize.lexicon import NUMBER_WORDS

MAX_NUMBER_DIGITS = 15
MAX_NUMBER_WORDS = 10
MAX_BLANK_RUN = 8  # longer runs of spaces/newlines are squashed to one separator by fold()


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
# A list is the fastest table for str.translate; code points past its end stay unchanged.
_FOLD_LIST = [chr(code) for code in range(max(_FOLD_TABLE) + 1)]
for _code, _char in _FOLD_TABLE.items():
    _FOLD_LIST[_code] = _char


_ASCII_FOLDED = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD_TABLE if c < 128)) + "]")


_LONG_BLANKS = re.compile(rf"\s{{{MAX_BLANK_RUN},}}")


@lru_cache(maxsize=32)
def fold(text: str) -> str:
    """Lower-case and strip accents without changing the length, so offsets stay valid."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if not (low.isascii() and _ASCII_FOLDED.search(low) is None):
        low = low.translate(_FOLD_LIST)
    if _LONG_BLANKS.search(low) is None:
        return low
    # Runs of blanks only matter as a separator: keep their ends, blank out their middle so no
    # pattern can backtrack over thousands of spaces.
    return _LONG_BLANKS.sub(lambda m: m[0][0] + "\x01" * (len(m[0]) - 2) + m[0][-1], low)


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
    words = ["zéro" if w == "zero" else w for w in re.split(r"[\s-]+", raw.strip().lower()) if w]
    for first in range(len(words)):
        chunk = words[first:]
        if chunk[0] == "et":
            continue
        try:
            return int(text2num(" ".join(chunk), "fr"))
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            continue
    return None


def split_alternatives(pattern: str) -> list[str]:
    """Split a regex on its top-level "|" (outside groups and character classes)."""
    parts: list[str] = []
    depth = 0
    start = 0
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _group_end(pattern: str) -> int:
    """Return the index of the ")" closing the group that opens at index 0."""
    depth = 0
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def expand_leading_groups(pattern: str, depth: int = 0) -> list[str]:
    """Rewrite "(?:ca |cela )?ne x" as "ca ne x", "cela ne x", "ne x" (same language)."""
    out: list[str] = []
    for alt in split_alternatives(pattern):
        end = _group_end(alt) if alt.startswith("(?:") and depth < 6 else -1
        if end < 0:
            out.append(alt)
            continue
        inner, rest = alt[3:end], alt[end + 1 :]
        if rest.startswith("?") and not rest.startswith(("??", "?+")):
            heads = [*split_alternatives(inner), ""]
            rest = rest[1:]
        elif rest[:1] in ("*", "+", "{"):
            out.append(alt)
            continue
        else:
            heads = split_alternatives(inner)
        for head in heads:
            out.extend(expand_leading_groups(head + rest, depth + 1))
    return out


def _visible_length(alt: str) -> int:
    """Length of an alternative without its look-around groups (a proxy for match length)."""
    out = []
    i = 0
    while i < len(alt):
        if alt.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            end = _group_end(alt[i:])
            if end < 0:
                break
            i += end + 1
            continue
        out.append(alt[i])
        i += 1
    return len(out)


def literal_first_alternation(patterns: list[str] | tuple[str, ...]) -> str:
    """Build one alternation grouped by first character, so the regex engine skips fast."""
    groups: dict[str, list[str]] = {}
    others: list[str] = []
    for pattern in patterns:
        for alt in expand_leading_groups(pattern):
            first, second = alt[:1], alt[1:2]
            if first and (first.isalnum() or first in "'&") and second not in ("?", "*", "+", "{"):
                groups.setdefault(first, []).append(alt[1:])
            else:
                others.append(alt)
    parts = []
    for first, rests in sorted(groups.items()):
        # Longest first: Python's regex takes the first alternative that matches.
        unique = sorted(set(rests), key=_visible_length, reverse=True)
        parts.append(re.escape(first) + "(?:" + "|".join(unique) + ")")
    parts.extend(sorted(set(others), key=_visible_length, reverse=True))
    return "(?:" + "|".join(parts) + ")"
