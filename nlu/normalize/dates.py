"""Find French date and time expressions, resolve them against `now`, tell `when` from `followup`."""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from nlu.normalize.common import NUMBER_WORDS_RUN, Span, fold, make_span, words_to_number
from nlu.normalize.lexicon import (
    DAY_TIME_CONNECTORS,
    DEFAULT_PART_TIMES,
    DEFAULT_TIME,
    DURATION_AFTER,
    DURATION_BEFORE,
    FOLLOWUP_CUES,
    FOLLOWUP_NEAR_CUES,
    FOLLOWUP_VERB_CUES,
    FOLLOWUP_WEAK_CUES,
    FUTURE_HINTS,
    LAST_WEEK,
    MONTHS,
    NEXT_WEEK,
    PART_TIMES,
    PARTS_OF_DAY,
    RDV_NOT_OUTCOME_BEFORE,
    RELATIVE_DAYS,
    SPAN_BACKWARD_CUES,
    SPAN_FORWARD_CUES,
    SPAN_NOUNS,
    SPAN_UNITS,
    TIME_DAY_CONNECTORS,
    TIME_RANGE_CONNECTORS,
    WEEKDAY_ABBREVIATIONS,
    WEEKDAY_MODIFIERS,
    WEEKDAYS,
)

Direction = Literal["past", "future"]

FUTURE_INTENTS = frozenset({"plan_activity", "show_agenda", "start_checklist"})
PAST_INTENTS = frozenset({"log_visit", "log_call", "ask_stats"})
REPORT_INTENTS = frozenset({"log_visit", "log_call"})
WHEN_ONLY_INTENTS = frozenset({"show_agenda", "start_checklist", "ask_stats"})
NO_DATE_INTENTS = frozenset({"start_drill"})  # "rappelez-moi dans six mois" is role-play text

MAX_SPAN_DAYS = 1200  # "dans 9999 jours" is noise, not a date
CUE_WINDOW_WORDS = 6
NEAR_WINDOW_WORDS = 2
LOOKBACK_CHARS = 120
MAX_ATOMS = 48  # a message with more date pieces is noise: later ones are ignored
FIRST_ONLY_REACH = 80  # resolve_date stops looking this far past its first date piece
AFTERNOON_HOURS = (1, 6)  # "2h" / "5h30" without "du matin" mean the afternoon

_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"
_FLAGS = re.ASCII


