"""The regenerated invoice image: HTML and PDF.

When the service rewrites an invoice it also replaces the invoice image, so
the preview draws the image from the rewritten document's normalised model
(`view.build_pages`), in the recipient's language: seller, buyer, rows, VAT
breakdown, totals, the service's payment details, reference, due date, the
transfer clause, the bank barcode (Code 128) and the payment QR code.

Libraries, chosen to stay pure Python and out of `kassavirta check`'s start-up
path (everything here is imported only by `preview`):
- PDF: fpdf2 — maintained, small, vector drawing, deterministic output with a
  fixed creation date, TrueType embedding and a PDF/A-2b mode (reportlab would
  also do, but is much larger and its open-source edition is released less
  openly). The font is the system's DejaVu Sans (`fonts`), not shipped.
- QR: segno — no dependencies, maintained, returns the module matrix.
- Code 128: our own `code128` over the published symbol table; only set C is
  needed for the 54-digit bank barcode, which is a few lines.
"""

from __future__ import annotations

from kassavirta.render.view import Page, build_pages


def render_html(pages: list[Page], *, compare: bool = False) -> str:
    from kassavirta.render.html import render_html as _render

    return _render(pages, compare=compare)


def render_pdf(pages: list[Page], *, embed: bool = True) -> bytes:
    from kassavirta.render.pdf import render_pdf as _render

    return _render(pages, embed=embed)


__all__ = ["Page", "build_pages", "render_html", "render_pdf"]
