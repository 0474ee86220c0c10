"""Fuzz targets: whatever bytes come in, only the documented typed errors come out.

`check_target` and `rewrite_target` run one input through `kassavirta.check_bytes`
and `kassavirta.rewrite.rewrite_document`; anything but a result or a
`kassavirta.errors.KassavirtaError` is a bug and is raised as `FuzzFailure`
(with the input attached). The strategies feed them raw bytes, XML-looking
token soup, and generated invoices mutated at the tree level (elements
dropped, duplicated, swapped, renamed; texts and attributes garbled) and at
the byte level (bytes flipped, inserted, deleted; truncated).

`tests/test_fuzz.py` runs a bounded number of examples;
`benchmarks/fuzz.py --seconds 600` runs them for as long as asked.
"""

from __future__ import annotations

import traceback
from dataclasses import replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from hypothesis import strategies as st
from lxml import etree

from kassavirta.errors import KassavirtaError
from kassavirta.formats.finvoice import paths
from kassavirta.formats.finvoice.write import render
from kassavirta.testing.strategies.invoices import invoice_specs

if TYPE_CHECKING:
    from kassavirta.config.settings import Settings

FUZZ_TODAY: Final = date(2026, 12, 1)


class FuzzFailure(AssertionError):
    """An exception that is not one of the package's typed errors escaped a public call."""

    def __init__(self, target: str, data: bytes, error: BaseException) -> None:
        self.data = data
        self.error = error
        shown = data[:300] + (b"..." if len(data) > 300 else b"")
        trace = "".join(traceback.format_exception(error))
        super().__init__(
            f"{target}: {type(error).__name__} escaped for {len(data)} input bytes {shown!r}\n{trace}"
        )


@lru_cache(maxsize=1)
def _settings() -> Settings:
    from kassavirta.testing.assertions import default_settings

    return default_settings(FUZZ_TODAY)


def check_target(data: bytes) -> Any:
    """`check_bytes(data)` under ACTIVE settings; returns its result or raises FuzzFailure."""
    from kassavirta import check_bytes

    try:
        result = check_bytes(data, _settings(), FUZZ_TODAY)
        result.model_dump_json()  # every result must serialise, as the reports do
    except KassavirtaError:
        return None
    except Exception as exc:  # that is the point: nothing else may escape
        raise FuzzFailure("check_bytes", data, exc) from exc
    return result


def rewrite_target(data: bytes) -> Any:
    """`rewrite_document(data)`; a routed invoice's output must parse.

    `rewrite_document` parses its output itself; an output that does not parse
    is an `OutputError`, a rewriter's bug, never a refusal of the input.
    """
    from kassavirta.config.policy import RunOptions, build_policy
    from kassavirta.rewrite import OutputError, rewrite_document

    try:
        policy = build_policy(RunOptions(), today=FUZZ_TODAY, settings=_settings())
        result = rewrite_document(data, policy)
    except OutputError as exc:
        raise FuzzFailure("rewrite_document", data, exc) from exc
    except KassavirtaError:
        return None
    except Exception as exc:
        raise FuzzFailure("rewrite_document", data, exc) from exc
    return result


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------

_TOKENS: Final[tuple[bytes, ...]] = (
    b'<?xml version="1.0" encoding="UTF-8"?>',
    b'<?xml version="1.0" encoding="ISO-8859-15"?>',
    b"<?xml version='1.0' encoding='UTF-16'?>",
    b'<Finvoice Version="3.0">',
    b'<Finvoice Version="2.01">',
    b"</Finvoice>",
    b"<InvoiceDetails>",
    b"</InvoiceDetails>",
    b"<InvoiceNumber>1</InvoiceNumber>",
    b'<InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="EUR">10,00</InvoiceTotalVatIncludedAmount>',
    b'<InvoiceRow><RowAmount AmountCurrencyIdentifier="EUR">10,00</RowAmount></InvoiceRow>',
    b"<EpiDetails>",
    b"</EpiDetails>",
    b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">',
    b"</SOAP-ENV:Envelope>",
    b"<!DOCTYPE Finvoice>",
    b'<!DOCTYPE Finvoice SYSTEM "Finvoice.dtd">',
    b'<!ENTITY a "b">',
    b"&a;",
    b"&#0;",
    b"&#x10FFFF;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<",
    b">",
    b"/>",
    b"</",
    b"=",
    b'"',
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3",
    b"\n",
    b" ",
    b"1234,56",
    b"20261231",
)


