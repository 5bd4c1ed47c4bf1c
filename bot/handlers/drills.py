"""Objection drills in Telegram: start, answer, pause, resume, /bareme, /progres, /classement.

The pure dialogue is :class:`coaching.Drill`; this module keeps each user's current drill in the
``conversation_state`` table under the key ``drill:<users.id>`` (see :func:`record_key`), as
``{"version", "run", "status": "open" | "abandoned" | "finished", "drill": <Drill.state>,
"started_at", "updated_at", "finished_at"}``. The record is committed before every reply, so a
drill survives a restart; every scored answer is a ``DrillAttempt`` committed with it.

Callback data, all checked against the presser's own data:

* ``dr:c:<nonce>:<category|auto>`` — a category picked for the start waiting in user_data;
* ``dr:n:<nonce>:<category|auto|->`` — a new drill instead of resuming the open one;
* ``dr:r:<run>`` — resume the presser's open (or stopped) drill whose run token is ``run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import MessageLimit
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AppType, BotContext
from bot.handlers import checklists, common, journal, router
from bot.handlers.common import chat_of, sender_of
from bot.services import Services
from coaching import (
    Drill,
    DrillError,
    is_scorable,
    next_drill_plan,
    render_progress_png,
    rubric_text,
    technique_stats,
    trend,
    weakest_point,
)
from coaching import texts as T
from coaching.constants import CATEGORIES, TECHNIQUES
from coaching.drill import Scorer
from coaching.progress import category_averages, due_repeats
from coaching.scoring import MAX_ANSWER_CHARS, score_answer
from core.accounts import get_user
from db.models import ConversationState, DrillAttempt, Team, User

log = logging.getLogger(__name__)

ACTIVE = "drill"  # {"run": token}: the drill taking typed answers; /annuler clears it
OPENED = "drill_open"  # run token kept through /annuler, to stop the drill in the DB
START = "drill_start"  # {"nonce": str}: category or resume buttons waiting for a press
RECORD_PREFIX = "drill:"
RECORD_VERSION = 1
OPEN, ABANDONED, FINISHED = "open", "abandoned", "finished"
PASS_INTENTS = ("show_agenda", "ask_stats", "help", "start_drill")
PASS_CONFIDENCE = 0.75
PASS_SURE = 0.9  # a long answer passes only when the NLU is this sure it is another request
PASS_MAX_WORDS = 8  # "j'ai quoi demain ?", "mes stats du mois": other requests are short
AUTO = "auto"
NO_CATEGORY = "-"
MAX_HISTORY = 500
LEADERBOARD_DAYS = T.LEADERBOARD_DAYS
OFF_WORDS = ("off", "non", "masquer", "cacher", "retirer")
ON_WORDS = ("on", "oui", "afficher", "montrer")
B = InlineKeyboardButton


# ------------------------------------------------------------------ small helpers


def _utc_naive(moment: datetime) -> datetime:
    """Naive UTC, like the database's own timestamps."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _now(update: Update, context: BotContext) -> datetime:
    """The user's moment: the message date for a message, the present for a button press."""
    when = router.user_now(context, update)
    if update.callback_query is not None:
        return datetime.now(when.tzinfo)
    return when


def _fmt(value: float) -> str:
    """Format a score the French way (7,5 ; 10)."""
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _count(value: int) -> str:
    """Format a count the French way (4 096)."""
    return f"{value:,}".replace(",", "\u202f")


