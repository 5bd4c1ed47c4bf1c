"""Telegram layer of salescoach: thin handlers that parse, call domain functions and render."""
