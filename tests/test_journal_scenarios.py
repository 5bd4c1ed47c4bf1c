"""Journal scenarios played from the user's side: what they see and what is stored."""

from __future__ import annotations

import calendar
import copy
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot import texts as core_texts
from bot.driver import Driver
from db.models import Activity, Company, Contact, FollowUp
from journal import texts
from tests.conftest import PARIS, onboard

# Tuesday 10 March 2026, 09:00 in Paris: every relative date below is resolved against it.
NOW = int(datetime(2026, 3, 10, 9, 0, tzinfo=PARIS).timestamp())
U = 501


async def say(bot: Driver, text: str, user: int = U) -> list:
    """Send a message dated at the reference moment."""
    return await bot.send(user, text, date=NOW)


def rows(bot: Driver, model: type) -> list:
    """Return all rows of a table."""
    with bot.app.bot_data["services"].session() as session:
        return list(session.scalars(select(model)).all())


def count(bot: Driver, model: type) -> int:
    """Count rows of a table."""
    with bot.app.bot_data["services"].session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
async def rep(bot: Driver) -> Driver:
    """An onboarded rep."""
    await onboard(bot, U)
    return bot


async def test_visit_with_quote_and_followup(rep: Driver) -> None:
    replies = await say(rep, "vu Dupont SA hier, devis 12k€, relance jeudi")
    card = replies[-1]
    assert "Dupont SA" in card.text and "12\u202f000 €" in card.text
    assert "Relance : jeu. 12 mars" in card.text
    assert count(rep, Activity) == 0  # nothing stored before Valider
    replies = await rep.press(U, "Valider")
    assert replies[1].text.startswith("✅ C'est enregistré")
    assert "débrief" in replies[-1].text.lower()
    [activity] = rows(rep, Activity)
    assert (activity.kind, activity.status, activity.day, activity.outcome) == (
        "visit",
        "done",
        date(2026, 3, 9),
        "devis",
    )
    assert activity.amount == Decimal("12000")
    [followup] = rows(rep, FollowUp)
    assert followup.due_date == date(2026, 3, 12)
    assert [c.name for c in rows(rep, Company)] == ["Dupont SA"]


async def test_call_to_voicemail_proposes_callback_in_two_working_days(rep: Driver) -> None:
    replies = await say(rep, "appelé Garnier SARL ce matin, messagerie")
    assert "Injoignable" in replies[-1].text and "proposée" in replies[-1].text
    await rep.press(U, "Valider")
    [activity] = rows(rep, Activity)
    assert (activity.kind, activity.outcome) == ("call", "injoignable")
    assert rows(rep, FollowUp)[0].due_date == date(2026, 3, 12)


async def test_plan_with_time(rep: Driver) -> None:
    replies = await say(rep, "demain 10h RDV chez Bricoman à Lyon")
    assert "prévue" in replies[-1].text and "10h00" in replies[-1].text
    await rep.press(U, "Valider")
    [activity] = rows(rep, Activity)
    assert (activity.status, activity.day, activity.at_time.hour) == (
        "planned",
        date(2026, 3, 11),
        10,
    )
    replies = await say(rep, "j'ai quoi demain ?")
    assert "Bricoman" in replies[-1].text and "10h00" in replies[-1].text


async def test_missing_company_then_outcome_are_asked_one_at_a_time(rep: Driver) -> None:
    replies = await say(rep, "visite faite hier après-midi")
    assert replies[-1].text == texts.ASK["company"]
    replies = await say(rep, "Menuiserie Vidal")
    assert replies[-1].text == texts.ASK["outcome"]
    replies = await rep.press(U, "Commande signée")
    assert "Menuiserie Vidal" in replies[-1].text
    await rep.press(U, "Valider")
    assert rows(rep, Activity)[0].outcome == "commande"


async def test_outcome_typed_as_free_text(rep: Driver) -> None:
    await say(rep, "passé chez Ets Morel hier")
    replies = await say(rep, "ils veulent un devis")
    assert "Devis" in replies[-1].text