def _fold(text: str) -> str:
    """Lower-case without accents, for matching typed categories."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def _category_label(category: str | None) -> str:
    """French name of a category."""
    return T.CATEGORY_LABELS.get(category or "", category or "?")


def _chunks(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split a long text into Telegram-sized messages, at line boundaries when possible."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


async def _send(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send a text (split when too long); the buttons go with the last part."""
    parts = _chunks(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await context.bot.send_message(
            chat_of(update), part, reply_markup=markup if last else None
        )


async def _close_query_buttons(update: Update, context: BotContext) -> None:
    """Remove the buttons of the pressed message (best effort)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    with contextlib.suppress(Exception):  # already edited, deleted or too old
        await context.bot.edit_message_reply_markup(
            query.message.chat.id, query.message.message_id, reply_markup=None
        )


# ------------------------------------------------------------------ the stored drill


@dataclass
class DrillRecord:
    """A user's current drill as stored in ``conversation_state``."""

    run: str
    status: str
    drill: dict[str, Any]
    started_at: str
    updated_at: str
    finished_at: str | None = None
    version: int = RECORD_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for the database."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> DrillRecord | None:
        """Rebuild from the database (None when absent or malformed)."""
        if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        try:
            record = cls(**known)
        except TypeError:
            return None
        valid = isinstance(record.drill, dict) and record.status in (OPEN, ABANDONED, FINISHED)
        return record if valid and isinstance(record.run, str) else None

    def engine(self, scorer: Scorer | None = None) -> Drill | None:
        """The engine drill of this record (None when its state cannot be read)."""
        try:
            return Drill(self.drill, scorer=scorer)
        except (DrillError, KeyError, TypeError, ValueError):
            log.warning("unreadable drill state for run %s", self.run)
            return None

    @property
    def resumable(self) -> bool:
        """Whether the buyer still waits for an answer (open or stopped with /stop)."""
        return self.status in (OPEN, ABANDONED) and self.drill.get("status") == "awaiting_answer"

    @property
    def category(self) -> str:
        """French name of the category being discussed."""
        return _category_label(self.drill.get("category"))

    @property
    def done(self) -> int:
        """Number of scored answers so far."""
        return len(self.drill.get("exchanges") or [])

    @property
    def total(self) -> int:
        """Maximum number of exchanges."""
        return int(self.drill.get("max_exchanges") or 3)


def record_key(user_id: int) -> str:
    """The ``conversation_state`` key of a user's drill (``users.id``, not the Telegram id)."""
    return f"{RECORD_PREFIX}{user_id}"


def load_record(session: Session, user_id: int, *, lock: bool = False) -> DrillRecord | None:
    """Return the user's stored drill (locked for update when asked)."""
    row = session.get(ConversationState, record_key(user_id), with_for_update=lock or None)
    return DrillRecord.from_dict(row.data) if row is not None else None


def save_record(session: Session, user_id: int, record: DrillRecord) -> None:
    """Insert or replace the user's stored drill."""
    record.updated_at = _utc_naive(datetime.now(UTC)).isoformat()
    key = record_key(user_id)
    row = session.get(ConversationState, key)
    if row is None:
        session.add(ConversationState(key=key, data=record.to_dict()))
    else:
        row.data = record.to_dict()


def attempts_of(session: Session, user: User, limit: int = MAX_HISTORY) -> list[dict[str, Any]]:
    """The user's latest scored answers as progress attempts, oldest first, dated locally."""
    try:
        tz = ZoneInfo(user.timezone)
    except (ValueError, KeyError):  # an unknown zone name: dates stay in UTC
        tz = ZoneInfo("UTC")
    rows = session.execute(
        select(
            DrillAttempt.created_at,
            DrillAttempt.category,
            DrillAttempt.objection_id,
            DrillAttempt.score,
            DrillAttempt.techniques,
        )
        .where(DrillAttempt.user_id == user.id)
        .order_by(DrillAttempt.created_at.desc(), DrillAttempt.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "date": created.replace(tzinfo=UTC).astimezone(tz).date().isoformat(),
            "category": category,
            "objection_id": objection_id,
            "score": float(score),
            "techniques": list(techniques or []),
        }
        for created, category, objection_id, score, techniques in reversed(rows)
    ]


# ------------------------------------------------------------------ active drill in user_data


def _activate(context: BotContext, run: str) -> None:
    """Make a drill the one that takes typed answers (other typed inputs stop waiting)."""
    _pause_other_inputs(context)
    context.user_data.pop(START, None)
    context.user_data[ACTIVE] = {"run": run}
    context.user_data[OPENED] = run


def _deactivate(context: BotContext) -> None:
    """Stop taking typed answers (the drill stays resumable in the database)."""
    context.user_data.pop(ACTIVE, None)
    context.user_data.pop(OPENED, None)


def _active_run(context: BotContext) -> str | None:
    """The run token of the drill taking typed answers, if any."""
    active = context.user_data.get(ACTIVE)
    run = active.get("run") if isinstance(active, dict) else None
    return run if isinstance(run, str) else None


def _pause_other_inputs(context: BotContext) -> None:
    """The latest request wins: a checklist step or a journal field stops taking typed text."""
    for key in (checklists.ACTIVE, checklists.OPENED, checklists.START, journal.FOCUS):
        context.user_data.pop(key, None)


def _new_nonce(context: BotContext) -> str:
    """Remember a fresh nonce for the buttons about to be shown."""
    nonce = secrets.token_hex(3)
    context.user_data[START] = {"nonce": nonce}
    return nonce


def _start_nonce(context: BotContext) -> str | None:
    """The nonce of the buttons currently offered to this user."""
    start = context.user_data.get(START)
    nonce = start.get("nonce") if isinstance(start, dict) else None
    return nonce if isinstance(nonce, str) else None


# ------------------------------------------------------------------ starting


def category_from_text(context: BotContext, update: Update, text: str) -> str | None:
    """The objection category named in a typed request ("prix", "délai", "trop cher"…)."""
    folded = _fold(text)
    if not folded:
        return None
    for category in CATEGORIES:
        if folded in (category, _fold(T.CATEGORY_LABELS[category])):
            return category
    result = context.services.get_nlu().parse(
        text, now=router.user_now(context, update), intent="start_drill"
    )
    return objection_entity(result)


def objection_entity(result: dict[str, Any]) -> str | None:
    """The objection category of an NLU result, when it names one."""
    for entity in result.get("entities", []):
        if entity.get("entity") == "objection" and entity.get("value") in CATEGORIES:
            return str(entity["value"])
    return None


async def drill_command(update: Update, context: BotContext) -> None:
    """/entrainement [catégorie]: start a drill, or offer to resume the open one."""
    text = router.clean_text(" ".join(context.args or []))
    category = category_from_text(context, update, text) if text else None
    if text and category is None:
        await _ask_category(update, context, T.DRILL_UNKNOWN_CATEGORY.format(text=text[:40]))
        return
    await request_start(update, context, category)


async def on_start_intent(update: Update, context: BotContext, result: dict[str, Any]) -> None:
    """NLU intent start_drill: "entraîne-moi sur les objections prix"."""
    await request_start(update, context, objection_entity(result))


async def request_start(update: Update, context: BotContext, category: str | None) -> None:
    """Offer to resume an open drill, else ask the category when unknown, else start."""
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        record = load_record(session, user.id) if user else None
    if record is not None and record.resumable:
        nonce = _new_nonce(context)
        rows = [
            [
                B(
                    T.DRILL_BTN_RESUME.format(category=record.category),
                    callback_data=f"dr:r:{record.run}",
                )
            ],
            [B(T.DRILL_BTN_NEW, callback_data=f"dr:n:{nonce}:{category or NO_CATEGORY}")],
        ]
        text = T.DRILL_OPEN_OFFER.format(
            category=record.category, done=record.done, total=record.total
        )
        await _send(update, context, text, InlineKeyboardMarkup(rows))
        return
    if category is None:
        await _ask_category(update, context, T.DRILL_CHOOSE_CATEGORY)
        return
    await start_drill(update, context, category)


async def _ask_category(update: Update, context: BotContext, text: str) -> None:
    """Six category buttons plus "Au choix (mes points faibles)"."""
    nonce = _new_nonce(context)
    buttons = [
        B(
            T.DRILL_CATEGORY_BUTTON.format(
                emoji=T.CATEGORY_EMOJIS[category], label=T.CATEGORY_LABELS[category].capitalize()
            ),
            callback_data=f"dr:c:{nonce}:{category}",
        )
        for category in CATEGORIES
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([B(T.DRILL_BTN_AUTO, callback_data=f"dr:c:{nonce}:{AUTO}")])
    await _send(update, context, text, InlineKeyboardMarkup(rows))


def _open_drill(
    services: Services, telegram_id: int, category: str | None, today: date
) -> tuple[DrillRecord, dict[str, Any], list[str]]:
    """Pick the objection and store the new drill (one transaction)."""
    notes: list[str] = []
    with services.session() as session:
        user = get_user(session, telegram_id)
        assert user is not None
        history = attempts_of(session, user)
        plan = next_drill_plan(history, today)
        if category is not None:
            plan["category"] = category
        elif plan["category"] is not None:
            template = T.DRILL_AUTO_WEAK if history else T.DRILL_AUTO_FIRST
            notes.append(template.format(category=_category_label(plan["category"])))
        drill = Drill()
        opening = drill.start(**plan)
        if opening["objection_id"] in plan["due_objection_ids"]:
            notes = [T.DRILL_REPEAT_NOTE]
        previous = load_record(session, user.id, lock=True)
        if previous is not None and previous.resumable:
            log.info("drill run %s of user %s replaced by a new one", previous.run, user.id)
        now = _utc_naive(datetime.now(UTC)).isoformat()
        record = DrillRecord(
            run=secrets.token_hex(4),
            status=OPEN,
            drill=drill.state,
            started_at=now,
            updated_at=now,
        )
        save_record(session, user.id, record)
    return record, opening, notes


async def start_drill(update: Update, context: BotContext, category: str | None) -> None:
    """Open a new drill (weak categories and due repeats first) and raise the objection."""
    today = _now(update, context).date()
    record, opening, notes = await context.services.run_db(
        _open_drill, context.services, sender_of(update), category, today
    )
    # committed: only now is the objection shown
    _activate(context, record.run)
    header = T.DRILL_EXCHANGE.format(number=1, total=record.total)
    await _send(update, context, "\n\n".join([*notes, header, opening["message"]]))


# ------------------------------------------------------------------ answering


@dataclass
class Answered:
    """What a typed answer did to the stored drill."""

    message: str = ""
    finished: bool = False
    stale: bool = False
    attempt_ids: list[int] = field(default_factory=list)


def _read_record(services: Services, telegram_id: int) -> DrillRecord | None:
    """The user's stored drill, read without locking."""
    with services.session() as session:
        user = get_user(session, telegram_id)
        return load_record(session, user.id) if user else None


async def drill_input(update: Update, context: BotContext, text: str) -> bool:
    """Take a typed answer for the active drill; refuse bad input; let clear requests through."""
    run = _active_run(context)
    if run is None:
        return False
    record = await context.services.run_db(_read_record, context.services, sender_of(update))
    if record is None or record.run != run or record.status != OPEN or not record.resumable:
        _deactivate(context)
        return False
    if len(text) > MAX_ANSWER_CHARS:
        reason = T.DRILL_TOO_LONG.format(length=_count(len(text)), limit=_count(MAX_ANSWER_CHARS))
        await _send(update, context, T.DRILL_NOT_SCORED.format(reason=reason))
        return True
    scorable = is_scorable(text)
    if not scorable:
        await _send(update, context, T.DRILL_NOT_SCORED.format(reason=scorable.reason))
        return True
    now = router.user_now(context, update)
    result = context.services.get_nlu().parse(text, now=now)
    if is_other_request(result, text):
        _deactivate(context)
        await router.dispatch(update, context, result)
        if result["intent"]["name"] != "start_drill":  # that one offers to resume by itself
            await _offer_paused(update, context, run)
        return True
    # Scored before the transaction, in a worker process: the event loop is not held up.
    drill = record.engine()
    question = drill.question if drill is not None else None
    score = None
    if question is not None:
        score = await context.services.score_answer(question[0], text, question[1])
    answered = await context.services.run_db(
        _apply_answer, context, sender_of(update), run, text, now, question, score
    )
    if answered.stale:
        _deactivate(context)
        return False
    if answered.finished:
        _deactivate(context)
    await _send(update, context, answered.message)
    return True


def is_other_request(result: dict[str, Any], text: str) -> bool:
    """Whether a text typed mid-drill is clearly another request rather than an answer."""
    intent, confidence = result["intent"]["name"], result["intent"]["confidence"]
    if intent not in PASS_INTENTS or confidence < PASS_CONFIDENCE:
        return False
    # answers to a buyer are often long questions ("Combien de clients … chaque semaine ?")
    return confidence >= PASS_SURE or len(text.split()) <= PASS_MAX_WORDS


def _apply_answer(
    context: BotContext,
    telegram_id: int,
    run: str,
    text: str,
    now: datetime,
    question: tuple[str, str | None] | None = None,
    score: dict[str, Any] | None = None,
) -> Answered:
    """Store the scored attempt and the new drill state, in one transaction.

    ``score`` was computed for ``question``; should the drill have moved on meanwhile, the
    answer is scored again here against the current question.
    """

    def scorer(prompt: str, answer: str, category: str | None) -> dict[str, Any]:
        """The precomputed score when it is for this very question and answer."""
        if score is not None and (prompt, category) == question and answer == text:
            return score
        return score_answer(prompt, answer, category)

    with context.services.session() as session:
        user = get_user(session, telegram_id)
        record = load_record(session, user.id, lock=True) if user else None
        if user is None or record is None or record.run != run or record.status != OPEN:
            return Answered(stale=True)
        drill = record.engine(scorer)
        if drill is None or drill.status != "awaiting_answer":
            return Answered(stale=True)
        reply = drill.answer(text)
        if not reply["scored"]:  # already filtered by is_scorable; kept for safety
            return Answered(message=reply["message"])
        state = drill.state
        exchange = state["exchanges"][-1]
        attempt = DrillAttempt(
            user_id=user.id,
            objection_id=exchange["objection_id"],
            category=exchange["category"],
            score=float(exchange["score"]),
            techniques=list(exchange["techniques"]),
            faults=list(exchange["faults"]),
            motives=list(exchange["motives"]),
            answer=text,
            created_at=_utc_naive(now),
        )
        session.add(attempt)
        record.drill = state
        if drill.finished:
            record.status = FINISHED
            record.finished_at = _utc_naive(datetime.now(UTC)).isoformat()
        save_record(session, user.id, record)
        session.flush()
        number, total = len(state["exchanges"]), int(state["max_exchanges"])
        message = answer_message(reply, number, total)
        return Answered(message=message, finished=drill.finished, attempt_ids=[attempt.id])


def _labels(codes: list[str], labels: dict[str, str], none: str) -> str:
    """French labels of codes, comma-separated."""
    return ", ".join(labels.get(code, code) for code in codes) or none


def answer_message(reply: dict[str, Any], number: int, total: int) -> str:
    """The engine's message, with what was recognised and the model answer before the buyer."""
    result = reply["result"]
    lines = [
        T.DRILL_FOUND_TECHNIQUES.format(
            items=_labels(result["techniques"], T.TECHNIQUE_LABELS, T.DRILL_NONE_FEMININE)
        ),
        T.DRILL_FOUND_MOTIVES.format(
            items=_labels(result["motives"], T.MOTIVE_LABELS, T.DRILL_NONE_MASCULINE)
        ),
        T.DRILL_FOUND_FAULTS.format(
            items=_labels(result["faults"], T.FAULT_LABELS, T.DRILL_NONE_FEMININE)
        ),
    ]
    debrief = reply.get("debrief") or {}
    model = str(result.get("model_answer") or "")
    if model and model != debrief.get("model_answer"):
        lines.append(T.DRILL_MODEL_ANSWER.format(answer=model))
    extra = "\n".join(lines)
    message = str(reply["message"])
    buyer = T.DRILL_BUYER_SAYS.format(text=reply["reaction"])
    at = message.find(buyer)
    at = at if at >= 0 else len(message)  # the buyer's line follows what was recognised
    message = f"{message[:at].rstrip()}\n\n{extra}\n\n{message[at:]}".rstrip()
    parts = [T.DRILL_EXCHANGE.format(number=number, total=total), message]
    if reply.get("finished"):
        parts.append(T.DRILL_FINISHED_NEXT)
    return "\n\n".join(parts)


async def _offer_paused(update: Update, context: BotContext, run: str) -> None:
    """After answering another request, offer to come back to the paused drill."""
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        record = load_record(session, user.id) if user else None
    if record is None or record.run != run or not record.resumable:
        return
    rows = [[B(T.DRILL_BTN_RESUME_PAUSED, callback_data=f"dr:r:{run}")]]
    await _send(
        update,
        context,
        T.DRILL_PAUSED_OFFER.format(category=record.category),
        InlineKeyboardMarkup(rows),
    )


# ------------------------------------------------------------------ buttons


async def on_button(update: Update, context: BotContext) -> None:
    """Every drill button; each one is checked against the presser's own data."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "r" and len(parts) == 3:
        await _resume_button(update, context, parts[2])
    elif action in ("c", "n") and len(parts) == 4:
        await _start_button(update, context, action, parts[2], parts[3])
    else:
        await query.answer(T.DRILL_REFUSED, show_alert=True)


async def _start_button(
    update: Update, context: BotContext, action: str, nonce: str, choice: str
) -> None:
    """A category picked, or a new drill asked instead of resuming: only the buttons offered."""
    query = update.callback_query
    assert query is not None
    valid = choice in CATEGORIES or choice == AUTO or (action == "n" and choice == NO_CATEGORY)
    if not valid or _start_nonce(context) != nonce:
        await query.answer(T.DRILL_START_EXPIRED, show_alert=True)
        return
    await query.answer()
    await _close_query_buttons(update, context)
    context.user_data.pop(START, None)
    if choice == NO_CATEGORY:
        await _ask_category(update, context, T.DRILL_CHOOSE_CATEGORY)
        return
    await start_drill(update, context, None if choice == AUTO else choice)


async def _resume_button(update: Update, context: BotContext, run: str) -> None:
    """Reprendre: the presser's own drill, where the buyer left it."""
    query = update.callback_query
    assert query is not None
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        record = load_record(session, user.id, lock=True) if user else None
        if user is None or record is None or record.run != run:
            await query.answer(T.DRILL_REFUSED, show_alert=True)
            return
        drill = record.engine()
        if drill is None or not record.resumable:
            await query.answer(T.DRILL_CLOSED, show_alert=True)
            return
        if record.status != OPEN:
            record.status = OPEN
            save_record(session, user.id, record)
        opening = drill.opening()
        number, total = record.done + 1, record.total
    await query.answer()
    await _close_query_buttons(update, context)
    _activate(context, run)
    header = T.DRILL_EXCHANGE.format(number=number, total=total)
    await _send(update, context, "\n\n".join([T.DRILL_RESUMED, header, opening["message"]]))


# ------------------------------------------------------------------ /stop, /annuler


def _stop_drill(
    services: Services, telegram_id: int, run: str
) -> tuple[bool, dict[str, Any] | None]:
    """Mark the run abandoned (resumable); return whether it was open, and the partial debrief."""
    with services.session() as session:
        user = get_user(session, telegram_id)
        record = load_record(session, user.id, lock=True) if user else None
        if user is None or record is None or record.run != run or record.status != OPEN:
            return False, None
        drill = record.engine()
        if drill is None:
            return False, None
        record.status = ABANDONED
        save_record(session, user.id, record)
        # the stored state stays "awaiting_answer" so that Reprendre continues it;
        # the partial debrief is computed on a copy
        return True, drill.abandon() if record.done else None


async def after_cancel(update: Update, context: BotContext) -> None:
    """After /stop or /annuler: the drill is stopped (kept as abandoned, resumable)."""
    run = _active_run(context) or context.user_data.get(OPENED)
    _deactivate(context)
    context.user_data.pop(START, None)
    if not isinstance(run, str):
        return
    stopped, partial = await context.services.run_db(
        _stop_drill, context.services, sender_of(update), run
    )
    if not stopped:
        return
    lines = [T.DRILL_STOPPED]
    if partial is not None:
        lines.append(partial["message"])
    lines.append(T.DRILL_STOPPED_RESUME)
    await _send(update, context, "\n\n".join(lines))


# ------------------------------------------------------------------ /bareme, /progres


async def rubric_command(update: Update, context: BotContext) -> None:
    """/bareme: how answers are scored."""
    await _send(update, context, rubric_text())


def progress_text(attempts: list[dict[str, Any]], today: date) -> str:
    """The French summary of /progres: averages, trend, weakest point, what comes next."""
    averages = category_averages(attempts)
    counts: dict[str, int] = {}
    for attempt in attempts:
        counts[attempt["category"]] = counts.get(attempt["category"], 0) + 1
    lines = [T.PROGRESS_TITLE.format(count=len(attempts)), "", T.PROGRESS_CATEGORIES]
    ordered = sorted(averages, key=lambda c: CATEGORIES.index(c) if c in CATEGORIES else 99)
    lines += [
        T.PROGRESS_CATEGORY_LINE.format(
            category=_category_label(category).capitalize(),
            average=_fmt(averages[category]),
            count=counts.get(category, 0),
        )
        for category in ordered
    ]
    stats = technique_stats(attempts)
    used = [code for code in TECHNIQUES if stats[code]["count"]]
    lines += ["", T.PROGRESS_TECHNIQUES]
    lines += [
        T.PROGRESS_TECHNIQUE_LINE.format(
            technique=T.TECHNIQUE_LABELS[code].capitalize(),
            average=_fmt(stats[code]["average"]),
            count=int(stats[code]["count"]),
        )
        for code in used
    ] or [T.PROGRESS_TECHNIQUES_NONE]
    lines += ["", T.PROGRESS_TREND.format(trend=trend(attempts)["label"])]
    lines.append(T.PROGRESS_WEAKEST.format(text=weakest_point(attempts)["text"]))
    due = due_repeats(attempts, today)
    if due:
        lines.append(T.PROGRESS_DUE.format(count=len(due)))
    else:
        plan = next_drill_plan(attempts, today)
        if plan["category"]:
            lines.append(T.PROGRESS_NEXT.format(category=_category_label(plan["category"])))
    return "\n".join(lines)


async def progress_command(update: Update, context: BotContext) -> None:
    """/progres: averages per category and technique, trend, weakest point, and a chart."""
    today = _now(update, context).date()
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        assert user is not None
        attempts = attempts_of(session, user)
    if not attempts:
        await _send(update, context, T.PROGRESS_NONE)
        return
    await _send(update, context, progress_text(attempts, today))
    png = await asyncio.to_thread(render_progress_png, attempts)
    await context.bot.send_photo(
        chat_of(update),
        InputFile(png, filename="progres.png"),
        caption=T.PROGRESS_CAPTION,
    )


# ------------------------------------------------------------------ /classement


@dataclass
class Standing:
    """One line of the leaderboard."""

    user_id: int
    name: str
    average: float
    count: int


def leaderboard(session: Session, team: Team, since: datetime) -> list[Standing]:
    """Team members who did not opt out, by average drill score since a moment (naive UTC)."""
    query = (
        select(
            User.id,
            User.display_name,
            func.avg(DrillAttempt.score),
            func.count(DrillAttempt.id),
        )
        .join(DrillAttempt, DrillAttempt.user_id == User.id)
        .where(
            User.team_id == team.id,
            User.leaderboard_opt_out.is_(False),
            DrillAttempt.created_at >= since,
        )
        .group_by(User.id, User.display_name)
    )
    if team.manager_id is not None:
        query = query.where(User.id != team.manager_id)
    standings = [
        Standing(user_id, name, round(float(average), 1), int(count))
        for user_id, name, average, count in session.execute(query).all()
    ]
    return sorted(standings, key=lambda s: (-s.average, -s.count, s.name.casefold(), s.user_id))


def leaderboard_text(team: Team, standings: list[Standing], me: User) -> str:
    """The French leaderboard, with shared ranks for equal averages."""
    lines = [T.LEADERBOARD_TITLE.format(team=team.name, days=LEADERBOARD_DAYS), ""]
    if not standings:
        lines.append(T.LEADERBOARD_EMPTY.format(days=LEADERBOARD_DAYS))
    rank = 0
    previous: float | None = None
    for position, standing in enumerate(standings, start=1):
        if standing.average != previous:
            rank, previous = position, standing.average
        medal = (
            T.LEADERBOARD_MEDALS[rank - 1]
            if rank <= len(T.LEADERBOARD_MEDALS)
            else T.LEADERBOARD_RANK.format(rank=rank)
        )
        lines.append(
            T.LEADERBOARD_LINE.format(
                rank=medal,
                name=standing.name,
                average=_fmt(standing.average),
                count=standing.count,
                you=T.LEADERBOARD_YOU if standing.user_id == me.id else "",
            )
        )
    lines.append("")
    if me.leaderboard_opt_out:
        lines.append(T.LEADERBOARD_YOU_HIDDEN)
    else:
        lines.append(T.LEADERBOARD_FOOTER.format(days=LEADERBOARD_DAYS))
    return "\n".join(lines)


async def leaderboard_command(update: Update, context: BotContext) -> None:
    """/classement [on|off]: the team's drill leaderboard, or opt out of it / back in."""
    arg = _fold(" ".join(context.args or []))
    since = _utc_naive(_now(update, context)) - timedelta(days=LEADERBOARD_DAYS)
    with context.services.session() as session:
        user = get_user(session, sender_of(update))
        assert user is not None
        if arg in OFF_WORDS or arg in ON_WORDS:
            user.leaderboard_opt_out = arg in OFF_WORDS
            text = T.LEADERBOARD_OFF if user.leaderboard_opt_out else T.LEADERBOARD_ON
        elif arg:
            text = T.LEADERBOARD_USAGE
        else:
            team = session.get(Team, user.team_id) if user.team_id is not None else None
            if team is None:
                text = T.LEADERBOARD_NO_TEAM
            else:
                text = leaderboard_text(team, leaderboard(session, team, since), user)
    await _send(update, context, text)


def register(app: AppType) -> None:
    """Wire the drills: intent, typed answers, buttons, commands and the /stop note."""
    router.INTENT_HANDLERS["start_drill"] = on_start_intent
    if drill_input not in router.INTERCEPTORS:
        router.INTERCEPTORS.append(drill_input)
    common.PENDING_KEYS.extend(k for k in (ACTIVE, START) if k not in common.PENDING_KEYS)
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^dr:"))
    app.add_handler(CommandHandler("entrainement", drill_command))
    app.add_handler(CommandHandler("bareme", rubric_command))
    app.add_handler(CommandHandler("progres", progress_command))
    app.add_handler(CommandHandler("classement", leaderboard_command))
    # group 2 runs after /annuler (group 0) and the checklists' note (group 1)
    app.add_handler(CommandHandler(["cancel", "annuler", "stop"], after_cancel), group=2)
