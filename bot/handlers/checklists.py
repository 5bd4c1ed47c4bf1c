"""Coaching checklists in Telegram: start, answer item by item, resume, and debrief into the journal.

The pure engine is :mod:`coaching.checklist`; this module stores each run in ``checklist_runs``
(state JSON committed before every reply, so a run resumes after a restart) and turns its steps
into messages with buttons. Callback data, all checked against the presser's own data:

* ``cl:<run_id>:<index>:<code>`` — a button of the step asking item ``index`` of run ``run_id``;
* ``cl:r:<run_id>`` resume a run, ``cl:n`` new checklist, ``cl:k:<kind>`` kind chosen,
  ``cl:c:<company_id>|new|none`` client chosen, ``cl:d:<activity_id>`` / ``cl:x:<activity_id>``
  debrief offer accepted / declined.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AppType, BotContext
from bot.handlers import common, router
from bot.handlers.common import chat_of, sender_of
from coaching import checklist as engine
from coaching import checklist_texts as T
from core.accounts import get_user
from db.models import Activity, ChecklistRun, Company, Contact, FollowUp, User
from journal import crm, history
from journal.card import FieldError, parse_field, propose_followup

log = logging.getLogger(__name__)

ACTIVE = "checklist"  # {"run": id, "msg": message id of the last step}; /annuler clears it
OPENED = "checklist_open"  # run id kept through /annuler, to say that the run stays open
START = "checklist_start"  # a start waiting for its kind or its client
PASS_INTENTS = ("show_agenda", "ask_stats", "start_drill", "help")
PASS_CONFIDENCE = 0.75
DEBRIEF_WINDOW_DAYS = 7
MAX_OFFERED = 3
MAX_FACTS = 10
CONTACTS_SHOWN = 5
LAST_ACTIVITIES = 3
B = InlineKeyboardButton


# ------------------------------------------------------------------ small helpers


def _definitions() -> dict[str, engine.ChecklistDef]:
    """The six validated checklists (loaded once by the engine)."""
    return engine.load_checklists()


def _engine_run(row: ChecklistRun) -> engine.ChecklistRun:
    """Rebuild the engine run from its stored state."""
    return engine.ChecklistRun(row.state or {}, checklists=_definitions())


def _utcnow() -> datetime:
    """Naive UTC now, like the database's own timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def _company_label(row: ChecklistRun) -> str:
    """The client of a run for buttons and notes."""
    company = (row.state or {}).get("company")
    return T.shorten(company, 25) if isinstance(company, str) and company else T.NO_COMPANY_LABEL


def _kind_label(kind: str) -> str:
    """French name of a checklist kind."""
    return T.KIND_LABELS.get(kind, kind)


