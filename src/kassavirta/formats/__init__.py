"""Formats: the registry of every format, detection, and one folder per format.

`registry.FORMATS` has a row per format; `detect` recognises a document by
those rows; `adapter_for` finds the format's reader in its folder
(`formats/<name>/read.py`), imported on demand.
"""

from __future__ import annotations

from kassavirta.formats.detect import Detected, detect
from kassavirta.formats.registry import Adapter, adapter_for

__all__ = ["Adapter", "Detected", "adapter_for", "detect"]
