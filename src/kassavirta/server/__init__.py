"""`kassavirta serve`: the checks over HTTP for ERPs, and a page for people (docs/server.md).

Needs the `server` extra (`pip install '.[server]'` in a checkout:
FastAPI, uvicorn, python-multipart). Nothing outside `kassavirta serve`
imports this package, so `kassavirta check` starts without any of it.
"""

from __future__ import annotations

from kassavirta.server.app import create_app, create_app_from_env
from kassavirta.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app", "create_app_from_env"]
