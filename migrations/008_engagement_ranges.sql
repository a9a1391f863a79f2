-- The ranges one session touched, for /engagement with `ranges` (app/api/ranges.py). A new
-- migration because 001-007 are applied already.
--
-- The engagement query maps a session of one or two segments to its ranges with width_bucket, in
-- one parallel pass over the sessions; this function answers for every other session (more
-- segments, or an array of another shape) with the per-segment definition itself: the ranges
-- [length * r / count, length * (r + 1) / count] that a segment overlaps by more than zero,
-- each once, ascending. A function rather than a subquery so that the planner can run it in
-- parallel workers; COST 1 because it is evaluated only for those other sessions, and a
-- subquery's per-row estimate made the planner give up the parallel hash aggregate.
CREATE FUNCTION engagement_ranges_touched(segments double precision[], length double precision,
                                          count integer)
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1 AS $$
    SELECT coalesce(array_agg(DISTINCT g.range ORDER BY g.range), '{}')
    FROM generate_subscripts(segments, 1) AS i
    CROSS JOIN LATERAL generate_series(
        greatest(floor(least(greatest(segments[i][1], 0), length) * count / length) - 1, 0)::int,
        least(ceil(least(greatest(segments[i][2], 0), length) * count / length), count - 1)::int
    ) AS g(range)
    WHERE segments[i][1] < length * (g.range + 1) / count
      AND segments[i][2] > length * g.range / count
$$;
