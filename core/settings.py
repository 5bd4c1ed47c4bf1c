"""Settings from config.yml, each overridable by an environment variable."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = ROOT / "config.yml"


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    """All runtime settings of the bot."""

    telegram_token: str = ""
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = ""
    poll_timeout: int = 10
    bot_processes: int = 0  # 0: auto (bot.shards.resolve_processes)
    max_sends_per_second: float = 0.0
    database_url: str = "sqlite:///var/salescoach.sqlite3"
    database_threads: int = 2
    nlu_backend: str = "spacy"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout: float = 1.0
    spacy_model: str = "fr_core_news_sm"
    confidence_threshold: float = 0.55
    nlu_model_dir: str = "var/nlu"
    default_timezone: str = "Europe/Paris"
    evening_prompt: time = time(17, 30)
    morning_digest: time = time(8, 30)
    working_days: tuple[int, ...] = (1, 2, 3, 4, 5)
    reminder_minutes_before: int = 15
    push_grace_minutes: int = 60
    quote_followup_days: int = 7
    callback_followup_days: int = 7
    unreachable_retry_working_days: int = 2
    cost_per_km: float = 0.0
    cost_per_field_day: float = 0.0
    yearly_visit_target: int = 308
    ratio_alert_threshold: float = 0.2
    scoring_processes: int = 1
    rate_limit_messages: int = 20
    rate_limit_window: int = 10
    contact_retention_days: int = 1095
    team_days_without_activity: int = 3
    team_max_overdue_followups: int = 5
    team_ratio_drop: float = 0.30
    team_days_without_plan: int = 2
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        """Return the default timezone object."""
        return ZoneInfo(self.default_timezone)

    @property
    def file_base_url(self) -> str:
        """Return the base URL for file downloads."""
        if self.telegram_base_file_url:
            return self.telegram_base_file_url
        return re.sub(r"/bot$", "/file/bot", self.telegram_base_url)


# (yaml section, yaml key, env var, attribute, parser name)
_FIELDS: list[tuple[str, str, str, str, str]] = [
    ("telegram", "token", "TELEGRAM_TOKEN", "telegram_token", "str"),
    ("telegram", "base_url", "TELEGRAM_BASE_URL", "telegram_base_url", "url"),
    ("telegram", "base_file_url", "TELEGRAM_BASE_FILE_URL", "telegram_base_file_url", "url?"),
    ("telegram", "poll_timeout", "TELEGRAM_POLL_TIMEOUT", "poll_timeout", "int"),
    ("telegram", "processes", "BOT_PROCESSES", "bot_processes", "procs"),
    (
        "telegram",
        "max_sends_per_second",
        "TELEGRAM_MAX_SENDS_PER_SECOND",
        "max_sends_per_second",
        "float",
    ),
    ("database", "url", "DATABASE_URL", "database_url", "dburl"),
    ("database", "threads", "DATABASE_THREADS", "database_threads", "int"),
    ("nlu", "backend", "NLU_BACKEND", "nlu_backend", "backend"),
    ("nlu", "rasa_url", "RASA_URL", "rasa_url", "url"),
    ("nlu", "rasa_timeout", "RASA_TIMEOUT", "rasa_timeout", "float"),
    ("nlu", "spacy_model", "SPACY_MODEL", "spacy_model", "str"),
    ("nlu", "confidence_threshold", "NLU_CONFIDENCE_THRESHOLD", "confidence_threshold", "ratio"),
    ("nlu", "model_dir", "NLU_MODEL_DIR", "nlu_model_dir", "str"),
    ("defaults", "timezone", "DEFAULT_TIMEZONE", "default_timezone", "tz"),
    ("defaults", "evening_prompt", "EVENING_PROMPT_TIME", "evening_prompt", "time"),
    ("defaults", "morning_digest", "MORNING_DIGEST_TIME", "morning_digest", "time"),
    ("defaults", "working_days", "WORKING_DAYS", "working_days", "days"),
    (
        "defaults",
        "reminder_minutes_before",
        "REMINDER_MINUTES_BEFORE",
        "reminder_minutes_before",
        "int",
    ),
    ("defaults", "push_grace_minutes", "PUSH_GRACE_MINUTES", "push_grace_minutes", "int"),
    ("journal", "quote_followup_days", "QUOTE_FOLLOWUP_DAYS", "quote_followup_days", "int"),
    (
        "journal",
        "callback_followup_days",
        "CALLBACK_FOLLOWUP_DAYS",
        "callback_followup_days",
        "int",
    ),
    (
        "journal",
        "unreachable_retry_working_days",
        "UNREACHABLE_RETRY_DAYS",
        "unreachable_retry_working_days",
        "int",
    ),
    ("journal", "cost_per_km", "COST_PER_KM", "cost_per_km", "float"),
    ("journal", "cost_per_field_day", "COST_PER_FIELD_DAY", "cost_per_field_day", "float"),
    ("journal", "yearly_visit_target", "YEARLY_VISIT_TARGET", "yearly_visit_target", "int"),
    (
        "journal",
        "ratio_alert_threshold",
        "RATIO_ALERT_THRESHOLD",
        "ratio_alert_threshold",
        "ratio",
    ),
    ("coaching", "scoring_processes", "SCORING_PROCESSES", "scoring_processes", "int"),
    ("limits", "messages_per_window", "RATE_LIMIT_MESSAGES", "rate_limit_messages", "int"),
    ("limits", "window_seconds", "RATE_LIMIT_WINDOW", "rate_limit_window", "int"),
    (
        "privacy",
        "contact_retention_days",
        "CONTACT_RETENTION_DAYS",
        "contact_retention_days",
        "int",
    ),
]


def _parse(kind: str, raw: Any, origin: str) -> Any:
    """Convert one raw value, raising ConfigError that names its origin."""
    text = "" if raw is None else str(raw).strip()
    try:
        if kind == "str":
            return text
        if kind in ("url", "url?"):
            if not text and kind == "url?":
                return ""
            if not re.match(r"^https?://[^\s/]+", text):
                raise ValueError("attendu une URL http(s)://…")
            return text.rstrip("/") if not text.endswith("/bot") else text
        if kind == "int":
            value = int(text)
            if value < 0:
                raise ValueError("attendu un entier positif")
            return value
        if kind == "procs":
            if text.lower() in ("auto", "", "0"):
                return 0
            value = int(text)
            if not 1 <= value <= 32:
                raise ValueError("attendu auto ou un nombre de processus entre 1 et 32")
            return value
        if kind == "float":
            value = float(text.replace(",", "."))
            if value < 0:
                raise ValueError("attendu un nombre positif")
            return value
        if kind == "ratio":
            value = float(text.replace(",", "."))
            if not 0 <= value <= 1:
                raise ValueError("attendu un nombre entre 0 et 1")
            return value
        if kind == "backend":
            if text not in ("spacy", "rasa"):
                raise ValueError("valeurs possibles : spacy, rasa")
            return text
        if kind == "dburl":
            if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", text):
                raise ValueError(
                    "attendu sqlite:///chemin.sqlite3 ou postgresql+psycopg://user:mdp@hôte/base"
                )
            return text
        if kind == "tz":
            ZoneInfo(text)
            return text
        if kind == "time":
            match = re.fullmatch(r"(\d{1,2})[:h](\d{2})", text)
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                raise ValueError("attendu une heure HH:MM, par exemple 17:30")
            return time(int(match[1]), int(match[2]))
        if kind == "days":
            days = tuple(sorted({int(d) for d in re.split(r"[,\s]+", text) if d}))
            if not days or any(d < 1 or d > 7 for d in days):
                raise ValueError("attendu des jours ISO séparés par des virgules, 1 = lundi")
            return days
    except (ValueError, ZoneInfoNotFoundError) as exc:
        reason = str(exc) if isinstance(exc, ValueError) and str(exc) else "valeur invalide"
        if isinstance(exc, ZoneInfoNotFoundError):
            reason = "fuseau horaire inconnu, par exemple Europe/Paris"
        raise ConfigError(f"Réglage {origin} invalide ({raw!r}) : {reason}.") from None
    raise AssertionError(kind)


def load_settings(
    config_file: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Read config.yml, apply environment overrides and validate every value."""
    path = config_file or Path(os.environ.get("SALESCOACH_CONFIG", CONFIG_FILE))
    env = os.environ if environ is None else environ
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(
            f"Fichier de configuration introuvable : {path}. Restaurez config.yml "
            "(git checkout config.yml) ou pointez SALESCOACH_CONFIG vers le bon fichier."
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" ligne {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where} : YAML invalide, corrigez l'indentation.") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} : attendu des sections (telegram:, database:, …).")
    values: dict[str, Any] = {}
    for section, key, env_name, attr, kind in _FIELDS:
        if env_name in env:
            values[attr] = _parse(kind, env[env_name], env_name)
            continue
        block = data.get(section) or {}
        if key in block:
            values[attr] = _parse(kind, block[key], f"{section}.{key} de {path.name}")
    return Settings(**values)