def _alt(words: list[str] | tuple[str, ...] | dict[str, object]) -> str:
    """Join words into a regex alternation, longest first."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


def _groups(prefix: str, patterns: list[str]) -> str:
    """Wrap patterns in numbered named groups: (?P<prefix0>...)|(?P<prefix1>...)."""
    return "|".join(f"(?P<{prefix}{i}>{p})" for i, p in enumerate(patterns))


_WD_FULL = _alt(WEEKDAYS)
_WD_ABBR = _alt(WEEKDAY_ABBREVIATIONS)
_WD_ANY = rf"(?:{_WD_FULL}|{_WD_ABBR})"
_MONTH = _alt(MONTHS)
_DAY = r"(?:1er|premier|[12]\d|3[01]|0?[1-9])"
_WD_PREFIX = rf"(?:(?P<wd>{_WD_ANY})\.?[\s,]+)?"
# What may not follow a bare day number ("le 20"): units, digits, other numbers.
_DAY_GUARD = (
    r"(?!\s*(?:[\d%€$/:]|[.,]\d|h(?![a-z])|h\d|k(?![a-z])|km|kg|eur|euro|balle|borne|mille"
    r"|million|fois|ans?(?![a-z])|mois|jours?(?![a-z])|semaines?|heures?|min(?![a-z])|minutes"
    r"|personnes?|clients?|visites?|appels?|devis|commandes?|pour\s*cent|pct|m2|metres?"
    r"|unites?|pieces?|exemplaires?|salaries|employes|magasins|points?|references?|produits?"
    r"|prospects?|contacts?|sites?|agences?|boites?|palettes?|litres?|tonnes?))"
)

# Every atom pattern below is matched with ``.match(padded, pos)`` at a word start that the
# trigger scan found, so none needs a leading word boundary.
_CAL_MONTH_RE = re.compile(
    rf"{_WD_PREFIX}(?:(?:le|du|au|ce)\s+)?(?P<day>{_DAY})(?:\s*er)?\s*"
    rf"(?P<month>{_MONTH})\.?{_E}(?:\s+(?P<year>(?:19|20)\d\d){_E})?",
    _FLAGS,
)
_CAL_NUM_RE = re.compile(
    rf"{_WD_PREFIX}(?:(?:le|du|au|ce)\s+)?(?<![\d/.,:-])"
    r"(?P<day>[0-3]?\d)(?P<sep>[/.-])(?P<month>[01]?\d)(?:(?P=sep)(?P<year>\d{4}|\d{2}))?"
    r"(?![\d/]|[.,-]\d|[a-z€%])",
    _FLAGS,
)
_CAL_DAY_RE = re.compile(
    rf"(?:(?P<wd>{_WD_ANY})\.?[\s,]+(?:le\s+)?|(?:le|du|au)\s+)(?P<day>{_DAY})(?:er)?{_E}"
    rf"{_DAY_GUARD}",
    _FLAGS,
)
_WEEKDAY_RE = re.compile(
    rf"(?:(?:ce|cet|cette)\s+)?(?P<wd>{_WD_ANY})(?P<dot>\.)?{_E}"
    rf"(?:[\s,]+(?P<mod>{_groups('mod', [p for p, _ in WEEKDAY_MODIFIERS])}){_E})?",
    _FLAGS,
)
_REL_RE = re.compile(f"(?:{_groups('rel', [p for p, _, _ in RELATIVE_DAYS])}){_E}", _FLAGS)
_PART_AFTER_RE = re.compile(
    rf"[\s,-]*(?P<part>{_groups('part', [p for p, _ in PARTS_OF_DAY])}){_E}", _FLAGS
)
_WEEK_RE = re.compile(rf"(?:(?P<next>{NEXT_WEEK})|(?P<last>{LAST_WEEK})){_E}", _FLAGS)
_SPAN_RE = re.compile(
    rf"(?:(?P<fwd>{SPAN_FORWARD_CUES})|(?P<back>{SPAN_BACKWARD_CUES}))\s+"
    rf"(?:(?:(?P<n>\d{{1,4}})|(?P<w>{NUMBER_WORDS_RUN}))\s*)?"
    rf"(?P<unit>{_alt(SPAN_UNITS)}|{_alt(SPAN_NOUNS)}){_E}",
    _FLAGS,
)
_TIME_H_RE = re.compile(
    r"(?<![/:.,])(?P<h>[01]?\d|2[0-3])\s?(?:h|heures?|hrs?)(?:\s?(?P<m>[0-5]\d))?"
    r"(?:\s?(?:min|mn))?(?![a-z0-9])"
    r"(?:\s*(?P<suffix>du\s+mat(?:in)?|du\s+soir|de\s+l'\s*(?:aprem|apres[\s-]*midi|am)"
    r"|de\s+la\s+(?:matinee|soiree)|pm|am)(?![a-z0-9]))?",
    _FLAGS,
)
_TIME_COLON_RE = re.compile(r"(?<![:.,/])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\d:])", _FLAGS)
_MIDI_RE = re.compile(r"(?:a|vers|des|pour)\s+(?P<t>midi|minuit)(?![a-z0-9])", _FLAGS)

# One pass finds the word starts where a date piece may begin, and says which kind. The
# first-character lookahead lets the engine reject most positions at once.
_SCAN_RE = re.compile(
    r"[^a-z0-9](?=[0-9acdehijlmpstvy])(?="
    r"\d{1,2}(?:(?P<numcal>[/.-]\d)|(?P<numh>\s?h)|(?P<numcolon>:\d\d)"
    rf"|(?P<nummonth>\s*(?:er\s*)?(?:{_MONTH}){_E}))"
    rf"|(?P<ordmonth>(?:1er|premier)\s*(?:{_MONTH}){_E})"
    rf"|(?P<wdnum>{_WD_ANY}\.?[\s,]+(?:le\s+)?(?:\d|premier))"
    rf"|(?P<weekday>(?:ce\s+|cet\s+|cette\s+)?{_WD_ANY}{_E})"
    r"|(?P<article>(?:le|du|au|ce)\s+(?:\d|premier))"
    r"|(?P<rel>avant|apr|auj|ajd|ce|tantot|tout|tt|hier|demain)"
    rf"|(?P<week>(?:la\s+|cette\s+)?(?:sem|semaine){_E})"
    rf"|(?P<span>(?:dans|d'ici|sous|en\s+l'|il\s+y|y\s+a|ya){_E})"
    rf"|(?P<midi>(?:a|vers|des|pour)\s+(?:midi|minuit){_E})"
    r")",
    _FLAGS,
)
_DISPATCH: dict[str, tuple[str, ...]] = {
    "numcal": ("cal_num",),
    "numh": ("time_h",),
    "numcolon": ("time_colon",),
    "nummonth": ("cal_month",),
    "ordmonth": ("cal_month",),
    "wdnum": ("cal_month", "cal_num", "cal_day", "weekday"),
    "weekday": ("weekday",),
    "article": ("cal_month", "cal_num", "cal_day"),
    "rel": ("rel",),
    "week": ("week",),
    "span": ("span",),
    "midi": ("midi",),
}

_DURATION_BEFORE_RE = re.compile(rf"{_B}{DURATION_BEFORE}\s*$", _FLAGS)
_DURATION_AFTER_RE = re.compile(rf"\s*(?:{DURATION_AFTER})", _FLAGS)
_DE_BEFORE_RE = re.compile(rf"{_B}de\s*$", _FLAGS)
_RANGE_AFTER_RE = re.compile(r"\s*(?:a|-|jusqu'\s*a|au)\s*\d", _FLAGS)
_ABBR_PEEK_RE = re.compile(
    r"\.?\s*,?\s*(?:a\s+|vers\s+|le\s+)?(?:\d{1,2}\s?h|\d{1,2}:\d{2}|\d{1,2}(?!\d)|1er)", _FLAGS
)
_GAP_DAY_TIME_RE = re.compile(rf"[\s,-]*(?:(?:{DAY_TIME_CONNECTORS}){_E}[\s,]*)?", _FLAGS)
_GAP_TIME_DAY_RE = re.compile(rf"[\s,]*(?:(?:{TIME_DAY_CONNECTORS}){_E}\s*)?", _FLAGS)
_GAP_RANGE_RE = re.compile(rf"\s*(?:{TIME_RANGE_CONNECTORS})\s*|\s*(?:et|a)\s+", _FLAGS)
_GAP_SPACE_RE = re.compile(r"[\s,]*", _FLAGS)

_CUE_RE = re.compile(rf"{_B}(?:{FOLLOWUP_CUES}){_E}", _FLAGS)
_VERB_CUE_RE = re.compile(rf"{_B}(?:{FOLLOWUP_VERB_CUES}){_E}", _FLAGS)
_NEAR_CUE_RE = re.compile(rf"{_B}(?:{FOLLOWUP_NEAR_CUES}){_E}", _FLAGS)
_WEAK_CUE_RE = re.compile(rf"{_B}(?:{FOLLOWUP_WEAK_CUES}){_E}", _FLAGS)
_ANY_CUE_BEFORE_RE = re.compile(
    rf"{_B}(?:{FOLLOWUP_CUES}|{FOLLOWUP_VERB_CUES}|{FOLLOWUP_NEAR_CUES}|{FOLLOWUP_WEAK_CUES})"
    r"\s*$",
    _FLAGS,
)
_RDV_BLOCK_BEFORE_RE = re.compile(rf"{_B}{RDV_NOT_OUTCOME_BEFORE}\s*$", _FLAGS)
_FUTURE_HINT_RE = re.compile(rf"{_B}(?:{FUTURE_HINTS}){_E}", _FLAGS)
_WORD_RE = re.compile(r"[a-z0-9]+", _FLAGS)
_CLAUSE_END_RE = re.compile(r"[;!?\n]|(?<=[a-z0-9]{4})\.(?=\s|$)|(?<=\d)\.(?=\s|$)", _FLAGS)

_DAY_KINDS = frozenset({"rel", "weekday", "cal", "span", "week"})


@dataclass
class _Atom:
    """One piece of a date expression found by a single pattern (offsets in padded text)."""

    kind: str
    start: int
    end: int
    offset: int = 0
    weekday: int = 0
    modifier: str | None = None
    day: int = 0
    month: int | None = None
    year: int | None = None
    amount: int = 0
    unit: str = "day"
    hour: int = 0
    minute: int = 0
    part: str | None = None


@dataclass
class _Expr:
    """A date expression: at most one day atom, one time, one part of the day."""

    start: int
    end: int
    day: _Atom | None = None
    time: tuple[int, int] | None = None
    part: str | None = None
    atoms: list[_Atom] = field(default_factory=list)


def _today(now: datetime | date) -> date:
    """Return the calendar day of `now` in its own timezone."""
    if isinstance(now, datetime):
        return now.date()
    return now


def _add_months(day: date, months: int) -> date:
    """Add months, clamping to the end of the target month."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def _day_number(raw: str) -> int:
    """Read "1er", "premier" or digits as a day of the month."""
    if raw.startswith(("1er", "premier")):
        return 1
    return int(raw)


