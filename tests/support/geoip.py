"""A small GeoIP country file of the tests' own, in the MaxMind DB format that real ones use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmdb_writer import MMDBWriter
from netaddr import IPSet

# Loopback is "Germany", so that a test client on 127.0.0.1 is placed; 10/8 has only a
# registered country (as anycast and satellite networks do); the rest of the world is unknown.
PLACES: dict[str, dict[str, Any]] = {
    "127.0.0.0/8": {"country": {"iso_code": "DE", "names": {"en": "Germany"}}},
    "10.0.0.0/8": {"registered_country": {"iso_code": "fr"}},
    "2001:db8::/32": {"country": {"iso_code": "JP"}},
    "192.0.2.0/24": {"country": {"iso_code": "not a code"}},
}


def write_country_database(path: Path) -> Path:
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-Country")
    for network, record in PLACES.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path
