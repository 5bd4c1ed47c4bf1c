"""Score a trainee's answer to a buyer objection with an explicit, explainable rubric."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from coaching import texts
from coaching.analysis import analyse, analyse_cached
from coaching.bank import BankMatch, load_bank
from coaching.constants import CATEGORIES, MOTIVES, STRONG_ANSWER
from coaching.detect import Detection, detect, infer_category, infer_motives
from coaching.lexicon import load_lexicon
from coaching.textnorm import has_letters, normalise

MAX_OBJECTION_CHARS = 1000
"""Longer objection texts are cut: only their start describes the objection."""

MAX_ANSWER_CHARS = 1500
"""Only the start of a longer answer is analysed (a Telegram message holds up to 4,096)."""

TECHNIQUE_POINTS: dict[str, float] = {
    "ecoute": 1.5,
    "reformulation": 2.0,
    "question": 3.0,
    "boomerang": 3.0,
    "compensation": 3.0,
    "contrepartie": 3.0,
    "fractionnement": 2.5,
    "report": 2.0,
    "preuve": 3.0,
    "conclusion": 2.5,
}
CRITERIA: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("ecouter", ("ecoute", "reformulation"), 2.5),
    ("explorer", ("question",), 3.0),
    ("traiter", ("boomerang", "compensation", "contrepartie", "fractionnement", "report"), 3.5),
    ("prouver", ("preuve",), 3.0),
    ("avancer", ("conclusion",), 2.5),
)
MOTIVE_POINTS = 1.0
QUOTE_CHARS = 90
RELEVANCE_POINTS = 1.0
FAULT_PENALTIES: dict[str, float] = {
    "denigrement": 4.0,
    "contradiction": 3.0,
    "concession_gratuite": 3.0,
}
FAULT_CAPS: dict[str, float] = {"hors_sujet": 1.0, "trop_court": 1.5}
TIP_PRIORITY: tuple[str, ...] = ("traiter", "explorer", "prouver", "avancer", "ecouter")
POLISH_ORDER: tuple[str, ...] = ("reformulation", "question", "preuve", "conclusion", "ecoute")
RESULT_KEYS: tuple[str, ...] = (
    "score",
    "techniques",
    "motives",
    "faults",
    "feedback",
    "model_answer",
)

_COMMAND = re.compile(r"^\s*/[a-zA-Z_]")
_WORDS = re.compile(r"[a-z]+(?:'[a-z]+)?|[a-z]+'")


@dataclass(frozen=True, slots=True)
class Scorability:
    """Whether an answer can be scored at all, and why not (French reason)."""

    ok: bool
    code: str
    reason: str = ""

    def __bool__(self) -> bool:
        """Return True when the answer can be scored."""
        return self.ok


@dataclass(slots=True)
class Assessment:
    """The full assessment of an answer: detection, points per criterion and texts."""

    score: float
    detection: Detection
    points: dict[str, float]
    category: str | None
    objection_motive: str | None
    match: BankMatch | None
    feedback: str
    model_answer: str
    scorability: Scorability
    details: list[str] = field(default_factory=list)

    def as_result(self) -> dict[str, Any]:
        """Return the contract's result dict."""
        return {
            "score": self.score,
            "techniques": list(self.detection.techniques),
            "motives": list(self.detection.motives),
            "faults": list(self.detection.faults),
            "feedback": self.feedback,
            "model_answer": self.model_answer,
        }


