"""Per-format modules imported on demand.

Adapters and rewriters for each format live in their own modules and are
imported only when a document of that format turns up, so that a batch of
Finvoice files never loads the Peppol or CII code. A format whose module is
not written yet simply has none.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any


def module_attribute(package: str, module: str, attribute: str) -> Any | None:
    """`package.module.attribute`, or None when that module does not exist."""
    name = f"{package}.{module}"
    found = sys.modules.get(name)  # every document asks for its adapter: no import machinery
    if found is None:
        try:
            found = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                return None
            raise  # the module exists but something it imports is missing: a real error
    return getattr(found, attribute)
