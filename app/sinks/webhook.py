"""The webhook sink: POSTs each batch as JSON to `METRICS_WEBHOOK_URL`, signed with
`METRICS_WEBHOOK_SECRET`.

The body is `{"timestamp": <unix seconds>, "batch_id": "<uuid>", "sessions": [...]}` and the
header `X-Video-Metrics-Signature: sha256=<hex>` is the HMAC-SHA256 of the exact body bytes under
the secret. The timestamp is inside what is signed, and renewed at every attempt, so a receiver
that refuses bodies older than a few minutes cannot be fed a captured request again. `batch_id`
is derived from the sessions it holds, so a retried batch keeps it.

Answers: 2xx is delivered; 400, 413, 415 and 422 say the batch itself is refused (it is set aside
with the answer as its reason); anything else (5xx, 408, 429, 401, 404, a redirect, no answer) is
a failure the batch is retried after: a wrong URL or secret is fixed by the operator, not by
throwing sessions away.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Sequence

import httpx
import orjson

from app import __version__
from app.sinks.interface import Refused, Session

REFUSED_AS_DATA = frozenset({400, 413, 415, 422})
SIGNATURE_HEADER = "X-Video-Metrics-Signature"
_BATCH_NAMESPACE = uuid.UUID("3f7c5d0e-8a41-4b6f-9e2d-5c1a7b9e0f42")


class WebhookFailed(Exception):
    """The receiver did not take the batch, and may later: it is sent again."""


def signature(secret: str, body: bytes) -> str:
    """The header's value for a body: what a receiver computes to check it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSink:
    name = "webhook"

    def __init__(self, url: str, secret: str, timeout: float = 10.0) -> None:
        self._url = url
        self._secret = secret
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._client = httpx.AsyncClient(
            timeout=self._timeout,
            follow_redirects=False,
            headers={"User-Agent": f"video-metrics/{__version__}", "Content-Type": "application/json"},
        )

    async def send(self, batch: Sequence[Session]) -> None:
        assert self._client is not None, "start() first"
        ids = ",".join(str(session["session_id"]) for session in batch)
        body = orjson.dumps(
            {
                "timestamp": int(time.time()),
                "batch_id": str(uuid.uuid5(_BATCH_NAMESPACE, ids)),
                "sessions": list(batch),
            }
        )
        response = await self._client.post(
            self._url, content=body, headers={SIGNATURE_HEADER: signature(self._secret, body)}
        )
        if response.is_success:
            return
        text = response.text[:300].strip()
        answer = f"HTTP {response.status_code}" + (f": {text}" if text else "")
        if response.status_code in REFUSED_AS_DATA:
            raise Refused(answer)
        raise WebhookFailed(answer)

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
