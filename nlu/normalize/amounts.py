"""Find sums of money (in euros) and driven distances (in km) in French messages."""

from __future__ import annotations

import re
from decimal import Decimal

from nlu.normalize.common import (
    NUMBER_WORDS_RUN,
    Span,
    fold,
    make_span,
    parse_digits,
    to_number,
    words_to_number,
)
from nlu.normalize.lexicon import (
    CURRENCY_WORDS,
    DISTANCE_WORDS,
    MILLION_WORDS,
    TAX_WORDS,
    THOUSAND_WORDS,
)

_FLAGS = re.ASCII
# "12 000", "3.500", "1'200" (thousands) or "1,5", "12.50", "800" (plain or decimal). The
# leading digit comes first so the regex engine can skip to digits fast; the look-behind
# after it rejects numbers glued to another number, a date or a time ("12/03", "14:30").
_NUM = (
    r"(?P<num>\d(?<![a-z\d.,/:]\d)"
    r"(?:\d{0,2}(?:[ .'](?:\d{3}))+(?:,\d+)?(?!\d)|\d*(?:[.,]\d+)?))"
)
_END = r"(?![a-z0-9])"
# Cheap pre-checks: no currency-ish or distance-ish word, no need to run the word scans.
_MONEY_HINTS = ("€", "eur", "balle", "boule", "million", "milliard", "ht", "ttc", "taxe")
_DISTANCE_HINTS = ("km", "kilometre", "borne")

# A number followed by a money marker; numbers without one never reach Python.
_AMOUNT_RE = re.compile(
    rf"{_NUM}"
    rf"(?:\s?(?P<k>{THOUSAND_WORDS})(?:\s?(?P<kc>{CURRENCY_WORDS}))?{_END}"
    rf"|\s?(?P<m>{MILLION_WORDS})(?:\s?(?:d'\s*|de\s+)?(?P<mc>{CURRENCY_WORDS}))?{_END}"
    rf"|\s?(?P<mille>milles?)(?:\s?(?:d'\s*|de\s+)?(?P<milc>{CURRENCY_WORDS}))?{_END}"
    rf"|\s?(?P<cur>{CURRENCY_WORDS})(?![a-z0-9])"
    rf"|(?=\s?(?:{TAX_WORDS}){_END}))"
    rf"(?P<tax>\s?(?:{TAX_WORDS}){_END})?",
    _FLAGS,
)
_WORD_AMOUNT_RE = re.compile(
    rf"[^a-z0-9](?P<w>{NUMBER_WORDS_RUN})(?:\s*(?:d'\s*|de\s+)?(?P<cur>{CURRENCY_WORDS}))?"
    rf"(?P<tax>\s?(?:{TAX_WORDS}))?{_END}",
    _FLAGS,
)
_DISTANCE_RE = re.compile(rf"{_NUM}\s?(?P<unit>{DISTANCE_WORDS}){_END}(?!\s?/\s?h)", _FLAGS)
_WORD_DISTANCE_RE = re.compile(
    rf"[^a-z0-9](?P<w>{NUMBER_WORDS_RUN})\s?(?P<unit>{DISTANCE_WORDS}){_END}(?!\s?/\s?h)", _FLAGS
)
_CLAUSE_END_RE = re.compile(r"\s*(?:[,.;!?)\n]|$)", _FLAGS)
_BARE_NUMBER_RE = re.compile(rf"\s*{_NUM}\s*", _FLAGS)
_BARE_WORDS_RE = re.compile(rf"\s*(?P<w>{NUMBER_WORDS_RUN})\s*", _FLAGS)
_BIG_WORDS = ("million", "millions", "milliard", "milliards")

_MULTIPLIERS: dict[str, int] = {
    "m": 1_000_000,
    "mio": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "md": 1_000_000_000,
    "mds": 1_000_000_000,
    "mrd": 1_000_000_000,
    "milliard": 1_000_000_000,
    "milliards": 1_000_000_000,
}


