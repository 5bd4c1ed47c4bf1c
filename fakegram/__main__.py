"""Standalone entry point: ``python -m fakegram --port 0 --port-file PATH [--rate-limit]``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

from fakegram.server import FakeTelegram, RateLimits


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m fakegram", description="Fake Telegram Bot API server (127.0.0.1 only)."
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = pick a free one)")
    parser.add_argument("--port-file", type=Path, help="write the bound port to this file")
    parser.add_argument("--token", help="only accept this bot token (default: any)")
    parser.add_argument("--rate-limit", action="store_true", help="enforce Telegram send limits")
    parser.add_argument("--global-rate", type=int, default=30, help="messages/s over all chats")
    parser.add_argument("--chat-rate", type=int, default=1, help="messages/s per private chat")
    parser.add_argument("--group-rate", type=int, default=20, help="messages/min per group")
    parser.add_argument(
        "--strict-chats", action="store_true", help="answer 'chat not found' for unknown chats"
    )
    return parser.parse_args(argv)


def _write_port_file(path: Path, port: int) -> None:
    """Write the port atomically so readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(f"{port}\n", encoding="utf-8")
    tmp.replace(path)


async def serve(args: argparse.Namespace) -> None:
    """Run the server until SIGINT/SIGTERM."""
    fake = FakeTelegram(
        port=args.port,
        token=args.token,
        rate_limit=args.rate_limit,
        limits=RateLimits(args.global_rate, args.chat_rate, args.group_rate),
        strict_chats=args.strict_chats,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with fake:
        assert fake.port is not None
        if args.port_file:
            _write_port_file(args.port_file, fake.port)
        print(f"fakegram listening on {fake.url} (bot base_url {fake.base_url})", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    """Console entry point."""
    args = parse_args(argv)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