def _cal_month_atom(padded: str, pos: int) -> _Atom | None:
    """Match "le 12 mars", "1er avril 2026", "jeudi 12 mars" at pos."""
    m = _CAL_MONTH_RE.match(padded, pos)
    if m is None:
        return None
    year = int(m["year"]) if m["year"] else None
    day = _day_number(m["day"])
    return _Atom("cal", pos, m.end(), day=day, month=MONTHS[m["month"]], year=year)


def _cal_num_atom(padded: str, pos: int) -> _Atom | None:
    """Match "12/03", "12/03/2026", "12/3/26", "12-03" at pos."""
    m = _CAL_NUM_RE.match(padded, pos)
    if m is None:
        return None
    day, month = int(m["day"]), int(m["month"])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    if m["sep"] == "." and not m["year"]:
        return None  # "12.50" is a price, "12.03" too ambiguous without a year
    year = None
    if m["year"]:
        year = int(m["year"])
        if year < 100:
            year += 2000
    return _Atom("cal", pos, m.end(), day=day, month=month, year=year)


def _cal_day_atom(padded: str, pos: int) -> _Atom | None:
    """Match a day of the month alone: "le 20", "jeudi 12"."""
    m = _CAL_DAY_RE.match(padded, pos)
    if m is None:
        return None
    return _Atom("cal", pos, m.end(), day=_day_number(m["day"]))


