"""Progress helpers (pure): averages, trend, weakest point, next category, spaced repetition, chart.

An attempt is a dict: {"date": ISO date or date/datetime, "category": str, "objection_id": str,
"score": float 0-10, "techniques": [codes]}.
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from coaching import texts
from coaching.constants import CATEGORIES, POOR_ANSWER, TECHNIQUES

REPEAT_INTERVALS: tuple[int, ...] = (1, 3, 7)
"""Days before a poorly answered objection comes back, then after each good review."""

TREND_WINDOW = 10
TREND_THRESHOLD = 0.1
"""Points per attempt above which the trend counts as up (below minus it, as down)."""

UNSEEN_WEIGHT = 12.0
CORE_TECHNIQUES: tuple[str, ...] = ("ecoute", "reformulation", "question", "preuve", "conclusion")


@dataclass(frozen=True, slots=True)
class Attempt:
    """A normalised attempt."""

    day: date
    category: str
    objection_id: str
    score: float
    techniques: tuple[str, ...]
    order: int


@dataclass(frozen=True, slots=True)
class Repeat:
    """Spaced-repetition state of one objection."""

    objection_id: str
    due: date
    stage: int


def _to_date(value: Any) -> date:
    """Read a date from a date, a datetime or an ISO string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise ValueError(f"invalid attempt date: {value!r} (expected ISO date or date/datetime)")


def normalise_attempts(attempts: Iterable[Mapping[str, Any]]) -> list[Attempt]:
    """Validate attempts and sort them chronologically (stable for same-day attempts)."""
    normalised = []
    for order, attempt in enumerate(attempts):
        score = float(attempt["score"])
        normalised.append(
            Attempt(
                day=_to_date(attempt["date"]),
                category=str(attempt.get("category") or ""),
                objection_id=str(attempt.get("objection_id") or ""),
                score=max(0.0, min(10.0, score)),
                techniques=tuple(str(code) for code in attempt.get("techniques") or ()),
                order=order,
            )
        )
    return sorted(normalised, key=lambda attempt: (attempt.day, attempt.order))


def _mean(values: Sequence[float]) -> float:
    """Return the mean rounded to 0.1 (0.0 for no values)."""
    return round(sum(values) / len(values), 1) if values else 0.0


