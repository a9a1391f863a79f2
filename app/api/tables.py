"""Answers as CSV: exactly the numbers of the JSON answer, one header row, breakdowns as columns.

A face, not a definition: it takes the answer dict an endpoint computed (app/api/answers/) and
lays it out as a table, written and sent in chunks as the response streams, so that the answer is
held once and its CSV text never whole. Numbers are printed as the JSON answer prints them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import StreamingResponse

from app import zones
from app.api.answers import Answer
from app.api.categories import BROWSERS, DEVICES, PLATFORMS
from app.api.params import UNKNOWN_COUNTRY, Endpoint, StatsParams
from app.api.stats.qoe import NAMES as QOE_FIGURES

MEDIA_TYPE = "text/csv; charset=utf-8"
# Rows written per chunk of the response.
CHUNK_ROWS = 500
# Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice): page
# labels come from pages anyone can load, and the file is opened on the site owner's machine.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

Row = list[object]


def wants_csv(request: Request) -> bool:
    """Whether the Accept header prefers text/csv to JSON (JSON on a tie, and by default)."""
    preference = {"text/csv": 0.0, "application/json": 0.0}
    for item in request.headers.get("accept", "").split(","):
        media, _, rest = item.strip().partition(";")
        media = media.strip().lower()
        if media not in preference:
            continue
        quality = 1.0
        for parameter in rest.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        preference[media] = max(preference[media], quality)
    return preference["text/csv"] > preference["application/json"]


def csv_response(endpoint: Endpoint, params: StatsParams, answer: Answer) -> StreamingResponse:
    header, rows = table(endpoint, answer)
    disposition = f'attachment; filename="{filename(endpoint, params, answer)}"'
    return StreamingResponse(
        _chunks(header, rows), media_type=MEDIA_TYPE, headers={"Content-Disposition": disposition}
    )


def table(endpoint: Endpoint, answer: Answer) -> tuple[list[str], Iterator[Row]]:
    """The header and rows of an answer. With a comparison, a first column `period` says which
    period a row is of (`main` or `compare`), the main period's rows first."""
    parts = [answer] if "compare" not in answer else [answer, answer["compare"]]
    countries = _countries(parts) if endpoint in (Endpoint.PLAYS, Endpoint.VIEWS) else []
    header, _ = _layout(endpoint, answer, countries)
    if "compare" not in answer:
        return header, _layout(endpoint, answer, countries)[1]

    def both() -> Iterator[Row]:
        for label, part in (("main", answer), ("compare", answer["compare"])):
            for row in _layout(endpoint, part, countries)[1]:
                yield [label, *row]

    return ["period", *header], both()


def _countries(parts: list[Answer]) -> list[str]:
    """Every country any bucket of the answer counts plays from: the placed ones by their code,
    then `unknown`. A column each, so that the header is known before the first row."""
    found = {country for part in parts for bucket in part["views"] for country in bucket["country"]}
    return sorted(found - {UNKNOWN_COUNTRY}) + ([UNKNOWN_COUNTRY] if UNKNOWN_COUNTRY in found else [])


def _layout(endpoint: Endpoint, part: Answer, countries: list[str]) -> tuple[list[str], Iterator[Row]]:
    if endpoint in (Endpoint.PLAYS, Endpoint.VIEWS):
        return _plays(endpoint, part, countries)
    if endpoint is Endpoint.QOE:
        return _qoe(part)
    if endpoint is Endpoint.ERRORS:
        columns = ["fingerprint", "code", "message", "sessions", "first_seen", "last_seen"]
        return columns + [f"browser_{value}" for value in BROWSERS], (
            [*(group[name] for name in columns), *(group["browser"][value] for value in BROWSERS)]
            for group in part["errors"]
        )
    if endpoint is Endpoint.SOURCES:
        columns = ["interval", "path", "host", "views"]
        return columns, ([row[name] for name in columns] for row in part["sources"])
    if endpoint is Endpoint.ENGAGEMENT:
        return _engagement(part)
    if endpoint is Endpoint.VIDEOS:
        columns = [
            "identifier", "metadata", "duration", "plays", "total_view_time", "average_view_time",
            "average_percent_watched",
        ]  # fmt: skip
        return columns, ([video[name] for name in columns] for video in part["videos"])
    return _watching(part)


