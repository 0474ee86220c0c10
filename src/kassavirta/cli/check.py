"""`kassavirta check PATH...`: the decision for every invoice, with the service's words.

(Ours for `sum-mismatch`: the guide publishes no text for that rule.)
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from kassavirta.cli.common import add_decision_options, at_least_one, options_from

OUTPUTS = ("text", "json", "jsonl", "junit", "sarif")

HELP = "decide route / bypass / error / invalid for invoice files or folders"
DESCRIPTION = (
    "Check invoice files (folders recursively, *.xml, in sorted path order) and "
    "say what the Kassavirta service will do with each invoice."
)

EPILOG = """\
decisions: route (goes through Kassavirta), bypass (sent directly, not monitored),
error (the service refuses it with a SEND ERROR: not sent at all), invalid (the
operator would reject it first: not XML, unsafe, unknown format, schema, unreadable).

formats read: Finvoice 1.3-3.0, Peppol BIS Billing 3.0 (UBL 2.1 Invoice/CreditNote),
TEAPPSXML 2.7.x/3.0 and UN/CEFACT CII D16B. With --schemas, each is checked against
its XSD when found; the Peppol BIS 3.0 business rules (Schematron) are not checked.

exit status: 0 when no invoice is error or invalid, 1 otherwise, 2 for a usage error,
130 when interrupted (Ctrl-C: the workers stop, and the summary covers what finished).

A folder is checked on every core (--jobs), streaming: only --output json holds the
results in memory (to print one document); the other outputs write each invoice
as soon as it is final. Results and duplicate detection are the same for any --jobs.
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="invoice files or folders; - reads one invoice from standard input",
    )
    add_decision_options(p)
    p.add_argument(
        "--output",
        "-O",
        choices=OUTPUTS,
        default="text",
        help="text for people (default); json: one document (holds every result in memory "
        "until the end); jsonl: one line per invoice as soon as it is final, then the summary; "
        "junit: JUnit XML, one test case per invoice (error/invalid fail); "
        "sarif: SARIF 2.1.0, one result per finding, for code-scanning views",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes (default: every core); 1 checks in this process",
    )
    p.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="text output: only invoices that are not routed, and the summary; no progress "
        "bar (shown on stderr only when it is a terminal)",
    )
    p.add_argument(
        "--manual-assignment",
        action="store_true",
        help="the invoices become manual assignments (POST /v1/invoices with prevent_routing = "
        "true, e.g. a housing company's monthly charges): not delivered and not rewritten; the "
        "guide asks for a full address and a due date in the future instead of three days ahead, "
        "and a note says their payments are direct and the assignment is billed",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="add the routed invoices to the ledger as open assignments (and close the ones "
        "duplicate exception 3 replaces), in one transaction at the end of the run; uses "
        "--ledger or the default ledger. Without it the check never writes the ledger",
    )
    p.set_defaults(run=run)


_jobs = at_least_one("not a number of processes (1 or more)")


def run(args: argparse.Namespace) -> int:
    from kassavirta.config.policy import build_policy, max_bytes_of
    from kassavirta.findings import Decision
    from kassavirta.pipeline.batch import Batch, Interrupts
    from kassavirta.pipeline.read import STDIN
    from kassavirta.pipeline.walk import count_inputs, iter_input_names
    from kassavirta.report.progress import progress_for
    from kassavirta.report.sinks import make_sink

    options = options_from(args, list(args.paths))
    if args.record:
        from kassavirta.erp.ledger.record import ledger_for_record

        record_to, options.ledger = ledger_for_record(options.ledger)
    policy = build_policy(options)
    if args.manual_assignment:
        policy = dataclasses.replace(policy, manual_assignment=True)
    # `-` (standard input) is read in this process: a forked worker's stdin is /dev/null.
    jobs = 1 if STDIN in map(str, args.paths) else args.jobs
    batch = Batch(policy, jobs=jobs, max_bytes=max_bytes_of(options))
    sink = make_sink(args.output, sys.stdout, quiet=args.quiet)
    progress = progress_for(sys.stderr, quiet=args.quiet, count=lambda: count_inputs(args.paths))
    routed = []
    interrupts = Interrupts()
    results = batch.results(iter_input_names(args.paths), count=False)
    try:
        with interrupts.installed():
            for result in results:
                with interrupts.atomic():  # written whole and counted, or neither
                    if args.record and result.decision is Decision.ROUTE:
                        routed.append(result)
                    sink.add(result)
                    batch.tally.add(result)
                progress.update(batch.tally.files, batch.tally.decisions)
    except KeyboardInterrupt:
        batch.interrupted = True
    finally:
        results.close()
        progress.stop()
    summary = batch.summary()
    sink.finish(summary)
    if batch.interrupted:
        print(
            "kassavirta: interrupted; the summary covers the files that finished", file=sys.stderr
        )
        return 130
    if args.record:
        from kassavirta.erp.ledger.record import record_results, report_recorded

        counts = record_results(record_to, routed, policy.settings)
        report_recorded(record_to, counts, sys.stderr)
    return 1 if summary.failed else 0
