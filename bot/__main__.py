"""Start the bot: Telegram polling with a token, console chat without one."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from core.settings import ConfigError, Settings, load_settings


def _load_dotenv(path: str = ".env") -> None:
    """Read KEY=VALUE lines of an untracked .env file into the environment (env wins)."""
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, sep, value = line.strip().partition("=")
            if sep and key and not key.startswith("#"):
                os.environ.setdefault(key.strip(), value.strip())


def main(argv: list[str] | None = None) -> int:
    """Check the settings, upgrade the database, then run."""
    from bot.process import setup_logging

    setup_logging()
    _load_dotenv()
    try:
        settings: Settings = load_settings()
    except ConfigError as exc:
        print(f"Erreur de configuration : {exc}", file=sys.stderr)
        return 2
    from db import upgrade

    try:
        upgrade(settings.database_url)
    except Exception as exc:  # one line that says what to fix, no traceback
        print(
            f"Erreur de configuration : base de données inaccessible ({type(exc).__name__}). "
            f"Vérifiez DATABASE_URL ({settings.database_url.split('@')[-1]}).",
            file=sys.stderr,
        )
        return 2
    if settings.telegram_token:
        from bot.shards import resolve_processes, run_sharded

        processes = resolve_processes(settings)
        if processes > 1:
            # One poller, `processes` bot workers sharing the chats (uses every core).
            return asyncio.run(run_sharded(settings, processes))
    from bot.app import build_application
    from bot.runner import run_console, run_polling

    if settings.telegram_token:
        app = build_application(settings)
        asyncio.run(run_polling(app, settings.poll_timeout))
        return 0
    from bot.localapi import LocalBotApi

    logging.getLogger().setLevel(logging.WARNING)
    api = LocalBotApi()
    app = build_application(settings, request=api)
    asyncio.run(run_console(app, api))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
