"""Load and compile the scoring lexicons of `data/lexicon.yml` once per process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from coaching.constants import CATEGORIES, LEXICON_PATH, MOTIVES
from coaching.textnorm import normalise


@dataclass(frozen=True, slots=True)
class Patterns:
    """A list of compiled patterns plus one combined regex for a fast first check."""

    items: tuple[re.Pattern[str], ...] = ()
    combined: re.Pattern[str] | None = None

    def __iter__(self) -> Iterator[re.Pattern[str]]:
        """Iterate over the individual patterns."""
        return iter(self.items)

    def __len__(self) -> int:
        """Return the number of patterns."""
        return len(self.items)

    def search(self, text: str) -> bool:
        """Tell whether any pattern matches the text (no negation check)."""
        return self.combined is not None and self.combined.search(text) is not None


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled patterns and word lists used by the detectors."""

    technique_text: dict[str, Patterns]
    technique_lemma: dict[str, Patterns]
    proof_figures: Patterns
    discount: Patterns
    per_unit: Patterns
    money: Patterns
    roi: Patterns
    concession_markers: Patterns
    contrast_markers: Patterns
    trade_conditions: Patterns
    trade_concessions: Patterns
    trade_counterparts: Patterns
    closing_nouns: Patterns
    time_cues: Patterns
    denigration_targets: Patterns
    denigration_insults: Patterns
    denigration_standalone: Patterns
    contradiction: Patterns
    denial: Patterns
    free_concession: Patterns
    free_concession_exempt: Patterns
    smalltalk: Patterns
    fluff: Patterns
    motives: dict[str, frozenset[str]]
    categories: dict[str, frozenset[str]]
    generic_lemmas: frozenset[str]
    reference_lemmas: frozenset[str]
    reference_cues: frozenset[str]
    english_words: frozenset[str]
    french_words: frozenset[str]


def _compile(block: str | None) -> Patterns:
    """Compile one regex per non-empty, non-comment line, and their union."""
    if not block:
        return Patterns()
    lines = [line.strip() for line in block.splitlines()]
    sources = [line for line in lines if line and not line.startswith("#")]
    combined = re.compile("|".join(f"(?:{source})" for source in sources))
    return Patterns(tuple(re.compile(source) for source in sources), combined)


def _words(values: Any) -> frozenset[str]:
    """Normalise a YAML list of words into a set."""
    return frozenset(normalise(str(value)) for value in values or ())


def _build(data: dict[str, Any]) -> Lexicon:
    """Build the Lexicon from the parsed YAML document."""
    techniques = data["techniques"]
    faults = data["faults"]
    simple = ("ecoute", "reformulation", "boomerang", "preuve", "report", "conclusion")
    technique_text = {name: _compile(techniques[name].get("text")) for name in simple}
    technique_lemma = {name: _compile(techniques[name].get("lemma")) for name in simple}
    return Lexicon(
        technique_text=technique_text,
        technique_lemma=technique_lemma,
        proof_figures=_compile(techniques["preuve"]["figures"]),
        discount=_compile(techniques["preuve"]["discount"]),
        per_unit=_compile(techniques["fractionnement"]["per_unit"]),
        money=_compile(techniques["fractionnement"]["money"]),
        roi=_compile(techniques["fractionnement"]["roi"]),
        concession_markers=_compile(techniques["compensation"]["concession"]),
        contrast_markers=_compile(techniques["compensation"]["contrast"]),
        trade_conditions=_compile(techniques["contrepartie"]["condition"]),
        trade_concessions=_compile(techniques["contrepartie"]["concession"]),
        trade_counterparts=_compile(techniques["contrepartie"]["counterpart"]),
        closing_nouns=_compile(techniques["conclusion"]["question_nouns"]),
        time_cues=_compile(techniques["conclusion"]["time_cues"]),
        denigration_targets=_compile(faults["denigrement"]["target"]),
        denigration_insults=_compile(faults["denigrement"]["insult"]),
        denigration_standalone=_compile(faults["denigrement"]["standalone"]),
        contradiction=_compile(faults["contradiction"]["text"]),
        denial=_compile(faults["contradiction"]["denial"]),
        free_concession=_compile(faults["concession_gratuite"]["text"]),
        free_concession_exempt=_compile(faults["concession_gratuite"]["exempt"]),
        smalltalk=_compile(faults["smalltalk"]),
        fluff=_compile(faults["fluff"]),
        motives={motive: _words(data["motives"][motive]) for motive in MOTIVES},
        categories={category: _words(data["categories"][category]) for category in CATEGORIES},
        generic_lemmas=_words(data["generic_lemmas"]),
        reference_lemmas=_words(data["references"]["lemmas"]),
        reference_cues=_words(data["references"]["cues"]),
        english_words=_words(data["english_words"]),
        french_words=_words(data["french_words"]),
    )


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load a lexicon file (the packaged one, cached, by default)."""
    if path is None:
        return _default_lexicon()
    with Path(path).open(encoding="utf-8") as handle:
        return _build(yaml.safe_load(handle))


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    """Load the packaged lexicon once."""
    with LEXICON_PATH.open(encoding="utf-8") as handle:
        return _build(yaml.safe_load(handle))
