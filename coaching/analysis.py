"""Linguistic analysis of a text with the shared spaCy model: sentences, lemmas, negation, questions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from coaching.lexicon import Patterns
from coaching.textnorm import normalise

if TYPE_CHECKING:
    from spacy.tokens import Doc

PARSER_MAX_CHARS = 800
"""Above this length the dependency parser is skipped to stay fast."""

NEGATION_WORDS = frozenset({"pas", "jamais", "aucun", "aucune", "nullement", "guere", "rien"})
NE_WORDS = frozenset({"ne", "n'"})
CLAUSE_BREAKS = frozenset({",", ";", ":", "mais", "car", "(", ")", "\n", "-", "–", "et"})
SENTENCE_ENDS = frozenset({".", "!", "?", "…", ";", "?!", "!?", "..."})
INVERTED_SUBJECTS = frozenset(
    {"vous", "il", "elle", "on", "ils", "elles", "je", "tu", "nous", "ce"}
)
ELISIONS = frozenset(
    {"j'", "l'", "d'", "n'", "qu'", "c'", "s'", "m'", "t'", "-t", "jusqu'", "lorsqu'"}
)
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})
INTERROGATIVE_START = re.compile(
    r"^(et |mais |alors |donc |bon,? |dites-moi,? |personnellement,? |selon vous,? )*"
    r"(est-ce|qu'est-ce|quel|quelle|quels|quelles|comment|pourquoi|combien|quand|ou |qui |que |"
    r"qu'|lequel|laquelle|lesquels|lesquelles|a quoi|sur quoi|de quoi|en quoi|par rapport a quoi|"
    r"dans quelle|a quel|a quelle|avez-vous|etes-vous|pouvez-vous|pourriez-vous|seriez-vous|"
    r"voulez-vous|souhaitez-vous|savez-vous|connaissez-vous|faites-vous|utilisez-vous)"
)
_WORD = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Token:
    """One token with its normalised surface form and lemma."""

    text: str
    norm: str
    lemma: str
    pos: str
    dep: str
    head: int
    imperative: bool
    capitalised: bool
    like_num: bool

    @property
    def is_word(self) -> bool:
        """Tell whether the token counts as a word (letters, not a bare elision)."""
        return bool(_WORD.search(self.text)) and self.norm not in ELISIONS


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or clause ended by ';') with aligned normalised text and lemma strings."""

    tokens: tuple[Token, ...]
    text: str
    norm: str
    lemma: str
    norm_starts: tuple[int, ...]
    lemma_starts: tuple[int, ...]
    interrogative: bool

    @property
    def n_words(self) -> int:
        """Return the number of words of the sentence."""
        return sum(1 for token in self.tokens if token.is_word)

    def token_span(self, start: int, end: int, on_lemma: bool = False) -> tuple[int, int]:
        """Map a character span of `norm` (or `lemma`) to a token index range."""
        starts = self.lemma_starts if on_lemma else self.norm_starts
        first = 0
        for index, offset in enumerate(starts):
            if offset <= start:
                first = index
            else:
                break
        last = first
        for index in range(first, len(starts)):
            if starts[index] < end:
                last = index
            else:
                break
        return first, last + 1

    def is_negated(self, start: int, end: int) -> bool:
        """Tell whether the tokens [start, end) are under a negation in their clause."""
        if any(self.tokens[index].norm in NEGATION_WORDS for index in range(start, end)):
            return True
        if self._dependency_negated(start, end):
            return True
        found_ne = False
        for index in range(start - 1, max(start - 5, 0) - 1, -1):
            norm = self.tokens[index].norm
            if norm in CLAUSE_BREAKS:
                break
            if norm in NEGATION_WORDS:
                return True
            found_ne = found_ne or norm in NE_WORDS
        for index in range(end, min(end + 3, len(self.tokens))):
            norm = self.tokens[index].norm
            if norm in CLAUSE_BREAKS or norm in SENTENCE_ENDS:
                break
            if norm in NEGATION_WORDS or (found_ne and norm == "plus"):
                return True
        return False

    def _dependency_negated(self, start: int, end: int) -> bool:
        """Tell whether a verb of the span governs a nearby 'pas'/'jamais' in the parse."""
        heads = {index for index in range(start, end) if self.tokens[index].pos in {"VERB", "AUX"}}
        if not heads:
            return False
        for index, token in enumerate(self.tokens):
            if token.dep != "advmod" or token.norm not in {"pas", "jamais"}:
                continue
            if token.head not in heads or not start - 6 <= index < end + 4:
                continue
            between = range(index + 1, start) if index < start else range(end, index)
            if not any(self.tokens[other].norm in CLAUSE_BREAKS for other in between):
                return True
        return False

    def find(self, pattern: re.Pattern[str], on_lemma: bool = False) -> Iterator[tuple[int, int]]:
        """Yield the token spans where a pattern matches this sentence."""
        haystack = self.lemma if on_lemma else self.norm
        for match in pattern.finditer(haystack):
            if match.end() > match.start():
                yield self.token_span(match.start(), match.end(), on_lemma)

    def search(self, pattern: re.Pattern[str], on_lemma: bool = False) -> bool:
        """Tell whether a pattern matches somewhere, ignoring negated matches."""
        check = is_negatable(pattern)
        for start, end in self.find(pattern, on_lemma):
            if not check or not self.is_negated(start, end):
                return True
        return False

    def search_any(self, patterns: Patterns, on_lemma: bool = False) -> bool:
        """Tell whether any of the patterns matches, ignoring negated matches."""
        if not patterns.search(self.lemma if on_lemma else self.norm):
            return False
        return any(self.search(pattern, on_lemma) for pattern in patterns)