def _abbreviation_ok(padded: str, m: re.Match[str]) -> bool:
    """Accept "jeu"/"ven"/"mar" only where they clearly name a day."""
    if m["dot"] or m["mod"]:
        return True
    if _ABBR_PEEK_RE.match(padded, m.end("wd")):
        return True
    return bool(_ANY_CUE_BEFORE_RE.search(padded, max(0, m.start() - 40), m.start()))


def _weekday_atom(padded: str, pos: int) -> _Atom | None:
    """Match "jeudi", "ce jeudi", "jeudi prochain", "jeu." at pos."""
    m = _WEEKDAY_RE.match(padded, pos)
    if m is None:
        return None
    name = m["wd"]
    if name in WEEKDAY_ABBREVIATIONS and not _abbreviation_ok(padded, m):
        return None
    modifier = None
    if m["mod"]:
        modifier = next(rule for i, (_, rule) in enumerate(WEEKDAY_MODIFIERS) if m[f"mod{i}"])
    weekday = WEEKDAYS.get(name, WEEKDAY_ABBREVIATIONS.get(name, 0))
    return _Atom("weekday", pos, m.end(), weekday=weekday, modifier=modifier)


def _rel_atom(padded: str, pos: int) -> _Atom | None:
    """Match "hier", "demain", "ce matin", "avant-hier" at pos."""
    m = _REL_RE.match(padded, pos)
    if m is None:
        return None
    i = next(i for i in range(len(RELATIVE_DAYS)) if m[f"rel{i}"])
    _, offset, part = RELATIVE_DAYS[i]
    return _Atom("rel", pos, m.end(), offset=offset, part=part)


