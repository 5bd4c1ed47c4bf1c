"""Coaching checklists played from the user's side: start, answer, cancel, resume, debrief."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler

from bot import texts as core_texts
from bot.app import build_application
from bot.context import BotContext
from bot.driver import Driver
from bot.handlers import checklists
from bot.handlers.gate import RateLimiter
from bot.localapi import LocalBotApi, SentMessage
from coaching import checklist_texts as T
from coaching.checklist import ItemDef, load_checklists
from core.accounts import get_user
from db.models import Activity, ChecklistRun, Company, Contact, FollowUp
from tests.conftest import PARIS, onboard

# Tuesday 10 March 2026, 09:00 in Paris: every relative date below is resolved against it.
NOW = int(datetime(2026, 3, 10, 9, 0, tzinfo=PARIS).timestamp())
U = 601
OTHER = 602
DEFS = load_checklists()

VALID_TEXT = {
    "number": "5",
    "amount": "12k€",
    "date": "dans 15 jours",
    "text": "Réponse précise du commercial",
}
INVALID = {  # a wrong answer per type, and the start of the French explanation
    "check": ("peut-être bien", T.ERR_CHECK),
    "number": ("beaucoup", T.ERR_NUMBER),
    "amount": ("assez cher", T.ERR_AMOUNT),
    "date": ("un jour peut-être", T.ERR_DATE),
    "text": ("x" * 501, T.ERR_TEXT_LONG.split("(", 1)[0]),
    "choice": ("qwerty azerty", T.ERR_CHOICE.split("«", 1)[0]),
}


async def say(bot: Driver, text: str, user: int = U) -> list[SentMessage]:
    """Send a message dated at the reference moment."""
    return await bot.send(user, text, date=NOW)


def session(bot: Driver) -> Any:
    """A database session of the bot's services."""
    return bot.app.bot_data["services"].session()


def runs(bot: Driver, user: int = U) -> list[ChecklistRun]:
    """The checklist runs of a Telegram user, oldest first."""
    with session(bot) as s:
        owner = get_user(s, user)
        assert owner is not None
        rows = s.scalars(
            select(ChecklistRun).where(ChecklistRun.user_id == owner.id).order_by(ChecklistRun.id)
        ).all()
        s.expunge_all()
        return list(rows)


def last_run(bot: Driver, user: int = U) -> ChecklistRun:
    """The user's latest run, as stored."""
    return runs(bot, user)[-1]


def current_item(run: ChecklistRun) -> ItemDef:
    """The item the stored run is asking."""
    item = DEFS[run.kind].item(run.state["item_id"])
    assert item is not None
    return item


def last_alert(bot: Driver) -> str | None:
    """The text of the last answer to a button press."""
    answers = [p for m, p in bot.api.calls if m == "answerCallbackQuery"]
    return answers[-1].get("text") if answers else None


def last_with_buttons(bot: Driver, user: int = U) -> SentMessage:
    """The last message shown to the user that still has buttons."""
    return [s for s in bot.api.sent if s.chat_id == user and s.buttons][-1]


async def press_code(bot: Driver, code: str, user: int = U) -> list[SentMessage]:
    """Press the button whose callback data ends with this code, on the last message."""
    message = last_with_buttons(bot, user)
    data = next(
        b["callback_data"]
        for row in message.buttons
        for b in row
        if str(b.get("callback_data", "")).split(":")[-1] == code
    )
    assert message.message_id is not None
    return await bot.press_data(user, message.message_id, data)


async def answer_current(bot: Driver, turn: int) -> list[SentMessage]:
    """Answer the current item correctly, by button or by text (alternating where both work)."""
    item = current_item(last_run(bot))
    if item.type == "check":
        return await (press_code(bot, "done") if turn % 2 else say(bot, "ok c'est fait"))
    if item.type == "choice" and item.multiple:
        await press_code(bot, item.options[0].code)
        return await press_code(bot, "validate")
    if item.type == "choice":
        if turn % 2:
            return await press_code(bot, item.options[0].code)
        return await say(bot, item.options[0].label)
    return await say(bot, VALID_TEXT[item.type])


