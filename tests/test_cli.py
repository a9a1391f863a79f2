"""The `video-metrics` command as an operator runs it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.api import keys


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_keys_create_list_revoke(database_url: str) -> None:
    created = run("keys", "create", DATABASE_URL=database_url)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert len(key) == 22  # 16 random bytes, URL-safe base64 without padding

    listed = run("keys", "list", DATABASE_URL=database_url)
    assert any(line.startswith(key + "\t") and line.endswith("active") for line in listed.stdout.splitlines())

    revoked = run("keys", "revoke", key, DATABASE_URL=database_url)
    assert (revoked.returncode, revoked.stdout.strip()) == (0, "Key revoked")
    listed = run("keys", "list", DATABASE_URL=database_url)
    assert any(line.startswith(key + "\t") and "revoked" in line for line in listed.stdout.splitlines())

    again = run("keys", "revoke", key, DATABASE_URL=database_url)
    assert again.returncode == 0  # revoking twice keeps the first revocation, as the API does
    unknown = run("keys", "revoke", "no-such-key", DATABASE_URL=database_url)
    assert unknown.returncode == 1 and "no key 'no-such-key'" in unknown.stderr


def test_custom_key_and_duplicate(database_url: str) -> None:
    key = "custom-" + os.urandom(4).hex()
    assert run("keys", "create", key, DATABASE_URL=database_url).stdout.strip() == key
    duplicate = run("keys", "create", key, DATABASE_URL=database_url)
    assert duplicate.returncode == 1 and "exists already" in duplicate.stderr


def test_keys_that_start_with_a_dash(database_url: str) -> None:
    key = "-dash" + os.urandom(4).hex()
    assert run("keys", "create", key, DATABASE_URL=database_url).stdout.strip() == key
    revoked = run("keys", "revoke", key, DATABASE_URL=database_url)
    assert (revoked.returncode, revoked.stdout.strip()) == (0, "Key revoked"), revoked.stderr


def test_new_keys_never_start_with_a_dash() -> None:
    assert not any(keys.new_key().startswith("-") for _ in range(2000))


def test_a_custom_key_outside_the_rule_is_refused(database_url: str) -> None:
    result = run("keys", "create", "has space", DATABASE_URL=database_url)
    assert result.returncode == 2 and "a key must be" in result.stderr


def test_migrate_reports_current_schema(database_url: str) -> None:
    result = run("migrate", DATABASE_URL=database_url)
    assert (result.returncode, result.stdout.strip()) == (0, "schema is current")


@pytest.mark.parametrize(
    ("env", "message"),
    [({"PORT": "eighty"}, "PORT: "), ({"METRICS_RETENTION": "forever"}, "METRICS_RETENTION: ")],
)
def test_bad_setting_stops_with_its_name(env: dict[str, str], message: str) -> None:
    result = run("serve", **env)
    assert result.returncode == 2
    assert message in result.stderr


def test_network_bind_without_credentials_is_refused() -> None:
    result = run("serve", "--host", "0.0.0.0", METRICS_USER="", METRICS_PASSWORD="")
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0" in result.stderr
