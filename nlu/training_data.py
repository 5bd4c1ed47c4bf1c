"""Read Rasa 3.x NLU YAML: validate against a schema, then parse examples and annotations."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

KEY_NLU = "nlu"
KEY_INTENT = "intent"
KEY_SYNONYM = "synonym"
KEY_LOOKUP = "lookup"
KEY_REGEX = "regex"
KEY_EXAMPLES = "examples"

INTENTS = (
    "log_visit",
    "log_call",
    "plan_activity",
    "show_agenda",
    "ask_stats",
    "start_drill",
    "start_checklist",
    "greet",
    "goodbye",
    "affirm",
    "deny",
    "help",
    "out_of_scope",
)
ENTITIES = (
    "company",
    "person",
    "role",
    "outcome",
    "amount",
    "when",
    "followup",
    "city",
    "objection",
    "distance",
)

NLU_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [KEY_NLU],
    "properties": {
        "version": {"type": "string"},
        KEY_NLU: {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    KEY_INTENT: {"type": "string", "minLength": 1},
                    KEY_SYNONYM: {"type": ["string", "number"]},
                    KEY_LOOKUP: {"type": "string", "minLength": 1},
                    KEY_REGEX: {"type": "string", "minLength": 1},
                    KEY_EXAMPLES: {"type": "string"},
                    "metadata": {},
                },
                "required": [KEY_EXAMPLES],
                "oneOf": [
                    {"required": [KEY_INTENT]},
                    {"required": [KEY_SYNONYM]},
                    {"required": [KEY_LOOKUP]},
                    {"required": [KEY_REGEX]},
                ],
                "additionalProperties": False,
            },
        },
    },
}

# [text]{"entity": "x", "value": ...} or [text](entity) or [text](entity:value)
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\{(?P<json>[^}]*)\}|\((?P<paren>[^)]+)\))")


class TrainingDataError(ValueError):
    """The NLU file is invalid; the message gives the file, the line and the fix."""


@dataclass
class Example:
    """One annotated example."""

    text: str
    intent: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    line: int = 0


@dataclass
class TrainingData:
    """Examples, synonyms and lookup tables of an NLU file."""

    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)

    def intents(self) -> list[str]:
        """Return the intents present, in a stable order."""
        return sorted({e.intent for e in self.examples})


def _line_index(raw: str) -> dict[str, int]:
    """Map each example line's text to its line number (first occurrence)."""
    index: dict[str, int] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("- "):
            index.setdefault(stripped[2:].strip(), number)
    return index


def parse_example(raw_text: str, intent: str, where: str = "") -> Example:
    """Strip annotations from one example line and compute entity offsets."""
    text_parts: list[str] = []
    entities: list[dict[str, Any]] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(raw_text):
        before = raw_text[cursor : match.start()]
        text_parts.append(before)
        length += len(before)
        span_text = match["text"]
        if match["json"] is not None:
            try:
                spec = json.loads("{" + match["json"] + "}")
            except json.JSONDecodeError as exc:
                raise TrainingDataError(
                    f"{where}: annotation JSON invalide pour [{span_text}] ({exc.msg}). "
                    'Écrivez par exemple [12k€]{"entity": "amount", "value": 12000}.'
                ) from None
        else:
            name, _, value = match["paren"].partition(":")
            spec = {"entity": name, "value": value or span_text}
        entity = spec.get("entity")
        if entity not in ENTITIES:
            raise TrainingDataError(
                f"{where}: entité inconnue {entity!r} pour [{span_text}]. "
                f"Entités possibles : {', '.join(ENTITIES)}."
            )
        entities.append(
            {
                "entity": entity,
                "start": length,
                "end": length + len(span_text),
                "value": spec.get("value", span_text),
                "text": span_text,
            }
        )
        text_parts.append(span_text)
        length += len(span_text)
        cursor = match.end()
    text_parts.append(raw_text[cursor:])
    return Example(text="".join(text_parts), intent=intent, entities=entities)


def load_training_data(path: str | Path) -> TrainingData:
    """Validate and parse a Rasa NLU YAML file."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TrainingDataError(f"{path}: fichier illisible ({exc.strerror}).") from None
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        raise TrainingDataError(
            f"{path}:{line}: YAML invalide ({getattr(exc, 'problem', exc)}). "
            "Vérifiez l'indentation et les guillemets de cette ligne."
        ) from None
    try:
        jsonschema.validate(document, NLU_SCHEMA)
    except jsonschema.ValidationError as exc:
        location = "/".join(str(p) for p in exc.absolute_path) or "racine"
        raise TrainingDataError(
            f"{path}: structure invalide à {location} : {exc.message}. Chaque bloc de la liste "
            "'nlu:' doit avoir 'intent:', 'synonym:', 'lookup:' ou 'regex:' et 'examples: |'."
        ) from None
    lines = _line_index(raw)
    data = TrainingData()
    for block in document[KEY_NLU]:
        items = [
            line.strip()[2:].strip()
            for line in block[KEY_EXAMPLES].splitlines()
            if line.strip().startswith("- ")
        ]
        if KEY_INTENT in block:
            intent = block[KEY_INTENT]
            if intent not in INTENTS:
                raise TrainingDataError(
                    f"{path}:{lines.get(items[0], '?') if items else '?'}: intent inconnu "
                    f"{intent!r}. Intents possibles : {', '.join(INTENTS)}."
                )
            for item in items:
                where = f"{path}:{lines.get(item, '?')}"
                example = parse_example(item, intent, where)
                example.line = lines.get(item, 0)
                data.examples.append(example)
        elif KEY_SYNONYM in block:
            for item in items:
                data.synonyms[item.lower()] = str(block[KEY_SYNONYM])
        elif KEY_LOOKUP in block:
            data.lookups.setdefault(block[KEY_LOOKUP], []).extend(items)
    if not data.examples:
        raise TrainingDataError(f"{path}: aucun exemple d'intent trouvé.")
    return data
