"""A shop's and a blog's plausible quarter of playbacks, for the dashboard's screenshots.

Written straight into the database by one INSERT ... SELECT (as benchmarks/query_benchmark.py
writes its data), so that the screenshots show months of history; the browser tests record their
sessions through the websocket instead. Deterministic: the same rows on every run, relative to now.
"""

from __future__ import annotations

import asyncpg

KEYS = ("example-shop", "example-blog")

# (key, metadata id, label, length in seconds, popularity weight, page path)
VIDEOS = [
    ("example-shop", "spring-24", "Spring collection 2024", 96, 30, "/collections/spring"),
    ("example-shop", "pick-shoes", "How to pick running shoes", 412, 22, "/guides/running-shoes"),
    ("example-shop", "trail-review", "Trail shoes, tested for 500 km", 634, 14, "/products/trail-x"),
    ("example-shop", "care", "Care and cleaning in 2 minutes", 118, 9, "/help/care"),
    ("example-shop", "size-guide", "Size guide", 75, 8, "/help/sizes"),
    ("example-shop", "unboxing", "Unboxing the Trail X", 188, 6, "/products/trail-x"),
    ("example-shop", "stories", "Customer stories: first marathon", 301, 4, "/stories"),
    ("example-shop", "studio", "Behind the scenes at the studio", 244, 2, "/about"),
    ("example-blog", "intro", "Why we make shoes", 142, 10, "/blog/why"),
    ("example-blog", "recipe", "Trail mix recipe", 205, 5, "/blog/trail-mix"),
]

SEED = """
INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform, device,
                      page_host, page_url, segments, watched, unique_watched, final)
SELECT gen_random_uuid(), r.started, r.started + make_interval(secs => r.reach + 3),
       v.key_id, v.id, r.browser, r.platform, r.device, r.host, 'https://' || r.host || r.path,
       CASE WHEN r.rewatch AND r.again + 1 < r.reach
            THEN ARRAY[[0, r.reach], [r.again, least(r.again + 12, r.reach)]]
            ELSE ARRAY[[0, r.reach]] END,
       CASE WHEN r.rewatch AND r.again + 1 < r.reach
            THEN r.reach + least(12, r.reach - r.again) ELSE r.reach END,
       r.reach, true
FROM (
    SELECT s.*,
           -- Most leave early; some watch to the end: a curve with a cliff a third of the way in.
           round(least(s.length, s.length * CASE WHEN s.u1 < 0.18 THEN 1
                                                 WHEN s.u1 < 0.55 THEN s.u2 * 0.33
                                                 ELSE 0.33 + s.u2 * 0.5 END)::numeric, 2)::float8 AS reach,
           s.u3 < 0.16 AS rewatch,
           round((s.length * 0.12 + s.u4 * 6)::numeric, 2)::float8 AS again
    FROM (
        SELECT g, v.length, v.host, v.path,
               -- Days back from now, weighted so that the recent weeks hold more (growth), and
               -- weekends a little less.
               now() - make_interval(days => floor(power(random(), 1.35) * 120)::int,
                                     secs => floor(random() * 86400)::int) AS started,
               random() AS u1, random() AS u2, random() AS u3, random() AS u4,
               (ARRAY['chrome','chrome','chrome','chrome','safari','safari','safari','edge','firefox',
                      'firefox','brave','opera','other'])[1 + floor(random() * 13)::int] AS browser,
               (ARRAY['windows','windows','mac','mac','ios','ios','ios','android','android','linux',
                      'other'])[1 + floor(random() * 11)::int] AS platform,
               (ARRAY['desktop','desktop','desktop','mobile','mobile','mobile','tablet'])
                   [1 + floor(random() * 7)::int] AS device,
               v.id AS video_id
        FROM generate_series(1, $1) AS g
        JOIN LATERAL (
            SELECT w.id, w.length, w.host, w.path FROM weights w
            WHERE w.upto > random() * (SELECT max(upto) FROM weights) + 0 * g
            ORDER BY w.upto LIMIT 1
        ) AS v ON true
    ) AS s
) AS r
JOIN videos v ON v.id = r.video_id
WHERE extract(isodow FROM r.started) < 6 OR r.u4 < 0.8
"""

