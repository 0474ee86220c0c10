"""The invoice image as a PDF, drawn with fpdf2.

fpdf2 is pure Python, actively maintained and small (its only dependencies
are Pillow, fontTools and defusedxml); it draws the barcode and the QR code
as vector rectangles, and with a fixed creation date it writes the same bytes
for the same invoice, so previews can be compared. It uses the PDF core font
Helvetica in the Windows-1252 encoding, which covers Finnish and Swedish
letters and the euro sign; any other character is printed as `?`.

The page follows the usual Finnish invoice: seller and invoice facts at the
top, the buyer in the envelope window, rows, VAT breakdown and totals, the
transfer clause, and at the foot the payment slip (bank giro) with the bank
barcode and the payment QR code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from fpdf import FPDF

from kassavirta.render import code128, epcqr
from kassavirta.render.view import (
    Page,
    iso,
    money,
    number,
    party_lines,
    printed_iban,
    printed_reference,
    quantity,
)

LEFT = 15.0
RIGHT = 195.0
WIDTH = RIGHT - LEFT
PAGE_HEIGHT = 297.0
SLIP_HEIGHT = 84.0
SLIP_TOP = PAGE_HEIGHT - 12.0 - SLIP_HEIGHT
MODULE = 0.3
"""Bar module width in mm; the bank barcode guide asks for at least 0.25 mm."""
BARCODE_HEIGHT = 13.0
GREY = (90, 90, 90)


def _t(text: object) -> str:
    """Text in the core font's encoding (Windows-1252), unknown characters as '?'."""
    value = "" if text is None else str(text)
    return value.encode("cp1252", "replace").decode("cp1252")


class _Invoice(FPDF):
    def label(self, x: float, y: float, text: str, width: float = 0.0, align: str = "L") -> None:
        """A small grey caption; in a box of `width`, wrapped or shrunk to fit it."""
        self.set_text_color(*GREY)
        lines = [_t(text.upper())]
        size = 7.0
        self.set_font("Helvetica", "", size)
        if width and self.get_string_width(lines[0]) > width - 1 and " " in lines[0]:
            head, _, tail = lines[0].partition(" ")
            lines = [head, tail]
        while width and size > 4.5 and max(self.get_string_width(x) for x in lines) > width - 1:
            size -= 0.5
            self.set_font("Helvetica", "", size)
        for n, line in enumerate(lines):
            self.set_xy(x, y + n * 2.9)
            self.cell(width, 3.0, line, align=align)
        self.set_text_color(0, 0, 0)

    def text_at(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 9,
        style: str = "",
        width: float = 0.0,
        align: str = "L",
    ) -> None:
        self.set_font("Helvetica", style, size)
        self.set_xy(x, y)
        value = _t(text)
        if width:
            while value and self.get_string_width(value) > width - 1:
                value = value[:-2] + "…"
        self.cell(width, size * 0.42, value, align=align)


def _header(pdf: _Invoice, page: Page) -> float:
    inv = page.invoice
    seller = party_lines(inv, "seller")
    pdf.text_at(LEFT, 15, seller[0] if seller else "", size=14, style="B", width=95)
    y = 22.0
    for line in seller[1:]:
        pdf.text_at(LEFT, y, line)
        y += 4.2
    if inv.seller.business_id:
        pdf.text_at(LEFT, y, f"{page.t('business_id')} {inv.seller.business_id}")
        y += 4.2
    if inv.seller.vat_code:
        pdf.text_at(LEFT, y, f"{page.t('vat_number')} {inv.seller.vat_code}")
        y += 4.2

    pdf.text_at(115, 14, page.title, size=16, style="B", width=80, align="R")
    facts = [
        (page.t("number"), inv.number or ""),
        (page.t("date"), iso(inv.issue_date)),
        (page.t("due_date"), iso(inv.payment.due_date or inv.due_date)),
        (page.t("reference"), printed_reference(inv.payment.reference)),
    ]
    if page.terms:
        facts.append((page.t("terms"), page.terms))
    if inv.penalty_interest_percent is not None:
        facts.append(
            (page.t("interest"), number(inv.penalty_interest_percent, page.language) + " %")
        )
    fy = 23.0
    for key, value in facts:
        pdf.set_text_color(*GREY)
        pdf.text_at(115, fy, key, size=8.5, width=36)
        pdf.set_text_color(0, 0, 0)
        pdf.text_at(
            151, fy, value, size=9, style="B" if key == page.t("due_date") else "", width=44
        )
        fy += 4.6

    buyer_top = max(50.0, y + 6, fy + 4)
    pdf.label(LEFT, buyer_top, page.t("buyer"))
    by = buyer_top + 4.5
    for line in party_lines(inv, "buyer"):
        pdf.text_at(LEFT, by, line, size=10)
        by += 4.6
    if inv.buyer.business_id:
        pdf.text_at(LEFT, by, f"{page.t('business_id')} {inv.buyer.business_id}", size=8.5)
        by += 4.6
    return max(by + 8, 88.0)


