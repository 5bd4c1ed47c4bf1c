"""The "rasa" NLU backend: ask a Rasa server over HTTP, fall back to the embedded NLU when it fails."""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from datetime import datetime
from typing import Any

import httpx

from nlu.interpreter import Interpreter
from nlu.result import assemble_result
from nlu.training_data import INTENTS

log = logging.getLogger(__name__)

# The entities DIET tags; everything else comes from nlu.result's shared pattern extractors.
DIET_ENTITIES = ("company", "person", "city")
MAX_CHARS = 4096
DEFAULT_TIMEOUT = 1.0
# While the server is down, try it again at most this often (other messages go straight
# to the fallback, so a hung server costs one timeout per interval, not one per message).
RETRY_AFTER = 5.0
_JOINABLE = re.compile(r"[ \t]{1,3}|[ \t]*[-&][ \t]*")


class BadAnswer(ValueError):
    """The server answered something that is not a usable /model/parse result."""


def _confidence(value: Any) -> float:
    """Return a finite confidence in [0, 1], or raise BadAnswer."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadAnswer(f"confidence {value!r} is not a number")
    return min(1.0, max(0.0, float(value)))


def map_ranking(payload: dict[str, Any]) -> list[tuple[str, float]]:
    """Map Rasa's ``intent_ranking`` (or ``intent``) to known (intent, confidence) pairs."""
    raw = payload.get("intent_ranking")
    if not raw:
        raw = [payload.get("intent")] if payload.get("intent") else []
    if not isinstance(raw, list):
        raise BadAnswer("intent_ranking is not a list")
    ranking: list[tuple[str, float]] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise BadAnswer(f"bad intent_ranking item {item!r}")
        if item["name"] in INTENTS and all(item["name"] != n for n, _ in ranking):
            ranking.append((item["name"], _confidence(item.get("confidence"))))
    if not ranking:
        raise BadAnswer("no known intent in the answer")
    ranking.sort(key=lambda pair: -pair[1])
    return ranking


def map_names(payload: dict[str, Any], text: str) -> list[tuple[str, int, int]]:
    """Map Rasa's company / person / city entities to (entity, start, end) spans of ``text``."""
    raw = payload.get("entities", [])
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadAnswer("entities is not a list")
    names: list[tuple[str, int, int]] = []
    for item in raw:
        if not isinstance(item, dict) or item.get("entity") not in DIET_ENTITIES:
            continue
        start, end = item.get("start"), item.get("end")
        if (
            isinstance(start, int)
            and isinstance(end, int)
            and not isinstance(start, bool)
            and not isinstance(end, bool)
            and 0 <= start < end <= len(text)
        ):
            names.append((item["entity"], start, end))
    return merge_adjacent(sorted(names, key=lambda n: (n[1], n[2])), text)


def merge_adjacent(names: list[tuple[str, int, int]], text: str) -> list[tuple[str, int, int]]:
    """Join spans of one type separated only by spaces ("Groupe" + "Armorial"), as DIET may split them."""
    merged: list[tuple[str, int, int]] = []
    for entity, start, end in names:
        if merged:
            last, last_start, last_end = merged[-1]
            gap = text[last_end:start]
            if last == entity and last_end <= start and _JOINABLE.fullmatch(gap):
                merged[-1] = (entity, last_start, end)
                continue
            if start < last_end:
                continue
        merged.append((entity, start, end))
    return merged


def map_answer(
    payload: Any, text: str
) -> tuple[list[tuple[str, float]], list[tuple[str, int, int]]]:
    """Validate a /model/parse answer for ``text`` and return (ranking, name spans)."""
    if not isinstance(payload, dict):
        raise BadAnswer("the answer is not a JSON object")
    if "text" in payload and payload["text"] != text:
        raise BadAnswer("the answer is about another text")
    return map_ranking(payload), map_names(payload, text)


def rasa_view(text: str) -> tuple[str, int]:
    """Return the text as Rasa will parse it (stripped, no leading "/") and its offset in text.

    Rasa strips the message and reads "/name" as an intent shortcut; sending the text without
    them keeps the answer's offsets and echoed text predictable.
    """
    body = text.lstrip()
    shift = len(text) - len(body)
    while body.startswith("/"):
        rest = body[1:].lstrip()
        shift += len(body) - len(rest)
        body = rest
    return body.rstrip(), shift