# Quality, as this server's snippet reports it, for 85 % of the playbacks (the rest come from the
# published client and carry none): startup around 0.7 s (1.1 s on phones), a few stalls, 1.5 %
# failing, 2 % giving up before the first frame; and players shown and never played, for the play
# rate. The rollup triggers follow the UPDATE as they follow the server's writes.
ERROR_GROUPS = [
    ("00000000000000a1", "hls:fragLoadError", "HTTP Error <n> for <url>"),
    ("00000000000000a2", "4", "MEDIA_ERR_SRC_NOT_SUPPORTED: Format error"),
    ("00000000000000a3", "hls:bufferStalledError", "Playback stalling at @<n> due to low buffer"),
]
QUALITY = """
UPDATE sessions s
SET impression = q.snippet, viewable = q.snippet AND q.u1 < 0.8, exit = q.exit,
    startup_time = CASE WHEN q.exit = 'gave_up' OR q.phase = 'startup' THEN NULL ELSE q.startup END,
    waited = CASE WHEN q.exit = 'gave_up' THEN round((2 + q.u2 * 8)::numeric, 2)::float8 END,
    watch_time = CASE WHEN q.snippet THEN q.startup + s.watched + q.stalls * q.stall ELSE 0 END,
    playing_time = CASE WHEN q.snippet THEN s.watched ELSE 0 END,
    rebuffer_count = CASE WHEN q.snippet THEN q.stalls ELSE 0 END,
    rebuffer_time = CASE WHEN q.snippet THEN q.stalls * q.stall ELSE 0 END,
    error_fingerprint = CASE WHEN q.exit = 'failed'
                             THEN (ARRAY['00000000000000a1', '00000000000000a1', '00000000000000a2',
                                         '00000000000000a3'])[1 + floor(q.u3 * 4)::int] END,
    error_phase = q.phase,
    completed = s.unique_watched >= v.duration - 2,
    quartiles = (CASE WHEN s.unique_watched >= v.duration * 0.25 THEN 1 ELSE 0 END
                 + CASE WHEN s.unique_watched >= v.duration * 0.5 THEN 2 ELSE 0 END
                 + CASE WHEN s.unique_watched >= v.duration * 0.75 THEN 4 ELSE 0 END
                 + CASE WHEN s.unique_watched >= v.duration - 2 THEN 8 ELSE 0 END),
    furthest = s.unique_watched,
    bitrate = CASE WHEN q.snippet AND q.u2 < 0.7
                   THEN (ARRAY[800000, 1500000, 3000000, 6000000])[1 + floor(q.u3 * 4)::int] END
FROM (
    SELECT x.id, x.snippet, x.u1, x.u2, x.u3, x.startup, x.stalls, x.stall,
           CASE WHEN NOT x.snippet THEN NULL WHEN x.u4 < 0.015 THEN 'failed'
                WHEN x.u4 < 0.035 THEN 'gave_up' WHEN x.u4 < 0.5 THEN 'paused' ELSE 'closed' END AS exit,
           CASE WHEN x.snippet AND x.u4 < 0.015 THEN CASE WHEN x.u1 < 0.45 THEN 'startup' ELSE 'playback' END
                END AS phase
    FROM (
        SELECT id, random() < 0.85 AS snippet, random() AS u1, random() AS u2, random() AS u3,
               random() AS u4,
               -- Box-Muller: log-normal around 0.7 s, phones slower.
               round(least(30, exp(ln(CASE WHEN device = 'mobile' THEN 1.1 ELSE 0.7 END)
                                   + 0.55 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())))::numeric,
                     2)::float8 AS startup,
               CASE WHEN random() < 0.1 THEN 1 + floor(random() * 3)::int ELSE 0 END AS stalls,
               round((0.6 + random() * 2.4)::numeric, 2)::float8 AS stall
        FROM sessions
    ) AS x
) AS q, videos v
WHERE q.id = s.id AND v.id = s.video_id
"""
NEVER_PLAYED = """
INSERT INTO sessions (id, started_at, ended_at, key_id, video_id, browser, platform, device,
                      page_host, page_url, segments, watched, unique_watched, final, impression)
SELECT gen_random_uuid(), started_at - interval '1 minute', started_at + interval '1 minute', key_id,
       video_id, browser, platform, device, page_host, page_url, '{}', 0, 0, true, true
FROM sessions WHERE impression AND random() < 0.6
"""