async def finish(bot: Driver, turn: int = 0) -> list[SentMessage]:
    """Answer every remaining item; return the last replies."""
    replies: list[SentMessage] = []
    for n in range(20):
        if last_run(bot).status != "open":
            return replies
        replies = await answer_current(bot, turn + n)
    raise AssertionError("the checklist did not finish")


def seed_dupont(bot: Driver, user: int = U) -> int:
    """Dupont SA in the rep's journal: contacts, visits, an open quote and a late follow-up."""
    with session(bot) as s:
        owner = get_user(s, user)
        assert owner is not None
        company = Company(owner_id=owner.id, name="Dupont SA", norm_name="dupont", city="Lyon")
        s.add(company)
        s.flush()
        s.add_all(
            [
                Contact(company_id=company.id, name="Claire Martin", role_code="achats"),
                Contact(company_id=company.id, name="Paul Durand", role_code="direction"),
            ]
        )
        old_quote = Activity(
            user_id=owner.id,
            kind="visit",
            day=date(2026, 1, 10),
            outcome="devis",
            amount=Decimal(3000),
            company_id=company.id,
        )
        s.add_all(
            [
                old_quote,
                Activity(
                    user_id=owner.id,
                    kind="visit",
                    day=date(2026, 1, 15),
                    outcome="commande",
                    amount=Decimal(5000),
                    company_id=company.id,
                ),
                Activity(
                    user_id=owner.id,
                    kind="call",
                    day=date(2026, 2, 27),
                    outcome="rappel",
                    company_id=company.id,
                ),
            ]
        )
        quote = Activity(
            user_id=owner.id,
            kind="visit",
            day=date(2026, 3, 3),
            outcome="devis",
            amount=Decimal(12000),
            company_id=company.id,
        )
        s.add(quote)
        s.flush()
        s.add(
            FollowUp(
                user_id=owner.id,
                company_id=company.id,
                activity_id=quote.id,
                due_date=date(2026, 3, 6),
                note="devis 12 000 € du 03/03",
            )
        )
        return company.id


@pytest.fixture
async def rep(bot: Driver) -> Driver:
    """An onboarded rep (the rate limit is relaxed: a checklist is many quick answers)."""
    bot.app.bot_data["rate_limiter"] = RateLimiter(10_000, 10)
    await onboard(bot, U)
    return bot


# --- the six checklists ---------------------------------------------------------------

SIX = [
    ("preparer", "aide-moi à préparer ma visite chez Dupont", "Dupont SA"),
    ("decouvrir", "checklist découverte chez Garnier", "Garnier"),
    ("argumenter", "/checklist argumentaire Dupont SA", "Dupont SA"),
    ("negocier", "checklist négo pour Leroy", "Leroy"),
    ("conclure", "checklist conclusion pour Dupont SA", "Dupont SA"),
    ("debrief", "débrief de mon rdv chez Garnier", "Garnier"),
]


