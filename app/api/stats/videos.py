"""Every video with sessions in a window: its plays, view time and share watched, sorted, a page.

Definitions (docs/API.md): `plays` are sessions watched at least `minimum_watch_seconds`;
`total_view_time` sums their watched seconds; `average_view_time` is that per play;
`average_percent_watched` is Σ min(watched, duration) ÷ Σ duration over the plays, in percent:
each play counts at most the whole video (a rewatch past the end does not lift it over 100 %),
and the duration is the video's as stored now. Unknown or zero durations give null.

From the per-video daily rollup (migrations/011) for whole UTC days where that is exact; from
the sessions for the partial days at either end, for days whose capped sum the rollup cannot
give (the video's duration changed since, and a play may exceed it), and for thresholds the
rollup does not keep. `use_rollup=False` is for the test that
holds the two to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.api.params import Order, Sort
from app.api.stats import rollup
from app.api.stats.scope import Connection, Scope

# minimum_watch_seconds the rollup counts at: its plays_N and watched_N columns.
THRESHOLDS = rollup.SOURCES_THRESHOLDS

_SORT_SQL = {
    Sort.PLAYS: "p.plays",
    Sort.TOTAL_VIEW_TIME: "p.watched",
    Sort.AVERAGE_VIEW_TIME: "p.watched / nullif(p.plays, 0)",
    Sort.AVERAGE_PERCENT_WATCHED: "p.capped / nullif(p.plays * p.length, 0)",
    Sort.DURATION: "p.duration",
    Sort.IDENTIFIER: "p.identifier",
}


@dataclass(frozen=True, slots=True)
class VideoRow:
    video_id: int
    identifier: str | None
    metadata: Any
    duration: float | None
    plays: int
    total_view_time: float
    average_view_time: float | None
    average_percent_watched: float | None


@dataclass(frozen=True, slots=True)
class Totals:
    """Over every video of the list, not only the page."""

    videos: int
    plays: int
    total_view_time: float
    average_view_time: float | None
    average_percent_watched: float | None


@dataclass(frozen=True, slots=True)
class VideoList:
    rows: list[VideoRow]
    totals: Totals


def like_pattern(search: str) -> str:
    """An ILIKE pattern for `search` anywhere in the text: its %, _ and \\ match themselves."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def videos(
    connection: Connection,
    scope: Scope,
    minimum_watch_seconds: float,
    *,
    search: str | None = None,
    sort: Sort = Sort.PLAYS,
    order: Order = Order.DESC,
    limit: int = 50,
    offset: int = 0,
    only: tuple[int, ...] | None = None,
    use_rollup: bool = True,
) -> VideoList:
    """The page of `limit` videos from `offset` in the order asked, or with `only` just those
    videos (in no particular order); the totals are over every video of the list either way."""
    days = rollup.full_days(scope.start, scope.end)
    if not use_rollup or minimum_watch_seconds not in THRESHOLDS or scope.filters:
        days = None
    subject: object = scope.key_id if scope.key_id is not None else list(scope.video_ids)
    first, last = days if days is not None else (scope.start, scope.start)
    args: list[object] = [subject, scope.start, scope.end, first, last, minimum_watch_seconds]
    args.append(None if search is None else like_pattern(search))
    if only is None:
        direction = "ASC" if order is Order.ASC else "DESC"
        page = f"ORDER BY {_SORT_SQL[sort]} {direction} NULLS LAST, p.video_id LIMIT $8 OFFSET $9"
        args += [limit, offset]
    else:
        page = "WHERE p.video_id = ANY($8::bigint[])"
        args.append(list(only))
    narrowing = scope.narrowed("", args)
    statement = _statement(
        by_key=scope.key_id is not None, rolled=days is not None, page=page, narrowing=narrowing
    )
    rows = await connection.fetch(statement, *args)
    head = rows[0]
    totals = Totals(
        videos=head["total_videos"],
        plays=int(head["total_plays"]),
        total_view_time=float(head["total_watched"]),
        average_view_time=_ratio(head["total_watched"], head["total_plays"]),
        average_percent_watched=_percent(head["total_capped"], head["total_length"]),
    )
    return VideoList([_row(row) for row in rows if row["video_id"] is not None], totals)


def _row(row: Any) -> VideoRow:
    return VideoRow(
        video_id=row["video_id"],
        identifier=row["identifier"],
        metadata=row["metadata"],
        duration=row["duration"],
        plays=int(row["plays"]),
        total_view_time=float(row["watched"]),
        average_view_time=_ratio(row["watched"], row["plays"]),
        average_percent_watched=_percent(row["capped"], row["plays_length"]),
    )


def _ratio(part: Any, whole: Any) -> float | None:
    return None if not whole else float(part) / float(whole)


def _percent(part: Any, whole: Any) -> float | None:
    return None if part is None or not whole else 100.0 * float(part) / float(whole)


