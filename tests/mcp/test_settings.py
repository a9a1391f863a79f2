"""METRICS_PUBLIC_URL and METRICS_MCP_ALLOWED_HOSTS: read, checked, and what /mcp makes of them."""

from __future__ import annotations

import pytest

from app.config import SettingsError, load_settings
from app.mcp.http import public_url, transport_security


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("METRICS_PUBLIC_URL", "metrics.example.com"),
        ("METRICS_PUBLIC_URL", "ftp://metrics.example.com"),
        ("METRICS_PUBLIC_URL", "https://metrics.example.com/?x=1"),
        ("METRICS_MCP_ALLOWED_HOSTS", "metrics.example.com/path"),
        ("METRICS_MCP_ALLOWED_HOSTS", "a.example, b example"),
        ("METRICS_MCP_ALLOWED_HOSTS", "host:port"),
    ],
)
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=f"^{variable}: "):
        load_settings()


def test_defaults_answer_loopback_and_the_listen_address(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("METRICS_PUBLIC_URL", "METRICS_MCP_ALLOWED_HOSTS", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert public_url(settings) == "http://127.0.0.1:3000"
    security = transport_security(settings)
    assert security.enable_dns_rebinding_protection
    assert {"127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1:3000"} <= set(security.allowed_hosts)
    assert "http://localhost:*" in security.allowed_origins


def test_a_deployment_behind_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_PUBLIC_URL", "https://metrics.example.com/")
    monkeypatch.setenv("METRICS_MCP_ALLOWED_HOSTS", "metrics.internal:8443, [2001:db8::1], 10.0.0.5:*")
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("METRICS_AUTH_ENABLED", "false")
    settings = load_settings()
    assert public_url(settings) == "https://metrics.example.com"
    hosts = transport_security(settings).allowed_hosts
    for host in ("metrics.example.com", "metrics.example.com:*", "metrics.internal:8443", "[2001:db8::1]:*"):
        assert host in hosts
    assert "10.0.0.5:*" in hosts and "metrics.internal:*" not in hosts and "0.0.0.0:*" not in hosts
    assert "https://metrics.example.com" in transport_security(settings).allowed_origins


def test_a_star_turns_the_check_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_MCP_ALLOWED_HOSTS", "*")
    assert not transport_security(load_settings()).enable_dns_rebinding_protection
