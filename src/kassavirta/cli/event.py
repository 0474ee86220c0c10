"""`kassavirta event validate ID EVENT.json`: would the service accept this event, before it is posted?

`kassavirta event credit-note` lives in `cli.event_credit_note`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kassavirta.cli import event_credit_note
from kassavirta.cli.common import (
    action_parsers,
    add_output_option,
    iso_date,
    ledger_path,
    write_json,
)

if TYPE_CHECKING:
    from kassavirta.erp.assignments import Assignment, Event

HELP = "check an assignment event before posting it; write a credit note's events"
DESCRIPTION = (
    "Assignment events: who may post each type, what its data must hold, and at "
    "which stage of the assignment the service accepts it (validate); the pair of events "
    "that connects a credit note to the invoice it credits (credit-note)."
)

VALIDATE_EPILOG = """\
The event file is what the ERP is about to POST, e.g.
  {"type": "paid", "data": {"sum_paid": 200.5, "booked_at": "2026-12-04"}}
The assignment comes from the ledger (--ledger, default the user's ledger) or from
a Receivables API export (--assignments FILE).

Some events are accepted with a note: a cancel once reminders or collection have
started (the service charges a cancellation fee), a cancel after the service
suggested a credit loss (a credit loss is posted with credit_loss, never cancel),
a freeze ending today (it ends the suspension early).

exit status: 0 the service would accept it, 1 it would refuse it (the reason is
printed), 2 for a usage error (unreadable file, unknown assignment).
"""


def register(p: argparse.ArgumentParser) -> None:
    s = action_parsers(p)
    v = s.add_parser(
        "validate",
        help="would the service accept EVENT.json on assignment ID?",
        description="Tell whether the service would accept the event in EVENT.json on the "
        "assignment ID, and why not when it would refuse it: the wrong party for the event type, "
        "missing or wrong data, or the wrong stage (closed or cancelled, credit loss already "
        "posted, legal collection started, collection started for a due date change, a new due "
        "date that is not after today, a suspension ending before today, a negative payment on "
        "an assignment that is not a credit note).",
        epilog=VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("id", metavar="ASSIGNMENT_ID", help="the assignment id")
    v.add_argument("event", type=Path, metavar="EVENT.json", help="the event to post")
    v.add_argument(
        "--as",
        dest="party",
        choices=("company", "service", "operator"),
        default="company",
        help="who posts it: the sender company (default), the service (Visma Amili) or the "
        "operator (Maventa)",
    )
    source = v.add_mutually_exclusive_group()
    source.add_argument(
        "--ledger",
        type=Path,
        metavar="FILE",
        help="the ledger to find the assignment in (default: $XDG_DATA_HOME/kassavirta/ledger.sqlite3)",
    )
    source.add_argument(
        "--assignments",
        type=Path,
        metavar="FILE",
        help="find the assignment in a Receivables API assignments JSON instead of a ledger",
    )
    v.add_argument(
        "--today",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="the day the event is posted (default: today in Europe/Helsinki)",
    )
    add_output_option(v)
    v.set_defaults(run=run_validate)
    event_credit_note.register(s)


def load_event(path: Path) -> Event:
    """One event object from a file, with an error naming the file and the key."""
    from pydantic import ValidationError

    from kassavirta.datafile import load_json
    from kassavirta.erp.assignments import Event
    from kassavirta.errors import SettingsError

    data: Any = load_json(path)
    if not isinstance(data, dict):
        raise SettingsError(
            'expected one event object ({"type": ..., "data": {...}})', path=str(path)
        )
    if "data" in data and not isinstance(data["data"], dict):
        raise SettingsError("expected an object", path=str(path), key="data")
    try:
        return Event.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        msg = "missing (required)" if err["msg"] == "Field required" else err["msg"]
        raise SettingsError(msg, path=str(path), key=key) from exc


def _find(args: argparse.Namespace) -> Assignment:
    from kassavirta.erp.assignments import load_assignments
    from kassavirta.erp.ledger import load_ledger_assignments
    from kassavirta.errors import SettingsError

    if args.assignments is not None:
        where = str(args.assignments)
        found = [a for a in load_assignments(args.assignments) if a.id == args.id]
    else:
        path = ledger_path(args)
        where = f"ledger {path}"
        found = [a for a in load_ledger_assignments(path) if a.id == args.id]
    if not found:
        raise SettingsError(f"no assignment {args.id!r}", path=where)
    return found[0]


def run_validate(args: argparse.Namespace) -> int:
    from kassavirta.erp.events.validate import validate_event

    event = load_event(args.event)
    assignment = _find(args)
    verdict = validate_event(assignment, event, args.party, args.today)
    if args.output == "json":
        doc = {
            "assignment": assignment.id,
            "event": event.type,
            "party": args.party,
            **verdict.as_dict(),
        }
        write_json(doc)
    elif verdict.accepted:
        print(f"accepted: {verdict.reason}")
        for note in verdict.notes:
            print(f"  note: {note}")
    else:
        print(
            f"refused [{verdict.rule}]: {event.type} on assignment {assignment.id}: {verdict.reason}"
        )
    return 0 if verdict.accepted else 1
