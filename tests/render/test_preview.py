"""The regenerated invoice image: PDF text, self-contained HTML, the compare view,
the Code 128 bank barcode, the EPC payment QR code and the console script."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import SAMPLES, TEST_DATA, kassavirta_cli
from kassavirta.config.policy import RunOptions, build_policy
from kassavirta.config.settings import Settings, settings_from_mapping
from kassavirta.finnish.reference import format_fi_reference
from kassavirta.render import build_pages, code128, epcqr, render_html, render_pdf
from kassavirta.render.view import money, number
from kassavirta.rewrite import RewriteResult, rewrite_document

pypdf = pytest.importorskip("pypdf")

DATA = TEST_DATA / "rewrite"
ARGS = ("--settings", str(DATA / "settings.json"), "--today", "2026-12-01", "--no-config")


def settings(**changes: object) -> Settings:
    base = json.loads((DATA / "settings.json").read_text(encoding="utf-8"))
    base.update(changes)
    return settings_from_mapping(base)


def rewrite(name: str, s: Settings | None = None) -> RewriteResult:
    policy = build_policy(RunOptions(), today=date(2026, 12, 1), settings=s or settings())
    return rewrite_document((DATA / name).read_bytes(), policy, path=name)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- PDF


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("finvoice-3.0.xml", ("LASKU", "Eräpäivä", "Viitenumero", "Pankkiviivakoodi")),
        ("finvoice-2.01.xml", ("FAKTURA", "Förfallodag", "Referensnummer", "Bankstreckkod")),
        ("finvoice-2.0.xml", ("INVOICE", "Due date", "Reference", "Bank barcode")),
        ("finvoice-1.3.xml", ("LASKU", "Eräpäivä", "Viitenumero", "Pankkiviivakoodi")),
    ],
)
def test_pdf_carries_the_new_payment_details_and_clause(name: str, words: tuple[str, ...]) -> None:
    result = rewrite(name)
    pages = build_pages(result)
    text = pdf_text(render_pdf(pages))
    plain = squash(text)
    invoice = result.invoices[0]
    assert "FI95 8000 0012 3456 02" in plain and "DABAFIHH" in plain
    assert format_fi_reference(result.plans[0].reference) in plain
    for line in result.plans[0].clause.lines:
        assert squash(line) in plain
    assert invoice.payment.due_date is not None
    # Dates as Finns read them (d.m.yyyy), never ISO 8601, on the page and on the slip.
    due, issued = invoice.payment.due_date, invoice.issue_date
    assert issued is not None
    assert plain.count(f"{due.day}.{due.month}.{due.year}") == 2  # the facts and the slip
    assert f"{issued.day}.{issued.month}.{issued.year}" in plain
    assert not re.search(r"\d{4}-\d{2}-\d{2}", plain)
    assert invoice.number is not None and invoice.number in plain
    assert "Kahvipaahtimo Sumu Oy" in plain and "Visma Amili Finland Oy" in plain
    for row in invoice.rows:
        assert row.article is not None and row.article[:20] in plain
    # The bank barcode's digits are printed under it (only where one can be made).
    assert pages[0].barcode is not None and pages[0].barcode in plain
    for word in words:  # captions are printed in capitals
        assert word.casefold() in text.casefold()
    # The old account is gone from the image.
    old = result.originals[0].payment.iban
    assert old is not None and old not in plain.replace(" ", "")


def test_pdf_is_the_same_bytes_for_the_same_invoice() -> None:
    pages = build_pages(rewrite("finvoice-3.0.xml"))
    assert render_pdf(pages) == render_pdf(build_pages(rewrite("finvoice-3.0.xml")))
    assert render_pdf(pages).startswith(b"%PDF-")


def test_pdf_shows_totals_vat_breakdown_and_rows() -> None:
    text = squash(pdf_text(render_pdf(build_pages(rewrite("finvoice-3.0.xml")))))
    for expected in ("360,00 EUR", "64,20 EUR", "424,20 EUR", "Maksettava", "ALV-ERITTELY",
                     "25,5 %", "14 %", "240,00", "33,60", "10 kpl", "Y-tunnus 2345678-0"):  # fmt: skip
        assert expected in text


def test_company_mode_renders_the_original_payment_details() -> None:
    result = rewrite("finvoice-3.0.xml", settings(accountable_party="company"))
    pages = build_pages(result)
    assert not pages[0].rewritten and pages[0].clause == ()
    text = squash(pdf_text(render_pdf(pages)))
    assert "FI50 5000 0001 2050 37" in text and "OKOYFIHH" in text
    assert "FI95 8000 0012 3456 02" not in text
    assert "5 51232" in text  # the invoice's own reference
    assert "accountable_party = company" in text
    # The original barcode data is drawn, computed from the invoice's own payment details.
    assert pages[0].barcode == "450500000012050370004242000000000000000000551232261211"


# --------------------------------------------------------------------------- HTML


def test_html_is_one_self_contained_page() -> None:
    result = rewrite("finvoice-3.0.xml")
    page = render_html(build_pages(result))
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(images) == 2  # barcode and QR code
    svgs = [base64.b64decode(i).decode("utf-8") for i in images]
    assert all(s.startswith("<svg") for s in svgs)
    assert "FI95 8000 0012 3456 02" in page
    assert format_fi_reference(result.plans[0].reference) in page
    for line in result.plans[0].clause.lines:
        assert line in page
    assert "11.12.2026" in page and "2026-12-11" not in page and "<mark>" not in page


def test_html_compare_shows_both_values_and_highlights_changes(tmp_path: Path) -> None:
    page = render_html(build_pages(rewrite("finvoice-3.0.xml")), compare=True)
    changed = re.findall(r'<tr class="changed">(.*?)</tr>', page)
    assert any("FI50 5000 0001 2050 37" in r and "FI95 8000 0012 3456 02" in r for r in changed)
    assert any("Kahvipaahtimo Sumu Oy" in r and "Visma Amili Finland Oy" in r for r in changed)
    # Unchanged values are shown too, not highlighted.
    assert re.search(r"<tr><td>Due date</td><td>11.12.2026</td><td>11.12.2026</td></tr>", page)
    assert "/Finvoice/EpiDetails/EpiPartyDetails/EpiBfiPartyDetails/EpiBfiName" in page
    assert "<mark>" in page and 'class="clause changed"' in page


# --------------------------------------------------------------------------- codes


def _decode_code128(widths: list[int]) -> str:
    """Read set C back from bar/space widths: the inverse of the symbol table."""
    table = {p: v for v, p in enumerate(code128.PATTERNS)}
    symbols = [table["".join(map(str, widths[i : i + 6]))] for i in range(0, len(widths) - 7, 6)]
    assert symbols[0] == code128.START_C
    assert "".join(map(str, widths[-7:])) == code128.PATTERNS[code128.STOP]
    data, check = symbols[1:-1], symbols[-1]
    assert check == (code128.START_C + sum(i * v for i, v in enumerate(data, 1))) % 103
    return "".join(f"{v:02d}" for v in data)


def test_code128_symbol_table_is_well_formed() -> None:
    assert len(code128.PATTERNS) == 107 and len(set(code128.PATTERNS)) == 107
    for value, pattern in enumerate(code128.PATTERNS):
        assert sum(map(int, pattern)) == (13 if value == code128.STOP else 11)
        assert all(1 <= int(w) <= 4 for w in pattern)


def test_code128_encodes_the_54_digit_bank_barcode_in_set_c() -> None:
    digits = "479440520200360820048831500000000868516259619897100612"
    symbols = code128.symbols(digits)
    assert symbols[0] == 105 and symbols[-1] == 106 and len(symbols) == 30
    assert symbols[1:4] == [47, 94, 40]
    assert _decode_code128(code128.widths(digits)) == digits
    # 29 symbols of 11 modules, the stop of 13, and a 10-module quiet zone each side.
    assert code128.total_modules(digits) == 29 * 11 + 13 + 20
    with pytest.raises(ValueError):
        code128.symbols("123")


def test_the_drawn_barcode_is_the_plan_barcode() -> None:
    page = build_pages(rewrite("finvoice-3.0.xml"))[0]
    assert page.barcode is not None
    svg = base64.b64decode(
        re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', render_html([page]))[0]
    ).decode()
    bars = [(int(x), int(w)) for x, w in re.findall(r'<rect x="(\d+)" y="0" width="(\d+)"', svg)]
    assert bars == code128.bars(page.barcode)


def test_epc_payload_fields_in_the_guideline_order() -> None:
    payload = epcqr.epc_payload(
        "DABAFIHH", "Visma Amili Finland Oy", "FI95 8000 0012 3456 02", Decimal("424.2"),
        "841937935203", date(2026, 12, 11),
    )  # fmt: skip
    assert payload.split("\n") == [
        "BCD", "002", "1", "SCT", "DABAFIHH", "Visma Amili Finland Oy", "FI9580000012345602",
        "EUR424.20", "", "841937935203", "", "ReqdExctnDt/2026-12-11",
    ]  # fmt: skip
    short = epcqr.epc_payload(None, "A" * 80, "FI9580000012345602", None, None, None)
    assert short.split("\n") == ["BCD", "002", "1", "SCT", "", "A" * 70, "FI9580000012345602"]


def test_qr_code_is_made_with_level_m_within_version_13() -> None:
    import segno

    page = build_pages(rewrite("finvoice-3.0.xml"))[0]
    assert page.qr_payload is not None and "FI9580000012345602" in page.qr_payload
    code = segno.make_qr(page.qr_payload, error="m", boost_error=False, encoding="utf-8")
    rows = epcqr.matrix(page.qr_payload)
    assert code.error == "M" and int(code.version) <= 13
    assert len(rows) == len(code.matrix) + 2 * epcqr.QUIET_ZONE
    assert rows[epcqr.QUIET_ZONE][epcqr.QUIET_ZONE : -epcqr.QUIET_ZONE] == [
        bool(v) for v in code.matrix[0]
    ]


def test_no_qr_code_for_a_credit_note_amount() -> None:
    assert (
        epcqr.epc_payload("DABAFIHH", "X", "FI9580000012345602", Decimal("-5"), None, None).split(
            "\n"
        )[7:]
        == []
    )


def test_amounts_and_numbers_are_printed_per_language() -> None:
    assert money(Decimal("1234.5"), "fi") == "1 234,50"
    assert money(Decimal("1234.5"), "en") == "1,234.50"
    assert number(Decimal("25.50"), "sv") == "25,5" and number(Decimal("10"), "fi") == "10"


def test_peppol_terms_print_without_the_clause_and_unit_codes_in_words() -> None:
    """The UBL rewrite adds the clause to cac:PaymentTerms/cbc:Note after a line break;
    the one-line terms field prints the terms alone (the clause has its own box)."""
    from kassavirta.config.settings import load_settings

    samples = SAMPLES
    policy = build_policy(
        RunOptions(), today=date(2026, 12, 1), settings=load_settings(samples / "settings.json")
    )
    source = (samples / "route" / "peppol-bis-3.xml").read_bytes()
    result = rewrite_document(source, policy)
    clause = result.plans[0].clause.text
    assert result.invoices[0].payment_terms_text == f"14 päivää netto\n{clause}"
    [page] = build_pages(result)
    assert page.terms == "14 päivää netto"
    assert [r.unit for r in result.invoices[0].rows] == ["C62", "C62", "C62"]
    text = squash(pdf_text(render_pdf([page])))
    assert "Maksuehto" in text and "14 päivää netto" in text and "nettoTämä" not in text
    assert "6 kpl" in text and "C62" not in text
    html = render_html([page])
    assert "<td>14 päivää netto</td>" in html and ">6 kpl<" in html and "C62" not in html


def test_unit_codes_per_language() -> None:
    from kassavirta.render.labels import unit_label

    assert [unit_label(c, "fi") for c in ("C62", "H87", "EA", "HUR", "DAY", "MON")] == [
        "kpl",
        "kpl",
        "kpl",
        "h",
        "pv",
        "kk",
    ]
    assert [unit_label(c, "sv") for c in ("C62", "DAY", "MON", "KWH")] == [
        "st",
        "dag",
        "mån",
        "kWh",
    ]
    assert [unit_label(c, "en") for c in ("C62", "KGM", "MTR", "LTR")] == ["pcs", "kg", "m", "l"]
    assert (unit_label("kpl", "en"), unit_label(" h ", "fi"), unit_label(None, "fi")) == (
        "kpl",
        "h",
        "",
    )


# --------------------------------------------------------------------------- console script


def test_cli_preview_pdf(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "preview.pdf"
    done = cli("preview", str(DATA / "finvoice-3.0.xml"), *ARGS, "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = squash(pdf_text(out.read_bytes()))
    assert "FI95 8000 0012 3456 02" in text and "velkojalle" in text


def test_cli_preview_html_compare(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "preview.html"
    done = cli("preview", str(DATA / "finvoice-2.01.xml"), *ARGS, "-o", str(out), "--compare")
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert '<html lang="sv">' in page and 'class="changed"' in page and "överlåtits" in page


def test_cli_preview_refusals_and_usage(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    late = ("--settings", str(DATA / "settings.json"), "--today", "2026-12-10", "--no-config")
    out = tmp_path / "x.pdf"
    refused = cli("preview", str(DATA / "finvoice-3.0.xml"), *late, "-o", str(out))
    assert refused.returncode == 1 and "due-date-too-soon" in refused.stderr
    assert not out.exists()
    wrong = cli("preview", str(DATA / "finvoice-3.0.xml"), *ARGS, "-o", str(tmp_path / "x.png"))
    assert wrong.returncode == 2
    compare_pdf = cli("preview", str(DATA / "finvoice-3.0.xml"), *ARGS, "-o", str(out), "--compare")
    assert compare_pdf.returncode == 2 and "html" in compare_pdf.stderr
    helped = cli("preview", "--help")
    assert helped.returncode == 0 and "--compare" in helped.stdout


def test_cli_preview_writes_through_a_character_device() -> None:
    """`-o /dev/null` (does the invoice render?) was refused for its missing .pdf suffix; a
    device is written through like `rewrite -o` does, as PDF unless HTML is asked for."""
    invoice = str(DATA / "finvoice-3.0.xml")
    for extra in ((), ("--compare",), ("--format", "html")):
        done = kassavirta_cli("preview", invoice, *ARGS, "-o", os.devnull, *extra)
        assert done.returncode == 0, done.stderr
        assert done.stderr.endswith(f"kassavirta preview: wrote {os.devnull} (rewritten invoice)\n")
        assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    pdf_compare = kassavirta_cli(
        "preview", invoice, *ARGS, "-o", os.devnull, "--format", "pdf", "--compare"
    )
    assert pdf_compare.returncode == 2 and "html" in pdf_compare.stderr


def test_cli_preview_format_overrides_the_name(tmp_path: Path) -> None:
    invoice = str(DATA / "finvoice-3.0.xml")
    page, pdf = tmp_path / "page.out", tmp_path / "image.html"
    assert (
        kassavirta_cli("preview", invoice, *ARGS, "-o", str(page), "--format", "html").returncode
        == 0
    )
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (
        kassavirta_cli("preview", invoice, *ARGS, "-o", str(pdf), "--format", "pdf").returncode == 0
    )
    assert pdf.read_bytes().startswith(b"%PDF-")
    unnamed = kassavirta_cli("preview", invoice, *ARGS, "-o", str(tmp_path / "x.png"))
    assert unnamed.returncode == 2 and not (tmp_path / "x.png").exists()
    assert unnamed.stderr == (
        f"kassavirta preview: {tmp_path / 'x.png'}: -o must name a .pdf or .html file "
        "(or give --format)\n"
    )


def test_check_does_not_import_the_renderers() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from kassavirta.cli import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fpdf', 'segno', 'PIL')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_long_invoice_shows_its_first_rows_and_names_the_others() -> None:
    """Past `SHOWN_ROWS` the preview names the rows it leaves out, in the invoice's language,
    in the PDF and the HTML alike; the totals are the invoice's own."""
    from helpers import benchmark_module
    from kassavirta.render.view import SHOWN_ROWS

    data = benchmark_module("generate").row_invoice(SHOWN_ROWS + 5)
    policy = build_policy(RunOptions(), today=date(2026, 12, 1), settings=settings())
    result = rewrite_document(data, policy, path="long.xml")
    assert result.routed, result.reasons
    page = build_pages(result)[0]
    rows = [line for line in page.lines if line.kind in ("row", "uncounted")]
    assert len(rows) == SHOWN_ROWS
    words = {"fi": "5 riviä lisää", "sv": "5 rader till", "en": "5 more rows"}[page.language]
    named = f"{SHOWN_ROWS + 1}–{SHOWN_ROWS + 5}"
    note = [line.cells[0] for line in page.lines if words in line.cells[0]]
    assert len(note) == 1 and named in note[0]
    assert words in squash(pdf_text(render_pdf([page])))
    assert words in render_html([page]) and named in render_html([page])
    total = money(result.invoices[0].total, page.language)
    assert total in render_html([page])
