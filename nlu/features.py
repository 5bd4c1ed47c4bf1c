"""Token features for the CRF that tags company, person and city names."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokenizer import Tokenizer

    from nlu.training_data import TrainingData

Token = tuple[str, int, int]

_DATA = Path(__file__).resolve().parent / "data"

LEGAL_FORMS = {
    "sa",
    "sas",
    "sasu",
    "sarl",
    "eurl",
    "sci",
    "snc",
    "scop",
    "ets",
    "etablissements",
    "groupe",
    "group",
    "mairie",
    "clinique",
    "garage",
    "boulangerie",
    "transports",
    "cabinet",
    "societe",
    "ste",
    "entreprise",
    "industries",
    "france",
    "ehpad",
    "hotel",
    "restaurant",
    "pharmacie",
    "lycee",
    "college",
    "cci",
    "conseil",
    "agence",
    "atelier",
    "menuiserie",
    "plomberie",
    "holding",
    "laboratoire",
    "labo",
    "centre",
    "association",
    "asso",
    "cie",
}
TITLES = {"m", "mr", "mme", "mlle", "monsieur", "madame", "dr", "docteur", "me", "maitre", "mrs"}
CUE_COMPANY = {
    "chez",
    "vu",
    "visite",
    "visité",
    "appele",
    "appelé",
    "tel",
    "tél",
    "client",
    "prospect",
    "societe",
    "ste",
    "pour",
    "de",
    "avec",
    "rdv",
    "relance",
    "relancer",
    "rappeler",
    "passe",
    "passé",
    "sorti",
    "sors",
    "sortie",
    "ets",
}
CUE_CITY = {"a", "à", "sur", "vers", "zone", "secteur", "region", "près", "pres", "cote"}
STOP_NAMES = {
    "hier",
    "demain",
    "aujourd",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "devis",
    "commande",
    "rdv",
    "relance",
    "messagerie",
    "repondeur",
    "ok",
    "km",
    "semaine",
    "matin",
    "soir",
    "aprem",
    "prochain",
    "prochaine",
    "dernier",
    "derniere",
}


def fold(text: str) -> str:
    """Lower-case and strip accents."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def tokenize(tokenizer: Tokenizer, text: str) -> list[Token]:
    """Split a text with the spaCy tokenizer into (text, start, end) tokens, spaces dropped."""
    doc = tokenizer(text)
    return [(t.text, t.idx, t.idx + len(t.text)) for t in doc if not t.is_space]


def _shape(word: str) -> str:
    """Return a short word shape (Xx, x, X, d, p)."""
    shape = re.sub(r"[A-ZÀ-Ý]", "X", word)
    shape = re.sub(r"[a-zß-ÿ]", "x", shape)
    shape = re.sub(r"\d", "d", shape)
    return re.sub(r"(.)\1+", r"\1", shape)[:5]


def build_gazetteers(data: TrainingData) -> dict[str, set[str]]:
    """Collect name lists: cities and first names shipped with the package plus lookups."""
    gazetteers: dict[str, set[str]] = {"city": set(), "first_name": set()}
    for name, target in (("cities.txt", "city"), ("first_names.txt", "first_name")):
        path = _DATA / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#"):
                    gazetteers[target].add(fold(line.strip()))
    for key, values in data.lookups.items():
        target = "city" if key in ("city", "cities", "ville") else key
        gazetteers.setdefault(target, set()).update(fold(v) for v in values)
    return gazetteers


def _word_features(word: str, gaz: dict[str, set[str]], prefix: str) -> dict[str, Any]:
    """Features of one word, keyed with a position prefix."""
    low = fold(word)
    return {
        f"{prefix}low": low,
        f"{prefix}title": word[:1].isupper(),
        f"{prefix}upper": word.isupper() and len(word) > 1,
        f"{prefix}legal": low.strip(".") in LEGAL_FORMS,
        f"{prefix}titleword": low.strip(".") in TITLES,
        f"{prefix}city": low in gaz.get("city", ()),
        f"{prefix}first": low in gaz.get("first_name", ()),
        f"{prefix}stop": low in STOP_NAMES,
        f"{prefix}punct": not any(ch.isalnum() for ch in word),
    }


def sentence_features(tokens: list[Token], gaz: dict[str, set[str]]) -> list[dict[str, Any]]:
    """Return CRF features for each token, with a window of two tokens each side."""
    words = [t[0] for t in tokens]
    base = [_word_features(w, gaz, "") for w in words]
    out: list[dict[str, Any]] = []
    for i, word in enumerate(words):
        low = base[i]["low"]
        feats: dict[str, Any] = {
            "bias": 1.0,
            **base[i],
            "suf3": low[-3:],
            "pre3": low[:3],
            "shape": _shape(word),
            "digit": any(ch.isdigit() for ch in word),
            "len": min(len(word), 8),
        }
        for offset in (-2, -1, 1, 2):
            j = i + offset
            key = f"{offset:+d}:"
            if 0 <= j < len(words):
                ctx = base[j]
                feats[key + "low"] = ctx["low"]
                for flag in ("title", "legal", "titleword", "city", "stop", "punct", "first"):
                    feats[key + flag] = ctx[flag]
                if offset == -1:
                    feats["-1:cue_company"] = ctx["low"] in CUE_COMPANY
                    feats["-1:cue_city"] = ctx["low"] in CUE_CITY
            else:
                feats[key + ("BOS" if offset < 0 else "EOS")] = True
        out.append(feats)
    return out


def spans_to_bio(tokens: list[Token], spans: list[tuple[str, int, int]]) -> list[str]:
    """Label tokens with B-/I-/O tags from character spans."""
    labels = ["O"] * len(tokens)
    for entity, start, end in spans:
        inside = [i for i, (_, s, e) in enumerate(tokens) if s >= start and e <= end]
        for n, i in enumerate(inside):
            labels[i] = ("B-" if n == 0 else "I-") + entity
    return labels


def bio_to_spans(tokens: list[Token], labels: list[str]) -> list[tuple[str, int, int]]:
    """Turn B-/I- tags back into (entity, start, end) character spans."""
    spans: list[tuple[str, int, int]] = []
    current: list[Any] | None = None
    for (_, start, end), label in zip(tokens, labels, strict=True):
        if label == "O":
            current = None
            continue
        kind, entity = label.split("-", 1)
        if current is not None and kind == "I" and current[0] == entity:
            current[2] = end
            continue
        current = [entity, start, end]
        spans.append(current)  # type: ignore[arg-type]
    return [(e, s, t) for e, s, t in spans]
