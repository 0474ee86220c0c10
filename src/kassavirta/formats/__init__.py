"""Format detection and the adapter for each supported format."""

from __future__ import annotations

from typing import cast

from kassavirta.formats.base import Adapter
from kassavirta.formats.detect import FORMAT_NAMES, Detected, detect
from kassavirta.lazy import module_attribute

ADAPTER_MODULES: dict[str, str] = {
    "finvoice-1.3": "finvoice",
    "finvoice-2.0": "finvoice",
    "finvoice-2.01": "finvoice",
    "finvoice-3.0": "finvoice",
    "teappsxml": "teappsxml",
    "peppol-bis-3": "peppol",
    "cii": "cii",
}
"""Format id → the module of this package whose `adapt(document)` reads it."""


def adapter_for(format_id: str) -> Adapter | None:
    """The adapter that reads `format_id` into the normalised model, if one exists.

    Imported on demand, so that a batch of Finvoice files never imports the
    Peppol or CII code. A format whose module is not written yet has none.
    """
    name = ADAPTER_MODULES.get(format_id)
    if name is None:
        return None
    return cast("Adapter | None", module_attribute(__name__, name, "adapt"))


__all__ = ["ADAPTER_MODULES", "FORMAT_NAMES", "Adapter", "Detected", "adapter_for", "detect"]
