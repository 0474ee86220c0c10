"""The invoice image as a PDF, drawn with fpdf2.

fpdf2 is pure Python, actively maintained and small (its only dependencies
are Pillow, fontTools and defusedxml); it draws the barcode and the QR code
as vector rectangles, and with a fixed creation date it writes the same bytes
for the same invoice, so previews can be compared.

The font is DejaVu Sans, embedded (subset) from the TrueType files of the
system (Debian's fonts-dejavu-core, which CI installs; `fonts.find_dejavu`
says where else it looks), and the file is then PDF/A-2b: an archivable
invoice image that looks the same in every viewer. Where no DejaVu Sans is
found, the page falls back to the PDF core font Helvetica in Windows-1252
(Finnish and Swedish letters and `€`; any other character as `?`), which a
viewer substitutes, so that file is not PDF/A; `kassavirta preview` says so.

The page follows the usual Finnish invoice: seller and invoice facts at the
top, the buyer in the envelope window, rows, VAT breakdown and totals, the
transfer clause, and at the foot the payment slip (bank giro) with the bank
barcode and the payment QR code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from html import escape

from fpdf import FPDF
from fpdf import __version__ as fpdf_version

from kassavirta.render import code128, epcqr
from kassavirta.render.fonts import Font, find_dejavu
from kassavirta.render.labels import slip_label
from kassavirta.render.view import (
    Page,
    money,
    number,
    party_ids,
    party_lines,
    printed_date,
    printed_iban,
    printed_reference,
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


class _Invoice(FPDF):
    family = "Helvetica"
    embedded = False

    def _t(self, text: object) -> str:
        """The text as the font can print it: as it is with the embedded font, else in the
        core font's encoding (Windows-1252), unknown characters as '?'."""
        value = "" if text is None else str(text)
        return value if self.embedded else value.encode("cp1252", "replace").decode("cp1252")

    def use_font(self, font: Font | None) -> None:
        if font is None:
            self.core_fonts_encoding = "windows-1252"
            return
        for style, path in font.files.items():
            self.add_font(font.family, style, str(path))
        self.family, self.embedded = font.family, True

    def label(self, x: float, y: float, text: str, width: float = 0.0, align: str = "L") -> None:
        """A small grey caption; in a box of `width`, wrapped or shrunk to fit it."""
        self.captions(x, y, [text.upper()], width, align=align)

    def captions(
        self, x: float, y: float, lines: list[str], width: float, *, align: str = "L"
    ) -> None:
        """Small grey caption lines (the first split at a space if it is too wide), all at
        one size, shrunk until the widest fits `width`."""
        self.set_text_color(*GREY)
        lines = [self._t(line) for line in lines]
        size = 7.0
        self.set_font(self.family, "", size)
        wide = width and self.get_string_width(lines[0]) > width - 1
        if wide and len(lines) == 1 and " " in lines[0]:
            head, _, tail = lines[0].partition(" ")
            lines = [head, tail]
        room = width - 2 * self.c_margin - 0.5
        while width and size > 4.5 and max(self.get_string_width(x) for x in lines) > room:
            size -= 0.5
            self.set_font(self.family, "", size)
        for n, line in enumerate(lines):
            self.set_xy(x, y + n * size * 0.41)
            self.cell(width, 3.0, line, align=align)
        self.set_text_color(0, 0, 0)

    def slip_caption(self, x: float, y: float, key: str, width: float) -> None:
        """The payment slip's caption as the Finnish form prints it: Finnish above Swedish."""
        fi, sv = slip_label(key)
        self.captions(x, y, [fi] if fi == sv else [fi, sv], width)

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
        """One line of text; in a box of `width`, shrunk (down to 60 %) rather than cut."""
        value = self._t(text)
        fitted = size
        self.set_font(self.family, style, fitted)
        while width and fitted > size * 0.6 and self.get_string_width(value) > width - 1:
            fitted -= 0.25
            self.set_font(self.family, style, fitted)
        if width:  # still too long at the smallest size: cut, as the last resort
            while value and self.get_string_width(value) > width - 1:
                value = value[:-2] + "…"
        self.set_xy(x, y + (size - fitted) * 0.21)
        self.cell(width, fitted * 0.42, value, align=align)

    def wrap(self, text: str, width: float, *, size: float = 9, style: str = "") -> list[str]:
        """`text` broken into lines that fit `width` at `size`: at spaces, and inside a word
        only when the word alone is wider than the line."""
        self.set_font(self.family, style, size)
        room = width - 1
        lines: list[str] = []
        for paragraph in self._t(text).splitlines() or [""]:
            line = ""
            for word in paragraph.split():
                candidate = f"{line} {word}" if line else word
                if self.get_string_width(candidate) <= room:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while self.get_string_width(word) > room:
                    cut = len(word) - 1
                    while cut > 1 and self.get_string_width(word[:cut]) > room:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
        return lines

    def block(
        self,
        x: float,
        y: float,
        text: str,
        width: float,
        *,
        size: float = 9,
        style: str = "",
        leading: float = 4.2,
        align: str = "L",
    ) -> float:
        """`text` wrapped to `width`, one line every `leading` mm; returns the y below it."""
        for line in self.wrap(text, width, size=size, style=style):
            self.text_at(x, y, line, size=size, style=style, width=width, align=align)
            y += leading
        return y


