"""Find the code entities (role, outcome, objection) and map free text to their codes."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import islice

from nlu.normalize.common import (
    Span,
    expand_leading_groups,
    fold,
    literal_first_alternation,
    make_span,
)
from nlu.normalize.dates import date_starts
from nlu.normalize.lexicon import (
    BLOCKER_PATTERNS,
    DRILL_OBJECTION_PATTERNS,
    OBJECTION_PATTERNS,
    OUTCOME_PATTERNS,
    RDV_NOT_OUTCOME_BEFORE,
    RDV_WORD,
    ROLE_PATTERNS,
)

_FLAGS = re.ASCII
_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"

ROLE_CODES = frozenset(ROLE_PATTERNS)
OUTCOME_CODES = frozenset(OUTCOME_PATTERNS)
OBJECTION_CODES = frozenset(OBJECTION_PATTERNS)
CODES_BY_ENTITY: dict[str, frozenset[str]] = {
    "role": ROLE_CODES,
    "outcome": OUTCOME_CODES,
    "objection": OBJECTION_CODES,
}
# Outcomes are what came out of a contact: only reports have them (and unknown intents).
_NO_OUTCOME_INTENTS = frozenset(
    {"plan_activity", "show_agenda", "ask_stats", "start_drill", "start_checklist"}
)
_NO_OBJECTION_INTENTS = frozenset({"show_agenda", "ask_stats", "start_checklist"})
# "rappel"/"relancer"/"on se rappelle" + a date is the follow-up's cue, not an outcome;
# "à rappeler", "il me rappelle", "rappellera" stay outcomes whatever follows.
_RAPPEL_KEPT_RE = re.compile(r"^(?:a\s|me\s|nous\s|.*rappellera)", re.ASCII)
_RAPPEL_KEPT_BEFORE_RE = re.compile(r"(?<![a-z0-9])(?:de|a)\s+$", re.ASCII)
RAPPEL_DATE_REACH = 3  # words between the cue and the date
MAX_CANDIDATES = 400  # a message with more code mentions is noise: later ones are ignored
# Hyphens count as spaces for the code tables ("rendez-vous", "expert-comptable").
_HYPHEN_TO_SPACE = str.maketrans({"-": " ", "_": " "})


def _phrase(pattern: str) -> str:
    """Expand the lexicon's shorthand: a space is 1+ spaces, an apostrophe is optional."""
    # "l' " must not become "'\s*" followed by "\s+": two quantifiers over the same
    # spaces backtrack quadratically on long runs of blanks.
    pattern = pattern.replace("' ", "\x00")
    pattern = pattern.replace(" ", r"\s+").replace("'", r"(?:'\s*|\s*)")
    return pattern.replace("\x00", r"(?:'\s*|\s+)")


def rule_alternatives(patterns: tuple[str, ...] | str) -> list[str]:
    """Expand phrase patterns into regex alternatives that start with a literal character."""
    if isinstance(patterns, str):
        patterns = (patterns,)
    return [alt for p in patterns for alt in expand_leading_groups(_phrase(p))]


@dataclass(frozen=True)
class _Rule:
    """One pattern group: entity, code (None for a blocker), tie-break rank, alternatives."""

    entity: str
    code: str | None
    regex: re.Pattern[str]
    rank: int
    alternatives: tuple[str, ...]
    kind: str = "plain"


def _make_rule(
    entity: str, code: str | None, patterns: tuple[str, ...] | str, rank: int, kind: str = "plain"
) -> _Rule:
    """Compile one pattern group, to be matched where the scan found a word start."""
    alts = rule_alternatives(patterns)
    regex = re.compile(literal_first_alternation(alts) + _E, _FLAGS)
    return _Rule(entity, code, regex, rank, tuple(alts), kind)


def _build_rules() -> tuple[_Rule, ...]:
    """Compile the lexicon tables in a fixed order; blockers rank first on ties."""
    rules: list[_Rule] = []
    for entity, patterns in BLOCKER_PATTERNS.items():
        if patterns:
            rules.append(_make_rule(entity, None, patterns, len(rules)))
    for entity, table in (
        ("outcome", OUTCOME_PATTERNS),
        ("objection", OBJECTION_PATTERNS),
        ("role", ROLE_PATTERNS),
    ):
        for code, patterns in table.items():
            rules.append(_make_rule(entity, code, patterns, len(rules)))
    rules.append(_make_rule("outcome", "rdv", RDV_WORD, len(rules), kind="bare_rdv"))
    for code, patterns in DRILL_OBJECTION_PATTERNS.items():
        rules.append(_make_rule("objection", code, patterns, len(rules), kind="drill"))
    return tuple(rules)


_RULES = _build_rules()


def _two_char_key(alt: str) -> str | None:
    """The alternative's first two characters when both are plain literals, else None."""
    second = alt[1:2]
    if second and (second.isalnum() or second in "'&") and alt[2:3] not in ("?", "*", "+", "{"):
        return alt[:2]
    return None


def _build_dispatch() -> tuple[dict[str, tuple[_Rule, ...]], dict[str, tuple[_Rule, ...]]]:
    """Index the rules by the two characters (or only the first) their alternatives start with."""
    by_two: dict[str, set[int]] = {}
    by_one: dict[str, set[int]] = {}
    for index, rule in enumerate(_RULES):
        for alt in rule.alternatives:
            key = _two_char_key(alt)
            if key is None:
                by_one.setdefault(alt[:1], set()).add(index)
            else:
                by_two.setdefault(key, set()).add(index)
    wildcard = {c: tuple(_RULES[i] for i in sorted(ids)) for c, ids in by_one.items()}
    exact = {
        key: tuple(_RULES[i] for i in sorted(ids | by_one.get(key[0], set())))
        for key, ids in by_two.items()
    }
    return exact, wildcard