async def test_two_wrong_answers_explain_and_offer_skip(rep: Driver) -> None:
    await say(rep, "vu Leroy Matériaux hier, devis 5k€")
    await rep.press(U, "Corriger")
    await rep.press(U, "Montant")
    replies = await say(rep, "bof")
    assert replies[-1].text.startswith("Je n'ai pas compris")
    replies = await say(rep, "je sais pas")
    assert "passer ce champ" in replies[-1].text
    assert texts.BUTTON_SKIP in replies[-1].button_labels()


async def test_correct_the_company(rep: Driver) -> None:
    await say(rep, "vu Dupond SA hier, commande 3 500 €")
    await rep.press(U, "Corriger")
    replies = await rep.press(U, "Entreprise")
    assert "Nouvelle valeur" in replies[-1].text
    replies = await say(rep, "Dupont SA")
    assert "🏢 Dupont SA" in replies[-1].text
    await rep.press(U, "Valider")
    assert [c.name for c in rows(rep, Company)] == ["Dupont SA"]


async def test_correct_the_date_reparsed(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, commande 3 500 €")
    await rep.press(U, "Corriger")
    await rep.press(U, "Date")
    replies = await say(rep, "plutôt jeudi")
    assert "jeu. 5 mars" in replies[-1].text


async def test_cancel_stores_nothing(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, devis 12k€")
    replies = await rep.press(U, "Annuler")
    assert replies[-1].text == texts.CARD_CANCELLED
    assert count(rep, Activity) == 0


async def test_cancel_command_drops_pending_card(rep: Driver) -> None:
    await say(rep, "visite faite hier")
    replies = await say(rep, "/annuler")
    assert replies[-1].text == core_texts.CANCELLED
    replies = await say(rep, "Dupont SA")
    assert texts.ASK["outcome"] not in replies[-1].text


async def test_two_logs_in_a_row_are_both_kept(rep: Driver) -> None:
    first = (await say(rep, "vu Dupont SA hier, devis 12k€"))[-1]
    second = (await say(rep, "appelé Garnier SARL ce matin, rdv pris jeudi 14h"))[-1]
    await rep.press(U, "Valider", message=second)
    await rep.press(U, "Valider", message=first)
    kinds = sorted(a.kind for a in rows(rep, Activity))
    assert kinds == ["call", "visit"]


async def test_unknown_company_fuzzy_matches_a_known_one(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, devis 12k€")
    await rep.press(U, "Valider")
    replies = await say(rep, "appelé dupond ce matin, commande signée")
    assert replies[-1].text == texts.COMPANY_CHOICE
    assert any("Dupont SA" in label for label in replies[-1].button_labels())
    replies = await rep.press(U, "Dupont SA")
    await rep.press(U, "Valider")
    assert count(rep, Company) == 1
    assert {a.company_id for a in rows(rep, Activity)} == {rows(rep, Company)[0].id}


async def test_new_name_creates_a_company(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, devis 12k€")
    await rep.press(U, "Valider")
    await say(rep, "appelé dupond ce matin, commande signée")
    await rep.press(U, "nouvelle")
    await rep.press(U, "Valider")
    assert count(rep, Company) == 2


async def test_same_contact_as_last_time_is_offered(rep: Driver) -> None:
    await say(rep, "vu M. Martin chez Dupont SA hier, devis 12k€")
    await rep.press(U, "Valider")
    replies = await say(rep, "appelé Dupont SA ce matin, commande signée")
    assert any("Même contact : M. Martin" in label for label in replies[-1].button_labels())
    replies = await rep.press(U, "Même contact")
    assert "👤 M. Martin" in replies[-1].text
    await rep.press(U, "Valider")
    assert count(rep, Contact) == 1
    assert all(a.contact_id for a in rows(rep, Activity))


async def test_agenda_question_in_the_middle_of_a_card_then_resume(rep: Driver) -> None:
    await say(rep, "visite faite hier")
    replies = await say(rep, "j'ai quoi demain ?")
    assert "demain" in replies[0].text.lower()
    assert replies[-1].text.startswith("Vous aviez une saisie en cours")
    replies = await rep.press(U, "Reprendre")
    assert replies[-1].text == texts.ASK["company"]


async def test_sticker_in_the_middle_of_a_card_keeps_it(rep: Driver) -> None:
    await say(rep, "visite faite hier")
    replies = await rep.content(U, "sticker")
    assert "saisie en cours est conservée" in replies[-1].text
    replies = await say(rep, "Dupont SA")
    assert replies[-1].text == texts.ASK["outcome"]


async def test_long_message_gets_a_card_or_a_clear_answer(rep: Driver) -> None:
    text = ("vu Dupont SA hier, devis 12k€, relance jeudi. " * 100)[:4096]
    replies = await say(rep, text)
    assert replies and replies[-1].text
    assert count(rep, Activity) == 0


async def test_garbage_gets_french_reply_and_stores_nothing(rep: Driver) -> None:
    replies = await say(rep, "qsdkjfh zzkq ???")
    assert replies[-1].text
    assert count(rep, Activity) == 0


async def test_agenda_done_and_postpone_buttons(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, devis 12k€, relance aujourd'hui")
    await rep.press(U, "Valider")
    await say(rep, "cet aprem 15h appeler Garnier SARL")
    await rep.press(U, "Valider")
    replies = await say(rep, "/agenda")
    assert "Relance Dupont SA" in replies[-1].text and "Garnier" in replies[-1].text
    await rep.press(U, "Fait 1")
    await rep.press(U, "Reporter 2", message=replies[-1])
    statuses = {f.status for f in rows(rep, FollowUp)}
    assert "done" in statuses or any(a.day != date(2026, 3, 10) for a in rows(rep, Activity))


async def test_overdue_followup_is_flagged(rep: Driver) -> None:
    await say(rep, "vu Dupont SA le 2 mars, devis 12k€, relance jeudi")
    await rep.press(U, "Valider")
    replies = await rep.send(U, "/agenda", date=NOW + 3 * 86400)  # Friday 13 March
    assert "En retard (12/03)" in replies[-1].text


async def test_forged_agenda_button_of_another_user_changes_nothing(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, devis 12k€, relance aujourd'hui")
    await rep.press(U, "Valider")
    [followup] = rows(rep, FollowUp)
    await onboard(rep, 777, name="Intrus")
    replies = await rep.press_data(777, 1, f"ag:done:f:{followup.id}")
    assert rows(rep, FollowUp)[0].status == "open"
    answers = [c for c in rep.api.calls if c[0] == "answerCallbackQuery"]
    assert answers[-1][1].get("text") == texts.AGENDA_GONE
    assert replies == [] or all("Fait" not in r.text for r in replies)


async def test_forged_card_button_finds_nothing(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, devis 12k€")
    data = rep.api.last(U).button_data("Valider")
    await onboard(rep, 778, name="Autre")
    await rep.press_data(778, 1, data)
    assert count(rep, Activity) == 0


async def test_fiche_shows_contacts_quotes_and_next_followup(rep: Driver) -> None:
    await say(rep, "vu M. Martin le DG chez Dupont SA hier, devis 12k€, relance jeudi")
    await rep.press(U, "Valider")
    replies = await say(rep, "/fiche dupont")
    text = replies[-1].text
    assert "Dupont SA" in text and "M. Martin" in text and "12\u202f000 €" in text
    assert "Prochaine relance" in text


async def test_fiche_unknown_company(rep: Driver) -> None:
    replies = await say(rep, "/fiche Inconnue")
    assert replies[-1].text == texts.FICHE_NOT_FOUND.format(name="Inconnue")


def test_followups_never_on_weekend_or_holiday() -> None:
    from journal.calendar import add_working_days, next_working_day

    assert next_working_day(date(2026, 5, 1)) == date(2026, 5, 4)  # Fête du travail, weekend
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    for day in range(1, 32):
        d = next_working_day(date(2026, 7, min(day, calendar.monthrange(2026, 7)[1])))
        assert d.weekday() < 5 and d != date(2026, 7, 14)


async def test_stats_on_an_empty_journal(rep: Driver) -> None:
    replies = await say(rep, "mes stats")
    assert "Aucune activité" in replies[-1].text


async def test_stats_after_logs_show_counts_ratios_and_formulas(rep: Driver) -> None:
    for text in (
        "appelé Garnier SARL ce matin, rdv pris jeudi 14h",
        "appelé Leroy SA ce matin, messagerie",
        "vu Dupont SA ce matin, commande 12k€",
    ):
        await say(rep, text)
        await rep.press(U, "Valider")
    replies = await say(rep, "/stats semaine")
    text = replies[-1].text
    assert "50" in text  # contact rate 1/2
    replies = await rep.press(U, "Formules")
    assert "÷" in replies[-1].text or "/" in replies[-1].text


async def test_stats_unknown_period(rep: Driver) -> None:
    replies = await say(rep, "/stats siecle")
    assert replies[-1].text == texts.STATS_USAGE


async def test_export_sends_csv_and_xlsx(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, devis 12k€")
    await rep.press(U, "Valider")
    replies = await say(rep, "/export")
    names = [r.file_name for r in replies if r.method == "sendDocument"]
    assert any(n.endswith(".csv") for n in names) and any(n.endswith(".xlsx") for n in names)
    csv_bytes = next(r.file_bytes for r in replies if r.file_name and r.file_name.endswith(".csv"))
    assert csv_bytes is not None and "Dupont SA" in csv_bytes.decode("utf-8-sig")


async def test_export_empty_journal(rep: Driver) -> None:
    replies = await say(rep, "/export")
    assert replies[-1].text == texts.EXPORT_EMPTY


async def test_history_edit_delete_and_undo(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, devis 12k€")
    await rep.press(U, "Valider")
    replies = await say(rep, "/historique")
    assert "Dupont SA" in replies[-1].text
    await rep.press(U, "✏️ 1")
    await rep.press(U, "Corriger")
    await rep.press(U, "Montant")
    await say(rep, "15k€")
    replies = await rep.press(U, "Valider")
    assert replies[-1].text.startswith("✅ Entrée mise à jour")
    [activity] = rows(rep, Activity)
    assert activity.amount == Decimal("15000")
    await say(rep, "/historique")
    replies = await rep.press(U, "🗑 1")
    assert "Supprimer cette entrée" in replies[-1].text
    replies = await rep.press(U, "Oui, supprimer")
    assert replies[-1].text == texts.DELETED
    assert rows(rep, Activity)[0].deleted_at is not None
    assert all(f.deleted_at is not None for f in rows(rep, FollowUp))
    replies = await rep.press(U, "Annuler la suppression")
    assert replies[-1].text.startswith("↩️ Entrée restaurée")
    assert rows(rep, Activity)[0].deleted_at is None


async def test_history_paginates(rep: Driver) -> None:
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"]
    for n, name in enumerate(names):
        await say(rep, f"vu {name} Industries hier, commande {n + 1}k€")
        await rep.press(U, "Valider")
    replies = await say(rep, "/historique")
    assert texts.HISTORY_NEXT in replies[-1].button_labels()
    replies = await rep.press(U, texts.HISTORY_NEXT)
    assert "page 2" in replies[-1].text


async def test_history_delete_of_another_users_entry_is_refused(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, devis 12k€")
    await rep.press(U, "Valider")
    [activity] = rows(rep, Activity)
    await onboard(rep, 779, name="Autre")
    await rep.press_data(779, 1, f"h:y:{activity.id}")
    assert rows(rep, Activity)[0].deleted_at is None


async def test_redelivered_update_is_not_applied_twice(rep: Driver) -> None:
    await say(rep, "vu Dupont SA hier, devis 12k€")
    card = rep.api.last(U)
    press = rep.callback_update(U, card.message_id or 0, card.button_data("Valider"))
    await rep.feed(copy.deepcopy(press))
    replies = await rep.feed(copy.deepcopy(press))  # redelivered: crash before the offset moved
    assert replies[-1].text == core_texts.ALREADY_DONE
    assert count(rep, Activity) == 1


async def test_low_confidence_offers_the_two_likeliest_readings(rep: Driver) -> None:
    from dataclasses import replace

    services = rep.app.bot_data["services"]
    services.settings = replace(services.settings, confidence_threshold=0.999)
    replies = await say(rep, "Dupont demain peut-être")
    assert replies[-1].text.startswith("Je n'ai pas bien compris")
    labels = replies[-1].button_labels()
    assert len(labels) == 3 and "Autre chose" in labels[-1]
    replies = await rep.press(U, labels[0])
    assert replies[-1].text  # the chosen reading is handled like a clear message
    assert count(rep, Activity) == 0
