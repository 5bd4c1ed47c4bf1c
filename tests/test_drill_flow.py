"""Objection drills played from the trainee's side: start, answer, stop, resume, progress, ranks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts as core_texts
from bot.app import build_application
from bot.driver import Driver
from bot.handlers import drills
from bot.handlers.gate import RateLimiter
from bot.localapi import LocalBotApi, SentMessage
from coaching import load_bank, rubric_text
from coaching import texts as T
from coaching.bank import Objection
from coaching.constants import CATEGORIES, FAULTS, MOTIVES, STRONG_ANSWER, TECHNIQUES
from core.accounts import get_user
from db.models import DrillAttempt, Team
from tests.conftest import PARIS, onboard

# Tuesday 10 March 2026, 09:00 in Paris: typed messages are dated then.
NOW_DT = datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)
NOW = int(NOW_DT.timestamp())
U = 701
OTHER = 702
MATE = 703
BANK = load_bank()
WEAK = "non c'est pas cher"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def say(bot: Driver, text: str, user: int = U) -> list[SentMessage]:
    """Send a message dated at the reference moment."""
    return await bot.send(user, text, date=NOW)


def session(bot: Driver) -> Any:
    """A database session of the bot's services."""
    return bot.app.bot_data["services"].session()


def user_id(bot: Driver, user: int = U) -> int:
    """The users.id of a Telegram user."""
    with session(bot) as s:
        owner = get_user(s, user)
        assert owner is not None
        return owner.id


def record(bot: Driver, user: int = U) -> drills.DrillRecord | None:
    """The user's stored drill."""
    with session(bot) as s:
        return drills.load_record(s, user_id(bot, user))


def stored(bot: Driver, user: int = U) -> drills.DrillRecord:
    """The user's stored drill, which must exist."""
    found = record(bot, user)
    assert found is not None
    return found


def attempts(bot: Driver, user: int = U) -> list[DrillAttempt]:
    """The user's scored answers, oldest first."""
    with session(bot) as s:
        rows = s.scalars(
            select(DrillAttempt)
            .where(DrillAttempt.user_id == user_id(bot, user))
            .order_by(DrillAttempt.id)
        ).all()
        s.expunge_all()
        return list(rows)


def current(bot: Driver, user: int = U) -> Objection:
    """The bank objection the buyer is discussing."""
    objection = BANK.get(stored(bot, user).drill["objection_id"])
    assert objection is not None
    return objection


def last_alert(bot: Driver) -> str | None:
    """The text of the last answer to a button press."""
    answers = [p for m, p in bot.api.calls if m == "answerCallbackQuery"]
    return answers[-1].get("text") if answers else None


def last_with_buttons(bot: Driver, user: int = U) -> SentMessage:
    """The last message shown to the user that still has buttons."""
    return [s for s in bot.api.sent if s.chat_id == user and s.buttons][-1]


def seed_attempt(
    bot: Driver, user: int, objection_id: str, score: float, when: datetime, **extra: Any
) -> None:
    """Store a scored answer directly (dated in naive UTC, like the bot does)."""
    objection = BANK.get(objection_id)
    assert objection is not None
    with session(bot) as s:
        s.add(
            DrillAttempt(
                user_id=user_id(bot, user),
                objection_id=objection_id,
                category=objection.category,
                score=score,
                techniques=extra.get("techniques", []),
                faults=extra.get("faults", []),
                motives=extra.get("motives", []),
                answer="réponse",
                created_at=when.astimezone(UTC).replace(tzinfo=None),
            )
        )


def rename(bot: Driver, user: int, name: str) -> None:
    """Give a user another display name."""
    with session(bot) as s:
        member = get_user(s, user)
        assert member is not None
        member.display_name = name


def first_of(category: str) -> Objection:
    """The first bank objection of a category."""
    return BANK.in_category(category)[0]


