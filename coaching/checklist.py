"""Coaching checklists: YAML data checked against a JSON schema, and a pure form-like engine.

The six checklists (``preparer``, ``decouvrir``, ``argumenter``, ``negocier``, ``conclure``,
``debrief``) live in ``coaching/checklists/*.yml`` and are validated when loaded; an error names
the file, the item and the fix. A :class:`ChecklistRun` asks one item at a time, like a rasa-sdk
form: it validates each answer by type, explains in French what it expects when an answer is
wrong, and keeps its whole state in a plain JSON-able dict (for a database JSON column), so a run
resumes after a restart. No Telegram and no database here: the bot layer turns each
:class:`Step` into a message with inline buttons and stores :attr:`ChecklistRun.state`.

State format (``ChecklistRun.state``)::

    {"v": 1, "kind": "negocier", "company": "Dupont SA", "context": {...journal facts...},
     "index": 3, "item_id": "seuil_rupture", "started": true, "finished": false,
     "answers": {"faits": {"status": "done"}, "prix_depart": {"value": 14000},
                 "discutable": {"status": "skipped"}, "montant": {"status": "na", "auto": true}},
     "pending": []}

``status`` is ``done``/``todo``/``na`` for check items, ``skipped`` for skipped items and ``na``
for any item answered "pas concerné" (``auto`` when a ``skip_if`` rule answered it); ``value`` is
a number (number, amount), an ISO date (date), a text, an option code (choice) or a list of option
codes (multiple choice). ``pending`` is the selection of a multiple choice not yet validated.
"""

from __future__ import annotations

import copy
import json
import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from coaching import checklist_texts as T

try:  # shared French normalisers of the NLU layer; the engine has fallbacks of its own
    from nlu import normalize as _nlu
except Exception:  # pragma: no cover - the engine must load even when the NLU layer does not
    _nlu = None

CHECKLIST_KINDS: tuple[str, ...] = (
    "preparer",
    "decouvrir",
    "argumenter",
    "negocier",
    "conclure",
    "debrief",
)
ITEM_TYPES: tuple[str, ...] = ("check", "number", "amount", "date", "text", "choice")
CHECK_STATUSES: tuple[str, ...] = ("done", "todo", "na")
CONTEXT_KEYS: tuple[str, ...] = (
    "company",
    "contacts",
    "last_activities",
    "open_quotes",
    "overdue_followups",
    "last_outcome",
    "last_amount",
)
# Journal codes (same as journal.card.OUTCOMES and the NLU objection codes).
JOURNAL_OUTCOMES: tuple[str, ...] = (
    "rdv",
    "devis",
    "commande",
    "refus",
    "rappel",
    "injoignable",
    "interesse",
)
JOURNAL_OBJECTIONS: tuple[str, ...] = (
    "prix",
    "concurrent",
    "timing",
    "besoin",
    "confiance",
    "decision",
)
JOURNAL_FIELDS: tuple[str, ...] = ("outcome", "amount", "followup", "objections", "note")
BUTTON_CODES: frozenset[str] = frozenset(
    {"done", "todo", "na", "skip", "why", "back", "prefill", "validate", "none"}
)
TEXT_LIMIT = 500
STATE_VERSION = 1

CHECKLIST_DIR = Path(__file__).resolve().parent / "checklists"
SCHEMA_PATH = CHECKLIST_DIR / "checklist.schema.json"
_PROJECT_ROOT = Path(__file__).resolve().parent.parent

_JOURNAL_TYPES = {
    "outcome": "choice",
    "amount": "amount",
    "followup": "date",
    "objections": "choice",
    "note": "text",
}
_TYPE_NAMES = {
    "string": "texte",
    "number": "nombre",
    "integer": "entier",
    "boolean": "booléen (true ou false)",
    "array": "liste",
    "object": "dictionnaire",
}

# Items with these roles get their own summary lines; the "ready" list names them only.
_ROLES_SHOWN_BELOW = frozenset({"counterparts", "walk_away", "commitments", "next_step"})

Button = tuple[str, str]
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- data -------------------------------------------------------------------------------


class ChecklistError(ValueError):
    """One or more checklist files are invalid; each line names the file, the item and the fix."""

    def __init__(self, errors: list[str]) -> None:
        """Keep the error lines and build the message."""
        self.errors = errors
        super().__init__("\n".join([T.LOAD_TITLE.format(count=len(errors)), *errors]))


@dataclass(frozen=True, slots=True)
class Option:
    """One answer of a choice item."""

    code: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemDef:
    """One point of a checklist, as written in its YAML file."""

    id: str
    label: str
    prompt: str
    type: str
    why: str | None = None
    options: tuple[Option, ...] = ()
    multiple: bool = False
    prefill: str | None = None
    journal_field: str | None = None
    role: str | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    direction: str = "future"
    skip_if: tuple[str, tuple[str, ...]] | None = None

    def option(self, code: str) -> Option | None:
        """The option with this code, or None."""
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True, slots=True)
class ChecklistDef:
    """A validated checklist: its kind, titles and ordered items."""

    kind: str
    title: str
    emoji: str
    intro: str
    items: tuple[ItemDef, ...]
    source: str | None = None
    path: Path | None = None

    def index_of(self, item_id: str) -> int | None:
        """Position of an item, or None when the id is unknown."""
        return next((i for i, it in enumerate(self.items) if it.id == item_id), None)

    def item(self, item_id: str) -> ItemDef | None:
        """The item with this id, or None."""
        index = self.index_of(item_id)
        return None if index is None else self.items[index]

    def with_role(self, role: str) -> list[ItemDef]:
        """Items carrying a summary role (counterparts, walk_away, next_step…)."""
        return [it for it in self.items if it.role == role]


@dataclass(slots=True)
class Step:
    """What to show after a call: French text, rows of (label, code) buttons and flags."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    done: bool = False
    error: bool = False
    item_id: str | None = None


# --- text helpers -----------------------------------------------------------------------

_PUNCT = "".join(c for c in string.punctuation if c not in "%/?") + "«»“”’…"
_PUNCT_TABLE = str.maketrans({c: " " for c in _PUNCT})


def _fold(text: str) -> str:
    """Lower-case and strip accents (and emoji variation selectors)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c != "\ufe0f")


def _norm(text: str) -> str:
    """Accent-free lower-case words: punctuation becomes spaces, spaces are collapsed."""
    return " ".join(_fold(text).translate(_PUNCT_TABLE).split())


def _norm_set(words: tuple[str, ...]) -> frozenset[str]:
    """Normalise a tuple of answer words once."""
    return frozenset(_norm(w) for w in words)


