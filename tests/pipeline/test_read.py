"""The safe reader: encodings, the transmission frame, and what it refuses."""

from __future__ import annotations

import os

import pytest

from kassavirta.errors import ReadError
from kassavirta.pipeline.read import read_bytes, read_file

SMALL = "<Finvoice Version='3.0'><InvoiceDetails><InvoiceFreeText>{text}</InvoiceFreeText></InvoiceDetails></Finvoice>"


def _doc(encoding: str, text: str, bom: bool = False) -> bytes:
    body = f"<?xml version='1.0' encoding='{encoding}'?>\n" + SMALL.format(text=text)
    data = body.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.mark.parametrize(
    ("encoding", "text", "bom"),
    [
        ("UTF-8", "Hyvää päivää, 12 €", False),
        ("UTF-8", "Hyvää päivää, 12 €", True),
        ("ISO-8859-15", "Hyvää päivää, 12 €", False),
        ("ISO-8859-1", "Hyvää päivää", False),
    ],
)
def test_declared_encodings_are_decoded(encoding: str, text: str, bom: bool) -> None:
    [doc] = read_bytes(_doc(encoding, text, bom))
    assert doc.part.root.findtext("InvoiceDetails/InvoiceFreeText") == text
    assert doc.frame is None


def test_euro_sign_differs_between_latin1_and_latin9() -> None:
    # 0xA4 is "€" in ISO-8859-15 and "¤" in ISO-8859-1: the declaration decides.
    raw = b"<?xml version='1.0' encoding='ISO-8859-15'?><Finvoice Version='3.0'><X>\xa4</X></Finvoice>"
    assert read_bytes(raw)[0].part.root.findtext("X") == "€"
    assert read_bytes(raw.replace(b"8859-15", b"8859-1"))[0].part.root.findtext("X") == "¤"


FRAME = b"""<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:eb="http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd">
<SOAP-ENV:Header><eb:MessageHeader><eb:To><eb:PartyId>OKOYFIHH</eb:PartyId><eb:Role>Intermediator</eb:Role></eb:To></eb:MessageHeader></SOAP-ENV:Header>
<SOAP-ENV:Body/>
</SOAP-ENV:Envelope>
"""


def test_frame_and_invoice_in_one_file_are_both_kept() -> None:
    invoice = _doc("ISO-8859-15", "Kiitos, 10 €")
    [doc] = read_bytes(FRAME + invoice)
    assert doc.frame is not None
    assert doc.frame.root.tag.endswith("Envelope")
    assert doc.part.root.tag == "Finvoice"
    assert doc.part.root.findtext("InvoiceDetails/InvoiceFreeText") == "Kiitos, 10 €"
    # Lines of the second document are counted from the start of the file.
    assert doc.part.line(doc.part.root) == FRAME.count(b"\n") + 2
    assert doc.part.start == len(FRAME)


def test_frame_followed_by_invoice_without_declaration() -> None:
    [doc] = read_bytes(FRAME + SMALL.format(text="x").encode())
    assert doc.frame is not None and doc.part.root.tag == "Finvoice"


def test_two_frame_invoice_pairs() -> None:
    pair = FRAME + _doc("UTF-8", "one")
    docs = read_bytes(pair + pair.replace(b"one", b"two"))
    assert [d.part.root.findtext("InvoiceDetails/InvoiceFreeText") for d in docs] == ["one", "two"]
    assert [d.index for d in docs] == [1, 2]
    assert all(d.frame is not None for d in docs)


def test_invoice_followed_by_a_frame_is_split_too() -> None:
    # The whole-file parse refuses the second root, so the file goes the long way.
    docs = read_bytes(_doc("UTF-8", "first") + FRAME)
    assert [d.part.root.tag.rsplit("}", 1)[-1] for d in docs] == ["Finvoice", "Envelope"]
    assert docs[0].frame is None and docs[0].part.start == 0


def test_an_element_named_envelope_inside_an_invoice_does_not_split_it() -> None:
    # Only a document's root can be a frame: an inner element of that name is content.
    data = b"<Finvoice Version='3.0'><Envelope>x</Envelope><InvoiceDetails/></Finvoice>"
    [doc] = read_bytes(data)
    assert doc.frame is None and doc.part.root.findtext("Envelope") == "x"


def test_a_one_document_file_is_not_searched_for_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    # The envelope scan costs more than the rest of the reading for an ordinary invoice.
    import kassavirta.pipeline.read as reading

    def refuse(data: bytes) -> list[tuple[int, int]]:
        raise AssertionError("split although the file holds one document")

    monkeypatch.setattr(reading, "_segments", refuse)
    [doc] = read_bytes(_doc("ISO-8859-15", "yksi"))
    assert doc.part.root.findtext("InvoiceDetails/InvoiceFreeText") == "yksi"