async def seed(connection: asyncpg.Connection, sessions: int = 40_000) -> dict[str, str]:
    """Keys, videos and sessions (once: a database that has them is left as it is)."""
    if await connection.fetchval("SELECT count(*) FROM keys WHERE key = $1", KEYS[0]):
        return {key: key for key in KEYS}
    async with connection.transaction():
        await connection.execute("SELECT setseed(0.42)")
        return await _seed(connection, sessions)


async def _seed(connection: asyncpg.Connection, sessions: int) -> dict[str, str]:
    ids = {}
    for key in KEYS:
        ids[key] = await connection.fetchval("INSERT INTO keys (key) VALUES ($1) RETURNING id", key)
    await connection.execute(
        "CREATE TEMPORARY TABLE weights (id bigint, length float8, host text, path text, upto float8)"
    )
    upto = 0.0
    for key, video, label, length, weight, path in VIDEOS:
        video_id = await connection.fetchval(
            "INSERT INTO videos (key_id, metadata, identifier, duration) "
            "VALUES ($1, $2, $3, $4) RETURNING id",
            ids[key],
            {"id": video},
            label,
            float(length),
        )
        upto += weight
        host = "shop.example.com" if key == "example-shop" else "blog.example.com"
        await connection.execute(
            "INSERT INTO weights VALUES ($1, $2, $3, $4, $5)", video_id, float(length), host, path, upto
        )
        if path.startswith("/products") or path.startswith("/collections"):
            # The same video is also on the home page.
            await connection.execute(
                "INSERT INTO weights VALUES ($1, $2, $3, $4, $5)",
                video_id,
                float(length),
                host,
                "/",
                upto + 3,
            )
            upto += 3
    await connection.execute(SEED, sessions, timeout=None)
    await connection.execute(QUALITY, timeout=None)
    # The ended ones were played through, and ended (not paused or closed).
    await connection.execute(
        "UPDATE sessions SET exit = 'ended' WHERE completed AND exit IN ('paused', 'closed')"
    )
    await connection.execute(NEVER_PLAYED, timeout=None)
    await connection.executemany(
        "INSERT INTO error_groups (key_id, fingerprint, code, message, first_seen, last_seen)"
        " VALUES ($1, $2, $3, $4, now() - interval '120 days', now())",
        [
            (ids[key], fingerprint, code, message)
            for key in KEYS
            for fingerprint, code, message in ERROR_GROUPS
        ],
    )
    await connection.execute(
        """
        INSERT INTO watching_minutes (minute, key_id, video, metadata, identifier, playing)
        SELECT date_trunc('minute', now()) - make_interval(mins => m), v.key_id,
               sha256(convert_to(v.metadata::text, 'UTF8')), v.metadata, v.identifier,
               1 + floor(random() * 4 * (1 + sin(m / 5.0)))::int
        FROM generate_series(1, 30) AS m CROSS JOIN videos v
        WHERE v.key_id = $1 AND v.metadata->>'id' IN ('spring-24', 'pick-shoes')
        ON CONFLICT DO NOTHING
        """,
        ids[KEYS[0]],
    )
    return {key: key for key in KEYS}
