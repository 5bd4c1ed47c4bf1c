"""A manager's week: team, invitations, reps logging, the Monday summary, access control."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from bot.driver import Driver
from bot.handlers.plan import get_scheduler
from core import team_texts as T
from db.models import Team, User
from tests.conftest import PARIS, onboard

MANAGER, REP_A, REP_B = 901, 902, 903


def ts(local: str) -> int:
    """A Paris wall-clock moment as a Telegram timestamp."""
    return int(datetime.fromisoformat(local).replace(tzinfo=PARIS).timestamp())


async def create_team(bot: Driver) -> str:
    """Onboard a manager, create the team and return the invite code."""
    await onboard(bot, MANAGER, role="Manager", name="Nadia")
    replies = await bot.send(MANAGER, "/equipe creer Équipe Rhône")
    text = replies[-1].text
    assert "Équipe Rhône" in text and "https://t.me/" in text
    return re.search(r"start=(\w+)", text)[1]  # type: ignore[index]


async def join(bot: Driver, user_id: int, code: str, name: str) -> None:
    """A rep opens the invite link and onboards."""
    await bot.send(user_id, f"/start {code}", first_name=name)
    await bot.send(user_id, name)
    replies = await bot.press(user_id, "Commercial")
    assert "rejoint l'équipe « Équipe Rhône »" in replies[-1].text


async def log(bot: Driver, user_id: int, text: str, when: str) -> None:
    """Log and validate an entry at a given local time."""
    await bot.send(user_id, text, date=ts(when))
    replies = await bot.press(user_id, "Valider")
    assert any("enregistré" in r.text for r in replies)


async def test_managers_week(bot: Driver) -> None:
    code = await create_team(bot)
    await join(bot, REP_A, code, "Alice")
    await join(bot, REP_B, code, "Bruno")
    # Week of Monday 2 March 2026: the reps work on different days.
    await log(bot, REP_A, "appelé Garnier SARL ce matin, rdv pris jeudi 14h", "2026-03-02T10:00")
    await log(bot, REP_A, "vu Dupont SA ce matin, commande 12k€", "2026-03-03T11:00")
    await log(bot, REP_B, "appelé Leroy SA ce matin, messagerie", "2026-03-04T09:30")
    await log(bot, REP_B, "vu Martin Industries ce matin, devis 8k€", "2026-03-05T16:00")
    # A rep asking for the team summary is refused.
    replies = await bot.send(REP_A, "/equipe")
    assert replies[-1].text == T.REP_TEAM.format(team="Équipe Rhône")
    # The Monday job fires at 08:00 Paris on 9 March (clock moved, no sleeping).
    result = await get_scheduler(bot.app).tick(datetime(2026, 3, 9, 7, 1, tzinfo=UTC))
    assert result.sent >= 1
    sent = [s for s in bot.api.sent if s.chat_id == MANAGER]
    text = next(s.text for s in reversed(sent) if s.method == "sendMessage")
    assert "Alice" in text and "Bruno" in text
    assert "⚠️" in text  # the data calls for alerts (e.g. an idle rep, a rotting quote)
    photos = [s for s in sent if s.method == "sendPhoto"]
    assert len(photos) == 2
    # Exactly once, even if the tick runs again.
    assert (await get_scheduler(bot.app).tick(datetime(2026, 3, 9, 7, 2, tzinfo=UTC))).sent == 0
    # Removing Bruno: his data no longer reaches the manager's next summary.
    replies = await bot.send(MANAGER, "/equipe membres")
    assert "Alice" in replies[-1].text and "Bruno" in replies[-1].text
    await bot.press(MANAGER, "Retirer 2")
    replies = await bot.press(MANAGER, "Oui, retirer")
    assert replies[-1].text == T.REMOVED.format(name="Bruno")
    await get_scheduler(bot.app).tick(datetime(2026, 3, 16, 7, 1, tzinfo=UTC))
    text = next(
        s.text
        for s in reversed(bot.api.sent)
        if s.chat_id == MANAGER and s.method == "sendMessage"
    )
    assert "Alice" in text and "Bruno" not in text


async def test_on_demand_summary_and_export(bot: Driver) -> None:
    code = await create_team(bot)
    await join(bot, REP_A, code, "Alice")
    await log(bot, REP_A, "vu Dupont SA ce matin, commande 12k€", "2026-03-03T11:00")
    replies = await bot.send(MANAGER, "/equipe")
    assert any(r.method == "sendPhoto" for r in replies)
    replies = await bot.send(MANAGER, "/equipe export annee")
    assert replies[-1].method == "sendDocument" and (replies[-1].file_name or "").endswith(".xlsx")


async def test_strangers_and_reps_see_nothing(bot: Driver) -> None:
    code = await create_team(bot)
    await join(bot, REP_A, code, "Alice")
    replies = await bot.send(5555, "/equipe")
    assert "/start" in replies[-1].text
    await onboard(bot, REP_B, name="Bruno")
    replies = await bot.send(REP_B, "/equipe membres")
    assert replies[-1].text == T.NOT_MANAGER
    with bot.app.bot_data["services"].session() as session:
        alice = session.scalar(select(User).where(User.telegram_id == REP_A))
        assert alice is not None
        alice_id = alice.id
    # A forged "remove" from a non-manager changes nothing.
    await bot.press_data(REP_B, 1, f"eq:ok:{alice_id}")
    with bot.app.bot_data["services"].session() as session:
        assert session.scalar(select(User.team_id).where(User.id == alice_id)) is not None


async def test_one_team_per_user_and_new_code(bot: Driver) -> None:
    code = await create_team(bot)
    replies = await bot.send(MANAGER, "/equipe creer Autre")
    assert replies[-1].text == T.ALREADY_HAS_TEAM.format(team="Équipe Rhône")
    replies = await bot.send(MANAGER, "/equipe code")
    new_code = re.search(r"start=(\w+)", replies[-1].text)[1]  # type: ignore[index]
    assert new_code != code
    await bot.send(REP_A, f"/start {code}", first_name="Alice")
    await bot.press(REP_A, "Utiliser")
    replies = await bot.press(REP_A, "Commercial")
    assert "aucune équipe" in replies[-1].text
    with bot.app.bot_data["services"].session() as session:
        assert session.scalar(select(Team.invite_code)) == new_code
