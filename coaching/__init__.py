"""Objection-handling drills: scoring engine, objection bank and drill dialogue."""

from coaching.bank import BankError, Objection, ObjectionBank, load_bank
from coaching.drill import Drill, DrillError
from coaching.progress import (
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
from coaching.scoring import (
    Assessment,
    Scorability,
    assess_answer,
    is_scorable,
    rubric_text,
    score_answer,
)

__all__ = [
    "Assessment",
    "BankError",
    "Drill",
    "DrillError",
    "Objection",
    "ObjectionBank",
    "Scorability",
    "assess_answer",
    "category_averages",
    "choose_next_category",
    "due_repeats",
    "is_scorable",
    "load_bank",
    "next_drill_plan",
    "render_progress_png",
    "repeat_schedule",
    "rubric_text",
    "score_answer",
    "technique_averages",
    "technique_stats",
    "trend",
    "weakest_point",
]
