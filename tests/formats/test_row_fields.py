"""Finvoice rows' fields from one tag-filtered walk: what a pass over each row's children reads."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from kassavirta.formats.finvoice import paths
from kassavirta.formats.finvoice.read import _ROW_SLOTS, _row_texts
from kassavirta.formats.xml import first_children
from kassavirta.model import Row

XML = b"""<Finvoice xmlns:x="urn:x">
  <RowAmount>0</RowAmount>
  <InvoiceRow>
    <ArticleName>one</ArticleName><!-- a comment among the fields --><?pi?>
    <RowDeliveryDetails>
      <RowAmount>deeper, not the row's</RowAmount>
      <InvoiceRow><RowAmount>a row in a row</RowAmount></InvoiceRow>
    </RowDeliveryDetails>
    <DeliveredQuantity QuantityUnitCode="kg">2</DeliveredQuantity>
    <InvoicedQuantity QuantityUnitCode="h"/>
    <RowAmount>1</RowAmount>
    <RowAmount>1, the second</RowAmount>
    <x:RowVatAmount>another namespace</x:RowVatAmount>
    <UnitPriceAmount/>
  </InvoiceRow>
  <SpecificationDetails><InvoiceRow><RowAmount>not a child of the root</RowAmount></InvoiceRow></SpecificationDetails>
  <RowAmount>between the rows</RowAmount>
  <InvoiceRow/>
  <InvoiceRow>
    <DeliveredQuantity QuantityUnitCode="kpl">3</DeliveredQuantity><ArticleName>three</ArticleName>
  </InvoiceRow>
  <InvoiceRow>
    <InvoicedQuantity QuantityUnitCode="m">4</InvoicedQuantity>
    <DeliveredQuantity QuantityUnitCode="kpl">5</DeliveredQuantity>
  </InvoiceRow>
  <InvoicedQuantity>after the rows</InvoicedQuantity>
</Finvoice>"""


def test_the_walk_reads_what_each_rows_own_children_say() -> None:
    root = etree.fromstring(XML)
    rows, texts, units = _row_texts(root)
    assert rows == list(root.iterchildren(paths.ROW))
    expected_texts: list[str | None] = []
    expected_units: list[str | None] = []
    for row in rows:
        children = first_children(row)
        found = [children.get(tag) for tag in _ROW_SLOTS]
        expected_texts += [None if e is None else e.text or "" for e in found]
        quantity = found[1] if found[1] is not None else found[2]
        expected_units.append(None if quantity is None else quantity.get(paths.UNIT))
    assert texts == expected_texts
    assert units == expected_units


def test_the_texts_are_the_first_of_each_directly_under_the_row() -> None:
    _, texts, units = _row_texts(etree.fromstring(XML))
    assert [texts[n : n + 8] for n in range(0, len(texts), 8)] == [
        ["one", "", "2", "", None, None, None, "1"],
        [None] * 8,
        ["three", None, "3", None, None, None, None, None],
        [None, "4", "5", None, None, None, None, None],
    ]
    assert units == ["h", None, "kpl", "m"]


def test_no_rows() -> None:
    assert _row_texts(etree.fromstring(b"<Finvoice><RowAmount>1</RowAmount></Finvoice>")) == (
        [],
        [],
        [],
    )


def test_a_row_is_built_from_positional_arguments_in_field_order() -> None:
    one = Decimal("1")
    assert Row(3, "a", one, "h", one, Decimal("24"), None, one, Decimal("1.24"), False) == Row(
        index=3,
        article="a",
        quantity=one,
        unit="h",
        unit_price=one,
        vat_percent=Decimal("24"),
        vat_excluded=one,
        amount=Decimal("1.24"),
        counted=False,
    )
