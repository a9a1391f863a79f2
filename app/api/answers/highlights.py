"""What stands out on an engagement curve: the biggest drop-off and the most re-watched range.
Pure: ranges in, the two marks out, so that a dashboard marks them without computing them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from app.api.answers.frame import Answer
from app.api.stats import RangeViewers


def drop_off(ranges: Sequence[RangeViewers]) -> Answer | None:
    """The range where the most viewers were lost against the range before it (the earliest of
    equals); None when no range has fewer viewers than the one before."""
    best: Answer | None = None
    for before, current in itertools.pairwise(ranges):
        lost = before.viewers - current.viewers
        if lost > 0 and (best is None or lost > best["viewers_lost"]):
            best = {"range": current.range, "viewers_lost": lost}
    return best


def most_rewatched(ranges: Sequence[RangeViewers]) -> Answer | None:
    """The range watched again most often (the earliest of equals); None without rewatches."""
    best: Answer | None = None
    for item in ranges:
        if item.rewatches > 0 and (best is None or item.rewatches > best["rewatches"]):
            best = {"range": item.range, "rewatches": item.rewatches}
    return best
