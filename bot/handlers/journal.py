"""Journal in Telegram: cards from free text, completion, correction, validation, agenda, fiche."""

from __future__ import annotations

import contextlib
import secrets
from datetime import date
from typing import Any

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AppType, BotContext
from bot.handlers import common, router
from bot.handlers.common import chat_of
from bot.services import Services
from core.accounts import get_user
from db.models import Activity, Company, Contact, FollowUp
from journal import crm, texts
from journal.card import (
    EDITABLE,
    OPTIONAL,
    OUTCOMES,
    Card,
    FieldError,
    apply_field,
    card_from_nlu,
    parse_field,
    propose_followup,
)
from nlu.normalize import resolve_date

CARDS = "cards"
FOCUS = "focus"
LOG_INTENTS = ("log_visit", "log_call", "plan_activity")
OTHER_REQUESTS = ("show_agenda", "ask_stats", "start_drill", "start_checklist", "help")
COMPANY_CHECKED = "company_match"
B = InlineKeyboardButton


def _cards(context: BotContext) -> dict[str, dict[str, Any]]:
    """Return the user's pending cards."""
    return context.user_data.setdefault(CARDS, {})


def _load(context: BotContext, cid: str) -> Card | None:
    """Load a pending card of this user (ids are per user: a foreign id finds nothing)."""
    data = _cards(context).get(cid)
    return Card.from_dict(data) if data else None


def store_card(context: BotContext, cid: str, card: Card) -> None:
    """Save a pending card."""
    _cards(context)[cid] = card.to_dict()


def _drop(context: BotContext, cid: str) -> None:
    """Forget a pending card."""
    _cards(context).pop(cid, None)
    focus = context.user_data.get(FOCUS)
    if focus and focus.get("cid") == cid:
        context.user_data.pop(FOCUS, None)
    if not _cards(context):
        context.user_data.pop(CARDS, None)


def _today(context: BotContext, update: Update) -> date:
    """Return today in the user's timezone."""
    return router.user_now(context, update).date()


def _settings_kwargs(context: BotContext) -> dict[str, Any]:
    """Follow-up defaults from the settings."""
    s = context.services.settings
    return {
        "quote_days": s.quote_followup_days,
        "callback_days": s.callback_followup_days,
        "unreachable_days": s.unreachable_retry_working_days,
        "working_days": s.working_days,
    }


def new_card_id() -> str:
    """Return an opaque id for a pending card (only meaningful inside its owner's state)."""
    return secrets.token_hex(4)


async def on_log(update: Update, context: BotContext, result: dict[str, Any]) -> None:
    """Turn a log or plan message into a card."""
    now = router.user_now(context, update)
    card = card_from_nlu(result, now)
    propose_followup(card, now.date(), **_settings_kwargs(context))
    cid = new_card_id()
    store_card(context, cid, card)
    await advance(update, context, cid)


def _match_company(
    services: Services, telegram_id: int, card: Card
) -> tuple[list[crm.Match], Contact | None]:
    """Look the card's company up once: an exact match is taken, near ones are returned to
    choose from; with a known company and no person, its last contact is returned."""
    with services.session() as session:
        user = get_user(session, telegram_id)
        assert user is not None
        if card.company and card.company_id is None and COMPANY_CHECKED not in card.skipped:
            matches = crm.match_company(session, user.id, card.company)
            card.skip(COMPANY_CHECKED)
            if matches and matches[0].exact:
                card.company, card.company_id = matches[0].name, matches[0].company_id
            elif matches:
                return matches, None
        if card.company_id and not card.person and card.contact_id is None:
            return [], crm.last_contact(session, user.id, card.company_id)
    return [], None


