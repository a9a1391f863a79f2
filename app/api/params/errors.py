"""The one error a parameter refusal raises, and how a wrong value is named in its message."""

from __future__ import annotations

from typing import Any


class ParamError(ValueError):
    """A parameter is missing, unknown or malformed; `parameter` names it for the answer."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


def kind(value: Any) -> str:
    """How a wrong value is named in an error: its JSON type, and a short excerpt of strings."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        excerpt = value if len(value) <= 40 else value[:40] + "…"
        return f"the text {excerpt!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"