def _week_atom(padded: str, pos: int) -> _Atom | None:
    """Match "la semaine prochaine" / "la semaine derniere" at pos."""
    m = _WEEK_RE.match(padded, pos)
    if m is None:
        return None
    return _Atom("week", pos, m.end(), offset=1 if m["next"] else -1)


def _span_atom(padded: str, pos: int) -> _Atom | None:
    """Match "dans 15 jours", "d'ici une semaine", "sous huitaine", "il y a 3 jours"."""
    m = _SPAN_RE.match(padded, pos)
    if m is None:
        return None
    unit_word = m["unit"]
    if unit_word in SPAN_NOUNS:
        per, unit = SPAN_NOUNS[unit_word]
    else:
        per, unit = 1, SPAN_UNITS[unit_word]
    if m["n"]:
        count: int | None = int(m["n"])
    elif m["w"]:
        count = words_to_number(m["w"])
    else:
        count = 1 if unit_word in SPAN_NOUNS else None
    days = {"day": 1, "week": 7, "month": 31, "year": 366}[unit]
    if count is None or count * per * days > MAX_SPAN_DAYS:
        return None
    sign = 1 if m["fwd"] else -1
    return _Atom("span", pos, m.end(), amount=sign * count * per, unit=unit)


def _is_duration(padded: str, start: int, end: int, hour: int, has_minutes: bool) -> bool:
    """Say whether "2h" is a duration ("2h de route", "pendant 2h") rather than a time."""
    before = padded[max(0, start - 25) : start]
    if _DURATION_BEFORE_RE.search(before):
        return True
    if _DURATION_AFTER_RE.match(padded, end):
        return True
    if _DE_BEFORE_RE.search(before) and not has_minutes and hour <= AFTERNOON_HOURS[1]:
        return not _RANGE_AFTER_RE.match(padded, end)
    return False


def _time_h_atom(padded: str, pos: int) -> _Atom | None:
    """Match "14h", "9h15", "14 heures 30", "8h du mat" at pos."""
    m = _TIME_H_RE.match(padded, pos)
    if m is None:
        return None
    hour = int(m["h"])
    minute = int(m["m"]) if m["m"] else 0
    if _is_duration(padded, pos, m.end(), hour, bool(m["m"])):
        return None
    suffix = m["suffix"] or ""
    if hour < 12 and suffix.startswith(("du soir", "de l", "pm", "de la soiree")):
        hour += 12
    elif not suffix and AFTERNOON_HOURS[0] <= hour <= AFTERNOON_HOURS[1]:
        hour += 12  # "rdv jeudi 2h" is 14:00 in a sales rep's diary
    return _Atom("time", pos, m.end(), hour=hour, minute=minute)


def _time_colon_atom(padded: str, pos: int) -> _Atom | None:
    """Match "14:30" at pos."""
    m = _TIME_COLON_RE.match(padded, pos)
    if m is None:
        return None
    hour = int(m["h"])
    if _is_duration(padded, pos, m.end(), hour, True):
        return None
    if AFTERNOON_HOURS[0] <= hour <= AFTERNOON_HOURS[1]:
        hour += 12
    return _Atom("time", pos, m.end(), hour=hour, minute=int(m["m"]))


def _midi_atom(padded: str, pos: int) -> _Atom | None:
    """Match "a midi" / "vers minuit": a clock time; the span starts at the noun."""
    m = _MIDI_RE.match(padded, pos)
    if m is None:
        return None
    hour, minute = (int(x) for x in PART_TIMES[m["t"]].split(":"))
    return _Atom("time", m.start("t"), m.end(), hour=hour, minute=minute)


_MATCHERS = {
    "cal_month": _cal_month_atom,
    "cal_num": _cal_num_atom,
    "cal_day": _cal_day_atom,
    "weekday": _weekday_atom,
    "rel": _rel_atom,
    "week": _week_atom,
    "span": _span_atom,
    "time_h": _time_h_atom,
    "time_colon": _time_colon_atom,
    "midi": _midi_atom,
}


