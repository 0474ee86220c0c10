"""`kassavirta schedule INVOICE`: when the service would remind and demand payment if unpaid."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kassavirta.cli.common import (
    add_decision_options,
    add_output_option,
    existing_path,
    options_from,
    write_json,
)

HELP = "print the reminder and collection schedule of an invoice"
DESCRIPTION = (
    "Print the dates on which the service would send the reminder and the "
    "payment demands if the invoice stays unpaid, and whether the invoice would be routed "
    "through the service at all."
)

EPILOG = """\
The first reminder goes out 10 days after the due date for business customers and
14 days for consumers (a buyer without a business ID), moved to the next Finnish
business day. The later steps and their gaps are settings (`schedule` in the
settings file); buyers in a VIP, PREMIUM or service_bypass group get no schedule
unless `schedule.levels` gives one, nor do credit notes and invoices prepaid in
full. Each step says where it comes from: (guide), (settings) or (assumed), our
default for a step the guide shows only as a picture. See docs/assignments.md.

exit status: 0 when every invoice has a schedule, 1 when one has none (the reason is
printed) or cannot be read, 2 for a usage error.
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("invoice", type=existing_path, metavar="INVOICE", help="an invoice file")
    add_decision_options(p)
    add_output_option(p)
    p.set_defaults(run=run)


def _text(entry: dict[str, Any], out: Any) -> None:
    sched = entry["schedule"]
    inv = entry["invoice"]
    who = "business customer (B2B)" if sched["customer"] == "b2b" else "consumer (B2C)"
    out.write(
        f"{entry['path']}: invoice {inv['number'] or '?'}, due {inv['due_date'] or '-'}, {who}, "
        f"service level {sched['service_level']}\n"
    )
    if entry["decision"] != "route":
        why = f": {', '.join(entry['reasons'])}" if entry["reasons"] else ""
        out.write(
            f"  note: the service would not route this invoice as it is ({entry['decision']}{why}); "
            "the schedule applies once it is routed\n"
        )
    if sched["none_because"]:
        out.write(f"  no schedule: {sched['none_because']}\n")
        return
    width = max(len(s["step"]) for s in sched["steps"])
    previous = "due date"
    for s in sched["steps"]:
        moved = f" = {s['moved_from']}, a weekend day or holiday" if s["moved_from"] else ""
        out.write(
            f"  {s['step']:<{width}}  {s['date']}  {'(' + s['source'] + ')':<10}  "
            f"{previous} + {s['days']} days{moved}\n"
        )
        previous = s["step"]
    sources = {s["source"] for s in sched["steps"]}
    for source, meaning in SOURCES.items():
        if source in sources:
            out.write(f"  ({source}): {meaning}\n")


SOURCES = {
    "settings": "from the settings file's `schedule`",
    "assumed": "our assumption: the guide shows these steps only as a picture (set "
    "`schedule` in the settings to replace it)",
}
"""What a step source other than the guide means, said once under the steps that carry it."""


def run(args: argparse.Namespace) -> int:
    from kassavirta.config.policy import build_policy, max_bytes_of
    from kassavirta.erp.schedule import schedule_for
    from kassavirta.pipeline.evaluate import Checker

    options = options_from(args, [args.invoice])
    policy = build_policy(options)
    checker = Checker(policy, max_bytes=max_bytes_of(options), track_run=False)
    entries: list[dict[str, Any]] = []
    problems: list[str] = []
    for outcome in checker.path_outcomes(args.invoice):
        result, inv = outcome.result, outcome.invoice
        if outcome.document is None:  # the file itself cannot be read
            problems.append(f"{result.path}: {result.reasons[0]}: {result.findings[0].message}")
            continue
        if inv is None:
            first = result.findings[0].message if result.findings else ""
            problems.append(f"{result.label}: {result.decision.value}: {first}".rstrip(": "))
            continue
        entries.append(
            {
                "path": result.label,
                "invoice": {
                    "number": inv.number,
                    "due_date": inv.due_date.isoformat() if inv.due_date else None,
                },
                "decision": result.decision.value,
                "reasons": list(result.reasons),
                "schedule": schedule_for(inv, policy.settings).as_dict(),
            }
        )
    out = sys.stdout
    if args.output == "json":
        write_json({"results": entries, "problems": problems})
    else:
        for entry in entries:
            _text(entry, out)
        for problem in problems:
            out.write(f"{problem}\n")
    ok = not problems and all(not e["schedule"]["none_because"] for e in entries)
    return 0 if ok else 1
