import pytest

from app.config import SettingsError, load_settings
from app.intervals import Interval


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "HOST", "PORT", "METRICS_USER", "METRICS_PASSWORD", "METRICS_RETENTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("METRICS_TIMEZONE", raising=False)
    settings = load_settings()
    assert settings.zone.key == "UTC"
    assert (settings.host, settings.port) == ("127.0.0.1", 3000)
    assert settings.embedded_database
    assert settings.retention == Interval(months=24)
    assert settings.cors_origins == ["*"]
    assert not settings.auth_active


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("METRICS_RETENTION", "2 fortnights"),
        ("METRICS_MAX_FRAME_BYTES", "10"),
        ("METRICS_IDLE_TIMEOUT", "-1"),
        ("METRICS_AUTH_ENABLED", "maybe"),
        ("METRICS_LOG_LEVEL", "loud"),
        ("METRICS_TIMEZONE", "Mars/Olympus"),
        ("METRICS_TIMEZONE", ""),
        ("METRICS_WRITE_QUEUE_LIMIT", "0"),
        ("METRICS_WRITE_QUEUE_LIMIT", "10000001"),
        ("METRICS_WRITE_QUEUE_LIMIT", "lots"),
    ],
)
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=f"^{variable}: "):
        load_settings()


@pytest.mark.parametrize("limit", [1, 10_000_000])
def test_the_write_queue_limit_takes_its_edges(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    monkeypatch.setenv("METRICS_WRITE_QUEUE_LIMIT", str(limit))
    assert load_settings().write_queue_limit == limit


def test_origins_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_CORS_ORIGINS", "https://a.example, https://b.example")
    assert load_settings().cors_origins == ["https://a.example", "https://b.example"]


def test_user_without_password_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_USER", "admin")
    monkeypatch.delenv("METRICS_PASSWORD", raising=False)
    with pytest.raises(SettingsError, match="METRICS_USER and METRICS_PASSWORD"):
        load_settings()


def test_network_bind_without_credentials_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("METRICS_USER", "METRICS_PASSWORD", "METRICS_AUTH_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOST", "0.0.0.0")
    with pytest.raises(SettingsError, match=r"^HOST: refusing to listen on 0\.0\.0\.0"):
        load_settings().check_exposure()
    monkeypatch.setenv("METRICS_AUTH_ENABLED", "false")
    load_settings().check_exposure()  # explicitly without auth: allowed
    monkeypatch.delenv("METRICS_AUTH_ENABLED")
    monkeypatch.setenv("METRICS_USER", "admin")
    monkeypatch.setenv("METRICS_PASSWORD", "s3cret-enough")
    settings = load_settings()
    settings.check_exposure()
    assert settings.auth_active


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.5", "::1", "localhost"])
def test_loopback_binds_need_no_credentials(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    monkeypatch.delenv("METRICS_USER", raising=False)
    monkeypatch.delenv("METRICS_PASSWORD", raising=False)
    monkeypatch.setenv("HOST", host)
    load_settings().check_exposure()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"METRICS_WEBHOOK_URL": "https://hooks.example/x"}, "METRICS_WEBHOOK_SECRET is not"),
        ({"METRICS_WEBHOOK_URL": "ftp://x", "METRICS_WEBHOOK_SECRET": "s" * 16}, "METRICS_WEBHOOK_URL: "),
        ({"METRICS_WEBHOOK_URL": "https://h/", "METRICS_WEBHOOK_SECRET": "short"}, "at least 16 characters"),
        ({"METRICS_SINKS": "Bad Name"}, "METRICS_SINKS: "),
        ({"METRICS_SINK_BATCH_SIZE": "0"}, "METRICS_SINK_BATCH_SIZE: "),
        ({"METRICS_FILE_SINK_MAX_BYTES": "10"}, "METRICS_FILE_SINK_MAX_BYTES: "),
    ],
)
def test_sink_settings_are_checked(
    env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert message in str(caught.value)


def test_sink_settings_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_SINKS", "example, other-one")
    monkeypatch.setenv("METRICS_WEBHOOK_URL", "")
    settings = load_settings()
    assert settings.sinks == ["example", "other-one"]
    assert settings.webhook_url is None


def test_the_time_zone_is_named_canonically(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_TIMEZONE", "asia/kolkata")
    assert load_settings().zone.key == "Asia/Kolkata"