_CHECK_WORDS = {status: _norm_set(words) for status, words in T.CHECK_WORDS.items()}
_NA_WORDS = _norm_set(T.NA_WORDS)
_COMMAND_WORDS = {cmd: _norm_set(words) for cmd, words in T.COMMAND_WORDS.items()}
_NO_CHOICE_WORDS = _norm_set(T.NO_CHOICE_WORDS)
_KIND_RES = tuple(
    (kind, re.compile(r"(?<![a-z0-9])(?:" + "|".join(patterns) + ")"))
    for kind, patterns in T.KIND_PATTERNS
)


def kind_from_text(text: str) -> str | None:
    """Checklist kind named in French ("prépa négo" → negocier, "débrief" → debrief), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    folded = " ".join(re.sub(r"[-'’]", " ", _fold(text)).split())
    for kind, regex in _KIND_RES:
        if regex.search(folded):
            return kind
    return None


# --- loading and validation -------------------------------------------------------------


def _display(path: Path) -> str:
    """Path shown in errors: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(_PROJECT_ROOT))
    except ValueError:
        return str(path)


def _line(file: str, where: str, problem: str, fix: str) -> str:
    """One error line: file, item, problem and fix."""
    return T.LOAD_LINE.format(file=file, where=where, problem=problem, fix=fix)


def _where(raw: Mapping[str, Any], path: list[Any]) -> tuple[str, list[Any]]:
    """Locate a schema error: the item (by id when it has one) and the rest of the path."""
    if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
        items = raw.get("items")
        item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, str) and item_id:
            return T.LOAD_WHERE_ITEM.format(item=item_id), path[2:]
        return T.LOAD_WHERE_INDEX.format(index=path[1] + 1), path[2:]
    return T.LOAD_WHERE_TOP, path


def _key(rest: list[Any], default: str = "") -> str:
    """Readable key of a path inside an item: "options.2.code"."""
    parts = [str(p + 1) if isinstance(p, int) else str(p) for p in rest]
    return ".".join(parts) or default


def _schema_problem(error: ValidationError, rest: list[Any]) -> tuple[str, str]:
    """French problem and fix for one JSON-schema error."""
    key = _key(rest, "items")
    validator, expected, instance = error.validator, error.validator_value, error.instance
    if validator == "required":
        missing = [k for k in expected if isinstance(instance, dict) and k not in instance]
        name = ".".join(filter(None, [_key(rest), missing[0] if missing else "?"]))
        return T.LOAD_REQUIRED.format(key=name), T.LOAD_REQUIRED_FIX.format(key=name)
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)
        name = ".".join(filter(None, [_key(rest), extra[0] if extra else "?"]))
        return (
            T.LOAD_UNKNOWN_KEY.format(key=name),
            T.LOAD_UNKNOWN_KEY_FIX.format(allowed=", ".join(allowed)),
        )
    if validator == "enum":
        return (
            T.LOAD_ENUM.format(key=key, value=instance),
            T.LOAD_ENUM_FIX.format(allowed=", ".join(map(str, expected))),
        )
    if validator == "type":
        names = expected if isinstance(expected, list) else [expected]
        kind = " ou ".join(_TYPE_NAMES.get(n, n) for n in names)
        return T.LOAD_TYPE.format(key=key, expected=kind), T.LOAD_TYPE_FIX.format(expected=kind)
    if validator == "maxLength":
        return (
            T.LOAD_TOO_LONG.format(key=key, length=len(instance), limit=expected),
            T.LOAD_TOO_LONG_FIX.format(limit=expected),
        )
    if validator == "minLength":
        return T.LOAD_TOO_SHORT.format(key=key, limit=expected), T.LOAD_TOO_SHORT_FIX
    if validator in ("minItems", "maxItems"):
        low, high = error.schema.get("minItems", 0), error.schema.get("maxItems", "∞")
        return (
            T.LOAD_ITEMS_COUNT.format(key=key, count=len(instance), low=low, high=high),
            T.LOAD_ITEMS_COUNT_FIX,
        )
    if validator == "pattern":
        return T.LOAD_PATTERN.format(key=key, value=instance), T.LOAD_PATTERN_FIX
    return T.LOAD_OTHER.format(key=key, detail=error.message), T.LOAD_OTHER_FIX


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    """The JSON-schema validator of a checklist file (loaded once)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _schema_errors(raw: Mapping[str, Any], file: str) -> list[str]:
    """Schema errors of one parsed file, as French lines."""
    lines = []
    for error in sorted(_validator().iter_errors(raw), key=lambda e: list(map(str, e.path))):
        where, rest = _where(raw, list(error.absolute_path))
        problem, fix = _schema_problem(error, rest)
        lines.append(_line(file, where, problem, fix))
    return lines


def _item_errors(
    item: Mapping[str, Any], earlier: dict[str, Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """Cross-field problems of one item that the schema cannot express: (problem, fix) pairs."""
    problems: list[tuple[str, str]] = []
    kind = item["type"]
    only_for = {
        "options": ("choice",),
        "multiple": ("choice",),
        "min": ("number",),
        "max": ("number",),
        "unit": ("number",),
        "direction": ("date",),
    }
    for key, types in only_for.items():
        if key in item and kind not in types:
            problems.append(
                (
                    T.LOAD_ONLY_FOR.format(key=key, types=", ".join(types)),
                    T.LOAD_ONLY_FOR_FIX.format(key=key),
                )
            )
    if "min" in item and "max" in item and item["min"] > item["max"]:
        problems.append(
            (T.LOAD_MIN_MAX.format(low=item["min"], high=item["max"]), T.LOAD_MIN_MAX_FIX)
        )
    codes = [o["code"] for o in item.get("options", [])]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append((T.LOAD_DUPLICATE_OPTION.format(code=code), T.LOAD_DUPLICATE_OPTION_FIX))
    for code in sorted(set(codes) & BUTTON_CODES):
        problems.append(
            (
                T.LOAD_RESERVED_OPTION.format(code=code),
                T.LOAD_RESERVED_OPTION_FIX.format(reserved=", ".join(sorted(BUTTON_CODES))),
            )
        )
    for ref, ref_codes in item.get("skip_if", {}).items():
        target = earlier.get(ref)
        if target is None or target["type"] != "choice":
            problems.append((T.LOAD_SKIP_REF.format(ref=ref), T.LOAD_SKIP_REF_FIX))
            continue
        unknown = sorted(set(ref_codes) - {o["code"] for o in target.get("options", [])})
        if unknown:
            problems.append(
                (
                    T.LOAD_SKIP_CODES.format(ref=ref, codes=", ".join(unknown)),
                    T.LOAD_SKIP_CODES_FIX.format(ref=ref),
                )
            )
    return problems


def _journal_errors(item: Mapping[str, Any], kind: str, taken: set[str]) -> list[tuple[str, str]]:
    """Problems of an item's journal_field: allowed kind, answer type and codes."""
    name = item.get("journal_field")
    if name is None:
        return []
    if kind != "debrief":
        return [(T.LOAD_JOURNAL_KIND, T.LOAD_JOURNAL_KIND_FIX)]
    problems: list[tuple[str, str]] = []
    expected = _JOURNAL_TYPES[name]
    if item["type"] != expected:
        problems.append(
            (
                T.LOAD_JOURNAL_TYPE.format(field=name, expected=expected),
                T.LOAD_JOURNAL_TYPE_FIX.format(expected=expected),
            )
        )
    allowed = {"outcome": JOURNAL_OUTCOMES, "objections": JOURNAL_OBJECTIONS}.get(name)
    if allowed is not None:
        found = sorted({o["code"] for o in item.get("options", [])} - set(allowed))
        if found:
            problems.append(
                (
                    T.LOAD_JOURNAL_CODES.format(
                        field=name, allowed="|".join(allowed), found=", ".join(found)
                    ),
                    T.LOAD_JOURNAL_CODES_FIX,
                )
            )
        if name == "objections" and not item.get("multiple"):
            problems.append((T.LOAD_JOURNAL_MULTIPLE, T.LOAD_JOURNAL_MULTIPLE_FIX))
        if name == "outcome" and item.get("multiple"):
            problems.append(
                (T.LOAD_ONLY_FOR.format(key="multiple", types="objections"), T.LOAD_OTHER_FIX)
            )
    if name != "note" and name in taken:
        problems.append(
            (T.LOAD_JOURNAL_DUPLICATE.format(field=name), T.LOAD_JOURNAL_DUPLICATE_FIX)
        )
    taken.add(name)
    return problems


