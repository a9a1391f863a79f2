"""An example sink plugin for video-metrics, installed and discovered by the tests.

Its entry point (group `video_metrics.sinks`, name `example`) names `ExampleSink`; the server
calls it with no arguments when `METRICS_SINKS=example`. It appends each batch, as one JSON line,
to the file named by `EXAMPLE_SINK_PATH`, and refuses a batch holding a session whose metadata
says `"refuse": true`, to show how a destination refuses data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# A plugin runs inside the server, so it imports the interface's exception from the server itself.
from app.sinks.interface import Refused


class ExampleSink:
    name = "example"

    def __init__(self) -> None:
        self.path = Path(os.environ["EXAMPLE_SINK_PATH"])
        self.started = False

    async def start(self) -> None:
        self.started = True
        with self.path.open("a") as file:
            file.write(json.dumps({"event": "started"}) + "\n")

    async def send(self, batch: Sequence[Mapping[str, Any]]) -> None:
        if any(session["metadata"].get("refuse") for session in batch):
            raise Refused("the example sink refuses sessions marked refuse")
        with self.path.open("a") as file:
            file.write(json.dumps({"event": "batch", "sessions": list(batch)}) + "\n")

    async def stop(self) -> None:
        with self.path.open("a") as file:
            file.write(json.dumps({"event": "stopped"}) + "\n")
