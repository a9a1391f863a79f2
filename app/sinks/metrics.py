"""Each sink's own figures at /metrics, labelled with its name."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

QUEUED = Gauge("video_metrics_sink_queued_sessions", "Sessions waiting in memory for a sink", ["sink"])
SPILLED = Gauge("video_metrics_sink_spilled_sessions", "Sessions waiting on disk for a sink", ["sink"])
DELIVERED = Counter(
    "video_metrics_sink_delivered_sessions_total", "Sessions a sink's destination took", ["sink"]
)
FAILURES = Counter("video_metrics_sink_failures_total", "Sends that failed and will be retried", ["sink"])
REFUSED = Counter(
    "video_metrics_sink_refused_sessions_total",
    "Sessions in batches the destination refused as data",
    ["sink"],
)
DROPPED = Counter(
    "video_metrics_sink_dropped_sessions_total",
    "Sessions dropped because the sink's spill was full",
    ["sink"],
)
UP = Gauge("video_metrics_sink_up", "1 while the last send to a sink succeeded, 0 while it fails", ["sink"])
SEND_SECONDS = Histogram(
    "video_metrics_sink_send_seconds",
    "Time to send one batch to a sink (successful sends)",
    ["sink"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