@pytest.mark.parametrize(("kind", "message", "company"), SIX, ids=[k for k, _, _ in SIX])
async def test_play_each_checklist(rep: Driver, kind: str, message: str, company: str) -> None:
    company_id = seed_dupont(rep)
    definition = DEFS[kind]
    total = len(definition.items)

    # start from a message naming a client: the first step recaps the journal
    replies = await say(rep, message)
    first = replies[-1]
    assert f"{definition.title} · {company} — 1/{total}" in first.text
    assert first.buttons and all(
        str(b["callback_data"]).startswith("cl:") for row in first.buttons for b in row
    )
    [run] = runs(rep)
    assert (run.kind, run.status, run.state["index"]) == (kind, "open", 0)
    assert run.company_id == (company_id if company == "Dupont SA" else None)
    if company == "Dupont SA":
        assert "Ce que je sais déjà de Dupont SA" in first.text
        assert "Claire Martin (achats)" in first.text and "Paul Durand (direction)" in first.text
        assert "visite du " + T.format_day_plain(date(2026, 3, 3)) + " : devis" in first.text
        assert "devis 12\u00a0000\u00a0€ du " + T.format_day_plain(date(2026, 3, 3)) in first.text
        assert "3\u00a0000\u00a0€" not in first.text  # that quote became an order
        assert "relance devis 12 000 € du 03/03 prévue le 6 mars" in first.text
    else:
        assert T.RECAP_EMPTY.format(company=company) in first.text
    if kind == "debrief":
        assert "Pas de visite chez Garnier" in first.text

    # a correct answer, saved before the reply
    await answer_current(rep, 1)
    assert last_run(rep).state["index"] >= 1

    # a wrong answer: a French explanation, nothing moves
    before = last_run(rep).state
    wrong, explanation = INVALID[current_item(last_run(rep)).type]
    replies = await say(rep, wrong)
    assert replies[-1].text.startswith(explanation)
    assert replies[-1].buttons
    assert last_run(rep).state == before

    # another answer by text or button
    await answer_current(rep, 2)
    index = last_run(rep).state["index"]

    # /annuler leaves the checklist open, and says how to resume
    replies = await say(rep, "/annuler")
    assert replies[0].text == core_texts.CANCELLED
    assert replies[-1].text == T.CANCEL_NOTE.format(kind=T.KIND_LABELS[kind], company=company)
    assert last_run(rep).status == "open"
    await say(rep, "ok c'est fait")  # no longer taken as an answer
    assert last_run(rep).state["index"] == index

    # /checklist offers to resume it
    replies = await say(rep, "/checklist")
    assert replies[-1].text == T.OPEN_RUNS_ONE
    labels = replies[-1].button_labels()
    assert T.BTN_RESUME_RUN.format(kind=T.KIND_LABELS[kind], company=company) in labels
    assert T.BTN_NEW_RUN in labels
    replies = await rep.press(U, "Reprendre")
    assert replies[-1].text.startswith(T.RESUME)
    assert f"— {index + 1}/{total}" in replies[-1].text

    # to the end: the summary, status done
    replies = await finish(rep, 3)
    assert replies[-1].text.startswith(T.FINISHED_TITLE)
    assert "📋 Bilan" in replies[-1].text
    assert not replies[-1].buttons
    [run] = runs(rep)
    assert run.status == "done" and run.finished_at is not None
    assert run.state["finished"] is True
    if kind == "debrief":
        assert T.JOURNAL_NOT_LINKED in replies[-1].text
    replies = await say(rep, "bonjour")  # the checklist no longer takes text
    assert replies[-1].text.startswith("Bonjour")


# --- starting without kind or client ---------------------------------------------------


async def test_no_kind_asks_with_six_buttons_then_fuzzy_client(rep: Driver) -> None:
    seed_dupont(rep)
    replies = await say(rep, "/checklist")
    assert replies[-1].text == T.ASK_KIND
    assert len(replies[-1].button_labels()) == 6
    replies = await rep.press(U, "Négocier")
    assert replies[-1].text == T.ASK_COMPANY
    replies = await say(rep, "Dupond")  # a typo: the close known client is offered
    assert replies[-1].text == T.COMPANY_CHOICE.format(typed="Dupond")
    assert T.BTN_NEW_COMPANY.format(name="Dupond") in replies[-1].button_labels()
    replies = await rep.press(U, "🏢 Dupont SA")
    assert "Négocier · Dupont SA — 1/" in replies[-1].text
    assert last_run(rep).company_id is not None


async def test_client_asked_when_missing_and_new_name_is_fine(rep: Driver) -> None:
    replies = await say(rep, "je veux préparer un rendez-vous")
    assert replies[-1].text == T.ASK_COMPANY
    replies = await say(rep, "chez Menuiserie Vidal")
    assert "Préparer la visite · Menuiserie Vidal — 1/" in replies[-1].text
    run = last_run(rep)
    assert run.company_id is None and run.state["company"] == "Menuiserie Vidal"
    with session(rep) as s:
        assert s.scalar(select(Company).where(Company.name == "Menuiserie Vidal")) is None


