"""`kassavirta payments`: which credits on a bank statement are direct payments to report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kassavirta.cli.common import add_ledger_option, add_output_option, ledger_path, write_json

if TYPE_CHECKING:
    from kassavirta.erp.payments.classify import Report
    from kassavirta.erp.payments.statement import Statement

HELP = "find the direct payments to report in camt.053/054 bank statements"
DESCRIPTION = (
    "Read ISO 20022 bank statements (camt.053), notifications (camt.054) and "
    "reports (camt.052), any version, and sort every credit: direct payments to report to "
    "the service as paid events, the service's own settlements and interest settlements "
    "(never reported), and what a person must look at."
)

EPILOG = """\
Each credit is one of:
  direct-payment      a customer paid you directly; matched to an assignment by its
                      reference (the service's, or your original one) or else by the
                      invoice number in the message and the amount: a paid event
                      (sum_paid, booked_at, archive_number = the bank's archive
                      reference AcctSvcrRef) to post to the Receivables API
  service-settlement  the payer name starts with VISMA AMILI or VISMA FINANC (any case
                      or spacing): the service's own settlement, never reported
  interest            the message says "Korkotilitys": the service's interest
                      settlement, never reported
  unmatched           for a person: no known reference or invoice number, not EUR, or
                      an assignment the service would refuse a paid event on
A payment above the open balance is reported in full and flagged: the excess is
yours to refund. Debits, pending entries, the same transaction seen twice (camt.054
and camt.053) and reversals are listed apart; a reversed credit's event is withdrawn.
Nothing is posted: --post-file writes the events, one list per assignment id.

exit status: 0 every credit was handled, 1 some need a person (unmatched, an
over-payment, a reversal of an earlier credit, an unreadable file), 2 for a usage error.
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="camt files or folders (*.xml)")
    add_ledger_option(p)
    p.add_argument(
        "--invoices",
        nargs="+",
        default=[],
        metavar="PATH",
        help="the invoices as you sent them: their own reference numbers then match payments "
        "too (besides reference_ids of type original_number in the ledger)",
    )
    add_output_option(p)
    p.add_argument(
        "--post-file",
        type=Path,
        metavar="OUT.json",
        help='write the paid events to post: {"<assignment id>": [{"type": "paid", "data": '
        "{...}}, ...]}",
    )
    p.set_defaults(run=run)


def _label(kind: str) -> str:
    return kind.upper().replace("-", " ")


def _write_text(
    out: TextIO, statements: list[Statement], errors: list[str], report: Report
) -> None:
    for st in statements:
        account = f", account {st.account}" if st.account else ""
        out.write(f"{st.file}: {st.message}{account}, {len(st.transactions)} transaction(s)\n")
    for err in errors:
        out.write(f"{err}\n")
    out.write("\n")
    for c in report.entries:
        amount = f"{c.tx.amount:.2f}" if c.tx.amount is not None else "?"
        when = c.tx.booked_at.isoformat() if c.tx.booked_at else "-"
        flags = f"  [{', '.join(c.flags)}]" if c.flags else ""
        out.write(
            f"{_label(c.kind):<19} {c.tx.id}  {when}  {amount:>10} {c.tx.currency or ''}  "
            f"{c.tx.payer or '-'}{flags}\n"
        )
        out.write(f"    {c.reason}\n")
    if report.other:
        out.write("\nnot customer credits:\n")
        for o in report.other:
            amount = f"{o.tx.amount:.2f}" if o.tx.amount is not None else "?"
            when = o.tx.booked_at.isoformat() if o.tx.booked_at else "-"
            side = "CRDT" if o.tx.credit else "DBIT"
            out.write(
                f"{_label(o.kind):<19} {o.tx.id}  {when}  {amount:>10} {o.tx.currency or ''} "
                f"{side}  {o.reason}\n"
            )
    s = report.summary()
    out.write(
        f"\n{s['credit_entries']} credit(s): {s['direct-payment']} direct payment(s), "
        f"{s['service-settlement']} service settlement(s), {s['interest']} interest, "
        f"{s['unmatched']} unmatched; {s['events']} paid event(s) to post, "
        f"{s['sum_to_report']} EUR; {s['other_entries']} other entries\n"
    )


def run(args: argparse.Namespace) -> int:
    from kassavirta.erp.ledger import Ledger
    from kassavirta.erp.payments.classify import classify
    from kassavirta.erp.payments.statement import Statement, read_statements
    from kassavirta.erp.references import original_references
    from kassavirta.fileio import write_output_text

    path = ledger_path(args)
    statements: list[Statement] = []
    errors: list[str] = []
    for item in read_statements(args.paths):
        if isinstance(item, Statement):
            statements.append(item)
        else:
            errors.append(f"{item.path}: not read: {item.message}")
    originals = list(original_references(args.invoices)) if args.invoices else []
    with Ledger.open_readonly(path) as ledger:  # read only what the credits point at
        report = classify([tx for st in statements for tx in st.transactions], ledger, originals)
    if args.post_file is not None:
        events = report.events_by_assignment()
        write_output_text(
            args.post_file,
            json.dumps(events, ensure_ascii=False, indent=2) + "\n",
            inputs=[path, *args.paths, *args.invoices],
        )
    out = sys.stdout
    if args.output == "json":
        doc: dict[str, Any] = {
            "ledger": str(path),
            "files": [
                {"path": st.file, "message": st.message, "account": st.account} for st in statements
            ],
            "errors": errors,
            "summary": report.summary(),
            "entries": [c.as_dict() for c in report.entries],
            "other": [o.as_dict() for o in report.other],
        }
        write_json(doc)
    else:
        _write_text(out, statements, errors, report)
        if args.post_file is not None:
            n = sum(len(v) for v in report.events_by_assignment().values())
            out.write(f"wrote {n} event(s) to {args.post_file} (nothing was posted)\n")
    return 1 if report.needs_person or errors else 0
