"""The OpenAPI document: what each route answers, the bodies it reads, and the models it names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kassavirta.findings import CheckResult
from kassavirta.report import Report
from kassavirta.server.models import Problem, RewriteOutcome, RewriteRefusal

__all__ = ["BATCH_BODY", "ERRORS", "XML_BODY", "install_openapi", "problem", "rewriting_responses"]


def problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem("A malformed request: no invoice, a bad query value, broken multipart."),
    401: problem("The server has an access token and the request does not carry it."),
    408: problem("The request body did not arrive within the time limit."),
    413: problem("The body (or what a zip unpacks to) is over the server's limit."),
    415: problem("A Content-Type this route does not take."),
    503: problem(
        "The request took longer than the server's time limit (`timeout`), or the server "
        "holds as many request bytes as it may and had no room for this body (`busy`): "
        "try again after Retry-After seconds."
    ),
}

ROUTED_ONLY: dict[int | str, dict[str, Any]] = {
    409: {"model": RewriteRefusal, "description": "The invoice would not be routed."},
    422: problem("Routed, but this format cannot be rewritten yet."),
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


def rewriting_responses(
    description: str, content: dict[str, Any], not_acceptable: str
) -> dict[int | str, dict[str, Any]]:
    """The answers of a route that rewrites: the 200 in the types it offers, then the refusals."""
    return {
        200: {"description": description, "content": content},
        406: problem(not_acceptable),
        **ROUTED_ONLY,
        **ERRORS,
    }


def install_openapi(app: FastAPI, token: str | None) -> None:
    """The document with the models the answers refer to, and the bearer scheme when one is set."""

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


def _add_model(components: dict[str, Any], model: Callable[..., Any]) -> None:
    """Put a model (and the models it refers to) into the document's components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")  # type: ignore[attr-defined]
    for name, sub in schema.pop("$defs", {}).items():
        components.setdefault(name, sub)
    components.setdefault(model.__name__, schema)
