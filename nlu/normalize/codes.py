"""Find the code entities (role, outcome, objection) and map free text to their codes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.normalize.common import Span, fold, make_span
from nlu.normalize.lexicon import (
    BLOCKER_PATTERNS,
    DRILL_OBJECTION_PATTERNS,
    OBJECTION_PATTERNS,
    OUTCOME_PATTERNS,
    PLAN_IGNORED_OUTCOMES,
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
_CODES_BY_ENTITY: dict[str, frozenset[str]] = {
    "role": ROLE_CODES,
    "outcome": OUTCOME_CODES,
    "objection": OBJECTION_CODES,
}
_AGENDA_INTENTS = frozenset({"plan_activity", "show_agenda"})
_REPORT_INTENTS = frozenset({"log_visit", "log_call"})
# Hyphens count as spaces for the code tables ("rendez-vous", "expert-comptable").
_HYPHEN_TO_SPACE = str.maketrans({"-": " ", "_": " "})


def _phrase(pattern: str) -> str:
    """Expand the lexicon's shorthand: a space is 1+ spaces, an apostrophe is optional."""
    return pattern.replace(" ", r"\s+").replace("'", r"(?:'\s*|\s*)")


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """Compile phrase patterns into one word-bounded alternation, longest first."""
    body = "|".join(_phrase(p) for p in sorted(patterns, key=len, reverse=True))
    return re.compile(rf"{_B}(?:{body}){_E}", _FLAGS)


@dataclass(frozen=True)
class _Rule:
    """One compiled pattern group: entity, code (None for a blocker) and tie-break rank."""

    entity: str
    code: str | None
    regex: re.Pattern[str]
    rank: int


def _build_rules() -> tuple[_Rule, ...]:
    """Compile the lexicon tables in a fixed order; blockers rank first on ties."""
    rules: list[_Rule] = []
    for entity, patterns in BLOCKER_PATTERNS.items():
        if patterns:
            rules.append(_Rule(entity, None, _compile(patterns), len(rules)))
    for entity, table in (
        ("outcome", OUTCOME_PATTERNS),
        ("objection", OBJECTION_PATTERNS),
        ("role", ROLE_PATTERNS),
    ):
        for code, patterns in table.items():
            rules.append(_Rule(entity, code, _compile(patterns), len(rules)))
    return tuple(rules)


_RULES = _build_rules()
_DRILL_RULES = tuple(
    _Rule("objection", code, _compile(patterns), 100 + i)
    for i, (code, patterns) in enumerate(DRILL_OBJECTION_PATTERNS.items())
)
_RDV_RE = re.compile(rf"{_B}(?:{_phrase(RDV_WORD)}){_E}", _FLAGS)
_RDV_BLOCK_BEFORE_RE = re.compile(rf"{_B}{RDV_NOT_OUTCOME_BEFORE}\s*$", _FLAGS)
_WORD_RE = re.compile(r"[a-z0-9]+", _FLAGS)

_Candidate = tuple[int, int, str, str | None, int]


def _rdv_candidates(folded: str, intent: str | None, lenient: bool) -> list[_Candidate]:
    """Bare "rdv" is an outcome in a report unless it names the visit itself."""
    found: list[_Candidate] = []
    for m in _RDV_RE.finditer(folded):
        if not lenient:
            if _RDV_BLOCK_BEFORE_RE.search(folded[max(0, m.start() - 20) : m.start()]):
                continue
            first_words = list(_WORD_RE.finditer(folded, 0, m.start()))
            if intent != "log_call" and len(first_words) < 2:
                continue  # "rdv chez Dupont hier, ..." reports the visit itself
        found.append((m.start(), m.end(), "outcome", "rdv", 50))
    return found


def _candidates(
    folded: str, intent: str | None, entities: frozenset[str], lenient: bool
) -> list[_Candidate]:
    """Run every rule of the wanted entities (and all blockers) over the folded text."""
    found: list[_Candidate] = []
    rules = _RULES + _DRILL_RULES if (intent == "start_drill" or lenient) else _RULES
    for rule in rules:
        if rule.code is not None and rule.entity not in entities:
            continue
        for m in rule.regex.finditer(folded):
            if m.end() > m.start():
                found.append((m.start(), m.end(), rule.entity, rule.code, rule.rank))
    if "outcome" in entities and (lenient or intent not in _AGENDA_INTENTS):
        found.extend(_rdv_candidates(folded, intent, lenient))
    return found


def _select(found: list[_Candidate]) -> list[_Candidate]:
    """Keep the longest non-overlapping candidates, whatever their entity."""
    found.sort(key=lambda c: (-(c[1] - c[0]), c[4], c[0]))
    taken: list[_Candidate] = []
    for cand in found:
        if any(cand[0] < t[1] and t[0] < cand[1] for t in taken):
            continue
        taken.append(cand)
    return sorted((c for c in taken if c[3] is not None), key=lambda c: (c[0], c[1]))


def _fold_codes(text: str) -> str:
    """Fold text for the code tables."""
    return fold(text).translate(_HYPHEN_TO_SPACE)


def find_codes(text: str, intent: str | None = None) -> list[Span]:
    """Find role, outcome and objection mentions and return spans valued with their codes."""
    if not isinstance(text, str) or not text:
        return []
    folded = _fold_codes(text)
    found = _candidates(folded, intent, frozenset(_CODES_BY_ENTITY), lenient=False)
    spans: list[Span] = []
    for start, end, entity, code, _ in _select(found):
        if code is None:
            continue
        if entity == "outcome" and intent in _AGENDA_INTENTS and code in PLAN_IGNORED_OUTCOMES:
            continue
        spans.append(make_span(text, entity, start, end, code))
    return spans


def _normalize(text: str, entity: str) -> str | None:
    """Map free text to one code of `entity`: the code itself or its longest mention."""
    if not isinstance(text, str) or not text:
        return None
    folded = _fold_codes(text)
    codes = _CODES_BY_ENTITY[entity]
    bare = folded.strip(" .,;:!?'\"")
    if bare in codes:
        return bare
    found = _candidates(folded, None, frozenset(_CODES_BY_ENTITY), lenient=True)
    chosen = [c for c in _select(found) if c[2] == entity]
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