@pytest.fixture
async def trainee(bot: Driver) -> Driver:
    """An onboarded trainee (the rate limit is relaxed: a drill is many quick answers)."""
    bot.app.bot_data["rate_limiter"] = RateLimiter(10_000, 10)
    await onboard(bot, U, role="Stagiaire")
    return bot


def assert_contract_codes(attempt: DrillAttempt) -> None:
    """The stored lists hold the contract's codes only."""
    assert set(attempt.techniques) <= set(TECHNIQUES)
    assert set(attempt.faults) <= set(FAULTS)
    assert set(attempt.motives) <= set(MOTIVES)
    assert attempt.category in CATEGORIES
    assert BANK.get(attempt.objection_id) is not None
    assert 0 <= attempt.score <= 10


# --- starting ------------------------------------------------------------------------------


async def test_start_from_text_with_a_category(trainee: Driver) -> None:
    replies = await say(trainee, "entraîne-moi sur les objections prix")
    text = replies[-1].text
    objection = current(trainee)
    assert objection.category == "prix"
    assert T.DRILL_EXCHANGE.format(number=1, total=3) in text
    assert T.DRILL_INTRO.split("{", 1)[0] in text and "catégorie : prix" in text
    assert T.DRILL_BUYER_SAYS.format(text=objection.text) in text
    assert objection.buyer in text and objection.offer in text
    assert text.endswith(T.DRILL_YOUR_TURN)
    run = stored(trainee)
    assert run.status == "open" and run.drill["status"] == "awaiting_answer"
    assert attempts(trainee) == []


async def test_start_with_buttons_then_auto_choice(trainee: Driver) -> None:
    replies = await say(trainee, "/entrainement")
    assert replies[-1].text == T.DRILL_CHOOSE_CATEGORY
    labels = replies[-1].button_labels()
    assert len(labels) == 7 and labels[-1] == T.DRILL_BTN_AUTO
    assert all(T.CATEGORY_LABELS[c].capitalize() in " ".join(labels) for c in CATEGORIES)
    assert record(trainee) is None  # nothing started before the choice

    replies = await trainee.press(U, "Concurrent en place")
    assert "catégorie : concurrent en place" in replies[-1].text
    assert current(trainee).category == "concurrent"

    # stopped, then a new one: "Au choix" picks for the trainee
    await say(trainee, "/stop")
    replies = await say(trainee, "/entrainement")
    assert replies[-1].text == T.DRILL_OPEN_OFFER.format(
        category="concurrent en place", done=0, total=3
    )
    await trainee.press(U, T.DRILL_BTN_NEW)
    assert last_with_buttons(trainee).text == T.DRILL_CHOOSE_CATEGORY
    replies = await trainee.press(U, "Au choix")
    assert T.DRILL_AUTO_FIRST.format(category="prix") in replies[-1].text  # nothing practised yet
    assert current(trainee).category == "prix"


async def test_unknown_category_and_vague_request(trainee: Driver) -> None:
    replies = await say(trainee, "/entrainement chaussettes")
    assert replies[-1].text == T.DRILL_UNKNOWN_CATEGORY.format(text="chaussettes")
    assert len(replies[-1].button_labels()) == 7
    replies = await say(trainee, "je veux m'entraîner")
    assert replies[-1].text == T.DRILL_CHOOSE_CATEGORY
    replies = await say(trainee, "/entrainement délai")
    assert current(trainee).category == "timing"


# --- answering -----------------------------------------------------------------------------


