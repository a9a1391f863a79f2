"""The answer of each query endpoint, as a plain function of (database, parameters, now).

Every face shares these: the JSON routes, their CSV rendering (app/api/tables.py), and whatever
else asks the same questions, so that each number is defined and computed once.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime

from app.api.answers.engagement import engagement
from app.api.answers.errors import errors
from app.api.answers.frame import Answer, iso
from app.api.answers.plays import plays, views
from app.api.answers.qoe import qoe
from app.api.answers.sources import sources
from app.api.answers.videos import videos
from app.api.answers.watching import watching
from app.api.params import Endpoint, StatsParams
from app.api.stats import Database

AnswerFunction = Callable[[Database, StatsParams, datetime], Awaitable[Answer]]

ANSWERS: dict[Endpoint, AnswerFunction] = {
    Endpoint.PLAYS: plays,
    Endpoint.VIEWS: views,
    Endpoint.ENGAGEMENT: engagement,
    Endpoint.SOURCES: sources,
    Endpoint.VIDEOS: videos,
    Endpoint.WATCHING: watching,
    Endpoint.QOE: qoe,
    Endpoint.ERRORS: errors,
}

__all__ = [
    "ANSWERS",
    "Answer",
    "AnswerFunction",
    "engagement",
    "errors",
    "iso",
    "plays",
    "qoe",
    "sources",
    "videos",
    "views",
    "watching",
]
