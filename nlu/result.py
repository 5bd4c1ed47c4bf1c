"""Assemble the contract's result from intent ranking, name spans and the shared rules."""

from __future__ import annotations

import re
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
COMPANY_INTENTS = {"log_visit", "log_call", "plan_activity", "start_checklist"}

# A company typed in lower case after a cue ("chez nexo", "tel fortin", "appelé brico vallée"):
# the CRF leans on capitals, so this rule completes it when the CRF found no company.
_CUE = (
    r"(?:chez|ches|appel[ée]?s?|appeler|tel|t[ée]l[ée]?\.?|t[ée]l[ée]phon[ée]r?|rappel(?:er)?|"
    r"rappell?e|relanc(?:e|er|[ée])|vu|caler\s+(?:un\s+)?rdv|rdv(?:\s+(?:avec|chez))?|visite|"
    r"passage\s+chez|d[ée]mo\s+chez|mail\s+[àa])"
)
_LOWER_COMPANY = re.compile(
    rf"(?<![\w-]){_CUE}\s+(?:l[ae]s?\s+|l['’]\s*)?(?P<name>[a-zà-ÿ0-9][\w&'’.-]*(?:\s+[a-zà-ÿ0-9&][\w&'’.-]*){{0,2}})",
    re.IGNORECASE,
)
_NOT_NAME = {
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "du",
    "de",
    "avec",
    "pour",
    "et",
    "a",
    "à",
    "au",
    "sur",
    "demain",
    "hier",
    "aujourd",
    "ce",
    "cet",
    "cette",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "matin",
    "soir",
    "aprem",
    "devis",
    "commande",
    "rdv",
    "pas",
    "ok",
    "il",
    "elle",
    "ils",
    "elles",
    "on",
    "je",
    "j",
    "me",
    "m",
    "lui",
    "leur",
    "client",
    "clients",
    "prospect",
    "prospects",
    "mon",
    "ma",
    "mes",
    "son",
    "sa",
    "ses",
    "dans",
    "chez",
    "messagerie",
    "répondeur",
    "repondeur",
    "personne",
    "tout",
    "toute",
    "qui",
    "que",
    "quoi",
    "fait",
    "eu",
    "puis",
    "plus",
    "mais",
    "donc",
    "en",
    "y",
    "semaine",
    "prochain",
    "prochaine",
    "m.",
    "mr",
    "mme",
    "monsieur",
    "madame",
    "dg",
    "pdg",
    "daf",
    "dsi",
    "patron",
    "gérant",
    "gerant",
    "acheteur",
    "acheteuse",
    "comptable",
    "secrétaire",
    "secretaire",
    "assistante",
    "technique",
    "tél",
    "tel",
    "appel",
    "relance",
    "rappel",
    "visite",
    "nouveau",
    "nouvelle",
    "x",
    "vers",
    "entre",
    "répond",
    "repond",
    "terminé",
    "termine",
    "fini",
    "stp",
    "svp",
    "ne",
    "n",
    "veut",
    "veulent",
    "est",
    "sont",
    "ont",
    "va",
    "vont",
    "dit",
    "rien",
    "après",
    "apres",
    "avant",
    "depuis",
    "via",
    "par",
    "sans",
    "toujours",
    "faite",
    "faites",
    "effectuée",
    "effectuee",
    "réalisée",
    "realisee",
    "annulée",
    "annulee",
    "prévue",
    "prevue",
    "reportée",
    "reportee",
    "planifiée",
    "planifiee",
    "ratée",
    "ratee",
    "terminée",
    "terminee",
}
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
    if all(w.lower().strip(".") in _NOT_NAME for w in re.findall(r"[\w.'’-]+", raw)):
        return None
    value = raw
    if entity == "company":
        value = clean_company(raw)
        if not value:
            return None
        offset = raw.find(value)
        if offset >= 0:
            start, end = start + offset, start + offset + len(value)
    return {"entity": entity, "start": start, "end": end, "value": value}


_TITLED_PERSON = re.compile(
    r"(?<![\w])(?P<name>(?:m\.|mr\.?|mme\.?|mlle|monsieur|madame)\s+[a-zà-ÿ][\w'’-]*(?:\s+[a-zà-ÿ][\w'’-]*)?)",
    re.IGNORECASE,
)


def titled_person(text: str, taken: list[tuple[int, int]]) -> dict[str, Any] | None:
    """Find "mme da silva" / "mr benali": a title then one or two words."""
    for match in _TITLED_PERSON.finditer(text):
        start = match.start("name")
        words = list(re.finditer(r"\S+", match["name"]))
        end = start + words[0].end()
        for word in words[1:]:
            token = word[0].lower().strip(",.;:")
            if token in _NOT_NAME or not word[0][:1].isalpha():
                break
            end = start + word.start() + len(word[0].rstrip(",.;:"))
        if end == start + words[0].end() or any(_overlaps((start, end), t) for t in taken):
            continue
        return name_entity(text, "person", start, end)
    return None


def lower_case_company(text: str, taken: list[tuple[int, int]]) -> dict[str, Any] | None:
    """Find a company written in lower case right after a cue word."""
    for match in _LOWER_COMPANY.finditer(text):
        words: list[tuple[int, int]] = []
        for word in re.finditer(r"[\w&'’.-]+", match["name"]):
            token = word[0].lower().strip(".")
            if token in _NOT_NAME or token.isdigit() or re.fullmatch(r"\d+h\d*", token):
                break
            words.append((match.start("name") + word.start(), match.start("name") + word.end()))
        if not words:
            continue
        start, end = words[0][0], words[-1][1]
        if any(_overlaps((start, end), t) for t in taken):
            continue
        return name_entity(text, "company", start, end)
    return None


def _is_person(entities: list[dict[str, Any]], span: tuple[int, int]) -> bool:
    """Say whether a taken span is a person entity."""
    return any(e["entity"] == "person" and (e["start"], e["end"]) == span for e in entities)


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
            taken.append((built["start"], built["end"]))
        person = titled_person(clipped, [t for t in taken if not _is_person(entities, t)])
        if person is not None:
            entities = [
                e
                for e in entities
                if not (
                    e["entity"] == "person"
                    and _overlaps((e["start"], e["end"]), (person["start"], person["end"]))
                )
            ]
            if not any(e["entity"] == "person" for e in entities):
                entities.append(person)
                taken.append((person["start"], person["end"]))
        if intent in COMPANY_INTENTS and not any(e["entity"] == "company" for e in entities):
            found = lower_case_company(clipped, taken)
            if found is not None:
                entities.append(found)
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
