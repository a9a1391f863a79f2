"""The snippet's playback detector driven from Python: inputs in, frames out, through node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

BRIDGE = Path(__file__).with_name("bridge.js")

Input = tuple[str, float, float] | tuple[str, float, float, dict[str, Any]]


class Detector:
    """One node process running static/metrics.js; each `run` is a fresh detector."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            pytest.fail("node is needed to run the snippet's detector (apt-get install nodejs)")
        self._process = subprocess.Popen(
            [node, str(BRIDGE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def run(self, inputs: list[Input], start: float = 0.0, **options: Any) -> Run:
        assert self._process.stdin is not None and self._process.stdout is not None
        request = {"start": start, "options": options, "inputs": [list(step) for step in inputs]}
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        assert "error" not in answer, answer.get("error")
        return Run(answer)

    def normalise(self, messages: list[str]) -> list[str]:
        """The snippet's `normalise` of each message."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps({"normalise": messages}) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        normalised: list[str] = answer["normalised"]
        return normalised

    def close(self) -> None:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.close()
        self._process.wait(10)
        self._process.stdout.close()


class Run:
    """What one detector said: the frames after each input, and its counters at the end."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.outputs: list[list[dict[str, Any]]] = answer["outputs"]
        self.wakes: list[float | None] = answer["wakes"]
        self.summary: dict[str, Any] = answer["summary"]
        self.intent: bool = answer["intent"]

    @property
    def frames(self) -> list[dict[str, Any]]:
        return [frame for step in self.outputs for frame in step]

    def named(self, name: str) -> list[dict[str, Any]]:
        return [frame for frame in self.frames if frame["name"] == name]

    @property
    def states(self) -> list[str]:
        return [frame["state"] for frame in self.named("playback")]