def _digit_amount(text: str, folded: str, m: re.Match[str]) -> int | float | None:
    """Value of a digit amount match, or None when it carries no money marker."""
    base = parse_digits(m["num"])
    if base is None:
        return None
    if m["k"]:
        return to_number(base * 1000)
    if m["m"]:
        word = m["m"].strip()
        # A lone "m" is metres and "M." is Monsieur, unless a currency follows: "2M", "1,5 M€".
        lone = word == "m" and not m["mc"]
        if lone and (text[m.start("m")] != "M" or folded[m.end("m") : m.end("m") + 1] == "."):
            return None
        return to_number(base * _MULTIPLIERS.get(word, 1_000_000))
    if m["mille"]:
        if not (m["milc"] or m["tax"] or _CLAUSE_END_RE.match(folded, m.end())):
            return None
        return to_number(base * 1000)
    if m["cur"] or m["tax"]:
        return to_number(base)
    return None


def _word_amount(m: re.Match[str]) -> int | None:
    """Value of a number-words amount ("douze mille euros", "un million"), or None."""
    words = m["w"].split()
    if not (m["cur"] or m["tax"] or words[-1] in _BIG_WORDS):
        return None
    return words_to_number(m["w"])


def _drop_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the earliest (then longest) of overlapping spans."""
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


def _trim_end(text: str, start: int, end: int) -> int:
    """Drop trailing spaces from a span end."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def find_amounts(text: str) -> list[Span]:
    """Find sums of money and return `amount` spans valued in euros."""
    if not isinstance(text, str) or not text:
        return []
    folded = fold(text)
    spans: list[Span] = []
    for m in _AMOUNT_RE.finditer(folded):
        value = _digit_amount(text, folded, m)
        if value is None:
            continue
        # "15k HT": the tax marker is part of the span only when it is the only marker.
        has_unit = bool(m["k"] or m["m"] or m["mille"] or m["cur"])
        end = m.start("tax") if m["tax"] and has_unit else m.end()
        spans.append(make_span(text, "amount", m.start(), _trim_end(text, m.start(), end), value))
    if any(hint in folded for hint in _MONEY_HINTS):
        padded = " " + folded
        for m in _WORD_AMOUNT_RE.finditer(padded):
            value = _word_amount(m)
            if value is None:
                continue
            start = m.start("w") - 1
            end = (m.start("tax") if m["tax"] and m["cur"] else m.end()) - 1
            spans.append(make_span(text, "amount", start, _trim_end(text, start, end), value))
    return _drop_overlaps(spans)


def parse_amount(text: str) -> int | float | None:
    """Read the first sum of money in `text`; a bare number or number words also count."""
    if not isinstance(text, str) or not text:
        return None
    spans = find_amounts(text)
    if spans:
        value = spans[0].value
        return value if isinstance(value, int | float) else None
    folded = fold(text)
    bare = _BARE_NUMBER_RE.fullmatch(folded)
    if bare:
        number = parse_digits(bare["num"])
        return None if number is None else to_number(number)
    words = _BARE_WORDS_RE.fullmatch(folded)
    if words:
        return words_to_number(words["w"])
    return None


def find_distances(text: str) -> list[Span]:
    """Find driven distances ("45 km", "120km", "80 bornes") and return `distance` spans."""
    if not isinstance(text, str) or not text:
        return []
    folded = fold(text)
    if not any(hint in folded for hint in _DISTANCE_HINTS):
        return []
    spans: list[Span] = []
    for m in _DISTANCE_RE.finditer(folded):
        number = parse_digits(m["num"])
        if number is not None:
            spans.append(make_span(text, "distance", m.start(), m.end(), to_number(number)))
    for m in _WORD_DISTANCE_RE.finditer(" " + folded):
        value = words_to_number(m["w"])
        if value is not None:
            start, end = m.start("w") - 1, m.end() - 1
            spans.append(make_span(text, "distance", start, end, to_number(Decimal(value))))
    return _drop_overlaps(spans)