async def test_same_checklist_asked_again_resumes_it(rep: Driver) -> None:
    await say(rep, "checklist négo pour Leroy")
    await answer_current(rep, 1)
    replies = await say(rep, "/checklist négo Leroy")
    assert replies[-1].text.startswith(T.RESUME)
    assert len(runs(rep)) == 1


async def test_clear_requests_go_through_then_resume(rep: Driver) -> None:
    await say(rep, "checklist négo pour Leroy")
    await answer_current(rep, 1)
    state = last_run(rep).state
    replies = await say(rep, "j'ai quoi demain ?")
    assert any("demain" in r.text.lower() for r in replies[:-1])  # the agenda answered
    assert replies[-1].text == T.PAUSED_OFFER.format(kind="négociation", company="Leroy")
    assert last_run(rep).state == state
    replies = await rep.press(U, "Reprendre")
    assert replies[-1].text.startswith(T.RESUME)
    await answer_current(rep, 1)
    assert last_run(rep).state["index"] == state["index"] + 1


# --- restart, access --------------------------------------------------------------------


async def test_resume_after_restart(rep: Driver) -> None:
    await say(rep, "checklist négo pour Leroy")
    await answer_current(rep, 1)
    await answer_current(rep, 2)
    index = last_run(rep).state["index"]

    services = rep.app.bot_data["services"]
    api = LocalBotApi()
    app = build_application(services.settings, request=api, services=services)
    async with app:
        again = Driver(app, api)
        app.bot_data["rate_limiter"] = RateLimiter(10_000, 10)
        # the new process still knows the active run: a typed answer continues it
        replies = await again.send(U, VALID_TEXT["text"], date=NOW)
        assert f"— {index + 2}/" in replies[-1].text
        assert last_run(again).state["index"] == index + 1
        # even with the in-memory state wiped, the run comes back from the database
        app.user_data[U].clear()
        replies = await again.send(U, "/checklist", date=NOW)
        assert T.BTN_RESUME_RUN.format(kind="négociation", company="Leroy") in (
            replies[-1].button_labels()
        )
        replies = await again.press(U, "Reprendre")
        assert replies[-1].text.startswith(T.RESUME)
        assert f"— {index + 2}/" in replies[-1].text


async def test_forged_buttons_change_nothing(rep: Driver) -> None:
    await onboard(rep, OTHER, name="Intrus")
    await say(rep, "checklist négo pour Leroy")
    run = last_run(rep)
    message = last_with_buttons(rep)
    assert message.message_id is not None
    sent = len(rep.api.sent)

    for data in (
        f"cl:{run.id}:0:skip",
        f"cl:r:{run.id}",
        f"cl:{run.id + 99}:0:skip",
        "cl:c:1",
        "cl:d:1",
        "cl:zz",
    ):
        await rep.press_data(OTHER, message.message_id, data)
        assert last_alert(rep) in (T.RUN_REFUSED, T.START_EXPIRED, T.DEBRIEF_GONE), data
    assert len(rep.api.sent) == sent  # the intruder saw no checklist, the owner nothing new
    assert last_run(rep).state == run.state
    assert runs(rep, OTHER) == []

    # the owner's stale button (an item already answered) changes nothing either
    await press_code(rep, "skip")
    state = last_run(rep).state
    await rep.press_data(U, message.message_id, f"cl:{run.id}:0:skip")
    assert last_alert(rep) == T.STALE_BUTTON
    assert last_run(rep).state == state


async def test_finished_run_refuses_presses(rep: Driver) -> None:
    await say(rep, "débrief de ma visite chez Garnier")
    await finish(rep)
    run = last_run(rep)
    await rep.press_data(U, 1, f"cl:{run.id}:0:skip")
    assert last_alert(rep) == T.RUN_CLOSED
    assert last_run(rep).state == run.state


# --- debrief into the journal ---------------------------------------------------------