def is_scorable(answer: Any) -> Scorability:
    """Tell whether an answer is worth scoring (not empty, emoji-only, English or a command)."""
    text = answer if isinstance(answer, str) else ("" if answer is None else str(answer))
    if not text.strip():
        return Scorability(False, "empty", texts.INPUT_FEEDBACK["empty"])
    if _COMMAND.match(text):
        return Scorability(False, "command", texts.INPUT_FEEDBACK["command"])
    if not has_letters(text):
        return Scorability(False, "no_text", texts.INPUT_FEEDBACK["no_text"])
    lexicon = load_lexicon()
    words = _WORDS.findall(normalise(text))
    english = sum(1 for word in words if word in lexicon.english_words)
    french = sum(1 for word in words if word in lexicon.french_words)
    if english >= 2 and english > french:
        return Scorability(False, "english", texts.INPUT_FEEDBACK["english"])
    if len(words) >= 4 and french == 0 and english == 0 and not _looks_french(words):
        return Scorability(False, "language", texts.INPUT_FEEDBACK["language"])
    return Scorability(True, "ok")


@lru_cache(maxsize=1)
def _french_vocabulary() -> frozenset[str]:
    """Return the French content words of the lexicons."""
    lexicon = load_lexicon()
    return frozenset().union(*lexicon.categories.values(), *lexicon.motives.values())


def _looks_french(words: list[str]) -> bool:
    """Tell whether words without French function words still look French (lexicon hits)."""
    vocabulary = _french_vocabulary()
    return any(word in vocabulary for word in words)


def _as_text(value: Any) -> str:
    """Coerce any input to a string."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _fmt(value: float) -> str:
    """Format points the French way (7,5 ; 10)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _capitalise(text: str) -> str:
    """Upper-case the first letter only."""
    return text[:1].upper() + text[1:]


def _enumerate(items: list[str]) -> str:
    """Join items the French way: 'a, b et c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def _round_half(value: float) -> float:
    """Round to the nearest half point."""
    return float(int(value * 2 + 0.5)) / 2


def _resolve(
    objection: str, category: str | None
) -> tuple[BankMatch | None, str | None, str | None]:
    """Find the bank entry, the category and the SONCAS motive of an objection."""
    match = load_bank().match(objection)
    if category not in CATEGORIES:
        category = None
    if category is None and match is not None:
        category = match.objection.category
    motive = match.objection.motive if match is not None else None
    if (category is None or motive is None) and objection.strip():
        analysis = analyse_cached(objection[:MAX_OBJECTION_CHARS])
        lexicon = load_lexicon()
        category = category or infer_category(analysis, lexicon)
        if motive is None:
            motives = infer_motives(analysis, lexicon, limit=1)
            motive = motives[0] if motives else None
    return match, category, motive


@lru_cache(maxsize=256)
def _scene_keys(objection_id: str) -> frozenset[str]:
    """Return the content words of a bank objection's scene (the offer and the buyer)."""
    entry = load_bank().get(objection_id)
    if entry is None:
        return frozenset()
    scene = analyse_cached(f"{entry.buyer} {entry.offer}")
    return scene.content_keys(load_lexicon().generic_lemmas)


def model_answer_for(match: BankMatch | None, category: str | None) -> str:
    """Return the bank's model answer, or a generic one for the category."""
    if match is not None and match.kind in {"objection", "insist"}:
        return match.objection.model_answer
    return texts.GENERIC_MODEL_ANSWERS.get(category or "", texts.GENERIC_MODEL_ANSWERS[""])


def _points(detection: Detection) -> tuple[dict[str, float], list[str]]:
    """Compute the points of each criterion and the French detail of each."""
    found = set(detection.techniques)
    points: dict[str, float] = {}
    details: list[str] = []
    for criterion, codes, cap in CRITERIA:
        used = [code for code in codes if code in found]
        points[criterion] = min(cap, sum(TECHNIQUE_POINTS[code] for code in used))
        reasons = [texts.TECHNIQUE_LABELS[code] for code in used]
        blocked = {"trop_court", "hors_sujet"} & set(detection.faults)
        if criterion == "traiter" and not used and detection.motive_match and not blocked:
            points[criterion] = MOTIVE_POINTS
            reasons = [texts.DETAIL_MOTIVE]
        if points[criterion]:
            label = texts.CRITERION_LABELS[criterion]
            details.append(f"{label} {_fmt(points[criterion])} ({', '.join(reasons)})")
    blocking = {"trop_court", "hors_sujet"} & set(detection.faults)
    points["pertinence"] = RELEVANCE_POINTS if detection.relevance > 0 and not blocking else 0.0
    if points["pertinence"]:
        details.append(f"{texts.CRITERION_LABELS['pertinence']} {_fmt(RELEVANCE_POINTS)}")
    return points, details


