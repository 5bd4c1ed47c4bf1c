"""Progress helpers: averages, trend, weakest point, next category, spaced repetition, chart."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from coaching import (
    category_averages,
    choose_next_category,
    due_repeats,
    next_drill_plan,
    render_progress_png,
    repeat_schedule,
    technique_averages,
    technique_stats,
    trend,
    weakest_point,
)
from coaching.constants import CATEGORIES


def _attempt(
    day: str, category: str, objection_id: str, score: float, *techniques: str
) -> dict[str, Any]:
    """Build an attempt dict."""
    return {
        "date": day,
        "category": category,
        "objection_id": objection_id,
        "score": score,
        "techniques": list(techniques),
    }


ATTEMPTS = [
    _attempt("2026-03-02", "prix", "prix-01", 4.0, "ecoute"),
    _attempt("2026-03-03", "prix", "prix-02", 6.0, "ecoute", "question"),
    _attempt("2026-03-04", "confiance", "confiance-01", 8.0, "ecoute", "preuve", "conclusion"),
    _attempt("2026-03-05", "timing", "timing-07", 7.0, "question", "conclusion"),
    _attempt("2026-03-06", "confiance", "confiance-02", 9.0, "ecoute", "preuve"),
]


def test_category_and_technique_averages() -> None:
    """Averages per practised category and per technique used."""
    assert category_averages(ATTEMPTS) == {"prix": 5.0, "confiance": 8.5, "timing": 7.0}
    averages = technique_averages(ATTEMPTS)
    assert averages["ecoute"] == pytest.approx((4 + 6 + 8 + 9) / 4, abs=0.05)
    assert averages["preuve"] == 8.5
    assert "boomerang" not in averages
    stats = technique_stats(ATTEMPTS)
    assert stats["question"]["count"] == 2 and stats["question"]["rate"] == 0.4
    assert stats["report"]["count"] == 0


def test_trend_directions() -> None:
    """Rising, falling and flat scores; too few attempts is unknown."""
    assert trend(ATTEMPTS)["direction"] == "up"
    falling = [_attempt(f"2026-03-0{i}", "prix", "prix-01", 9 - i) for i in range(1, 6)]
    assert trend(falling)["direction"] == "down"
    flat = [_attempt(f"2026-03-0{i}", "prix", "prix-01", 6) for i in range(1, 6)]
    assert trend(flat)["direction"] == "flat"
    assert trend(ATTEMPTS[:2])["direction"] == "unknown"
    assert trend(ATTEMPTS)["label"]


def test_weakest_point() -> None:
    """The weakest category and the least used core technique, with a French sentence."""
    weakest = weakest_point(ATTEMPTS)
    assert weakest["category"] == "prix"
    assert weakest["technique"] == "reformulation"
    assert "prix" in weakest["text"] and "reformulation" in weakest["text"]
    assert weakest_point([])["category"] is None


def test_next_category_favours_unseen_then_weak() -> None:
    """Unseen categories first, then the weakest; a seeded draw favours weak ones."""
    assert choose_next_category(ATTEMPTS) in {"concurrent", "besoin", "decision"}
    everything = ATTEMPTS + [
        _attempt("2026-03-07", category, f"{category}-01", 9.0)
        for category in ("concurrent", "besoin", "decision")
    ]
    assert choose_next_category(everything) == "prix"
    draws = [choose_next_category(everything, seed=seed) for seed in range(200)]
    assert draws.count("prix") > draws.count("concurrent")
    assert set(draws) <= set(CATEGORIES)


def test_spaced_repetition_comes_back_after_1_3_7_days() -> None:
    """A poor answer comes back the next day, then after 3 and 7 days of good reviews."""
    history = [_attempt("2026-03-10", "prix", "prix-03", 4.0)]
    assert due_repeats(history, "2026-03-10") == []
    assert due_repeats(history, "2026-03-11") == ["prix-03"]
    history.append(_attempt("2026-03-11", "prix", "prix-03", 7.0))
    assert repeat_schedule(history)["prix-03"].due == date(2026, 3, 14)
    assert due_repeats(history, "2026-03-13") == []
    assert due_repeats(history, "2026-03-14") == ["prix-03"]
    history.append(_attempt("2026-03-14", "prix", "prix-03", 8.0))
    assert repeat_schedule(history)["prix-03"].due == date(2026, 3, 21)
    history.append(_attempt("2026-03-21", "prix", "prix-03", 9.0))
    assert "prix-03" not in repeat_schedule(history)


def test_spaced_repetition_failure_resets_and_good_first_answers_never_repeat() -> None:
    """A failed review restarts at one day; a first good answer is never scheduled."""
    history = [
        _attempt("2026-03-10", "prix", "prix-03", 4.0),
        _attempt("2026-03-11", "prix", "prix-03", 8.0),
        _attempt("2026-03-14", "prix", "prix-03", 5.0),
        _attempt("2026-03-14", "timing", "timing-01", 9.0),
    ]
    schedule = repeat_schedule(history)
    assert schedule["prix-03"].due == date(2026, 3, 15) and schedule["prix-03"].stage == 0
    assert "timing-01" not in schedule


def test_same_day_attempts_count_once_and_most_overdue_first() -> None:
    """Only the last attempt of a day counts; due ids come most overdue first."""
    history = [
        _attempt("2026-03-01", "prix", "prix-05", 3.0),
        _attempt("2026-03-08", "besoin", "besoin-02", 2.0),
        _attempt("2026-03-08", "besoin", "besoin-02", 8.0),
        _attempt("2026-03-09", "timing", "timing-02", 1.0),
    ]
    assert due_repeats(history, date(2026, 3, 12)) == ["prix-05", "timing-02"]


def test_dates_as_datetime_and_bad_dates() -> None:
    """Dates may be datetimes or ISO strings; garbage is rejected clearly."""
    history = [_attempt("2026-03-10T18:30:00+01:00", "prix", "prix-01", 2.0)]
    history.append({**history[0], "date": datetime(2026, 3, 10, 20, 0)})
    assert due_repeats(history, "2026-03-11") == ["prix-01"]
    with pytest.raises(ValueError, match="invalid attempt date"):
        category_averages([_attempt("hier", "prix", "prix-01", 2.0)])


def test_next_drill_plan_feeds_drill_start() -> None:
    """The plan names due repeats first and the weak categories."""
    plan = next_drill_plan(ATTEMPTS, "2026-03-07", seed=1)
    assert plan["due_objection_ids"] == ["prix-01"]
    assert plan["category"] is None
    assert plan["weak_categories"] == ["prix"]
    assert "prix-02" in plan["recent_objection_ids"]


@pytest.mark.parametrize("attempts", [ATTEMPTS, []])
def test_png_renders(attempts: list[dict[str, Any]]) -> None:
    """The chart is a PNG (also without data)."""
    png = render_progress_png(attempts)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 2000
