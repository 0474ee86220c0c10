"""What a person sees on the invoice image (issue 17, item 6): dates as Finns write them,
the payment slip as the bilingual Finnish bank transfer form, the font embedded (PDF/A-2b),
the HTML preview showing what the PDF shows, and `--compare` in one vocabulary.

Expected dates are read from the sample XML by hand; the slip captions are those of the
Finnish form (Finance Finland's guide), not taken from our own output.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, SAMPLES, TEST_DATA, kassavirta_cli
from kassavirta.cli import main
from kassavirta.config.policy import RunOptions, build_policy
from kassavirta.config.settings import settings_from_mapping
from kassavirta.render import build_pages, render_html, render_pdf
from kassavirta.render import pdf as pdf_module
from kassavirta.render.fonts import FILES, find_dejavu, font_in
from kassavirta.render.labels import FIELD_NAMES
from kassavirta.render.view import Page
from kassavirta.rewrite import RewriteResult, rewrite_document

pypdf = pytest.importorskip("pypdf")

ROUTE = SAMPLES / "route"
SETTINGS = SAMPLES / "settings.json"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SLIP_CAPTIONS = (
    ("Saajan tilinumero", "Mottagarens kontonummer"),
    ("Saaja", "Mottagare"),
    ("Maksaja", "Betalare"),
    ("Allekirjoitus", "Underskrift"),
    ("Tililtä nro", "Från konto nr"),
    ("Viitenro", "Ref.nr"),
    ("Eräpäivä", "Förfallodag"),
)


def rewrite(path: Path) -> RewriteResult:
    settings = settings_from_mapping(json.loads(SETTINGS.read_text("utf-8")))
    policy = build_policy(RunOptions(), today=date(2026, 12, 1), settings=settings)
    result = rewrite_document(path.read_bytes(), policy, path=path.name)
    assert result.routed, result.reasons
    return result


def pages_of(path: Path) -> list[Page]:
    return build_pages(rewrite(path))


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def html_text(page: str) -> str:
    """The words of the page's body as a reader sees them (tags and styles left out)."""
    body = page.split("<body>", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", body.replace("&nbsp;", " ")))


def words(text: str) -> Counter[str]:
    return Counter(w.casefold() for w in text.split())


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("name", "issued", "due"),
    [
        ("finvoice-3.0.xml", "20.11.2026", "15.12.2026"),  # InvoiceDate 20261120, due 20261215
        ("peppol-bis-3.xml", "20.11.2026", "15.12.2026"),  # IssueDate, DueDate
        ("peppol-bis-3-credit-note.xml", "20.11.2026", None),  # a credit note has no due date
        ("finvoice-3.0-credit-note.xml", "20.11.2026", None),
    ],
)
def test_dates_are_printed_as_finns_write_them(name: str, issued: str, due: str | None) -> None:
    pages = pages_of(ROUTE / name)
    printed = pdf_text(render_pdf(pages))
    page = html_text(render_html(pages))
    for text in (printed, page):
        assert issued in text
        assert not ISO_DATE.search(text), ISO_DATE.findall(text)
        if due:  # in the invoice facts and in the slip's due date box
            assert text.count(due) == 2


def test_machine_outputs_keep_iso_dates() -> None:
    """The QR code a banking app reads and the bank barcode keep their machine forms."""
    page = pages_of(ROUTE / "finvoice-3.0.xml")[0]
    assert page.qr_payload is not None and "ReqdExctnDt/2026-12-15" in page.qr_payload
    assert page.barcode is not None and page.barcode.endswith("261215")


# --------------------------------------------------------------------------- the slip


SLIPS = [ROUTE / "finvoice-3.0.xml", ROUTE / "finvoice-3.0-swedish.xml", ROUTE / "peppol-bis-3.xml"]
ENGLISH = TEST_DATA / "rewrite" / "finvoice-2.0.xml"  # an English invoice: the form is still fi/sv


@pytest.mark.parametrize("path", [*SLIPS, ENGLISH], ids=lambda p: p.name)
def test_the_slip_has_the_bank_forms_finnish_and_swedish_captions(path: Path) -> None:
    pages = pages_of(path)
    printed = pdf_text(render_pdf(pages))
    slip = printed[printed.index("Saajan tilinumero") :]
    lines = [line.strip() for line in slip.splitlines()]
    for fi, sv in SLIP_CAPTIONS:  # Finnish above Swedish, as on the form
        assert lines[lines.index(fi) + 1] == sv
    assert "Euro" in lines
    page = render_html(pages)
    for fi, sv in SLIP_CAPTIONS:
        assert re.search(f'<td class="lbl[^"]*">{fi}<br>{sv}</td>', page), fi


