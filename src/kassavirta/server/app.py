"""The HTTP app: the CLI's decisions for ERPs, and a page for the people who fix invoices.

`create_app(config)` loads everything once (settings, assignments, ledger,
XSDs: `Engine`), then answers:

- `POST /v1/check` — one invoice file → the JSON result `kassavirta check
  --output json` gives for it. 200 for every decision: the decision is data.
- `POST /v1/check/batch` — a multipart set or a zip → the CLI's JSON document.
- `POST /v1/rewrite` — the invoice as the service will send it (XML, or JSON
  with the field diff); 409 with the decision when it would not be routed.
- `POST /v1/preview` — the regenerated invoice image, PDF or HTML by `Accept`.
- `POST /v1/events/validate` — would the service accept this event?
- `GET /v1/schedule` — the reminder schedule for a due date and a buyer.
- `GET /healthz`, `GET /readyz`, `GET /openapi.json`, and the page at `/`.

The routes only translate HTTP to the core and back: reading bodies
(`bodies`), the limits (`middleware`), the work (`engine`).
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from importlib import resources
from typing import Annotated, Any, Literal, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from pydantic import BeforeValidator
from starlette.exceptions import HTTPException

from kassavirta import __version__
from kassavirta.errors import SettingsError
from kassavirta.findings import CheckResult, Decision
from kassavirta.model import Channel
from kassavirta.report import Report
from kassavirta.rewrite import RewriteError, RewriteResult
from kassavirta.server.bodies import Limits, invoice_set, one_invoice
from kassavirta.server.config import ServerConfig
from kassavirta.server.engine import Engine
from kassavirta.server.glossary import glossary
from kassavirta.server.logs import SERVER
from kassavirta.server.middleware import AccessLog, BearerAuth, BodyLimit, TimeLimit
from kassavirta.server.models import (
    Change,
    EventCheck,
    EventVerdict,
    Health,
    Problem,
    Readiness,
    RewriteOutcome,
    RewriteRefusal,
    ScheduleOut,
)
from kassavirta.server.problems import ApiError, slug_for

log = logging.getLogger(SERVER)

T = TypeVar("T")

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-src 'self' blob: data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The page: its own script only. Inline styles are for the preview's own `<style>`,
shown in a sandboxed frame that inherits this policy."""
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"

STATIC_TYPES = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}

_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _problem(status: int, description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _problem(400, "A malformed request: no invoice, a bad query value, broken multipart."),
    401: _problem(401, "The server has an access token and the request does not carry it."),
    408: _problem(408, "The request body did not arrive within the time limit."),
    413: _problem(413, "The body (or what a zip unpacks to) is over the server's limit."),
    415: _problem(415, "A Content-Type this route does not take."),
    503: _problem(503, "The request took longer than the server's time limit."),
}

ROUTED_ONLY: dict[int | str, dict[str, Any]] = {
    409: {"model": RewriteRefusal, "description": "The invoice would not be routed."},
    422: _problem(422, "Routed, but this format cannot be rewritten yet."),
}
"""The answers of a route that rewrites: not routed, or a format it cannot rewrite."""

XML_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "One invoice file as it would be sent, in any encoding: as the raw body "
        "(application/xml; text/xml and application/octet-stream are read the same way), or "
        "as the one file of a multipart/form-data upload.",
        "content": {
            "application/xml": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}

BATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "Several invoice files: multipart/form-data with one file part each (a "
        "part that is a .zip is unpacked in its place), or one zip (application/zip) whose "
        "*.xml members are checked in name order.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "minItems": 1,
                        }
                    },
                    "required": ["files"],
                }
            },
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}

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
Rf = Annotated[
    bool, Query(description="Use an RF creditor reference instead of a Finnish national one.")
]


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


def _download_name(label: str, suffix: str) -> str:
    stem = label.rsplit(".", 1)[0] if label.lower().endswith(".xml") else "invoice"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "invoice"
    return f"{safe}-kassavirta{suffix}"


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _changes(result: RewriteResult) -> list[Change]:
    return [Change.model_validate(c.as_dict()) for c in result.changes]


def _refusal(result: RewriteResult) -> Response:
    refusal = RewriteRefusal(
        decision=result.decision,
        reasons=list(result.reasons),
        format=result.format,
        findings=[f for r in result.results for f in r.findings],
        results=list(result.results),
    )
    return _json(
        refusal.model_dump(mode="json"),
        status=409,
        headers={"Kassavirta-Decision": result.decision.value},
    )


