"""Rasa server command line: `python -m nlu.rasa install | train | serve | stop | status | test`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from urllib.parse import urlparse

from nlu.rasa import server

REFERENCE_NOW = "2026-03-10T09:00:00+01:00"


def settings_port() -> int:
    """Return the port of RASA_URL (config.yml), 5005 by default."""
    from core.settings import load_settings

    try:
        return urlparse(load_settings().rasa_url).port or server.DEFAULT_PORT
    except Exception:
        return server.DEFAULT_PORT


def crosscheck(now: str = REFERENCE_NOW) -> dict[str, float]:
    """Compare ``rasa test nlu`` with ``python -m nlu evaluate --backend rasa`` on test_nlu.yml."""
    from nlu.embedded import EmbeddedInterpreter
    from nlu.evaluate import evaluate
    from nlu.rasa.backend import RasaInterpreter

    paths = server.default_paths()
    rasa_figures = server.rasa_test(paths)
    port = server.free_port()
    server.serve(port, paths, owned=True)
    try:
        fallback = EmbeddedInterpreter.load_or_train(server.ROOT / "var" / "nlu")
        interp = RasaInterpreter(f"http://127.0.0.1:{port}", 2.0, fallback=fallback)
        ours = evaluate(interp, server.TEST_DATA, datetime.fromisoformat(now))
        interp.close()
    finally:
        server.stop(port, paths)
    return {
        "rasa_test_intent_accuracy": rasa_figures["intent_accuracy"],
        "evaluate_intent_accuracy": ours.intent_accuracy,
        "evaluate_entity_f1": ours.entity_f1,
        "fallbacks": float(interp.fallbacks),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m nlu.rasa", description="serveur NLU Rasa 3.6")
    sub = parser.add_subparsers(dest="command", required=True)
    inst = sub.add_parser("install", help="crée .venv-rasa avec Rasa 3.6.21 (idempotent)")
    inst.add_argument(
        "--force", action="store_true", help="réinstalle même si le tampon est à jour"
    )
    tr = sub.add_parser(
        "train", help="entraîne le modèle (réutilisé si données et config inchangées)"
    )
    tr.add_argument(
        "--force", action="store_true", help="ré-entraîne même si le modèle est à jour"
    )
    sv = sub.add_parser("serve", help="lance le serveur en arrière-plan sur 127.0.0.1")
    sv.add_argument("--port", type=int, default=None, help="port (défaut : celui de RASA_URL)")
    sv.add_argument("--timeout", type=float, default=server.READY_TIMEOUT, help="attente max (s)")
    st = sub.add_parser("stop", help="arrête le serveur (tous ceux lancés ici sans --port)")
    st.add_argument("--port", type=int, default=None)
    stat = sub.add_parser("status", help="état de l'installation, du modèle et des serveurs")
    stat.add_argument("--json", action="store_true", help="sortie JSON")
    te = sub.add_parser("test", help="rasa test nlu face à python -m nlu evaluate --backend rasa")
    te.add_argument("--now", default=REFERENCE_NOW)
    args = parser.parse_args(argv)

    try:
        if args.command == "install":
            done = server.install(force=args.force)
            if not done:
                print(f"Rasa {server.RASA_VERSION} déjà installé ({server.default_paths().venv})")
        elif args.command == "train":
            server.train(force=args.force)
        elif args.command == "serve":
            server.serve(args.port or settings_port(), timeout=args.timeout)
        elif args.command == "stop":
            pids = server.stop(args.port)
            print(f"arrêté : {', '.join(map(str, pids))}" if pids else "aucun serveur à arrêter")
        elif args.command == "status":
            report = server.status()
            if args.json:
                print(json.dumps(report, indent=2, ensure_ascii=False))
            else:
                _print_status(report)
            return 0 if any(s["ready"] for s in report["servers"]) else 3
        elif args.command == "test":
            figures = crosscheck(args.now)
            gap = figures["rasa_test_intent_accuracy"] - figures["evaluate_intent_accuracy"]
            print(
                f"rasa test nlu intent accuracy {figures['rasa_test_intent_accuracy']:.3f}; "
                f"python -m nlu evaluate --backend rasa {figures['evaluate_intent_accuracy']:.3f} "
                f"(gap {gap:+.3f}, {int(figures['fallbacks'])} fallbacks)"
            )
            return 0 if abs(gap) <= 0.01 else 1
    except server.RasaError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    return 0


def _print_status(report: dict) -> None:  # type: ignore[type-arg]
    """Print the status report for humans."""
    installed = "oui" if report["installed"] else "non"
    print(f"venv      {report['venv']} (installé : {installed}, rasa {report['rasa_version']})")
    if report["model"]:
        training = report.get("training", {})
        print(
            f"modèle    {report['model']} ({report['model_bytes'] / 1e6:.1f} Mo, "
            f"entraîné en {training.get('seconds', '?')} s)"
        )
    else:
        print("modèle    aucun à jour (python -m nlu.rasa train)")
    if not report["servers"]:
        print("serveur   arrêté (python -m nlu.rasa serve)")
    for each in report["servers"]:
        state = "prêt" if each["ready"] else "démarre ou bloqué"
        print(
            f"serveur   {each['url']} pid {each['pid']} {state}, "
            f"RSS {each['rss_bytes'] / 1e6:.0f} Mo, modèle {each['model']}"
        )


if __name__ == "__main__":
    sys.exit(main())
