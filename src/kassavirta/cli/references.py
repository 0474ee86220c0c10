"""`kassavirta references map`: service reference numbers ↔ assignments ↔ original invoices."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kassavirta.cli.common import (
    action_parsers,
    add_ledger_option,
    add_output_option,
    ledger_path,
    write_json,
)

if TYPE_CHECKING:
    from kassavirta.erp.references import Mapping

HELP = "map the service's reference numbers to assignments and original invoices"
DESCRIPTION = (
    "Reference numbers the service gave, and the assignments and original invoices they belong to."
)

MAP_EPILOG = """\
The service replaces the reference number of every invoice it routes, so a new
consumer e-invoicing agreement (an RI message) or a payment may quote a reference
the ERP never issued. The assignment keeps it in reference_ids (type "number"),
beside the original invoice's number and id ("invoice_id"). An ERP that keeps
its own reference can add it as a reference_ids entry of type "original_number";
it is then found too.

examples:
  kassavirta references map 356241103452 --ledger L.db
  kassavirta references map --ri receiverinfo.xml --ledger L.db
  kassavirta references map --reverse 2026-5001 --ledger L.db

exit status: 0 every value was found, 1 some value was not, 2 for a usage error.
"""


def register(p: argparse.ArgumentParser) -> None:
    s = action_parsers(p)
    m = s.add_parser(
        "map",
        help="reference → assignment and original invoice number/id (or back with --reverse)",
        description="For each REF (a service reference number, or the original one where the "
        "ledger knows it), and for each reference field of an RI message (FinvoiceReceiverInfo: "
        "SellerInvoiceIdentifier, EpiRemittanceIdentifier), show the assignment, the original "
        "invoice number and date, and the original invoice id. With --reverse, each REF is an "
        "invoice number or invoice id and the service's reference is shown.",
        epilog=MAP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    m.add_argument("refs", nargs="*", metavar="REF", help="reference numbers (spaces allowed)")
    m.add_argument(
        "--ri",
        type=Path,
        nargs="+",
        default=[],
        metavar="FILE",
        help="RI messages (FinvoiceReceiverInfo) whose reference fields to map",
    )
    m.add_argument(
        "--reverse",
        action="store_true",
        help="REF is an original invoice number or invoice id: show its service reference",
    )
    add_ledger_option(m)
    add_output_option(m)
    m.set_defaults(run=run_map)


def _row(query: str, source: str, found: list[Mapping], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "query": query,
        "from": source,
        **extra,
        "found": bool(found),
        "matches": [f.as_dict() for f in found],
    }


def run_map(args: argparse.Namespace) -> int:
    from kassavirta.erp.ledger import Ledger
    from kassavirta.erp.references import lookup, read_receiver_info, reference_of, reverse_lookup
    from kassavirta.erp.senderinfo.model import IDENTIFIER_TYPES
    from kassavirta.errors import SettingsError

    if not args.refs and not args.ri:
        raise SettingsError("give at least one REF or --ri FILE", path="references map")
    if args.reverse and args.ri:
        raise SettingsError(
            "--reverse maps invoice numbers, not RI messages", path="references map"
        )
    path = ledger_path(args)
    rows: list[dict[str, Any]] = []
    lines: list[str] = []
    with Ledger.open_readonly(path) as ledger:
        for ref in args.refs:
            found = reverse_lookup(ledger, ref) if args.reverse else lookup(ledger, ref)
            rows.append(_row(ref, "command line", found, {}))
            if not found:
                what = "invoice number or invoice id" if args.reverse else "reference"
                lines.append(f"{ref}: no assignment in {path} has this {what}")
            for f in found:
                if args.reverse:
                    service = reference_of(f.assignment, "number") or "(none yet)"
                    lines.append(f"{ref}: service reference {service}; {f.describe()}")
                else:
                    lines.append(f"{ref}: {f.describe()}")
        for ri_path in args.ri:
            for ri in read_receiver_info(ri_path):
                who = ", ".join(
                    x
                    for x in (
                        f"consumer {ri.buyer_name}" if ri.buyer_name else None,
                        f"e-invoice address {ri.recipient_address}"
                        if ri.recipient_address
                        else None,
                        f"bank {ri.recipient_bank}" if ri.recipient_bank else None,
                    )
                    if x
                )
                lines.append(
                    f"RI message {ri.source} ({ri.action or '?'}, {ri.message_date or 'undated'}): "
                    + (who or "no consumer details")
                )
                if not ri.identifiers:
                    lines.append(
                        "  no reference fields (SellerInvoiceIdentifier, EpiRemittanceIdentifier)"
                    )
                for ident in ri.identifiers:
                    found = lookup(ledger, ident.value)
                    kind = (
                        f" (type {ident.type}: {IDENTIFIER_TYPES.get(ident.type, 'unknown')})"
                        if ident.type
                        else ""
                    )
                    label = f"{ident.field} {ident.value}{kind}"
                    rows.append(
                        _row(
                            ident.value,
                            ri.source,
                            found,
                            {
                                "field": ident.field,
                                "identifier_type": ident.type,
                                "action": ri.action,
                                "consumer": ri.buyer_name,
                                "recipient_address": ri.recipient_address,
                                "recipient_bank": ri.recipient_bank,
                            },
                        )
                    )
                    if not found:
                        lines.append(
                            f"  {label}: not a reference the ledger knows (if it is your own "
                            "customer number, map it in your customer register)"
                        )
                    for f in found:
                        lines.append(f"  {label}: {f.describe()}")
    if args.output == "json":
        write_json({"ledger": str(path), "results": rows})
    else:
        for line in lines:
            sys.stdout.write(line + "\n")
    return 0 if all(r["found"] for r in rows) else 1
