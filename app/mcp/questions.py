"""Where the tools ask their questions: the REST API's own answers (app/api/answers/), on the
server's database, with the parameters parsed by the REST API's own parser.

A tool builds the REST parameters of its question and hands them here; what comes back is the
REST answer, number for number. Everything a caller can get wrong comes back as a `ToolError`
that says what, naming the argument, so the model can correct its call; nothing becomes a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from mcp.server.mcpserver.exceptions import ToolError

from app.api.answers import ANSWERS, Answer
from app.api.params import Endpoint, OutOfReach, ParamError, Reach, parse_params
from app.api.stats import Database
from app.api.stats.seconds import TooManySeconds
from app.db.reads import Reads
from app.mcp.access import current_reach

log = logging.getLogger("video_metrics.mcp")

# Answers from live rows, which only the primary has (an unlogged table), as in app/api/routes.py.
_LIVE = frozenset({Endpoint.WATCHING})
# The REST parameter a tool argument stands for, where the names differ.
_ARGUMENT_OF = {"query": "key/video"}


class Questions:
    """The database the tools read and the defaults they read it with. The database is attached
    when the host has one: the server's pools at its start, or stdio's own pool."""

    def __init__(self, zone: ZoneInfo, reach: Reach) -> None:
        self.zone = zone
        # What a call with no credentials of its own may read: stdio's (every key, or --key),
        # or nothing at all over HTTP, where every call carries a token or Basic credentials.
        self.reach = reach
        self._reads: Reads | None = None
        self._timescale: bool | None = None

    def attach(self, reads: Reads) -> None:
        self._reads = reads

    async def answer(self, endpoint: Endpoint, raw: Mapping[str, Any]) -> Answer:
        """The REST answer of `endpoint` for these parameters, for whoever is asking."""
        if self._reads is None:
            raise ToolError("the server is still starting; try again in a moment")
        try:
            params = parse_params(raw, endpoint, self.zone, current_reach(self.reach))
            pool = self._reads.primary if endpoint in _LIVE else self._reads.pool()
            async with pool.acquire() as connection:
                if self._timescale is None:
                    self._timescale = (await Database.of(connection)).timescale
                db = Database(connection, self._timescale)
                return await ANSWERS[endpoint](db, params, datetime.now(UTC))
        except OutOfReach as refusal:
            raise ToolError(f"{_argument(refusal.parameter)}: {refusal.message}") from None
        except ParamError as problem:
            raise ToolError(f"{_argument(problem.parameter)}: {problem.message}") from None
        except TooManySeconds as too_many:
            raise ToolError(f"ranges: {too_many}; ask for fewer ranges or a shorter timeframe") from None
        except asyncpg.InvalidParameterValueError as problem:
            if "time zone" not in str(problem):
                raise
            raise ToolError("timezone: not known to the database; use another zone") from None
        except asyncpg.QueryCanceledError:
            raise ToolError("the question took too long; ask for a shorter timeframe") from None
        except (OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError) as error:
            log.warning("event=mcp_database_unavailable error=%r", str(error))
            raise ToolError("the database is not reachable right now; try again shortly") from None


def _argument(parameter: str) -> str:
    return _ARGUMENT_OF.get(parameter, parameter)
