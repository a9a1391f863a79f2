"""video-metrics: self-hosted, privacy-first analytics for how videos are watched."""

__version__ = "0.1.0"
