"""Fake Telegram Bot API server and client for end-to-end tests and benchmarks."""

from fakegram.client import FakeTelegramClient
from fakegram.errors import ApiError, ControlError, WaitTimeout
from fakegram.server import FakeTelegram, Fault, RateLimits

__all__ = [
    "ApiError",
    "ControlError",
    "FakeTelegram",
    "FakeTelegramClient",
    "Fault",
    "RateLimits",
    "WaitTimeout",
]
