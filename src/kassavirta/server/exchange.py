"""HTTP in and out for the routes: query values, content negotiation, and the answers they share."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BeforeValidator

from kassavirta.model import Channel
from kassavirta.rewrite import RewriteError, RewriteResult
from kassavirta.server.models import Change, RewriteRefusal
from kassavirta.server.problems import ApiError

__all__ = [
    "Asked",
    "ChannelQ",
    "CheckQuery",
    "IsoDate",
    "Manual",
    "Rf",
    "Today",
    "changes",
    "decode_xml",
    "download_name",
    "json_body",
    "json_bytes",
    "json_response",
    "negotiate",
    "negotiated",
    "refusal",
    "rewrite_headers",
    "rewriting",
]

T = TypeVar("T")

_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_only(value: object) -> object:
    """Only `YYYY-MM-DD`: pydantic would also read `0` as 1970-01-01 (a Unix time)."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("not a date in the form YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_only)]

Today = Annotated[
    IsoDate | None,
    Query(
        description="The sending date, YYYY-MM-DD (default: the server's --today or config, "
        "else today in Europe/Helsinki)."
    ),
]
ChannelQ = Annotated[
    Channel | None,
    Query(description="The delivery channel, instead of reading it from the invoice."),
]
Manual = Annotated[
    bool,
    Query(
        alias="manual_assignment",
        description="The invoice becomes a manual assignment (POST /v1/invoices with "
        "prevent_routing = true): a full address and a due date in the future are required, "
        "nothing is delivered or rewritten (as `kassavirta check --manual-assignment`).",
    ),
]
Rf = Annotated[
    bool, Query(description="Use an RF creditor reference instead of a Finnish national one.")
]


@dataclass(frozen=True, slots=True)
class Asked:
    """What a request asks for beside its files, from its query: built once in the route."""

    today: date | None = None
    """The sending date; None: the server's --today or config, else today in Helsinki."""
    channel: Channel | None = None
    """The delivery channel instead of the invoice's own."""
    manual: bool = False
    """The invoice becomes a manual assignment (`--manual-assignment`)."""


async def _check_query(
    today: Today = None, channel: ChannelQ = None, manual: Manual = False
) -> Asked:
    """The query of both check routes, read once (`async`: FastAPI runs a plain function on a
    thread of its own)."""
    return Asked(today, channel, manual)


CheckQuery = Annotated[Asked, Depends(_check_query)]
"""A check route's query values: `today`, `channel` and `manual_assignment`."""


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client's `Accept` prefers (the first offer on a tie); None if none is acceptable."""
    if not accept or not accept.strip():
        return offers[0]
    ranges: list[tuple[str, float]] = []
    for item in accept.split(","):
        kind, *params = (p.strip() for p in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if kind:
            ranges.append((kind.lower(), quality))

    def score(offer: str) -> tuple[int, float]:
        kind = offer.split("/")[0]
        best = (-1, 0.0)
        for pattern, quality in ranges:
            rank = (
                2
                if pattern == offer
                else 1
                if pattern == f"{kind}/*"
                else 0
                if pattern == "*/*"
                else -1
            )
            if rank > best[0]:
                best = (rank, quality)
        return best

    chosen, best_q = None, 0.0
    for offer in offers:
        rank, quality = score(offer)
        if rank >= 0 and quality > best_q:
            chosen, best_q = offer, quality
    return chosen


def decode_xml(data: bytes) -> tuple[str | None, str | None]:
    """The file as text and the encoding it is written in; None when it is not one text."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "UTF-8", data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "UTF-16", data
    else:
        found = _DECLARATION.match(data[:512])
        encoding, body = (found.group(1).decode("ascii") if found else "UTF-8"), data
    try:
        return body.decode(encoding), encoding
    except (LookupError, UnicodeDecodeError):
        return None, encoding


def download_name(label: str, suffix: str) -> str:
    stem = label.rsplit(".", 1)[0] if label.lower().endswith(".xml") else "invoice"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "invoice"
    return f"{safe}-kassavirta{suffix}"


def json_bytes(data: Any) -> bytes:
    """The compact UTF-8 JSON every answer is written in."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return json_body(json_bytes(data), status, headers)


def json_body(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """An answer whose JSON was already encoded (on the engine's thread)."""
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def changes(result: RewriteResult) -> list[Change]:
    return [Change.model_validate(c.as_dict()) for c in result.changes]


def refusal(result: RewriteResult) -> Response:
    refusal = RewriteRefusal(
        decision=result.decision,
        reasons=list(result.reasons),
        format=result.format,
        findings=[f for r in result.results for f in r.findings],
        results=list(result.results),
    )
    return json_response(
        refusal.model_dump(mode="json"),
        status=409,
        headers={"Kassavirta-Decision": result.decision.value},
    )


def rewrite_headers(result: RewriteResult) -> dict[str, str]:
    return {
        "Kassavirta-Decision": result.decision.value,
        "Kassavirta-Rewritten": "true" if result.rewritten else "false",
    }


async def rewriting(job: Awaitable[T]) -> T:
    """Await a rewrite; one the format cannot take is a 422."""
    try:
        return await job
    except RewriteError as exc:
        raise ApiError(422, "cannot-rewrite", str(exc)) from exc


def negotiated(request: Request, offers: list[str]) -> str:
    """The type to answer in; a 406 when the client accepts none of `offers`."""
    chosen = negotiate(request.headers.get("accept"), offers)
    if chosen is None:
        raise ApiError(406, "not-acceptable", f"this route answers {', '.join(offers)}")
    return chosen