async def test_strong_answer_scores_high_and_moves_the_buyer_on(trainee: Driver) -> None:
    await say(trainee, "/entrainement prix")
    objection = current(trainee)
    replies = await say(trainee, objection.model_answer)
    text = replies[-1].text
    [attempt] = attempts(trainee)
    assert attempt.score >= STRONG_ANSWER
    assert attempt.objection_id == objection.id and attempt.category == "prix"
    assert attempt.answer == objection.model_answer
    assert_contract_codes(attempt)
    assert {"ecoute", "question"} & set(attempt.techniques)
    assert T.DRILL_SCORE_LINE.format(score=drills._fmt(attempt.score)) in text
    labels = ", ".join(T.TECHNIQUE_LABELS[c] for c in attempt.techniques)
    assert T.DRILL_FOUND_TECHNIQUES.format(items=labels) in text
    assert T.DRILL_FOUND_MOTIVES.split("{", 1)[0] in text
    assert T.FEEDBACK_TIP_PREFIX in text
    assert T.DRILL_MODEL_ANSWER.split("{", 1)[0] in text

    exchange = stored(trainee).drill["exchanges"][0]
    assert exchange["outcome"] in ("follow_up", "next_objection", "moves_on")
    assert T.DRILL_BUYER_SAYS.format(text=exchange["reaction"]) in text
    assert objection.insist not in text
    # what was recognised comes before the buyer's reaction
    assert text.index(T.DRILL_FOUND_FAULTS.split("{", 1)[0]) < text.index("🗣️")


async def test_answers_scored_in_a_worker_process_score_the_same(trainee: Driver) -> None:
    """With the scoring worker (the production default), scores match in-process scoring."""
    from coaching.scoring import score_answer

    services = trainee.app.bot_data["services"]
    services.settings = dataclasses.replace(services.settings, scoring_processes=1)
    services.start_workers()
    try:
        await services.cpu.ready()
        await say(trainee, "/entrainement prix")
        objection = current(trainee)
        prompt = stored(trainee).drill["prompt"]
        replies = await say(trainee, objection.model_answer)
        [attempt] = attempts(trainee)
        expected = score_answer(prompt, objection.model_answer, "prix")
        assert attempt.score == expected["score"]
        assert attempt.techniques == expected["techniques"]
        assert T.DRILL_SCORE_LINE.format(score=drills._fmt(attempt.score)) in replies[-1].text

        # A worker that dies is replaced: the next answer is still scored.
        for process in list(services.cpu._executor._processes.values()):
            process.kill()
            process.join()
        replies = await say(trainee, "Je comprends. Par rapport à quoi trouvez-vous cela cher ?")
        assert len(attempts(trainee)) == 2
        assert T.DRILL_SCORE_LINE.split("{", 1)[0] in replies[-1].text
    finally:
        services.cpu.close()
        services.cpu = None


async def test_weak_answers_make_the_buyer_insist_then_debrief(trainee: Driver) -> None:
    await say(trainee, "/entrainement prix")
    objection = current(trainee)
    for number in (1, 2):
        replies = await say(trainee, WEAK)
        text = replies[-1].text
        assert text.startswith(T.DRILL_EXCHANGE.format(number=number, total=3))
        assert T.DRILL_BUYER_SAYS.format(text=objection.insist) in text
        assert T.DRILL_FOUND_FAULTS.split("{", 1)[0] + T.FAULT_LABELS["contradiction"] in text
        assert text.endswith(T.DRILL_YOUR_TURN)
        assert stored(trainee).drill["exchanges"][-1]["outcome"] == "insist"
    replies = await say(trainee, WEAK)
    text = "\n".join(r.text for r in replies)
    assert T.DEBRIEF_TITLE in text
    assert T.DEBRIEF_AVERAGE.format(average="0", count=3) in text
    assert T.DEBRIEF_OUTCOME_OPEN in text
    assert T.DEBRIEF_MODEL.format(answer=objection.model_answer) in text
    assert text.rstrip().endswith(T.DRILL_FINISHED_NEXT)

    run = stored(trainee)
    assert run.status == "finished" and run.finished_at and run.drill["status"] == "finished"
    stored_attempts = attempts(trainee)
    assert len(stored_attempts) == 3
    for attempt in stored_attempts:
        assert_contract_codes(attempt)
        assert attempt.score < STRONG_ANSWER and attempt.answer == WEAK
        assert "trop_court" in attempt.faults
    # the finished drill no longer takes text
    replies = await say(trainee, "bonjour")
    assert replies[-1].text.startswith("Bonjour")
    assert len(attempts(trainee)) == 3