def _header(pdf: _Invoice, page: Page) -> float:
    inv = page.invoice
    seller = party_lines(inv, "seller")
    y = pdf.block(LEFT, 15, seller[0] if seller else "", 95, size=14, style="B", leading=6.2)
    y = max(y + 0.8, 22.0)
    for line in seller[1:] + party_ids(inv, "seller", page.language):
        y = pdf.block(LEFT, y, line, 95)

    pdf.text_at(115, 14, page.title, size=16, style="B", width=80, align="R")
    facts = [
        (page.t("number"), inv.number or ""),
        (page.t("date"), printed_date(inv.issue_date)),
    ]
    if not page.credit:
        facts.append((page.t("due_date"), printed_date(inv.payment.due_date or inv.due_date)))
    facts += [
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
        style = "B" if key == page.t("due_date") else ""
        fy = pdf.block(151, fy, value, 44, size=9, style=style, leading=4.0) + 0.6

    buyer_top = max(50.0, y + 6, fy + 4)
    pdf.label(LEFT, buyer_top, page.t("buyer"))
    by = buyer_top + 4.5
    for line in party_lines(inv, "buyer"):
        by = pdf.block(LEFT, by, line, 95, size=10, leading=4.6)
    for line in party_ids(inv, "buyer", page.language):
        by = pdf.block(LEFT, by, line, 95, size=8.5, leading=4.6)
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
    y = _row_header(pdf, page, y)
    for line in page.lines:
        style = "I" if line.kind == "charge" else ""
        item, *numbers = line.cells
        article = pdf.wrap(item, _COLUMNS[0][1], size=8.5, style=style)
        height = 4.4 + 3.6 * (len(article) - 1)
        if y + height > PAGE_HEIGHT - 18:
            _new_page(pdf, page)
            y = _row_header(pdf, page, 16.0)
        if line.kind == "uncounted":  # the format's own total leaves it out
            pdf.set_text_color(*GREY)
        for n, text in enumerate(article):
            pdf.text_at(LEFT, y + 3.6 * n, text, size=8.5, style=style, width=_COLUMNS[0][1])
        x = LEFT + _COLUMNS[0][1]
        for (_, width, align), value in zip(_COLUMNS[1:], numbers, strict=True):
            pdf.text_at(x, y, value, size=8.5, style=style, width=width, align=align)
            x += width
        y += height
        pdf.set_text_color(0, 0, 0)
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
            ("vat_percent", LEFT, 16.0),
            ("vat_base", LEFT + 18, 32.0),
            ("vat", LEFT + 52, 22.0),
        ):
            pdf.text_at(x, y, page.t(key), size=7.5, width=w, align="R")
        y += 3.8
        for line in inv.vat_lines:
            pdf.text_at(LEFT, y, f"{number(line.percent, lang)} %", size=8.5, width=16, align="R")
            pdf.text_at(LEFT + 18, y, money(line.base, lang), size=8.5, width=32, align="R")
            pdf.text_at(LEFT + 52, y, money(line.amount, lang), size=8.5, width=22, align="R")
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
    key, due = (
        ("amount_credited", page.amount_credited)
        if page.credit
        else ("amount_due", page.amount_due)
    )
    pdf.set_line_width(0.4)
    pdf.line(120, ty, RIGHT, ty)
    ty += 1.2
    pdf.text_at(120, ty, page.t(key), size=10.5, style="B", width=38)
    pdf.text_at(158, ty, f"{money(due, lang)} EUR", size=10.5, style="B", width=37, align="R")
    return max(y, ty + 5) + 4