_COLUMNS = (
    ("item", 62.0, "L"),
    ("quantity", 18.0, "R"),
    ("unit_price", 22.0, "R"),
    ("vat_percent", 14.0, "R"),
    ("vat_excluded", 22.0, "R"),
    ("vat", 20.0, "R"),
    ("row_total", 22.0, "R"),
)


def _row_header(pdf: _Invoice, page: Page, y: float) -> float:
    x = LEFT
    for key, width, align in _COLUMNS:
        pdf.text_at(x, y, page.t(key), size=8, style="B", width=width, align=align)
        x += width
    y += 4.5
    pdf.set_line_width(0.4)
    pdf.line(LEFT, y, RIGHT, y)
    pdf.set_line_width(0.15)
    return y + 1.5


def _rows(pdf: _Invoice, page: Page, y: float) -> float:
    """The rows, continued on further pages (with the column heads) when they do not fit."""
    lang = page.language
    y = _row_header(pdf, page, y)
    for row in page.rows:
        if y > PAGE_HEIGHT - 22:
            _new_page(pdf, page)
            y = _row_header(pdf, page, 16.0)
        values = (
            row.article or "",
            quantity(row, lang),
            money(row.unit_price, lang),
            number(row.vat_percent, lang),
            money(row.vat_excluded, lang),
            money(row.vat_amount, lang),
            money(row.counted_amount, lang),
        )
        x = LEFT
        for (_, width, align), value in zip(_COLUMNS, values, strict=True):
            pdf.text_at(x, y, value, size=8.5, width=width, align=align)
            x += width
        y += 4.4
        pdf.set_draw_color(210, 210, 210)
        pdf.line(LEFT, y - 0.6, RIGHT, y - 0.6)
        pdf.set_draw_color(0, 0, 0)
    return y + 4


def _sums(pdf: _Invoice, page: Page, y: float) -> float:
    inv, lang = page.invoice, page.language
    top = y
    if inv.vat_lines:
        pdf.label(LEFT, y, page.t("vat_breakdown"))
        y += 4
        for key, x, w in (
            ("vat_percent", LEFT, 18.0),
            ("vat_base", LEFT + 18, 30.0),
            ("vat", LEFT + 48, 24.0),
        ):
            pdf.text_at(x, y, page.t(key), size=7.5, width=w, align="R")
        y += 3.8
        for line in inv.vat_lines:
            pdf.text_at(LEFT, y, f"{number(line.percent, lang)} %", size=8.5, width=18, align="R")
            pdf.text_at(LEFT + 18, y, money(line.base, lang), size=8.5, width=30, align="R")
            pdf.text_at(LEFT + 48, y, money(line.amount, lang), size=8.5, width=24, align="R")
            y += 4.2
    totals: list[tuple[str, Decimal | None]] = [
        ("total_vat_excluded", inv.total_vat_excluded),
        ("total_vat", inv.total_vat),
        ("rounding", inv.rounding),
        ("total", inv.total),
        ("paid", inv.paid_amount),
    ]
    ty = top
    for key, value in totals:
        if value is None:
            continue
        pdf.text_at(120, ty, page.t(key), size=9, width=45)
        pdf.text_at(160, ty, f"{money(value, lang)} EUR", size=9, width=35, align="R")
        ty += 4.6
    due = inv.payment.amount if inv.payment.amount is not None else inv.total
    pdf.set_line_width(0.4)
    pdf.line(120, ty, RIGHT, ty)
    ty += 1.2
    pdf.text_at(120, ty, page.t("amount_due"), size=10.5, style="B", width=40)
    pdf.text_at(155, ty, f"{money(due, lang)} EUR", size=10.5, style="B", width=40, align="R")
    return max(y, ty + 5) + 4


def _clause(pdf: _Invoice, page: Page, y: float) -> float:
    if not page.clause:
        return y
    height = 6.5 + 3.9 * len(page.clause)
    pdf.set_fill_color(244, 244, 244)
    pdf.set_line_width(0.4)
    pdf.rect(LEFT, y, WIDTH, height, style="DF")
    pdf.label(LEFT + 3, y + 1.8, page.t("clause"))
    ly = y + 5.5
    for line in page.clause:
        pdf.text_at(LEFT + 3, ly, line, size=8.5)
        ly += 3.9
    return y + height + 4