async def test_bad_inputs_get_french_replies_and_are_not_scored(trainee: Driver) -> None:
    await say(trainee, "/entrainement confiance")
    before = stored(trainee)
    long_answer = ("Je comprends votre prudence, c'est une vraie question. " * 80)[:4096]
    cases = [
        ("\u200b", core_texts.EMPTY),
        ("...", T.DRILL_NOT_SCORED.format(reason=T.INPUT_FEEDBACK["no_text"])),
        ("👍🔥😅", T.DRILL_NOT_SCORED.format(reason=T.INPUT_FEEDBACK["no_text"])),
        (
            long_answer,
            T.DRILL_NOT_SCORED.format(
                reason=T.DRILL_TOO_LONG.format(length="4\u202f096", limit="1\u202f500")
            ),
        ),
        (
            "I understand your concern, but we have many happy customers and a good price",
            T.DRILL_NOT_SCORED.format(reason=T.INPUT_FEEDBACK["english"]),
        ),
        (" /bareme", T.DRILL_NOT_SCORED.format(reason=T.INPUT_FEEDBACK["command"])),
        ("/nimportequoi", core_texts.UNKNOWN_COMMAND.format(command="/nimportequoi")),
    ]
    for text, expected in cases:
        replies = await say(trainee, text)
        assert [r.text for r in replies] == [expected], text[:20]
    assert attempts(trainee) == []
    assert stored(trainee).drill == before.drill

    # the drill still waits for a real answer
    replies = await say(trainee, WEAK)
    assert replies[-1].text.startswith(T.DRILL_EXCHANGE.format(number=1, total=3))
    assert len(attempts(trainee)) == 1


async def test_other_request_is_answered_then_resume_is_offered(trainee: Driver) -> None:
    await say(trainee, "/entrainement timing")
    await say(trainee, WEAK)
    state = stored(trainee).drill
    replies = await say(trainee, "j'ai quoi demain ?")
    assert len(replies) >= 2
    assert replies[-1].text == T.DRILL_PAUSED_OFFER.format(category="moment / délai")
    assert stored(trainee).drill == state and len(attempts(trainee)) == 1

    replies = await trainee.press(U, "Reprendre")
    text = replies[-1].text
    assert text.startswith(T.DRILL_RESUMED)
    assert T.DRILL_EXCHANGE.format(number=2, total=3) in text
    assert T.DRILL_BUYER_SAYS.format(text=state["prompt"]) in text
    await say(trainee, WEAK)
    assert len(attempts(trainee)) == 2


async def test_asking_for_another_drill_mid_drill_offers_to_resume(trainee: Driver) -> None:
    await say(trainee, "/entrainement prix")
    old = stored(trainee)
    replies = await say(trainee, "entraîne-moi sur les objections concurrent")
    assert [r.text for r in replies] == [
        T.DRILL_OPEN_OFFER.format(category="prix", done=0, total=3)
    ]
    assert attempts(trainee) == []
    replies = await trainee.press(U, T.DRILL_BTN_NEW)
    assert "catégorie : concurrent en place" in replies[-1].text
    assert stored(trainee).run != old.run


def test_long_answers_are_not_taken_for_other_requests() -> None:
    def nlu(intent: str, confidence: float) -> dict[str, Any]:
        return {"intent": {"name": intent, "confidence": confidence}}

    question = "Combien de clients ne viennent pas à leur réservation chaque semaine ?"
    assert not drills.is_other_request(nlu("ask_stats", 0.76), question)
    assert drills.is_other_request(nlu("ask_stats", 0.95), question)
    assert drills.is_other_request(nlu("show_agenda", 0.76), "j'ai quoi demain ?")
    assert not drills.is_other_request(nlu("show_agenda", 0.7), "j'ai quoi demain ?")
    assert not drills.is_other_request(nlu("log_visit", 0.99), "vu Dupont hier")


