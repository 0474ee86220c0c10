"""The format registry: the tables it derives, and detection by its signatures (SPEC §1)."""

from __future__ import annotations

import pytest
from lxml import etree

from kassavirta.config.settings import Signature as UserSignature
from kassavirta.formats import detect
from kassavirta.formats.registry import (
    DEFAULT_FORMAT_SUPPORT,
    FORMATS,
    SCHEMA_FILES,
    adapter_for,
    module_of,
    name_of,
    schema_key,
)
from kassavirta.rewrite import rewriter_for

UBL = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
UBL1 = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-1.0"
UBL1_CN = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-1.0"
CBC1 = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-1.0"


def test_the_services_formats_are_the_specs() -> None:
    # SPEC §1: the four Finvoice versions, TEAPPSXML, Peppol BIS 3.0, CII and Visma XML 5.3
    # and 6.0 go through the service; generic UBL, OIOXML, Facturae, WoodX, BGC, Axflow and
    # PX do not.
    assert DEFAULT_FORMAT_SUPPORT == {
        "finvoice-1.3": True,
        "finvoice-2.0": True,
        "finvoice-2.01": True,
        "finvoice-3.0": True,
        "teappsxml": True,
        "peppol-bis-3": True,
        "cii": True,
        "ubl": False,
        "oioxml": False,
        "facturae": False,
        "woodx": False,
        "bgc": False,
        "axflow": False,
        "px": False,
        "s-edi-3.0": True,
        "maventa-xml-1.0": True,
        "liinos": True,
        "visma-xml-5.3": True,
        "visma-xml-6.0": True,
    }


def test_schema_files() -> None:
    assert SCHEMA_FILES == {
        "finvoice-1.3": ("Finvoice1.3.xsd",),
        "finvoice-2.0": ("Finvoice2.0.xsd",),
        "finvoice-2.01": ("Finvoice2.01.xsd",),
        "finvoice-3.0": ("Finvoice3.0.xsd",),
        "teappsxml": ("TEAPPSXML.xsd",),
        "teappsxml@2.7.2": ("TEAPPSXMLv272_schema_INVOICES.xsd",),
        "teappsxml@3.0": ("teappsxmlv30_schema_invoices_0.xsd",),
        "peppol-bis-3": ("UBL-Invoice-2.1.xsd",),
        "peppol-bis-3/CreditNote": ("UBL-CreditNote-2.1.xsd",),
        "cii": ("CrossIndustryInvoice_100pD16B.xsd",),
        "visma-xml-5.3": ("VismaXMLInvoice53.xsd",),
        "visma-xml-6.0": ("VismaXMLInvoice60.xsd",),
    }


def test_schema_key_by_root_then_declared_version() -> None:
    def teapps(version: str) -> str:
        return (
            "<INVOICE_CENTER><CONTENT_FRAME><BLOCK_RULES><FORMAT_VERSION>"
            f"{version}</FORMAT_VERSION></BLOCK_RULES></CONTENT_FRAME></INVOICE_CENTER>"
        )

    assert schema_key("teappsxml", root(teapps("3.0"))) == "teappsxml@3.0"
    assert schema_key("teappsxml", root(teapps("2.7.2"))) == "teappsxml@2.7.2"
    assert schema_key("teappsxml", root(teapps("2.7.1"))) == "teappsxml"
    assert schema_key("teappsxml", root("<INVOICE_CENTER/>")) == "teappsxml"
    assert schema_key("peppol-bis-3", root(f'<CreditNote xmlns="{UBL}"/>')) == (
        "peppol-bis-3/CreditNote"
    )
    assert schema_key("finvoice-3.0", root('<Finvoice Version="3.0"/>')) == "finvoice-3.0"
    # A key that is no format id stands for itself (the server warms each key's schema).
    assert schema_key("teappsxml@3.0", root("<Stand-in/>")) == "teappsxml@3.0"


@pytest.mark.parametrize("row", [f for f in FORMATS if f.folder], ids=lambda f: f.id)
def test_every_named_module_exists(row: object) -> None:
    format_id = row.id  # type: ignore[attr-defined]
    assert (adapter_for(format_id) is not None) == (row.read is not None)  # type: ignore[attr-defined]
    assert (rewriter_for(format_id) is not None) == (row.rewrite is not None)  # type: ignore[attr-defined]
    assert module_of(format_id, "paths", "PENALTY_INTEREST") is not None or format_id == (
        "peppol-bis-3"  # Peppol BIS 3.0 has no element for the rate
    )


def test_formats_without_a_folder_have_no_modules() -> None:
    assert [adapter_for(f) for f in ("ubl", "e2b", "unknown", "nonsense")] == [None] * 4
    assert rewriter_for("ubl") is None
    assert (name_of("cii"), name_of("soap-frame"), name_of("nonsense")) == (
        "UN/CEFACT Cross Industry Invoice",
        "soap-frame",
        "nonsense",
    )


