"""Where the API's reads go: a streaming standby while it is up and close enough, else the primary.

With `DATABASE_READ_URL` set, the questions the API answers from stored sessions (plays, sources,
engagement, videos, exports) are asked of that server, so a busy dashboard never competes with
the writer. Writes, migrations, keys and live rows stay on the primary: a standby refuses writes,
and live counts live in an unlogged table, which is not replicated.

How far behind the standby is, is measured, not guessed: every process with a standby configured
stamps `replication_heartbeat` on the primary every second, and reads the stamp back from the
standby; now minus that stamp is the lag, whether the primary is busy or idle and whether or not
the standby's receiver is connected. Past `METRICS_READ_MAX_LAG` seconds, or when the standby
cannot be reached, reads go to the primary until it has caught up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

import asyncpg

from app import telemetry
from app.db.pool import create_pool

log = logging.getLogger("video_metrics.db")

STAMP_SECONDS = 1.0

_STAMP = "UPDATE replication_heartbeat SET at = now() WHERE id = 1"
_LAG = "SELECT extract(epoch FROM now() - at)::float8 FROM replication_heartbeat WHERE id = 1"


@dataclass(frozen=True, slots=True)
class StandbyState:
    """What /readyz says of the standby."""

    configured: bool
    reachable: bool = False
    lag_seconds: float | None = None
    serving_reads: bool = False

    def as_json(self) -> dict[str, object]:
        if not self.configured:
            return {"standby": "none"}
        status = "ok" if self.serving_reads else ("behind" if self.reachable else "unreachable")
        return {"standby": status, "standby_lag_seconds": self.lag_seconds, "reads_from": self.reads_from}

    @property
    def reads_from(self) -> str:
        return "standby" if self.serving_reads else "primary"


class Reads:
    """Picks the pool each API read uses; `run` keeps the choice current until cancelled."""

    def __init__(self, primary: asyncpg.Pool, standby_url: str | None, max_lag: float) -> None:
        self._primary = primary
        self._standby_url = standby_url
        self._max_lag = max_lag
        self._standby: asyncpg.Pool | None = None
        self.state = StandbyState(configured=standby_url is not None)
        self._said_unreachable = False

    @property
    def primary(self) -> asyncpg.Pool:
        """For writes, keys and live rows."""
        return self._primary

    def pool(self) -> asyncpg.Pool:
        """For reads of stored sessions: the standby when it serves them, else the primary."""
        if self.state.serving_reads and self._standby is not None:
            telemetry.READS.labels("standby").inc()
            return self._standby
        telemetry.READS.labels("primary").inc()
        return self._primary

    async def run(self) -> None:
        """Stamp the primary and measure the standby every second (nothing without a standby)."""
        if self._standby_url is None:
            return
        try:
            while True:
                await self._check()
                await asyncio.sleep(STAMP_SECONDS)
        finally:
            if self._standby is not None:
                await self._standby.close()

    async def _check(self) -> None:
        with contextlib.suppress(Exception):  # the primary away is the writer's business, not ours
            await self._primary.execute(_STAMP)
        lag: float | None = None
        try:
            if self._standby is None:
                assert self._standby_url is not None
                self._standby = await create_pool(self._standby_url, wait=0.0, max_size=10)
            lag = await self._standby.fetchval(_LAG, timeout=2.0)
        except Exception as error:
            if self.state.reachable or self.state.lag_seconds is None:
                log.warning(
                    "event=standby_unreachable error=%r reads_from=primary",
                    str(error) or type(error).__name__,
                )
            self._set(StandbyState(configured=True))
            return
        serving = lag is not None and lag <= self._max_lag
        if serving != self.state.serving_reads:
            log.warning(
                "event=standby_reads serving=%s lag_seconds=%.1f max=%.1f", serving, lag or -1, self._max_lag
            )
        self._set(StandbyState(configured=True, reachable=True, lag_seconds=lag, serving_reads=serving))

    def _set(self, state: StandbyState) -> None:
        self.state = state
        telemetry.STANDBY_LAG.set(state.lag_seconds if state.lag_seconds is not None else -1)
        telemetry.READS_ON_STANDBY.set(1 if state.serving_reads else 0)