_OWN_NEGATION = re.compile(r"\b(ne|n'|pas|jamais|rien|aucun|aucune)\b|n'")


@lru_cache(maxsize=2048)
def is_negatable(pattern: re.Pattern[str]) -> bool:
    """Tell whether a negation around a match cancels it (not when the pattern has its own)."""
    return _OWN_NEGATION.search(pattern.pattern) is None


@dataclass(frozen=True, slots=True)
class Analysis:
    """The analysis of a whole text."""

    text: str
    sentences: tuple[Sentence, ...]
    parsed: bool

    @property
    def tokens(self) -> Iterator[Token]:
        """Iterate over all tokens."""
        for sentence in self.sentences:
            yield from sentence.tokens

    @property
    def n_words(self) -> int:
        """Return the number of words."""
        return sum(sentence.n_words for sentence in self.sentences)

    @property
    def norm(self) -> str:
        """Return the normalised text."""
        return " ".join(sentence.norm for sentence in self.sentences)

    def lemmas(self) -> frozenset[str]:
        """Return the set of normalised lemmas and surface forms."""
        found: set[str] = set()
        for token in self.tokens:
            found.add(token.lemma)
            found.add(token.norm)
        return frozenset(found)

    def content_keys(self, generic: frozenset[str]) -> frozenset[str]:
        """Return the lemmas and forms of content words, minus generic ones."""
        found: set[str] = set()
        for token in self.tokens:
            if token.pos in CONTENT_POS and len(token.norm) >= 3:
                found.update(key for key in (token.lemma, token.norm) if key not in generic)
        return frozenset(found)


def _is_interrogative(tokens: list[Token], norm: str) -> bool:
    """Tell whether a sentence is a question."""
    last = next((token for token in reversed(tokens) if token.norm.strip()), None)
    if last is None:
        return False
    if "?" in last.norm:
        return True
    if last.norm in SENTENCE_ENDS or last.norm == "!":
        return False
    if INTERROGATIVE_START.match(norm.strip()) or "est-ce que" in norm:
        return True
    for index, token in enumerate(tokens[1:], start=1):
        previous = tokens[index - 1]
        if token.text.startswith("-") and token.lemma in INVERTED_SUBJECTS:
            verb = tokens[index - 2] if previous.norm == "-t" and index >= 2 else previous
            if verb.pos in {"VERB", "AUX"} and not verb.imperative:
                return True
    return False