@pytest.mark.parametrize(
    ("data", "documents", "parses"),
    [
        (b"<?xml version='1.0'?>\n<Finvoice>\n  <A>1</a>\n</Finvoice>", None, 1),
        (b"<SOAP-ENV:Envelope xmlns:SOAP-ENV='urn:x'><Finvoice/></SOAP-ENV:Envelope>", 1, 1),
        # Refused whole (a second declaration), then each of its two documents.
        (b"<?xml version='1.0'?><Finvoice/>\n<?xml version='1.0'?><Finvoice/>", 2, 3),
    ],
    ids=["refused", "framed-around", "two"],
)
def test_a_file_that_is_one_document_after_all_is_parsed_once(
    monkeypatch: pytest.MonkeyPatch, data: bytes, documents: int | None, parses: int
) -> None:
    """The whole parse answers for a file whose split is itself: its error, or its frame."""
    import kassavirta.pipeline.read as reading

    parsed: list[tuple[int, int]] = []
    parse = reading.parse_part

    def counting(data: bytes, begin: int, end: int, **kwargs: object) -> object:
        parsed.append((begin, end))
        return parse(data, begin, end, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "parse_part", counting)
    if documents is None:
        with pytest.raises(ReadError) as caught:
            read_bytes(data, path="bad.xml")
        assert caught.value.line == 3
    else:
        assert len(read_bytes(data)) == documents
    assert parsed[0] == (0, len(data))
    assert len(parsed) == parses


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not-xml"),
        (b"   \n", "not-xml"),
        (b"this is not xml", "not-xml"),
        (b"<Finvoice Version='3.0'><InvoiceDetails>", "not-xml"),
        (b"<Finvoice/><Finvoice/>", "not-xml"),
        (b"<Finvoice>\x00</Finvoice>", "not-xml"),
        (b"<?xml version='1.0' encoding='UTF-8'?><Finvoice>\xff\xfe</Finvoice>", "not-xml"),
        (b"<!-- <Finvoice Version='3.0'/> -->", "not-xml"),
        (
            b"<?xml version='1.0'?><!DOCTYPE Finvoice [<!ENTITY who 'Oy'>]><Finvoice>&who;</Finvoice>",
            "unsafe-xml",
        ),
        (
            b"<?xml version='1.0'?><!DOCTYPE Finvoice [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
            b"<Finvoice>&x;</Finvoice>",
            "unsafe-xml",
        ),
    ],
)
def test_refused_input_is_typed(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_bytes(data, path="bad.xml")
    assert caught.value.reason == reason
    assert caught.value.path == "bad.xml"
    assert "bad.xml" in str(caught.value)


def test_syntax_error_names_line_and_column() -> None:
    data = b"<?xml version='1.0'?>\n<Finvoice>\n  <InvoiceNumber>1</Invoicenumber>\n</Finvoice>"
    with pytest.raises(ReadError) as caught:
        read_bytes(data, path="x.xml")
    assert caught.value.line == 3
    assert caught.value.column is not None


def test_plain_doctype_is_ignored_never_loaded() -> None:
    data = b'<?xml version="1.0"?>\n<!DOCTYPE Finvoice SYSTEM "Finvoice.dtd">\n<Finvoice Version="1.3"/>'
    [doc] = read_bytes(data)
    assert doc.part.root.get("Version") == "1.3"


def test_deep_nesting_is_refused() -> None:
    data = b"<a>" * 10_000 + b"</a>" * 10_000
    with pytest.raises(ReadError):
        read_bytes(data)


def test_size_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    big = b"<Finvoice>" + b" " * 2000 + b"</Finvoice>"
    with pytest.raises(ReadError) as caught:
        read_bytes(big, max_bytes=1000)
    assert caught.value.reason == "unsafe-xml"
    f = tmp_path / "big.xml"
    f.write_bytes(big)
    with pytest.raises(ReadError):
        read_file(f, max_bytes=1000)
    assert read_file(f, max_bytes=5000) == big


def test_directory_and_missing_file_are_read_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReadError) as caught:
        read_file(tmp_path)
    assert caught.value.reason == "not-xml"
    with pytest.raises(ReadError):
        read_file(tmp_path / "nope.xml")


def _many_documents(count: int) -> bytes:
    return b"".join(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Finvoice Version="3.0">\n  <InvoiceDetails>\n'
        b"    <InvoiceNumber>%d</InvoiceNumber>\n  </InvoiceDetails>\n</Finvoice>\n" % n
        for n in range(count)
    )


def test_lines_of_later_documents_count_from_the_file_start() -> None:
    documents = read_bytes(_many_documents(3))
    assert [d.part.line_offset for d in documents] == [0, 6, 12]
    number = documents[2].part.root.find("InvoiceDetails/InvoiceNumber")
    assert number is not None and documents[2].part.line(number) == 16


def test_reading_many_documents_grows_linearly() -> None:
    """Each document's first line used to be counted from the file's start: 8× the documents
    took about 30× the time."""
    from growth import FACTOR, LINEAR_LIMIT, growth

    small, large = _many_documents(500), _many_documents(500 * FACTOR)
    ratio = growth(lambda: read_bytes(small), lambda: read_bytes(large))
    assert ratio <= LINEAR_LIMIT, f"{FACTOR}× the documents took {ratio:.1f}× the time"


def test_a_file_that_grows_after_its_size_was_taken_is_read_whole_and_bounded(
    tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import kassavirta.pipeline.read as reading

    path = tmp_path / "growing.xml"
    path.write_bytes(b"<a>" + b"x" * 5000 + b"</a>")
    real_stat = reading.os.stat

    def older(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        found = real_stat(name, *args, **kwargs)
        if str(name) != str(path):
            return found
        values = list(found)
        values[6] = 10  # st_size when it was taken: the file grew since
        return os.stat_result(values)

    monkeypatch.setattr(reading.os, "stat", older)
    assert read_file(path) == path.read_bytes()
    with pytest.raises(ReadError, match="over the 100-byte limit"):
        read_file(path, max_bytes=100)
