"""The TrueType font embedded in the PDF: DejaVu Sans, found on the machine, never shipped.

DejaVu Sans (Bitstream Vera licence, free to embed) covers every Latin letter an invoice
names a party with, `€` and the dashes. Debian's fonts-dejavu-core installs it (CI
installs that package); Fedora, Arch and most Linux desktops have it too, and
matplotlib carries a copy in its data folder. Where none is found the PDF falls back to
the core font Helvetica, which cannot be embedded: the page still renders, but the file
is not PDF/A (`render_pdf` and `kassavirta preview` say so).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Final

FAMILY: Final = "DejaVu"
FILES: Final[dict[str, str]] = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}
"""fpdf2 style → file name. Regular and bold are needed; fonts-dejavu-core has no oblique,
so italic (the charge lines) falls back to the upright face."""
SYSTEM_DIRS: Final = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
    Path("/Library/Fonts"),
)
ENV: Final = "KASSAVIRTA_FONT_DIR"
"""A folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf, looked at first."""


@dataclass(frozen=True)
class Font:
    """A TrueType family to embed: fpdf2 style → file."""

    family: str
    files: dict[str, Path]


def _candidates() -> list[Path]:
    dirs = [Path(d) for d in (os.environ.get(ENV) or "").split(os.pathsep) if d]
    dirs.extend(SYSTEM_DIRS)
    spec = find_spec("matplotlib")  # located, not imported
    for location in (spec.submodule_search_locations or []) if spec else []:
        dirs.append(Path(location) / "mpl-data" / "fonts" / "ttf")
    return dirs


def font_in(folder: Path) -> Font | None:
    """DejaVu Sans in `folder`, when it has at least the regular and the bold face."""
    found = {style: folder / name for style, name in FILES.items() if (folder / name).is_file()}
    if "" not in found or "B" not in found:
        return None
    found.setdefault("I", found[""])
    found.setdefault("BI", found["B"])
    return Font(FAMILY, found)


@cache
def find_dejavu() -> Font | None:
    """The first folder that has DejaVu Sans, or None (the PDF then uses Helvetica)."""
    for folder in _candidates():
        font = font_in(folder)
        if font is not None:
            return font
    return None
