"""An example Visma XML 5.3 or 6.0 invoice that routes, for the shared per-format suite.

It is written from the same element names the reader and the rewriter use
(`paths.py`), in the order of the operator's examples: a Finnish B2B invoice in
euros, two rows at 25.5 % VAT, due two weeks after `today`. 6.0 carries its
account in a `PaymentInstruction`; 5.3, which has none, in `Supplier/IBAN`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from lxml import etree

from kassavirta.formats.visma_xml import paths as p

_ROWS = (
    # article, quantity, unit price, VAT-excluded amount, VAT, VAT included
    ("Kompressorin huolto", "2", "120.00", "240.00", "61.20", "301.20"),
    ("Suodatinsarja", "4", "18.50", "74.00", "18.87", "92.87"),
)
_TOTAL = Decimal("394.07")


def _add(parent: etree._Element, ns: str, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    element.text = text
    return element


def _party(parent: etree._Element, ns: str, tag: str, fields: dict[str, str]) -> None:
    block = _add(parent, ns, tag)
    for name, value in fields.items():
        _add(block, ns, name, value)


def example(today: date, format_id: str) -> bytes:
    """A routed invoice of `format_id` (`visma-xml-5.3` or `visma-xml-6.0`), sent on `today`."""
    version = next(v for v, fid in p.FORMAT_IDS.items() if fid == format_id)
    ns = p.NAMESPACES[version]
    root = etree.Element(f"{{{ns}}}{p.ROOT}", nsmap={p.PREFIX: ns})
    root.set(p.VERSION_ATTRIBUTE, version)
    due = today + timedelta(days=14)
    for name, text in (
        ("InvoiceNumber", "770031"),
        ("CID", "7700316"),
        ("InvoiceDate", (today - timedelta(days=1)).isoformat()),
        ("PaymentDate", due.isoformat()),
        ("PaymentTerms", "14 päivää netto"),
        ("TotalAmountExclVAT", "314.00"),
        ("TotalVATAmount", "80.07"),
        ("TotalAmountInclVAT", str(_TOTAL)),
        ("RoundingAmount", "0.00"),
        ("InvoiceTotalAmount", str(_TOTAL)),
    ):
        _add(root, ns, name, text)
    if version != "5.3":
        _add(root, ns, "PayableAmount", str(_TOTAL))
        instruction = _add(_add(root, ns, p.INSTRUCTIONS), ns, p.INSTRUCTION)
        _add(instruction, ns, p.REFERENCE, "7700316").set("type", "CID")
        _add(instruction, ns, p.INSTRUCTION_DATE, due.isoformat())
        _add(instruction, ns, p.ACCOUNT, "FI8850002470315685").set(p.ACCOUNT_TYPE, "IBAN")
        _add(instruction, ns, p.BIC, "OKOYFIHH")
    vat = _add(root, ns, "VAT")
    for name, text in (
        ("VATAmount", "80.07"),
        ("VATPercentage", "25.5"),
        ("VATBasisAmount", "314.00"),
    ):
        _add(vat, ns, name, text)
    _add(_add(root, ns, "Currency"), ns, "CurrencyCode", "EUR")
    supplier = {
        "Name": "Esimerkkihuolto Oy",
        "Address1": "Rautatienkatu 12",
        "PostCode": "15110",
        "PostOffice": "Lahti",
        "CountryCode": "FI",
        "CompanyNo": "2873451-6",
        "VATRegNo": "FI28734516",
    }
    if version == "5.3":
        supplier |= {"IBAN": "FI8850002470315685", "SWIFT": "OKOYFIHH"}
    _party(root, ns, p.SUPPLIER, supplier)
    _party(
        root,
        ns,
        p.INVOICEE,
        {
            "Name": "Esimerkkiasiakas Oy",
            "Address1": "Hallituskatu 3",
            "PostCode": "50100",
            "PostOffice": "Mikkeli",
            "CountryCode": "FI",
            "CompanyNo": "3019264-8",
        },
    )
    lines = _add(_add(root, ns, "OrderInfo"), ns, "DetailLines")
    for number, (article, quantity, price, net, row_vat, amount) in enumerate(_ROWS, start=1):
        line = _add(lines, ns, "DetailLine")
        _add(line, ns, "InvoiceDetailLineNo", str(number))
        item = _add(line, ns, "Item")
        for name, text in (
            ("SuppliersDescription", article),
            ("UnitText", "kpl"),
            ("UnitQtyDelivered", quantity),
            ("UnitNetPrice", price),
            ("NetAmount", net),
        ):
            _add(item, ns, name, text)
        vat = _add(item, ns, "VAT")
        for name, text in (
            ("VATAmount", row_vat),
            ("VATPercentage", "25.5"),
            ("VATBasisAmount", net),
        ):
            _add(vat, ns, name, text)
        _add(item, ns, "AmountInclVAT", amount)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