def _semantic_errors(raw: Mapping[str, Any], file: str, stem: str) -> list[str]:
    """Cross-item checks of a schema-valid file (unique ids, journal fields, skip_if…)."""
    lines = []
    if raw["kind"] != stem:
        lines.append(
            _line(
                file,
                T.LOAD_WHERE_TOP,
                T.LOAD_KIND_NAME.format(stem=stem, kind=raw["kind"]),
                T.LOAD_KIND_NAME_FIX.format(kind=raw["kind"]),
            )
        )
    earlier: dict[str, Mapping[str, Any]] = {}
    taken: set[str] = set()
    for item in raw["items"]:
        where = T.LOAD_WHERE_ITEM.format(item=item["id"])
        problems = []
        if item["id"] in earlier:
            problems.append((T.LOAD_DUPLICATE_ID, T.LOAD_DUPLICATE_ID_FIX))
        problems += _item_errors(item, earlier)
        problems += _journal_errors(item, raw["kind"], taken)
        lines += [_line(file, where, problem, fix) for problem, fix in problems]
        earlier.setdefault(item["id"], item)
    return lines


def _build(raw: Mapping[str, Any], path: Path) -> ChecklistDef:
    """Turn a valid parsed file into a ChecklistDef."""
    items = []
    for it in raw["items"]:
        skip = next(iter(it["skip_if"].items())) if it.get("skip_if") else None
        items.append(
            ItemDef(
                id=it["id"],
                label=it["label"],
                prompt=it["prompt"],
                type=it["type"],
                why=it.get("why"),
                options=tuple(
                    Option(o["code"], o["label"], tuple(o.get("aliases", ())))
                    for o in it.get("options", ())
                ),
                multiple=bool(it.get("multiple", False)),
                prefill=it.get("prefill"),
                journal_field=it.get("journal_field"),
                role=it.get("role"),
                min=it.get("min"),
                max=it.get("max"),
                unit=it.get("unit"),
                direction=it.get("direction", "future"),
                skip_if=(skip[0], tuple(skip[1])) if skip else None,
            )
        )
    return ChecklistDef(
        kind=raw["kind"],
        title=raw["title"],
        emoji=raw["emoji"],
        intro=raw["intro"],
        items=tuple(items),
        source=raw.get("source"),
        path=path,
    )


