"""`kassavirta preview INVOICE -o OUT.pdf|OUT.html`: the invoice image the service will send."""

from __future__ import annotations

import argparse
import sys

from kassavirta.cli.common import add_decision_options, add_invoice_argument
from kassavirta.cli.rewrite import USAGE_ERROR, refusal_lines, rewrite_file

HELP = "draw the invoice image (PDF or HTML) as the service will send it"
DESCRIPTION = (
    "Render the regenerated invoice image of a routed invoice: the invoice as "
    "Amili Kassavirta will send it, with the service's payment details."
)

EPILOG = """\
The image is drawn from the rewritten invoice (the same values `kassavirta
rewrite` writes): seller, buyer, rows, VAT breakdown, totals, the service's
payment details, the preview reference, the due date, the transfer clause, the
bank barcode (Code 128) and the payment QR code (EPC). The output format
follows the file name: .pdf (made in pure Python) or .html (one self-contained
page: inline CSS, images as data: URIs, nothing fetched), or --format; a
character device (-o /dev/null: does it render?) is written through, as PDF
(HTML with --compare).

With accountable_party = company the original invoice is drawn, unchanged.
Only routed invoices are previewed; any other decision is refused (exit 1).

exit status: 0 written, 1 not routed or not rewritable, 2 usage error.
"""


SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html"}
"""OUT's name → what is written; --format's choices are their values."""
FORMATS = tuple(dict.fromkeys(SUFFIXES.values()))


def register(p: argparse.ArgumentParser) -> None:
    output = "the output file: OUT.pdf or OUT.html (written atomically)"
    add_invoice_argument(p, output, out_required=True)
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="pdf or html (default: from OUT's name; for a device such as /dev/null, pdf, "
        "or html with --compare)",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="HTML only: show the original and the rewritten values side by side, changed "
        "fields highlighted",
    )
    p.add_argument(
        "--rf",
        action="store_true",
        help="preview with an RF creditor reference instead of a Finnish national one",
    )
    add_decision_options(p)
    p.set_defaults(run=run)


def output_format(args: argparse.Namespace) -> str | None:
    """--format, else what OUT's name says, else for a character device (`-o /dev/null`: does
    the invoice render?) what the other options allow: None when nothing says."""
    from kassavirta.fileio import is_character_device

    if args.format is not None:
        return str(args.format)
    by_name = SUFFIXES.get(args.out.suffix.lower())
    if by_name is None and is_character_device(args.out):
        return "html" if args.compare else "pdf"
    return by_name


def run(args: argparse.Namespace) -> int:
    kind = output_format(args)
    if kind is None:
        print(
            f"kassavirta preview: {args.out}: -o must name a .pdf or .html file (or give --format)",
            file=sys.stderr,
        )
        return USAGE_ERROR
    if args.compare and kind == "pdf":
        print("kassavirta preview: --compare needs an .html output", file=sys.stderr)
        return USAGE_ERROR
    outcome = rewrite_file(args, "preview", models=True)
    if isinstance(outcome, int):
        return outcome
    result = outcome
    if not result.routed:
        lines = refusal_lines(result)
        print(f"kassavirta preview: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(line, file=sys.stderr)
        return 1

    from kassavirta.fileio import write_output
    from kassavirta.render import build_pages, render_html, render_pdf

    pages = build_pages(result)
    if kind == "pdf":
        data = render_pdf(pages)
        from kassavirta.render.pdf import embedded_font

        if embedded_font() is None:
            print(
                "kassavirta preview: note: DejaVu Sans not found (install fonts-dejavu-core or "
                "set KASSAVIRTA_FONT_DIR): the PDF uses Helvetica, not embedded, and is not PDF/A",
                file=sys.stderr,
            )
    else:
        data = render_html(pages, compare=args.compare).encode("utf-8")
    write_output(args.out, data, inputs=[args.invoice])
    what = (
        "original invoice (accountable_party = company)" if result.company else "rewritten invoice"
    )
    print(f"kassavirta preview: wrote {args.out} ({what})", file=sys.stderr)
    return 0
