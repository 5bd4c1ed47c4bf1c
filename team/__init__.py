"""Manager's team view: weekly summary, alerts, charts and team export (domain part)."""

from team.alerts import Alert, AlertThresholds, VisitPace, compute_alerts
from team.summary import (
    AccountRef,
    AccountView,
    FunnelStage,
    Planning,
    RepSummary,
    RottingQuote,
    TeamSummary,
    render_summary,
    team_export_sheets,
    team_summary,
)

__all__ = [
    "AccountRef",
    "AccountView",
    "Alert",
    "AlertThresholds",
    "FunnelStage",
    "Planning",
    "RepSummary",
    "RottingQuote",
    "TeamSummary",
    "VisitPace",
    "compute_alerts",
    "render_summary",
    "team_export_sheets",
    "team_summary",
]