def _slip(pdf: _Invoice, page: Page) -> None:
    inv, lang = page.invoice, page.language
    p = inv.payment
    top = SLIP_TOP
    pdf.set_line_width(0.3)
    pdf.set_dash_pattern(dash=1.5, gap=1.2)
    pdf.line(0, top - 3, 210, top - 3)
    pdf.set_dash_pattern()
    label_w, value_w = 31.0, 110.0
    x2 = LEFT + label_w
    payer = party_lines(inv, "buyer")
    rows: list[tuple[str, float]] = [
        (page.t("payee_account"), 10.0),
        (page.t("payee"), 7.0),
        (page.t("payer"), max(11.0, 3.8 * len(payer) + 2.5)),
        (page.t("reference"), 8.0),
        (page.t("amount"), 8.0),
    ]
    y = top
    pdf.set_line_width(0.3)
    for name, height in rows:
        pdf.rect(LEFT, y, label_w, height)
        pdf.rect(x2, y, value_w, height)
        pdf.label(LEFT + 1.2, y + 1.2, name, width=label_w - 1.5)
        y += height
    y = top
    pdf.text_at(x2 + 2, y + 3, printed_iban(p.iban), size=12, style="B", width=74)
    pdf.text_at(x2 + 76, y + 3.4, f"BIC {p.bic or ''}", size=9.5, width=34)
    y += 10
    pdf.text_at(x2 + 2, y + 1.8, page.payee, size=10, width=value_w - 2)
    y += 7
    py = y + 1.3
    for line in payer:
        pdf.text_at(x2 + 2, py, line, size=9, width=value_w - 2)
        py += 3.8
    y += rows[2][1]
    pdf.text_at(x2 + 2, y + 2, printed_reference(p.reference), size=11, style="B", width=56)
    pdf.rect(x2 + 58, y, 20, 8)
    pdf.label(x2 + 59, y + 1.2, page.t("due_date"), width=19)
    pdf.text_at(x2 + 80, y + 2, iso(p.due_date), size=11, style="B", width=30)
    y += 8
    amount = p.amount if p.amount is not None else inv.total
    pdf.text_at(x2 + 2, y + 2, money(amount, lang), size=11, style="B", width=58)
    y += 8

    if page.barcode:
        by = y + 4
        pdf.label(LEFT, by, page.t("barcode"))
        by += 3.6
        pdf.set_fill_color(0, 0, 0)
        for offset, width in code128.bars(page.barcode):
            pdf.rect(LEFT + offset * MODULE, by, width * MODULE, BARCODE_HEIGHT, style="F")
        pdf.text_at(
            LEFT + code128.QUIET_ZONE * MODULE, by + BARCODE_HEIGHT + 1, page.barcode, size=7.5
        )

    if page.qr_payload:
        rows_qr = epcqr.matrix(page.qr_payload)
        side = 37.0
        cell = side / len(rows_qr)
        qx, qy = RIGHT - side + 1, top - 1
        pdf.set_fill_color(0, 0, 0)
        for x, yy, n in epcqr.runs(rows_qr):
            pdf.rect(qx + x * cell, qy + yy * cell, n * cell, cell, style="F")
        pdf.text_at(qx, qy + side, page.t("qr"), size=7.5, width=side, align="C")


def _footer(pdf: _Invoice, page: Page) -> None:
    note = page.t("preview") if page.rewritten else page.t("original_image")
    pdf.set_text_color(138, 75, 0)
    pdf.text_at(LEFT, PAGE_HEIGHT - 9, note, size=7.5, width=WIDTH - 20)
    pdf.set_text_color(0, 0, 0)
    pdf.text_at(
        RIGHT - 20, PAGE_HEIGHT - 9, f"{pdf.page_no()}/{{nb}}", size=7.5, width=20, align="R"
    )


def _new_page(pdf: _Invoice, page: Page) -> None:
    pdf.add_page()
    _footer(pdf, page)


def _sums_height(page: Page) -> float:
    inv = page.invoice
    vat = 8 + 4.2 * len(inv.vat_lines) if inv.vat_lines else 0
    totals = 4.6 * sum(
        v is not None
        for v in (inv.total_vat_excluded, inv.total_vat, inv.rounding, inv.total, inv.paid_amount)
    )
    return max(vat, totals + 7) + 4


def _page(pdf: _Invoice, page: Page) -> None:
    _new_page(pdf, page)
    y = _header(pdf, page)
    y = _rows(pdf, page, y)
    clause = 6.5 + 3.9 * len(page.clause) + 4 if page.clause else 0
    if y + _sums_height(page) + clause > SLIP_TOP - 6:
        _new_page(pdf, page)
        y = 20.0
    y = _sums(pdf, page, y)
    _clause(pdf, page, y)
    _slip(pdf, page)


def render_pdf(pages: list[Page]) -> bytes:
    """The preview as PDF bytes; the same pages give the same bytes."""
    pdf = _Invoice(orientation="P", unit="mm", format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    pdf.set_margins(LEFT, 12, PAGE_HEIGHT - RIGHT)
    first = pages[0].invoice if pages else None
    issued = first.issue_date if first and first.issue_date else None
    stamp = (
        datetime(issued.year, issued.month, issued.day, tzinfo=UTC)
        if issued
        else datetime(2000, 1, 1, tzinfo=UTC)
    )
    pdf.set_creation_date(stamp)
    title = " / ".join(f"{p.title} {p.invoice.number or ''}".strip() for p in pages)
    pdf.set_title(_t(title))
    pdf.set_creator("kassavirta preview")
    pdf.alias_nb_pages()
    for page in pages:
        _page(pdf, page)
    return bytes(pdf.output())