@lru_cache(maxsize=8)
def _load_directory(directory: str) -> dict[str, ChecklistDef]:
    """Load and validate every ``*.yml`` of a directory; raise ChecklistError listing all errors."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ChecklistError(
            [_line(str(folder), T.LOAD_WHERE_TOP, T.LOAD_NO_DIRECTORY, T.LOAD_NO_DIRECTORY_FIX)]
        )
    errors: list[str] = []
    found: dict[str, ChecklistDef] = {}
    files = sorted(folder.glob("*.yml"))
    for path in files:
        file = _display(path)
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            detail = f"ligne {mark.line + 1}" if mark is not None else str(exc).splitlines()[0]
            errors.append(
                _line(file, T.LOAD_WHERE_TOP, T.LOAD_YAML.format(detail=detail), T.LOAD_YAML_FIX)
            )
            continue
        if not isinstance(raw, dict):
            errors.append(
                _line(file, T.LOAD_WHERE_TOP, T.LOAD_NOT_MAPPING, T.LOAD_NOT_MAPPING_FIX)
            )
            continue
        file_errors = _schema_errors(raw, file) or _semantic_errors(raw, file, path.stem)
        if file_errors:
            errors += file_errors
            continue
        found[raw["kind"]] = _build(raw, path)
    stems = {p.stem for p in files}
    for kind in CHECKLIST_KINDS:
        if kind not in found and kind not in stems:
            errors.append(
                _line(
                    _display(folder / f"{kind}.yml"),
                    T.LOAD_WHERE_TOP,
                    T.LOAD_MISSING_KIND.format(kind=kind),
                    T.LOAD_MISSING_KIND_FIX.format(kind=kind, directory=_display(folder)),
                )
            )
    if errors:
        raise ChecklistError(errors)
    return {kind: found[kind] for kind in CHECKLIST_KINDS}


def load_checklists(directory: str | Path | None = None) -> dict[str, ChecklistDef]:
    """The six checklists, validated once per directory (ChecklistError when a file is wrong)."""
    folder = Path(directory) if directory is not None else CHECKLIST_DIR
    return dict(_load_directory(str(folder.resolve())))


# --- answer parsing ---------------------------------------------------------------------

_NUMBER_RE = re.compile(r"(?:environ |env |~ ?)?(-?\d+(?:[.,]\d+)?)\s*(%|[^\d]{0,20})")
_FALLBACK_AMOUNT_RE = re.compile(
    r"(\d+(?:[.,]\d+)?)(k|m)?(?:€|e|eur|euro|euros)?(?:ht|ttc)?", re.ASCII
)
_DMY_RE = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?")
_IN_RE = re.compile(r"dans (\d+) (jours?|semaines?|mois)")
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _today(now: date | datetime | None) -> date:
    """The calendar day of `now` (today when None)."""
    if now is None:
        return date.today()
    return now.date() if isinstance(now, datetime) else now


def _to_number(value: float) -> int | float:
    """An int when the value is whole, else a float."""
    return int(value) if float(value).is_integer() else float(value)


def _parse_amount(text: str) -> int | float | None:
    """A sum in euros ("12k€", "3 500 €", "douze mille"), or None."""
    if _nlu is not None:
        value = _nlu.parse_amount(text)
        return None if value is None else _to_number(value)
    folded = _norm(text).replace(" ", "").replace("\u202f", "")
    m = _FALLBACK_AMOUNT_RE.fullmatch(folded)
    if not m:
        return None
    number = float(m[1].replace(",", "."))
    number *= {"k": 1000, "m": 1_000_000}.get(m[2] or "", 1)
    return _to_number(number)


def _fallback_date(folded: str, today: date, direction: str) -> date | None:
    """Small French date reader used when the NLU normalisers are unavailable."""
    sign = 1 if direction == "future" else -1
    words = {"aujourd hui": 0, "demain": 1, "apres demain": 2, "hier": -1, "avant hier": -2}
    if folded in words:
        return today + timedelta(days=words[folded])
    m = _IN_RE.search(folded)
    if m:
        count, unit = int(m[1]), m[2]
        days = count * (7 if unit.startswith("semaine") else 30 if unit == "mois" else 1)
        return today + timedelta(days=days)
    m = _DMY_RE.search(folded)
    if m:
        year = int(m[3]) if m[3] else today.year
        year += 2000 if year < 100 else 0
        try:
            day = date(year, int(m[2]), int(m[1]))
        except ValueError:
            return None
        if not m[3] and (day - today).days * sign < 0:
            day = day.replace(year=day.year + sign)
        return day
    for offset, name in enumerate(_WEEKDAYS):
        if re.search(rf"(?<![a-z]){name}(?![a-z])", folded):
            delta = (offset - today.weekday()) % 7 or 7
            return today + timedelta(days=delta if sign > 0 else delta - 7)
    return None


def _parse_date(text: str, now: date | datetime | None, direction: str) -> date | None:
    """A date written in French ("jeudi", "12/03", "dans 15 jours") or ISO, or None."""
    stripped = text.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}", stripped):
        try:
            return date.fromisoformat(stripped[:10])
        except ValueError:
            return None
    today = _today(now)
    if _nlu is not None:
        value = _nlu.resolve_date(stripped, now if now is not None else today, direction)
        if value:
            return date.fromisoformat(value[:10])
    return _fallback_date(_norm(stripped), today, direction)


def _option_words(option: Option) -> set[str]:
    """Normalised code, label and aliases of an option."""
    return {_norm(option.code.replace("_", " ")), _norm(option.label)} | {
        _norm(a) for a in option.aliases
    }


def _contains(haystack: str, needle: str) -> bool:
    """Whether `needle` appears as whole words in `haystack`."""
    return bool(needle) and re.search(rf"(?<!\S){re.escape(needle)}(?!\S)", haystack) is not None


def _option_hits(item: ItemDef, fragment: str) -> list[str]:
    """Codes of the options a text fragment names: number, code, label, alias, then loosely."""
    norm = _norm(fragment)
    if not norm:
        return []
    if norm.isdigit():
        index = int(norm) - 1
        return [item.options[index].code] if 0 <= index < len(item.options) else []
    exact = [o.code for o in item.options if norm in _option_words(o)]
    if exact:
        return exact
    codes = {o.code for o in item.options}
    if _nlu is not None and item.journal_field in ("outcome", "objections"):
        normalize = (
            _nlu.normalize_outcome if item.journal_field == "outcome" else _nlu.normalize_objection
        )
        code = normalize(fragment)
        if code in codes:
            return [code]
    loose = []
    for option in item.options:
        words = _option_words(option)
        prefix = len(norm) >= 3 and any(w.startswith(norm) for w in words)
        if prefix or any(_contains(norm, w) for w in words if len(w) >= 3):
            loose.append(option.code)
    return loose


def _split_choices(text: str) -> list[str]:
    """Fragments of a multiple-choice answer: "prix, timing et concurrent", "1 3"."""
    norm = _norm(text)
    if re.fullmatch(r"\d+(?: \d+)+", norm):
        return norm.split()
    return [p for p in re.split(r"[,;/+&\n]| et | puis ", text) if p.strip()]


# --- the run ----------------------------------------------------------------------------


def _fact_value(value: Any) -> str:
    """One journal value as text; ISO dates become French dates."""
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?", text):
        try:
            return T.format_day(text)
        except ValueError:
            return text
    return text


def _jsonable(value: Any) -> Any:
    """A JSON-able deep copy (dates become ISO strings)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