def category_averages(attempts: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Return the average score per practised category."""
    scores: dict[str, list[float]] = defaultdict(list)
    for attempt in normalise_attempts(attempts):
        scores[attempt.category].append(attempt.score)
    return {category: _mean(values) for category, values in scores.items() if category}


def technique_stats(attempts: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Return, per technique, how often it was used and the average score when used."""
    normalised = normalise_attempts(attempts)
    total = len(normalised)
    stats: dict[str, dict[str, float]] = {}
    for code in TECHNIQUES:
        scores = [attempt.score for attempt in normalised if code in attempt.techniques]
        stats[code] = {
            "count": float(len(scores)),
            "rate": round(len(scores) / total, 2) if total else 0.0,
            "average": _mean(scores),
        }
    return stats


def technique_averages(attempts: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Return the average score of the attempts that used each technique (used ones only)."""
    stats = technique_stats(attempts)
    return {code: values["average"] for code, values in stats.items() if values["count"]}


def trend(attempts: Iterable[Mapping[str, Any]], window: int = TREND_WINDOW) -> dict[str, Any]:
    """Return the direction of the recent scores (least-squares slope per attempt)."""
    scores = [attempt.score for attempt in normalise_attempts(attempts)][-window:]
    if len(scores) < 3:
        return {"direction": "unknown", "slope": 0.0, "label": texts.TREND_LABELS["unknown"]}
    count = len(scores)
    mean_x = (count - 1) / 2
    mean_y = sum(scores) / count
    numerator = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(scores))
    denominator = sum((x - mean_x) ** 2 for x in range(count))
    slope = numerator / denominator
    if slope > TREND_THRESHOLD:
        direction = "up"
    elif slope < -TREND_THRESHOLD:
        direction = "down"
    else:
        direction = "flat"
    return {
        "direction": direction,
        "slope": round(slope, 2),
        "label": texts.TREND_LABELS[direction],
    }


def weakest_point(attempts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Return the weakest category and the least used core technique, with a French sentence."""
    normalised = list(attempts)
    averages = category_averages(normalised)
    if not averages:
        return {"category": None, "average": None, "technique": None, "text": texts.WEAKEST_NONE}
    category = min(
        averages,
        key=lambda name: (averages[name], CATEGORIES.index(name) if name in CATEGORIES else 99),
    )
    stats = technique_stats(normalised)
    technique = min(
        CORE_TECHNIQUES, key=lambda code: (stats[code]["rate"], CORE_TECHNIQUES.index(code))
    )
    text = " ".join(
        [
            texts.WEAKEST_CATEGORY.format(
                category=texts.CATEGORY_LABELS.get(category, category),
                average=f"{averages[category]:.1f}".replace(".", ","),
            ),
            texts.WEAKEST_TECHNIQUE.format(technique=texts.TECHNIQUE_LABELS[technique]),
        ]
    )
    return {
        "category": category,
        "average": averages[category],
        "technique": technique,
        "text": text,
    }


def category_weights(attempts: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Weight each category for the next drill: unseen and weak categories weigh more."""
    averages = category_averages(attempts)
    return {
        category: UNSEEN_WEIGHT if category not in averages else 11.0 - averages[category]
        for category in CATEGORIES
    }


def choose_next_category(
    attempts: Iterable[Mapping[str, Any]], seed: int | str | None = None
) -> str:
    """Choose the next drill's category: the weakest one, or a weighted draw when seeded."""
    weights = category_weights(attempts)
    if seed is None:
        return max(
            CATEGORIES, key=lambda category: (weights[category], -CATEGORIES.index(category))
        )
    rng = random.Random(f"next-category:{seed}")
    return rng.choices(list(CATEGORIES), weights=[weights[c] for c in CATEGORIES], k=1)[0]


def weak_categories(
    attempts: Iterable[Mapping[str, Any]], threshold: float = POOR_ANSWER
) -> list[str]:
    """Return the practised categories whose average is below the threshold, weakest first."""
    averages = category_averages(attempts)
    weak = [category for category, average in averages.items() if average < threshold]
    return sorted(weak, key=lambda category: averages[category])


def repeat_schedule(attempts: Iterable[Mapping[str, Any]]) -> dict[str, Repeat]:
    """Return the objections in spaced repetition: poor answers come back after 1, 3, 7 days."""
    last_of_day: dict[tuple[str, date], Attempt] = {}
    for attempt in normalise_attempts(attempts):
        if attempt.objection_id:
            last_of_day[(attempt.objection_id, attempt.day)] = attempt
    schedule: dict[str, Repeat] = {}
    for attempt in sorted(last_of_day.values(), key=lambda a: (a.day, a.order)):
        current = schedule.get(attempt.objection_id)
        if attempt.score < POOR_ANSWER:
            due = attempt.day + timedelta(days=REPEAT_INTERVALS[0])
            schedule[attempt.objection_id] = Repeat(attempt.objection_id, due, 0)
        elif current is not None:
            stage = current.stage + 1
            if stage >= len(REPEAT_INTERVALS):
                del schedule[attempt.objection_id]
            else:
                due = attempt.day + timedelta(days=REPEAT_INTERVALS[stage])
                schedule[attempt.objection_id] = Repeat(attempt.objection_id, due, stage)
    return schedule


def due_repeats(attempts: Iterable[Mapping[str, Any]], today: date | str) -> list[str]:
    """Return the objection ids due for repetition on `today`, most overdue first."""
    day = _to_date(today)
    schedule = repeat_schedule(attempts)
    due = [repeat for repeat in schedule.values() if repeat.due <= day]
    return [repeat.objection_id for repeat in sorted(due, key=lambda r: (r.due, r.objection_id))]


def next_drill_plan(
    attempts: Iterable[Mapping[str, Any]], today: date | str, seed: int | str | None = None
) -> dict[str, Any]:
    """Return the arguments for `Drill.start`: category, weak categories, due and recent ids."""
    listed = list(attempts)
    due = due_repeats(listed, today)
    recent = [attempt.objection_id for attempt in normalise_attempts(listed)[-6:]]
    category = None if due else choose_next_category(listed, seed)
    return {
        "category": category,
        "weak_categories": weak_categories(listed),
        "due_objection_ids": due,
        "recent_objection_ids": list(dict.fromkeys(recent)),
    }


def render_progress_png(
    attempts: Iterable[Mapping[str, Any]], width: float = 8.0, height: float = 4.5
) -> bytes:
    """Render scores over time, one line per category, as PNG bytes (Agg canvas, no GUI)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    normalised = normalise_attempts(attempts)
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    axes.set_title(texts.CHART_TITLE)
    axes.set_ylim(0, 10.5)
    axes.set_ylabel(texts.CHART_YLABEL)
    axes.set_xlabel(texts.CHART_XLABEL)
    axes.axhline(7, color="grey", linestyle="--", linewidth=1, label=texts.CHART_TARGET)
    if not normalised:
        axes.text(0.5, 0.5, texts.CHART_EMPTY, ha="center", va="center", transform=axes.transAxes)
        axes.set_xticks([])
    else:
        by_category: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
        for attempt in normalised:
            by_category[attempt.category][attempt.day].append(attempt.score)
        for category in sorted(
            by_category, key=lambda c: CATEGORIES.index(c) if c in CATEGORIES else 99
        ):
            days = sorted(by_category[category])
            means = [
                sum(by_category[category][day]) / len(by_category[category][day]) for day in days
            ]
            label = texts.CATEGORY_LABELS.get(category, category or "?")
            axes.plot(days, means, marker="o", linewidth=1.5, label=label)
        locator = AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.legend(loc="lower right", fontsize="small")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