def _rewrite_headers(result: RewriteResult) -> dict[str, str]:
    return {
        "Kassavirta-Decision": result.decision.value,
        "Kassavirta-Rewritten": "true" if result.rewritten else "false",
    }


async def _rewriting(job: Awaitable[T]) -> T:
    """Await a rewrite; one the format cannot take is a 422."""
    try:
        return await job
    except RewriteError as exc:
        raise ApiError(422, "cannot-rewrite", str(exc)) from exc


def _page_assets(token_required: bool) -> tuple[bytes, dict[str, bytes]]:
    folder = resources.files(__package__) / "static"
    index = (folder / "index.html").read_text(encoding="utf-8")
    # `</` cannot end the script element from inside a JSON string.
    data = json.dumps(
        {**glossary(), "token_required": token_required, "version": __version__},
        ensure_ascii=False,
    ).replace("</", "<\\/")
    page = index.replace("__KASSAVIRTA_GLOSSARY__", data).encode("utf-8")
    assets = {name: (folder / name).read_bytes() for name in STATIC_TYPES}
    return page, assets


def create_app(config: ServerConfig | None = None) -> FastAPI:
    """The app, with settings, assignments, ledger and schemas loaded now (errors: `SettingsError`)."""
    config = config or ServerConfig()
    engine = Engine(config)
    token = config.resolved_token()
    page, assets = _page_assets(token is not None)
    limits = Limits(
        max_bytes=config.max_bytes, max_files=config.max_files, max_unpacked=config.max_unpacked
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.info(
            "ready",
            extra={
                "event": "start",
                "pid": os.getpid(),
                "version": __version__,
                "settings": engine.readiness()["settings"],
                "schemas": sorted(engine.schemas),
                "ledger": str(config.options.ledger) if config.options.ledger else None,
                "token": token is not None,
                "max_bytes": config.max_bytes,
                "timeout": config.timeout,
            },
        )
        try:
            yield
        finally:
            engine.close()
            log.info("stopped", extra={"event": "stop"})

    app = FastAPI(
        title="kassavirta-preflight",
        version=__version__,
        summary="What Amili Kassavirta will do with an invoice, before it is sent.",
        description="Decisions (route / bypass / error / invalid) with the service's own "
        "messages, the invoice as the service will rewrite it, its image, reminder schedules "
        "and event checks. A decision is data: every decision is a 200. See docs/server.md.",
        lifespan=lifespan,
        docs_url=None,  # the bundled API explorers load their code from a CDN: not offline
        redoc_url=None,
    )
    app.state.engine = engine

    # -- errors --------------------------------------------------------------------------------

    @app.exception_handler(HTTPException)
    async def http_problem(_: Request, exc: HTTPException) -> Response:
        error = getattr(exc, "error", None) or slug_for(exc.status_code)
        return _json(
            {"error": error, "detail": str(exc.detail)},
            status=exc.status_code,
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> Response:
        words = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()))
            words.append(f"{where}: {err.get('msg', 'invalid')}")
        return _json({"error": "bad-request", "detail": "; ".join(words)}, status=400)

    @app.exception_handler(Exception)
    async def internal(_: Request, exc: Exception) -> Response:
        log.error("internal error", exc_info=exc, extra={"event": "internal-error"})
        return _json(
            {
                "error": "internal-error",
                "detail": f"kassavirta failed on this request: {type(exc).__name__}",
            },
            status=500,
        )

    # -- decisions -----------------------------------------------------------------------------

    @app.post(
        "/v1/check",
        tags=["decisions"],
        summary="The decision for one invoice file",
        response_model=None,
        responses={
            200: {
                "model": CheckResult,
                "description": "The decision, as one result of `kassavirta check --output json`. "
                "A file with several invoices (SOAP frame + invoice pairs) answers with the first "
                "that is not routed, else the first; header Kassavirta-Invoices says how many "
                "the file holds (all of them: /v1/check/batch).",
            },
            **ERRORS,
        },
        openapi_extra=XML_BODY,
    )
    async def check(request: Request, today: Today = None, channel: ChannelQ = None) -> Response:
        label, data = await one_invoice(request)
        results = await engine.submit(engine.check, data, label, today, channel)
        shown = next((r for r in results if r.decision is not Decision.ROUTE), results[0])
        return _json(
            shown.model_dump(mode="json"),
            headers={
                "Kassavirta-Decision": shown.decision.value,
                "Kassavirta-Invoices": str(len(results)),
                "Kassavirta-Today": engine.today(today).isoformat(),
            },
        )

    @app.post(
        "/v1/check/batch",
        tags=["decisions"],
        summary="Decisions for a set of invoice files, as one run",
        response_model=None,
        responses={
            200: {
                "model": Report,
                "description": "The document `kassavirta check --output json` prints. Files are "
                "checked in the order sent (zip members in name order): the later of two "
                "invoices with the same number and date is the duplicate.",
            },
            **ERRORS,
        },
        openapi_extra=BATCH_BODY,
    )
    async def check_batch(
        request: Request, today: Today = None, channel: ChannelQ = None
    ) -> Response:
        found = await invoice_set(request, limits)
        report = await engine.submit(engine.batch, found.items, found.notes, today, channel)
        return _json(
            report.model_dump(mode="json"),
            headers={"Kassavirta-Today": engine.today(today).isoformat()},
        )

    # -- the rewrite and its image -----------------------------------------------------------------

    def _negotiated(request: Request, offers: list[str]) -> str:
        chosen = negotiate(request.headers.get("accept"), offers)
        if chosen is None:
            raise ApiError(406, "not-acceptable", f"this route answers {', '.join(offers)}")
        return chosen

    @app.post(
        "/v1/rewrite",
        tags=["rewrite"],
        summary="The invoice as the service will send it",
        response_model=None,
        responses={
            200: {
                "description": "The rewritten file in its own encoding (application/xml), or "
                "with `Accept: application/json` the decision, the field diff, notes and the XML "
                "as text.",
                "content": {
                    "application/xml": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"$ref": "#/components/schemas/RewriteOutcome"}},
                },
            },
            406: _problem(406, "Neither XML nor JSON is acceptable to the client."),
            **ROUTED_ONLY,
            **ERRORS,
        },
        openapi_extra=XML_BODY,
    )
    async def rewrite(
        request: Request,
        today: Today = None,
        channel: ChannelQ = None,
        rf: Rf = False,
    ) -> Response:
        kind = _negotiated(request, ["application/xml", "text/xml", "application/json"])
        label, data = await one_invoice(request)
        result = await _rewriting(engine.submit(engine.rewrite, data, label, today, channel, rf))
        if not result.routed:
            return _refusal(result)
        headers = _rewrite_headers(result)
        if kind == "application/json":
            text, encoding = decode_xml(result.data)
            outcome = RewriteOutcome(
                decision=result.decision,
                reasons=list(result.reasons),
                format=result.format,
                rewritten=result.rewritten,
                changes=_changes(result),
                notes=list(result.notes),
                xml=text,
                encoding=encoding,
            )
            return _json(outcome.model_dump(mode="json"), headers=headers)
        headers["Content-Disposition"] = f'attachment; filename="{_download_name(label, ".xml")}"'
        return Response(result.data, media_type="application/xml", headers=headers)

    @app.post(
        "/v1/preview",
        tags=["rewrite"],
        summary="The regenerated invoice image: PDF or HTML",
        response_model=None,
        responses={
            200: {
                "description": "The invoice image drawn from the rewritten invoice: "
                "application/pdf (the default) or text/html (one self-contained page).",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            },
            406: _problem(406, "Neither PDF nor HTML is acceptable to the client."),
            **ROUTED_ONLY,
            **ERRORS,
        },
        openapi_extra=XML_BODY,
    )
    async def preview(
        request: Request,
        today: Today = None,
        channel: ChannelQ = None,
        rf: Rf = False,
        compare: Annotated[
            bool,
            Query(description="HTML only: the original and the rewritten values side by side."),
        ] = False,
    ) -> Response:
        kind = _negotiated(request, ["application/pdf", "text/html"])
        label, data = await one_invoice(request)
        fmt: Literal["pdf", "html"] = "pdf" if kind == "application/pdf" else "html"
        result, image = await _rewriting(
            engine.submit(engine.preview, data, label, today, channel, rf, fmt, compare)
        )
        if image is None:
            return _refusal(result)
        headers = _rewrite_headers(result)
        if fmt == "pdf":
            headers["Content-Disposition"] = f'inline; filename="{_download_name(label, ".pdf")}"'
            return Response(image, media_type="application/pdf", headers=headers)
        headers["Content-Security-Policy"] = PREVIEW_CSP
        return Response(image, media_type="text/html; charset=utf-8", headers=headers)

    # -- assignments -----------------------------------------------------------------------------

    @app.post(
        "/v1/events/validate",
        tags=["assignments"],
        summary="Would the service accept this event on this assignment?",
        response_model=EventVerdict,
        responses={
            404: _problem(404, "No assignment with this id in the ledger."),
            409: _problem(409, "The server has no ledger or assignments file to look in."),
            **ERRORS,
        },
    )
    async def events_validate(body: EventCheck) -> EventVerdict:
        if not engine.has_assignments:
            raise ApiError(
                409,
                "no-ledger",
                "this server was started without a ledger (--ledger FILE) or an assignments "
                "file (--assignments FILE): there is no assignment to check the event against",
            )
        try:
            found = await engine.submit(
                engine.validate_event, body.assignment_id, body.event, body.party
            )
        except SettingsError as exc:
            raise ApiError(503, "ledger-unreachable", str(exc)) from exc
        if found is None:
            raise ApiError(
                404, "unknown-assignment", f"no assignment {body.assignment_id!r} is known"
            )
        assignment, verdict = found
        return EventVerdict(
            assignment=assignment.id,
            event=body.event.type,
            party=body.party,
            accepted=verdict.accepted,
            rule=verdict.rule,
            reason=verdict.reason,
        )

    @app.get(
        "/v1/schedule",
        tags=["assignments"],
        summary="The reminder schedule for a due date",
        response_model=ScheduleOut,
        responses=dict(ERRORS),
    )
    async def schedule(
        due_date: Annotated[IsoDate, Query(description="The invoice's due date, YYYY-MM-DD.")],
        business_id: Annotated[
            str | None,
            Query(
                max_length=32,
                description="The buyer's business ID: it makes the buyer a business customer "
                "(B2B) and decides the service level (the VIP, PREMIUM and service_bypass groups "
                "of the settings).",
            ),
        ] = None,
        customer: Annotated[
            Literal["b2b", "b2c"] | None,
            Query(
                description="b2b or b2c, when it is not to follow from business_id (default: "
                "b2b with a business ID, b2c without)."
            ),
        ] = None,
    ) -> ScheduleOut:
        business = customer == "b2b" if customer else bool(business_id and business_id.strip())
        try:
            found = await engine.submit(engine.schedule, due_date, business_id, business)
        except OverflowError as exc:
            raise ApiError(400, "bad-request", "the schedule runs past the calendar") from exc
        return ScheduleOut.model_validate(found.as_dict())

    # -- probes ----------------------------------------------------------------------------------

    @app.get("/healthz", tags=["probes"], summary="The process answers", response_model=Health)
    async def healthz() -> Health:
        return Health(version=__version__)

    @app.get(
        "/readyz",
        tags=["probes"],
        summary="Schemas compiled, ledger reachable",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "Not ready: see `problems`."}},
    )
    async def readyz() -> Response:
        state = await engine.submit(engine.readiness)
        return _json(state, status=200 if state["ready"] else 503)

    # -- the page --------------------------------------------------------------------------------

    page_headers = {
        "Content-Security-Policy": PAGE_CSP,
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-cache",
    }

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=page_headers)

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in assets:
            raise ApiError(404, "not-found", "no such file")
        return Response(assets[name], media_type=STATIC_TYPES[name], headers=page_headers)

    # -- OpenAPI -----------------------------------------------------------------------------------

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (RewriteOutcome, CheckResult, Report):
                _add_model(components, model)
            if token is not None:
                schema["components"]["securitySchemes"] = {
                    "bearer": {"type": "http", "scheme": "bearer"}
                }
                for path, operations in schema["paths"].items():
                    if path.startswith("/v1/"):
                        for operation in operations.values():
                            operation["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    # Outermost last: AccessLog(TimeLimit(BearerAuth(BodyLimit(app)))).
    app.add_middleware(BodyLimit, max_bytes=config.max_bytes)
    app.add_middleware(BearerAuth, token=token)
    app.add_middleware(TimeLimit, seconds=config.timeout)
    app.add_middleware(AccessLog)
    return app


def _add_model(components: dict[str, Any], model: Callable[..., Any]) -> None:
    """Put a model (and the models it refers to) into the document's components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")  # type: ignore[attr-defined]
    for name, sub in schema.pop("$defs", {}).items():
        components.setdefault(name, sub)
    components.setdefault(model.__name__, schema)


def create_app_from_env() -> FastAPI:
    """The factory each `--workers N` process calls: the configuration comes from the environment."""
    return create_app(ServerConfig.from_env())
