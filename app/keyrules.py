"""What an API key may look like: one rule for the websocket, the REST API and the CLI."""

from __future__ import annotations

import re

# Keys travel in page source, query strings and URL paths: printable ASCII, the characters of
# both base64 alphabets and a few more.
KEY_PATTERN = re.compile(r"[A-Za-z0-9+/=._~-]{1,128}", re.ASCII)
KEY_RULE = "1 to 128 letters, digits or +/=._~-"