class ChecklistRun:
    """One checklist being filled: ask, validate, go back, skip, explain, summarise.

    Build it empty and call :meth:`start`, or rebuild it from a stored :attr:`state` and call
    :meth:`resume`. Every public method returns a :class:`Step` (or text) and never raises on
    user input.
    """

    def __init__(
        self,
        state: Mapping[str, Any] | None = None,
        *,
        checklists: Mapping[str, ChecklistDef] | None = None,
    ) -> None:
        """Rebuild a run from its JSON state (a fresh, not started run when None)."""
        self._checklists = checklists
        raw = _jsonable(dict(state)) if state else {}
        answers = raw.get("answers")
        context = raw.get("context")
        pending = raw.get("pending")
        self._state: dict[str, Any] = {
            "v": STATE_VERSION,
            "kind": raw.get("kind") if isinstance(raw.get("kind"), str) else None,
            "company": raw.get("company") if isinstance(raw.get("company"), str) else None,
            "context": context if isinstance(context, dict) else {},
            "index": raw.get("index") if isinstance(raw.get("index"), int) else 0,
            "item_id": raw.get("item_id") if isinstance(raw.get("item_id"), str) else None,
            "answers": {k: v for k, v in (answers or {}).items() if isinstance(v, dict)}
            if isinstance(answers, dict)
            else {},
            "pending": [c for c in pending if isinstance(c, str)]
            if isinstance(pending, list)
            else [],
            "started": bool(raw.get("started")),
            "finished": bool(raw.get("finished")),
        }
        self._realign()

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], checklists: Mapping[str, ChecklistDef] | None = None
    ) -> ChecklistRun:
        """Rebuild a stored run (same as the constructor, for readability at call sites)."""
        return cls(state, checklists=checklists)

    # -- state -----------------------------------------------------------------------------

    @property
    def state(self) -> dict[str, Any]:
        """A JSON-able copy of the whole state, to store and pass back to the constructor."""
        return copy.deepcopy(self._state)

    @property
    def kind(self) -> str | None:
        """The checklist kind, None before start."""
        return self._state["kind"]

    @property
    def company(self) -> str | None:
        """The company the checklist is about, if any."""
        return self._state["company"]

    @property
    def started(self) -> bool:
        """Whether start() was called on a known checklist."""
        return self._state["started"] and self.definition is not None

    @property
    def done(self) -> bool:
        """Whether every item has been answered, skipped or marked not applicable."""
        return self.started and self._state["finished"]

    @property
    def definition(self) -> ChecklistDef | None:
        """The checklist being run, None before start or when its kind is unknown."""
        kind = self._state["kind"]
        if kind is None:
            return None
        return self._defs().get(kind)

    @property
    def current_item(self) -> ItemDef | None:
        """The item being asked, None when not started or finished."""
        definition = self.definition
        if definition is None or self._state["finished"] or not self._state["started"]:
            return None
        index = self._state["index"]
        return definition.items[index] if 0 <= index < len(definition.items) else None

    def _defs(self) -> Mapping[str, ChecklistDef]:
        """The checklist definitions (loaded lazily)."""
        if self._checklists is None:
            self._checklists = load_checklists()
        return self._checklists

    def _realign(self) -> None:
        """After a reload, follow the current item by id even if the file's order changed."""
        definition = self.definition
        if definition is None or not self._state["started"]:
            return
        count = len(definition.items)
        item_id = self._state["item_id"]
        index = definition.index_of(item_id) if item_id else None
        if index is None:
            index = min(max(self._state["index"], 0), count)
        if self._state["finished"]:
            index = count
        elif index >= count:
            self._state["finished"] = True
            index = count
        self._set_index(index)

    def _set_index(self, index: int) -> None:
        """Move to an item (len(items) when finished) and remember its id."""
        definition = self.definition
        self._state["index"] = index
        in_range = definition is not None and 0 <= index < len(definition.items)
        self._state["item_id"] = definition.items[index].id if in_range else None

    # -- public API ------------------------------------------------------------------------

    def start(self, kind: str, context: Mapping[str, Any] | None = None) -> Step:
        """Start a checklist: a recap of the journal facts, then the first item."""
        defs = self._defs()
        name = kind if kind in defs else kind_from_text(kind or "")
        if name not in defs:
            labels = ", ".join(f"{T.KIND_LABELS[k]} ({k})" for k in CHECKLIST_KINDS if k in defs)
            return Step(T.UNKNOWN_KIND.format(kinds=labels), error=True)
        facts = _jsonable(dict(context or {}))
        company = facts.get("company")
        self._state.update(
            kind=name,
            company=company.strip() if isinstance(company, str) and company.strip() else None,
            context=facts,
            index=0,
            item_id=None,
            answers={},
            pending=[],
            started=True,
            finished=False,
        )
        definition = defs[name]
        intro = T.INTRO_LINE.format(
            emoji=definition.emoji,
            title=definition.title,
            count=len(definition.items),
            intro=definition.intro,
        )
        step = self._advance(-1)
        step.text = f"{self._recap()}\n\n{intro}\n\n{step.text}"
        return step

    def current(self) -> Step:
        """Show the current item again (or the summary when finished)."""
        if not self.started:
            return Step(T.NOTHING_RUNNING, error=True)
        if self._state["finished"]:
            return self._finished_step(T.ALREADY_FINISHED)
        return self._ask(self._item())

    def resume(self) -> Step:
        """The current item after a restart, introduced by one line."""
        step = self.current()
        if self.started and not step.done:
            step.text = f"{T.RESUME}\n\n{step.text}"
        return step

    def answer(self, value_text: str, now: date | datetime | None = None) -> Step:
        """Validate a typed answer for the current item; an error Step explains what is expected."""
        if not self.started:
            return Step(T.NOTHING_RUNNING, error=True)
        if self._state["finished"]:
            return self._finished_step(T.ALREADY_FINISHED)
        item = self._item()
        text = value_text.strip() if isinstance(value_text, str) else ""
        norm = _norm(text)
        if not text:
            return self._error(item, T.ERR_EMPTY.format(hint=self._hint(item)))
        for command, words in _COMMAND_WORDS.items():
            if norm in words or text in words:
                return self.press(command)
        if item.type == "check":
            status = self._check_status(norm)
            if status is None:
                return self._error(item, T.ERR_CHECK)
            return self._record(item, {"status": status})
        if norm in _NA_WORDS:
            return self._record(item, {"status": "na"})
        value, problem = self._parse(item, text, now)
        if problem is not None:
            return self._error(item, problem)
        return self._record(item, {"value": value})

    def press(self, code: str) -> Step:
        """Apply a button: a check status, an option, or skip / why / back / prefill."""
        if not self.started:
            return Step(T.NOTHING_RUNNING, error=True)
        code = code.strip() if isinstance(code, str) else ""
        if self._state["finished"]:
            return self._back() if code == "back" else self._finished_step(T.ALREADY_FINISHED)
        item = self._item()
        if code == "why":
            return self._why(item)
        if code == "back":
            return self._back()
        if code == "skip":
            return self._record(item, {"status": "skipped"})
        if code == "na":
            return self._record(item, {"status": "na"})
        if code == "prefill":
            value = self._prefill_value(item)
            if value is None:
                return self._error(item, T.ERR_NO_PREFILL)
            return self._record(item, {"value": value})
        if item.type == "check" and code in CHECK_STATUSES:
            return self._record(item, {"status": code})
        if item.type == "choice" and item.multiple:
            return self._press_multiple(item, code)
        if item.type == "choice" and item.option(code) is not None:
            return self._record(item, {"value": code})
        return self._error(item, T.ERR_BUTTON)

    def summary(self) -> str:
        """French summary: ready, to do, missing, counterparts, walk-away point, next steps."""
        definition = self.definition
        if definition is None or not self._state["started"]:
            return T.NOTHING_RUNNING
        company = T.HEADER_COMPANY.format(company=self.company) if self.company else ""
        lines = [T.SUMMARY_TITLE.format(title=definition.title, company=company)]
        if not self._state["finished"]:
            answered = sum(1 for it in definition.items if self._answered(it))
            lines.append(T.SUMMARY_PROGRESS.format(answered=answered, total=len(definition.items)))
        ready, todo, missing, not_applicable = self._sort_items()
        if ready:
            lines.append(T.SUMMARY_READY.format(count=len(ready), total=len(definition.items)))
            lines += [self._summary_line(it) for it in ready]
        else:
            lines.append(T.SUMMARY_NOTHING_READY)
        if todo:
            lines.append(T.SUMMARY_TODO.format(count=len(todo)))
            lines += [T.SUMMARY_ITEM.format(label=it.label) for it in todo]
        if missing:
            lines.append(T.SUMMARY_MISSING.format(count=len(missing)))
            lines += [T.SUMMARY_ITEM.format(label=it.label) for it in missing]
        if not_applicable:
            lines.append(T.SUMMARY_NA.format(labels=", ".join(it.label for it in not_applicable)))
        lines += self._negotiation_lines(definition)
        lines += self._next_lines(definition, todo + missing)
        updates = self.debrief_updates()
        if updates:
            fields = ", ".join(T.JOURNAL_FIELD_LABELS[f] for f in JOURNAL_FIELDS if f in updates)
            lines.append(T.SUMMARY_JOURNAL.format(fields=fields))
        return "\n".join(lines)

    def debrief_updates(self) -> dict[str, Any]:
        """Journal fields from a debrief run: outcome, amount, followup, objections, note."""
        definition = self.definition
        if definition is None or definition.kind != "debrief":
            return {}
        updates: dict[str, Any] = {}
        notes: list[str] = []
        for item in definition.items:
            entry = self._state["answers"].get(item.id, {})
            if item.journal_field is None or "value" not in entry or self._skipped_by_rule(item):
                continue
            value = entry["value"]
            name = item.journal_field
            if name == "outcome" and value in JOURNAL_OUTCOMES:
                updates["outcome"] = value
            elif name == "amount" and isinstance(value, int | float):
                updates["amount"] = float(value)
            elif name == "followup" and isinstance(value, str):
                updates["followup"] = value
            elif name == "objections" and isinstance(value, list):
                updates["objections"] = [c for c in JOURNAL_OBJECTIONS if c in value]
            elif name == "note" and isinstance(value, str) and value.strip():
                notes.append(T.NOTE_LINE.format(label=item.label, value=value.strip()))
        if notes:
            updates["note"] = "\n".join(notes)
        return updates

    # -- navigation ------------------------------------------------------------------------

    def _item(self) -> ItemDef:
        """The current item (only called while a run is open)."""
        item = self.current_item
        assert item is not None
        return item

    def _skipped_by_rule(self, item: ItemDef) -> bool:
        """Whether the item's skip_if rule holds given the answers so far."""
        if item.skip_if is None:
            return False
        ref, codes = item.skip_if
        value = self._state["answers"].get(ref, {}).get("value")
        return value in codes

    def _answered(self, item: ItemDef) -> bool:
        """Whether the item has an answer that still stands."""
        entry = self._state["answers"].get(item.id)
        if entry is None:
            return False
        return not (entry.get("auto") and not self._skipped_by_rule(item))

    def _advance(self, after: int) -> Step:
        """Ask the next unanswered item after `after` (then from the top); finish when none."""
        definition = self.definition
        assert definition is not None
        count = len(definition.items)
        self._state["pending"] = []
        for index in [*range(after + 1, count), *range(0, max(after + 1, 0))]:
            item = definition.items[index]
            if self._skipped_by_rule(item):
                self._state["answers"][item.id] = {"status": "na", "auto": True}
                continue
            if not self._answered(item):
                self._state["answers"].pop(item.id, None)
                self._set_index(index)
                return self._ask(item)
        self._state["finished"] = True
        self._set_index(count)
        return self._finished_step(T.FINISHED_TITLE)

    def _back(self) -> Step:
        """Go back to the previous item that applies, keeping its answer to show it."""
        definition = self.definition
        assert definition is not None
        for index in range(self._state["index"] - 1, -1, -1):
            item = definition.items[index]
            if not self._skipped_by_rule(item):
                self._state["finished"] = False
                self._state["pending"] = []
                self._set_index(index)
                return self._ask(item)
        return self._error(self._item(), T.ERR_FIRST_ITEM)

    def _record(self, item: ItemDef, entry: dict[str, Any]) -> Step:
        """Store an answer and move on."""
        self._state["answers"][item.id] = entry
        return self._advance(self._state["index"])

    def _press_multiple(self, item: ItemDef, code: str) -> Step:
        """Toggle an option of a multiple choice, or validate the selection."""
        pending: list[str] = self._state["pending"]
        if code == "validate":
            return self._record(
                item, {"value": [o.code for o in item.options if o.code in pending]}
            )
        if code == "none":
            return self._record(item, {"value": []})
        if item.option(code) is None:
            return self._error(item, T.ERR_BUTTON)
        if code in pending:
            pending.remove(code)
        else:
            pending.append(code)
        return self._ask(item)

    # -- parsing ---------------------------------------------------------------------------

    @staticmethod
    def _check_status(norm: str) -> str | None:
        """Status of a typed check answer ("fait", "à faire", "n/a", or 1/2/3), or None."""
        if norm in ("1", "2", "3"):
            return CHECK_STATUSES[int(norm) - 1]
        words = norm.split()
        # The whole answer, else its first words: "oui c'est fait", "non pas encore".
        for candidate in [norm, *(" ".join(words[:n]) for n in (3, 2, 1) if n < len(words))]:
            found = next((s for s, vocab in _CHECK_WORDS.items() if candidate in vocab), None)
            if found is not None:
                return found
        return None

    def _parse(
        self, item: ItemDef, text: str, now: date | datetime | None
    ) -> tuple[Any, str | None]:
        """Value of a typed answer for a non-check item, or the French reason it is refused."""
        if item.type == "number":
            return self._parse_number(item, text)
        if item.type == "amount":
            amount = _parse_amount(text)
            if amount is None or amount < 0:
                return None, T.ERR_AMOUNT
            return amount, None
        if item.type == "date":
            return self._parse_day(item, text, now)
        if item.type == "choice":
            return self._parse_choice(item, text)
        if len(text) > TEXT_LIMIT:
            return None, T.ERR_TEXT_LONG.format(length=len(text), limit=TEXT_LIMIT)
        return text, None

    @staticmethod
    def _parse_number(item: ItemDef, text: str) -> tuple[Any, str | None]:
        """A number within the item's bounds."""
        unit = T.format_unit(item.unit)
        m = _NUMBER_RE.fullmatch(_fold(text).strip())
        if m:
            value: int | float | None = _to_number(float(m[1].replace(",", ".")))
        else:
            value = _parse_amount(text) if not re.search(r"\d", text) else None
        if value is None:
            return None, T.ERR_NUMBER
        low, high = item.min, item.max
        if (low is not None and value < low) or (high is not None and value > high):
            fmt = T.format_number
            if low is not None and high is not None:
                return None, T.ERR_NUMBER_RANGE.format(low=fmt(low), high=fmt(high), unit=unit)
            if low is not None:
                return None, T.ERR_NUMBER_MIN.format(low=fmt(low), unit=unit)
            return None, T.ERR_NUMBER_MAX.format(high=fmt(high), unit=unit)
        return value, None

    @staticmethod
    def _parse_day(
        item: ItemDef, text: str, now: date | datetime | None
    ) -> tuple[Any, str | None]:
        """An ISO date on the right side of today."""
        day = _parse_date(text, now, item.direction)
        if day is None:
            return None, T.ERR_DATE
        today = _today(now)
        if item.direction == "future" and day < today:
            return None, T.ERR_DATE_PAST.format(day=T.format_day(day))
        if item.direction == "past" and day > today:
            return None, T.ERR_DATE_FUTURE.format(day=T.format_day(day))
        return day.isoformat(), None

    def _parse_choice(self, item: ItemDef, text: str) -> tuple[Any, str | None]:
        """One option code (or a list of codes for a multiple choice)."""
        options = "\n".join(
            T.OPTION_LINE.format(number=i, label=o.label) for i, o in enumerate(item.options, 1)
        )
        if not item.multiple:
            hits = _option_hits(item, text)
            if len(hits) != 1:
                return None, T.ERR_CHOICE.format(text=T.shorten(text, 40), options=options)
            return hits[0], None
        if _norm(text) in _NO_CHOICE_WORDS:
            return [], None
        chosen: set[str] = set()
        unknown = []
        for fragment in _split_choices(text):
            hits = _option_hits(item, fragment)
            if hits:
                chosen.update(hits)
            else:
                unknown.append(fragment.strip())
        if unknown or not chosen:
            shown = ", ".join(unknown) or text
            return None, T.ERR_CHOICE.format(text=T.shorten(shown, 40), options=options)
        return [o.code for o in item.options if o.code in chosen], None

    # -- journal facts ---------------------------------------------------------------------

    def _fact_text(self, key: str) -> str | None:
        """A journal fact of the context rendered in French, or None when absent or empty."""
        fact = self._state["context"].get(key)
        if fact is None or fact == "" or fact == []:
            return None
        if key == "last_outcome":
            return T.OUTCOME_LABELS.get(str(fact), str(fact))
        if key == "last_amount":
            return T.format_money(fact) if isinstance(fact, int | float) else str(fact)
        if isinstance(fact, list):
            entries = [self._entry_text(x) for x in fact[: T.RECAP_MAX_ENTRIES]]
            more = len(fact) - T.RECAP_MAX_ENTRIES
            text = " ; ".join(e for e in entries if e)
            return f"{text} (+{more})" if more > 0 else text or None
        return self._entry_text(fact) or None

    @staticmethod
    def _entry_text(entry: Any) -> str:
        """One contact ({name, role}), activity or follow-up as a short French string."""
        if isinstance(entry, dict):
            name = str(entry.get("name") or "").strip()
            role = entry.get("role")
            if name:
                role_text = T.ROLE_LABELS.get(str(role), str(role)) if role else ""
                return f"{name} ({role_text})" if role_text else name
            return ", ".join(_fact_value(v) for v in entry.values() if v not in (None, ""))
        return _fact_value(entry)

    def _recap(self) -> str:
        """What the journal already knows about the company, before the first item."""
        company = self.company
        if company is None:
            return T.RECAP_NO_COMPANY
        lines = []
        for key, template in T.RECAP_LINES.items():
            fact = self._fact_text(key)
            if fact:
                lines.append(template.format(value=fact))
        if not lines:
            return T.RECAP_EMPTY.format(company=company)
        return "\n".join([T.RECAP_TITLE.format(company=company), *lines])

    def _prefill_value(self, item: ItemDef) -> Any:
        """An answer taken from the journal fact named by the item, or None."""
        if item.prefill is None:
            return None
        fact = self._state["context"].get(item.prefill)
        if item.type in ("amount", "number"):
            ok = isinstance(fact, int | float) and not isinstance(fact, bool) and fact >= 0
            return fact if ok else None
        if item.type == "choice" and not item.multiple:
            return fact if isinstance(fact, str) and item.option(fact) else None
        if item.type == "date" and isinstance(fact, str):
            try:
                return date.fromisoformat(fact[:10]).isoformat()
            except ValueError:
                return None
        if item.type == "text":
            text = self._fact_text(item.prefill)
            return T.shorten(text, TEXT_LIMIT) if text else None
        return None

    # -- rendering -------------------------------------------------------------------------

    def _value_text(self, item: ItemDef, entry: Mapping[str, Any]) -> str:
        """An answer rendered in French ("12 000 €", "jeu. 12 mars", an option label…)."""
        if "value" not in entry:
            return T.STATUS_LABELS.get(str(entry.get("status")), "—")
        value = entry["value"]
        try:
            if item.type == "amount":
                return T.format_money(value)
            if item.type == "number":
                return f"{T.format_number(value)}{T.format_unit(item.unit)}"
            if item.type == "date":
                return T.format_day(value)
            if item.type == "choice":
                codes = value if isinstance(value, list) else [value]
                labels = [o.label for o in item.options if o.code in codes]
                return ", ".join(labels) or T.NONE_SELECTED
        except (TypeError, ValueError):
            pass
        return T.shorten(str(value))

    def _hint(self, item: ItemDef) -> str:
        """How to answer this item."""
        if item.type == "choice" and item.multiple:
            return T.HINTS["choice_multiple"]
        return T.HINTS[item.type].format(unit=f" (en {item.unit})" if item.unit else "")

    def _ask(self, item: ItemDef) -> Step:
        """The question Step of an item, with its buttons."""
        definition = self.definition
        assert definition is not None
        company = T.HEADER_COMPANY.format(company=self.company) if self.company else ""
        lines = [
            T.HEADER.format(
                emoji=definition.emoji,
                title=definition.title,
                company=company,
                position=self._state["index"] + 1,
                total=len(definition.items),
            ),
            item.prompt,
        ]
        fact = self._fact_text(item.prefill) if item.prefill else None
        if fact:
            lines.append(T.JOURNAL_FACT.format(fact=fact))
        entry = self._state["answers"].get(item.id)
        if entry and not entry.get("auto"):
            lines.append(T.CURRENT_ANSWER.format(value=self._value_text(item, entry)))
        if item.multiple and self._state["pending"]:
            labels = [o.label for o in item.options if o.code in self._state["pending"]]
            lines.append(T.SELECTION.format(labels=", ".join(labels)))
        lines.append(self._hint(item))
        return Step("\n".join(lines), self._buttons(item), item_id=item.id)

    def _buttons(self, item: ItemDef) -> list[list[Button]]:
        """Answer buttons first (so a numbered console maps 1..n to options), then navigation."""
        rows: list[list[Button]] = []
        if item.type == "check":
            rows.append([(T.BTN_DONE, "done"), (T.BTN_TODO, "todo"), (T.BTN_NA, "na")])
        elif item.type == "choice":
            pending = self._state["pending"]
            labels = [
                (f"{T.SELECTED_MARK}{o.label}" if o.code in pending else o.label, o.code)
                for o in item.options
            ]
            row: list[Button] = []
            for button in labels:
                if len(button[0]) > 18:
                    rows += [row] if row else []
                    rows.append([button])
                    row = []
                    continue
                row.append(button)
                if len(row) == 2:
                    rows.append(row)
                    row = []
            rows += [row] if row else []
            if item.multiple:
                rows.append([(T.BTN_VALIDATE, "validate"), (T.BTN_NONE, "none")])
        prefill = self._prefill_value(item)
        if prefill is not None:
            shown = T.shorten(self._value_text(item, {"value": prefill}), 24)
            rows.append([(T.BTN_PREFILL.format(value=shown), "prefill")])
        nav: list[Button] = [(T.BTN_WHY, "why")] if item.why else []
        nav.append((T.BTN_SKIP, "skip"))
        if self._state["index"] > 0:
            nav.append((T.BTN_BACK, "back"))
        rows.append(nav)
        return rows

    def _error(self, item: ItemDef, message: str) -> Step:
        """The current question again, after a French explanation; it does not advance."""
        step = self._ask(item)
        step.text = f"{message}\n\n{step.text}"
        step.error = True
        return step

    def _why(self, item: ItemDef) -> Step:
        """The item's "why", then the question again; it does not advance."""
        step = self._ask(item)
        why = T.WHY_PREFIX.format(why=item.why) if item.why else T.NO_WHY
        step.text = f"{why}\n\n{step.text}"
        return step

    def _finished_step(self, title: str) -> Step:
        """The final Step: a title and the summary."""
        return Step(f"{title}\n\n{self.summary()}", done=True)

    # -- summary parts ---------------------------------------------------------------------

    def _sort_items(self) -> tuple[list[ItemDef], list[ItemDef], list[ItemDef], list[ItemDef]]:
        """Items split into ready, to do, missing (skipped or unanswered) and not applicable."""
        definition = self.definition
        assert definition is not None
        ready, todo, missing, not_applicable = [], [], [], []
        for item in definition.items:
            if self._skipped_by_rule(item):
                continue
            entry = self._state["answers"].get(item.id) if self._answered(item) else None
            status = None if entry is None else entry.get("status")
            if entry is None or status == "skipped":
                missing.append(item)
            elif status == "todo":
                todo.append(item)
            elif status == "na":
                not_applicable.append(item)
            else:
                ready.append(item)
        return ready, todo, missing, not_applicable

    def _summary_line(self, item: ItemDef) -> str:
        """One ready item: its label, and its value when it has one."""
        entry = self._state["answers"][item.id]
        if "value" not in entry or item.role in _ROLES_SHOWN_BELOW:
            return T.SUMMARY_ITEM.format(label=item.label)
        return T.SUMMARY_ITEM_VALUE.format(label=item.label, value=self._value_text(item, entry))

    def _role_values(self, definition: ChecklistDef, role: str) -> list[tuple[ItemDef, Any]]:
        """(item, value) of the answered items carrying a role."""
        found = []
        for item in definition.with_role(role):
            entry = self._state["answers"].get(item.id, {})
            if "value" in entry and self._answered(item) and entry["value"] not in ("", []):
                found.append((item, entry["value"]))
        return found

    def _negotiation_lines(self, definition: ChecklistDef) -> list[str]:
        """Counterparts, walk-away point and price coherence, when the checklist has them."""
        lines = []
        if definition.with_role("counterparts"):
            values = self._role_values(definition, "counterparts")
            if values:
                text = " ; ".join(self._value_text(it, {"value": v}) for it, v in values)
                lines.append(T.SUMMARY_COUNTERPARTS.format(value=text))
            else:
                lines.append(T.SUMMARY_COUNTERPARTS_MISSING)
        if definition.with_role("walk_away"):
            walk = self._role_values(definition, "walk_away")
            if walk:
                item, value = walk[0]
                lines.append(
                    T.SUMMARY_WALK_AWAY.format(value=self._value_text(item, {"value": value}))
                )
                lines += self._price_warnings(definition, value)
            else:
                lines.append(T.SUMMARY_WALK_AWAY_MISSING)
        return lines

    def _price_warnings(self, definition: ChecklistDef, walk: Any) -> list[str]:
        """Warn when the starting or target price is under the walk-away point."""
        if not isinstance(walk, int | float):
            return []
        money = T.format_money
        warnings = []
        for role, template, key in (
            ("start_price", T.SUMMARY_PRICE_ORDER, "start"),
            ("target_price", T.SUMMARY_TARGET_ORDER, "target"),
        ):
            for _, value in self._role_values(definition, role):
                if isinstance(value, int | float) and value < walk:
                    warnings.append(template.format(**{key: money(value), "walk": money(walk)}))
        return warnings

    def _next_lines(self, definition: ChecklistDef, open_items: list[ItemDef]) -> list[str]:
        """Next steps: commitments and next-step answers, what to complete, next checklist."""
        lines = []
        for role in ("commitments", "next_step"):
            for item, value in self._role_values(definition, role):
                shown = self._value_text(item, {"value": value})
                lines.append(T.SUMMARY_NEXT_VALUE.format(label=item.label, value=shown))
        if open_items:
            labels = ", ".join(it.label for it in open_items)
            lines.append(T.SUMMARY_NEXT_TODO.format(labels=labels))
        following = T.NEXT_KIND.get(definition.kind)
        if self._state["finished"] and following:
            lines.append(T.SUMMARY_NEXT_KIND.format(kind=T.KIND_LABELS[following]))
        if not lines:
            lines.append(T.SUMMARY_NEXT_NONE)
        return [T.SUMMARY_NEXT, *lines]