def _score(points: dict[str, float], faults: list[str]) -> float:
    """Apply fault penalties and caps to the points, on a 0-10 scale."""
    total = min(10.0, sum(points.values()))
    total -= sum(FAULT_PENALTIES.get(fault, 0.0) for fault in faults)
    for fault in faults:
        if fault in FAULT_CAPS:
            total = min(total, FAULT_CAPS[fault])
    return _round_half(max(0.0, min(10.0, total)))


def _missing(points: dict[str, float]) -> list[str]:
    """Return the rubric criteria that earned nothing, most important first."""
    return [criterion for criterion in TIP_PRIORITY if points.get(criterion, 0.0) == 0.0]


def _tip(
    detection: Detection, missing: list[str], category: str | None, motive: str | None
) -> str:
    """Choose the single most useful tip."""
    for fault in (
        "denigrement",
        "contradiction",
        "concession_gratuite",
        "hors_sujet",
        "trop_court",
    ):
        if fault in detection.faults:
            return texts.FAULT_TIPS[fault]
    for criterion in missing:
        if criterion == "traiter":
            return texts.TREAT_TIPS.get(category or "", texts.TREAT_TIPS[""])
        return texts.MISSING_TIPS[criterion]
    if motive in MOTIVES and not detection.motive_match:
        return texts.MOTIVE_TIPS[motive]
    for code in POLISH_ORDER:
        if code not in detection.techniques:
            return texts.TECHNIQUE_TIPS[code]
    return texts.FEEDBACK_PERFECT_TIP


