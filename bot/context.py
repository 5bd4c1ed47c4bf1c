"""Custom callback context giving handlers typed access to the services."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the bot's services."""

    @property
    def services(self) -> Services:
        """Return the services created in post_init."""
        return self.application.bot_data["services"]  # type: ignore[no-any-return]


AppType = Application[Any, BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
