#!/usr/bin/env bash
# Create .venv and install the project with its French spaCy models, when missing or outdated.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  echo "→ création de l'environnement .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.salescoach-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "→ installation des dépendances (première fois : quelques minutes)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  touch "$stamp"
fi
