"""The rewrite's source editor costs time in proportion to the document (issue 13).

It used to key every element's text span by its lxml XPath, which lxml builds
by walking all preceding siblings: an invoice with 8× the rows took about 30×
as long before a single edit was made.
"""

from __future__ import annotations

import pytest
from lxml import etree

from growth import FACTOR, LINEAR_LIMIT, growth
from kassavirta.rewrite.xmlsource import Node, SourceEditor, SourceError, tokenize_spans


def _invoice(rows: int) -> str:
    body = "".join(
        f"\n  <InvoiceRow>\n    <ArticleName>Item {i}</ArticleName>\n"
        f"    <RowFreeText>text {i}</RowFreeText>\n  </InvoiceRow>"
        for i in range(rows)
    )
    return f'<?xml version="1.0"?>\n<Finvoice Version="3.0">\n  <SellerName>A</SellerName>{body}\n</Finvoice>\n'


def _edit(text: str) -> str:
    """Open an editor and make the kinds of edit a rewriter makes, at both ends of the rows."""
    tree = etree.ElementTree(etree.fromstring(text.encode()))
    editor = SourceEditor(text, tree)
    root = tree.getroot()
    last = root[len(root) - 1]
    editor.update(last[0], "new name")
    editor.remove(last[1])
    editor.insert_after(root[0], Node("SellerAccountDetails", children=(Node("A", "1"),)))
    editor.replace(root[1][1], Node("RowFreeText", "replaced"))
    return editor.result()


def test_the_edits_land_where_they_should() -> None:
    out = _edit(_invoice(3))
    assert "<ArticleName>new name</ArticleName>\n  </InvoiceRow>\n</Finvoice>" in out
    assert "<RowFreeText>text 2</RowFreeText>" not in out
    assert "<RowFreeText>replaced</RowFreeText>" in out
    assert "<SellerName>A</SellerName>\n  <SellerAccountDetails>\n    <A>1</A>" in out


def test_editing_grows_linearly_with_the_rows() -> None:
    small, large = _invoice(1_000), _invoice(1_000 * FACTOR)
    ratio = growth(lambda: _edit(small), lambda: _edit(large))
    assert ratio <= LINEAR_LIMIT, f"{FACTOR}× the rows took {ratio:.1f}× the time"


def test_spans_cover_every_kind_of_markup() -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE a>\n<a x="1>2">\n  <!-- <b/> -->\n'
        "  <b><![CDATA[<c/>]]></b>\n  <?pi <d/>?>\n  <e/>\n  <f />\n</a>\n"
    )
    spans = tokenize_spans(text)
    assert [(s.name, s.empty) for s in spans] == [
        ("a", False),
        ("b", False),
        ("e", True),
        ("f", True),
    ]
    b = spans[1]
    assert text[b.start : b.end] == "<b><![CDATA[<c/>]]></b>"
    assert text[b.open_end : b.close_start] == "<![CDATA[<c/>]]>"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<a><b></a>", "unexpected end tag </a>"),
        ("<a><b/>", "unclosed element"),
        ("<a>< b/></a>", "cannot read the markup at character 3"),
        ("<a></a><", "cannot read the markup at character 7"),
    ],
)
def test_markup_that_does_not_match_is_an_error(text: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        tokenize_spans(text)


def test_an_editor_refuses_a_text_that_is_not_its_tree() -> None:
    tree = etree.ElementTree(etree.fromstring(b"<a><b/><c/></a>"))
    with pytest.raises(SourceError, match="found 2 elements in the text but 3 in the tree"):
        SourceEditor("<a><b/></a>", tree)
    # The names are compared where the editor is asked about an element.
    editor = SourceEditor("<a><b/><d/></a>", tree)
    assert editor.span(tree.getroot()[0]).name == "b"
    with pytest.raises(SourceError, match="<d> in the text is c in the tree"):
        editor.span(tree.getroot()[1])