class RasaInterpreter:
    """Parse through a Rasa server's ``POST /model/parse``; on any failure use the fallback."""

    name = "rasa"

    def __init__(
        self,
        url: str,
        timeout: float = DEFAULT_TIMEOUT,
        fallback: Interpreter | None = None,
        retry_after: float = RETRY_AFTER,
        check: bool = True,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout if timeout and timeout > 0 else DEFAULT_TIMEOUT
        self.fallback = fallback
        self.retry_after = retry_after
        self.fallbacks = 0
        self._client = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
            trust_env=False,
        )
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._outage_fallbacks = 0
        if check:
            self.health()

    # -- life cycle

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self._client.close()

    def __enter__(self) -> RasaInterpreter:
        """Use as a context manager that closes the client."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the client."""
        self.close()

    @property
    def available(self) -> bool:
        """Say whether the last exchange with the server succeeded."""
        return self._down_since is None

    def health(self) -> bool:
        """Check that the server answers GET /status with a loaded model (used at start-up)."""
        try:
            response = self._client.get("/status")
            body = response.json() if response.status_code == 200 else None
            if not isinstance(body, dict) or not body.get("model_file"):
                raise BadAnswer(f"GET /status answered {response.status_code}")
        except (httpx.HTTPError, ValueError) as exc:
            self._mark_down(exc)
            return False
        self._mark_up()
        return True

    # -- parsing

    def parse(self, text: str, now: datetime, intent: str | None = None) -> dict[str, Any]:
        """Parse a message into the contract's result, through the server or the fallback."""
        text = text if isinstance(text, str) else str(text)
        clipped = text[:MAX_CHARS]
        if not clipped.strip():
            return assemble_result(text, clipped, [("out_of_scope", 1.0)], [], now, intent)
        if not self._should_try():
            return self._fall_back(text, now, intent)
        sent, shift = rasa_view(clipped)
        if not sent:
            return assemble_result(text, clipped, [("out_of_scope", 1.0)], [], now, intent)
        try:
            response = self._client.post("/model/parse", json={"text": sent})
            response.raise_for_status()
            ranking, spans = map_answer(response.json(), sent)
            names = [(e, s + shift, t + shift) for e, s, t in spans]
        except (httpx.HTTPError, ValueError) as exc:
            self._mark_down(exc)
            return self._fall_back(text, now, intent)
        self._mark_up()
        result = assemble_result(text, clipped, ranking, names, now, forced_intent=intent)
        for entity in result["entities"]:
            if entity["entity"] in DIET_ENTITIES:
                from_diet = any(
                    e == entity["entity"] and s < entity["end"] and entity["start"] < t
                    for e, s, t in names
                )
                entity["extractor"] = "DIETClassifier" if from_diet else "rules"
        return result

    def _fall_back(self, text: str, now: datetime, intent: str | None) -> dict[str, Any]:
        """Parse with the fallback backend (or return an out-of-scope result without one)."""
        with self._lock:
            self.fallbacks += 1
            self._outage_fallbacks += 1
        if self.fallback is not None:
            return self.fallback.parse(text, now, intent=intent)
        clipped = text[:MAX_CHARS]
        return assemble_result(text, clipped, [("out_of_scope", 0.0)], [], now, intent)

    # -- outage bookkeeping

    def _should_try(self) -> bool:
        """Say whether to ask the server now (always when up; once per interval when down)."""
        with self._lock:
            if self._down_since is None:
                return True
            now = time.monotonic()
            if now >= self._retry_at:
                self._retry_at = now + self.retry_after
                return True
            return False

    def _mark_down(self, exc: Exception) -> None:
        """Record a failure; log a WARNING on the first one of an outage."""
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
                self._outage_fallbacks = 0
            self._retry_at = time.monotonic() + self.retry_after
        if first:
            log.warning(
                "Rasa server %s unavailable (%s: %s); using the embedded NLU until it answers",
                self.url,
                type(exc).__name__,
                exc,
            )

    def _mark_up(self) -> None:
        """Record a success; log an INFO when it ends an outage."""
        with self._lock:
            since, self._down_since = self._down_since, None
            count = self._outage_fallbacks
        if since is not None:
            log.info(
                "Rasa server %s answers again after %.0f s (%d messages parsed by the fallback)",
                self.url,
                time.monotonic() - since,
                count,
            )
