"""Sinks: each session the writer stores is also sent on (a webhook, a JSON Lines file, plugins)."""
