"""Is this API key allowed to record sessions? Asked of the database at every join."""

from __future__ import annotations

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

    async def key_id(self, key: str) -> int | None:
        """The key's id when it exists and is not revoked, else None. A text no key can have
        (app/keyrules.py) is invalid without asking; a lookup the database refuses as data is
        invalid too, not an outage, or the client would be told to retry for ever."""
        if not KEY_PATTERN.fullmatch(key):
            return None
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