def xmlish_bytes(max_tokens: int = 40) -> st.SearchStrategy[bytes]:
    """Token soup: declarations, tags, entities, BOMs and stray bytes, in any order."""
    token = st.one_of(st.sampled_from(_TOKENS), st.binary(min_size=1, max_size=8))
    return st.lists(token, max_size=max_tokens).map(b"".join)


_NASTY_TEXTS: Final[tuple[str, ...]] = (
    "",
    " ",
    "0",
    "-0,00",
    "1e999",
    "NaN",
    "Infinity",
    "99999999999999999999999999,99",
    "1.234,56",
    "12,345678",
    "١٢٣",
    "20261301",
    "00000000",
    "99991231",
    "FI00",
    "RF00",
    "XXXX",
    "EUR",
    "SEK",
    "é" * 300,
    "\u00a0",
    "<&>",
)


def _text_strategy() -> st.SearchStrategy[str]:
    xml_chars = st.characters(
        blacklist_categories=("Cs", "Cc", "Co"), blacklist_characters="\ufffe\uffff"
    )
    return st.one_of(st.sampled_from(_NASTY_TEXTS), st.text(xml_chars, max_size=30))


_TAGS: Final[tuple[str, ...]] = (
    paths.ROOT,
    paths.DETAILS,
    paths.ROW,
    paths.SUB_ROW,
    paths.EPI,
    paths.TOTAL,
    paths.ROW_AMOUNT,
    paths.TERMS_DUE_DATE,
    paths.EPI_DUE_DATE,
    paths.BUYER,
    f"Buyer{paths.ADDRESS}",
    paths.SELLER_ACCOUNT,
    paths.TRANSMISSION,
    "x",
)
_ATTRIBUTES: Final[tuple[str, ...]] = (
    paths.VERSION,
    paths.CURRENCY,
    paths.SCHEME,
    paths.DATE_FORMAT,
    paths.UNIT,
)


@st.composite
def mutated_invoices(draw: st.DrawFn, max_operations: int = 6) -> bytes:
    """A generated invoice (any version and encoding) with tree- and byte-level damage."""
    spec = draw(invoice_specs(version=None, today=FUZZ_TODAY))
    spec = replace(spec, pretty=True)
    tree = etree.fromstring(render(spec)).getroottree()
    for _ in range(draw(st.integers(0, max_operations))):
        elements = [e for e in tree.getroot().iter() if isinstance(e.tag, str)]
        target = elements[draw(st.integers(0, len(elements) - 1))]
        parent = target.getparent()
        operation = draw(
            st.sampled_from(("drop", "duplicate", "swap", "text", "attribute", "rename", "nest"))
        )
        try:
            if operation == "drop" and parent is not None:
                parent.remove(target)
            elif operation == "duplicate" and parent is not None:
                target.addnext(etree.fromstring(etree.tostring(target)))
            elif operation == "swap" and parent is not None:
                following = target.getnext()
                if following is not None:
                    following.addnext(target)
            elif operation == "text":
                target.text = draw(_text_strategy())
            elif operation == "attribute":
                target.set(draw(st.sampled_from(_ATTRIBUTES)), draw(_text_strategy()))
            elif operation == "rename":
                target.tag = draw(st.sampled_from(_TAGS))
            elif operation == "nest" and parent is not None:
                wrapper = etree.SubElement(parent, draw(st.sampled_from(_TAGS)))
                target.addprevious(wrapper)
                wrapper.append(target)
        except ValueError:
            continue  # lxml refused the edit itself (e.g. an illegal character): not a product input
    serialised = etree.tostring(tree, xml_declaration=True, encoding=spec.encoding)
    assert isinstance(serialised, bytes)
    data = bytearray(serialised)
    for _ in range(draw(st.integers(0, 3))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        how = draw(st.sampled_from(("flip", "insert", "delete", "truncate")))
        if how == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif how == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            del data[at:]
    return bytes(data)


__all__ = [
    "FUZZ_TODAY",
    "FuzzFailure",
    "check_target",
    "mutated_invoices",
    "rewrite_target",
    "xmlish_bytes",
]
