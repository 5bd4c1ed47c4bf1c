"""Exceptions shared by the fake Telegram server and its client."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "ControlError", "WaitTimeout"]


class ApiError(Exception):
    """A Bot API error, answered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        """Store the HTTP/Telegram error code, description and optional parameters."""
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """Return the Telegram JSON error body."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class ControlError(Exception):
    """A rejected control-side request (bad input, unknown message, forged callback...)."""

    def __init__(self, status: int, message: str) -> None:
        """Store the HTTP status and the message."""
        super().__init__(message)
        self.status = status
        self.message = message


class WaitTimeout(TimeoutError):
    """A wait on sent records expired; ``records`` holds what had arrived."""

    def __init__(self, message: str, records: list[dict[str, Any]] | None = None) -> None:
        """Store the records received before the deadline."""
        super().__init__(message)
        self.records = records or []