def _make_sentence(tokens: list[Token], spacing: list[str]) -> Sentence:
    """Assemble a Sentence with aligned normalised strings."""
    norm_parts: list[str] = []
    lemma_parts: list[str] = []
    norm_starts: list[int] = []
    lemma_starts: list[int] = []
    norm_length = lemma_length = 0
    for token, space in zip(tokens, spacing, strict=True):
        norm_starts.append(norm_length)
        norm_parts.append(token.norm + space)
        norm_length += len(token.norm) + len(space)
        lemma_starts.append(lemma_length)
        lemma_parts.append(token.lemma + " ")
        lemma_length += len(token.lemma) + 1
    norm = "".join(norm_parts)
    text = "".join(token.text + space for token, space in zip(tokens, spacing, strict=True))
    return Sentence(
        tokens=tuple(tokens),
        text=text.strip(),
        norm=norm,
        lemma="".join(lemma_parts),
        norm_starts=tuple(norm_starts),
        lemma_starts=tuple(lemma_starts),
        interrogative=_is_interrogative(tokens, norm),
    )


def _split(doc: Doc) -> Iterator[tuple[list[Token], list[str]]]:
    """Split a spaCy Doc into sentences on final punctuation and line breaks."""
    tokens: list[Token] = []
    spacing: list[str] = []
    start = 0
    for spacy_token in doc:
        if not tokens:
            start = spacy_token.i
        raw = spacy_token.text
        if raw.isspace():
            if "\n" in raw and tokens:
                yield tokens, spacing
                tokens, spacing = [], []
            continue
        head = spacy_token.head.i - start
        mood = spacy_token.morph.get("Mood")
        token = Token(
            text=raw,
            norm=normalise(raw),
            lemma=normalise(spacy_token.lemma_ or raw),
            pos=spacy_token.pos_,
            dep=spacy_token.dep_,
            head=head if 0 <= head < 10_000 else -1,
            imperative="Imp" in mood,
            capitalised=raw[:1].isupper(),
            like_num=bool(spacy_token.like_num),
        )
        tokens.append(token)
        spacing.append(spacy_token.whitespace_)
        if token.norm in SENTENCE_ENDS or (token.norm and token.norm[-1] in ".!?…"):
            yield tokens, spacing
            tokens, spacing = [], []
    if tokens:
        yield tokens, spacing


def _fix_heads(tokens: list[Token]) -> list[Token]:
    """Drop dependency heads that point outside the sentence."""
    size = len(tokens)
    return [
        token
        if 0 <= token.head < size
        else Token(
            token.text,
            token.norm,
            token.lemma,
            token.pos,
            token.dep,
            -1,
            token.imperative,
            token.capitalised,
            token.like_num,
        )
        for token in tokens
    ]


def analyse(text: str) -> Analysis:
    """Analyse a text with the shared French spaCy pipeline."""
    from nlu.spacy_model import get_nlp

    nlp = get_nlp()
    parsed = len(text) <= PARSER_MAX_CHARS
    disabled = [name for name in ("ner",) if name in nlp.pipe_names]
    if not parsed:
        disabled += [name for name in ("parser",) if name in nlp.pipe_names]
    doc = nlp(text, disable=disabled)
    sentences = tuple(
        _make_sentence(_fix_heads(tokens), spacing) for tokens, spacing in _split(doc)
    )
    return Analysis(text=text, sentences=sentences, parsed=parsed)


@lru_cache(maxsize=512)
def analyse_cached(text: str) -> Analysis:
    """Analyse a text that is likely to recur (objections), with a cache."""
    return analyse(text)
