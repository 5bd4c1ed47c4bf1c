"""Detect objection-handling techniques, faults and SONCAS motives in an analysed answer."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from coaching.analysis import Analysis, Sentence
from coaching.constants import CATEGORIES, FAULTS, MOTIVES, TECHNIQUES
from coaching.lexicon import Lexicon, Patterns

OPEN_QUESTION = re.compile(
    r"\b(quel|quelle|quels|quelles|comment|pourquoi|combien|quoi|qu'est-ce|lequel|laquelle|"
    r"lesquels|lesquelles|en quoi|dans quelle mesure|quand)\b"
    r"|(^|, )(et |mais |alors )?(que |qu'|qui |ou )"
)
FINITE_MOODS = frozenset({"VERB", "AUX"})
PROPOSING_SUBJECTS = frozenset({"je", "j'", "on", "nous"})
LEADING_FILLERS = frozenset({"et", "alors", "donc", "bon", "ok", "dans", "ce", "cas"})
COGNITION_VERBS = frozenset({"comprendre", "entendre", "voir", "penser", "croire", "savoir", "ne"})
SECOND_PERSON = frozenset({"vous", "votre", "vos", "-vous"})
FIRST_PERSON = frozenset({"je", "j'", "moi", "me", "m'"})
STEM = 5
NUMBER = re.compile(r"\d+(?:[ .,]\d+)*")


@dataclass(slots=True)
class Detection:
    """What the detectors found in an answer."""

    techniques: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    motives: list[str] = field(default_factory=list)
    relevance: int = 0
    motive_match: bool = False
    evidence: dict[str, str] = field(default_factory=dict)


def _any(sentence: Sentence, patterns: Patterns) -> bool:
    """Tell whether any pattern matches the sentence outside a negation."""
    return sentence.search_any(patterns)


def _raw_any(text: str, patterns: Patterns) -> bool:
    """Tell whether any pattern matches a raw string (no negation check)."""
    return patterns.search(text)


def _first_end(sentence: Sentence, patterns: Patterns) -> int | None:
    """Return the end offset (in norm) of the first non-negated match of any pattern."""
    if not patterns.search(sentence.norm):
        return None
    best: int | None = None
    for pattern in patterns:
        for match in pattern.finditer(sentence.norm):
            start, end = sentence.token_span(match.start(), match.end())
            if not sentence.is_negated(start, end):
                best = match.end() if best is None else min(best, match.end())
                break
    return best


def _has_open_word(sentence: Sentence) -> bool:
    """Tell whether a question sentence uses an open interrogative word."""
    match = OPEN_QUESTION.search(sentence.norm)
    if match is None:
        return False
    if match.group(0).strip().endswith("ou"):
        return any(token.text.lower() == "où" for token in sentence.tokens[:3])
    return True


def _is_closing(sentence: Sentence, lexicon: Lexicon) -> bool:
    """Tell whether a sentence proposes a next step (not when it defers a point)."""
    if _any(sentence, lexicon.technique_text["report"]):
        return False
    if _any(sentence, lexicon.technique_text["conclusion"]):
        return True
    if not sentence.interrogative or _has_open_word(sentence):
        return False
    if _proposes(sentence):
        return True
    verbless = not any(token.pos in FINITE_MOODS for token in sentence.tokens)
    return verbless and (
        _any(sentence, lexicon.closing_nouns) or _any(sentence, lexicon.time_cues)
    )


def _proposes(sentence: Sentence) -> bool:
    """Tell whether a closed question has the seller as subject ('je passe mardi ?')."""
    clause: list[str] = []
    for token in sentence.tokens:
        if token.norm in {",", ";", ":"}:
            clause = []
        elif token.norm not in LEADING_FILLERS or clause:
            clause.append(token.lemma if clause else token.norm)
    if len(clause) < 2 or clause[0] not in PROPOSING_SUBJECTS:
        return False
    verbs = [
        lemma for lemma in clause[1:4] if lemma not in {"vous", "le", "la", "les", "l'", "en", "y"}
    ]
    return bool(verbs) and verbs[0] not in COGNITION_VERBS


def _is_probing(sentence: Sentence, lexicon: Lexicon, closing: bool, reformulating: bool) -> bool:
    """Tell whether an interrogative sentence is a genuine discovery question."""
    if not sentence.interrogative:
        return False
    open_word = _has_open_word(sentence)
    if _raw_any(sentence.norm, lexicon.smalltalk):
        return False
    if closing and not (open_word and "quand" not in sentence.norm.split()):
        return False
    if reformulating and not open_word:
        return False
    if open_word:
        return True
    if sentence.n_words <= 3:
        return False
    norms = {token.norm for token in sentence.tokens}
    return not (norms & {"ne", "n'"} and norms & {"pas", "jamais"})


def _figures_prove(sentence: Sentence, lexicon: Lexicon, objection_numbers: set[str]) -> bool:
    """Tell whether a sentence brings figures that are evidence (not the buyer's own figures)."""
    if not lexicon.proof_figures.search(sentence.norm):
        return False
    for pattern in lexicon.proof_figures:
        for match in pattern.finditer(sentence.norm):
            numbers = set(NUMBER.findall(match.group(0)))
            if numbers and numbers <= objection_numbers:
                continue
            start, end = sentence.token_span(match.start(), match.end())
            if not sentence.is_negated(start, end):
                return True
    return False


def _named_reference(sentence: Sentence, lexicon: Lexicon) -> bool:
    """Tell whether a sentence cites a named client or place as a reference."""
    tokens = sentence.tokens
    if not {token.lemma for token in tokens} & lexicon.reference_lemmas:
        return False
    for index, token in enumerate(tokens[1:], start=1):
        if not (token.capitalised and token.pos == "PROPN"):
            continue
        window = {tokens[back].norm for back in range(max(0, index - 3), index)}
        if window & lexicon.reference_cues:
            return True
    return False


def _proves(sentence: Sentence, lexicon: Lexicon, objection_numbers: set[str]) -> bool:
    """Tell whether a sentence brings evidence (a sentence granting a discount does not)."""
    if _any(sentence, lexicon.discount):
        return False
    if _any(sentence, lexicon.technique_text["preuve"]):
        return True
    return _figures_prove(sentence, lexicon, objection_numbers) or _named_reference(
        sentence, lexicon
    )


def _splits_price(sentence: Sentence, lexicon: Lexicon) -> bool:
    """Tell whether a sentence breaks the price down or shows a return on investment."""
    if _any(sentence, lexicon.roi):
        return True
    if sentence.interrogative or _raw_any(sentence.norm, lexicon.discount):
        return False
    return _any(sentence, lexicon.per_unit) and _raw_any(sentence.norm, lexicon.money)


def _compensates(sentences: tuple[Sentence, ...], index: int, lexicon: Lexicon) -> bool:
    """Tell whether a concession in this sentence is followed by a counterweight."""
    sentence = sentences[index]
    concession_end = _first_end(sentence, lexicon.concession_markers)
    if concession_end is None:
        return False
    for pattern in lexicon.contrast_markers:
        for match in pattern.finditer(sentence.norm):
            if match.start() >= concession_end:
                return True
    if index + 1 < len(sentences):
        following = sentences[index + 1]
        head = " ".join(token.norm for token in following.tokens[:4])
        return _raw_any(head, lexicon.contrast_markers)
    return False


def _trades(sentence: Sentence, lexicon: Lexicon) -> bool:
    """Tell whether a sentence grants something only against a counterpart."""
    return (
        _raw_any(sentence.norm, lexicon.trade_conditions)
        and _any(sentence, lexicon.trade_concessions)
        and _raw_any(sentence.norm, lexicon.trade_counterparts)
    )


def _gives_away(sentence: Sentence, lexicon: Lexicon) -> bool:
    """Tell whether a sentence grants a discount or a freebie."""
    if not lexicon.free_concession.search(sentence.norm):
        return False
    blanked = sentence.norm
    for pattern in lexicon.free_concession_exempt:
        blanked = pattern.sub(lambda match: " " * len(match.group(0)), blanked)
    for pattern in lexicon.free_concession:
        for match in pattern.finditer(blanked):
            start, end = sentence.token_span(match.start(), match.end())
            if not sentence.is_negated(start, end):
                return True
    return False


def _denigrates(sentences: tuple[Sentence, ...], index: int, lexicon: Lexicon) -> bool:
    """Tell whether a sentence runs down a competitor."""
    sentence = sentences[index]
    if _raw_any(sentence.norm, lexicon.denigration_standalone):
        return True
    if not _raw_any(sentence.norm, lexicon.denigration_insults):
        return False
    if _raw_any(sentence.norm, lexicon.denigration_targets):
        return True
    return index > 0 and _raw_any(sentences[index - 1].norm, lexicon.denigration_targets)


def _denies(sentence: Sentence, lexicon: Lexicon, objection_keys: frozenset[str]) -> bool:
    """Tell whether a sentence flatly negates the buyer's own words ('ce n'est pas cher')."""
    if not lexicon.denial.search(sentence.norm):
        return False
    for pattern in lexicon.denial:
        for match in pattern.finditer(sentence.norm):
            _, end = sentence.token_span(match.start(), match.end())
            for token in sentence.tokens[end : end + 4]:
                if token.norm in {",", ".", ";", "mais", "!", "?"}:
                    break
                if token.lemma in objection_keys or token.norm in objection_keys:
                    return True
            verbs = sentence.tokens[max(0, end - 4) : end]
            if any(token.pos == "VERB" and token.lemma in objection_keys for token in verbs):
                return True
    return False


def _contradicts(sentence: Sentence, lexicon: Lexicon, objection_keys: frozenset[str]) -> bool:
    """Tell whether a sentence contradicts the buyer head-on."""
    if _raw_any(sentence.norm.strip(), lexicon.contradiction):
        return True
    return _denies(sentence, lexicon, objection_keys)


def infer_category(analysis: Analysis, lexicon: Lexicon) -> str | None:
    """Guess the objection category of a text from the category lexicons."""
    keys = analysis.lemmas()
    counts = {category: len(keys & lexicon.categories[category]) for category in CATEGORIES}
    best = max(CATEGORIES, key=lambda category: counts[category])
    return best if counts[best] > 0 else None


def infer_motives(analysis: Analysis, lexicon: Lexicon, limit: int = 3) -> list[str]:
    """Return the SONCAS motives a text appeals to, strongest first."""
    keys = analysis.lemmas()
    counts = Counter({motive: len(keys & lexicon.motives[motive]) for motive in MOTIVES})
    ranked = sorted(
        (motive for motive in MOTIVES if counts[motive] > 0),
        key=lambda motive: (-counts[motive], MOTIVES.index(motive)),
    )
    return ranked[:limit]


def _with_stems(keys: frozenset[str]) -> frozenset[str]:
    """Add 5-letter stems of long words, so 'former' meets 'formez' and 'livrer' 'livrons'."""
    return keys | {f"{key[:STEM]}~" for key in keys if len(key) > STEM}


def _order(codes: set[str], reference: tuple[str, ...]) -> list[str]:
    """Return codes in the contract's canonical order."""
    return [code for code in reference if code in codes]


def _scan(
    sentences: tuple[Sentence, ...],
    index: int,
    lexicon: Lexicon,
    objection_keys: frozenset[str],
    objection_numbers: set[str],
) -> tuple[set[str], set[str]]:
    """Return the techniques and the faults found in one sentence."""
    sentence = sentences[index]
    hits: set[str] = set()
    faults: set[str] = set()
    if _any(sentence, lexicon.technique_text["ecoute"]) or _any(
        sentence, lexicon.technique_lemma["ecoute"]
    ):
        hits.add("ecoute")
    reformulating = _any(sentence, lexicon.technique_text["reformulation"])
    closing = _is_closing(sentence, lexicon)
    probing = _is_probing(sentence, lexicon, closing, reformulating)
    trading = _trades(sentence, lexicon)
    if _denigrates(sentences, index, lexicon):
        faults.add("denigrement")
    if _contradicts(sentence, lexicon, objection_keys):
        faults.add("contradiction")
    if _gives_away(sentence, lexicon):
        faults.add("concession_gratuite")
    attacking = bool(faults & {"denigrement", "contradiction"})
    checks = {
        "reformulation": reformulating,
        "question": probing,
        "conclusion": closing,
        "boomerang": _any(sentence, lexicon.technique_text["boomerang"]),
        "compensation": _compensates(sentences, index, lexicon),
        "contrepartie": trading,
        "report": _any(sentence, lexicon.technique_text["report"]),
        "preuve": not attacking and not trading and _proves(sentence, lexicon, objection_numbers),
        "fractionnement": not attacking and not trading and _splits_price(sentence, lexicon),
    }
    hits |= {code for code, present in checks.items() if present}
    return hits, faults


def _relevance(
    answer: Analysis,
    objection_keys: frozenset[str],
    context_keys: frozenset[str],
    category: str | None,
    lexicon: Lexicon,
) -> int:
    """Count the answer's words shared with the objection, its scene and its category."""
    answer_keys = _with_stems(answer.content_keys(lexicon.generic_lemmas))
    shared = answer_keys & _with_stems(objection_keys | context_keys)
    topic = lexicon.categories.get(category or "", frozenset())
    return len(shared) + len(answer.lemmas() & topic)


def _form_fault(
    answer: Analysis,
    found: set[str],
    faults: set[str],
    relevance: int,
    open_question: bool,
    lexicon: Lexicon,
) -> str | None:
    """Return 'trop_court' or 'hors_sujet' when the answer's form calls for it."""
    n_words = answer.n_words
    substantive = found - {"ecoute"}
    short_limit = 5 if faults else 6
    if n_words <= 3 or (n_words <= short_limit and not substantive):
        return "trop_court"
    if faults:
        return None
    handling = found - {"question"}
    second_person = any(token.norm in SECOND_PERSON for token in answer.tokens)
    first_person = any(token.norm in FIRST_PERSON for token in answer.tokens)
    fluff = sum(len(pattern.findall(answer.norm)) for pattern in lexicon.fluff)
    smalltalk = _raw_any(answer.norm, lexicon.smalltalk)
    off_topic = (
        (smalltalk and not handling)
        or (fluff >= 2 and not found)
        or (relevance == 0 and not handling and not open_question)
        or (relevance <= 1 and not found and not second_person and not first_person)
    )
    return "hors_sujet" if off_topic else None


def detect(
    answer: Analysis,
    objection: Analysis,
    category: str | None,
    objection_motive: str | None,
    lexicon: Lexicon,
    context_keys: frozenset[str] = frozenset(),
) -> Detection:
    """Run all detectors on an answer to an objection (context: words of the scene, if known)."""
    found: set[str] = set()
    faults: set[str] = set()
    evidence: dict[str, str] = {}
    objection_keys = objection.content_keys(lexicon.generic_lemmas)
    objection_numbers = set(NUMBER.findall(objection.norm))
    open_question = False
    for index, sentence in enumerate(answer.sentences):
        hits, sentence_faults = _scan(
            answer.sentences, index, lexicon, objection_keys, objection_numbers
        )
        open_question = open_question or ("question" in hits and _has_open_word(sentence))
        for code in hits | sentence_faults:
            evidence.setdefault(code, sentence.text)
        found |= hits
        faults |= sentence_faults
    if "contrepartie" in found:
        faults.discard("concession_gratuite")
    relevance = _relevance(answer, objection_keys, context_keys, category, lexicon)
    form_fault = _form_fault(answer, found, faults, relevance, open_question, lexicon)
    if form_fault is not None:
        faults.add(form_fault)
    if form_fault == "hors_sujet":
        found.discard("question")
    appealed = infer_motives(answer, lexicon, limit=len(MOTIVES))
    return Detection(
        techniques=_order(found, TECHNIQUES),
        faults=_order(faults, FAULTS),
        motives=appealed[:3],
        relevance=relevance,
        motive_match=objection_motive is not None and objection_motive in appealed,
        evidence=evidence,
    )
