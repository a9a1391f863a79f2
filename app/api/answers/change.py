"""How the totals of /videos changed against the comparison period: what a dashboard's cards
show beside each number. Pure."""

from __future__ import annotations

from app.api.answers.frame import Answer
from app.api.stats.videos import Totals


def percent_change(now: float | None, then: float | None) -> float | None:
    """(now - then) / then in percent; None without a baseline (then unknown or zero)."""
    if now is None or then is None or then == 0:
        return None
    return (now - then) / then * 100.0


def point_change(now: float | None, then: float | None) -> float | None:
    """now - then, for a number that is itself a percentage (percentage points)."""
    if now is None or then is None:
        return None
    return now - then


def change(now: Totals, then: Totals) -> Answer:
    """Counts and times in percent of the comparison period's; the share watched, itself a
    percentage, in percentage points (40 % after 35 % is +5, not +14.3)."""
    return {
        "plays": percent_change(now.plays, then.plays),
        "total_view_time": percent_change(now.total_view_time, then.total_view_time),
        "average_view_time": percent_change(now.average_view_time, then.average_view_time),
        "average_percent_watched": point_change(now.average_percent_watched, then.average_percent_watched),
    }
