"""Foundation: onboarding, help, cancel, unknown input, strangers, configuration."""

from __future__ import annotations

import dataclasses
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.app import build_application, post_init
from bot.driver import Driver
from bot.localapi import LocalBotApi
from bot.services import Services
from core.settings import ConfigError, load_settings
from db.models import Team, User
from tests.conftest import onboard


async def test_onboarding_stores_name_and_role(bot: Driver) -> None:
    replies = await bot.send(10, "/start", first_name="Julie")
    assert "comment dois-je vous appeler" in replies[0].text
    assert any("Julie" in label for label in replies[0].button_labels())
    replies = await bot.send(10, "Julie Garnier")
    assert "Quel est votre rôle" in replies[-1].text
    replies = await bot.press(10, "Commercial")
    assert "Vous êtes prêt" in replies[-1].text
    with bot.app.bot_data["services"].session() as session:
        user = session.scalar(select(User).where(User.telegram_id == 10))
        assert user is not None
        assert (user.display_name, user.role, user.onboarded) == ("Julie Garnier", "rep", True)


async def test_new_user_gets_the_configured_push_schedule(
    services: Services, nlu_interpreter: Any
) -> None:
    """EVENING_PROMPT_TIME, MORNING_DIGEST_TIME and WORKING_DAYS apply to new accounts."""
    services.settings = dataclasses.replace(
        services.settings,
        evening_prompt=time(18, 45),
        morning_digest=time(7, 50),
        working_days=(1, 2, 3, 4, 5, 6),
    )
    services.nlu = nlu_interpreter
    api = LocalBotApi()
    async with build_application(services.settings, request=api, services=services) as app:
        await onboard(Driver(app, api), 13)
    with services.session() as session:
        user = session.scalar(select(User).where(User.telegram_id == 13))
        assert user is not None and user.onboarded
        assert (user.evening_time, user.morning_time, user.working_days) == (
            time(18, 45),
            time(7, 50),
            "1,2,3,4,5,6",
        )


async def test_onboarding_rejects_a_number_as_name_then_accepts(bot: Driver) -> None:
    await bot.send(11, "/start")
    replies = await bot.send(11, "12345")
    assert replies[-1].text == texts.NAME_INVALID
    replies = await bot.send(11, "Marc")
    assert "Enchanté, Marc" in replies[-1].text


async def test_start_again_welcomes_back(bot: Driver) -> None:
    await onboard(bot, 12)
    replies = await bot.send(12, "/start")
    assert replies[-1].text.startswith("Re-bonjour Camille")


async def test_start_with_invite_code_joins_team(bot: Driver) -> None:
    with bot.app.bot_data["services"].session() as session:
        session.add(Team(name="Équipe Rhône", invite_code="ABC123"))
    await bot.send(13, "/start ABC123")
    await bot.press(13, "Utiliser")
    replies = await bot.press(13, "Commercial")
    assert "rejoint l'équipe « Équipe Rhône »" in replies[-1].text
    with bot.app.bot_data["services"].session() as session:
        user = session.scalar(select(User).where(User.telegram_id == 13))
        assert user is not None and user.team_id is not None


async def test_unknown_invite_code_is_explained(bot: Driver) -> None:
    await onboard(bot, 14)
    replies = await bot.send(14, "/start NOPE")
    assert replies[-1].text == texts.TEAM_CODE_UNKNOWN


async def test_help_lists_examples(bot: Driver) -> None:
    await onboard(bot, 20)
    replies = await bot.send(20, "/aide")
    assert "vu Dupont SA hier" in replies[0].text
    assert "/agenda" in replies[0].text


async def test_cancel_during_onboarding_and_outside(bot: Driver) -> None:
    await bot.send(21, "/start")
    replies = await bot.send(21, "/annuler")
    assert replies[-1].text == texts.CANCELLED
    await onboard(bot, 22)
    replies = await bot.send(22, "/annuler")
    assert replies[-1].text == texts.NOTHING_TO_CANCEL


async def test_unknown_command(bot: Driver) -> None:
    await onboard(bot, 30)
    replies = await bot.send(30, "/bidule truc")
    assert replies[-1].text == texts.UNKNOWN_COMMAND.format(command="/bidule")


@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "document", "location", "video"])
async def test_unsupported_content_gets_french_reply(bot: Driver, kind: str) -> None:
    await onboard(bot, 31)
    replies = await bot.content(31, kind)
    assert replies[-1].text == texts.UNSUPPORTED_CONTENT[kind]


async def test_stranger_is_asked_to_start_and_nothing_is_stored(bot: Driver) -> None:
    replies = await bot.send(999, "vu Dupont SA hier, devis 12k€")
    assert replies[-1].text == texts.NOT_REGISTERED
    with bot.app.bot_data["services"].session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


async def test_stranger_button_press_is_refused(bot: Driver) -> None:
    replies = await bot.press_data(998, 1, "onb:role:manager")
    assert replies == [] or all("Valider" not in r.text for r in replies)
    calls = [c for c in bot.api.calls if c[0] == "answerCallbackQuery"]
    assert calls and calls[-1][1]["text"] == texts.NOT_REGISTERED


