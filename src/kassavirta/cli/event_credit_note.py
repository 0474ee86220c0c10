"""`kassavirta event credit-note CREDIT_NOTE.xml`: the two events that connect a credit note."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kassavirta.cli.common import add_ledger_option, add_output_option, ledger_path, write_json

if TYPE_CHECKING:
    from kassavirta.erp.events.credit_note import CreditNoteLink, Side

HELP = "the credit_note and paid events that connect a credit note to the invoice it credits"
DESCRIPTION = """\
Read a credit note, find its own assignment and the credited invoice's assignment
in the ledger, and write the pair of events the guide asks for: a credit_note
event (the credit note's number, the credit sum as a positive value) on the
invoice's assignment, and a paid event with the sum as a negative value on the
credit note's own assignment (marking it used)."""
EPILOG = """\
The credited invoice is read from the credit note: Finvoice OriginalInvoiceNumber (or 3.0's
OriginalInvoiceReference/InvoiceNumber), UBL cac:BillingReference, CII
ram:InvoiceReferencedDocument, TEAPPSXML HEADER/CREDIT_INVOICE_NUMBER; --original NUMBER
gives it where the format has no such field (Liinos, S-EDI, MaventaXML). The credit note's
assignment is found by its number and date, the invoice's by the credited number (never a
credit note, never dated after it; the open one when there are several). Each event is
checked as `event validate` checks it. An event the ledger already holds is not written again.
Nothing is posted: --post-file writes the events, one list per assignment id, as
`kassavirta payments --post-file` does.

exit status: 0 both events of every credit note in the file are written (or already
posted), 1 when one cannot be (which assignment is missing, or why the service would
refuse the event, is printed) or the file cannot be read, 2 for a usage error (no ledger).
"""


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`credit-note`, an action of `kassavirta event`."""
    c = actions.add_parser(
        "credit-note",
        help=HELP,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("credit_note", type=Path, metavar="CREDIT_NOTE", help="the credit note file")
    add_ledger_option(c)
    c.add_argument(
        "--original",
        metavar="NUMBER",
        help="the number of the invoice it credits, when the credit note does not name it (or "
        "to override what it names)",
    )
    add_output_option(c)
    c.add_argument(
        "--post-file",
        type=Path,
        metavar="OUT.json",
        help='write the events to post: {"<assignment id>": [{"type": ..., "data": {...}}]}',
    )
    c.set_defaults(run=run)


def _side_line(side: Side) -> str:
    from kassavirta.erp.events.credit_note import event_json

    a = side.assignment
    what = "invoice" if side.role == "original" else "credit note"
    kind = "credit_note" if side.role == "original" else "paid"
    where = f"  assignment {a.id} ({what} {a.number}, {a.status})" if a is not None else ""
    if side.status == "write" and side.event is not None:
        data = json.dumps(event_json(side.event)["data"], ensure_ascii=False)
        return f"  {kind:<11}{where}  {data}"
    return f"  {kind:<11}{where}  {side.status.replace('-', ' ')}: {side.reason}"


def _write_text(out: TextIO, links: list[CreditNoteLink], problems: list[str]) -> None:
    for link in links:
        amount = f"{link.credit:.2f} {link.currency or ''}".rstrip() if link.credit else "?"
        dated = f" of {link.date.isoformat()}" if link.date else ""
        credits = f", credits invoice {link.credits}" if link.credits else ""
        kind = "credit note" if link.is_credit_note else "invoice"
        out.write(f"{link.label}: {kind} {link.number or '?'}{dated}, {amount}{credits}\n")
        if link.problem:
            out.write(f"  cannot link: {link.problem}\n")
            continue
        for side in (link.original, link.own):
            out.write(_side_line(side) + "\n")
        for note in link.notes:
            out.write(f"  note: {note}\n")
        if not link.linked:
            out.write("  not linked: no event of this credit note is written\n")
    for problem in problems:
        out.write(f"{problem}\n")


def run(args: argparse.Namespace) -> int:
    from kassavirta.config.policy import RunOptions, build_policy, max_bytes_of
    from kassavirta.erp.events.credit_note import link_credit_note
    from kassavirta.erp.ledger import Ledger
    from kassavirta.fileio import write_output_text
    from kassavirta.pipeline.evaluate import Checker

    options = RunOptions()
    policy = build_policy(options)
    checker = Checker(policy, max_bytes=max_bytes_of(options), track_run=False)
    path = ledger_path(args)
    links: list[CreditNoteLink] = []
    problems: list[str] = []
    with Ledger.open_readonly(path) as ledger:
        for outcome in checker.path_outcomes(args.credit_note):
            result, invoice = outcome.result, outcome.invoice
            if invoice is None:
                first = result.findings[0].message if result.findings else ""
                problems.append(f"{result.label}: not read ({result.decision.value}: {first})")
                continue
            links.append(
                link_credit_note(invoice, ledger, label=result.label, credits=args.original)
            )
    events: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        for assignment_id, posted in link.events().items():
            events.setdefault(assignment_id, []).extend(posted)
    if args.post_file is not None:
        write_output_text(
            args.post_file,
            json.dumps(events, ensure_ascii=False, indent=2) + "\n",
            inputs=[path, args.credit_note],
        )
    ok = bool(links) and not problems and all(link.linked for link in links)
    if args.output == "json":
        write_json(
            {
                "ledger": str(path),
                "linked": ok,
                "results": [link.as_dict() for link in links],
                "problems": problems,
                "post": events,
            }
        )
    else:
        _write_text(sys.stdout, links, problems)
        if args.post_file is not None:
            n = sum(len(v) for v in events.values())
            sys.stdout.write(f"wrote {n} event(s) to {args.post_file} (nothing was posted)\n")
    return 0 if ok else 1
