"""The routes, by group: each translates HTTP to the engine and back, and does no work itself.

`create_app` adds the groups in this order, which is also their order in the
OpenAPI document: decisions, the rewrite and its image, assignments, probes,
the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from kassavirta import __version__
from kassavirta.errors import SettingsError
from kassavirta.findings import CheckResult
from kassavirta.report import Report
from kassavirta.server.bodies import Limits, invoice_set, one_invoice
from kassavirta.server.engine import Engine
from kassavirta.server.exchange import (
    Asked,
    ChannelQ,
    CheckQuery,
    IsoDate,
    Rf,
    Today,
    changes,
    decode_xml,
    download_name,
    json_body,
    json_response,
    negotiated,
    refusal,
    rewrite_headers,
    rewriting,
)
from kassavirta.server.models import (
    EventCheck,
    EventVerdict,
    Health,
    LedgerSummary,
    Readiness,
    RewriteOutcome,
    ScheduleOut,
)
from kassavirta.server.openapi import (
    BATCH_BODY,
    ERRORS,
    XML_BODY,
    problem,
    rewriting_responses,
)
from kassavirta.server.problems import ApiError

Route = TypeVar("Route", bound=Callable[..., Any])

__all__ = [
    "PAGE_CSP",
    "PREVIEW_CSP",
    "STATIC_TYPES",
    "add_assignment_routes",
    "add_decision_routes",
    "add_page_routes",
    "add_probe_routes",
    "add_rewrite_routes",
]

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


def add_decision_routes(app: FastAPI, engine: Engine, limits: Limits) -> None:
    """`POST /v1/check` and `POST /v1/check/batch`."""

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
    async def check(request: Request, asked: CheckQuery) -> Response:
        label, data = await one_invoice(request)
        answer = await engine.check_small_inline(len(data), engine.check_answer, data, label, asked)
        return json_body(
            answer.body,
            headers={
                "Kassavirta-Decision": answer.decision,
                "Kassavirta-Invoices": str(answer.invoices),
                "Kassavirta-Today": engine.today(asked.today).isoformat(),
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
    async def check_batch(request: Request, asked: CheckQuery) -> Response:
        found = await invoice_set(request, limits)
        body = await engine.check_on_pool(engine.batch_body, found.items, found.notes, asked)
        return json_body(
            body,
            headers={"Kassavirta-Today": engine.today(asked.today).isoformat()},
        )


def _rewriting_post(
    app: FastAPI,
    path: str,
    summary: str,
    description: str,
    content: dict[str, Any],
    not_acceptable: str,
) -> Callable[[Route], Route]:
    """The decorator of a route that rewrites one invoice and answers in one of `content`'s types."""
    return app.post(
        path,
        tags=["rewrite"],
        summary=summary,
        response_model=None,
        responses=rewriting_responses(description, content, not_acceptable),
        openapi_extra=XML_BODY,
    )


def add_rewrite_routes(app: FastAPI, engine: Engine) -> None:
    """`POST /v1/rewrite` and `POST /v1/preview`."""

    @_rewriting_post(
        app,
        "/v1/rewrite",
        "The invoice as the service will send it",
        "The rewritten file in its own encoding (application/xml), or with `Accept: "
        "application/json` the decision, the field diff, notes and the XML as text.",
        {
            "application/xml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/RewriteOutcome"}},
        },
        "Neither XML nor JSON is acceptable to the client.",
    )
    async def rewrite(
        request: Request,
        today: Today = None,
        channel: ChannelQ = None,
        rf: Rf = False,
    ) -> Response:
        kind = negotiated(request, ["application/xml", "text/xml", "application/json"])
        label, data = await one_invoice(request)
        asked = Asked(today, channel)
        result = await rewriting(engine.submit(engine.rewrite, data, label, asked, rf))
        if not result.routed:
            return refusal(result)
        headers = rewrite_headers(result)
        if kind == "application/json":
            text, encoding = decode_xml(result.data)
            outcome = RewriteOutcome(
                decision=result.decision,
                reasons=list(result.reasons),
                format=result.format,
                rewritten=result.rewritten,
                changes=changes(result),
                notes=list(result.notes),
                xml=text,
                encoding=encoding,
            )
            return json_response(outcome.model_dump(mode="json"), headers=headers)
        headers["Content-Disposition"] = f'attachment; filename="{download_name(label, ".xml")}"'
        return Response(result.data, media_type="application/xml", headers=headers)

    @_rewriting_post(
        app,
        "/v1/preview",
        "The regenerated invoice image: PDF or HTML",
        "The invoice image drawn from the rewritten invoice: application/pdf (the default) "
        "or text/html (one self-contained page).",
        {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "text/html": {"schema": {"type": "string"}},
        },
        "Neither PDF nor HTML is acceptable to the client.",
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
        kind = negotiated(request, ["application/pdf", "text/html"])
        label, data = await one_invoice(request)
        fmt: Literal["pdf", "html"] = "pdf" if kind == "application/pdf" else "html"
        result, image = await rewriting(
            engine.submit(engine.preview, data, label, Asked(today, channel), rf, fmt, compare)
        )
        if image is None:
            return refusal(result)
        headers = rewrite_headers(result)
        if fmt == "pdf":
            headers["Content-Disposition"] = f'inline; filename="{download_name(label, ".pdf")}"'
            return Response(image, media_type="application/pdf", headers=headers)
        headers["Content-Security-Policy"] = PREVIEW_CSP
        return Response(image, media_type="text/html; charset=utf-8", headers=headers)


def add_assignment_routes(app: FastAPI, engine: Engine) -> None:
    """`POST /v1/events/validate`, `GET /v1/schedule` and `GET /v1/ledger/summary`."""

    @app.post(
        "/v1/events/validate",
        tags=["assignments"],
        summary="Would the service accept this event on this assignment?",
        response_model=EventVerdict,
        responses={
            404: problem("No assignment with this id in the ledger."),
            409: problem("The server has no ledger or assignments file to look in."),
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
            notes=list(verdict.notes),
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

    @app.get(
        "/v1/ledger/summary",
        tags=["assignments"],
        summary="The service's comments and the failed deliveries in the ledger",
        response_model=LedgerSummary,
        responses={
            401: ERRORS[401],
            409: problem("The server was started without a ledger (--ledger FILE)."),
            503: problem(
                "The ledger cannot be read now (`ledger-unreachable`), or the request took "
                "longer than the server's time limit (`timeout`)."
            ),
        },
    )
    async def ledger_summary() -> LedgerSummary:
        """What the guide asks the sender to watch: comment events (the counts, and the unseen
        ones), and the open assignments whose delivery FAILED, which must be rerouted before
        their due date or the service closes them. Read from the ledger as it is now."""
        try:
            found = await engine.submit(engine.ledger_summary)
        except SettingsError as exc:
            raise ApiError(503, "ledger-unreachable", str(exc)) from exc
        if found is None:
            raise ApiError(
                409,
                "no-ledger",
                "this server was started without a ledger (--ledger FILE): there are no "
                "comments or deliveries to show",
            )
        return LedgerSummary.model_validate(found)


def add_probe_routes(app: FastAPI, engine: Engine) -> None:
    """`GET /healthz` and `GET /readyz`."""

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
        return json_response(state, status=200 if state["ready"] else 503)


def add_page_routes(app: FastAPI, page: bytes, assets: dict[str, bytes]) -> None:
    """The page at `/` and its script and style at `/static/…`."""

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