def _statement(*, by_key: bool, rolled: bool, page: str, narrowing: str) -> str:
    """Parameters: $1 key id or video ids, $2 window start, $3 window end, $4 first full UTC day,
    $5 end of the full days, $6 minimum seconds, $7 ILIKE pattern or null, then $8 limit and
    $9 offset, or $8 the video ids of `only`; then the filters' values, which `narrowing`
    (conditions on `s`, for the sessions only: filters keep the rollup out) names."""
    scope = "v.key_id = $1" if by_key else "v.id = ANY($1::bigint[])"
    play = "s.watched >= $6"
    # `capped` is null for a video of unknown length, so that its sum stays null.
    from_sessions = f"""
        SELECT s.video_id, 1 AS sessions, ({play})::int AS plays,
               CASE WHEN {play} THEN s.watched ELSE 0 END AS watched,
               CASE WHEN c.length IS NULL THEN NULL WHEN {play} THEN least(s.watched, c.length)
                    ELSE 0 END AS capped"""
    if rolled:
        plays = " ".join(f"WHEN {n} THEN r.plays_{n}" for n in THRESHOLDS)
        watched = " ".join(f"WHEN {n} THEN r.watched_{n}" for n in THRESHOLDS)
        capped = " ".join(f"WHEN {n} THEN r.capped_{n}" for n in THRESHOLDS)
        # A rollup day's capped sum is exact when its sessions saw the duration stored now, or
        # when none of them watched more than it; other days are read from their sessions.
        exact = "(r.duration_seen = c.length OR r.max_watched <= c.length)"
        parts = f"""
            SELECT r.video_id, r.plays_0, CASE $6::float8 {plays} END, CASE $6::float8 {watched} END,
                   CASE WHEN c.length IS NULL THEN NULL
                        WHEN r.duration_seen = c.length THEN CASE $6::float8 {capped} END
                        ELSE CASE $6::float8 {watched} END END
            FROM videos_daily r JOIN chosen c ON c.id = r.video_id
            WHERE r.day >= $4 AND r.day < $5 AND (c.length IS NULL OR {exact})
            UNION ALL
            -- The partial days at either end, each a range of its own in the index.
            {from_sessions}
            FROM chosen c JOIN sessions s ON s.video_id = c.id
            WHERE s.started_at >= $2 AND s.started_at < $4
            UNION ALL
            {from_sessions}
            FROM chosen c JOIN sessions s ON s.video_id = c.id
            WHERE s.started_at >= $5 AND s.started_at <= $3
            UNION ALL
            {from_sessions}
            FROM videos_daily r JOIN chosen c ON c.id = r.video_id
            JOIN sessions s ON s.video_id = r.video_id
             AND s.started_at >= r.day AND s.started_at < r.day + INTERVAL '24 hours'
            WHERE r.day >= $4 AND r.day < $5 AND c.length IS NOT NULL AND NOT {exact}"""  # noqa: S608
    else:
        # $4 and $5 are the same instant here: no day is read from the rollup.
        parts = f"""
            {from_sessions}
            FROM chosen c JOIN sessions s ON s.video_id = c.id
            WHERE s.started_at BETWEEN $2 AND $3 AND $4::timestamptz <= $5::timestamptz {narrowing}"""
    return f"""
        WITH chosen AS (
            SELECT v.id, v.identifier, v.metadata, v.duration,
                   CASE WHEN v.duration > 0 AND v.duration < 'infinity' THEN v.duration END AS length
            FROM videos v
            WHERE {scope} AND ($7::text IS NULL OR v.identifier ILIKE $7::text ESCAPE '\\')
        ),
        parts (video_id, sessions, plays, watched, capped) AS ({parts}
        ),
        summed AS (
            SELECT video_id, sum(plays)::bigint AS plays, sum(watched) AS watched,
                   sum(capped) AS capped
            FROM parts GROUP BY video_id HAVING sum(sessions) > 0
        ),
        per_video AS MATERIALIZED (
            SELECT c.id AS video_id, c.identifier, c.metadata, c.duration, c.length, summed.plays,
                   summed.watched, summed.capped, summed.plays * c.length AS plays_length
            FROM summed JOIN chosen c ON c.id = summed.video_id
        ),
        totals AS (
            SELECT count(*) AS total_videos, coalesce(sum(plays), 0) AS total_plays,
                   coalesce(sum(watched), 0) AS total_watched,
                   sum(capped) AS total_capped, sum(plays_length) AS total_length
            FROM per_video
        )
        SELECT totals.*, page.*
        FROM totals LEFT JOIN LATERAL (
            SELECT p.video_id, p.identifier, p.metadata, p.duration, p.plays, p.watched,
                   p.capped, p.plays_length
            FROM per_video p {page}
        ) AS page ON true
    """  # noqa: S608 (fixed fragments; values are bound)
