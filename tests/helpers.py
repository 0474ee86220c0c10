"""Paths, dates and helpers every test module shares (importable: `pythonpath` has tests/).

Fixtures stay in conftest.py; plain values and functions live here so that a
module can use them at import time (in `parametrize` lists, for instance).
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kassavirta.config.settings import Settings
    from kassavirta.model import Invoice
    from kassavirta.rewrite import PartRewrite, Plan, RewriteResult

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED = Path(os.environ.get("KASSAVIRTA_SHARED", ROOT.parent / "shared"))
REFERENCE = SHARED / "reference" / "finvoice"
TODAY = date(2026, 12, 1)
"""The sending date the sample set is written for (samples/kassavirta.toml)."""
TODAY_ISO = TODAY.isoformat()
SAMPLES_TODAY = TODAY
TEST_DATA = ROOT / "tests" / "data"
PINNED_CHECK = ("--settings", str(SAMPLES / "settings.json"), "--today", TODAY_ISO, "--no-config")
"""`kassavirta check` flags for the sample settings and sending date, without any toml."""


def kassavirta_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real console script (as installed), falling back to `python -m`."""
    exe = shutil.which("kassavirta")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "kassavirta.cli", *args]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        cmd, capture_output=True, text=True, cwd=cwd or ROOT, env=full_env, timeout=300
    )


def python_m(
    *args: str,
    module: str = "kassavirta.cli",
    stdin: bytes | None = None,
    cwd: Path = ROOT,
    timeout: float = 300,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`python -m MODULE ARGS` in a child process, its output captured as bytes: the command
    as a user without the console script runs it, fed `stdin` (an invoice piped in).

    A child still running after `timeout` seconds (blocked on a FIFO, reading /dev/zero)
    is killed and fails the test as hung, instead of stopping the run with a traceback.
    """
    import pytest

    try:
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            input=stdin,
            capture_output=True,
            cwd=cwd,
            timeout=timeout,
            preexec_fn=preexec_fn,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`python -m {module} {' '.join(args)}` hung for {timeout:g} s")


def run_on_terminal(
    *args: str, terminal: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[int, str, str]:
    """Run the CLI with `terminal` ("stdout" or "stderr") on a pseudo-terminal, as in a
    person's shell, and the other stream captured: (exit status, the other stream, what the
    terminal showed)."""
    master, slave = pty.openpty()
    other = subprocess.PIPE
    streams = (
        {"stdout": slave, "stderr": other}
        if terminal == "stdout"
        else {"stdout": other, "stderr": slave}
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "kassavirta.cli", *args],
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
        **streams,  # type: ignore[arg-type]
    )
    os.close(slave)
    reader = proc.stdout if terminal == "stderr" else proc.stderr
    assert reader is not None
    captured: list[bytes] = []
    drain = threading.Thread(target=lambda: captured.append(reader.read()), daemon=True)
    drain.start()
    seen = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=600)
    drain.join(timeout=60)
    os.close(master)
    return proc.returncode, b"".join(captured).decode(), seen.decode(errors="replace")


Edit = tuple[str, str, str | None]
"""(xpath, action, value): action is `text`, `remove`, `attr:NAME`, or `append:TAG` (value = text)."""


def make_variant(source: Path | bytes, *edits: Edit) -> bytes:
    """A copy of an invoice with targeted edits, serialised in its own encoding.

    Framed (SOAP) files are not supported here: use single-document samples.
    """
    from lxml import etree

    data = source.read_bytes() if isinstance(source, Path) else source
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.ElementTree(etree.fromstring(data, parser))
    for xpath, action, value in edits:
        found = tree.xpath(xpath)
        assert found, f"no element at {xpath}"
        for element in found:
            if action == "text":
                element.text = value
            elif action == "remove":
                element.getparent().remove(element)
            elif action.startswith("attr:"):
                element.set(action[5:], value or "")
            elif action.startswith("append:"):
                child = etree.SubElement(element, action[7:])
                child.text = value
            else:  # pragma: no cover - a mistake in a test
                raise ValueError(action)
    encoding = tree.docinfo.encoding or "UTF-8"
    return etree.tostring(tree, xml_declaration=True, encoding=encoding)


def imported_ledger(directory: Path, source: Path) -> Path:
    """A ledger in `directory` holding the assignments of the JSON file `source`."""
    from kassavirta.erp.assignments import load_assignments
    from kassavirta.erp.ledger import Ledger

    path = directory / "ledger.sqlite3"
    with Ledger.open(path) as ledger:
        ledger.import_assignments(load_assignments(source))
    return path


# --- the per-format suites (tests/formats/): reading, checking and rewriting one document ---


@dataclass(frozen=True)
class ServiceAccount:
    iban: str
    bic: str
    payee: str


SERVICE = ServiceAccount("FI5515725137790445", "NDEAFIHH", "Visma Amili Finland Oy")
"""The service's payment details in samples/settings.json: what a rewrite writes."""


def adapt_as(source: Path | bytes, format_id: str) -> Invoice:
    """The one document of `source`, detected as `format_id` and read by that format's reader."""
    from kassavirta.formats import adapter_for, detect
    from kassavirta.pipeline.read import read_bytes

    data = source.read_bytes() if isinstance(source, Path) else source
    [document] = read_bytes(data)
    assert detect(document.part.root).format == format_id
    adapter = adapter_for(format_id)
    assert adapter is not None
    return adapter(document)


def fields(invoice: Invoice) -> dict[str, Any]:
    """Every modelled value of `invoice` but where each came from."""
    return invoice.model_dump(exclude={"locations"})


