"""`kassavirta check PATH...`: the decision for every invoice, with the service's words.

(Ours for `sum-mismatch`: the guide publishes no text for that rule.)
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kassavirta.cli import USAGE_ERROR
from kassavirta.cli.common import add_decision_options, at_least_one, no_such_paths, options_from

if TYPE_CHECKING:
    from kassavirta.config.policy import Policy, RunOptions
    from kassavirta.erp.ledger.store import Ledger
    from kassavirta.report import RunConfig

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

exit status: 0 when no invoice is error or invalid, 1 otherwise (with --strict, also
when an invoice would get a SEND ERROR once the service is active), 2 for a usage
error (a PATH that does not exist, no invoice file under the PATHs without
--allow-empty), 128 + the signal when stopped by one: 130 for Ctrl-C (SIGINT), 143
for SIGTERM, 129 for SIGHUP (the workers stop, the report is closed as a whole
document, and its summary says how many files were not checked).

The configuration in effect (which kassavirta.toml, the sending date, settings,
assignments, ledger, schema folders) is printed once on stderr with text output,
and is the summary's "config" in --output json and jsonl.

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
        help="text output: only invoices that are not routed, and the summary (the progress "
        "bar is still shown on stderr when it is a terminal)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail the run (exit 1) when an invoice would get a SEND ERROR once the service "
        "is active: without --settings (or with a status other than ACTIVE) they are shown as "
        "warnings and the run passes",
    )
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="no invoice file under the PATHs is not an error (by default it is, exit 2: a "
        "CI job pointed at the wrong folder must not pass)",
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
    said = no_such_paths(args.paths)
    if said is not None:
        print(f"kassavirta check: {said}", file=sys.stderr)
        return USAGE_ERROR
    options = options_from(args, list(args.paths))
    if not args.record:
        return _run(args, options, None)
    from kassavirta.erp.ledger.record import hold_for_record, ledger_for_record

    # The write lock is held from before the ledger is read until the run has recorded,
    # so a concurrent --record run decides against what this one records.
    options.ledger = ledger_for_record(options.ledger)
    with hold_for_record(options.ledger) as ledger:
        return _run(args, options, ledger)


def _run(args: argparse.Namespace, options: RunOptions, record_to: Ledger | None) -> int:
    from kassavirta.config.policy import build_policy, max_bytes_of
    from kassavirta.findings import Decision
    from kassavirta.pipeline.batch import Batch, Interrupts, signal_name
    from kassavirta.pipeline.read import STDIN
    from kassavirta.pipeline.walk import count_inputs, iter_input_names
    from kassavirta.report.progress import progress_for
    from kassavirta.report.sinks import make_sink
    from kassavirta.report.text import describe_config

    policy = build_policy(options)
    if args.manual_assignment:
        policy = dataclasses.replace(policy, manual_assignment=True)
    config = run_config(options, policy)
    if args.output == "text":
        print(f"kassavirta check: {describe_config(config)}", file=sys.stderr)
    # `-` (standard input) is read in this process: a forked worker's stdin is /dev/null.
    jobs = 1 if STDIN in map(str, args.paths) else args.jobs
    sink = make_sink(args.output, sys.stdout, quiet=args.quiet)
    batch = Batch(policy, jobs=jobs, max_bytes=max_bytes_of(options), lines=sink.lines)
    progress = progress_for(sys.stderr, count=lambda: count_inputs(args.paths))
    routed = []
    interrupts = Interrupts()
    results = batch.finals(iter_input_names(args.paths), count=False)
    with interrupts.installed():
        try:
            progress.start()
            for final in results:
                with interrupts.atomic():  # written whole and counted, or neither
                    if args.record and final.decision is Decision.ROUTE:
                        routed.append(final.result)
                    sink.take(final)
                    batch.tally.add(final)
                progress.update(batch.tally.files, batch.tally.decisions)
        except KeyboardInterrupt:
            batch.interrupted = True
            batch.signum = interrupts.signum or signal.SIGINT  # a KeyboardInterrupt: Ctrl-C
        finally:
            interrupts.hold()  # a second signal must not cut the report being closed
            results.close()
            progress.stop()
        if batch.interrupted:
            batch.unchecked = batch.not_checked()
        summary = batch.summary()
        summary.config = config
        sink.finish(summary)
    stopped = batch.signum if batch.interrupted else interrupts.signum
    if stopped is not None:
        how = "interrupted" if batch.interrupted else "stopped after the last file"
        print(
            f"kassavirta check: {how} by {signal_name(stopped)}; the summary covers the files "
            "that finished" + ("; nothing was recorded in the ledger" if args.record else ""),
            file=sys.stderr,
        )
        return 128 + stopped
    if record_to is not None:
        from kassavirta.erp.ledger.record import record_results, report_recorded

        counts = record_results(record_to, routed, policy.settings)
        report_recorded(record_to.path, counts, sys.stderr)
    if not summary.files and not args.allow_empty:
        print(
            "kassavirta check: no invoice file (*.xml) under "
            f"{', '.join(str(p) for p in args.paths)}; --allow-empty accepts that",
            file=sys.stderr,
        )
        return USAGE_ERROR
    refused = args.strict and summary.refused_if_active
    return 1 if summary.failed or refused else 0


def run_config(options: RunOptions, policy: Policy) -> RunConfig:
    """What this run is checked against, as the report states it."""
    from kassavirta.report import RunConfig

    return RunConfig(
        file=_shown(options.config_path),
        today=policy.today.isoformat(),
        settings=_shown(options.settings),
        assignments=[str(_shown(p)) for p in options.assignments],
        ledger=_shown(options.ledger),
        schemas=[str(_shown(d)) for d in policy.schemas.dirs if d.is_dir()]
        if policy.schemas
        else [],
    )


def _shown(path: Path | None) -> str | None:
    """A path as a person at this folder would type it: relative when it is under the folder."""
    if path is None:
        return None
    here = Path.cwd()
    for candidate in (Path(os.path.abspath(path)), path.resolve()):
        try:
            return str(candidate.relative_to(here))
        except ValueError:
            continue
    return str(path)
