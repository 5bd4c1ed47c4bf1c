"""French NLU for the bot: Rasa-format data, an embedded spaCy backend and a Rasa backend.

>>> from nlu import load_interpreter
>>> interp = load_interpreter()
>>> interp.parse("vu Dupont SA hier, devis 12k€", now=now)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.settings import Settings
    from nlu.interpreter import Interpreter


def load_interpreter(settings: Settings | None = None) -> Interpreter:
    """Load (or train once) the NLU backend chosen in the settings."""
    from nlu.interpreter import make_interpreter

    if settings is None:
        from core.settings import load_settings

        settings = load_settings()
    return make_interpreter(settings)