def credit_note_naming(reference: str | None) -> bytes:
    """Our Finvoice 3.0 credit note without `OriginalInvoiceNumber`/`Date`: with `reference`,
    naming the credited invoice only in 3.0's `OriginalInvoiceReference`, else not at all."""
    from lxml import etree

    tree = etree.parse(str(SAMPLES / "route" / "finvoice-3.0-credit-note.xml"))
    details = tree.getroot().find("InvoiceDetails")
    assert details is not None
    for tag in ("OriginalInvoiceNumber", "OriginalInvoiceDate"):
        found = details.find(tag)
        assert found is not None
        details.remove(found)
    if reference is not None:
        block = etree.Element("OriginalInvoiceReference")
        etree.SubElement(block, "InvoiceNumber").text = reference
        invoice_date = details.find("InvoiceDate")
        assert invoice_date is not None
        invoice_date.addnext(block)  # where the 3.0 schema has it
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def rewrite_with(
    data: bytes, settings: Settings, *, rf: bool = False, today: date = TODAY
) -> RewriteResult:
    """`kassavirta rewrite` on `data` under `settings`, sending on `today`."""
    from kassavirta.config.policy import RunOptions, build_policy
    from kassavirta.rewrite import rewrite_document

    return rewrite_document(data, build_policy(RunOptions(), today=today, settings=settings), rf=rf)


def rewrite_directly(
    data: bytes, format_id: str, settings: Settings, *, rf: bool = False, today: date = TODAY
) -> tuple[PartRewrite, Plan]:
    """The format's own rewriter on the one document of `data`, whatever the check decides.

    For a rewriter's facts on a file the check would not route (an operator's example
    with its placeholders, say): the plan is made as `kassavirta rewrite` makes it.
    """
    from kassavirta.pipeline.read import read_bytes
    from kassavirta.rewrite import make_plan, rewriter_for

    [document] = read_bytes(data)
    rewriter = rewriter_for(format_id)
    assert rewriter is not None
    invoice = adapt_as(data, format_id)
    plan, _ = make_plan(invoice, settings, rf=rf, today=today)
    return rewriter(data, document, invoice, plan), plan


MAVENTA_EXAMPLES = SHARED / "reference" / "maventa-examples"
"""The operator's own examples of its formats (../shared/reference/maventa-examples)."""


def operator_example(name: str) -> Path:
    """One of the operator's examples; the calling test skips when ../shared lacks it."""
    import pytest

    path = MAVENTA_EXAMPLES / name
    if not path.is_file():
        pytest.skip(f"../shared/reference/maventa-examples/{name} is not available")
    return path


def changed_lines(before: bytes | str, after: bytes | str) -> tuple[list[int], list[str]]:
    """1-based numbers of the original lines that changed or went, and the lines added."""
    import difflib

    old = (before.decode("utf-8") if isinstance(before, bytes) else before).splitlines()
    new = (after.decode("utf-8") if isinstance(after, bytes) else after).splitlines()
    gone: list[int] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            gone += range(i1 + 1, i2 + 1)
        if tag in ("replace", "insert"):
            added += new[j1:j2]
    return gone, added


def step(name: str) -> str:
    """An XPath step to a child by local name, whatever its namespace."""
    return f"*[local-name()='{name}']"


def local(*names: str) -> str:
    """A namespace-blind XPath through descendants by local name (`//X//Y`)."""
    return "".join(f"//{step(n)}" for n in names)


def party(
    name: str | None,
    business_id: str | None,
    vat_code: str | None,
    streets: list[str],
    town: str | None,
    postcode: str | None,
    country: str | None = "FI",
    *,
    scheme: str | None = None,
) -> dict[str, Any]:
    """A party as `Invoice.model_dump` gives it, with a postal address and no PO box;
    `scheme` is the business ID's (`Party.business_id_scheme`)."""
    return {
        "name": name,
        "business_id": business_id,
        "business_id_scheme": scheme,
        "vat_code": vat_code,
        "address": {
            "streets": streets,
            "town": town,
            "postcode": postcode,
            "country": country,
            "po_box": None,
        },
    }


def row(
    index: int,
    article: str | None = None,
    quantity: str | None = None,
    unit: str | None = None,
    price: str | None = None,
    percent: str | None = None,
    vat: str | None = None,
    net: str | None = None,
    amount: str | None = None,
    *,
    counted: bool = True,
) -> dict[str, Any]:
    """An invoice row as `Invoice.model_dump` gives it; numbers are written as in the file."""
    from decimal import Decimal

    def number(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    return {
        "index": index,
        "article": article,
        "quantity": number(quantity),
        "unit": unit,
        "unit_price": number(price),
        "vat_percent": number(percent),
        "vat_amount": number(vat),
        "vat_excluded": number(net),
        "amount": number(amount),
        "counted": counted,
    }


def charge(
    reason: str | None,
    amount: str | None,
    percent: str | None = None,
    vat: str | None = None,
    *,
    allowance: bool = False,
    with_vat: str | None = None,
) -> dict[str, Any]:
    """A document-level charge (or allowance) as `Invoice.model_dump` gives it."""
    from decimal import Decimal

    def number(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    return {
        "allowance": allowance,
        "reason": reason,
        "amount": number(amount),
        "vat_percent": number(percent),
        "vat_amount": number(vat),
        "amount_with_vat": number(with_vat),
    }


def benchmark_module(name: str) -> ModuleType:
    """`benchmarks/NAME.py` (a script folder, not a package), loaded once per process.

    The generators there make the large and many-document inputs the scale tests use.
    """
    import importlib.util

    key = f"bench_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module  # its dataclasses resolve their annotations there
    spec.loader.exec_module(module)
    return module