def test_a_credit_note_has_no_slip_captions() -> None:
    pages = pages_of(ROUTE / "peppol-bis-3-credit-note.xml")
    for text in (pdf_text(render_pdf(pages)), html_text(render_html(pages))):
        assert "Mottagarens kontonummer" not in text and "Underskrift" not in text


# --------------------------------------------------------------------------- the font


def fonts_of(data: bytes) -> list[Any]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
    return list(found.values())


def descriptor(font: Any) -> Any:
    """The font's descriptor (a Type0 font's is on its descendant), {} for a core font."""
    descendants = font.get("/DescendantFonts")
    owner = descendants[0].get_object() if descendants else font
    found = owner.get("/FontDescriptor")
    return found.get_object() if found is not None else {}


def test_the_pdf_embeds_its_font_and_is_pdfa_2b() -> None:
    if find_dejavu() is None:
        pytest.skip("DejaVu Sans is not installed (fonts-dejavu-core)")
    data = render_pdf(pages_of(ROUTE / "finvoice-3.0.xml"))
    fonts = fonts_of(data)
    assert fonts
    for font in fonts:  # every font a subset of DejaVu Sans with its TrueType program
        assert re.fullmatch(r"/[A-Z]{6}\+DejaVuSans.*", str(font["/BaseFont"]))
        assert "/FontFile2" in descriptor(font)
    assert data.startswith(b"%PDF-1.7")
    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    intents = [i.get_object() for i in root["/OutputIntents"]]
    assert [str(i["/S"]) for i in intents] == ["/GTS_PDFA1"]
    assert "/DestOutputProfile" in intents[0]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert 'xmp:CreateDate="2026-11-20T00:00:00+00:00"' in xmp  # dated by the invoice
    # Deterministic: the same invoice gives the same bytes, XMP included.
    assert data == render_pdf(pages_of(ROUTE / "finvoice-3.0.xml"))


def test_without_the_font_the_pdf_falls_back_to_helvetica() -> None:
    pages = pages_of(ROUTE / "finvoice-3.0-swedish.xml")
    data = render_pdf(pages, embed=False)
    fonts = fonts_of(data)
    assert {str(f["/BaseFont"]) for f in fonts} <= {"/Helvetica", "/Helvetica-Bold"}
    assert all("/FontFile2" not in descriptor(f) for f in fonts)
    assert "/OutputIntents" not in pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    text = pdf_text(data)
    assert "Skärgårdens Båtservice" in text and "Från konto nr" in text


