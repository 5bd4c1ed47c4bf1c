"""Drill dialogue: pure, serialisable state machine from the objection to the debrief."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coaching import Drill, DrillError, load_bank
from coaching.constants import TECHNIQUES

WEAK = "Bah c'est le prix."
STRONG = (
    "Je vous entends, c'est une somme. Combien de temps votre plongeur passe-t-il sur la "
    "vaisselle ? Nos clients restaurateurs économisent 30 % d'eau et de lessive, soit moins de "
    "5 € par jour sur cinq ans. Je vous propose un essai de deux semaines, on le démarre lundi ?"
)


def _roundtrip(drill: Drill) -> Drill:
    """Serialise the state to JSON and rebuild the drill from it."""
    return Drill.from_state(json.loads(json.dumps(drill.state)))


def _fake_scorer(scores: list[float]) -> Any:
    """Return a scorer that gives the listed scores in turn."""
    queue = list(scores)

    def scorer(objection: str, answer: str, category: str | None) -> dict[str, Any]:
        """Give the next queued score."""
        return {
            "score": queue.pop(0),
            "techniques": ["ecoute"],
            "motives": [],
            "faults": [],
            "feedback": "retour",
            "model_answer": "modèle",
        }

    return scorer


def test_end_to_end_weak_insist_strong_debrief() -> None:
    """start → weak answer → buyer insists → strong answer → buyer reacts → ... → debrief."""
    drill = Drill()
    opening = drill.start(category="prix", seed="e2e", difficulty=1)
    entry = load_bank().get(opening["objection_id"])
    assert entry is not None and entry.category == "prix"
    assert opening["objection"] == entry.text
    assert entry.buyer in opening["message"] and entry.text in opening["message"]
    assert drill.status == "awaiting_answer"

    drill = _roundtrip(drill)
    weak = drill.answer(WEAK)
    assert weak["scored"] and weak["result"]["score"] < 7
    assert weak["outcome"] == "insist"
    assert weak["reaction"] == entry.insist
    assert weak["next_prompt"] == entry.insist
    assert not weak["finished"]

    drill = _roundtrip(drill)
    strong = drill.answer(STRONG)
    assert strong["result"]["score"] >= 7
    assert strong["outcome"] in {"follow_up", "next_objection"}
    assert not strong["finished"]

    drill = _roundtrip(drill)
    last = drill.answer(STRONG)
    assert last["finished"]
    assert drill.finished
    debrief = last["debrief"]
    assert debrief["count"] == 3
    assert debrief["best_technique"] in TECHNIQUES
    assert debrief["worst_technique"] in TECHNIQUES
    assert "trop_court" in debrief["faults"]
    assert debrief["tip"] and "Débrief" in debrief["message"]
    assert debrief["average"] == pytest.approx(
        sum(e["score"] for e in drill.state["exchanges"]) / 3, abs=0.05
    )
    json.dumps(drill.state)


def test_state_is_plain_json_and_roundtrips() -> None:
    """The state survives JSON and gives the same next step."""
    drill = Drill()
    drill.start(seed=7)
    state = drill.state
    assert json.loads(json.dumps(state)) == state
    twin = Drill.from_state(state)
    assert twin.answer(WEAK)["reaction"] == drill.answer(WEAK)["reaction"]


def test_strong_answer_raises_follow_up_or_harder_objection() -> None:
    """A strong answer gets the follow-up line, or 'moves on' plus a harder objection."""
    bank = load_bank()
    with_follow_up = next(o for o in bank if o.follow_up and o.difficulty == 1)
    drill = Drill(scorer=_fake_scorer([9.0]))
    drill.start(seed=1, objection_id=with_follow_up.id)
    reply = drill.answer("réponse")
    assert reply["outcome"] == "follow_up"
    assert reply["reaction"] == with_follow_up.follow_up

    moving = next(o for o in bank if o.moves_on and o.difficulty == 1)
    drill = Drill(scorer=_fake_scorer([9.0]))
    drill.start(seed=2, objection_id=moving.id)
    reply = drill.answer("réponse")
    assert reply["outcome"] == "next_objection"
    assert reply["reaction"].startswith(moving.moves_on)
    harder = drill.current
    assert harder is not None and harder.difficulty > moving.difficulty
    assert reply["next_prompt"] == harder.text


def test_three_weak_answers_end_the_drill_unconvinced() -> None:
    """After three exchanges the drill ends even if the buyer is not convinced."""
    drill = Drill(scorer=_fake_scorer([2.0, 3.0, 4.0]))
    drill.start(seed=3)
    outcomes = [drill.answer("réponse")["outcome"] for _ in range(3)]
    assert outcomes == ["insist", "insist", "end"]
    assert drill.finished and not drill.state["won"]
    with pytest.raises(DrillError):
        drill.answer("encore")


def test_convinced_buyer_ends_early_when_nothing_is_left() -> None:
    """A strong answer to the follow-up on the last exchange wins the drill."""
    drill = Drill(scorer=_fake_scorer([3.0, 8.0, 8.0]), state=None)
    drill.start(seed=4, max_exchanges=3)
    results = [drill.answer("réponse") for _ in range(3)]
    assert results[-1]["finished"]
    assert results[-1]["debrief"]["won"] is True


def test_unscorable_answer_does_not_use_an_exchange() -> None:
    """Emoji, commands and English are refused with a reason, the buyer keeps waiting."""
    drill = Drill()
    drill.start(seed=5)
    before = drill.state
    for text in ("👍", "/stop", "I think it is fine"):
        reply = drill.answer(text)
        assert reply["scored"] is False and reply["message"]
    assert drill.state == before


def test_answer_before_start_raises() -> None:
    """Answering an idle drill is refused."""
    with pytest.raises(DrillError):
        Drill().answer("Je comprends.")


def test_selection_favours_due_repeats_and_weak_categories() -> None:
    """The most overdue repeat comes first; weak categories are drawn far more often."""
    opening = Drill().start(seed=1, due_objection_ids=["besoin-04", "prix-02"])
    assert opening["objection_id"] == "besoin-04"
    in_category = Drill().start("prix", seed=1, due_objection_ids=["besoin-04", "prix-02"])
    assert in_category["objection_id"] == "prix-02"
    categories: Counter[str] = Counter()
    for seed in range(60):
        categories[Drill().start(seed=seed, weak_categories=["confiance"])["category"]] += 1
    assert categories["confiance"] == max(categories.values())
    assert categories["confiance"] >= 15


def test_same_seed_same_objection() -> None:
    """Selection is deterministic for a given seed."""
    first = Drill().start(seed="abc", weak_categories=["prix"])
    second = Drill().start(seed="abc", weak_categories=["prix"])
    assert first["objection_id"] == second["objection_id"]


def test_abandon_and_attempts() -> None:
    """Abandoning gives a debrief; attempts are ready for the progress helpers."""
    drill = Drill(scorer=_fake_scorer([4.0]))
    drill.start(seed=6, category="decision")
    drill.answer("réponse")
    debrief = drill.abandon()
    assert drill.finished and debrief["count"] == 1
    attempts = drill.attempts("2026-03-10")
    assert attempts == [
        {
            "date": "2026-03-10",
            "category": "decision",
            "objection_id": drill.state["exchanges"][0]["objection_id"],
            "score": 4.0,
            "techniques": ["ecoute"],
        }
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=st.lists(st.text(max_size=120), min_size=1, max_size=4), seed=st.integers())
def test_any_answers_keep_a_valid_json_state(answers: list[str], seed: int) -> None:
    """Whatever the trainee types, the drill never breaks and its state stays JSON."""
    drill = Drill()
    drill.start(seed=seed)
    for text in answers:
        if drill.finished:
            break
        drill.answer(text)
    assert json.loads(json.dumps(drill.state)) == drill.state
    assert drill.debrief()["count"] <= 3
