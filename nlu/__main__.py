"""NLU command line: `python -m nlu train` and `python -m nlu evaluate DATA.yml --now ISO`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m nlu", description="NLU de salescoach")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="(ré)entraîne le modèle intégré")
    train.add_argument("--data", default=None, help="fichier NLU (défaut nlu/data/nlu.yml)")
    train.add_argument(
        "--force", action="store_true", help="ré-entraîne même si le cache est à jour"
    )
    ev = sub.add_parser("evaluate", help="évalue un backend sur un fichier NLU annoté")
    ev.add_argument("data", help="fichier NLU au format Rasa, valeurs normalisées annotées")
    ev.add_argument(
        "--now", required=True, help="instant de référence ISO, ex. 2026-03-10T09:00:00+01:00"
    )
    ev.add_argument("--backend", default="spacy", choices=["spacy", "rasa"])
    ev.add_argument("--out", default=None, help="dossier des rapports (JSON, PNG)")
    args = parser.parse_args(argv)

    from core.settings import load_settings
    from nlu.embedded import DEFAULT_DATA, EmbeddedInterpreter
    from nlu.interpreter import model_dir
    from nlu.training_data import TrainingDataError

    settings = load_settings()
    try:
        if args.command == "train":
            interp = EmbeddedInterpreter.load_or_train(
                model_dir(settings),
                Path(args.data) if args.data else DEFAULT_DATA,
                force=args.force,
            )
            print(f"modèle prêt ({type(interp).__name__})")
            return 0
        from nlu.evaluate import evaluate, write_reports
        from nlu.interpreter import make_interpreter

        now = datetime.fromisoformat(args.now)
        if now.tzinfo is None:
            print("--now doit porter un fuseau, ex. 2026-03-10T09:00:00+01:00", file=sys.stderr)
            return 2
        from dataclasses import replace

        interp = make_interpreter(replace(settings, nlu_backend=args.backend))
        result = evaluate(interp, args.data, now)
        if args.out:
            write_reports(result, args.out)
        print(result.summary(args.backend))
        return 0
    except TrainingDataError as exc:
        print(str(exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
