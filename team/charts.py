"""PNG charts of the team summary: the funnel and per-rep activity bars (matplotlib, Agg).

Figures are built with the object API (``matplotlib.figure.Figure`` on an Agg canvas), never
pyplot: no global state, safe in a bot's worker threads.
"""

from __future__ import annotations

import io
import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from journal import stats_texts as JT
from team import texts as T
from team.summary import TeamSummary

DPI = 110
FUNNEL_COLORS = ("#4C72B0", "#55A868", "#DD8452", "#C44E52")
SERIES_COLORS = {
    "calls_made": "#4C72B0",
    "visits": "#55A868",
    "quotes": "#DD8452",
    "orders": "#C44E52",
}
MAX_NAME = 22
MAX_HEIGHT = 30.0  # inches: 3,000 px at 100 dpi, within Telegram's photo limits


def _png(figure: Figure, dpi: int = DPI) -> bytes:
    """Render a figure to PNG bytes (light compression: encoding time grows with pixels)."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def _span(summary: TeamSummary) -> dict[str, str]:
    """Start and end of the week for the titles."""
    start, end = T.header_span(summary.week_start, summary.week_end)
    return {"start": start, "end": end}


def _empty(axes: object) -> None:
    """Write the "no activity" note in the middle of empty axes."""
    axes.text(  # type: ignore[attr-defined]
        0.5, 0.5, T.CHART_EMPTY, ha="center", va="center", fontsize=12, color="#666666"
    )
    axes.set_axis_off()  # type: ignore[attr-defined]


def funnel_png(summary: TeamSummary) -> bytes:
    """The team funnel (contacts → RDV → devis → commandes) as centred bars, in PNG."""
    figure = Figure(figsize=(6.4, 3.8))
    axes = figure.add_axes((0.17, 0.04, 0.81, 0.78))
    title = T.CHART_FUNNEL_TITLE.format(**_span(summary))
    if summary.team_name:
        title = f"{textwrap.shorten(summary.team_name, 40, placeholder='…')} — {title}"
    axes.set_title(title, fontsize=11)
    stages = summary.funnel
    top = max((s.value for s in stages), default=0)
    if top == 0:
        _empty(axes)
        return _png(figure)
    positions = list(range(len(stages)))[::-1]
    widths = [max(s.value, top * 0.006) if s.value else 0 for s in stages]
    axes.barh(
        positions,
        widths,
        left=[-w / 2 for w in widths],
        color=FUNNEL_COLORS[: len(stages)],
        height=0.72,
    )
    for y, stage in zip(positions, stages, strict=True):
        axes.text(
            0,
            y,
            JT.format_number(stage.value),
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
            color="white" if stage.value > top * 0.18 else "black",
        )
        if stage.rate is not None:
            axes.text(
                top * 0.52,
                y,
                T.CHART_FUNNEL_RATE.format(
                    rate=JT.format_pct(stage.rate),
                    of_previous=T.CHART_FUNNEL_OF_PREVIOUS.get(stage.code, ""),
                ),
                ha="left",
                va="center",
                fontsize=9,
                color="#444444",
            )
    axes.set_yticks(positions, [s.label for s in stages], fontsize=10)
    axes.set_xlim(-top * 0.55, top * 1.05)
    axes.set_xticks([])
    for side in ("top", "right", "bottom", "left"):
        axes.spines[side].set_visible(False)
    axes.tick_params(axis="y", length=0)
    return _png(figure)


def _name(name: str) -> str:
    """A rep's name cut for an axis label."""
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1].rstrip() + "…"


def activity_png(summary: TeamSummary) -> bytes:
    """Per-rep grouped horizontal bars of calls, visits, quotes and orders, in PNG.

    The layout is computed by hand (no constrained layout: too slow for 50 reps); the image
    grows with the team (about a third of an inch per rep) and stays under Telegram's photo
    limits.
    """
    reps = summary.reps
    names = [_name(r.name) for r in reps]
    row = 0.42 if len(reps) <= 20 else 0.3
    top, bottom = 0.85, 0.55  # inches: title and legend; x axis and its label
    height = min(MAX_HEIGHT, max(3.2, top + bottom + row * len(reps)))
    width = 7.0
    left = 0.2 + 0.075 * max((len(n) for n in names), default=4)
    figure = Figure(figsize=(width, height))
    axes = figure.add_axes(
        (left / width, bottom / height, 1 - (left + 0.3) / width, 1 - (top + bottom) / height)
    )
    figure.text(
        0.5,
        1 - 0.12 / height,
        T.CHART_ACTIVITY_TITLE.format(**_span(summary)),
        ha="center",
        va="top",
        fontsize=11,
    )
    codes = list(T.CHART_SERIES)
    if not reps or all(r.counts.empty for r in reps):
        _empty(axes)
        return _png(figure)
    bar = 0.8 / len(codes)
    rows = list(range(len(reps)))[::-1]
    peak = max(max(r.counts.value(code) for code in codes) for r in reps) or 1
    for index, code in enumerate(codes):
        values = [r.counts.value(code) for r in reps]
        offsets = [y + 0.4 - bar * (index + 1) for y in rows]
        # one PolyCollection per series: much faster than one Rectangle patch per bar
        boxes = [
            [(0, y), (v, y), (v, y + bar * 0.95), (0, y + bar * 0.95)]
            for y, v in zip(offsets, values, strict=True)
            if v
        ]
        axes.add_collection(PolyCollection(boxes, facecolors=SERIES_COLORS[code]))
        if len(reps) <= 20:
            for y, v in zip(offsets, values, strict=True):
                if v:
                    axes.text(
                        v + peak * 0.01,
                        y + bar * 0.45,
                        JT.format_number(v),
                        va="center",
                        fontsize=7,
                    )
    # names as plain texts: 50 tick objects cost more than the whole drawing
    axes.set_yticks([])
    to_left = blended_transform_factory(axes.transAxes, axes.transData)
    for y, name in zip(rows, names, strict=True):
        axes.text(
            -0.015,
            y,
            name,
            transform=to_left,
            ha="right",
            va="center",
            fontsize=9 if len(reps) <= 20 else 8,
        )
    axes.set_ylim(-0.6, len(reps) - 0.4)
    axes.set_xlim(0, peak * 1.12)
    axes.set_xlabel(T.CHART_COUNT_AXIS, fontsize=9)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(lambda value, _pos: JT.format_number(value))
    axes.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(
        handles=[Patch(color=SERIES_COLORS[c], label=T.CHART_SERIES[c]) for c in codes],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=len(codes),
        fontsize=8,
        frameon=False,
        borderaxespad=0.2,
    )
    return _png(figure, DPI if len(reps) <= 20 else 100)