def _part_after(padded: str, end: int) -> _Atom | None:
    """Match a part of the day right after a date: "demain matin", "jeudi en fin de journee"."""
    m = _PART_AFTER_RE.match(padded, end)
    if m is None:
        return None
    i = next(i for i in range(len(PARTS_OF_DAY)) if m[f"part{i}"])
    return _Atom("part", m.start("part"), m.end(), part=PARTS_OF_DAY[i][1])


def _collect_atoms(padded: str, first_only: bool = False) -> list[_Atom]:
    """Find every date/time piece, dropping pieces that overlap a longer earlier one."""
    found: list[_Atom] = []
    for scan in _SCAN_RE.finditer(padded):
        pos = scan.start() + 1
        if len(found) >= MAX_ATOMS or (
            first_only and found and pos > found[0].end + FIRST_ONLY_REACH
        ):
            break
        best: _Atom | None = None
        for name in _DISPATCH[scan.lastgroup or ""]:
            atom = _MATCHERS[name](padded, pos)
            if atom is not None and (best is None or atom.end > best.end):
                best = atom
        if best is None:
            continue
        found.append(best)
        if best.kind in _DAY_KINDS:
            part = _part_after(padded, best.end)
            if part is not None:
                found.append(part)
    found.sort(key=lambda a: (a.start, -(a.end - a.start)))
    kept: list[_Atom] = []
    for atom in found:
        if kept and atom.start < kept[-1].end:
            continue
        kept.append(atom)
    return kept


def _gap_ok(regex: re.Pattern[str], padded: str, start: int, end: int) -> bool:
    """Say whether the text between two atoms is only an allowed connector."""
    if end - start > 40:
        return False
    return regex.fullmatch(padded, start, end) is not None


def _build_exprs(padded: str, atoms: list[_Atom]) -> list[_Expr]:
    """Group adjacent atoms into expressions ("demain matin a 10h", "jeudi 12 mars 14h")."""
    exprs: list[_Expr] = []
    current: _Expr | None = None
    for atom in atoms:
        if current is not None and _merge(padded, current, atom):
            continue
        if current is not None:
            exprs.append(current)
        current = _start_expr(atom)
    if current is not None:
        exprs.append(current)
    return [e for e in exprs if e.day is not None or e.time is not None]


def _start_expr(atom: _Atom) -> _Expr:
    """Open an expression with its first atom."""
    expr = _Expr(start=atom.start, end=atom.end, atoms=[atom])
    if atom.kind in _DAY_KINDS:
        expr.day = atom
        expr.part = atom.part
    elif atom.kind == "time":
        expr.time = (atom.hour, atom.minute)
    return expr


def _merge(padded: str, expr: _Expr, atom: _Atom) -> bool:
    """Try to add an atom to the open expression; say whether it was absorbed."""
    last = expr.atoms[-1]
    if atom.kind in _DAY_KINDS:
        time_then_day = expr.day is None and _gap_ok(
            _GAP_TIME_DAY_RE, padded, last.end, atom.start
        )
        weekday_then_date = (
            expr.day is not None
            and expr.day.kind == "weekday"
            and atom.kind == "cal"
            and expr.time is None
            and _gap_ok(_GAP_SPACE_RE, padded, last.end, atom.start)
        )
        if not (time_then_day or weekday_then_date):
            return False
        expr.day = atom
    elif atom.kind == "time":
        if expr.time is None and expr.day is not None:
            if not _gap_ok(_GAP_DAY_TIME_RE, padded, last.end, atom.start):
                return False
            expr.time = (atom.hour, atom.minute)
        elif last.kind == "time" and _gap_ok(_GAP_RANGE_RE, padded, last.end, atom.start):
            pass  # "14h-16h": keep the start of the range
        else:
            return False
    elif atom.kind == "part":
        if expr.part is not None or expr.day is None:
            return False
        if not _gap_ok(_GAP_DAY_TIME_RE, padded, last.end, atom.start):
            return False
        expr.part = atom.part  # "hier midi", "jeudi soir": no clock time
    else:
        return False
    expr.atoms.append(atom)
    expr.end = atom.end
    return True


