"""`kassavirta rewrite INVOICE`: the invoice XML exactly as Kassavirta will send it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from kassavirta.cli.common import (
    add_decision_options,
    add_invoice_argument,
    options_from,
    write_json,
)

if TYPE_CHECKING:
    from kassavirta.rewrite import FieldChange, RewriteResult

HELP = "write a routed invoice as the service will send it (new account, reference, clause)"
DESCRIPTION = (
    "Rewrite the payment details of a routed invoice the way Amili Kassavirta "
    "does: service IBAN and BIC, seller account list, payee name, a new reference number, "
    "the transfer clause and the virtual bank barcode. Everything else stays byte for byte."
)

EPILOG = """\
Only routed invoices are rewritten: any other decision is refused with the
decision and its reasons (exit 1). With accountable_party = company the service
keeps the invoice as it is: the input is written out unchanged (exit 0).

The new reference number is a preview value derived from the seller's business
ID, the invoice number and the invoice date: the service assigns the real one
(the assignment's reference_ids, type number).

output: without -o the XML goes to stdout. --diff prints one line per changed
field, `xpath: old → new`, to stdout when -o is given, else to stderr.
--output json prints {decision, reasons, changes, notes} on stdout instead of
the XML (write the XML with -o).

exit status: 0 rewritten (or company mode), 1 not routed or not rewritable,
2 usage error.
"""

USAGE_ERROR = 2


def register(p: argparse.ArgumentParser) -> None:
    add_invoice_argument(p, "write the rewritten XML here (atomically) instead of stdout")
    p.add_argument(
        "--in-place",
        action="store_true",
        help="allow -o to name the input file itself (it is replaced atomically)",
    )
    p.add_argument(
        "--diff", action="store_true", help="print each changed field as `xpath: old → new`"
    )
    p.add_argument(
        "--rf",
        action="store_true",
        help="use an RF creditor reference (ISO 11649, barcode version 5) instead of a "
        "Finnish national one",
    )
    p.add_argument(
        "--output",
        "-O",
        choices=("text", "json"),
        default="text",
        help="text (default) or json: the decision, reasons, changes and notes as JSON on stdout",
    )
    add_decision_options(p)
    p.set_defaults(run=run)


def _shown(value: str | None, missing: str) -> str:
    """One line per change: line breaks inside a value are shown as `⏎`."""
    return missing if value is None else " ⏎ ".join(value.splitlines()) if "\n" in value else value


def diff_lines(changes: list[FieldChange]) -> list[str]:
    """`xpath: old → new` per change; `(none)` for an added value, `(removed)` for a dropped one."""
    lines = []
    for c in changes:
        where = c.xpath if c.document is None else f"#{c.document} {c.xpath}"
        lines.append(f"{where}: {_shown(c.old, '(none)')} → {_shown(c.new, '(removed)')}")
    return lines


def refusal_lines(result: RewriteResult) -> list[str]:
    reasons = ", ".join(result.reasons) or "-"
    lines = [f"not rewritten: the decision is {result.decision.value} ({reasons})"]
    for check in result.results:
        for f in check.findings:
            where = f":{f.line}" if f.line else ""
            lines.append(f"  {check.label}{where}: {f.severity.value} [{f.rule}] {f.message}")
    return lines


def rewrite_file(
    args: argparse.Namespace, command: str, *, models: bool = False
) -> RewriteResult | int:
    """Read, decide and rewrite; an int is the exit status of a failure already reported."""
    from kassavirta.config.policy import Policy, build_policy, max_bytes_of
    from kassavirta.errors import InputError
    from kassavirta.pipeline.read import read_file
    from kassavirta.rewrite import RewriteError, rewrite_document

    options = options_from(args, [args.invoice])
    policy: Policy = build_policy(options)
    if policy.settings is None:
        print(
            f"kassavirta {command}: activation settings are needed (--settings FILE, "
            "or `settings` in kassavirta.toml)",
            file=sys.stderr,
        )
        return USAGE_ERROR
    try:
        data = read_file(args.invoice, max_bytes=max_bytes_of(options))
    except InputError as exc:
        print(
            f"kassavirta {command}: not rewritten: invalid ({exc.reason}): {exc}", file=sys.stderr
        )
        return 1
    try:
        return rewrite_document(data, policy, rf=args.rf, path=str(args.invoice), models=models)
    except RewriteError as exc:
        print(f"kassavirta {command}: {args.invoice}: cannot rewrite: {exc}", file=sys.stderr)
        return 1


def _write_lines(lines: list[str], out: TextIO) -> None:
    for line in lines:
        out.write(line + "\n")


def run(args: argparse.Namespace) -> int:
    from kassavirta.fileio import write_output

    if args.out is not None and str(args.out) == "-":
        args.out = None
    outcome = rewrite_file(args, "rewrite")
    if isinstance(outcome, int):
        return outcome
    result = outcome
    if args.output == "json":
        data = result.as_dict()
        if not result.routed:
            data["findings"] = [
                f.model_dump(mode="json") for r in result.results for f in r.findings
            ]
        write_json(data)
    if not result.routed:
        if args.output == "text":
            _write_lines(
                [
                    f"kassavirta rewrite: {line}" if i == 0 else line
                    for i, line in enumerate(refusal_lines(result))
                ],
                sys.stderr,
            )
        return 1
    if result.company:
        print(f"kassavirta rewrite: {result.notes[0]}", file=sys.stderr)
    if args.out is not None:
        write_output(
            args.out,
            result.data,
            inputs=[args.invoice],
            in_place=args.in_place,
            in_place_flag="--in-place",
        )
    elif args.output == "text":
        sys.stdout.buffer.write(result.data)
        sys.stdout.buffer.flush()
    if args.diff and args.output == "text":
        stream = sys.stdout if args.out is not None else sys.stderr
        _write_lines(diff_lines(result.changes), stream)
        _write_lines([f"note: {n}" for n in result.notes if not result.company], stream)
    elif args.output == "text" and not result.company:
        _write_lines([f"note: {n}" for n in result.notes], sys.stderr)
    return 0
