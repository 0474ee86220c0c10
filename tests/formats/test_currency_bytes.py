"""An invoice's currencies answered from its bytes when one code is written alike throughout.

Each case says what the invoice holds (read from the XML written here), and the
bytes' answer must agree with the walk over the tree that stands behind it.
"""

from __future__ import annotations

import dataclasses

import pytest

from helpers import SAMPLES, adapt_as
from kassavirta import check_bytes
from kassavirta.formats.xml import written_alone
from kassavirta.pipeline.read import read_bytes

SAMPLE = (SAMPLES / "route" / "finvoice-3.0.xml").read_bytes()
EUR = b'AmountCurrencyIdentifier="EUR"'
ROW_AMOUNT = b"<RowAmount "


def _second_row_amount(data: bytes, written: bytes) -> bytes:
    """`data` with the second row's RowAmount currency written as `written`."""
    at = data.index(ROW_AMOUNT, data.index(ROW_AMOUNT) + 1)
    end = data.index(b">", at)
    assert EUR in data[at:end]
    return data[:at] + data[at:end].replace(EUR, written) + data[end:]


def _both(data: bytes) -> tuple[bool, list[str], list[str]]:
    """Whether the bytes answered, the currencies read, and those read by the tree walk alone."""
    from kassavirta.formats.finvoice import read as finvoice

    [document] = read_bytes(data)
    part = document.part
    total = part.root.find("InvoiceDetails/InvoiceTotalVatIncludedAmount")
    assert total is not None
    written = total.get("AmountCurrencyIdentifier")
    walked = dataclasses.replace(part, source=b"")
    by_tree = finvoice.adapt(dataclasses.replace(document, part=walked)).currencies
    return (
        written_alone(part, "AmountCurrencyIdentifier", written),
        adapt_as(data, "finvoice-3.0").currencies,
        by_tree,
    )


def test_the_sample_is_answered_from_its_bytes() -> None:
    assert SAMPLE.count(EUR) == 18
    assert _both(SAMPLE) == (True, ["EUR"], ["EUR"])


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(b"AmountCurrencyIdentifier='USD'", id="other quotes"),
        pytest.param(b'AmountCurrencyIdentifier="&#85;SD"', id="a character reference"),
        pytest.param(b'AmountCurrencyIdentifier = "USD"', id="spaces around ="),
        pytest.param(b'AmountCurrencyIdentifier="\nUSD"', id="a line break in the value"),
    ],
)
def test_a_second_currency_however_written_is_found(written: bytes) -> None:
    data = _second_row_amount(SAMPLE, written)
    result = check_bytes(data)
    assert result.decision.value == "invalid"
    assert result.reasons == ["unreadable-field"]
    assert "mixes currencies (EUR, USD)" in result.findings[0].message


@pytest.mark.parametrize(
    ("data", "answered"),
    [
        pytest.param(
            _second_row_amount(SAMPLE, b"AmountCurrencyIdentifier='EUR'"), False, id="other quotes"
        ),
        pytest.param(
            SAMPLE.replace(
                b"<InvoiceDetails>", b'<!-- AmountCurrencyIdentifier="USD" --><InvoiceDetails>'
            ),
            False,
            id="another code in a comment",
        ),
        pytest.param(
            SAMPLE.replace(b"<Finvoice ", b'<Finvoice xmlns:x="urn:x" ').replace(
                b"<InvoiceDetails>", b'<InvoiceDetails x:AmountCurrencyIdentifier="USD">'
            ),
            False,
            id="a namespaced attribute of that name",
        ),
        pytest.param(
            SAMPLE.replace(
                b"<InvoiceDetails>",
                b'<InvoiceDetails><InvoiceFreeText>AmountCurrencyIdentifier="EUR"</InvoiceFreeText>',
            ),
            True,
            id="the same code in text",
        ),
        pytest.param(
            SAMPLE.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16"),
            False,
            id="UTF-16",
        ),
        pytest.param(
            SAMPLE.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-15"')
            .decode()
            .encode("iso-8859-15"),
            True,
            id="ISO-8859-15",
        ),
        pytest.param(
            _second_row_amount(
                SAMPLE.replace(
                    b"?>\n",
                    b"?>\n<!DOCTYPE Finvoice "
                    b"[<!ATTLIST RowAmount AmountCurrencyIdentifier CDATA 'USD'>]>\n",
                    1,
                ),
                b"",
            ),
            False,
            id="a DTD default, never applied (the DTD names the attribute too)",
        ),
    ],
)
def test_the_bytes_answer_only_what_the_tree_holds(data: bytes, answered: bool) -> None:
    assert _both(data) == (answered, ["EUR"], ["EUR"])