_RULES_BY_PREFIX, _RULES_BY_FIRST_CHAR = _build_dispatch()
# One pass over the text finds the word starts where some rule matches (the leading class
# lets the regex engine skip letters fast); each rule then runs only at those positions.
_SCAN_RE = re.compile(
    r"[^a-z0-9](?="
    + literal_first_alternation([a for r in _RULES for a in r.alternatives])
    + _E
    + ")",
    _FLAGS,
)
_RDV_BLOCK_BEFORE_RE = re.compile(rf"{_B}{RDV_NOT_OUTCOME_BEFORE}\s*$", _FLAGS)
_WORD_RE = re.compile(r"[a-z0-9]+", _FLAGS)

# (start, end, entity, code or None for a blocker, rank), offsets into the original text.
_Candidate = tuple[int, int, str, str | None, int]


def _bare_rdv_ok(padded: str, pos: int, intent: str | None) -> bool:
    """Bare "rdv" is an outcome in a report unless it names the visit itself."""
    if _RDV_BLOCK_BEFORE_RE.search(padded, max(0, pos - 20), pos):
        return False
    words_before = sum(1 for _ in islice(_WORD_RE.finditer(padded, 0, pos), 2))
    return intent == "log_call" or words_before >= 2


def _candidates(text: str, intent: str | None, lenient: bool) -> list[_Candidate]:
    """Find every rule match at the word starts of the folded text."""
    padded = " " + fold(text).translate(_HYPHEN_TO_SPACE)
    drill = lenient or intent == "start_drill"
    found: list[_Candidate] = []
    for scan in _SCAN_RE.finditer(padded):
        pos = scan.start() + 1
        if len(found) >= MAX_CANDIDATES:
            break
        prefix = padded[pos : pos + 2]
        rules = _RULES_BY_PREFIX.get(prefix) or _RULES_BY_FIRST_CHAR.get(prefix[:1], ())
        for rule in rules:
            if rule.kind == "drill" and not drill:
                continue
            m = rule.regex.match(padded, pos)
            if m is None or m.end() == pos:
                continue
            if rule.kind == "bare_rdv" and not lenient and not _bare_rdv_ok(padded, pos, intent):
                continue
            found.append((pos - 1, m.end() - 1, rule.entity, rule.code, rule.rank))
    return found


def _select(found: list[_Candidate]) -> list[_Candidate]:
    """Keep the longest non-overlapping candidates, whatever their entity; drop blockers."""
    found.sort(key=lambda c: (-(c[1] - c[0]), c[4], c[0]))
    end = max((c[1] for c in found), default=0)
    occupied = bytearray(end)
    taken: list[_Candidate] = []
    for cand in found:
        start, stop = cand[0], cand[1]
        if any(occupied[start:stop]):
            continue
        occupied[start:stop] = b"\x01" * (stop - start)
        taken.append(cand)
    return sorted((c for c in taken if c[3] is not None), key=lambda c: (c[0], c[1]))


def find_codes(text: str, intent: str | None = None) -> list[Span]:
    """Find role, outcome and objection mentions and return spans valued with their codes."""
    if not isinstance(text, str) or not text:
        return []
    if not isinstance(intent, str):
        intent = None
    spans: list[Span] = []
    dates: list[int] | None = None
    for start, end, entity, code, _ in _select(_candidates(text, intent, lenient=False)):
        if code is None:
            continue
        if entity == "outcome" and intent in _NO_OUTCOME_INTENTS:
            continue
        if entity == "objection" and intent in _NO_OBJECTION_INTENTS:
            continue
        if entity == "outcome" and code == "rappel":
            if dates is None:
                dates = date_starts(text)
            if _is_followup_cue(text, start, end, dates):
                continue
        spans.append(make_span(text, entity, start, end, code))
    return spans


def _is_followup_cue(text: str, start: int, end: int, dates: list[int]) -> bool:
    """Say whether a "rappel" phrase only introduces a date ("rappeler jeudi", "rappel le 20")."""
    if _RAPPEL_KEPT_RE.match(fold(text[start:end])):
        return False
    if _RAPPEL_KEPT_BEFORE_RE.search(fold(text[max(0, start - 6) : start])):
        return False  # "me dit de rappeler dans un mois"
    after = bisect_left(dates, start + 1)
    if after >= len(dates):
        return False
    gap = text[end : max(end, dates[after])]
    return len(_WORD_RE.findall(fold(gap))) <= RAPPEL_DATE_REACH


def _normalize(text: str, entity: str) -> str | None:
    """Map free text to one code of `entity`: the code itself or its longest mention."""
    if not isinstance(text, str) or not text:
        return None
    codes = CODES_BY_ENTITY[entity]
    bare = fold(text).strip(" .,;:!?'\"")
    if bare in codes:
        return bare
    chosen = [c for c in _select(_candidates(text, None, lenient=True)) if c[2] == entity]
    if not chosen:
        return None
    best = max(chosen, key=lambda c: (c[1] - c[0], -c[0]))
    return best[3]


def normalize_role(text: str) -> str | None:
    """Map a function ("resp achats", "la gérante") to a role code, or None."""
    return _normalize(text, "role")


def normalize_outcome(text: str) -> str | None:
    """Map a result phrase ("messagerie", "pas intéressé") to an outcome code, or None."""
    return _normalize(text, "outcome")


def normalize_objection(text: str) -> str | None:
    """Map an objection phrase ("trop cher", "déjà un fournisseur") to a code, or None."""
    return _normalize(text, "objection")