def _fault_problem(detection: Detection, fault: str) -> str:
    """Explain a fault, quoting the sentence that caused it when there is one."""
    problem = texts.FAULT_FEEDBACK[fault]
    quote = detection.evidence.get(fault)
    if not quote:
        return problem
    if len(quote) > QUOTE_CHARS:
        quote = quote[: QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return texts.FEEDBACK_QUOTE.format(problem=problem.rstrip("."), quote=quote) + "."


def _fault_detail(fault: str) -> str:
    """Describe what a fault cost, for the detail line."""
    label = texts.FAULT_LABELS[fault]
    if fault in FAULT_PENALTIES:
        return texts.DETAIL_PENALTY.format(fault=label, points=_fmt(FAULT_PENALTIES[fault]))
    return texts.DETAIL_CAP.format(fault=label, cap=_fmt(FAULT_CAPS[fault]))


def _feedback(
    detection: Detection,
    points: dict[str, float],
    details: list[str],
    score: float,
    category: str | None,
    motive: str | None,
) -> str:
    """Write the French feedback: what was good, what was missing, one tip, the detail."""
    praise = [texts.TECHNIQUE_PRAISE[code] for code in detection.techniques]
    good = " ; ".join(praise) + "." if praise else texts.FEEDBACK_NOTHING_GOOD
    missing = _missing(points)
    problems = [_fault_problem(detection, fault) for fault in detection.faults]
    if "trop_court" in detection.faults or "hors_sujet" in detection.faults:
        gaps: list[str] = []
    else:
        gaps = [texts.MISSING_ELEMENTS[criterion] for criterion in missing[:3]]
    if gaps:
        problems.append(texts.FEEDBACK_MISSING.format(items=_enumerate(gaps)))
    todo = " ".join(_capitalise(item) for item in problems) or texts.FEEDBACK_NOTHING_MISSING
    detail_items = details + [_fault_detail(fault) for fault in detection.faults]
    detail = " · ".join([*detail_items, texts.FEEDBACK_TOTAL.format(score=_fmt(score))])
    lines = [
        texts.FEEDBACK_GOOD_PREFIX + _capitalise(good),
        texts.FEEDBACK_MISSING_PREFIX + _capitalise(todo),
        texts.FEEDBACK_TIP_PREFIX + _tip(detection, missing, category, motive),
        texts.FEEDBACK_DETAIL_PREFIX + detail,
    ]
    return "\n".join(lines)


def _unscorable(
    scorability: Scorability, match: BankMatch | None, category: str | None, motive: str | None
) -> Assessment:
    """Build the zero-score assessment of an answer that cannot be analysed."""
    fault = "hors_sujet" if scorability.code in {"english", "language"} else "trop_court"
    detection = Detection(faults=[fault])
    feedback = "\n".join(
        [
            texts.FEEDBACK_MISSING_PREFIX + scorability.reason,
            texts.FEEDBACK_TIP_PREFIX + texts.FAULT_TIPS[fault],
        ]
    )
    return Assessment(
        score=0.0,
        detection=detection,
        points={criterion: 0.0 for criterion, _, _ in CRITERIA},
        category=category,
        objection_motive=motive,
        match=match,
        feedback=feedback,
        model_answer=model_answer_for(match, category),
        scorability=scorability,
    )


def assess_answer(objection: Any, answer: Any, category: str | None = None) -> Assessment:
    """Assess an answer in full (detection, points, feedback); pure and deterministic."""
    objection_text = _as_text(objection)[:MAX_OBJECTION_CHARS]
    answer_text = _as_text(answer)
    match, resolved, motive = _resolve(
        objection_text, category if isinstance(category, str) else None
    )
    scorability = is_scorable(answer_text)
    if not scorability:
        return _unscorable(scorability, match, resolved, motive)
    lexicon = load_lexicon()
    objection_analysis = analyse_cached(objection_text)
    context = _scene_keys(match.objection.id) if match is not None else frozenset()
    detection = detect(
        analyse(answer_text[:MAX_ANSWER_CHARS]),
        objection_analysis,
        resolved,
        motive,
        lexicon,
        context,
    )
    points, details = _points(detection)
    score = _score(points, detection.faults)
    feedback = _feedback(detection, points, details, score, resolved, motive)
    return Assessment(
        score=score,
        detection=detection,
        points=points,
        category=resolved,
        objection_motive=motive,
        match=match,
        feedback=feedback,
        model_answer=model_answer_for(match, resolved),
        scorability=scorability,
        details=details,
    )


def score_answer(objection: Any, answer: Any, category: str | None = None) -> dict[str, Any]:
    """Score an answer to an objection and return the contract's result dict."""
    return assess_answer(objection, answer, category).as_result()


def rubric_text() -> str:
    """Return the scoring rubric as French text, for the /bareme command."""
    values = {code: _fmt(points) for code, points in TECHNIQUE_POINTS.items()}
    values["motive"] = _fmt(MOTIVE_POINTS)
    lines = [texts.RUBRIC_TITLE, "", texts.RUBRIC_INTRO, ""]
    for criterion, _, cap in CRITERIA:
        lines.append("• " + texts.RUBRIC_CRITERIA[criterion].format(cap=_fmt(cap), **values))
    lines.append("• " + texts.RUBRIC_RELEVANCE.format(points=_fmt(RELEVANCE_POINTS)))
    lines += ["", texts.RUBRIC_FAULTS_TITLE]
    for fault, template in texts.RUBRIC_FAULTS.items():
        points = _fmt(FAULT_PENALTIES.get(fault, 0.0))
        cap = _fmt(FAULT_CAPS.get(fault, 10.0))
        lines.append("• " + template.format(points=points, cap=cap))
    lines += ["", texts.RUBRIC_FOOTER.format(strong=_fmt(STRONG_ANSWER))]
    return "\n".join(lines)
