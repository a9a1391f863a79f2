"""Settings, read from the environment (and `serve` flags) once at start-up."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.ingest.country import check_database
from app.intervals import Interval, parse_interval


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class SettingsError(Exception):
    """A setting has a bad value; the message names the variable and says what is accepted."""


class Settings(BaseSettings):
    """Every knob of the server. Names are the environment variables of the contract."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, validation_alias=_env("DATABASE_URL"))
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

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        levels = ("critical", "error", "warning", "info", "debug")
        if value.lower() not in levels:
            raise ValueError(f"use one of {', '.join(levels)}")
        return value.lower()

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
