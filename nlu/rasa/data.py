"""Write Rasa-ready copies of the bot's NLU files: name spans only, no normalised values."""

from __future__ import annotations

import json
from pathlib import Path

from nlu.training_data import Example, TrainingData, load_training_data

# DIET tags only these; every other entity comes from the shared pattern extractors.
DIET_ENTITIES = ("company", "person", "city")
# Bumped when the export format changes, so that the model hash changes too.
EXPORT_VERSION = "rasa-export-2"
_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_GAZETTEERS = {"city": "cities.txt", "first_name": "first_names.txt"}
# Regex features for DIET. Names: a title or legal form with the next word, the word after
# "chez". Intents: the tense and channel cues of the embedded backend (nlu.embedded._CUES).
_REGEXES = {
    "person_title": r"\b(?:m\.|mr\.?|mme\.?|mlle|monsieur|madame|dr\.?)\s+[\w'’-]+",
    "company_form": (
        r"\b(?:sarl|sas|sasu|sa|eurl|sci|ets|établissements|groupe|ste|société)\s+[\w'’&-]+"
    ),
    "after_chez": r"\bchez\s+(?:l[ae]s?\s+|l['’])?[\w'’&-]+",
    "cue_future": (
        r"\b(?:demain|apr[eè]s[- ]?demain|dans \d+|dans (?:une|un|deux|trois|quinze)|prochaine?"
        r"|la semaine pro|[àa] venir|pr[ée]voir|penser [àa]|[àa] faire)\b"
    ),
    "cue_past": r"\b(?:hier|avant[- ]?hier|ce matin|tout [àa] l'heure|derni[eè]re?|d[ée]j[àa])\b",
    "cue_participle": (
        r"\b(?:vu|eu|fait|pass[ée]|sorti|sors|rencontr[ée]|appel[ée]|joint|tomb[ée]|laiss[ée]"
        r"|sign[ée]|envoy[ée]|re[çc]u|visit[ée])\b"
    ),
    "cue_phone": (
        r"\b(?:tel|t[ée]l[ée]?|t[ée]l[ée]phone|appel|appel[ée]|appeler|coup de fil|r[ée]pondeur"
        r"|messagerie|standard|visio|joignable|injoignable|rappel[ée]|sonn[ée])\b"
    ),
    "cue_question": r"\?|\b(?:quoi|quel|quelle|combien|est-ce|o[uù] j'en)\b",
    "cue_infinitive": r"^\s*\w+er\b",
}
_UNSAFE = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")"})


def annotate(example: Example) -> str:
    """Return the example text with Rasa ``[span](entity)`` marks for the DIET entities."""
    spans = sorted(
        (e["start"], e["end"], e["entity"])
        for e in example.entities
        if e["entity"] in DIET_ENTITIES
    )
    text = example.text
    parts: list[str] = []
    cursor = 0
    for start, end, entity in spans:
        if start < cursor or end <= start:
            continue
        parts.append(text[cursor:start].translate(_UNSAFE))
        parts.append(f"[{text[start:end].translate(_UNSAFE)}]({entity})")
        cursor = end
    parts.append(text[cursor:].translate(_UNSAFE))
    return "".join(parts)


def _quote(item: str) -> str:
    """Return one block-scalar list line."""
    return f"    - {item}\n"


def _lookups(data: TrainingData) -> dict[str, list[str]]:
    """Collect lookup tables: the shipped gazetteers plus the file's own lookups."""
    tables: dict[str, list[str]] = {}
    for name, filename in _GAZETTEERS.items():
        path = _DATA_DIR / filename
        if path.exists():
            tables[name] = [
                line.strip()
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")
            ]
    for name, values in data.lookups.items():
        tables.setdefault(name, []).extend(values)
    return {name: sorted(set(values)) for name, values in tables.items()}


def render(data: TrainingData, with_features: bool = True) -> str:
    """Render training data as a Rasa 3.x NLU YAML document."""
    out = ['version: "3.1"\n', "\n", "nlu:\n"]
    by_intent: dict[str, list[str]] = {}
    for example in data.examples:
        by_intent.setdefault(example.intent, []).append(annotate(example))
    for intent, items in by_intent.items():
        out.append(f"- intent: {intent}\n  examples: |\n")
        out.extend(_quote(item) for item in dict.fromkeys(items))
    if with_features:
        for name, values in _lookups(data).items():
            out.append(f"- lookup: {name}\n  examples: |\n")
            out.extend(_quote(value.translate(_UNSAFE)) for value in values)
        for name, pattern in _REGEXES.items():
            out.append(f"- regex: {name}\n  examples: |\n")
            out.append(_quote(pattern))
    return "".join(out)


def export(source: str | Path, target: str | Path, with_features: bool = True) -> Path:
    """Write the Rasa-ready copy of ``source`` to ``target`` when its content changed."""
    target = Path(target)
    content = render(load_training_data(source), with_features)
    if not target.exists() or target.read_text(encoding="utf-8") != content:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(target)
    return target


def describe() -> str:
    """Return the export settings as JSON, for the model hash."""
    return json.dumps(
        {"version": EXPORT_VERSION, "entities": DIET_ENTITIES, "regexes": _REGEXES},
        sort_keys=True,
    )