async def test_a_checklist_in_progress_does_not_take_the_drill_answers(trainee: Driver) -> None:
    await say(trainee, "checklist négo pour Leroy")
    await say(trainee, "/entrainement prix")
    await say(trainee, WEAK)
    assert len(attempts(trainee)) == 1


# --- stop and resume -----------------------------------------------------------------------


async def test_stop_then_resume_after_restart_from_the_database(trainee: Driver) -> None:
    await say(trainee, "/entrainement prix")
    objection = current(trainee)
    await say(trainee, WEAK)
    replies = await say(trainee, "/stop")
    assert replies[0].text == core_texts.CANCELLED
    text = replies[-1].text
    assert text.startswith(T.DRILL_STOPPED)
    assert T.DEBRIEF_TITLE in text and text.endswith(T.DRILL_STOPPED_RESUME)
    run = stored(trainee)
    assert run.status == "abandoned" and run.drill["status"] == "awaiting_answer"
    await say(trainee, "Je comprends, par rapport à quoi trouvez-vous cela cher ?")
    assert len(attempts(trainee)) == 1  # a stopped drill takes no answer

    services = trainee.app.bot_data["services"]
    api = LocalBotApi()
    app = build_application(services.settings, request=api, services=services)
    async with app:
        again = Driver(app, api)
        app.bot_data["rate_limiter"] = RateLimiter(10_000, 10)
        app.user_data[U].clear()
        replies = await again.send(U, "/entrainement", date=NOW)
        assert replies[-1].text == T.DRILL_OPEN_OFFER.format(category="prix", done=1, total=3)
        assert replies[-1].button_labels() == [
            T.DRILL_BTN_RESUME.format(category="prix"),
            T.DRILL_BTN_NEW,
        ]
        replies = await again.press(U, "Reprendre")
        text = replies[-1].text
        assert text.startswith(T.DRILL_RESUMED)
        assert T.DRILL_EXCHANGE.format(number=2, total=3) in text
        assert T.DRILL_BUYER_SAYS.format(text=objection.insist) in text
        assert stored(again).status == "open"
        replies = await again.send(U, WEAK, date=NOW)
        assert replies[-1].text.startswith(T.DRILL_EXCHANGE.format(number=2, total=3))
        assert len(attempts(again)) == 2
        assert stored(again).run == run.run


async def test_cancel_then_a_new_drill_replaces_the_open_one(trainee: Driver) -> None:
    await say(trainee, "/entrainement prix")
    old = stored(trainee)
    replies = await say(trainee, "/annuler")
    assert replies[-1].text == f"{T.DRILL_STOPPED}\n\n{T.DRILL_STOPPED_RESUME}"  # no answer yet
    await say(trainee, "/entrainement concurrent")
    replies = await trainee.press(U, T.DRILL_BTN_NEW)
    assert "catégorie : concurrent en place" in replies[-1].text
    new = stored(trainee)
    assert new.run != old.run and new.status == "open"
    # the old offer's buttons no longer work
    await trainee.press_data(U, 1, f"dr:r:{old.run}")
    assert last_alert(trainee) == T.DRILL_REFUSED


async def test_due_repeat_comes_back_first(trainee: Driver) -> None:
    objection = BANK.in_category("prix")[3]
    seed_attempt(trainee, U, objection.id, 2.0, NOW_DT - timedelta(days=3))
    replies = await say(trainee, "/entrainement prix")
    assert current(trainee).id == objection.id
    assert replies[-1].text.startswith(T.DRILL_REPEAT_NOTE)


# --- /bareme, /progres ---------------------------------------------------------------------


async def test_rubric(trainee: Driver) -> None:
    replies = await say(trainee, "/bareme")
    assert [r.text for r in replies] == [rubric_text()]
    assert "Écouter" in replies[0].text and T.RUBRIC_FAULTS_TITLE in replies[0].text


