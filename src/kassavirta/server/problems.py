"""Errors as answers: every status other than 200 carries `{"error": slug, "detail": words}`.

A decision is never an error: an invoice the service refuses is a 200 with
`"decision": "error"`. These are for requests the server cannot answer as
sent, and for the server's own limits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.types import Send

SLUGS: dict[int, str] = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    408: "request-timeout",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "unprocessable",
    500: "internal-error",
    503: "unavailable",
}


class ApiError(HTTPException):
    """A request the server will not answer as sent; `error` is the stable slug.

    An `HTTPException`, so that it passes through FastAPI's own body parsing
    (which turns any other exception into a generic 400) and reaches the
    handler unchanged, even when it is raised while the body streams in.
    """

    def __init__(
        self, status: int, error: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.error = error


def slug_for(status: int) -> str:
    return SLUGS.get(status, "error")


def problem_body(error: str, detail: str) -> bytes:
    return json.dumps(
        {"error": error, "detail": detail}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


async def send_problem(
    send: Send,
    status: int,
    error: str,
    detail: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Answer from a middleware, before the app has started a response."""
    body = problem_body(error, detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
