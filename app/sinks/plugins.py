"""Sink plugins: found through the entry-point group `video_metrics.sinks`, chosen by name in
`METRICS_SINKS` (an installed plugin does nothing until it is named there)."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from app.config import SINK_NAME as NAME
from app.sinks.interface import Sink

GROUP = "video_metrics.sinks"


class PluginError(Exception):
    """A plugin named in METRICS_SINKS cannot be used; the message says why."""


def installed() -> dict[str, EntryPoint]:
    return {entry.name: entry for entry in entry_points(group=GROUP)}


def load(names: list[str]) -> list[Sink]:
    """The named plugins' sinks, made by calling what each entry point names."""
    found = installed()
    sinks: list[Sink] = []
    for name in names:
        entry = found.get(name)
        if entry is None:
            have = ", ".join(sorted(found)) or "none"
            raise PluginError(f"METRICS_SINKS: no sink plugin {name!r} is installed (installed: {have})")
        try:
            sink = entry.load()()
        except Exception as error:
            raise PluginError(
                f"METRICS_SINKS: the plugin {name!r} ({entry.value}) failed to load: {error}"
            ) from error
        if not isinstance(sink, Sink):
            raise PluginError(f"METRICS_SINKS: {entry.value} gave no sink (a name, start, send and stop)")
        if not isinstance(sink.name, str) or not NAME.fullmatch(sink.name):
            raise PluginError(
                f"METRICS_SINKS: the plugin {name!r} has a sink name {sink.name!r}; use {NAME.pattern}"
            )
        sinks.append(sink)
    return sinks
