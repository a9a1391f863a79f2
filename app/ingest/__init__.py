"""Ingest: browser websockets → in-memory sessions → batched writes to the database."""