def _owned_run(
    session: Session, user_id: int, run_id: int, *, lock: bool = False
) -> ChecklistRun | None:
    """Return a run only if it belongs to this user (locked for update when asked)."""
    query = select(ChecklistRun).where(ChecklistRun.id == run_id, ChecklistRun.user_id == user_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def _open_runs(session: Session, user_id: int, limit: int = MAX_OFFERED) -> list[ChecklistRun]:
    """The user's open runs, most recent first."""
    return list(
        session.scalars(
            select(ChecklistRun)
            .where(ChecklistRun.user_id == user_id, ChecklistRun.status == "open")
            .order_by(ChecklistRun.id.desc())
            .limit(limit)
        )
    )


def _activate(context: BotContext, run_id: int, message_id: int | None) -> None:
    """Make a run the one that takes typed answers."""
    context.user_data[ACTIVE] = {"run": run_id, "msg": message_id}
    context.user_data[OPENED] = run_id


def _deactivate(context: BotContext) -> None:
    """Stop taking typed answers for a run (it stays open in the database)."""
    context.user_data.pop(ACTIVE, None)
    context.user_data.pop(OPENED, None)


def _active_run_id(context: BotContext) -> int | None:
    """The id of the run taking typed answers, if any."""
    active = context.user_data.get(ACTIVE)
    run_id = active.get("run") if isinstance(active, dict) else None
    return run_id if isinstance(run_id, int) else None


async def _close_buttons(context: BotContext, chat_id: int, message_id: int | None) -> None:
    """Remove the buttons of a message once it is answered (best effort)."""
    if message_id is None:
        return
    with contextlib.suppress(Exception):  # already edited, deleted or too old
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


def _keyboard(run_id: int, index: int, step: engine.Step) -> InlineKeyboardMarkup | None:
    """Turn the step's (label, code) rows into buttons bound to this run and item."""
    rows = [
        [B(label, callback_data=f"cl:{run_id}:{index}:{code}") for label, code in row]
        for row in step.buttons
        if row
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def _send_step(
    update: Update,
    context: BotContext,
    run_id: int,
    index: int,
    step: engine.Step,
    prefix: str = "",
) -> None:
    """Show a step; an unfinished run becomes the active one, a finished one stops being it."""
    chat_id = chat_of(update)
    text = f"{prefix}\n\n{step.text}" if prefix else step.text
    if step.done:
        if _active_run_id(context) == run_id:
            _deactivate(context)
        await context.bot.send_message(chat_id, text)
        return
    sent = await context.bot.send_message(
        chat_id, text, reply_markup=_keyboard(run_id, index, step)
    )
    _activate(context, run_id, sent.message_id)


def _settings_kwargs(context: BotContext) -> dict[str, Any]:
    """Follow-up defaults from the settings (same as the journal's)."""
    s = context.services.settings
    return {
        "quote_days": s.quote_followup_days,
        "callback_days": s.callback_followup_days,
        "unreachable_days": s.unreachable_retry_working_days,
        "working_days": s.working_days,
    }


# ------------------------------------------------------------------ journal facts


def _money(value: Any) -> str:
    """Euros the French way."""
    return T.format_money(float(value))


def build_context(
    session: Session, user_id: int, company_id: int | None, company: str | None, today: date
) -> dict[str, Any]:
    """The engine's journal facts about a client: contacts, last activities, quotes, follow-ups."""
    facts: dict[str, Any] = {"company": company} if company else {}
    if company_id is None:
        return facts
    contacts = session.execute(
        select(Contact.name, Contact.role_code)
        .where(Contact.company_id == company_id, Contact.anonymised.is_(False))
        .order_by(Contact.id)
        .limit(CONTACTS_SHOWN)
    ).all()
    if contacts:
        facts["contacts"] = [{"name": name, "role": role} for name, role in contacts]
    live = (
        Activity.user_id == user_id,
        Activity.company_id == company_id,
        Activity.deleted_at.is_(None),
        Activity.status == "done",
    )
    recent = session.execute(
        select(Activity.kind, Activity.day, Activity.outcome, Activity.amount)
        .where(*live, Activity.day <= today)
        .order_by(Activity.day.desc(), Activity.id.desc())
        .limit(LAST_ACTIVITIES)
    ).all()
    if recent:
        facts["last_activities"] = [_activity_fact(*row) for row in recent]
    later_order = aliased(Activity)
    quotes = session.execute(
        select(Activity.day, Activity.amount)
        .where(
            *live,
            Activity.outcome == "devis",
            ~exists().where(
                and_(
                    later_order.user_id == user_id,
                    later_order.company_id == company_id,
                    later_order.deleted_at.is_(None),
                    later_order.outcome == "commande",
                    later_order.day >= Activity.day,
                )
            ),
        )
        .order_by(Activity.day.desc(), Activity.id.desc())
        .limit(MAX_FACTS)
    ).all()
    if quotes:
        facts["open_quotes"] = [
            T.FACT_QUOTE.format(amount=_money(amount), day=T.format_day_plain(day))
            if amount is not None
            else T.FACT_QUOTE_NO_AMOUNT.format(day=T.format_day_plain(day))
            for day, amount in quotes
        ]
    overdue = session.execute(
        select(FollowUp.due_date, FollowUp.note)
        .where(
            FollowUp.user_id == user_id,
            FollowUp.company_id == company_id,
            FollowUp.status == "open",
            FollowUp.deleted_at.is_(None),
            FollowUp.due_date < today,
        )
        .order_by(FollowUp.due_date)
        .limit(MAX_FACTS)
    ).all()
    if overdue:
        facts["overdue_followups"] = [
            T.FACT_FOLLOWUP.format(note=note, day=T.format_day_plain(due))
            if note
            else T.FACT_FOLLOWUP_NO_NOTE.format(day=T.format_day_plain(due))
            for due, note in overdue
        ]
    last_outcome = session.scalar(
        select(Activity.outcome)
        .where(*live, Activity.outcome.is_not(None))
        .order_by(Activity.day.desc(), Activity.id.desc())
        .limit(1)
    )
    if last_outcome:
        facts["last_outcome"] = last_outcome
    last_amount = session.scalar(
        select(Activity.amount)
        .where(*live, Activity.amount.is_not(None))
        .order_by(Activity.day.desc(), Activity.id.desc())
        .limit(1)
    )
    if last_amount is not None:
        amount = float(last_amount)
        facts["last_amount"] = int(amount) if amount.is_integer() else amount
    return facts


def _activity_fact(kind: str, day: date, outcome: str | None, amount: Any) -> str:
    """One past activity as a short French string: "visite du 3 mars : devis 12 000 €"."""
    text = T.FACT_ACTIVITY.format(kind=T.FACT_KINDS.get(kind, kind), day=T.format_day_plain(day))
    details = [T.OUTCOME_LABELS[outcome]] if outcome in T.OUTCOME_LABELS else []
    if amount is not None:
        details.append(_money(amount))
    return text + (T.FACT_DETAILS.format(details=" ".join(details)) if details else "")


def latest_visit(session: Session, user_id: int, company_id: int, today: date) -> Activity | None:
    """The user's latest visit with this client in the last days, for a debrief."""
    return session.scalar(
        select(Activity)
        .where(
            Activity.user_id == user_id,
            Activity.company_id == company_id,
            Activity.kind == "visit",
            Activity.status == "done",
            Activity.deleted_at.is_(None),
            Activity.day <= today,
            Activity.day >= today - timedelta(days=DEBRIEF_WINDOW_DAYS),
        )
        .order_by(Activity.day.desc(), Activity.id.desc())
        .limit(1)
    )


# ------------------------------------------------------------------ starting


@dataclass
class Start:
    """A checklist about to start: what is known so far (kept in user_data between messages)."""

    kind: str | None = None
    company: str | None = None
    company_id: int | None = None
    company_checked: bool = False
    activity_id: int | None = None
    awaiting: str | None = None  # "kind" | "company"
    typed: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for user_data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Start | None:
        """Rebuild from user_data (None when absent or malformed)."""
        if not isinstance(data, dict):
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        try:
            return cls(**known)
        except TypeError:
            return None


def _company_entity(result: dict[str, Any]) -> str | None:
    """The client named in an NLU result."""
    for entity in result.get("entities", []):
        if entity.get("entity") == "company" and str(entity.get("value") or "").strip():
            return str(entity["value"]).strip()[:120]
    return None


async def start_from_text(
    update: Update, context: BotContext, text: str, company: str | None
) -> None:
    """Start (or resume) a checklist from a request; ask what is missing."""
    kind = engine.kind_from_text(text)
    if kind is None and company is None:
        with context.services.session() as session:
            user = get_user(session, sender_of(update))
            runs = _open_runs(session, user.id) if user else []
            offer = [(r.id, r.kind, _company_label(r)) for r in runs]
        if offer:
            await _offer_runs(update, context, offer)
            return
    await _advance_start(update, context, Start(kind=kind, company=company))


async def on_start_intent(update: Update, context: BotContext, result: dict[str, Any]) -> None:
    """NLU intent start_checklist: "aide-moi à préparer ma visite chez Dupont"."""
    message = update.effective_message
    text = str(result.get("text") or (message.text if message and message.text else ""))
    await start_from_text(update, context, text, _company_entity(result))


async def checklist_command(update: Update, context: BotContext) -> None:
    """/checklist [texte]: start one, or offer to resume an open one."""
    text = router.clean_text(" ".join(context.args or []))
    company = None
    if text:
        now = router.user_now(context, update)
        result = context.services.get_nlu().parse(text, now=now, intent="start_checklist")
        company = _company_entity(result)
    await start_from_text(update, context, text, company)


async def _offer_runs(
    update: Update, context: BotContext, runs: list[tuple[int, str, str]]
) -> None:
    """Offer to resume one of the open runs, or to start a new checklist."""
    rows = [
        [
            B(
                T.BTN_RESUME_RUN.format(kind=_kind_label(kind), company=company),
                callback_data=f"cl:r:{run_id}",
            )
        ]
        for run_id, kind, company in runs
    ]
    rows.append([B(T.BTN_NEW_RUN, callback_data="cl:n")])
    text = T.OPEN_RUNS_ONE if len(runs) == 1 else T.OPEN_RUNS_MANY.format(count=len(runs))
    await context.bot.send_message(chat_of(update), text, reply_markup=InlineKeyboardMarkup(rows))


async def _ask_kind(update: Update, context: BotContext, start: Start) -> None:
    """Ask which of the six checklists, with buttons."""
    start.awaiting = "kind"
    context.user_data[START] = start.to_dict()
    defs = _definitions()
    buttons = [
        B(T.KIND_BUTTON.format(emoji=d.emoji, title=d.title), callback_data=f"cl:k:{kind}")
        for kind, d in defs.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = T.ASK_KIND_FOR.format(company=start.company) if start.company else T.ASK_KIND
    await context.bot.send_message(chat_of(update), text, reply_markup=InlineKeyboardMarkup(rows))


async def _ask_company(update: Update, context: BotContext, start: Start) -> None:
    """Ask which client, by free text (or none)."""
    start.awaiting = "company"
    context.user_data[START] = start.to_dict()
    rows = [[B(T.BTN_NO_COMPANY, callback_data="cl:c:none")]]
    await context.bot.send_message(
        chat_of(update), T.ASK_COMPANY, reply_markup=InlineKeyboardMarkup(rows)
    )


async def _advance_start(update: Update, context: BotContext, start: Start) -> None:
    """Ask the next missing thing of a start (kind, client), or create the run."""
    if start.kind is None:
        await _ask_kind(update, context, start)
        return
    if start.company is None and not start.company_checked:
        await _ask_company(update, context, start)
        return
    if start.company and start.company_id is None and not start.company_checked:
        with context.services.session() as session:
            user = get_user(session, sender_of(update))
            matches = crm.match_company(session, user.id, start.company) if user else []
        start.company_checked = True
        if matches and matches[0].exact:
            start.company, start.company_id = matches[0].name, matches[0].company_id
        elif matches:
            start.awaiting, start.typed = "company", start.company
            context.user_data[START] = start.to_dict()
            choices = [(m.company_id, m.name) for m in matches]
            await _ask_company_choice(update, context, start, choices)
            return
    await _create_run(update, context, start, router.user_now(context, update).date())


async def _ask_company_choice(
    update: Update, context: BotContext, start: Start, choices: list[tuple[int, str]]
) -> None:
    """Several known clients are close to the typed name: let the user pick (or keep it new)."""
    rows = [
        [B(T.BTN_COMPANY.format(name=name), callback_data=f"cl:c:{cid}")] for cid, name in choices
    ]
    typed = start.typed or start.company or ""
    rows.append([B(T.BTN_NEW_COMPANY.format(name=typed[:30]), callback_data="cl:c:new")])
    await context.bot.send_message(
        chat_of(update),
        T.COMPANY_CHOICE.format(typed=typed[:60]),
        reply_markup=InlineKeyboardMarkup(rows),
    )


def _same_open_run(session: Session, user_id: int, start: Start) -> ChecklistRun | None:
    """An open run of the same kind, client and visit, to resume instead of duplicating."""
    for row in session.scalars(
        select(ChecklistRun)
        .where(
            ChecklistRun.user_id == user_id,
            ChecklistRun.status == "open",
            ChecklistRun.kind == start.kind,
        )
        .order_by(ChecklistRun.id.desc())
        .limit(20)
    ):
        if row.activity_id != start.activity_id:
            continue
        if start.company_id is not None:
            if row.company_id == start.company_id:
                return row
        elif row.company_id is None and (row.state or {}).get("company") == start.company:
            return row
    return None


async def _create_run(update: Update, context: BotContext, start: Start, today: date) -> None:
    """Create the run (prefilled from the journal) and show its first step, or resume a twin."""
    assert start.kind is not None
    context.user_data.pop(START, None)
    notes = list(start.notes)
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        assert user is not None
        if start.kind == "debrief" and start.activity_id is None and start.company:
            visit = (
                latest_visit(session, user.id, start.company_id, today)
                if start.company_id
                else None
            )
            if visit is not None:
                start.activity_id = visit.id
                notes.append(
                    T.DEBRIEF_LINKED.format(
                        day=T.format_day_plain(visit.day), company=start.company
                    )
                )
            else:
                notes.append(
                    T.DEBRIEF_UNLINKED.format(company=start.company, days=DEBRIEF_WINDOW_DAYS)
                )
        twin = _same_open_run(session, user.id, start)
        if twin is not None:
            run = _engine_run(twin)
            step = run.resume()
            run_id, index = twin.id, run.state["index"]
            notes = []
        else:
            facts = build_context(session, user.id, start.company_id, start.company, today)
            run = engine.ChecklistRun(checklists=_definitions())
            step = run.start(start.kind, facts)
            row = ChecklistRun(
                user_id=user.id,
                kind=start.kind,
                company_id=start.company_id,
                activity_id=start.activity_id,
                status="open",
                state=run.state,
            )
            session.add(row)
            session.flush()
            run_id, index = row.id, run.state["index"]
    # committed: only now is the first step shown
    await _send_step(update, context, run_id, index, step, "\n".join(notes))


# ------------------------------------------------------------------ answering


@dataclass
class Outcome:
    """What an answer or a press did to a run."""

    refused: str | None = None
    stale: bool = False
    step: engine.Step | None = None
    index: int = 0
    extra: list[str] = field(default_factory=list)


def _apply(
    context: BotContext,
    telegram_id: int,
    run_id: int,
    *,
    text: str | None = None,
    code: str | None = None,
    index: int | None = None,
    now: datetime,
) -> Outcome:
    """Apply a typed answer or a button to the user's open run; commit its state."""
    with context.services.session() as session:
        user = get_user(session, telegram_id)
        row = _owned_run(session, user.id, run_id, lock=True) if user else None
        if user is None or row is None:
            return Outcome(refused=T.RUN_REFUSED)
        if row.status != "open":
            return Outcome(refused=T.RUN_CLOSED)
        run = _engine_run(row)
        if index is not None and run.state["index"] != index:
            return Outcome(stale=True)
        step = run.answer(text or "", now) if code is None else run.press(code)
        row.state = run.state
        extra: list[str] = []
        if step.done:
            row.status = "done"
            row.finished_at = _utcnow()
            if row.kind == "debrief":
                today = now.date()
                extra = apply_debrief(session, user, row, run, today, _settings_kwargs(context))
                step.text = _without_engine_journal_line(step.text)
        return Outcome(step=step, index=run.state["index"], extra=extra)


def _without_engine_journal_line(text: str) -> str:
    """Drop the engine's "the journal will be updated" line: the bot says what it really did."""
    prefix = T.SUMMARY_JOURNAL.split("{", 1)[0]
    return "\n".join(line for line in text.split("\n") if not line.startswith(prefix))


def apply_debrief(
    session: Session,
    user: User,
    row: ChecklistRun,
    run: engine.ChecklistRun,
    today: date,
    followup_kwargs: dict[str, Any],
) -> list[str]:
    """Write a finished debrief into its visit through the journal's card; return French lines."""
    updates = run.debrief_updates()
    if row.activity_id is None:
        return [T.JOURNAL_NOT_LINKED] if updates else []
    activity = history.own_activity(session, user.id, row.activity_id)
    if activity is None or activity.deleted_at is not None:
        return [T.JOURNAL_GONE]
    if not updates:
        return []
    card = history.card_from_activity(session, activity)
    open_followup = session.scalar(
        select(FollowUp.id).where(
            FollowUp.activity_id == activity.id,
            FollowUp.status == "open",
            FollowUp.deleted_at.is_(None),
        )
    )
    previous_outcome = card.outcome
    if "outcome" in updates:
        card.outcome = updates["outcome"]
    if "amount" in updates:
        card.amount = float(updates["amount"])
    if "objections" in updates:
        card.objections = list(dict.fromkeys([*card.objections, *updates["objections"]]))
    if "followup" in updates:
        card.followup, card.followup_time = updates["followup"], None
        card.followup_proposed = False
    elif open_followup is None:
        card.followup = card.followup_time = None  # never revive a closed follow-up
    if card.followup is not None or card.outcome != previous_outcome:
        propose_followup(card, today, **followup_kwargs)
    crm.save_card(session, user, card)
    log.info("debrief run %s applied to activity %s: %s", row.id, activity.id, sorted(updates))
    note = updates.get("note")
    if note and note not in (activity.note or ""):
        activity.note = f"{activity.note}{T.NOTE_SEPARATOR}{note}" if activity.note else note
    lines = [
        T.JOURNAL_UPDATED.format(
            day=T.format_day_plain(activity.day), company=card.company or T.NO_COMPANY_LABEL
        )
    ]
    if card.followup:
        lines.append(T.JOURNAL_FOLLOWUP.format(day=T.format_day(card.followup)))
    return lines


async def _show_outcome(
    update: Update, context: BotContext, run_id: int, outcome: Outcome
) -> None:
    """Reply with the step (and the journal lines at the end)."""
    assert outcome.step is not None
    step = outcome.step
    if outcome.extra:
        step.text = "\n".join([step.text, "", *outcome.extra])
    await _send_step(update, context, run_id, outcome.index, step)


async def pending_input(update: Update, context: BotContext, text: str) -> bool:
    """Take typed text for a pending start or the active run; let clear other requests through."""
    start = Start.from_dict(context.user_data.get(START))
    run_id = _active_run_id(context)
    if start is not None and start.awaiting == "kind":
        kind = engine.kind_from_text(text)
        if kind is not None:
            start.kind, start.awaiting = kind, None
            await _advance_start(update, context, start)
            return True
        start = None  # the kind buttons stay valid; this text is something else
    elif start is not None and start.awaiting != "company":
        context.user_data.pop(START, None)  # nothing is being asked any more
        start = None
    if start is None and run_id is None:
        return False
    now = router.user_now(context, update)
    result = context.services.get_nlu().parse(text, now=now)
    intent, confidence = result["intent"]["name"], result["intent"]["confidence"]
    if intent in PASS_INTENTS and confidence >= PASS_CONFIDENCE:
        if start is not None:
            context.user_data.pop(START, None)
            await router.dispatch(update, context, result)
            return True
        assert run_id is not None
        _deactivate(context)
        await router.dispatch(update, context, result)
        await _offer_paused(update, context, run_id)
        return True
    if start is not None:
        await _company_typed(update, context, start, text, now)
        return True
    assert run_id is not None
    return await _answer_active(update, context, run_id, text, now)


async def _answer_active(
    update: Update, context: BotContext, run_id: int, text: str, now: datetime
) -> bool:
    """A typed answer for the active run."""
    outcome = _apply(context, sender_of(update), run_id, text=text, now=now)
    if outcome.refused is not None or outcome.stale:
        _deactivate(context)
        return False
    active = context.user_data.get(ACTIVE) or {}
    await _close_buttons(context, chat_of(update), active.get("msg"))
    await _show_outcome(update, context, run_id, outcome)
    return True


async def _company_typed(
    update: Update, context: BotContext, start: Start, text: str, now: datetime
) -> None:
    """The client's name typed after "Pour quel client ?" (a known one or a new name)."""
    try:
        name = parse_field("company", text, now)
    except FieldError:
        assert update.effective_message is not None
        await update.effective_message.reply_text(T.ERR_COMPANY)
        return
    start.company, start.company_id = str(name), None
    start.company_checked, start.awaiting = False, None
    await _advance_start(update, context, start)


async def _offer_paused(update: Update, context: BotContext, run_id: int) -> None:
    """After answering another request, offer to come back to the paused run."""
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        row = _owned_run(session, user.id, run_id) if user else None
        if row is None or row.status != "open":
            return
        kind, company = _kind_label(row.kind), _company_label(row)
    rows = [
        [B(T.BTN_RESUME_RUN.format(kind=kind, company=company), callback_data=f"cl:r:{run_id}")]
    ]
    await context.bot.send_message(
        chat_of(update),
        T.PAUSED_OFFER.format(kind=kind, company=company),
        reply_markup=InlineKeyboardMarkup(rows),
    )


# ------------------------------------------------------------------ buttons


async def on_button(update: Update, context: BotContext) -> None:
    """Every checklist button; each one is checked against the presser's own data."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
        await _step_button(update, context, int(parts[1]), int(parts[2]), parts[3])
        return
    action, arg = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""
    if action == "r" and arg.isdigit():
        await _resume_button(update, context, int(arg))
    elif action == "n":
        await query.answer()
        await _close_query_buttons(update, context)
        _deactivate(context)
        await _ask_kind(update, context, Start())
    elif action == "k" and arg in engine.CHECKLIST_KINDS:
        await _kind_button(update, context, arg)
    elif action == "c" and (arg.isdigit() or arg in ("new", "none")):
        await _company_button(update, context, arg)
    elif action == "d" and arg.isdigit():
        await _debrief_button(update, context, int(arg))
    elif action == "x" and arg.isdigit():
        await _debrief_later(update, context, int(arg))
    else:
        await query.answer(T.RUN_REFUSED, show_alert=True)


async def _close_query_buttons(update: Update, context: BotContext) -> None:
    """Remove the buttons of the pressed message."""
    query = update.callback_query
    if query is not None and query.message is not None:
        await _close_buttons(context, query.message.chat.id, query.message.message_id)


async def _step_button(
    update: Update, context: BotContext, run_id: int, index: int, code: str
) -> None:
    """A button of a step: only the owner of an open run, on the item being asked."""
    query = update.callback_query
    assert query is not None
    now = router.user_now(context, update)
    outcome = _apply(context, sender_of(update), run_id, code=code, index=index, now=now)
    if outcome.refused is not None:
        await query.answer(outcome.refused, show_alert=True)
        return
    if outcome.stale:
        await query.answer(T.STALE_BUTTON, show_alert=True)
        await _close_query_buttons(update, context)
        return
    await query.answer()
    assert outcome.step is not None
    if _is_toggle(outcome, index) and query.message is not None:
        # a multiple choice being ticked: redraw the same message
        with contextlib.suppress(Exception):
            await query.edit_message_text(
                outcome.step.text, reply_markup=_keyboard(run_id, index, outcome.step)
            )
            _activate(context, run_id, query.message.message_id)
            return
    await _close_query_buttons(update, context)
    await _show_outcome(update, context, run_id, outcome)


def _is_toggle(outcome: Outcome, index: int) -> bool:
    """Whether a press only ticked or unticked an option of a multiple choice."""
    step = outcome.step
    if step is None or step.done or step.error or outcome.index != index:
        return False
    codes = {code for row in step.buttons for _, code in row}
    return "validate" in codes


async def _resume_button(update: Update, context: BotContext, run_id: int) -> None:
    """Reprendre: the user's open run, where it was left."""
    query = update.callback_query
    assert query is not None
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        row = _owned_run(session, user.id, run_id) if user else None
        if row is None:
            await query.answer(T.RUN_REFUSED, show_alert=True)
            return
        if row.status != "open":
            await query.answer(T.RUN_CLOSED, show_alert=True)
            return
        run = _engine_run(row)
        step, index = run.resume(), run.state["index"]
    await query.answer()
    await _close_query_buttons(update, context)
    context.user_data.pop(START, None)
    await _send_step(update, context, run_id, index, step)


async def _kind_button(update: Update, context: BotContext, kind: str) -> None:
    """A checklist kind picked for the pending start."""
    query = update.callback_query
    assert query is not None
    start = Start.from_dict(context.user_data.get(START))
    if start is None:
        await query.answer(T.START_EXPIRED, show_alert=True)
        return
    await query.answer()
    await _close_query_buttons(update, context)
    start.kind, start.awaiting = kind, None
    await _advance_start(update, context, start)


async def _company_button(update: Update, context: BotContext, arg: str) -> None:
    """A client picked for the pending start: a known one (owned), the typed name, or none."""
    query = update.callback_query
    assert query is not None
    start = Start.from_dict(context.user_data.get(START))
    if start is None:
        await query.answer(T.START_EXPIRED, show_alert=True)
        return
    if arg.isdigit():
        with context.services.session() as session:
            user = get_user(session, sender_of(update))
            company = crm.owned_company(session, user.id, int(arg)) if user else None
            if company is None:
                await query.answer(T.RUN_REFUSED, show_alert=True)
                return
            start.company, start.company_id = company.name, company.id
    elif arg == "new":
        start.company, start.company_id = start.typed or start.company, None
    else:
        start.company, start.company_id = None, None
    start.company_checked, start.awaiting = True, None
    await query.answer()
    await _close_query_buttons(update, context)
    await _advance_start(update, context, start)


# ------------------------------------------------------------------ debrief offer


async def offer_debrief(
    update: Update, context: BotContext, activity_id: int, *, checked: bool = False
) -> bool:
    """After a visit is saved, ask "Faire le débrief de cette visite ?" (False when not a visit).

    ``checked``: the caller has just saved this done visit for the sender (no re-read).
    """
    if not checked:
        with context.services.session() as session:
            user = get_user(session, sender_of(update))
            activity = history.own_activity(session, user.id, activity_id) if user else None
            if (
                activity is None
                or activity.deleted_at is not None
                or activity.kind != "visit"
                or activity.status != "done"
            ):
                return False
    rows = [
        [
            B(T.BTN_DEBRIEF_YES, callback_data=f"cl:d:{activity_id}"),
            B(T.BTN_DEBRIEF_LATER, callback_data=f"cl:x:{activity_id}"),
        ]
    ]
    await context.bot.send_message(
        chat_of(update), T.DEBRIEF_OFFER, reply_markup=InlineKeyboardMarkup(rows)
    )
    return True


async def _debrief_button(update: Update, context: BotContext, activity_id: int) -> None:
    """Oui, débriefer: a debrief run linked to the user's own visit."""
    query = update.callback_query
    assert query is not None
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        activity = history.own_activity(session, user.id, activity_id) if user else None
        if activity is None or activity.deleted_at is not None:
            await query.answer(T.DEBRIEF_GONE, show_alert=True)
            return
        company = session.get(Company, activity.company_id) if activity.company_id else None
        start = Start(
            kind="debrief",
            company=company.name if company else None,
            company_id=company.id if company else None,
            company_checked=True,
            activity_id=activity.id,
            notes=[
                T.DEBRIEF_LINKED.format(
                    day=T.format_day_plain(activity.day),
                    company=company.name if company else T.NO_COMPANY_LABEL,
                )
            ],
        )
    await query.answer()
    await _close_query_buttons(update, context)
    await _create_run(update, context, start, router.user_now(context, update).date())


async def _debrief_later(update: Update, context: BotContext, activity_id: int) -> None:
    """Plus tard: say how to debrief later."""
    query = update.callback_query
    assert query is not None
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        activity = history.own_activity(session, user.id, activity_id) if user else None
        company = activity.company.name if activity and activity.company else None
    await query.answer()
    await _close_query_buttons(update, context)
    if activity is not None:
        await context.bot.send_message(
            chat_of(update), T.DEBRIEF_LATER.format(company=company or T.NO_COMPANY_LABEL)
        )


# ------------------------------------------------------------------ cancel note


async def after_cancel(update: Update, context: BotContext) -> None:
    """After /annuler: leave the active run (it stays open) and say how to resume it."""
    run_id = _active_run_id(context) or context.user_data.get(OPENED)
    _deactivate(context)
    context.user_data.pop(START, None)
    if not isinstance(run_id, int):
        return
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        row = _owned_run(session, user.id, run_id) if user else None
        if row is None or row.status != "open":
            return
        text = T.CANCEL_NOTE.format(kind=_kind_label(row.kind), company=_company_label(row))
    await context.bot.send_message(chat_of(update), text)


def register(app: AppType) -> None:
    """Wire the checklists: intent, pending input, buttons, /checklist and the cancel note."""
    try:
        _definitions()  # read and validated now (~70 ms), not while a user waits
    except engine.ChecklistError as exc:
        log.error("checklists invalides, /checklist échouera : %s", exc)
    router.INTENT_HANDLERS["start_checklist"] = on_start_intent
    if pending_input not in router.INTERCEPTORS:
        router.INTERCEPTORS.append(pending_input)
    common.PENDING_KEYS.extend(k for k in (ACTIVE, START) if k not in common.PENDING_KEYS)
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^cl:"))
    app.add_handler(CommandHandler("checklist", checklist_command))
    # group 1 runs after /annuler (group 0) has cleared the pending keys
    app.add_handler(CommandHandler(["cancel", "annuler", "stop"], after_cancel), group=1)