def _clause_lines(pdf: _Invoice, page: Page) -> list[str]:
    return [x for line in page.clause for x in pdf.wrap(line, WIDTH - 6, size=8.5)]


def _clause(pdf: _Invoice, page: Page, y: float) -> float:
    if not page.clause:
        return y
    lines = _clause_lines(pdf, page)
    height = 6.5 + 3.9 * len(lines)
    pdf.set_fill_color(244, 244, 244)
    pdf.set_line_width(0.4)
    pdf.rect(LEFT, y, WIDTH, height, style="DF")
    pdf.label(LEFT + 3, y + 1.8, page.t("clause"))
    ly = y + 5.5
    for line in lines:
        pdf.text_at(LEFT + 3, ly, line, size=8.5, width=WIDTH - 6)
        ly += 3.9
    return y + height + 4


def _do_not_pay(pdf: _Invoice, page: Page) -> None:
    """Where an invoice has its payment slip, a credit note says it is not to be paid."""
    top = SLIP_TOP + 20
    pdf.set_line_width(0.6)
    pdf.rect(LEFT, top, WIDTH, 30)
    pdf.text_at(LEFT + 5, top + 5, page.t("do_not_pay"), size=18, style="B", width=WIDTH - 10)
    y = pdf.block(LEFT + 5, top + 14, page.t("credit_note_text"), WIDTH - 10, size=10)
    amount = f"{money(page.amount_credited, page.language)} EUR"
    pdf.text_at(LEFT + 5, y + 2, f"{page.t('amount_credited')}: {amount}", size=12, style="B")