def _plays(endpoint: Endpoint, part: Answer, countries: list[str]) -> tuple[list[str], Iterator[Row]]:
    device = "device_type" if endpoint is Endpoint.PLAYS else "device"
    breakdowns = [("browser", BROWSERS), (device, DEVICES), ("platform", PLATFORMS)]
    columns = ["interval", "views", "total_view_time", "unique_total_view_time"]
    # Issue 10's columns after the ones CSV readers already know, in the order of the JSON.
    later = ["impressions", "play_rate", "completions", "completion_rate"]
    header = columns + [f"{name}_{value}" for name, values in breakdowns for value in values]
    header += later + [f"country_{country}" for country in countries]

    def rows() -> Iterator[Row]:
        for bucket in part["views"]:
            counts = [bucket[name][value] for name, values in breakdowns for value in values]
            placed = [bucket["country"].get(country, 0) for country in countries]
            yield [*(bucket[name] for name in columns), *counts, *(bucket[name] for name in later), *placed]

    return header, rows()


def _qoe(part: Answer) -> tuple[list[str], Iterator[Row]]:
    """A row per bucket: its figures, then each figure of each browser, device and platform."""
    splits = [("browser", BROWSERS), ("device_type", DEVICES), ("platform", PLATFORMS)]
    header = ["interval", *QOE_FIGURES]
    header += [
        f"{name}_{value}_{figure}" for name, values in splits for value in values for figure in QOE_FIGURES
    ]

    def rows() -> Iterator[Row]:
        for bucket in part["qoe"]:
            split = [
                bucket[name][value][figure]
                for name, values in splits
                for value in values
                for figure in QOE_FIGURES
            ]
            yield [bucket["interval"], *(bucket[figure] for figure in QOE_FIGURES), *split]

    return header, rows()


def _engagement(part: Answer) -> tuple[list[str], Iterator[Row]]:
    items = part["engagement"]
    if items and "per_second" in items[0]:
        return ["interval", "second", "views"], (
            [bucket["interval"], second["second"], second["views"]]
            for bucket in items
            for second in bucket["per_second"]
        )
    return ["range", "range_from", "range_to", "viewers", "rewatches", "retention"], (
        [
            r["range"],
            r["range_time"]["from"],
            r["range_time"]["to"],
            r["viewers"],
            r["rewatches"],
            r["retention"],
        ]
        for r in items
    )


def _watching(part: Answer) -> tuple[list[str], Iterator[Row]]:
    if "minutes" in part:
        return ["minute", "watching"], ([m["minute"], m["watching"]] for m in part["minutes"])
    if "videos" in part:
        return ["identifier", "metadata", "watching"], (
            [v["identifier"], v["metadata"], v["watching"]] for v in part["videos"]
        )
    if "pages" in part:
        return ["path", "host", "watching"], ([p["path"], p["host"], p["watching"]] for p in part["pages"])
    return ["watching"], iter([[part["watching"]]])


async def _chunks(header: list[str], rows: Iterator[Row]) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for written, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if written % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def cell(value: Any) -> str:
    """A value as the JSON answer prints it; null is an empty cell, an object its JSON text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def filename(endpoint: Endpoint, params: StatsParams, answer: Answer) -> str:
    """`video-metrics_<endpoint>_<scope>_<from>_<to>_<zone>.csv`, times on the zone's clock."""
    videos = params.videos
    scope = []
    if videos.key is not None:
        scope.append(f"key-{_safe(videos.key)}")
    if videos.video is not None:
        scope.append("video-" + _safe(json.dumps(videos.video, separators=(",", ":"), sort_keys=True)))
    if videos.identifier is not None:
        scope.append(f"identifier-{_safe(videos.identifier)}")
    scope += [f"{column.replace('_url', '')}-{_safe(value)}" for column, value in params.filters.columns()]
    parts = [endpoint.value, *(part[:60] for part in scope or ["all"])]
    frame = answer.get("timeframe")
    if isinstance(frame, dict):
        parts += [_wall(frame["from"], params), "to", _wall(frame["to"], params)]
    else:
        parts.append("now")
    parts.append(_safe(params.timezone.key))
    return ("video-metrics_" + "_".join(parts))[:200] + ".csv"


def _wall(text: str, params: StatsParams) -> str:
    moment = datetime.fromisoformat(text)
    try:
        moment = zones.local(moment, params.timezone)
    except OverflowError:  # the zone's clock is past the year 9999 there: name it in UTC
        return moment.strftime("%Y-%m-%dT%H%M%SZ")
    return moment.strftime("%Y-%m-%dT%H%M%S")


def _safe(text: str) -> str:
    return _UNSAFE_NAME.sub("-", text).strip("-") or "-"
