-- The ranges each segment of a session overlaps, one entry per segment and range, so that a range
-- a session watched twice is there twice: the rewatches of /engagement with `ranges`, for the
-- sessions the single pass does not map itself (app/api/stats/range_counts.py). 008's function
-- (as 010 hardened it: a position below a microsecond is read as 0 where the candidate ranges
-- are computed, against PostgreSQL's float underflow) without DISTINCT; a new migration because
-- 008 and 010 are applied already.
CREATE FUNCTION engagement_ranges_watched(segments double precision[], length double precision,
                                          count integer)
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1 AS $$
    SELECT coalesce(array_agg(g.range ORDER BY g.range), '{}')
    FROM generate_subscripts(segments, 1) AS i
    CROSS JOIN LATERAL generate_series(
        greatest(floor(CASE WHEN segments[i][1] >= 0.000001 THEN least(segments[i][1], length) ELSE 0 END
                       * count / length) - 1, 0)::int,
        least(ceil(CASE WHEN segments[i][2] >= 0.000001 THEN least(segments[i][2], length) ELSE 0 END
                   * count / length), count - 1)::int
    ) AS g(range)
    WHERE segments[i][1] < length * (g.range + 1) / count
      AND segments[i][2] > length * g.range / count
$$;
