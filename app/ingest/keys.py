"""Is this API key allowed to record sessions? Asked of the database at every join."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

import asyncpg

from app.db.errors import refuses_data
from app.keyrules import KEY_PATTERN

log = logging.getLogger("video_metrics.keys")


class KeysUnavailable(Exception):
    """The database could not be asked and the key was not seen recently."""


class KeyCheck:
    """Looks each join's key up in the database, so a revocation refuses new joins at once in
    every process. Keys seen valid recently are remembered only to keep recording while the
    database is briefly away."""

    def __init__(self, pool: asyncpg.Pool, remembered: int = 10_000) -> None:
        self._pool = pool
        self._recent: OrderedDict[str, int] = OrderedDict()
        self._remembered = remembered
        self._asking: dict[str, asyncio.Future[int | None]] = {}

    async def key_id(self, key: str) -> int | None:
        """The key's id when it exists and is not revoked, else None. A text no key can have
        (app/keyrules.py) is invalid without asking; a lookup the database refuses as data is
        invalid too, not an outage, or the client would be told to retry for ever.

        Joins of one key that arrive while its lookup is on its way share that lookup's answer:
        when every page of a site reconnects at once (a deploy, a network blip), the database is
        asked a few times, not once per page, and thousands of joins do not each wait for a pool
        connection (whose waiting left memory behind per socket). A revocation is then seen by
        every join that arrives after the lookup in flight at its commit has returned:
        milliseconds later than by a lookup of its own."""
        if not KEY_PATTERN.fullmatch(key):
            return None
        asking = self._asking.get(key)
        if asking is None:
            asking = asyncio.ensure_future(self._look_up(key))
            self._asking[key] = asking
            asking.add_done_callback(lambda _: self._asking.pop(key, None))
        # Shielded: a join given up (its socket closed) must not cancel the others' lookup.
        return await asyncio.shield(asking)

    async def _look_up(self, key: str) -> int | None:
        try:
            found = await self._pool.fetchval(
                "SELECT id FROM keys WHERE key = $1 AND disabled_at IS NULL", key
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            if refuses_data(error):
                log.warning("event=key_refused_by_database error=%r", str(error))
                return None
            if key in self._recent:
                log.warning("event=key_check_from_memory error=%r", str(error))
                return self._recent[key]
            raise KeysUnavailable(str(error)) from error
        if found is None:
            self._recent.pop(key, None)
            return None
        self._recent[key] = int(found)
        self._recent.move_to_end(key)
        if len(self._recent) > self._remembered:
            self._recent.popitem(last=False)
        return int(found)
