#!/usr/bin/env bash
# Run the bot: Telegram polling when TELEGRAM_TOKEN is set, a console chat otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m bot "$@"
