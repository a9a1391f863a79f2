"""Sink plugins: the example plugin is built as a wheel, installed with pip, discovered through
its entry point and used by a real server; a plugin that is not installed stops the server."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import asyncpg

from app.sinks.plugins import GROUP
from tests.api.sessions import Watch, record_all
from tests.support.server import ServerFactory
from tests.test_cli import run

PLUGIN = Path(__file__).parent / "example_plugin" / "video_metrics_example_sink.py"


def build_wheel(folder: Path) -> Path:
    """The plugin as a wheel, the file pip installs: its module, metadata and entry point."""
    wheel = folder / "video_metrics_example_sink-1.0-py3-none-any.whl"
    info = "video_metrics_example_sink-1.0.dist-info"
    files = {
        PLUGIN.name: PLUGIN.read_text(),
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: video-metrics-example-sink\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": f"[{GROUP}]\nexample = video_metrics_example_sink:ExampleSink\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def install(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target),
         str(build_wheel(tmp_path))],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    return target


async def test_the_example_plugin_is_installed_discovered_and_sent_sessions(
    make_server: ServerFactory, api_key: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    site = install(tmp_path)
    assert (site / "video_metrics_example_sink-1.0.dist-info" / "entry_points.txt").exists()
    out = tmp_path / "example.jsonl"
    server = await asyncio.to_thread(
        make_server(
            METRICS_SINKS="example",
            PYTHONPATH=str(site),
            EXAMPLE_SINK_PATH=str(out),
            METRICS_SINK_BATCH_WAIT="0.1",
        ).start
    )
    kept = await record_all(server, api_key, db, [Watch({"vid": "p1"}, [(0, 3)], 10)])
    refused = await record_all(server, api_key, db, [Watch({"vid": "p2", "refuse": True}, [(0, 3)], 10)])
    await asyncio.to_thread(server.stop)
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert [event["event"] for event in events] == ["started", "batch", "stopped"]
    assert [session["session_id"] for session in events[1]["sessions"]] == [str(kept[0])]
    aside = server.data_dir / "sinks" / "example" / "refused.jsonl"
    [entry] = [json.loads(line) for line in aside.read_text().splitlines()]
    assert entry["reason"] == "the example sink refuses sessions marked refuse"
    assert [session["id"] for session in entry["sessions"]] == [str(refused[0])]
    assert "event=sink_started sink=example" in server.logs()


def test_a_plugin_that_is_not_installed_stops_the_server_with_its_name() -> None:
    result = run("serve", METRICS_SINKS="nope")
    assert result.returncode == 2
    assert "METRICS_SINKS: no sink plugin 'nope' is installed" in result.stderr
