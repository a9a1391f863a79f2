"""Where the files the server serves and applies live: `migrations/` and `static/`.

In a checkout (and an editable install) they are beside the `app` package, where the contract
puts them; a wheel carries them inside the package (`app/migrations`, `app/static`), so a plain
`pip install` works too.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    for candidate in (_PACKAGE.parent / name, _PACKAGE / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"{name}/ is neither beside nor inside {_PACKAGE}: a broken install")