def _nearest_calendar(
    today: date, day: int, month: int | None, direction: Direction
) -> date | None:
    """Find the nearest valid date with that day (and month) on or after/before today."""
    step = 1 if direction == "future" else -1
    if month is not None:
        for years in range(0, 9):
            year = today.year + step * years
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if (step == 1 and candidate >= today) or (step == -1 and candidate <= today):
                return candidate
        return None
    first = today.replace(day=1)
    for months in range(0, 13):
        base = _add_months(first, step * months)
        try:
            candidate = base.replace(day=day)
        except ValueError:
            continue
        if (step == 1 and candidate >= today) or (step == -1 and candidate <= today):
            return candidate
    return None


def _resolve_day(atom: _Atom, today: date, direction: Direction) -> date | None:
    """Turn a day atom into a calendar date."""
    if atom.kind == "rel":
        return today + timedelta(days=atom.offset)
    if atom.kind == "weekday":
        ahead = (atom.weekday - today.weekday()) % 7 or 7
        behind = (today.weekday() - atom.weekday) % 7 or 7
        monday = today - timedelta(days=today.weekday())
        if atom.modifier == "next_week":
            return monday + timedelta(days=7 + atom.weekday)
        if atom.modifier == "last_week":
            return monday + timedelta(days=atom.weekday - 7)
        if atom.modifier == "in_eight":
            return today + timedelta(days=ahead + 7)
        if atom.modifier == "next" or (atom.modifier is None and direction == "future"):
            return today + timedelta(days=ahead)
        return today - timedelta(days=behind)
    if atom.kind == "cal":
        if atom.year is not None and atom.month is not None:
            try:
                return date(atom.year, atom.month, atom.day)
            except ValueError:
                return None
        return _nearest_calendar(today, atom.day, atom.month, direction)
    if atom.kind == "span":
        if atom.unit == "day":
            return today + timedelta(days=atom.amount)
        if atom.unit == "week":
            return today + timedelta(weeks=atom.amount)
        if atom.unit == "month":
            return _add_months(today, atom.amount)
        return _add_months(today, 12 * atom.amount)
    if atom.kind == "week":
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(weeks=atom.offset)
    return None


def _inherent_direction(expr: _Expr) -> int:
    """Return +1/-1 when the words themselves point to the future/past, else 0."""
    atom = expr.day
    if atom is None:
        return 0
    if atom.kind in ("rel", "week"):
        return (atom.offset > 0) - (atom.offset < 0)
    if atom.kind == "span":
        return (atom.amount > 0) - (atom.amount < 0)
    if atom.kind == "weekday":
        if atom.modifier in ("next", "next_week", "in_eight"):
            return 1
        if atom.modifier in ("last", "last_week"):
            return -1
    return 0


def _format(expr: _Expr, today: date, direction: Direction, default_time: bool) -> str | None:
    """Resolve an expression into "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM"."""
    try:
        day = today if expr.day is None else _resolve_day(expr.day, today, direction)
    except (ValueError, OverflowError):
        return None
    if day is None:
        return None
    if expr.time is not None:
        return f"{day.isoformat()}T{expr.time[0]:02d}:{expr.time[1]:02d}"
    if default_time:
        return f"{day.isoformat()}T{DEFAULT_PART_TIMES.get(expr.part or '', DEFAULT_TIME)}"
    return day.isoformat()


class _Context:
    """Word and clause positions of a message, computed once for the cue look-ups."""

    def __init__(self, text: str, padded: str) -> None:
        """Index the word starts and clause ends of the padded text."""
        self.text = text
        self.padded = padded
        self.word_starts = [m.start() for m in _WORD_RE.finditer(padded)]
        self.clause_ends = [m.end() for m in _CLAUSE_END_RE.finditer(padded)]

    def window_start(self, pos: int, words: int) -> int:
        """Return where the `words` words before `pos` start, not crossing a clause end."""
        i = bisect_right(self.clause_ends, pos) - 1
        lo = max(pos - LOOKBACK_CHARS, self.clause_ends[i] if i >= 0 else 0)
        first = bisect_left(self.word_starts, lo)
        last = bisect_left(self.word_starts, pos)
        if first >= last:
            return pos
        return self.word_starts[max(first, last - words)]

    def has_cue(self, pos: int) -> tuple[bool, bool]:
        """Say whether a next-step cue (strong, weak) stands in the words before `pos`."""
        padded = self.padded
        wide = self.window_start(pos, CUE_WINDOW_WORDS)
        strong = _CUE_RE.search(padded, wide, pos) is not None
        if not strong:
            for m in _VERB_CUE_RE.finditer(padded, wide, pos):
                if self.text[m.end() - 1] not in "éÉ":  # "relancé" reports, "relance" plans
                    strong = True
                    break
        near = self.window_start(pos, NEAR_WINDOW_WORDS + 1)
        if not strong and _NEAR_CUE_RE.search(padded, near, pos):
            strong = True
        weak = False
        for m in _WEAK_CUE_RE.finditer(padded, near, pos):
            words_before = bisect_left(self.word_starts, m.start())
            blocked = _RDV_BLOCK_BEFORE_RE.search(padded, max(0, m.start() - 20), m.start())
            if words_before >= 2 and not blocked:
                weak = True
        return strong, weak


