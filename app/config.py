"""Settings, read from the environment (and `serve` flags) once at start-up."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import platformdirs
from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app import zones
from app.ingest.country import check_database
from app.intervals import Interval, parse_interval

# The names sink plugins may have (app/sinks/interface.py says why), and the shortest webhook secret.
SINK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
MIN_SECRET = 16
# A Host header value the MCP endpoint may answer: a name or address, with a port or ":*" (any
# port), bracketed IPv6; or "*" alone for any.
HOST_NAME = re.compile(r"\*|(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?:[0-9]{1,5}|\*))?")


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class SettingsError(Exception):
    """A setting has a bad value; the message names the variable and says what is accepted."""


class Settings(BaseSettings):
    """Every knob of the server. Names are the environment variables of the contract."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, validation_alias=_env("DATABASE_URL"))
    # A streaming standby for the API's reads of stored sessions (app/db/reads.py); may be a
    # multi-host URL with target_session_attrs=prefer-standby.
    database_read_url: str | None = Field(default=None, validation_alias=_env("DATABASE_READ_URL"))
    read_max_lag: float = Field(default=30.0, gt=0, le=86_400, validation_alias=_env("METRICS_READ_MAX_LAG"))
    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir("video-metrics")),
        validation_alias=_env("METRICS_DATA_DIR"),
    )
    host: str = Field(default="127.0.0.1", validation_alias=_env("HOST"))
    port: int = Field(default=3000, ge=0, le=65535, validation_alias=_env("PORT"))
    auth_enabled: bool | None = Field(default=None, validation_alias=_env("METRICS_AUTH_ENABLED"))
    user: str | None = Field(default=None, validation_alias=_env("METRICS_USER"))
    password: str | None = Field(default=None, validation_alias=_env("METRICS_PASSWORD"))
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["*"], validation_alias=_env("METRICS_CORS_ORIGINS")
    )
    retention: Annotated[Interval, NoDecode] = Field(
        default=Interval(months=24), validation_alias=_env("METRICS_RETENTION")
    )

    # Limits on what one client can cost (CONTRACT §6). Each is refused with a reason past its edge.
    max_frame_bytes: int = Field(
        default=16 * 1024, ge=512, le=1024 * 1024, validation_alias=_env("METRICS_MAX_FRAME_BYTES")
    )
    max_sessions_per_socket: int = Field(
        default=32, ge=1, le=10_000, validation_alias=_env("METRICS_MAX_SESSIONS_PER_SOCKET")
    )
    max_events_per_session: int = Field(
        default=10_000, ge=10, le=1_000_000, validation_alias=_env("METRICS_MAX_EVENTS_PER_SESSION")
    )
    max_sockets_per_address: int = Field(
        default=256, ge=1, le=1_000_000, validation_alias=_env("METRICS_MAX_SOCKETS_PER_ADDRESS")
    )
    idle_timeout: float = Field(default=60.0, gt=0, le=3600, validation_alias=_env("METRICS_IDLE_TIMEOUT"))
    # A connection must send its whole first request head (an HTTP request, or a websocket
    # upgrade) within this many seconds, or it is closed: stalled upgrades would hold sockets.
    handshake_timeout: float = Field(
        default=10.0, gt=0, le=300, validation_alias=_env("METRICS_HANDSHAKE_TIMEOUT")
    )
    checkpoint_interval: float = Field(
        default=10.0, gt=0, le=86_400, validation_alias=_env("METRICS_CHECKPOINT_INTERVAL")
    )
    flush_interval: float = Field(default=0.5, gt=0, le=60, validation_alias=_env("METRICS_FLUSH_INTERVAL"))
    # Sessions waiting for the database held in memory (about 1 KB each); past it, on disk.
    write_queue_limit: int = Field(
        default=100_000, ge=1, le=10_000_000, validation_alias=_env("METRICS_WRITE_QUEUE_LIMIT")
    )
    shutdown_flush_seconds: float = Field(
        default=20.0, ge=0, le=600, validation_alias=_env("METRICS_SHUTDOWN_FLUSH_SECONDS")
    )
    log_level: str = Field(default="info", validation_alias=_env("METRICS_LOG_LEVEL"))
    # A MaxMind DB file (GeoLite2 Country, DB-IP Lite, ...) to read each viewer's country from;
    # without one, every country is `unknown` (app/ingest/country.py).
    geoip_database: Path | None = Field(default=None, validation_alias=_env("METRICS_GEOIP_DATABASE"))
    # The API's default time zone (an IANA name) for buckets, look-backs and day words.
    timezone: str = Field(default="UTC", validation_alias=_env("METRICS_TIMEZONE"))
    log_format: str = Field(default="text", validation_alias=_env("METRICS_LOG_FORMAT"))
    # Processes serving the port (`serve --workers N`); each has its own sockets, sessions, writer
    # and files (app/slots.py).
    workers: int = Field(default=1, ge=1, le=64, validation_alias=_env("METRICS_WORKERS"))

    # The assistants' tools over HTTP (app/mcp/http.py): the URL people and assistants reach this
    # server at (the MCP discovery document names <it>/mcp), and the Host headers /mcp answers
    # besides loopback names and that URL's host ("*": any, when a proxy controls Host).
    public_url: str | None = Field(default=None, validation_alias=_env("METRICS_PUBLIC_URL"))
    mcp_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default=[], validation_alias=_env("METRICS_MCP_ALLOWED_HOSTS")
    )

    # Sinks (app/sinks/): each stored session is also sent to these.
    webhook_url: str | None = Field(default=None, validation_alias=_env("METRICS_WEBHOOK_URL"))
    webhook_secret: str | None = Field(default=None, validation_alias=_env("METRICS_WEBHOOK_SECRET"))
    file_sink_path: Path | None = Field(default=None, validation_alias=_env("METRICS_FILE_SINK_PATH"))
    file_sink_max_bytes: int = Field(
        default=100_000_000, ge=1024, le=2**50, validation_alias=_env("METRICS_FILE_SINK_MAX_BYTES")
    )
    file_sink_backups: int = Field(
        default=10, ge=0, le=1000, validation_alias=_env("METRICS_FILE_SINK_BACKUPS")
    )
    sinks: Annotated[list[str], NoDecode] = Field(default=[], validation_alias=_env("METRICS_SINKS"))
    sink_queue_limit: int = Field(
        default=10_000, ge=1, le=10_000_000, validation_alias=_env("METRICS_SINK_QUEUE_LIMIT")
    )
    sink_batch_size: int = Field(
        default=500, ge=1, le=10_000, validation_alias=_env("METRICS_SINK_BATCH_SIZE")
    )
    sink_batch_wait: float = Field(default=1.0, ge=0, le=60, validation_alias=_env("METRICS_SINK_BATCH_WAIT"))
    sink_spill_max_bytes: int = Field(
        default=1024**3, ge=1024, le=2**50, validation_alias=_env("METRICS_SINK_SPILL_MAX_BYTES")
    )
    sink_retry_max_seconds: float = Field(
        default=60.0, ge=0.1, le=3600, validation_alias=_env("METRICS_SINK_RETRY_MAX_SECONDS")
    )
    sink_send_timeout: float = Field(
        default=30.0, gt=0, le=3600, validation_alias=_env("METRICS_SINK_SEND_TIMEOUT")
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("retention", mode="before")
    @classmethod
    def _parse_retention(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_interval(value)
        return value

    @field_validator("geoip_database", mode="before")
    @classmethod
    def _readable_geoip_database(cls, value: object) -> object:
        if value is None or value == "":
            return None
        check_database(Path(str(value)))
        return value

    @field_validator("sinks", mode="before")
    @classmethod
    def _split_sinks(cls, value: object) -> object:
        if isinstance(value, str):
            value = [name.strip() for name in value.split(",") if name.strip()]
        for name in value if isinstance(value, list) else []:
            if not isinstance(name, str) or not SINK_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a sink plugin's name ({SINK_NAME.pattern})")
        return value

    @field_validator("mcp_allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            value = [host.strip() for host in value.split(",") if host.strip()]
        for host in value if isinstance(value, list) else []:
            if not isinstance(host, str) or not HOST_NAME.fullmatch(host):
                raise ValueError(f"{str(host)[:100]!r} is not a host name, host:port, host:* or *")
        return value

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_address(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            parts = urlsplit(value.strip())
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
                raise ValueError(f"{value[:100]!r} is not an http:// or https:// URL without query")
            return value.strip().rstrip("/")
        return value

    @field_validator("webhook_url", "webhook_secret", "file_sink_path", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{value[:100]!r} is not an http:// or https:// URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        levels = ("critical", "error", "warning", "info", "debug")
        if value.lower() not in levels:
            raise ValueError(f"use one of {', '.join(levels)}")
        return value.lower()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return zones.zone_named(value).key

    @property
    def zone(self) -> ZoneInfo:
        return zones.zone_named(self.timezone)

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value.lower() not in ("text", "json"):
            raise ValueError("use text or json")
        return value.lower()

    @model_validator(mode="after")
    def _webhook_signed(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError(
                "METRICS_WEBHOOK_URL is set but METRICS_WEBHOOK_SECRET is not: webhooks are signed"
            )
        if self.webhook_secret is not None and len(self.webhook_secret) < MIN_SECRET:
            raise ValueError(f"METRICS_WEBHOOK_SECRET must be at least {MIN_SECRET} characters")
        return self

    @model_validator(mode="after")
    def _credentials_complete(self) -> Settings:
        if bool(self.user) != bool(self.password):
            raise ValueError("METRICS_USER and METRICS_PASSWORD must be set together")
        if self.auth_enabled and not self.user:
            raise ValueError("METRICS_AUTH_ENABLED is true but METRICS_USER and METRICS_PASSWORD are not set")
        return self

    @property
    def auth_active(self) -> bool:
        """Auth is on when asked for, or by default whenever credentials are configured."""
        if self.auth_enabled is not None:
            return self.auth_enabled
        return bool(self.user and self.password)

    def check_exposure(self) -> None:
        """Refuse a network-facing bind without credentials unless auth was turned off explicitly."""
        if self.auth_active or self.listens_on_loopback or self.auth_enabled is False:
            return
        raise SettingsError(
            f"HOST: refusing to listen on {self.host} with no credentials; set METRICS_USER and "
            "METRICS_PASSWORD, or METRICS_AUTH_ENABLED=false to expose the API without auth"
        )

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def listens_on_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else ""
            lines.append(f"{_variable_name(field)}: {problem['msg']}")
        raise SettingsError("; ".join(lines)) from None


def _variable_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    if info is not None and isinstance(info.validation_alias, AliasChoices):
        first = info.validation_alias.choices[0]
        return str(first)
    return field.upper() or "settings"
