"""Framed Finvoice files in both SOAP envelope namespaces (SPEC §1, issue 14).

A Finvoice file may start with a SOAP/ebXML transmission frame. The operator's
Finvoice 1.x/2.x examples write it in `http://www.w3.org/2001/12/soap-envelope`,
later frames in `http://schemas.xmlsoap.org/soap/envelope/`. Either way the frame
belongs to the invoice after it: it is never a result of its own, it feeds the
channel detection, and `rewrite` / `preview` keep it byte for byte.

`tests/data/frames/` holds our own Finvoice 1.3, 2.01 and 3.0 invoices, each framed
with the 2001/12 envelope; every test runs them in both namespaces. The expected
values below were read from those files by hand.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from helpers import TEST_DATA, TODAY
from kassavirta import check_bytes_all
from kassavirta.config.policy import RunOptions, build_policy
from kassavirta.config.settings import Settings, load_settings
from kassavirta.formats import adapter_for
from kassavirta.model import Channel
from kassavirta.pipeline.read import (
    SOAP_ENV,
    SOAP_ENV_2001,
    frame_intermediators,
    is_frame,
    read_bytes,
)
from kassavirta.rewrite import rewrite_document

FRAMES = TEST_DATA / "frames"
SETTINGS = TEST_DATA / "rewrite" / "settings.json"
NAMESPACES = {"2001-12": SOAP_ENV_2001, "soap-1.1": SOAP_ENV}

FILES = {
    # file: (format, invoice number, VAT-included total, the frame's receiver intermediator)
    "finvoice-1.3-soap-2001.xml": ("finvoice-1.3", "JKS-2026-118", "429.21", "003710948874"),
    "finvoice-2.01-soap-2001.xml": ("finvoice-2.01", "OVP-7731", "2138.52", "OKOYFIHH"),
    "finvoice-3.0-soap-2001.xml": ("finvoice-3.0", "TK-3001240", "489.45", "003710948874"),
}


def framed(name: str, namespace: str) -> bytes:
    """The file with its envelope in `namespace` (the files are written with 2001/12)."""
    data = (FRAMES / name).read_bytes()
    assert data.count(SOAP_ENV_2001.encode()) == 1, name
    return data.replace(SOAP_ENV_2001.encode(), NAMESPACES[namespace].encode())


def frame_end(data: bytes) -> int:
    """Where the frame's bytes end: after `</…:Envelope>`."""
    found = re.search(rb"</[\w.-]+:Envelope>", data)
    assert found is not None
    return found.end()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(SETTINGS)


CASES = [(name, ns) for name in sorted(FILES) for ns in NAMESPACES]


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize(("name", "namespace"), CASES)
def test_the_frame_goes_with_its_invoice(name: str, namespace: str) -> None:
    data = framed(name, namespace)
    [document] = read_bytes(data)
    assert document.part.root.tag == "Finvoice"
    assert document.frame is not None
    assert is_frame(document.frame.root)
    assert document.frame.root.nsmap[document.frame.root.prefix] == NAMESPACES[namespace]
    # The frame is the file's first bytes, up to its end tag; the invoice follows it.
    assert document.frame.start == 0
    assert data[: document.frame.end].rstrip() == data[: frame_end(data)]
    assert document.part.start == document.frame.end
    assert frame_intermediators(document.frame.root) == [FILES[name][3]]


def test_an_envelope_of_another_namespace_is_no_frame() -> None:
    data = framed("finvoice-3.0-soap-2001.xml", "2001-12").replace(
        SOAP_ENV_2001.encode(), b"urn:example:not-soap"
    )
    first, second = read_bytes(data)
    assert not is_frame(first.part.root) and first.frame is None
    assert second.frame is None


# --------------------------------------------------------------------------- check