def _classify(
    text: str, padded: str, exprs: list[_Expr], intent: str | None
) -> list[tuple[str, Direction]]:
    """Decide `when` or `followup` and the direction for each expression."""
    results: list[tuple[str, Direction]] = []
    seen_when = False
    context: _Context | None = None
    future_hint: bool | None = None
    for index, expr in enumerate(exprs):
        inherent = _inherent_direction(expr)
        entity = "when"
        if intent not in WHEN_ONLY_INTENTS and inherent >= 0:
            if context is None:
                context = _Context(text, padded)
            strong, weak = context.has_cue(expr.start)
            if intent == "plan_activity":
                followup = strong and index > 0
            else:
                followup = (
                    strong
                    or (weak and (intent is not None or seen_when))
                    or (intent in REPORT_INTENTS and inherent > 0)
                )
            entity = "followup" if followup else "when"
        direction: Direction
        if entity == "followup" or intent in FUTURE_INTENTS:
            direction = "future"
        elif intent in PAST_INTENTS:
            direction = "past"
        else:
            if future_hint is None:
                future_hint = _FUTURE_HINT_RE.search(padded) is not None
            direction = "future" if (future_hint or inherent > 0) else "past"
        if entity == "when":
            seen_when = True
        results.append((entity, direction))
    return results


def _exprs_of(text: str, first_only: bool = False) -> tuple[str, list[_Expr]]:
    """Fold and pad the text (offsets +1) and return its date expressions."""
    padded = " " + fold(text)
    return padded, _build_exprs(padded, _collect_atoms(padded, first_only))


def date_starts(text: str) -> list[int]:
    """Return where each date expression of `text` starts (for the code layer's cue check)."""
    if not isinstance(text, str) or not text:
        return []
    _, exprs = _exprs_of(text)
    return [expr.start - 1 for expr in exprs]


def find_dates(text: str, now: datetime, intent: str | None = None) -> list[Span]:
    """Find date/time expressions and return `when`/`followup` spans with ISO values."""
    if not isinstance(intent, str):
        intent = None
    if (
        not isinstance(text, str)
        or not text
        or not isinstance(now, date)
        or intent in NO_DATE_INTENTS
    ):
        return []
    padded, exprs = _exprs_of(text)
    if not exprs:
        return []
    today = _today(now)
    spans: list[Span] = []
    classes = _classify(" " + text, padded, exprs, intent)
    for expr, (entity, direction) in zip(exprs, classes, strict=True):
        value = _format(expr, today, direction, default_time=False)
        if value is not None:
            spans.append(make_span(text, entity, expr.start - 1, expr.end - 1, value))
    return spans


def resolve_date(
    text: str, now: datetime, direction: Direction, *, default_time: bool = False
) -> str | None:
    """Resolve the first date expression of `text`; None when there is none.

    With ``default_time`` a value without a written time gets one: 09:00, or the part of the
    day's usual hour ("ce soir" 18:00, "demain aprem" 14:00, "midi" 12:00).
    """
    if not isinstance(text, str) or not text or not isinstance(now, date):
        return None
    _, exprs = _exprs_of(text, first_only=True)
    for expr in exprs:
        value = _format(expr, _today(now), direction, default_time)
        if value is not None:
            return value
    return None
