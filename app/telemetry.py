"""Prometheus instruments for the server's own health (served at /metrics)."""

from __future__ import annotations

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily

OPEN_SOCKETS = Gauge("video_metrics_open_sockets", "Websockets open in this process")
OPEN_SESSIONS = Gauge("video_metrics_open_sessions", "Playback sessions open in this process")


class _FramesReceived:
    """Frames received on websockets, counted with a plain integer: a Prometheus counter's
    increment takes a lock, and this is done for every frame; it is read at each scrape."""

    def __init__(self) -> None:
        self.count = 0

    def collect(self) -> list[CounterMetricFamily]:
        family = CounterMetricFamily("video_metrics_events_received", "Frames received on websockets")
        family.add_metric([], self.count)
        return [family]


FRAMES_RECEIVED = _FramesReceived()
REGISTRY.register(FRAMES_RECEIVED)
FRAMES_REJECTED = Counter("video_metrics_frames_rejected_total", "Frames refused, by reason", ["reason"])
SESSIONS_WRITTEN = Counter(
    "video_metrics_sessions_written_total", "Session rows written (final and checkpoints)"
)
WRITE_BATCHES = Histogram(
    "video_metrics_write_batch_seconds",
    "Time to write one batch of sessions",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
WRITE_FAILURES = Counter("video_metrics_write_failures_total", "Batch writes that failed")
QUEUE_DEPTH = Gauge("video_metrics_write_queue_depth", "Session rows waiting to be written")
SESSIONS_OVERFLOWED = Counter(
    "video_metrics_sessions_overflowed_total",
    "Session rows kept on disk because the write queue in memory was full",
)
RETENTION_RUNS = Counter("video_metrics_retention_runs_total", "Runs of the retention job that finished")
RETENTION_FAILURES = Counter(
    "video_metrics_retention_failures_total", "Runs of the retention job that failed (the database away)"
)
RETENTION_DROPPED = Counter(
    "video_metrics_retention_sessions_dropped_total",
    "Sessions dropped for being older than METRICS_RETENTION",
)
RETENTION_LAST_DROPPED = Gauge(
    "video_metrics_retention_last_run_dropped_sessions", "Sessions the last finished retention run dropped"
)
RETENTION_LAST_RUN = Gauge(
    "video_metrics_retention_last_run_timestamp_seconds", "When the last retention run finished (unix time)"
)
STANDBY_LAG = Gauge(
    "video_metrics_standby_lag_seconds",
    "How far the read standby is behind the primary (-1: none configured, or unreachable)",
)
READS_ON_STANDBY = Gauge("video_metrics_reads_on_standby", "1 while API reads go to the standby, else 0")
READS = Counter(
    "video_metrics_api_reads_total", "API reads of stored sessions, by the server asked", ["server"]
)