async def log_visit(bot: Driver, text: str = "vu Dupont SA ce matin") -> Activity:
    """Log a visit in the journal and validate it."""
    await say(bot, text)
    if "Passer" in last_with_buttons(bot).button_labels():
        await bot.press(U, "Passer")  # the outcome is left to the debrief
    await bot.press(U, "Valider")
    with session(bot) as s:
        activity = s.scalars(select(Activity).order_by(Activity.id.desc())).first()
        assert activity is not None
        s.expunge(activity)
        return activity


async def play_debrief(bot: Driver) -> list[SentMessage]:
    """Answer a debrief: quote of 12k€, next step tomorrow, price objection."""
    await bot.press(U, "Devis")
    await bot.press(U, "Oui")
    await say(bot, "12k€")
    await say(bot, "envoyer le devis détaillé")
    await say(bot, "demain")
    await say(bot, "prix")
    await say(bot, "j'ai montré le retour sur investissement")
    await say(bot, "bonne écoute du client")
    await say(bot, "parler du prix plus tard")
    return await press_code(bot, "done")


async def test_debrief_from_text_updates_the_visit_and_the_agenda(rep: Driver) -> None:
    activity = await log_visit(rep)
    assert activity.outcome is None and activity.day == date(2026, 3, 10)
    replies = await say(rep, "débrief de ma visite chez Dupont SA")
    assert T.DEBRIEF_LINKED.format(
        day=T.format_day_plain(date(2026, 3, 10)), company="Dupont SA"
    ) in (replies[-1].text)
    run = last_run(rep)
    assert (run.kind, run.activity_id) == ("debrief", activity.id)

    replies = await play_debrief(rep)
    text = replies[-1].text
    assert text.startswith(T.FINISHED_TITLE)
    assert (
        T.JOURNAL_UPDATED.format(day=T.format_day_plain(date(2026, 3, 10)), company="Dupont SA")
        in text
    )
    assert T.JOURNAL_FOLLOWUP.format(day=T.format_day("2026-03-11")) in text
    assert "Le journal sera mis à jour" not in text

    with session(rep) as s:
        stored = s.get(Activity, activity.id)
        assert stored is not None
        assert (stored.outcome, stored.amount, stored.objections) == (
            "devis",
            Decimal(12000),
            "prix",
        )
        assert stored.raw_text == "vu Dupont SA ce matin"
        assert stored.note is not None and "envoyer le devis détaillé" in stored.note
        assert "bonne écoute du client" in stored.note
        [followup] = s.scalars(select(FollowUp).where(FollowUp.activity_id == activity.id)).all()
        assert (followup.due_date, followup.status) == (date(2026, 3, 11), "open")
    assert last_run(rep).status == "done"

    replies = await say(rep, "j'ai quoi demain ?")
    assert "Relance Dupont SA" in replies[-1].text and "devis" in replies[-1].text


async def test_debrief_offer_after_a_visit(rep: Driver) -> None:
    async def offer(update: Update, context: BotContext) -> None:
        """Test hook: what the journal calls after saving a visit."""
        await checklists.offer_debrief(update, context, int((context.args or ["0"])[0]))
        raise ApplicationHandlerStop

    rep.app.add_handler(CommandHandler("test_offer", offer), group=-1)
    activity = await log_visit(rep, "vu Dupont SA ce matin, il est intéressé")
    replies = await say(rep, f"/test_offer {activity.id}")
    assert replies[-1].text == T.DEBRIEF_OFFER
    replies = await rep.press(U, "Oui, débriefer")
    assert "Débriefer · Dupont SA — 1/" in replies[-1].text
    assert last_run(rep).activity_id == activity.id
    await play_debrief(rep)
    with session(rep) as s:
        stored = s.get(Activity, activity.id)
        assert stored is not None and stored.outcome == "devis"

    # no offer for another user's activity, nor for a planned one
    await onboard(rep, OTHER, name="Intrus")
    rep.app.bot_data["rate_limiter"] = RateLimiter(10_000, 10)
    replies = await say(rep, f"/test_offer {activity.id}", user=OTHER)
    assert replies == []
    await rep.press_data(OTHER, 1, f"cl:d:{activity.id}")
    assert last_alert(rep) == T.DEBRIEF_GONE
    assert runs(rep, OTHER) == []