async def advance(update: Update, context: BotContext, cid: str) -> None:
    """Ask the next missing thing, or show the card for validation."""
    card = _load(context, cid)
    chat_id = chat_of(update)
    if card is None:
        await context.bot.send_message(chat_id, texts.CARD_EXPIRED)
        return
    user_id = update.effective_user.id if update.effective_user else 0
    matches, last_contact = await context.services.run_db(
        _match_company, context.services, user_id, card
    )
    if matches:
        store_card(context, cid, card)
        rows = [[B(f"🏢 {m.name}", callback_data=f"j:co:{cid}:{m.company_id}")] for m in matches]
        rows.append(
            [
                B(
                    texts.BUTTON_NEW_COMPANY.format(name=(card.company or "")[:30]),
                    callback_data=f"j:co:{cid}:new",
                )
            ]
        )
        await context.bot.send_message(
            chat_id, texts.COMPANY_CHOICE, reply_markup=InlineKeyboardMarkup(rows)
        )
        return
    store_card(context, cid, card)
    missing = card.missing()
    if missing:
        await ask_field(update, context, cid, missing)
        return
    context.user_data.pop(FOCUS, None)
    rows = [
        [
            B(texts.BUTTON_VALIDATE, callback_data=f"j:ok:{cid}"),
            B(texts.BUTTON_FIX, callback_data=f"j:fix:{cid}"),
            B(texts.BUTTON_CANCEL, callback_data=f"j:no:{cid}"),
        ]
    ]
    if last_contact is not None:
        rows.append(
            [
                B(
                    texts.BUTTON_SAME_CONTACT.format(name=last_contact.name[:30]),
                    callback_data=f"j:ct:{cid}:{last_contact.id}",
                )
            ]
        )
    await context.bot.send_message(
        chat_id,
        texts.render_card(card, last_contact=last_contact.name if last_contact else None),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def ask_field(
    update: Update, context: BotContext, cid: str, name: str, prompt: str | None = None
) -> None:
    """Ask for one field, with quick replies where they exist."""
    context.user_data[FOCUS] = {"cid": cid, "field": name, "misses": 0}
    rows: list[list[InlineKeyboardButton]] = []
    if name == "outcome":
        codes = list(OUTCOMES)
        for i in range(0, len(codes), 2):
            rows.append(
                [
                    B(texts.OUTCOME_LABELS[c], callback_data=f"j:out:{cid}:{c}")
                    for c in codes[i : i + 2]
                ]
            )
    if name in OPTIONAL:
        rows.append([B(texts.BUTTON_SKIP, callback_data=f"j:skip:{cid}")])
    rows.append([B(texts.BUTTON_STOP, callback_data=f"j:no:{cid}")])
    await context.bot.send_message(
        chat_of(update), prompt or texts.ASK[name], reply_markup=InlineKeyboardMarkup(rows)
    )


async def pending_input(update: Update, context: BotContext, text: str) -> bool:
    """Take a typed answer for the field being asked; let other requests through."""
    focus = context.user_data.get(FOCUS)
    if not focus:
        return False
    cid, name = focus["cid"], focus["field"]
    card = _load(context, cid)
    if card is None:
        context.user_data.pop(FOCUS, None)
        return False
    now = router.user_now(context, update)
    result = context.services.get_nlu().parse(text, now=now)
    intent, confidence = result["intent"]["name"], result["intent"]["confidence"]
    is_other = intent in OTHER_REQUESTS and confidence >= 0.75
    is_new_log = (
        intent in LOG_INTENTS
        and confidence >= 0.8
        and len(text.split()) >= 4
        and any(e["entity"] == "company" for e in result["entities"])
    )
    if is_other or is_new_log:
        context.user_data.pop(FOCUS, None)
        await router.dispatch(update, context, result)
        if is_other:
            await offer_resume(update, context, cid, card)
        return True
    try:
        value = parse_field(name, text, now, plan=card.is_plan)
    except FieldError:
        focus["misses"] += 1
        expected = texts.EXPECTED[name]
        if focus["misses"] >= 2:
            template = (
                texts.NOT_FITTING_TWICE if name in OPTIONAL else texts.NOT_FITTING_TWICE_REQUIRED
            )
            await ask_field(update, context, cid, name, template.format(expected=expected))
            context.user_data[FOCUS]["misses"] = 2
        else:
            assert update.effective_message is not None
            await update.effective_message.reply_text(texts.NOT_FITTING.format(expected=expected))
        return True
    apply_field(card, name, value)
    if name == "company":
        card.skipped = [s for s in card.skipped if s != COMPANY_CHECKED]
    if name == "outcome":
        propose_followup(card, now.date(), **_settings_kwargs(context))
    store_card(context, cid, card)
    context.user_data.pop(FOCUS, None)
    await advance(update, context, cid)
    return True


async def offer_resume(update: Update, context: BotContext, cid: str, card: Card) -> None:
    """After answering another request, offer to come back to the pending card."""
    rows = [
        [
            B(
                texts.BUTTON_RESUME.format(company=(card.company or "…")[:25]),
                callback_data=f"j:resume:{cid}",
            ),
            B(texts.BUTTON_DROP, callback_data=f"j:no:{cid}"),
        ]
    ]
    await context.bot.send_message(
        chat_of(update),
        texts.PENDING_OFFER.format(company=card.company or texts.UNKNOWN_COMPANY),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def on_card_button(update: Update, context: BotContext) -> None:
    """Handle every button of a card."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    action, cid = parts[1], parts[2] if len(parts) > 2 else ""
    arg = parts[3] if len(parts) > 3 else ""
    card = _load(context, cid)
    if card is None:
        await query.answer(texts.CARD_EXPIRED, show_alert=False)
        return
    await query.answer()
    chat_id = chat_of(update)
    if action == "ok":
        await _validate(update, context, cid, card)
    elif action == "no":
        _drop(context, cid)
        await close_buttons(query)
        await context.bot.send_message(chat_id, texts.CARD_CANCELLED)
    elif action == "fix":
        fields = [f for f in EDITABLE if not (f == "outcome" and card.is_plan)]
        rows = [
            [B(texts.FIELD_LABELS[f], callback_data=f"j:fld:{cid}:{f}") for f in fields[i : i + 4]]
            for i in range(0, len(fields), 4)
        ]
        rows.append([B(texts.BUTTON_BACK, callback_data=f"j:back:{cid}")])
        await context.bot.send_message(
            chat_id, texts.PICK_FIELD, reply_markup=InlineKeyboardMarkup(rows)
        )
    elif action == "fld" and arg in EDITABLE:
        if arg == "outcome":
            await ask_field(update, context, cid, "outcome")
        else:
            await ask_field(
                update,
                context,
                cid,
                arg,
                texts.TYPE_NEW_VALUE.format(field=texts.FIELD_LABELS[arg]) + "\n" + texts.ASK[arg],
            )
    elif action == "out" and arg in OUTCOMES:
        card.outcome = arg
        now = router.user_now(context, update)
        propose_followup(card, now.date(), **_settings_kwargs(context))
        store_card(context, cid, card)
        context.user_data.pop(FOCUS, None)
        await close_buttons(query)
        await advance(update, context, cid)
    elif action == "co":
        await _company_chosen(update, context, cid, card, arg)
    elif action == "ct":
        await _same_contact(update, context, cid, card, arg)
    elif action == "skip":
        await _skip(update, context, cid, card)
    elif action in ("resume", "back"):
        await advance(update, context, cid)


async def close_buttons(query: Any) -> None:
    """Remove the buttons of a message once used."""
    with contextlib.suppress(Exception):  # already edited or too old: nothing to remove
        await query.edit_message_reply_markup(None)


def _store_card(
    services: Services, telegram_id: int, card: Card, update_id: int
) -> tuple[int, str, str]:
    """Commit a card; return its activity's id, kind and status."""
    with services.session() as session:
        user = get_user(session, telegram_id)
        assert user is not None
        activity = crm.save_card(session, user, card, update_id=update_id)
        return activity.id, activity.kind, activity.status


async def _validate(update: Update, context: BotContext, cid: str, card: Card) -> None:
    """Commit the card, then confirm."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    missing = card.missing()
    if missing:
        await ask_field(update, context, cid, missing)
        return
    editing = card.activity_id is not None
    activity_id, kind, status = await context.services.run_db(
        _store_card, context.services, update.effective_user.id, card, update.update_id
    )
    # committed above: only now does the bot say it is stored
    _drop(context, cid)
    await close_buttons(query)
    template = texts.UPDATED if editing else texts.SAVED
    message = template.format(summary=texts.summary(card))
    if card.followup:
        message += "\n" + texts.SAVED_FOLLOWUP.format(date=texts.fmt_date(card.followup))
    await context.bot.send_message(chat_of(update), message)
    if not editing and kind == "visit" and status == "done":
        from bot.handlers import checklists

        # just saved by this user: no need to read it again
        await checklists.offer_debrief(update, context, activity_id, checked=True)


async def _company_chosen(
    update: Update, context: BotContext, cid: str, card: Card, arg: str
) -> None:
    """Link the card to a known company, or keep the typed name as a new one."""
    assert update.effective_user is not None
    if arg != "new":
        with context.services.session() as session:
            user = get_user(session, update.effective_user.id)
            company = (
                crm.owned_company(session, user.id, int(arg)) if user and arg.isdigit() else None
            )
            if company is None:
                assert update.callback_query is not None
                await context.bot.send_message(chat_of(update), texts.AGENDA_GONE)
                return
            card.company, card.company_id = company.name, company.id
            card.city = card.city or company.city
    store_card(context, cid, card)
    assert update.callback_query is not None
    await close_buttons(update.callback_query)
    await advance(update, context, cid)


async def _same_contact(
    update: Update, context: BotContext, cid: str, card: Card, arg: str
) -> None:
    """Reuse the last contact of this company."""
    assert update.effective_user is not None
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        contact = session.get(Contact, int(arg)) if arg.isdigit() else None
        company = (
            crm.owned_company(session, user.id, contact.company_id) if user and contact else None
        )
        if contact is None or company is None or company.id != card.company_id:
            await context.bot.send_message(chat_of(update), texts.AGENDA_GONE)
            return
        card.person, card.contact_id, card.role = (
            contact.name,
            contact.id,
            card.role or contact.role_code,
        )
    store_card(context, cid, card)
    await advance(update, context, cid)


async def _skip(update: Update, context: BotContext, cid: str, card: Card) -> None:
    """Leave the focused optional field empty."""
    focus = context.user_data.get(FOCUS) or {}
    name = focus.get("field") if focus.get("cid") == cid else card.missing()
    if name not in OPTIONAL:
        await context.bot.send_message(chat_of(update), texts.SKIP_REFUSED)
        return
    card.skip(name)
    store_card(context, cid, card)
    context.user_data.pop(FOCUS, None)
    await advance(update, context, cid)


async def skip_command(update: Update, context: BotContext) -> None:
    """/skip: leave the field being asked empty."""
    focus = context.user_data.get(FOCUS)
    card = _load(context, focus["cid"]) if focus else None
    if not focus or card is None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(texts.NO_PENDING)
        return
    await _skip(update, context, focus["cid"], card)


# ------------------------------------------------------------------ agenda


async def on_agenda_intent(update: Update, context: BotContext, result: dict[str, Any]) -> None:
    """Answer "j'ai quoi demain ?"."""
    today = _today(context, update)
    day = today
    for entity in result.get("entities", []):
        if entity["entity"] in ("when", "followup"):
            day = date.fromisoformat(str(entity["value"])[:10])
            break
    await show_agenda(update, context, day)


async def agenda_command(update: Update, context: BotContext) -> None:
    """/agenda [date]."""
    now = router.user_now(context, update)
    day = now.date()
    if context.args:
        value = resolve_date(" ".join(context.args), now, "future")
        if value:
            day = date.fromisoformat(value[:10])
    await show_agenda(update, context, day)


def _agenda_items(
    services: Services, telegram_id: int, day: date, today: date
) -> list[crm.AgendaItem]:
    """A day's agenda of a user."""
    with services.session() as session:
        user = get_user(session, telegram_id)
        assert user is not None
        return crm.agenda(session, user.id, day, today)


async def show_agenda(update: Update, context: BotContext, day: date) -> None:
    """List a day's planned actions and follow-ups with Fait / Reporter buttons."""
    assert update.effective_user is not None
    today = _today(context, update)
    items = await context.services.run_db(
        _agenda_items, context.services, update.effective_user.id, day, today
    )
    label = texts.relative_day(day, today)
    if not items:
        await context.bot.send_message(chat_of(update), texts.AGENDA_EMPTY.format(day=label))
        return
    lines = [texts.AGENDA_TITLE.format(day=label[:1].upper() + label[1:])]
    rows = []
    for n, item in enumerate(items, start=1):
        at = item.at.strftime("%Hh%M") + " · " if item.at else ""
        late = texts.AGENDA_OVERDUE.format(date=texts.fmt_short(item.day)) if item.overdue else ""
        lines.append(f"{n}. {late}{at}{item.label}")
        code = "f" if item.kind == "followup" else "a"
        rows.append(
            [
                B(f"{texts.BUTTON_DONE} {n}", callback_data=f"ag:done:{code}:{item.item_id}"),
                B(f"{texts.BUTTON_POSTPONE} {n}", callback_data=f"ag:later:{code}:{item.item_id}"),
            ]
        )
    await context.bot.send_message(
        chat_of(update), "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows[:20])
    )


async def on_agenda_button(update: Update, context: BotContext) -> None:
    """Fait / Reporter on an agenda line, checked against the presser's own data."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    parts = query.data.split(":")
    if len(parts) != 4 or not parts[3].isdigit():
        await query.answer(texts.AGENDA_GONE)
        return
    _, action, code, raw_id = parts
    item_id = int(raw_id)
    now = router.user_now(context, update)
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        assert user is not None
        target = crm.postpone_target(now.date())
        label = ""
        if code == "f":
            row = (
                crm.mark_followup_done(session, user.id, item_id, now)
                if action == "done"
                else crm.postpone_followup(session, user.id, item_id, target)
            )
            if row is not None:
                company = session.get(Company, row.company_id) if row.company_id else None
                label = texts.followup_label(company.name if company else None, row.note)
        else:
            act = (
                crm.mark_planned_done(session, user.id, item_id)
                if action == "done"
                else crm.postpone_activity(session, user.id, item_id, target)
            )
            row = act
            if act is not None:
                company = session.get(Company, act.company_id) if act.company_id else None
                label = texts.planned_label(act.kind, company.name if company else None, act.city)
    if row is None:
        await query.answer(texts.AGENDA_GONE, show_alert=True)
        return
    await query.answer()
    message = (
        texts.AGENDA_DONE.format(label=label)
        if action == "done"
        else texts.AGENDA_POSTPONED.format(date=texts.fmt_date(target), label=label)
    )
    await context.bot.send_message(chat_of(update), message)


# ------------------------------------------------------------------ fiche


async def fiche_command(update: Update, context: BotContext) -> None:
    """/fiche Dupont: the company card."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    name = " ".join(context.args or []).strip()
    if not name:
        await message.reply_text(texts.FICHE_USAGE)
        return
    with context.services.session() as session:
        user = get_user(session, update.effective_user.id)
        assert user is not None
        matches = crm.match_company(session, user.id, name)
        if not matches:
            await message.reply_text(texts.FICHE_NOT_FOUND.format(name=name[:60]))
            return
        text = render_fiche(session, user.id, matches[0].company_id, _today(context, update))
    await message.reply_text(text)


def render_fiche(session: Any, user_id: int, company_id: int, today: date) -> str:
    """Contacts, last activities, open quotes and the next follow-up of a company."""
    company = crm.owned_company(session, user_id, company_id)
    assert company is not None
    lines = [
        texts.FICHE_TITLE.format(
            name=company.name, city=f" — {company.city}" if company.city else ""
        )
    ]
    contacts = session.scalars(select(Contact).where(Contact.company_id == company.id)).all()
    if contacts:
        names = [
            c.name
            + (
                f" ({texts.ROLE_LABELS.get(c.role_code or '', c.role_code)})"
                if c.role_code
                else ""
            )
            for c in contacts
        ]
        lines.append(texts.FICHE_CONTACTS.format(contacts=", ".join(names)))
    else:
        lines.append(texts.FICHE_NO_CONTACT)
    recent = session.scalars(
        select(Activity)
        .where(
            Activity.company_id == company.id,
            Activity.user_id == user_id,
            Activity.deleted_at.is_(None),
        )
        .order_by(Activity.day.desc(), Activity.id.desc())
        .limit(5)
    ).all()
    if recent:
        lines.append(texts.FICHE_LAST)
        for act in recent:
            kind = (texts.KIND_PLANNED if act.status == "planned" else texts.KIND_DONE)[act.kind]
            outcome = (
                f" — {texts.OUTCOME_LABELS[act.outcome]}"
                if act.outcome in texts.OUTCOME_LABELS
                else ""
            )
            amount = f" ({texts.fmt_amount(float(act.amount))})" if act.amount is not None else ""
            lines.append(f"• {texts.fmt_date(act.day)} : {kind}{outcome}{amount}")
    quotes = [
        a
        for a in session.scalars(
            select(Activity).where(
                Activity.company_id == company.id,
                Activity.user_id == user_id,
                Activity.outcome == "devis",
                Activity.deleted_at.is_(None),
            )
        ).all()
    ]
    ordered_after = {a.day for a in recent if a.outcome == "commande"}
    open_quotes = [q for q in quotes if not any(d >= q.day for d in ordered_after)]
    if open_quotes:
        lines.append(
            texts.FICHE_QUOTES.format(
                quotes=", ".join(
                    f"{texts.fmt_amount(float(q.amount)) if q.amount is not None else 'montant ?'} du {texts.fmt_short(q.day)}"
                    for q in open_quotes
                )
            )
        )
    else:
        lines.append(texts.FICHE_NO_QUOTE)
    nxt = session.scalar(
        select(FollowUp)
        .where(
            FollowUp.company_id == company.id,
            FollowUp.user_id == user_id,
            FollowUp.status == "open",
            FollowUp.deleted_at.is_(None),
        )
        .order_by(FollowUp.due_date)
        .limit(1)
    )
    lines.append(
        texts.FICHE_NEXT.format(next=texts.fmt_date(nxt.due_date)) if nxt else texts.FICHE_NO_NEXT
    )
    return "\n".join(lines)


def register(app: AppType) -> None:
    """Wire the journal: intents, pending input, buttons and commands."""
    for intent in LOG_INTENTS:
        router.INTENT_HANDLERS[intent] = on_log
    router.INTENT_HANDLERS["show_agenda"] = on_agenda_intent
    if pending_input not in router.INTERCEPTORS:
        router.INTERCEPTORS.append(pending_input)
    common.PENDING_KEYS.extend(k for k in (CARDS, FOCUS) if k not in common.PENDING_KEYS)
    app.add_handler(CallbackQueryHandler(on_card_button, pattern=r"^j:"))
    app.add_handler(CallbackQueryHandler(on_agenda_button, pattern=r"^ag:"))
    app.add_handler(CommandHandler("skip", skip_command))
    app.add_handler(CommandHandler("agenda", agenda_command))
    app.add_handler(CommandHandler("fiche", fiche_command))