def root(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode())


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ('<Finvoice Version="1.1"/>', ("finvoice-1.3", "1.1", None)),
        ('<Finvoice Version=" 2.01 "/>', ("finvoice-2.01", " 2.01 ", None)),
        ('<Finvoice Version="4.0"/>', ("unknown", "4.0", None)),
        ("<Finvoice/>", ("unknown", None, None)),
        (
            '<FinvoiceReceiverInfo Version="2.0"/>',
            ("finvoice-notification", "2.0", "FinvoiceReceiverInfo"),
        ),
        (
            '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>',
            ("soap-frame", None, "a transmission frame with no invoice after it"),
        ),
        (
            '<s:Envelope xmlns:s="http://www.w3.org/2001/12/soap-envelope"/>',
            ("soap-frame", None, "a transmission frame with no invoice after it"),
        ),
        ('<s:Envelope xmlns:s="urn:not-soap"/>', ("unknown", None, None)),
        ("<INVOICE_CENTER/>", ("teappsxml", None, None)),
        (
            "<INVOICE_CENTER><CONTENT_FRAME><BLOCK_RULES><FORMAT_VERSION> 2.7.2 </FORMAT_VERSION>"
            "</BLOCK_RULES></CONTENT_FRAME></INVOICE_CENTER>",
            ("teappsxml", "2.7.2", None),
        ),
        (f'<Invoice xmlns="{UBL}"/>', ("ubl", None, None)),
        (
            f'<Invoice xmlns="{UBL}" xmlns:cbc="{CBC}"><cbc:CustomizationID>'
            "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
            "</cbc:CustomizationID></Invoice>",
            (
                "peppol-bis-3",
                "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
                None,
            ),
        ),
        (
            '<Invoice xmlns="http://rep.oio.dk/ubl/xml/schemas/0p71/pie/"/>',
            ("oioxml", "0.7", None),
        ),
        (
            '<F xmlns="http://www.facturae.es/Facturae/2009/v3.2/Facturae"/>',
            ("facturae", "v3.2", None),
        ),
        (
            '<Invoice xmlns="http://www.vismasoftware.com/EDI/Schemas/Invoice60" version="6.0"/>',
            ("visma-xml-6.0", "6.0", None),
        ),
        (
            '<i:Invoice xmlns:i="http://www.vismasoftware.com/EDI/Schemas/Invoice53"/>',
            ("visma-xml-5.3", None, None),
        ),
        (
            '<I xmlns="http://www.vismasoftware.com/EDI/Schemas/Invoice60"/>',
            ("unknown", None, None),
        ),
        # Svefaktura and UBL 1.0 are UBL 1.x: `ubl`, whatever they carry (SPEC §1).
        ('<Invoice xmlns="urn:sfti:documents:BasicInvoice:1:0"/>', ("ubl", None, None)),
        ('<ObjectEnvelope xmlns="urn:sfti:documents:ObjectEnvelope:1:0"/>', ("ubl", None, None)),
        (f'<Invoice xmlns="{UBL1}"/>', ("ubl", None, None)),
        (f'<CreditNote xmlns="{UBL1_CN}"/>', ("ubl", None, None)),
        (
            # Only a UBL 2 cbc:CustomizationID names Peppol BIS 3.0; one in another namespace does not.
            f'<Invoice xmlns="{UBL1}" xmlns:cbc="{CBC1}"><cbc:CustomizationID>'
            "urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID></Invoice>",
            ("ubl", None, None),
        ),
        ('<X xmlns="urn:sfti:documents:BasicInvoice:1:0"/>', ("unknown", None, None)),
        ("<Interchange/>", ("e2b", None, None)),
        ("<WoodXInvoice/>", ("unknown", None, None)),
    ],
)
def test_detection(xml: str, expected: tuple[str, str | None, str | None]) -> None:
    found = detect(root(xml))
    assert (found.format, found.version, found.not_invoice) == expected


def test_users_signatures_come_after_the_registrys_and_may_replace_a_fallback() -> None:
    woodx = {"woodx": UserSignature(root="WoodXInvoice")}
    assert detect(root("<WoodXInvoice/>"), woodx).format == "woodx"
    assert detect(
        root("<INVOICE_CENTER/>"), {"px": UserSignature(root="INVOICE_CENTER")}
    ).format == ("teappsxml")
    moved = {"e2b": UserSignature(root="E2B", namespace="urn:e2b")}
    assert detect(root("<Interchange/>"), moved).format == "unknown"
    assert detect(root('<E2B xmlns="urn:e2b"/>'), moved).format == "e2b"
