"""Personal data: export, erase with confirmation, contact retention."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func, select

from bot import texts
from bot.driver import Driver
from core.privacy import ANONYMISED_NAME, anonymise_old_contacts
from db.models import Activity, Company, Contact, User
from tests.conftest import PARIS, onboard

U = 701
NOW = int(datetime(2026, 3, 10, 9, 0, tzinfo=PARIS).timestamp())


def count(bot: Driver, model: type) -> int:
    """Count rows."""
    with bot.app.bot_data["services"].session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


async def test_export_contains_everything(bot: Driver) -> None:
    await onboard(bot, U)
    await bot.send(U, "vu M. Martin chez Dupont SA hier, devis 12k€", date=NOW)
    await bot.press(U, "Valider")
    await bot.send(U, "/mesdonnees")
    replies = await bot.press(U, "Exporter")
    document = next(r for r in replies if r.method == "sendDocument")
    data = json.loads(document.file_bytes or b"{}")
    assert data["utilisateur"]["telegram_id"] == U
    assert data["entreprises"][0]["name"] == "Dupont SA"
    assert data["contacts"][0]["name"] == "M. Martin"
    assert len(data["activites"]) == 1


async def test_erase_needs_confirmation_then_deletes_only_mine(bot: Driver) -> None:
    await onboard(bot, U)
    await onboard(bot, U + 1, name="Autre")
    for user in (U, U + 1):
        await bot.send(user, "vu Dupont SA hier, devis 12k€", date=NOW)
        await bot.press(user, "Valider")
    await bot.send(U, "/mesdonnees")
    await bot.press(U, "Tout effacer")
    replies = await bot.press(U, "Non, garder")
    assert replies[-1].text == texts.PRIVACY_KEPT
    assert count(bot, Activity) == 2
    await bot.send(U, "/mesdonnees")
    await bot.press(U, "Tout effacer")
    replies = await bot.press(U, "Oui, tout effacer")
    assert replies[-1].text == texts.PRIVACY_ERASED
    assert count(bot, Activity) == 1 and count(bot, Company) == 1 and count(bot, User) == 1
    replies = await bot.send(U, "mes stats")
    assert replies[-1].text == texts.NOT_REGISTERED


async def test_contact_names_anonymised_after_retention(bot: Driver) -> None:
    await onboard(bot, U)
    await bot.send(U, "vu M. Martin chez Dupont SA hier, devis 12k€", date=NOW)
    await bot.press(U, "Valider")
    with bot.app.bot_data["services"].session() as session:
        assert anonymise_old_contacts(session, date(2027, 3, 10), 1095) == 0
        assert anonymise_old_contacts(session, date(2030, 3, 10), 1095) == 1
    with bot.app.bot_data["services"].session() as session:
        assert session.scalar(select(Contact.name)) == ANONYMISED_NAME
