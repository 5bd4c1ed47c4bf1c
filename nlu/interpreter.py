"""The interpreter interface shared by the NLU backends, and the backend factory."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from core.settings import ROOT, Settings


class Interpreter(Protocol):
    """Parse a French message into the NLU contract's result."""

    name: str

    def parse(self, text: str, now: datetime, intent: str | None = None) -> dict[str, Any]:
        """Return the Rasa-shaped result for a message sent at ``now``."""
        ...


def model_dir(settings: Settings) -> Path:
    """Return the artefact cache directory (relative paths are under the project)."""
    path = Path(settings.nlu_model_dir)
    return path if path.is_absolute() else ROOT / path


def make_interpreter(settings: Settings) -> Interpreter:
    """Build the backend named by NLU_BACKEND."""
    from nlu.embedded import EmbeddedInterpreter

    embedded = EmbeddedInterpreter.load_or_train(model_dir(settings))
    if settings.nlu_backend == "rasa":
        from nlu.rasa.backend import RasaInterpreter

        return RasaInterpreter(settings.rasa_url, settings.rasa_timeout, fallback=embedded)
    return embedded