async def test_progress_without_then_with_attempts(trainee: Driver) -> None:
    replies = await say(trainee, "/progres")
    assert [r.text for r in replies] == [T.PROGRESS_NONE]
    assert not any(r.method == "sendPhoto" for r in replies)

    prix, concurrent = first_of("prix"), first_of("concurrent")
    seed_attempt(trainee, U, prix.id, 2.0, NOW_DT - timedelta(days=6), techniques=["ecoute"])
    seed_attempt(
        trainee,
        U,
        concurrent.id,
        8.0,
        NOW_DT - timedelta(days=4),
        techniques=["ecoute", "question"],
    )
    seed_attempt(trainee, U, prix.id, 4.0, NOW_DT - timedelta(days=3), techniques=["question"])
    replies = await say(trainee, "/progres")
    text, photo = replies[0].text, replies[-1]
    assert text.startswith(T.PROGRESS_TITLE.format(count=3))
    assert T.PROGRESS_CATEGORY_LINE.format(category="Prix", average="3", count=2) in text
    assert (
        T.PROGRESS_CATEGORY_LINE.format(category="Concurrent en place", average="8", count=1)
        in text
    )
    assert T.PROGRESS_TECHNIQUE_LINE.format(technique="Écoute", average="5", count=2) in text
    assert T.PROGRESS_TREND.format(trend=T.TREND_LABELS["up"]) in text  # 2, 8, then 4
    assert T.WEAKEST_CATEGORY.format(category="prix", average="3,0") in text
    assert T.PROGRESS_DUE.format(count=1) in text  # prix answered poorly three days ago
    assert photo.method == "sendPhoto" and photo.text == T.PROGRESS_CAPTION
    assert photo.file_bytes is not None and photo.file_bytes.startswith(PNG_SIGNATURE)


async def test_progress_after_a_played_drill(trainee: Driver) -> None:
    await say(trainee, "/entrainement besoin")
    for _ in range(3):
        await say(trainee, WEAK)
    replies = await say(trainee, "/progres")
    assert replies[0].text.startswith(T.PROGRESS_TITLE.format(count=3))
    assert "Absence de besoin : 0/10 (3 réponse(s))" in replies[0].text
    assert replies[-1].file_bytes is not None
    assert replies[-1].file_bytes.startswith(PNG_SIGNATURE)


# --- /classement ---------------------------------------------------------------------------


async def test_leaderboard_with_team_mates_and_an_opt_out(trainee: Driver) -> None:
    await onboard(trainee, MATE, role="Commercial", name="Dominique")
    await onboard(trainee, OTHER, role="Stagiaire", name="Solo")
    with session(trainee) as s:
        team = Team(name="Équipe Lyon", invite_code="LYON2026")
        s.add(team)
        s.flush()
        for telegram_id in (U, MATE):
            member = get_user(s, telegram_id)
            assert member is not None
            member.team_id = team.id
    rename(trainee, MATE, "Dominique")
    rename(trainee, OTHER, "Solo")
    prix = first_of("prix").id
    seed_attempt(trainee, U, prix, 5.0, NOW_DT - timedelta(days=2))
    seed_attempt(trainee, U, prix, 7.0, NOW_DT - timedelta(days=1))
    seed_attempt(trainee, U, prix, 0.0, NOW_DT - timedelta(days=40))  # too old to count
    seed_attempt(trainee, MATE, prix, 8.5, NOW_DT - timedelta(days=5))
    seed_attempt(trainee, OTHER, prix, 10.0, NOW_DT - timedelta(days=1))  # not in the team

    replies = await say(trainee, "/classement")
    text = replies[-1].text
    title = T.LEADERBOARD_TITLE.format(team="Équipe Lyon", days=30)
    mate_line = T.LEADERBOARD_LINE.format(
        rank="🥇", name="Dominique", average="8,5", count=1, you=""
    )
    my_line = T.LEADERBOARD_LINE.format(
        rank="🥈", name="Camille", average="6", count=2, you=T.LEADERBOARD_YOU
    )
    assert text.startswith(title)
    assert mate_line in text and my_line in text and text.index(mate_line) < text.index(my_line)
    assert "Solo" not in text
    assert T.LEADERBOARD_FOOTER.format(days=30) in text

    replies = await say(trainee, "/classement off", user=MATE)
    assert replies[-1].text == T.LEADERBOARD_OFF
    replies = await say(trainee, "/classement")
    assert "Dominique" not in replies[-1].text
    assert T.LEADERBOARD_LINE.format(
        rank="🥇", name="Camille", average="6", count=2, you=T.LEADERBOARD_YOU
    ) in (replies[-1].text)
    replies = await say(trainee, "/classement", user=MATE)
    assert "Camille" in replies[-1].text and T.LEADERBOARD_YOU_HIDDEN in replies[-1].text
    replies = await say(trainee, "/classement on", user=MATE)
    assert replies[-1].text == T.LEADERBOARD_ON
    replies = await say(trainee, "/classement")
    assert "Dominique" in replies[-1].text

    replies = await say(trainee, "/classement", user=OTHER)
    assert replies[-1].text == T.LEADERBOARD_NO_TEAM
    replies = await say(trainee, "/classement bof")
    assert replies[-1].text == T.LEADERBOARD_USAGE


