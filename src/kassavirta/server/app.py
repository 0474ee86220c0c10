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
- `GET /v1/ledger/summary` — the service's comments and the failed deliveries.
- `GET /healthz`, `GET /readyz`, `GET /openapi.json`, and the page at `/`.

The routes (`routes`, by group) only translate HTTP to the core and back:
reading bodies (`bodies`), query values and answers (`exchange`), the limits
(`middleware`), the work (`engine`), the document (`openapi`).
"""

from __future__ import annotations

import gc
import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from kassavirta import __version__
from kassavirta.server.bodies import Limits
from kassavirta.server.budget import BodyBudget
from kassavirta.server.config import ServerConfig
from kassavirta.server.engine import Engine
from kassavirta.server.exchange import json_response
from kassavirta.server.glossary import glossary
from kassavirta.server.logs import SERVER
from kassavirta.server.middleware import (
    AccessLog,
    BearerAuth,
    BodyLimit,
    HostCheck,
    TimeLimit,
)
from kassavirta.server.openapi import install_openapi
from kassavirta.server.problems import slug_for
from kassavirta.server.routes import (
    STATIC_TYPES,
    add_assignment_routes,
    add_decision_routes,
    add_page_routes,
    add_probe_routes,
    add_rewrite_routes,
)

log = logging.getLogger(SERVER)

BUSY_WAIT = 5.0
"""Seconds a request waits for room in the body budget before it is answered 503."""


def _page_assets(token_required: bool, ledger: bool) -> tuple[bytes, dict[str, bytes]]:
    folder = resources.files(__package__) / "static"
    index = (folder / "index.html").read_text(encoding="utf-8")
    # `</` cannot end the script element from inside a JSON string.
    data = json.dumps(
        {**glossary(), "token_required": token_required, "ledger": ledger, "version": __version__},
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
    page, assets = _page_assets(token is not None, config.options.ledger is not None)
    limits = Limits(
        max_bytes=config.max_bytes, max_files=config.max_files, max_unpacked=config.max_unpacked
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if config.own_process:
            # What start-up built (modules, models, schemas, settings) lives as long as the
            # process: out of the collector's sight, a full collection no longer walks it
            # (about 60,000 objects: milliseconds added to whichever request it lands in).
            gc.freeze()
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
                "max_held_bytes": config.held_limit(),
                "check_threads": config.check_threads,
                "timeout": config.timeout,
                "allowed_hosts": None if token else list(config.allowed_hosts),
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
        "messages (ours for sum-mismatch, for which the guide gives none), the invoice as the "
        "service will rewrite it, its image, reminder schedules and event checks. A decision "
        "is data: every decision is a 200. See docs/server.md.",
        lifespan=lifespan,
        docs_url=None,  # the bundled API explorers load their code from a CDN: not offline
        redoc_url=None,
    )
    app.state.engine = engine

    # -- errors --------------------------------------------------------------------------------

    @app.exception_handler(HTTPException)
    async def http_problem(_: Request, exc: HTTPException) -> Response:
        error = getattr(exc, "error", None) or slug_for(exc.status_code)
        return json_response(
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
        return json_response({"error": "bad-request", "detail": "; ".join(words)}, status=400)

    @app.exception_handler(Exception)
    async def internal(_: Request, exc: Exception) -> Response:
        log.error("internal error", exc_info=exc, extra={"event": "internal-error"})
        return json_response(
            {
                "error": "internal-error",
                "detail": f"kassavirta failed on this request: {type(exc).__name__}",
            },
            status=500,
        )

    add_decision_routes(app, engine, limits)
    add_rewrite_routes(app, engine)
    add_assignment_routes(app, engine)
    add_probe_routes(app, engine)
    add_page_routes(app, page, assets)
    install_openapi(app, token)

    # Outermost last: AccessLog(TimeLimit(HostCheck(BearerAuth(BodyLimit(app))))).
    # Half the time limit at most: a request refused for room still gets its 503 in time.
    budget = BodyBudget(config.held_limit(), wait=min(BUSY_WAIT, config.timeout / 2))
    app.state.budget = budget
    app.add_middleware(BodyLimit, max_bytes=config.max_bytes, budget=budget)
    app.add_middleware(BearerAuth, token=token)
    if token is None:
        app.add_middleware(HostCheck, allowed=config.allowed_hosts)
    app.add_middleware(TimeLimit, seconds=config.timeout)
    app.add_middleware(AccessLog)
    return app


def create_app_from_env() -> FastAPI:
    """The factory each `--workers N` process calls: the configuration comes from the environment."""
    return create_app(ServerConfig.from_env())