@pytest.mark.parametrize(("name", "namespace"), CASES)
def test_check_decides_only_the_invoice(name: str, namespace: str, settings: Settings) -> None:
    fmt, number, total, _ = FILES[name]
    results = check_bytes_all(framed(name, namespace), settings, TODAY, path=name)
    assert len(results) == 1
    [result] = results
    assert (result.decision.value, result.reasons, result.format) == ("route", [], fmt)
    assert result.document is None  # one invoice in the file: no position to name
    assert result.invoice is not None
    assert result.invoice.number == number
    assert Decimal(result.invoice.total or "") == Decimal(total)
    assert result.findings == []


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_cli_exit_status_and_summary_count_invoices_not_frames(
    namespace: str, cli: Any, tmp_path: Path
) -> None:
    for name in FILES:
        (tmp_path / name).write_bytes(framed(name, namespace))
    done = cli(
        "check", str(tmp_path), "--settings", str(SETTINGS), "--today", TODAY.isoformat(),
        "--output", "json", "--no-config",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    summary = report["summary"]
    assert (summary["files"], summary["invoices"], summary["route"], summary["invalid"]) == (
        3,
        3,
        3,
        0,
    )
    assert sorted(r["path"] for r in report["results"]) == sorted(str(tmp_path / n) for n in FILES)
    text = cli(
        "check", str(tmp_path / "finvoice-1.3-soap-2001.xml"), "--settings", str(SETTINGS),
        "--today", TODAY.isoformat(), "--no-config",
    )  # fmt: skip
    assert text.returncode == 0, text.stdout + text.stderr
    assert "1 file: 1 route, 0 bypass, 0 error, 0 invalid" in text.stdout


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_a_frame_with_no_invoice_after_it_is_not_an_invoice(
    namespace: str, settings: Settings
) -> None:
    data = framed("finvoice-2.01-soap-2001.xml", namespace)
    frame = data[: frame_end(data)]
    [alone] = check_bytes_all(frame, settings, TODAY)
    assert (alone.decision.value, alone.reasons) == ("invalid", ["not-an-invoice"])
    # Two frames before one invoice: the first has no invoice after it, the second has.
    first, second = check_bytes_all(frame + b"\n" + data, settings, TODAY)
    assert (first.decision.value, first.reasons) == ("invalid", ["not-an-invoice"])
    assert second.decision.value == "route"
    assert second.invoice is not None and second.invoice.number == "OVP-7731"


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_the_frames_receiver_intermediator_is_a_bank_signal(namespace: str) -> None:
    """A consumer invoice whose only bank signal is the frame's BIC intermediator (SPEC §1)."""
    data = framed("finvoice-2.01-soap-2001.xml", namespace)
    for element in ("BuyerPartyIdentifier", "BuyerOrganisationTaxCode"):
        data = re.sub(rb"\s*<%s>[^<]*</%s>" % (element.encode(), element.encode()), b"", data)
    data = re.sub(
        rb"\s*<MessageTransmissionDetails>.*?</MessageTransmissionDetails>", b"", data, flags=re.S
    )
    adapt = adapter_for("finvoice-2.01")
    assert adapt is not None
    [document] = read_bytes(data)
    invoice = adapt(document)
    assert invoice.channel is Channel.B2C_NETBANK
    assert invoice.channel_signals == [
        "buyer has no business identifier",
        "transmission frame's receiver intermediator OKOYFIHH is a BIC",
    ]
    [unframed] = read_bytes(data[frame_end(data) :])
    assert adapt(unframed).channel is Channel.B2C_OTHER


@pytest.mark.parametrize(("name", "namespace"), CASES)
def test_the_invoice_part_is_schema_valid(name: str, namespace: str, schema_dir: Path) -> None:
    policy = build_policy(
        RunOptions(schemas=[schema_dir]), today=TODAY, settings=load_settings(SETTINGS)
    )
    from kassavirta.pipeline.evaluate import Checker

    [result] = Checker(policy).check_bytes(framed(name, namespace), name)
    assert result.schema_check == "valid"
    assert result.decision.value == "route"


# --------------------------------------------------------------------------- rewrite, preview


@pytest.mark.parametrize(("name", "namespace"), CASES)
def test_rewrite_keeps_the_frame_byte_for_byte(
    name: str, namespace: str, settings: Settings
) -> None:
    source = framed(name, namespace)
    invoice_start = source.index(b"<Finvoice")
    result = rewrite_document(
        source, build_policy(RunOptions(), today=TODAY, settings=settings), path=name
    )
    assert result.decision.value == "route" and result.rewritten
    assert result.changes and all(c.xpath.startswith("/Finvoice/") for c in result.changes)
    # The Finvoice's own copy of the routing is kept too.
    routing = re.compile(rb"<MessageTransmissionDetails>.*?</MessageTransmissionDetails>", re.S)
    was, kept = routing.search(source), routing.search(result.data)
    assert was is not None and kept is not None and kept.group() == was.group()
    # The frame, and everything between it and the Finvoice root, is unchanged.
    assert result.data[:invoice_start] == source[:invoice_start]
    [before] = read_bytes(source)
    [after] = read_bytes(result.data)
    assert before.frame is not None and after.frame is not None
    assert (after.frame.start, after.frame.end) == (before.frame.start, before.frame.end)
    assert after.frame.end >= frame_end(source)
    # A second run changes nothing (the frame included).
    again = rewrite_document(
        result.data, build_policy(RunOptions(), today=TODAY, settings=settings), path=name
    )
    assert again.data == result.data


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_the_rewrite_and_preview_commands_accept_framed_files(
    namespace: str, cli: Any, tmp_path: Path
) -> None:
    name = "finvoice-1.3-soap-2001.xml"
    source = tmp_path / name
    source.write_bytes(framed(name, namespace))
    common = ("--settings", str(SETTINGS), "--today", TODAY.isoformat(), "--no-config")
    out = tmp_path / "out.xml"
    done = cli("rewrite", str(source), "-o", str(out), *common)
    assert done.returncode == 0, done.stderr
    data = source.read_bytes()
    assert out.read_bytes()[: data.index(b"<Finvoice")] == data[: data.index(b"<Finvoice")]
    page = tmp_path / "page.html"
    done = cli("preview", str(source), "-o", str(page), *common)
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "JKS-2026-118" in html
    assert "Visma Amili Finland Oy" in html  # the rewritten payee, not the seller's account