def _slip(pdf: _Invoice, page: Page) -> None:
    if page.credit:
        _do_not_pay(pdf, page)
        return
    inv, lang = page.invoice, page.language
    p = inv.payment
    top = SLIP_TOP
    pdf.set_line_width(0.3)
    pdf.set_dash_pattern(dash=1.5, gap=1.2)
    pdf.line(0, top - 3, 210, top - 3)
    pdf.set_dash_pattern()
    # The Finnish bank transfer form: captions fi/sv on the left, the signature and
    # "from account" boxes left blank for a payer who pays at a counter.
    label_w, value_w = 34.0, 107.0
    blank_w, caption_w = 29.0, 18.0
    x2 = LEFT + label_w
    x3 = x2 + blank_w
    x4 = x3 + caption_w
    date_w, euro_w = 28.0, 8.0
    x5 = x4 + date_w
    x6 = x5 + euro_w
    payer = [x for line in party_lines(inv, "buyer") for x in pdf.wrap(line, value_w - 2)]
    rows: list[tuple[str, float]] = [
        ("payee_account", 10.0),
        ("payee", 8.0),
        ("payer", max(11.0, 3.8 * len(payer) + 2.5)),
        ("signature", 8.0),
        ("from_account", 8.0),
    ]
    y = top
    pdf.set_line_width(0.3)
    for key, height in rows:
        pdf.rect(LEFT, y, label_w, height)
        pdf.rect(x2, y, value_w, height)
        pdf.slip_caption(LEFT + 1.2, y + 1.0, key, label_w - 1.5)
        y += height
    signature_y = y - 16.0
    for x, w in ((x3, caption_w), (x5, euro_w)):
        pdf.rect(x, signature_y + 8.0, w, 8.0)
    pdf.rect(x3, signature_y, caption_w, 8.0)
    pdf.slip_caption(x3 + 1.0, signature_y + 1.0, "reference", caption_w - 1.2)
    pdf.slip_caption(x3 + 1.0, signature_y + 9.0, "due_date", caption_w - 1.2)
    pdf.slip_caption(x5 + 1.0, signature_y + 9.0, "amount", euro_w - 1.2)
    pdf.set_line_width(0.15)
    pdf.line(x2 + 2, signature_y + 6.5, x3 - 2, signature_y + 6.5)  # the signature line
    y = top
    pdf.text_at(x2 + 2, y + 3, printed_iban(p.iban), size=12, style="B", width=74)
    pdf.text_at(x2 + 74, y + 3.4, f"BIC {p.bic or ''}", size=9.5, width=32)
    y += 10
    pdf.text_at(x2 + 2, y + 2.2, page.payee, size=10, width=value_w - 2)
    y += 8
    py = y + 1.3
    for line in payer:
        pdf.text_at(x2 + 2, py, line, size=9, width=value_w - 2)
        py += 3.8
    y = signature_y
    reference_w = RIGHT - 54.0 - x4  # up to the QR code's column
    pdf.text_at(
        x4 + 2, y + 2, printed_reference(p.reference), size=11, style="B", width=reference_w
    )
    y += 8
    pdf.text_at(x4 + 1, y + 2, printed_date(p.due_date), size=11, style="B", width=date_w - 1)
    amount = money(page.amount_due, lang)
    pdf.text_at(x6, y + 2, amount, size=11, style="B", width=x2 + value_w - x6 - 1, align="R")
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
    pdf.block(LEFT, PAGE_HEIGHT - 9, note, WIDTH - 20, size=7.5, leading=3.2)
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
    clause = 6.5 + 3.9 * len(_clause_lines(pdf, page)) + 4 if page.clause else 0
    if y + _sums_height(page) + clause > SLIP_TOP - 6:
        _new_page(pdf, page)
        y = 20.0
    y = _sums(pdf, page, y)
    _clause(pdf, page, y)
    _slip(pdf, page)


def _xmp(title: str, stamp: datetime, producer: str) -> str:
    """The XMP packet of a PDF/A-2b file, dated by the invoice (fpdf2's own would stamp the
    time of writing, and the same invoice must give the same bytes)."""
    when = stamp.isoformat(timespec="seconds")
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
        f'xmp:CreatorTool="kassavirta preview" xmp:CreateDate="{when}" '
        f'xmp:ModifyDate="{when}" xmp:MetadataDate="{when}" '
        f'pdf:Producer="{escape(producer)}">'
        "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li>'
        "</rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
    )


def embedded_font() -> Font | None:
    """The font `render_pdf` embeds on this machine, None when it falls back to Helvetica."""
    return find_dejavu()


def render_pdf(pages: list[Page], *, embed: bool = True) -> bytes:
    """The preview as PDF bytes; the same pages give the same bytes on the same machine.

    With DejaVu Sans found (and `embed`) the font is embedded and the file is PDF/A-2b;
    otherwise Helvetica, not embedded (see the module's docstring)."""
    font = find_dejavu() if embed else None
    pdf = _Invoice(
        orientation="P", unit="mm", format="A4", enforce_compliance="PDF/A-2B" if font else None
    )
    pdf.use_font(font)
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
    pdf.set_title(pdf._t(title))
    pdf.set_creator("kassavirta preview")
    if font:
        pdf.set_lang(pages[0].language if pages else "fi")
        producer = f"fpdf2 {fpdf_version}"
        pdf.set_producer(producer)
        pdf.set_xmp_metadata(_xmp(title, stamp, producer))
    pdf.alias_nb_pages()
    for page in pages:
        _page(pdf, page)
    return bytes(pdf.output())
