"""`kassavirta check PATH...`: the decision for every invoice, with the service's words."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import add_decision_options, options_from, policy_from

OUTPUTS = ("text", "json", "jsonl")

EPILOG = """\
decisions: route (goes through Kassavirta), bypass (sent directly, not monitored),
error (the service refuses it with a SEND ERROR: not sent at all), invalid (the
operator would reject it first: not XML, unsafe, unknown format, schema, unreadable).

exit status: 0 when no invoice is error or invalid, 1 otherwise, 2 for a usage error.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="decide route / bypass / error / invalid for invoice files or folders",
        description="Check invoice files (folders recursively, *.xml, in sorted path order) and "
        "say what the Kassavirta service will do with each invoice.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="invoice files or folders")
    add_decision_options(p)
    p.add_argument(
        "--output",
        "-O",
        choices=OUTPUTS,
        default="text",
        help="text for people (default); json: one document; jsonl: one line per invoice, then the summary",
    )
    p.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="text output: only invoices that are not routed, and the summary",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="add the routed invoices to the ledger as open assignments (and close the ones "
        "duplicate exception 3 replaces), in one transaction at the end of the run; uses "
        "--ledger or the default ledger. Without it the check never writes the ledger",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..check import Checker, iter_inputs
    from ..config import max_bytes_of
    from ..findings import Decision
    from ..report import Tally
    from ..report import json as json_report
    from ..report import text as text_report

    options = options_from(args, list(args.paths))
    if args.record:
        from ..ledger.record import ledger_for_record

        record_to, options.ledger = ledger_for_record(options.ledger)
    checker = Checker(policy_from(options), max_bytes=max_bytes_of(options))
    out = sys.stdout
    tally = Tally()
    kept = []
    routed = []
    for result in checker.check_paths(iter_inputs(args.paths)):
        tally.add(result)
        if args.record and result.decision is Decision.ROUTE:
            routed.append(result)
        if args.output == "jsonl":
            json_report.write_line(result, out)
        elif args.output == "json":
            kept.append(result)
        elif not args.quiet or result.decision is not Decision.ROUTE:
            text_report.write_result(result, out)
    summary = tally.summary()
    if args.output == "json":
        json_report.write_document(kept, summary, out)
    elif args.output == "jsonl":
        json_report.write_summary_line(summary, out)
    else:
        text_report.write_summary(summary, out)
    out.flush()
    if args.record:
        from ..ledger.record import record_results, report_recorded

        counts, new = record_results(record_to, routed, checker.policy.settings)
        report_recorded(record_to, counts, new, sys.stderr)
    return 1 if summary.failed else 0