async def test_group_messages_get_the_private_only_rule(bot: Driver) -> None:
    replies = await bot.send(40, "/start", chat_type="group", chat_id=-100)
    assert replies[-1].text == texts.GROUPS_UNSUPPORTED
    replies = await bot.send(40, "bonjour tout le monde", chat_type="group", chat_id=-100)
    assert replies == []


async def test_edited_message_is_not_processed(bot: Driver) -> None:
    await onboard(bot, 41)
    replies = await bot.send(41, "vu Dupont hier", edited=True)
    assert replies[-1].text == texts.EDIT_IGNORED


async def test_rate_limit_answers_politely_once(bot: Driver) -> None:
    await onboard(bot, 42)
    limiter = bot.app.bot_data["rate_limiter"]
    limiter.limit = 3
    texts_seen = []
    for _ in range(6):
        texts_seen += [r.text for r in await bot.send(42, "/aide")]
    assert texts_seen.count(texts.RATE_LIMITED) == 1


async def test_commands_are_registered_with_telegram(bot: Driver) -> None:
    bot.app.bot_data["preload_nlu"] = False
    await post_init(bot.app)
    _method, params = next(c for c in bot.api.calls if c[0] == "setMyCommands")
    assert "agenda" in str(params["commands"])


async def test_error_handler_replies_in_french(bot: Driver) -> None:
    await onboard(bot, 43)

    async def boom(update, context):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    from telegram.ext import CommandHandler

    bot.app.add_handler(CommandHandler("boom", boom), group=-1)
    replies = await bot.send(43, "/boom")
    assert texts.INTERNAL_ERROR in [r.text for r in replies]
    assert all("secret" not in r.text for r in replies)


async def test_the_sender_is_read_once_per_update(bot: Driver) -> None:
    """Gate and handlers share one read of the user row; a rolled-back change is not kept."""
    from sqlalchemy import event

    from core.accounts import get_user, remember_users_for_this_update

    await onboard(bot, 42)
    services = bot.app.bot_data["services"]
    reads: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM users" in statement:
            reads.append(statement)

    event.listen(services.engine, "before_cursor_execute", count)
    try:
        [agenda] = await bot.send(42, "j'ai quoi demain ?")
        assert "demain" in agenda.text.lower()
        assert len(reads) == 1

        remember_users_for_this_update()
        with services.session() as session:
            first = get_user(session, 42)
            assert first is not None and first.display_name == "Camille"
        with pytest.raises(RuntimeError), services.session() as session:
            user = get_user(session, 42)
            assert user is first
            user.display_name = "Changé puis annulé"
            session.flush()
            raise RuntimeError
        with services.session() as session:
            again = get_user(session, 42)
            assert again is not None and again.display_name == "Camille"
    finally:
        event.remove(services.engine, "before_cursor_execute", count)


def test_config_env_overrides_file(tmp_path: Path) -> None:
    settings = load_settings(environ={"NLU_BACKEND": "rasa", "EVENING_PROMPT_TIME": "18:05"})
    assert settings.nlu_backend == "rasa"
    assert (settings.evening_prompt.hour, settings.evening_prompt.minute) == (18, 5)


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"NLU_BACKEND": "gpt"}, "NLU_BACKEND"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"EVENING_PROMPT_TIME": "25:00"}, "EVENING_PROMPT_TIME"),
        ({"TELEGRAM_BASE_URL": "ftp://x"}, "TELEGRAM_BASE_URL"),
        ({"NLU_CONFIDENCE_THRESHOLD": "2"}, "NLU_CONFIDENCE_THRESHOLD"),
        ({"WORKING_DAYS": "1,9"}, "WORKING_DAYS"),
    ],
)
def test_config_errors_name_the_setting(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ=env)
    message = str(info.value)
    assert needle in message and "\n" not in message


def test_config_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="introuvable"):
        load_settings(config_file=tmp_path / "absent.yml", environ={})
    bad = tmp_path / "bad.yml"
    bad.write_text("telegram:\n  token: [unclosed\n")
    with pytest.raises(ConfigError, match="YAML invalide"):
        load_settings(config_file=bad, environ={})


def test_start_up_with_a_wrong_setting_prints_one_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "NLU_BACKEND": "gpt", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    result = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, capture_output=True, text=True, timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "NLU_BACKEND" in lines[0] and "Traceback" not in result.stderr


def test_console_chat_goes_through_the_same_application(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_TOKEN"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/console.sqlite3"
    env["NLU_MODEL_DIR"] = str(Path(__file__).resolve().parent.parent / "var" / "nlu")
    result = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, input="1\n1\nvu Dupont SA hier, devis 12k€\n1\n/quitter\n",
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "comment dois-je vous appeler" in out
    assert "[1] Utiliser" in out and "Quel est votre rôle" in out
    assert "Dupont SA" in out and "C'est enregistré" in out
