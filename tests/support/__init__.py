"""Test support: a real server process, a real Phoenix websocket client, a TCP proxy."""
