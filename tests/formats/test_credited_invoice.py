"""The invoice a credit note credits, read where each format carries it (`Invoice.credited_invoice`).

`kassavirta event credit-note` puts the `credit_note` event on that invoice's
assignment, so a reader that misses the reference leaves the pair unwritten.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import REFERENCE, SAMPLES, TEST_DATA, adapt_as, credit_note_naming

FINVOICE_CREDIT_NOTE = SAMPLES / "route" / "finvoice-3.0-credit-note.xml"


@pytest.mark.parametrize(
    ("source", "format_id", "credited", "line"),
    [
        (FINVOICE_CREDIT_NOTE, "finvoice-3.0", "2026-4101", 68),
        (SAMPLES / "route" / "peppol-bis-3-credit-note.xml", "peppol-bis-3", "HLP-2026-0311", 16),
        (TEST_DATA / "formats" / "cii-credit-note.xml", "cii", "KKP-26-1207", 127),
        (TEST_DATA / "formats" / "teappsxml-credit-note.xml", "teappsxml", "660217", 35),
    ],
)
def test_credit_notes_name_the_invoice_they_credit(
    source: Path, format_id: str, credited: str, line: int
) -> None:
    invoice = adapt_as(source, format_id)
    assert invoice.is_credit_note
    assert invoice.credited_invoice == credited
    assert invoice.locations["credited_invoice"].line == line


@pytest.mark.parametrize(
    ("name", "format_id"),
    [
        ("finvoice-3.0.xml", "finvoice-3.0"),
        ("peppol-bis-3.xml", "peppol-bis-3"),
        ("cii.xml", "cii"),
        ("teappsxml.xml", "teappsxml"),
        ("liinos.xml", "liinos"),
        ("s-edi-3.0.xml", "s-edi-3.0"),
        ("maventa-xml-1.0.xml", "maventa-xml-1.0"),
    ],
)
def test_invoices_credit_nothing(name: str, format_id: str) -> None:
    assert adapt_as(SAMPLES / "route" / name, format_id).credited_invoice is None


def test_finvoice_30_reference_block_when_there_is_no_original_number() -> None:
    """Finvoice 3.0 may name the credited invoice only in `OriginalInvoiceReference`."""
    invoice = adapt_as(credit_note_naming("2026-4099"), "finvoice-3.0")
    assert invoice.credited_invoice == "2026-4099"
    assert invoice.locations["credited_invoice"].xpath == (
        "/Finvoice/InvoiceDetails/OriginalInvoiceReference/InvoiceNumber"
    )
    assert adapt_as(credit_note_naming(None), "finvoice-3.0").credited_invoice is None


@pytest.mark.parametrize(
    ("name", "format_id", "credited"),
    [
        ("fv1.3_gobl_credit-note_INV02_RECONSTRUCTED.xml", "finvoice-1.3", "1042"),
        ("other/peppol_bis3_base-creditnote-correction.xml", "peppol-bis-3", "Snippet1"),
    ],
)
def test_reference_credit_notes(name: str, format_id: str, credited: str) -> None:
    source = REFERENCE / "samples" / name
    if not source.is_file():
        pytest.skip(f"reference file {source} is not here")
    assert adapt_as(source, format_id).credited_invoice == credited
