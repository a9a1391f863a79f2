"""A plain `pip install .` gives a working server: the wheel carries migrations/ and static/."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_every_migration_and_static_file(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    [wheel] = tmp_path.glob("video_metrics-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("migrations", "static"):
        expected = {
            f"app/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / folder).rglob("*") if p.is_file()
        }
        assert expected, folder
        assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"