async def test_empty_leaderboard(trainee: Driver) -> None:
    with session(trainee) as s:
        team = Team(name="Équipe Nord", invite_code="NORD2026")
        s.add(team)
        s.flush()
        member = get_user(s, U)
        assert member is not None
        member.team_id = team.id
    replies = await say(trainee, "/classement")
    assert T.LEADERBOARD_EMPTY.format(days=30) in replies[-1].text


# --- access ----------------------------------------------------------------------------------


async def test_forged_buttons_change_nothing(trainee: Driver) -> None:
    await onboard(trainee, OTHER, role="Stagiaire", name="Intrus")
    await say(trainee, "/entrainement")
    offer = last_with_buttons(trainee)
    assert offer.message_id is not None
    choose_prix = offer.button_data("Prix")
    sent = len(trainee.api.sent)

    await trainee.press_data(OTHER, offer.message_id, choose_prix)
    assert last_alert(trainee) == T.DRILL_START_EXPIRED
    assert len(trainee.api.sent) == sent and record(trainee, OTHER) is None

    await trainee.press(U, "Prix")
    run = stored(trainee)
    sent = len(trainee.api.sent)
    nonce = choose_prix.split(":")[2]
    for data, alert in (
        (f"dr:r:{run.run}", T.DRILL_REFUSED),
        (f"dr:n:{nonce}:prix", T.DRILL_START_EXPIRED),
        (choose_prix, T.DRILL_START_EXPIRED),
        ("dr:zz", T.DRILL_REFUSED),
        ("dr:r:", T.DRILL_REFUSED),
    ):
        await trainee.press_data(OTHER, offer.message_id, data)
        assert last_alert(trainee) == alert, data
    assert len(trainee.api.sent) == sent  # the intruder saw no drill, the owner nothing new
    assert record(trainee, OTHER) is None and attempts(trainee, OTHER) == []
    assert stored(trainee).drill == run.drill

    # the owner's own category button, already used, starts nothing twice
    await trainee.press_data(U, offer.message_id, choose_prix)
    assert last_alert(trainee) == T.DRILL_START_EXPIRED
    assert stored(trainee).run == run.run

    # the intruder's answers never reach the owner's drill
    await say(trainee, WEAK, user=OTHER)
    assert attempts(trainee) == [] and attempts(trainee, OTHER) == []


def test_long_messages_are_split_for_telegram() -> None:
    text = "\n\n".join(["a" * 3000, "b" * 2000, "c" * 5000, "d" * 10])
    parts = drills._chunks(text)
    assert all(len(part) <= 4096 for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert drills._chunks("court") == ["court"]
