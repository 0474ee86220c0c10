"""Finvoice rows read in one pass, their amounts matched together: the same values and errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from helpers import SAMPLES, adapt_as, make_variant
from kassavirta import check_bytes

SAMPLE = SAMPLES / "route" / "finvoice-3.0.xml"
ROW = "/Finvoice/InvoiceRow"


@pytest.mark.parametrize(
    ("edits", "message", "line", "xpath", "value"),
    [
        pytest.param(
            [(f"{ROW}[2]/RowVatAmount", "12.50")],
            "RowVatAmount: amount '12.50' must use a decimal comma",
            109,
            f"{ROW}[2]/RowVatAmount",
            "12.50",
            id="a decimal point",
        ),
        pytest.param(
            [(f"{ROW}[3]/UnitPriceAmount", "abc"), (f"{ROW}[2]/RowAmount", "1 000,00")],
            "RowAmount: '1 000,00' is not an amount",
            111,
            f"{ROW}[2]/RowAmount",
            "1 000,00",
            id="the earlier row is named",
        ),
        pytest.param(
            [(f"{ROW}[2]/RowAmount", "x"), (f"{ROW}[2]/UnitPriceAmount", "1e5")],
            "UnitPriceAmount: '1e5' is not an amount",
            105,
            f"{ROW}[2]/UnitPriceAmount",
            "1e5",
            id="within a row, in reading order",
        ),
        pytest.param(
            [(f"{ROW}[1]/InvoicedQuantity", " \u0663 ")],
            "InvoicedQuantity: '\u0663' is not an amount",
            91,
            f"{ROW}[1]/InvoicedQuantity",
            "\u0663",
            id="a non-ASCII digit",
        ),
    ],
)
def test_a_bad_row_amount_is_named_where_it_was_written(
    edits: list[tuple[str, str]], message: str, line: int, xpath: str, value: str
) -> None:
    result = check_bytes(make_variant(SAMPLE, *((path, "text", text) for path, text in edits)))
    assert (result.decision.value, result.reasons) == ("invalid", ["unreadable-field"])
    finding = result.findings[0]
    assert (finding.message, finding.line, finding.xpath, finding.value) == (
        message,
        line,
        xpath,
        value,
    )


ODD_ROWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<Finvoice Version="3.0">
  <InvoiceDetails>
    <InvoiceNumber>7</InvoiceNumber>
    <InvoiceTotalVatIncludedAmount>10,00</InvoiceTotalVatIncludedAmount>
  </InvoiceDetails>
  <InvoiceRow>
    <InvoicedQuantity QuantityUnitCode="h"> </InvoicedQuantity>
    <DeliveredQuantity QuantityUnitCode="kpl">2</DeliveredQuantity>
    <!-- a comment among the fields --><?pi?>
    <RowAmount>-1</RowAmount>
    <RowAmount>99,99</RowAmount>
    <UnitPriceAmount/>
  </InvoiceRow>
  <InvoiceRow>
    <DeliveredQuantity QuantityUnitCode="kpl">+2,50</DeliveredQuantity>
    <ArticleName>  Tuote  </ArticleName>
    <RowVatRatePercent>0</RowVatRatePercent>
    <RowVatAmount>0,00</RowVatAmount>
    <RowVatExcludedAmount>11,00</RowVatExcludedAmount>
  </InvoiceRow>
  <InvoiceRow/>
</Finvoice>
"""


def test_rows_read_as_written() -> None:
    # An empty InvoicedQuantity still wins over DeliveredQuantity (and has no unit); the first
    # of two RowAmounts counts; comments and instructions among the fields are passed over.
    rows = adapt_as(ODD_ROWS, "finvoice-3.0").rows
    assert [r.model_dump() for r in rows] == [
        {
            "index": 1,
            "article": None,
            "quantity": None,
            "unit": None,
            "unit_price": None,
            "vat_percent": None,
            "vat_amount": None,
            "vat_excluded": None,
            "amount": Decimal("-1"),
            "counted": True,
        },
        {
            "index": 2,
            "article": "Tuote",
            "quantity": Decimal("2.50"),
            "unit": "kpl",
            "unit_price": None,
            "vat_percent": Decimal("0"),
            "vat_amount": Decimal("0.00"),
            "vat_excluded": Decimal("11.00"),
            "amount": None,
            "counted": True,
        },
        {"index": 3, "counted": True}
        | dict.fromkeys(
            (
                "article",
                "quantity",
                "unit",
                "unit_price",
                "vat_percent",
                "vat_amount",
                "vat_excluded",
                "amount",
            )
        ),
    ]
    assert str(rows[1].quantity) == "2.50"  # as written, not normalised


@pytest.mark.parametrize(
    ("codes", "currencies"),
    [
        pytest.param((" EUR", "EUR "), ["EUR"], id="one code, spaced"),
        pytest.param(("EUR", "eur"), ["EUR", "eur"], id="two cases, in document order"),
        pytest.param(("eur", "EUR"), ["eur", "EUR"], id="the lowercase first"),
    ],
)
def test_currency_codes_are_read_once_each(codes: tuple[str, str], currencies: list[str]) -> None:
    first, second = codes
    data = make_variant(
        SAMPLE,
        ("//*[@AmountCurrencyIdentifier]", "attr:AmountCurrencyIdentifier", first),
        (f"{ROW}[2]/RowAmount", "attr:AmountCurrencyIdentifier", second),
    )
    assert adapt_as(data, "finvoice-3.0").currencies == currencies


NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<Finvoice Version="3.0">
  <InvoiceDetails>
    <InvoiceNumber>8</InvoiceNumber>
    <InvoiceTotalVatIncludedAmount>5,00</InvoiceTotalVatIncludedAmount>
    <RowAmount>1,00</RowAmount>
  </InvoiceDetails>
  <InvoiceRow>
    <ArticleName>Kahvi</ArticleName>
    <RowDeliveryDetails><RowAmount>9,99</RowAmount><InvoiceRow><RowAmount>8</RowAmount></InvoiceRow></RowDeliveryDetails>
    <RowAmount>5,00</RowAmount>
  </InvoiceRow>
  <SpecificationDetails><InvoiceRow><RowAmount>7</RowAmount></InvoiceRow></SpecificationDetails>
</Finvoice>
"""


def test_only_a_rows_own_children_are_read_as_its_fields() -> None:
    # Row elements deeper in a row, outside the rows, or in a row that is not the
    # invoice's own, are no row's fields.
    invoice = adapt_as(NESTED, "finvoice-3.0")
    assert [(r.index, r.article, r.amount) for r in invoice.rows] == [(1, "Kahvi", Decimal("5.00"))]
    assert invoice.locations["rows.1.amount"].xpath == "/Finvoice/InvoiceRow/RowAmount"
