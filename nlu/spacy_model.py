"""Load the French spaCy model once per process, shared by the NLU and the coaching engine."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_MODEL = "fr_core_news_md"
NLU_MODEL = "fr_core_news_sm"
_ALL_COMPONENTS = [
    "tok2vec",
    "morphologizer",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
    "ner",
]
_lock = threading.Lock()
_models: dict[tuple[str, bool], Language] = {}


class ModelNotInstalledError(RuntimeError):
    """The French spaCy model package is missing."""


def get_nlp(name: str | None = None, *, tokenizer_only: bool = False) -> Language:
    """Return the shared spaCy pipeline, loading it on first use.

    ``tokenizer_only`` loads the model's tokenizer and vocabulary without its
    statistical components (fast to load, used by the NLU hot path).
    """
    model = name or os.environ.get("SPACY_MODEL") or DEFAULT_MODEL
    key = (model, tokenizer_only)
    nlp = _models.get(key)
    if nlp is not None:
        return nlp
    with _lock:
        nlp = _models.get(key)
        if nlp is None:
            import spacy

            try:
                if tokenizer_only:
                    nlp = spacy.load(model, exclude=_ALL_COMPONENTS)
                else:
                    nlp = spacy.load(model)
            except OSError as exc:
                package = model.replace("_", "-")
                raise ModelNotInstalledError(
                    f"Le modèle spaCy '{model}' est introuvable. Installez-le avec "
                    f"`.venv/bin/pip install {package}` (ou relancez `make test` / `make chat`)."
                ) from exc
            _models[key] = nlp
    return nlp
