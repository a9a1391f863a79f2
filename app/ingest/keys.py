"""Is this API key allowed to record sessions? Asked of the database at every join."""

from __future__ import annotations

import logging
from collections import OrderedDict

import asyncpg

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
        """The key's id when it exists and is not revoked, else None."""
        try:
            found = await self._pool.fetchval(
                "SELECT id FROM keys WHERE key = $1 AND disabled_at IS NULL", key
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
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
