"""The viewer's country, read once per socket from its address with the operator's GeoIP file.

Optional: with no file (METRICS_GEOIP_DATABASE unset) every session's country is `unknown`. The
address is looked up and forgotten here: it is never stored, logged or handed on, only the two
letters of the country (ISO 3166-1 alpha-2). Any MaxMind DB file with a `country.iso_code`
(GeoLite2 Country or City, DB-IP Lite, ...) will do; it is memory-mapped and read by MaxMind's own
reader, so a lookup costs microseconds and nothing of the file is copied per socket.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import maxminddb

UNKNOWN = "unknown"
_CODE = re.compile(r"[A-Z]{2}")


class Countries:
    """Address → country, or `unknown` for any address the file does not place."""

    def __init__(self, path: Path | None) -> None:
        self._reader = None if path is None else maxminddb.open_database(str(path))

    def of(self, address: str | None) -> str:
        if self._reader is None or not address:
            return UNKNOWN
        try:
            record: Any = self._reader.get(address)
        except ValueError:  # not an IP address (a test client's "testclient", a unix socket)
            return UNKNOWN
        return country_code(record)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()


def country_code(record: Any) -> str:
    """The country of a record: where the address is, else where its network is registered."""
    if not isinstance(record, dict):
        return UNKNOWN
    for name in ("country", "registered_country"):
        place = record.get(name)
        code = place.get("iso_code") if isinstance(place, dict) else None
        if isinstance(code, str) and _CODE.fullmatch(code.upper()):
            return code.upper()
    return UNKNOWN


def check_database(path: Path) -> None:
    """Raise ValueError naming what is wrong when `path` is not a readable MaxMind DB file."""
    try:
        maxminddb.open_database(str(path)).close()
    except FileNotFoundError:
        raise ValueError(f"no file at {path}") from None
    except (OSError, maxminddb.InvalidDatabaseError) as error:
        raise ValueError(f"{path} is not a readable MaxMind DB (.mmdb) file: {error}") from None
