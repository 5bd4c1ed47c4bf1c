"""Objection bank: load `data/objections.yml`, validate it against its schema, look entries up."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from rapidfuzz import fuzz, process

from coaching import texts
from coaching.constants import BANK_PATH, BANK_SCHEMA_PATH
from coaching.textnorm import match_key

MatchKind = Literal["objection", "insist", "follow_up", "moves_on"]
FUZZY_CUTOFF = 90.0


class BankError(ValueError):
    """The objection bank file is missing, unreadable or invalid."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class ModelAnswer:
    """A model answer and the techniques it demonstrates."""

    text: str
    techniques: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Objection:
    """One buyer objection of the bank, with its scene and the buyer's reactions."""

    id: str
    category: str
    sector: str
    buyer_role: str
    difficulty: int
    motive: str
    buyer: str
    offer: str
    text: str
    model_answers: tuple[ModelAnswer, ...]
    insist: str
    follow_up: str | None = None
    moves_on: str | None = None

    @property
    def model_answer(self) -> str:
        """Return the first model answer."""
        return self.model_answers[0].text

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as a plain dict (same shape as the YAML)."""
        entry: dict[str, Any] = {
            "id": self.id,
            "category": self.category,
            "sector": self.sector,
            "buyer_role": self.buyer_role,
            "difficulty": self.difficulty,
            "motive": self.motive,
            "scene": {"buyer": self.buyer, "offer": self.offer},
            "objection": self.text,
            "model_answers": [
                {"text": answer.text, "techniques": list(answer.techniques)}
                for answer in self.model_answers
            ],
            "insist": self.insist,
        }
        if self.follow_up is not None:
            entry["follow_up"] = self.follow_up
        if self.moves_on is not None:
            entry["moves_on"] = self.moves_on
        return entry


@dataclass(frozen=True, slots=True)
class BankMatch:
    """An objection of the bank recognised from a text, and which line of it the text was."""

    objection: Objection
    kind: MatchKind


class ObjectionBank:
    """The validated objection bank with lookups by id, category and text."""

    def __init__(self, objections: Iterable[Objection], source: str = "") -> None:
        self.objections: tuple[Objection, ...] = tuple(objections)
        self.source = source
        self._by_id = {objection.id: objection for objection in self.objections}
        self._by_key: dict[str, BankMatch] = {}
        for objection in self.objections:
            lines: list[tuple[str | None, MatchKind]] = [
                (objection.text, "objection"),
                (objection.insist, "insist"),
                (objection.follow_up, "follow_up"),
                (objection.moves_on, "moves_on"),
            ]
            for line, kind in lines:
                if line:
                    self._by_key.setdefault(match_key(line), BankMatch(objection, kind))
        self._keys = list(self._by_key)

    def __len__(self) -> int:
        """Return the number of objections."""
        return len(self.objections)

    def __iter__(self) -> Iterator[Objection]:
        """Iterate over the objections."""
        return iter(self.objections)

    def get(self, objection_id: str) -> Objection | None:
        """Return the objection with this id, if any."""
        return self._by_id.get(objection_id)

    def in_category(self, category: str | None) -> tuple[Objection, ...]:
        """Return the objections of a category (all of them for None)."""
        if category is None:
            return self.objections
        return tuple(objection for objection in self.objections if objection.category == category)

    def match(self, text: str) -> BankMatch | None:
        """Recognise a bank line (objection, insist or follow-up) from its text."""
        key = match_key(text or "")
        if not key:
            return None
        exact = self._by_key.get(key)
        if exact is not None:
            return exact
        found = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        return self._by_key[found[0]] if found else None


def _entry_where(data: Any, index: int | None) -> str:
    """Describe which entry of the bank an error is about."""
    if index is None:
        return texts.BANK_WHERE_FILE
    entries = data.get("objections") if isinstance(data, dict) else None
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return texts.BANK_WHERE_ENTRY.format(id=entry["id"], index=index + 1)
    return texts.BANK_WHERE_ENTRY_NO_ID.format(index=index + 1)


def _field_path(error: ValidationError) -> str:
    """Return the dotted path of the failing field inside its entry."""
    parts = [str(part) for part in error.absolute_path]
    if len(parts) >= 2 and parts[0] == "objections":
        parts = parts[2:]
    return ".".join(parts) or "(racine)"


def _describe(error: ValidationError) -> tuple[str, str]:
    """Turn a JSON-schema error into a French problem and fix."""
    field = _field_path(error)
    kind = error.validator
    if kind == "required":
        present = set(error.instance) if isinstance(error.instance, dict) else set()
        missing = [name for name in error.validator_value if name not in present]
        name = missing[0] if missing else field
        return f"champ « {name} » manquant", texts.BANK_FIX_REQUIRED.format(field=name)
    if kind == "enum":
        values = ", ".join(str(value) for value in error.validator_value)
        problem = f"champ « {field} » : valeur « {error.instance} » non autorisée"
        return problem, texts.BANK_FIX_ENUM.format(values=values)
    if kind in {"type", "const"}:
        expected = error.validator_value
        problem = f"champ « {field} » : valeur « {error.instance} » invalide"
        return problem, texts.BANK_FIX_TYPE.format(field=field, type=expected)
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extras = sorted(set(error.instance) - allowed) if isinstance(error.instance, dict) else []
        problem = f"champ(s) inconnu(s) : {', '.join(extras)}"
        return problem, texts.BANK_FIX_EXTRA.format(fields=", ".join(extras))
    if kind in {"minimum", "maximum"}:
        operator = "≥" if kind == "minimum" else "≤"
        problem = f"champ « {field} » : valeur « {error.instance} » hors bornes"
        return problem, texts.BANK_FIX_RANGE.format(operator=operator, value=error.validator_value)
    if kind in {"minLength", "maxLength", "minItems", "maxItems"}:
        problem = f"champ « {field} » : {kind} = {error.validator_value} non respecté"
        return problem, texts.BANK_FIX_LENGTH.format(detail=f"{kind} {error.validator_value}")
    if kind == "oneOf":
        return "réaction à une bonne réponse mal définie", texts.BANK_FIX_ONE_OF
    if kind == "pattern":
        return f"champ « {field} » : « {error.instance} » mal formé", texts.BANK_FIX_PATTERN
    if kind == "uniqueItems":
        return f"champ « {field} » : doublons", texts.BANK_FIX_GENERIC
    return f"champ « {field} » : {error.message}", texts.BANK_FIX_GENERIC


def _entry_index(error: ValidationError) -> int | None:
    """Return the index of the bank entry an error belongs to."""
    path = list(error.absolute_path)
    if len(path) >= 2 and path[0] == "objections" and isinstance(path[1], int):
        return path[1]
    return None


@lru_cache(maxsize=4)
def _schema_validator(schema_path: Path) -> Draft202012Validator:
    """Build the JSON-schema validator of the bank once."""
    with schema_path.open(encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate_bank_data(data: Any, source: str = "objections.yml") -> list[str]:
    """Return the French problems of a bank document (empty when valid)."""
    validator = _schema_validator(BANK_SCHEMA_PATH)
    problems: list[str] = []
    errors = sorted(validator.iter_errors(data), key=lambda err: [str(p) for p in err.path])
    for error in errors:
        problem, fix = _describe(error)
        where = _entry_where(data, _entry_index(error))
        problems.append(texts.BANK_ERROR_LINE.format(where=where, problem=problem, fix=fix))
    entries = data.get("objections") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return problems
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        where = _entry_where(data, index)
        objection_id = entry["id"]
        if objection_id in seen:
            problem = texts.BANK_PROBLEM_DUPLICATE.format(id=objection_id)
            problems.append(
                texts.BANK_ERROR_LINE.format(
                    where=where, problem=problem, fix=texts.BANK_FIX_DUPLICATE
                )
            )
        seen.add(objection_id)
        category = entry.get("category")
        if isinstance(category, str) and not objection_id.startswith(f"{category}-"):
            problem = texts.BANK_PROBLEM_ID_CATEGORY.format(id=objection_id, category=category)
            fix = texts.BANK_FIX_ID_CATEGORY.format(category=category)
            problems.append(texts.BANK_ERROR_LINE.format(where=where, problem=problem, fix=fix))
    return problems


def _build(entry: dict[str, Any]) -> Objection:
    """Build an Objection from a validated YAML entry."""
    return Objection(
        id=entry["id"],
        category=entry["category"],
        sector=entry["sector"],
        buyer_role=entry["buyer_role"],
        difficulty=int(entry["difficulty"]),
        motive=entry["motive"],
        buyer=entry["scene"]["buyer"],
        offer=entry["scene"]["offer"],
        text=entry["objection"],
        model_answers=tuple(
            ModelAnswer(text=answer["text"], techniques=tuple(answer["techniques"]))
            for answer in entry["model_answers"]
        ),
        insist=entry["insist"],
        follow_up=entry.get("follow_up"),
        moves_on=entry.get("moves_on"),
    )


def parse_bank(data: Any, source: str = "objections.yml") -> ObjectionBank:
    """Validate a loaded bank document and build the bank, or raise BankError."""
    problems = validate_bank_data(data, source)
    if problems:
        header = texts.BANK_ERROR_HEADER.format(path=source)
        raise BankError("\n".join([header, *problems]), problems)
    return ObjectionBank((_build(entry) for entry in data["objections"]), source=source)


def load_bank(path: str | Path | None = None) -> ObjectionBank:
    """Load and validate an objection bank file (the packaged one by default)."""
    bank_path = Path(path) if path is not None else BANK_PATH
    if path is None:
        return _default_bank()
    return _load(bank_path)


def _load(bank_path: Path) -> ObjectionBank:
    """Read, validate and build a bank from a YAML file."""
    try:
        raw = bank_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BankError(texts.BANK_FILE_MISSING.format(path=bank_path)) from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        message = texts.BANK_YAML_ERROR.format(path=bank_path, error=exc)
        raise BankError(message) from exc
    return parse_bank(data, source=str(bank_path))


@lru_cache(maxsize=1)
def _default_bank() -> ObjectionBank:
    """Load the packaged bank once per process."""
    return _load(BANK_PATH)