def test_preview_says_when_the_pdf_is_not_embedded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pdf_module, "find_dejavu", lambda: None)
    out = tmp_path / "p.pdf"
    argv = ["preview", str(ROUTE / "finvoice-3.0.xml"), "--settings", str(SETTINGS)]
    assert main([*argv, "--today", "2026-12-01", "--no-config", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "DejaVu Sans not found" in err and "not PDF/A" in err
    assert out.read_bytes().startswith(b"%PDF-")


def test_a_font_folder_needs_the_regular_and_bold_faces(tmp_path: Path) -> None:
    system = find_dejavu()
    if system is None:
        pytest.skip("DejaVu Sans is not installed (fonts-dejavu-core)")
    assert font_in(tmp_path) is None
    (tmp_path / FILES[""]).write_bytes(system.files[""].read_bytes())
    assert font_in(tmp_path) is None  # no bold
    (tmp_path / FILES["B"]).write_bytes(system.files["B"].read_bytes())
    font = font_in(tmp_path)
    assert font is not None
    # fonts-dejavu-core has no oblique: italic falls back to the upright faces.
    assert font.files["I"] == tmp_path / FILES[""] and font.files["BI"] == tmp_path / FILES["B"]


# --------------------------------------------------------------------------- parity


ROUTED = sorted(ROUTE.glob("*.xml"))


@pytest.mark.parametrize("path", ROUTED, ids=lambda p: p.name)
def test_the_html_preview_shows_what_the_pdf_shows(path: Path) -> None:
    """Word for word (captions compared without case: the HTML capitalises by CSS), except
    the PDF's page numbers."""
    result = rewrite(path)
    pages = build_pages(result)
    data = render_pdf(pages)
    printed = words(pdf_text(data))
    shown = words(html_text(render_html(pages)))
    count = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    for number in range(1, count + 1):
        printed[f"{number}/{count}"] -= 1
    printed = +printed
    assert set(printed) == set(shown), (set(printed) - set(shown), set(shown) - set(printed))
    buyer = result.invoices[0].buyer.business_id
    if buyer:
        assert buyer.casefold() in shown and buyer.casefold() in printed


# --------------------------------------------------------------------------- --compare


@pytest.mark.parametrize(
    "name", ["finvoice-3.0.xml", "peppol-bis-3.xml", "peppol-bis-3-credit-note.xml", "cii.xml"]
)
def test_compare_speaks_one_vocabulary(name: str) -> None:
    result = rewrite(ROUTE / name)
    page = render_html(build_pages(result), compare=True)
    section = page[page.index('<section class="compare">') : page.index('<section class="sheet"')]
    labels = re.findall(r"<tr(?: class=\"changed\")?><td>(.*?)</td>", section)
    names = set(FIELD_NAMES.values())
    for cell in labels:  # a readable name, then at most the element path as a detail
        label, _, detail = cell.partition("<br>")
        assert html.unescape(label) in names, label
        assert not detail or re.fullmatch(r"<code>/[^<]*</code>", detail), detail
    items = re.findall(r"<li>(.*?)</li>", section.split("<h3>Notes</h3>")[0], re.S)
    assert len(items) == len(result.changes)
    for item, change in zip(items, result.changes, strict=True):
        assert item.startswith(html.escape(FIELD_NAMES[change.field]) + ":")
        assert item.endswith(f"<br><code>{html.escape(change.xpath)}</code>")
    # No internal ids or bare element names outside the detail.
    prose = re.sub(r"<code>.*?</code>", "", section)
    assert not re.search(r"\b(payment|factoring)\.[a-z_]+|seller_accounts|AccountDetails", prose)


def test_every_field_a_rewriter_changes_has_a_readable_name() -> None:
    fields = set()
    for path in [*ROUTED, *sorted((TEST_DATA / "rewrite").glob("*.xml"))]:
        settings = settings_from_mapping(json.loads(SETTINGS.read_text("utf-8")))
        policy = build_policy(RunOptions(), today=date(2026, 12, 1), settings=settings)
        for rf in (False, True):
            result = rewrite_document(path.read_bytes(), policy, path=path.name, rf=rf)
            fields |= {c.field for c in result.changes}
    assert fields and fields <= set(FIELD_NAMES), fields - set(FIELD_NAMES)


# --------------------------------------------------------------------------- the docs


def doc_block(after: str) -> list[str]:
    """The lines of the first fenced block after `after` in docs/rewrite.md, dedented."""
    text = (ROOT / "docs" / "rewrite.md").read_text("utf-8")
    rest = text[text.index(after) :]
    block = rest.split("```", 2)[1]
    return [line.strip() for line in block.splitlines()[1:] if line.strip()]


def test_the_docs_show_the_real_slip_and_compare_rows(tmp_path: Path) -> None:
    """The excerpts in docs/rewrite.md are the output of its own example commands (run from
    the repository, where samples/kassavirta.toml gives the settings)."""
    pdf, page = tmp_path / "preview.pdf", tmp_path / "preview.html"
    for out, extra in ((pdf, ()), (page, ("--compare",))):
        done = kassavirta_cli("preview", "samples/route/finvoice-3.0.xml", "-o", str(out), *extra)
        assert done.returncode == 0, done.stderr
    printed = pdf_text(pdf.read_bytes())
    slip = [line.strip() for line in printed[printed.index("Saajan tilinumero") :].splitlines()]
    documented = doc_block("The PDF's slip, as `pypdf` reads it back")
    assert slip[: len(documented)] == documented
    section = page.read_text("utf-8").split('<section class="sheet"')[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S):
        cells = re.findall(r"<t[dh]>(.*?)</t[dh]>", row, re.S)
        rows.append(
            " | ".join(
                html.unescape(re.sub(r"<br><code>(.*?)</code>", r"  [\1]", c)) for c in cells
            )
        )
    documented = doc_block("The first rows of the")
    assert rows[: len(documented)] == documented
