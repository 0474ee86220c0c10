"""A regular install compiles the modules a check spends most of its Python time in.

`pip install .` (a wheel) compiles them with mypyc when a C compiler and Python's
headers are there, and installs them pure otherwise; an editable install
(`pip install -e .`) never compiles, so that an edited module is the one that runs.
`KASSAVIRTA_PURE=1` installs pure in any case. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import Any

from setuptools import setup  # type: ignore[import-untyped]

COMPILED = [
    "src/kassavirta/formats/xml.py",
    "src/kassavirta/formats/finvoice/read.py",
    "src/kassavirta/rewrite/scan.py",
]
"""The reading of every format (`formats.xml`) and of Finvoice: half of a check's Python time;
and the rewrite's scan of the text, most of a long invoice's rewrite."""

_BUILDS = ("bdist_wheel", "build", "build_ext", "install")
"""Commands that build the package; metadata and editable builds (`editable_wheel`) do not."""


def _compiled() -> list[Any]:
    if os.environ.get("KASSAVIRTA_PURE") == "1" or not any(c in sys.argv for c in _BUILDS):
        return []
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    headers = Path(sysconfig.get_paths()["include"], "Python.h")
    if compiler is None or not headers.is_file():
        print(
            "kassavirta: no C compiler or Python headers: installing pure Python", file=sys.stderr
        )
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("kassavirta: mypyc is not available: installing pure Python", file=sys.stderr)
        return []
    # setuptools copies build/lib into the wheel whole: a module taken off COMPILED must not
    # ship its old compiled form (which Python would import before the source) beside it.
    for stale in Path("build").glob("lib*"):
        shutil.rmtree(stale, ignore_errors=True)
    # Only these modules are type-checked here: what they import is read, not judged
    # (pydantic and the like are not in the build environment).
    modules: list[Any] = mypycify(["--follow-imports=silent", *COMPILED], opt_level="3")
    return modules


setup(ext_modules=_compiled())
