"""The viewer's country from the operator's GeoIP file: looked up, never kept; without a file,
`unknown`; a bad file stops the server naming the setting."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from app.config import SettingsError, load_settings
from app.ingest.country import Countries
from tests.support.geoip import write_country_database
from tests.support.phoenix import PhoenixSocket, ok, topic
from tests.support.server import ServerFactory
from tests.support.stored import final_sessions


@pytest.fixture(scope="module")
def country_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_country_database(tmp_path_factory.mktemp("geoip") / "countries.mmdb")


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("127.0.0.1", "DE"),
        ("127.255.1.2", "DE"),
        ("10.1.2.3", "FR"),  # only the network's registered country, in lower case in the file
        ("2001:db8::1", "JP"),
        ("192.0.2.7", "unknown"),  # a code that is not one
        ("8.8.8.8", "unknown"),
        ("::1", "unknown"),
        ("testclient", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_an_address_is_placed_or_unknown(country_file: Path, address: str | None, country: str) -> None:
    countries = Countries(country_file)
    assert countries.of(address) == country
    countries.close()


def test_without_a_file_every_country_is_unknown() -> None:
    assert Countries(None).of("127.0.0.1") == "unknown"


def test_a_bad_file_stops_the_server_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^METRICS_GEOIP_DATABASE: .*no file at"):
        load_settings(METRICS_GEOIP_DATABASE=str(tmp_path / "missing.mmdb"))
    garbage = tmp_path / "garbage.mmdb"
    garbage.write_text("not a database")
    with pytest.raises(SettingsError, match=r"^METRICS_GEOIP_DATABASE: .*not a readable MaxMind DB"):
        load_settings(METRICS_GEOIP_DATABASE=str(garbage))
    assert load_settings(METRICS_GEOIP_DATABASE="").geoip_database is None


async def test_a_session_is_stored_with_its_country_and_the_address_nowhere(
    make_server: ServerFactory, db: asyncpg.Connection, api_key: str, country_file: Path
) -> None:
    server = await asyncio.to_thread(make_server(METRICS_GEOIP_DATABASE=str(country_file)).start)
    sock = await PhoenixSocket.open(server.ws_url())
    join_ref, reply = await sock.join(topic(1), api_key, {"vid": "geo"})
    assert ok(reply)
    assert ok(await sock.push(join_ref, topic(1), {"name": "play", "from": 0, "duration": 60}))
    assert ok(await sock.push(join_ref, topic(1), {"name": "pause", "to": 2, "duration": 60}))
    await sock.close()
    [row] = await final_sessions(db, api_key, 1, timeout=10)
    assert row["country"] == "DE"
    await asyncio.to_thread(server.stop)
    assert "127.0.0.1:" not in server.logs().replace(f"127.0.0.1:{server.port}", "")
    stored = await db.fetchrow("SELECT row_to_json(s)::text AS text FROM sessions s WHERE id = $1", row["id"])
    assert stored is not None and "127.0.0.1" not in stored["text"]
