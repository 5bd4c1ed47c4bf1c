"""Assemble the contract's result from intent ranking, name spans and the shared rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nlu.normalize import (
    Span,
    clean_company,
    find_amounts,
    find_codes,
    find_dates,
    find_distances,
)

SMALL_TALK = {"greet", "goodbye", "affirm", "deny", "help", "out_of_scope"}
_TRIM = " \t,;:.!?()[]\"'«»-–—"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it does not start or end with spaces or punctuation (keeps "S.A.")."""
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        if text[end - 1] == "." and end - start >= 2 and text[end - 2].isupper():
            break
        end -= 1
    return start, end


def rule_spans(text: str, now: datetime, intent: str | None) -> list[Span]:
    """Run the pattern extractors shared by every backend."""
    spans: list[Span] = []
    spans.extend(find_dates(text, now, intent))
    spans.extend(find_amounts(text))
    spans.extend(find_distances(text))
    spans.extend(find_codes(text, intent))
    return spans


def name_entity(text: str, entity: str, start: int, end: int) -> dict[str, Any] | None:
    """Build a company, person or city entity with its normalised value."""
    start, end = _trim(text, start, end)
    if end <= start:
        return None
    raw = text[start:end]
    value = raw
    if entity == "company":
        value = clean_company(raw)
        if not value:
            return None
        offset = raw.find(value)
        if offset >= 0:
            start, end = start + offset, start + offset + len(value)
    return {"entity": entity, "start": start, "end": end, "value": value}


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Say whether two character ranges overlap."""
    return a[0] < b[1] and b[0] < a[1]


def assemble_result(
    text: str,
    clipped: str,
    ranking: list[tuple[str, float]],
    names: list[tuple[str, int, int]],
    now: datetime,
    forced_intent: str | None = None,
) -> dict[str, Any]:
    """Return the Rasa-shaped result of the NLU contract."""
    if forced_intent:
        ranking = [(forced_intent, 1.0)] + [(n, c) for n, c in ranking if n != forced_intent]
    intent, confidence = ranking[0]
    entities: list[dict[str, Any]] = []
    if intent not in SMALL_TALK:
        taken: list[tuple[int, int]] = []
        for span in rule_spans(clipped, now, intent):
            entities.append(
                {"entity": span.entity, "start": span.start, "end": span.end, "value": span.value}
            )
            if span.entity not in ("role",):
                taken.append((span.start, span.end))
        for entity, start, end in names:
            built = name_entity(clipped, entity, start, end)
            if built is None or any(_overlaps((built["start"], built["end"]), t) for t in taken):
                continue
            entities.append(built)
        entities.sort(key=lambda e: (e["start"], e["end"]))
    for entity in entities:
        entity["extractor"] = (
            "CRFEntityExtractor" if entity["entity"] in ("company", "person", "city") else "rules"
        )
    return {
        "text": text,
        "intent": {"name": intent, "confidence": round(confidence, 4)},
        "intent_ranking": [
            {"name": name, "confidence": round(conf, 4)} for name, conf in ranking[:10]
        ],
        "entities": entities,
    }
